package fgsession

import (
	"context"
	"sync"
	"time"
)

// MemoryStore keeps sessions in this process only: the store of a single
// replica without Redis, and the fallback store while Redis is unreachable.
type MemoryStore struct {
	mu       sync.Mutex
	now      func() time.Time
	sessions map[string]memEntry
	locks    map[string]memLock
	backoffs map[string]Backoff
}

type memEntry struct {
	rec     Record
	expires time.Time
}

type memLock struct {
	token   string
	expires time.Time
}

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore {
	return &MemoryStore{
		now:      time.Now,
		sessions: map[string]memEntry{},
		locks:    map[string]memLock{},
		backoffs: map[string]Backoff{},
	}
}

func (s *MemoryStore) Get(_ context.Context, id string) (*Record, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.sessions[id]
	if !ok {
		return nil, nil
	}
	if !s.now().Before(e.expires) {
		delete(s.sessions, id)
		return nil, nil
	}
	rec := e.rec
	return &rec, nil
}

func (s *MemoryStore) TryLock(_ context.Context, id, token string, ttl time.Duration) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l, ok := s.locks[id]
	if ok && l.token != token && s.now().Before(l.expires) {
		return false, nil
	}
	s.locks[id] = memLock{token: token, expires: s.now().Add(ttl)}
	return true, nil
}

func (s *MemoryStore) RefreshLock(_ context.Context, id, token string, ttl time.Duration) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.holdsLocked(id, token) {
		return false, nil
	}
	s.locks[id] = memLock{token: token, expires: s.now().Add(ttl)}
	return true, nil
}

func (s *MemoryStore) Unlock(_ context.Context, id, token string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if l, ok := s.locks[id]; ok && l.token == token {
		delete(s.locks, id)
	}
	return nil
}

func (s *MemoryStore) holdsLocked(id, token string) bool {
	l, ok := s.locks[id]
	return ok && l.token == token && s.now().Before(l.expires)
}

func (s *MemoryStore) Put(_ context.Context, id, token string, rec *Record, ttl time.Duration) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.holdsLocked(id, token) {
		return 0, ErrLockLost
	}
	s.setLocked(id, rec, ttl)
	return rec.Generation, nil
}

func (s *MemoryStore) PutIfAbsent(_ context.Context, id string, rec *Record, ttl time.Duration) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.sessions[id]; ok && s.now().Before(e.expires) {
		return false, nil
	}
	s.setLocked(id, rec, ttl)
	return true, nil
}

// setLocked stores rec with the next generation. The caller holds s.mu.
func (s *MemoryStore) setLocked(id string, rec *Record, ttl time.Duration) {
	var generation int64
	if e, ok := s.sessions[id]; ok {
		generation = e.rec.Generation
	}
	rec.Generation = generation + 1
	s.sessions[id] = memEntry{rec: *rec, expires: s.now().Add(ttl)}
}

// seed stores rec as it is, keeping its generation. The manager uses it to keep
// a copy of the last record seen in Redis for use during an outage.
func (s *MemoryStore) seed(id string, rec *Record, ttl time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sessions[id] = memEntry{rec: *rec, expires: s.now().Add(ttl)}
}

func (s *MemoryStore) Delete(_ context.Context, id, recordID string) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.sessions[id]
	if !ok || e.rec.ID != recordID {
		return false, nil
	}
	delete(s.sessions, id)
	return true, nil
}

func (s *MemoryStore) GetBackoff(_ context.Context, id string) (*Backoff, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.backoffs[id]
	if !ok {
		return nil, nil
	}
	if !s.now().Before(b.Until) {
		delete(s.backoffs, id)
		return nil, nil
	}
	return &b, nil
}

func (s *MemoryStore) SetBackoff(_ context.Context, id string, b Backoff) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.backoffs[id] = b
	return nil
}

func (s *MemoryStore) ClearBackoff(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.backoffs, id)
	return nil
}

// all returns every live record, for logging out at shutdown.
func (s *MemoryStore) all() map[string]Record {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]Record, len(s.sessions))
	for id, e := range s.sessions {
		if s.now().Before(e.expires) {
			out[id] = e.rec
		}
	}
	return out
}

func (s *MemoryStore) Ping(context.Context) error { return nil }
func (s *MemoryStore) Shared() bool               { return false }
func (s *MemoryStore) Close() error               { return nil }

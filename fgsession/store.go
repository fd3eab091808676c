package fgsession

import (
	"context"
	"errors"
	"time"
)

// Record is one FortiOS API session as the replicas share it. It holds credential
// material, so it is never logged, served or put in an error message.
type Record struct {
	// ID is random and new for every login. Invalidation compares it, so a replica
	// that saw a 401 deletes only the session that failed, never a newer one.
	ID string `json:"id"`
	// Generation is set by the store and grows by one on every Put for a session id.
	Generation int64 `json:"generation"`
	// Method names the login flavour that produced the session (see the Method* constants).
	Method     string    `json:"method"`
	SessionKey string    `json:"session_key,omitempty"`
	Cookies    []Cookie  `json:"cookies,omitempty"`
	CSRFToken  string    `json:"csrf_token,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
	ExpiresAt  time.Time `json:"expires_at"`
	// Owner is the replica id of the exporter that logged in.
	Owner string `json:"owner"`
}

// Cookie is one cookie FortiOS set at login, sent back on every request.
type Cookie struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Backoff is the shared record of rejected logins for one session id. No
// replica logs in before RetryAt. The record lives until Until, later than
// RetryAt, so the failure count keeps growing when the next login fails too.
type Backoff struct {
	Failures int       `json:"failures"`
	Reason   string    `json:"reason"`
	RetryAt  time.Time `json:"retry_at"`
	Until    time.Time `json:"until"`
}

// ErrLockLost is returned by Store.Put when the caller's token no longer holds the lock.
var ErrLockLost = errors.New("login lock lost")

// Store keeps session records, login locks and back-off records by session id.
// Every method is safe for concurrent use. A missing record or back-off is
// (nil, nil), not an error.
type Store interface {
	// Get returns the session record of id.
	Get(ctx context.Context, id string) (*Record, error)

	// TryLock takes the login lock of id for ttl with token. It returns true when
	// the lock is held by token afterwards, including when token already held it.
	TryLock(ctx context.Context, id, token string, ttl time.Duration) (bool, error)
	// RefreshLock extends a lock that token holds; false when token lost it.
	RefreshLock(ctx context.Context, id, token string, ttl time.Duration) (bool, error)
	// Unlock releases the lock only if token holds it (compare-and-delete).
	Unlock(ctx context.Context, id, token string) error

	// Put stores rec for ttl if token holds the lock of id, sets rec.Generation to
	// one more than the stored generation and returns it. It returns ErrLockLost
	// when token does not hold the lock.
	Put(ctx context.Context, id, token string, rec *Record, ttl time.Duration) (int64, error)
	// PutIfAbsent stores rec for ttl only when id has no record, without a lock.
	// A replica uses it to write back a session it kept through a Redis outage.
	PutIfAbsent(ctx context.Context, id string, rec *Record, ttl time.Duration) (bool, error)
	// Delete removes the record of id if its ID equals recordID and reports
	// whether it did.
	Delete(ctx context.Context, id, recordID string) (bool, error)

	// GetBackoff returns the back-off record of id.
	GetBackoff(ctx context.Context, id string) (*Backoff, error)
	// SetBackoff stores b until b.Until.
	SetBackoff(ctx context.Context, id string, b Backoff) error
	// ClearBackoff removes the back-off record of id.
	ClearBackoff(ctx context.Context, id string) error

	// Ping checks that the store is reachable.
	Ping(ctx context.Context) error
	// Shared reports whether other replicas see this store (Redis) or not (memory).
	Shared() bool
	Close() error
}

package fgsession

// RedisStore is the Store that replicas share. Keys of one session id:
//
//	<prefix>{<id>}:session  hash of gen, rid and data (see redisstore_scripts.go)
//	<prefix>{<id>}:lock     login lock token, with a PX expiry
//	<prefix>{<id>}:backoff  back-off record as JSON, expiring at Backoff.Until
//
// The id in braces is a Redis Cluster hash tag, so the three keys share one slot and
// the scripts that touch two of them run there.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// DefaultRedisKeyPrefix goes before every key of a RedisStore made without a prefix.
const DefaultRedisKeyPrefix = "fortigate_session_exporter:"

// RedisStoreOptions configures a RedisStore. The zero value is valid.
type RedisStoreOptions struct {
	// KeyPrefix goes before every key. Empty means DefaultRedisKeyPrefix. It should
	// not contain braces, because a hash tag in the prefix would put every session
	// of every exporter in one Cluster slot.
	KeyPrefix string
	// Sealer, when set, seals every record it stores and opens every record it reads.
	// Records that are not sealed then read as missing.
	Sealer *Sealer
	// Logger receives a warning, at most once a minute, when a record cannot be read.
	// Nil discards them, and the unreadable counter still counts them.
	Logger *slog.Logger
}

// RedisStore implements Store over Redis for any number of replicas. It is also a
// prometheus.Collector of its error and unreadable-record counters.
type RedisStore struct {
	client redis.UniversalClient
	prefix string
	sealer *Sealer
	logger *slog.Logger

	metrics       *redisStoreMetrics
	unreadableLog logLimiter
}

var _ Store = (*RedisStore)(nil)

// NewRedisStore returns a store that uses client, which may be a single node,
// Sentinel or Cluster client. Close closes the client.
func NewRedisStore(client redis.UniversalClient, opts RedisStoreOptions) *RedisStore {
	s := &RedisStore{
		client:        client,
		prefix:        opts.KeyPrefix,
		sealer:        opts.Sealer,
		logger:        opts.Logger,
		metrics:       newRedisStoreMetrics(),
		unreadableLog: logLimiter{interval: time.Minute},
	}
	if s.prefix == "" {
		s.prefix = DefaultRedisKeyPrefix
	}
	if s.logger == nil {
		s.logger = discardLogger
	}
	return s
}

// Key kinds, the last part of a Redis key.
const (
	kindSession = "session"
	kindLock    = "lock"
	kindBackoff = "backoff"
)

// Key returns the Redis key of one kind ("session", "lock" or "backoff") for id.
func (s *RedisStore) Key(id, kind string) string {
	return s.prefix + "{" + id + "}:" + kind
}

// checkID rejects ids that would break the hash tag: an empty tag hashes the whole
// key, and a brace would end the tag early, so the keys of one id could land in
// different slots or collide with another id's.
func checkID(id string) error {
	if id == "" {
		return errors.New("invalid session id: empty")
	}
	if strings.ContainsAny(id, "{}") {
		return fmt.Errorf("invalid session id %q: contains a brace", id)
	}
	return nil
}

// ttlMillis converts a TTL for PX and PEXPIRE, rounding up so that a positive TTL
// never becomes 0, which PEXPIRE would take as "delete now".
func ttlMillis(ttl time.Duration) (int64, error) {
	if ttl <= 0 {
		return 0, fmt.Errorf("invalid TTL %v: must be positive", ttl)
	}
	return int64((ttl + time.Millisecond - 1) / time.Millisecond), nil
}

// fail counts err under op and returns it wrapped with the operation and session id.
// A call that the caller canceled is not counted, because Redis did nothing wrong.
// When ctx ended, the returned error also wraps ctx.Err(), so callers can test for
// context.DeadlineExceeded even where go-redis returned a network timeout.
func (s *RedisStore) fail(ctx context.Context, op, id string, err error) error {
	if !errors.Is(err, context.Canceled) {
		s.metrics.errors.WithLabelValues(op).Inc()
	}
	operation := "redis " + op
	if id != "" {
		operation += " of session " + id
	}
	if ctxErr := ctx.Err(); ctxErr != nil && !errors.Is(err, ctxErr) {
		return fmt.Errorf("%s: %w: %w", operation, err, ctxErr)
	}
	return fmt.Errorf("%s: %w", operation, err)
}

// Get returns the record of id, or nil when there is none or it cannot be read.
func (s *RedisStore) Get(ctx context.Context, id string) (*Record, error) {
	if err := checkID(id); err != nil {
		return nil, err
	}
	key := s.Key(id, kindSession)

	fields, err := s.client.HMGet(ctx, key, "gen", "rid", "data").Result()
	if err != nil {
		if isWrongType(err) {
			s.unreadable(recordSession, key, reasonWrongType, err)
			return nil, nil
		}
		return nil, s.fail(ctx, opGet, id, err)
	}
	gen, recordID, data := fields[0], fields[1], fields[2]
	if data == nil {
		// No key, or only the generation that Delete leaves behind.
		return nil, nil
	}

	rec, reason, err := s.decodeRecord(key, gen, recordID, data)
	if err != nil {
		s.unreadable(recordSession, key, reason, err)
		return nil, nil
	}
	return rec, nil
}

// decodeRecord turns the hash fields of a session key into a record, or returns the
// reason label and error why it cannot.
func (s *RedisStore) decodeRecord(key string, genField, ridField, dataField any) (*Record, string, error) {
	genText, _ := genField.(string)
	recordID, _ := ridField.(string)
	data, _ := dataField.(string)
	gen, err := strconv.ParseInt(genText, 10, 64)
	if err != nil || recordID == "" {
		return nil, reasonMalformed, errors.New("invalid gen or rid field")
	}

	plaintext := []byte(data)
	switch {
	case s.sealer != nil:
		plaintext, err = s.sealer.Open(plaintext, sealAssociatedData(key, recordID))
		switch {
		case errors.Is(err, errNotSealed):
			return nil, reasonNotSealed, err
		case errors.Is(err, errUnknownKey):
			return nil, reasonUnknownKey, err
		case err != nil:
			return nil, reasonOpenFailed, err
		}
	case isSealed(plaintext):
		return nil, reasonNoKey, errors.New("record is sealed but no encryption key is configured")
	}

	var rec Record
	if err := json.Unmarshal(plaintext, &rec); err != nil {
		return nil, reasonMalformed, fmt.Errorf("decode record: %w", err)
	}
	if rec.ID != recordID {
		return nil, reasonMalformed, errors.New("record ID differs from the rid field")
	}
	rec.Generation = gen
	return &rec, "", nil
}

func (s *RedisStore) unreadable(record, key, reason string, err error) {
	s.metrics.unreadable.WithLabelValues(record, reason).Inc()
	s.logUnreadable(key, reason, err)
}

// sealAssociatedData binds a sealed record to its Redis key and record ID.
func sealAssociatedData(key, recordID string) []byte {
	return []byte(key + "\x00" + recordID)
}

// encodeRecord returns the data field for rec: JSON, sealed when a Sealer is set.
// The generation is left out, because the stored gen field is the one that counts.
func (s *RedisStore) encodeRecord(key string, rec *Record) ([]byte, error) {
	if rec == nil {
		return nil, errors.New("nil record")
	}
	if rec.ID == "" {
		return nil, errors.New("record has an empty ID")
	}
	stored := *rec
	stored.Generation = 0
	data, err := json.Marshal(&stored)
	if err != nil {
		return nil, fmt.Errorf("encode record: %w", err)
	}
	if s.sealer != nil {
		data = s.sealer.Seal(data, sealAssociatedData(key, rec.ID))
	}
	return data, nil
}

// TryLock takes the login lock of id for ttl (SET NX PX). It returns true when token
// holds the lock afterwards, also when it held it before, in which case the lock
// gets the new ttl.
func (s *RedisStore) TryLock(ctx context.Context, id, token string, ttl time.Duration) (bool, error) {
	return s.runLockScript(ctx, opLock, tryLockScript, id, token, ttl)
}

// RefreshLock sets the TTL of the lock to ttl if token holds it. It returns false
// when token no longer holds the lock.
func (s *RedisStore) RefreshLock(ctx context.Context, id, token string, ttl time.Duration) (bool, error) {
	return s.runLockScript(ctx, opRefreshLock, refreshLockScript, id, token, ttl)
}

func (s *RedisStore) runLockScript(ctx context.Context, op string, script *redis.Script,
	id, token string, ttl time.Duration,
) (bool, error) {
	if err := checkID(id); err != nil {
		return false, err
	}
	if token == "" {
		return false, errors.New("invalid lock token: empty")
	}
	ms, err := ttlMillis(ttl)
	if err != nil {
		return false, err
	}
	n, err := script.Run(ctx, s.client, []string{s.Key(id, kindLock)}, token, ms).Int()
	if err != nil {
		return false, s.fail(ctx, op, id, err)
	}
	return n == 1, nil
}

// Unlock deletes the lock of id if token holds it. A lock held by another token,
// or none at all, is left as it is and is not an error.
func (s *RedisStore) Unlock(ctx context.Context, id, token string) error {
	if err := checkID(id); err != nil {
		return err
	}
	err := unlockScript.Run(ctx, s.client, []string{s.Key(id, kindLock)}, token).Err()
	if err != nil {
		return s.fail(ctx, opUnlock, id, err)
	}
	return nil
}

// Put stores rec for ttl if token holds the lock of id, and sets rec.Generation to
// the new generation. It returns ErrLockLost when token does not hold the lock.
func (s *RedisStore) Put(ctx context.Context, id, token string, rec *Record, ttl time.Duration) (int64, error) {
	if err := checkID(id); err != nil {
		return 0, err
	}
	if token == "" {
		return 0, errors.New("invalid lock token: empty")
	}
	key := s.Key(id, kindSession)
	data, ms, err := s.prepareRecord(key, rec, ttl)
	if err != nil {
		return 0, err
	}

	keys := []string{key, s.Key(id, kindLock)}
	gen, err := putScript.Run(ctx, s.client, keys, token, rec.ID, data, ms).Int64()
	if err != nil {
		return 0, s.fail(ctx, opPut, id, err)
	}
	if gen < 0 {
		return 0, ErrLockLost
	}
	rec.Generation = gen
	return gen, nil
}

// PutIfAbsent stores rec for ttl if id has no record, and then sets rec.Generation
// to the new generation. It reports whether it stored rec.
func (s *RedisStore) PutIfAbsent(ctx context.Context, id string, rec *Record, ttl time.Duration) (bool, error) {
	if err := checkID(id); err != nil {
		return false, err
	}
	key := s.Key(id, kindSession)
	data, ms, err := s.prepareRecord(key, rec, ttl)
	if err != nil {
		return false, err
	}

	gen, err := putIfAbsentScript.Run(ctx, s.client, []string{key}, "", rec.ID, data, ms).Int64()
	if err != nil {
		return false, s.fail(ctx, opPutIfAbsent, id, err)
	}
	if gen == 0 {
		return false, nil
	}
	rec.Generation = gen
	return true, nil
}

func (s *RedisStore) prepareRecord(key string, rec *Record, ttl time.Duration) ([]byte, int64, error) {
	ms, err := ttlMillis(ttl)
	if err != nil {
		return nil, 0, err
	}
	data, err := s.encodeRecord(key, rec)
	if err != nil {
		return nil, 0, err
	}
	return data, ms, nil
}

// Delete removes the record of id if its ID is recordID (compare-and-delete), so a
// replica that saw a 401 never deletes a newer record. It reports whether it did.
func (s *RedisStore) Delete(ctx context.Context, id, recordID string) (bool, error) {
	if err := checkID(id); err != nil {
		return false, err
	}
	n, err := deleteScript.Run(ctx, s.client, []string{s.Key(id, kindSession)}, recordID).Int()
	if err != nil {
		return false, s.fail(ctx, opDelete, id, err)
	}
	return n == 1, nil
}

// GetBackoff returns the back-off record of id, or nil when there is none or it
// cannot be read.
func (s *RedisStore) GetBackoff(ctx context.Context, id string) (*Backoff, error) {
	if err := checkID(id); err != nil {
		return nil, err
	}
	key := s.Key(id, kindBackoff)

	data, err := s.client.Get(ctx, key).Bytes()
	switch {
	case errors.Is(err, redis.Nil):
		return nil, nil
	case isWrongType(err):
		s.unreadable(recordBackoff, key, reasonWrongType, err)
		return nil, nil
	case err != nil:
		return nil, s.fail(ctx, opGetBackoff, id, err)
	}

	var b Backoff
	if err := json.Unmarshal(data, &b); err != nil {
		s.unreadable(recordBackoff, key, reasonMalformed, err)
		return nil, nil
	}
	return &b, nil
}

// SetBackoff stores b until b.Until, measured on this replica's clock. A b.Until in
// the past removes any back-off record of id instead. The record is not sealed,
// because it contains only a failure count and a reason, no credential.
func (s *RedisStore) SetBackoff(ctx context.Context, id string, b Backoff) error {
	if err := checkID(id); err != nil {
		return err
	}
	ttl := time.Until(b.Until)
	if ttl <= 0 {
		return s.clearBackoff(ctx, opSetBackoff, id)
	}
	data, err := json.Marshal(&b)
	if err != nil {
		return fmt.Errorf("encode back-off record: %w", err)
	}

	ms, _ := ttlMillis(ttl)
	err = s.client.Set(ctx, s.Key(id, kindBackoff), data, time.Duration(ms)*time.Millisecond).Err()
	if err != nil {
		return s.fail(ctx, opSetBackoff, id, err)
	}
	return nil
}

// ClearBackoff removes the back-off record of id.
func (s *RedisStore) ClearBackoff(ctx context.Context, id string) error {
	if err := checkID(id); err != nil {
		return err
	}
	return s.clearBackoff(ctx, opClearBackoff, id)
}

func (s *RedisStore) clearBackoff(ctx context.Context, op, id string) error {
	if err := s.client.Del(ctx, s.Key(id, kindBackoff)).Err(); err != nil {
		return s.fail(ctx, op, id, err)
	}
	return nil
}

// Ping sends PING to check that Redis is reachable. A Cluster client sends it to
// one node.
func (s *RedisStore) Ping(ctx context.Context) error {
	if err := s.client.Ping(ctx).Err(); err != nil {
		return s.fail(ctx, opPing, "", err)
	}
	return nil
}

// Shared returns true, because every replica that uses the same Redis reads the
// same records.
func (s *RedisStore) Shared() bool { return true }

// Close closes the Redis client.
func (s *RedisStore) Close() error { return s.client.Close() }

func isWrongType(err error) bool {
	return err != nil && redis.HasErrorPrefix(err, "WRONGTYPE")
}

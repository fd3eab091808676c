package fgsession

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/redis/go-redis/v9"

	"github.com/fortigate-session-exporter/fortigate_session_exporter/internal/testredis"
)

// Secrets of redisTestRecord, looked for in raw Redis values.
const (
	redisTestSessionKey = "sk-4f1d2c9e0b7a6d5c"
	redisTestCookie     = "apscookie-8e7d6c5b4a39"
	redisTestCSRF       = "csrf-19a8b7c6d5e4"
)

func redisTestContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// newRedisTestStore returns a store on srv through NewRedisClient, as the exporter
// builds it.
func newRedisTestStore(t *testing.T, srv *testredis.Server, opts RedisStoreOptions) *RedisStore {
	t.Helper()
	client, err := NewRedisClient(RedisConfig{Addrs: []string{srv.Addr()}, Password: srv.Password()})
	if err != nil {
		t.Fatal(err)
	}
	store := NewRedisStore(client, opts)
	t.Cleanup(func() { _ = store.Close() })
	return store
}

func redisTestRecord(id string) *Record {
	created := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	return &Record{
		ID:         id,
		Method:     "authentication_api",
		SessionKey: redisTestSessionKey,
		Cookies: []Cookie{
			{Name: "APSCOOKIE_3456", Value: redisTestCookie},
			{Name: "ccsrftoken_3456", Value: redisTestCSRF},
		},
		CSRFToken: redisTestCSRF,
		CreatedAt: created,
		ExpiresAt: created.Add(30 * time.Minute),
		Owner:     "replica-a",
	}
}

// checkRecord compares got with want field by field, times with Equal.
func checkRecord(t *testing.T, got, want *Record, wantGeneration int64) {
	t.Helper()
	if got == nil {
		t.Fatal("Get returned no record")
	}
	if got.ID != want.ID {
		t.Errorf("ID = %q, expected %q", got.ID, want.ID)
	}
	if got.Generation != wantGeneration {
		t.Errorf("Generation = %d, expected %d", got.Generation, wantGeneration)
	}
	if got.Method != want.Method || got.SessionKey != want.SessionKey || got.CSRFToken != want.CSRFToken {
		t.Errorf("credential fields differ from the stored record")
	}
	if fmt.Sprint(got.Cookies) != fmt.Sprint(want.Cookies) {
		t.Errorf("cookies differ from the stored record")
	}
	if !got.CreatedAt.Equal(want.CreatedAt) || !got.ExpiresAt.Equal(want.ExpiresAt) {
		t.Errorf("CreatedAt/ExpiresAt = %v/%v, expected %v/%v",
			got.CreatedAt, got.ExpiresAt, want.CreatedAt, want.ExpiresAt)
	}
	if got.Owner != want.Owner {
		t.Errorf("Owner = %q, expected %q", got.Owner, want.Owner)
	}
}

// putLocked takes the lock with token, stores rec and returns the generation.
func putLocked(t *testing.T, store *RedisStore, id, token string, rec *Record) int64 {
	t.Helper()
	ctx := redisTestContext(t)
	held, err := store.TryLock(ctx, id, token, 5*time.Second)
	if err != nil {
		t.Fatalf("TryLock: %v", err)
	}
	if !held {
		t.Fatalf("TryLock(%s): lock held by another token", token)
	}
	gen, err := store.Put(ctx, id, token, rec, time.Minute)
	if err != nil {
		t.Fatalf("Put: %v", err)
	}
	return gen
}

func unreadableCount(store *RedisStore, record, reason string) float64 {
	return testutil.ToFloat64(store.metrics.unreadable.WithLabelValues(record, reason))
}

func errorCount(store *RedisStore, op string) float64 {
	return testutil.ToFloat64(store.metrics.errors.WithLabelValues(op))
}

func TestRedisStoreMissingRecords(t *testing.T) {
	store := newRedisTestStore(t, testredis.Start(t), RedisStoreOptions{})
	ctx := redisTestContext(t)

	rec, err := store.Get(ctx, "abc")
	if err != nil || rec != nil {
		t.Errorf("Get of a missing record = %v, %v, expected nil, nil", rec, err)
	}
	b, err := store.GetBackoff(ctx, "abc")
	if err != nil || b != nil {
		t.Errorf("GetBackoff of a missing record = %v, %v, expected nil, nil", b, err)
	}
	deleted, err := store.Delete(ctx, "abc", "r1")
	if err != nil || deleted {
		t.Errorf("Delete of a missing record = %v, %v, expected false, nil", deleted, err)
	}
	if !store.Shared() {
		t.Error("Shared() = false, expected true")
	}
	if err := store.Ping(ctx); err != nil {
		t.Errorf("Ping: %v", err)
	}
}

func TestRedisStorePutAndGet(t *testing.T) {
	srv := testredis.Start(t)
	store := newRedisTestStore(t, srv, RedisStoreOptions{})
	ctx := redisTestContext(t)
	want := redisTestRecord("r1")

	gen := putLocked(t, store, "abc", "token-a", want)
	if gen != 1 {
		t.Errorf("first Put returned generation %d, expected 1", gen)
	}
	if want.Generation != 1 {
		t.Errorf("Put set rec.Generation to %d, expected 1", want.Generation)
	}
	got, err := store.Get(ctx, "abc")
	if err != nil {
		t.Fatal(err)
	}
	checkRecord(t, got, want, 1)

	raw := srv.Client()
	fields, err := raw.HGetAll(ctx, "fortigate_session_exporter:{abc}:session").Result()
	if err != nil {
		t.Fatal(err)
	}
	if fields["gen"] != "1" || fields["rid"] != "r1" {
		t.Errorf("session hash gen=%q rid=%q, expected 1 and r1", fields["gen"], fields["rid"])
	}
	if !strings.HasPrefix(fields["data"], "{") {
		t.Errorf("unsealed data field starts with %.10q, expected JSON", fields["data"])
	}
	pttl := raw.PTTL(ctx, "fortigate_session_exporter:{abc}:session").Val()
	if pttl <= 0 || pttl > time.Minute {
		t.Errorf("session PTTL = %v, expected (0, 1m]", pttl)
	}
}

func TestRedisStoreKeyPrefix(t *testing.T) {
	srv := testredis.Start(t)
	store := newRedisTestStore(t, srv, RedisStoreOptions{KeyPrefix: "site1:"})
	ctx := redisTestContext(t)
	putLocked(t, store, "abc", "token-a", redisTestRecord("r1"))

	keys, err := srv.Client().Keys(ctx, "*").Result()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"site1:{abc}:session": true, "site1:{abc}:lock": true}
	for _, key := range keys {
		if !want[key] {
			t.Errorf("unexpected key %q", key)
		}
	}
	if len(keys) != len(want) {
		t.Errorf("keys = %q, expected %d", keys, len(want))
	}
}

func TestRedisStoreGenerationIncrements(t *testing.T) {
	store := newRedisTestStore(t, testredis.Start(t), RedisStoreOptions{})
	ctx := redisTestContext(t)

	for want := int64(1); want <= 3; want++ {
		if gen := putLocked(t, store, "abc", "token-a", redisTestRecord(fmt.Sprint("r", want))); gen != want {
			t.Errorf("Put %d returned generation %d", want, gen)
		}
	}
	if _, err := store.Delete(ctx, "abc", "r3"); err != nil {
		t.Fatal(err)
	}
	rec := redisTestRecord("r4")
	stored, err := store.PutIfAbsent(ctx, "abc", rec, time.Minute)
	if err != nil || !stored {
		t.Fatalf("PutIfAbsent after Delete = %v, %v, expected true, nil", stored, err)
	}
	if rec.Generation != 4 {
		t.Errorf("generation after Delete and PutIfAbsent = %d, expected 4", rec.Generation)
	}
	got, err := store.Get(ctx, "abc")
	if err != nil {
		t.Fatal(err)
	}
	checkRecord(t, got, rec, 4)
}

func TestRedisStoreTryLockOwnToken(t *testing.T) {
	srv := testredis.Start(t)
	store := newRedisTestStore(t, srv, RedisStoreOptions{})
	ctx := redisTestContext(t)
	lockKey := store.Key("abc", kindLock)

	held, err := store.TryLock(ctx, "abc", "token-a", time.Second)
	if err != nil || !held {
		t.Fatalf("first TryLock = %v, %v, expected true, nil", held, err)
	}
	held, err = store.TryLock(ctx, "abc", "token-a", time.Minute)
	if err != nil || !held {
		t.Errorf("TryLock with the holder's token = %v, %v, expected true, nil", held, err)
	}
	if pttl := srv.Client().PTTL(ctx, lockKey).Val(); pttl <= time.Second {
		t.Errorf("lock PTTL after re-acquire = %v, expected the new TTL of 1m", pttl)
	}
	held, err = store.TryLock(ctx, "abc", "token-b", time.Minute)
	if err != nil || held {
		t.Errorf("TryLock with another token = %v, %v, expected false, nil", held, err)
	}
	if got := srv.Client().Get(ctx, lockKey).Val(); got != "token-a" {
		t.Errorf("lock value = %q, expected token-a", got)
	}
}

func TestRedisStoreLockExpiry(t *testing.T) {
	store := newRedisTestStore(t, testredis.Start(t), RedisStoreOptions{})
	ctx := redisTestContext(t)

	held, err := store.TryLock(ctx, "abc", "token-a", 100*time.Millisecond)
	if err != nil || !held {
		t.Fatalf("TryLock = %v, %v", held, err)
	}
	time.Sleep(250 * time.Millisecond)

	held, err = store.TryLock(ctx, "abc", "token-b", time.Minute)
	if err != nil || !held {
		t.Errorf("TryLock after expiry = %v, %v, expected true, nil", held, err)
	}
	if _, err := store.Put(ctx, "abc", "token-a", redisTestRecord("r1"), time.Minute); !errors.Is(err, ErrLockLost) {
		t.Errorf("Put with the expired token: err = %v, expected ErrLockLost", err)
	}
	refreshed, err := store.RefreshLock(ctx, "abc", "token-a", time.Minute)
	if err != nil || refreshed {
		t.Errorf("RefreshLock with the expired token = %v, %v, expected false, nil", refreshed, err)
	}
}

func TestRedisStorePutLockLost(t *testing.T) {
	store := newRedisTestStore(t, testredis.Start(t), RedisStoreOptions{})
	ctx := redisTestContext(t)

	if _, err := store.Put(ctx, "abc", "token-a", redisTestRecord("r1"), time.Minute); !errors.Is(err, ErrLockLost) {
		t.Errorf("Put without a lock: err = %v, expected ErrLockLost", err)
	}
	if _, err := store.TryLock(ctx, "abc", "token-b", time.Minute); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Put(ctx, "abc", "token-a", redisTestRecord("r1"), time.Minute); !errors.Is(err, ErrLockLost) {
		t.Errorf("Put while another token holds the lock: err = %v, expected ErrLockLost", err)
	}
	if rec, err := store.Get(ctx, "abc"); rec != nil || err != nil {
		t.Errorf("Get after rejected Puts = %v, %v, expected nil, nil", rec, err)
	}
	if n := errorCount(store, opPut); n != 0 {
		t.Errorf("ErrLockLost counted as %v Redis errors, expected 0", n)
	}
}

func TestRedisStoreUnlockCompareAndDelete(t *testing.T) {
	srv := testredis.Start(t)
	store := newRedisTestStore(t, srv, RedisStoreOptions{})
	ctx := redisTestContext(t)
	lockKey := store.Key("abc", kindLock)

	if _, err := store.TryLock(ctx, "abc", "token-a", time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := store.Unlock(ctx, "abc", "token-b"); err != nil {
		t.Fatalf("Unlock with another token: %v", err)
	}
	if got := srv.Client().Get(ctx, lockKey).Val(); got != "token-a" {
		t.Errorf("lock after Unlock with another token = %q, expected token-a", got)
	}
	if err := store.Unlock(ctx, "abc", "token-a"); err != nil {
		t.Fatalf("Unlock: %v", err)
	}
	if n := srv.Client().Exists(ctx, lockKey).Val(); n != 0 {
		t.Error("lock still exists after Unlock by its holder")
	}
	if err := store.Unlock(ctx, "abc", "token-a"); err != nil {
		t.Errorf("Unlock of a free lock: %v", err)
	}
}

func TestRedisStoreRefreshLock(t *testing.T) {
	srv := testredis.Start(t)
	store := newRedisTestStore(t, srv, RedisStoreOptions{})
	ctx := redisTestContext(t)
	lockKey := store.Key("abc", kindLock)

	if _, err := store.TryLock(ctx, "abc", "token-a", time.Second); err != nil {
		t.Fatal(err)
	}
	refreshed, err := store.RefreshLock(ctx, "abc", "token-a", time.Minute)
	if err != nil || !refreshed {
		t.Fatalf("RefreshLock by the holder = %v, %v, expected true, nil", refreshed, err)
	}
	if pttl := srv.Client().PTTL(ctx, lockKey).Val(); pttl <= time.Second || pttl > time.Minute {
		t.Errorf("lock PTTL after RefreshLock = %v, expected (1s, 1m]", pttl)
	}
	refreshed, err = store.RefreshLock(ctx, "abc", "token-b", time.Hour)
	if err != nil || refreshed {
		t.Errorf("RefreshLock by another token = %v, %v, expected false, nil", refreshed, err)
	}
	if pttl := srv.Client().PTTL(ctx, lockKey).Val(); pttl > time.Minute {
		t.Errorf("another token's RefreshLock changed the PTTL to %v", pttl)
	}
}

func TestRedisStoreDeleteStaleRecordID(t *testing.T) {
	store := newRedisTestStore(t, testredis.Start(t), RedisStoreOptions{})
	ctx := redisTestContext(t)
	putLocked(t, store, "abc", "token-a", redisTestRecord("old"))
	newer := redisTestRecord("new")
	putLocked(t, store, "abc", "token-a", newer)

	deleted, err := store.Delete(ctx, "abc", "old")
	if err != nil || deleted {
		t.Errorf("Delete with the stale record ID = %v, %v, expected false, nil", deleted, err)
	}
	got, err := store.Get(ctx, "abc")
	if err != nil {
		t.Fatal(err)
	}
	checkRecord(t, got, newer, 2)

	deleted, err = store.Delete(ctx, "abc", "new")
	if err != nil || !deleted {
		t.Errorf("Delete with the current record ID = %v, %v, expected true, nil", deleted, err)
	}
	if rec, err := store.Get(ctx, "abc"); rec != nil || err != nil {
		t.Errorf("Get after Delete = %v, %v, expected nil, nil", rec, err)
	}
	deleted, err = store.Delete(ctx, "abc", "new")
	if err != nil || deleted {
		t.Errorf("second Delete = %v, %v, expected false, nil", deleted, err)
	}
}

func TestRedisStorePutIfAbsent(t *testing.T) {
	store := newRedisTestStore(t, testredis.Start(t), RedisStoreOptions{})
	ctx := redisTestContext(t)
	first := redisTestRecord("r1")

	stored, err := store.PutIfAbsent(ctx, "abc", first, time.Minute)
	if err != nil || !stored {
		t.Fatalf("PutIfAbsent on an empty id = %v, %v, expected true, nil", stored, err)
	}
	stored, err = store.PutIfAbsent(ctx, "abc", redisTestRecord("r2"), time.Minute)
	if err != nil || stored {
		t.Errorf("PutIfAbsent over a record = %v, %v, expected false, nil", stored, err)
	}
	got, err := store.Get(ctx, "abc")
	if err != nil {
		t.Fatal(err)
	}
	checkRecord(t, got, first, 1)

	// A held lock does not stop PutIfAbsent, only an existing record does.
	if _, err := store.TryLock(ctx, "other", "token-a", time.Minute); err != nil {
		t.Fatal(err)
	}
	stored, err = store.PutIfAbsent(ctx, "other", redisTestRecord("r3"), time.Minute)
	if err != nil || !stored {
		t.Errorf("PutIfAbsent while the lock is held = %v, %v, expected true, nil", stored, err)
	}
}

func TestRedisStoreRecordExpiry(t *testing.T) {
	store := newRedisTestStore(t, testredis.Start(t), RedisStoreOptions{})
	ctx := redisTestContext(t)

	if _, err := store.TryLock(ctx, "abc", "token-a", time.Minute); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Put(ctx, "abc", "token-a", redisTestRecord("r1"), 150*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if rec, err := store.Get(ctx, "abc"); rec == nil || err != nil {
		t.Fatalf("Get right after Put = %v, %v", rec, err)
	}
	time.Sleep(300 * time.Millisecond)
	if rec, err := store.Get(ctx, "abc"); rec != nil || err != nil {
		t.Errorf("Get after the TTL = %v, %v, expected nil, nil", rec, err)
	}
}

func TestRedisStoreBackoff(t *testing.T) {
	srv := testredis.Start(t)
	store := newRedisTestStore(t, srv, RedisStoreOptions{})
	ctx := redisTestContext(t)
	backoffKey := store.Key("abc", kindBackoff)

	want := Backoff{Failures: 2, Reason: "bad_credentials", Until: time.Now().Add(300 * time.Millisecond)}
	if err := store.SetBackoff(ctx, "abc", want); err != nil {
		t.Fatal(err)
	}
	got, err := store.GetBackoff(ctx, "abc")
	if err != nil || got == nil {
		t.Fatalf("GetBackoff = %v, %v", got, err)
	}
	if got.Failures != want.Failures || got.Reason != want.Reason || !got.Until.Equal(want.Until) {
		t.Errorf("GetBackoff = %+v, expected %+v", *got, want)
	}
	if pttl := srv.Client().PTTL(ctx, backoffKey).Val(); pttl <= 0 || pttl > 300*time.Millisecond {
		t.Errorf("back-off PTTL = %v, expected (0, 300ms]", pttl)
	}

	time.Sleep(450 * time.Millisecond)
	if got, err := store.GetBackoff(ctx, "abc"); got != nil || err != nil {
		t.Errorf("GetBackoff after Until = %v, %v, expected nil, nil", got, err)
	}

	if err := store.SetBackoff(ctx, "abc", Backoff{Failures: 1, Until: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if err := store.ClearBackoff(ctx, "abc"); err != nil {
		t.Fatal(err)
	}
	if got, err := store.GetBackoff(ctx, "abc"); got != nil || err != nil {
		t.Errorf("GetBackoff after ClearBackoff = %v, %v, expected nil, nil", got, err)
	}

	if err := store.SetBackoff(ctx, "abc", Backoff{Failures: 1, Until: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if err := store.SetBackoff(ctx, "abc", Backoff{Failures: 1, Until: time.Now().Add(-time.Second)}); err != nil {
		t.Fatal(err)
	}
	if n := srv.Client().Exists(ctx, backoffKey).Val(); n != 0 {
		t.Error("SetBackoff with a past Until left a back-off record")
	}
}

func TestRedisStoreInvalidArguments(t *testing.T) {
	store := newRedisTestStore(t, testredis.Start(t), RedisStoreOptions{})
	ctx := redisTestContext(t)
	noID := redisTestRecord("")

	for name, call := range map[string]func() error{
		"Get empty id":        func() error { _, err := store.Get(ctx, ""); return err },
		"Get brace id":        func() error { _, err := store.Get(ctx, "a}b"); return err },
		"TryLock zero TTL":    func() error { _, err := store.TryLock(ctx, "abc", "t", 0); return err },
		"TryLock empty token": func() error { _, err := store.TryLock(ctx, "abc", "", time.Second); return err },
		"Put nil record":      func() error { _, err := store.Put(ctx, "abc", "t", nil, time.Second); return err },
		"Put empty record ID": func() error { _, err := store.Put(ctx, "abc", "t", noID, time.Second); return err },
		"Put negative TTL": func() error {
			_, err := store.Put(ctx, "abc", "t", redisTestRecord("r1"), -time.Second)
			return err
		},
		"PutIfAbsent empty record ID": func() error {
			_, err := store.PutIfAbsent(ctx, "abc", noID, time.Second)
			return err
		},
		"SetBackoff brace id": func() error { return store.SetBackoff(ctx, "{x", Backoff{}) },
	} {
		if err := call(); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestRedisStoreTryLockRace(t *testing.T) {
	srv := testredis.Start(t)
	const contenders = 20

	stores := make([]*RedisStore, contenders)
	for i := range stores {
		stores[i] = newRedisTestStore(t, srv, RedisStoreOptions{})
		// Connect now, so the race is about the lock and not about dialing.
		if err := stores[i].Ping(redisTestContext(t)); err != nil {
			t.Fatal(err)
		}
	}

	for round := range 5 {
		id := fmt.Sprint("race", round)
		var winners atomic.Int32
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i, store := range stores {
			wg.Go(func() {
				<-start
				held, err := store.TryLock(context.Background(), id, fmt.Sprint("token-", i), time.Minute)
				if err != nil {
					t.Errorf("TryLock of contender %d: %v", i, err)
				}
				if held {
					winners.Add(1)
				}
			})
		}
		close(start)
		wg.Wait()
		if n := winners.Load(); n != 1 {
			t.Errorf("round %d: %d contenders hold the lock, expected exactly 1", round, n)
		}
	}
}

func TestRedisStoreDeadlineWhilePaused(t *testing.T) {
	srv := testredis.Start(t)
	store := newRedisTestStore(t, srv, RedisStoreOptions{})
	if err := store.Ping(redisTestContext(t)); err != nil {
		t.Fatal(err)
	}

	srv.Pause()
	defer srv.Resume()
	const deadline = 200 * time.Millisecond
	for name, call := range map[string]func(context.Context) error{
		"Get":     func(ctx context.Context) error { _, err := store.Get(ctx, "abc"); return err },
		"TryLock": func(ctx context.Context) error { _, err := store.TryLock(ctx, "abc", "t", time.Second); return err },
		"Put": func(ctx context.Context) error {
			_, err := store.Put(ctx, "abc", "t", redisTestRecord("r1"), time.Second)
			return err
		},
		"Ping": store.Ping,
	} {
		ctx, cancel := context.WithTimeout(context.Background(), deadline)
		began := time.Now()
		err := call(ctx)
		elapsed := time.Since(began)
		cancel()

		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("%s on a paused server: err = %v, expected context.DeadlineExceeded", name, err)
		}
		// Loose bound: the point is that the call ends near its deadline, not after
		// go-redis's default timeouts of several seconds.
		if elapsed > deadline+time.Second {
			t.Errorf("%s on a paused server returned after %v, deadline %v", name, elapsed, deadline)
		}
	}
	if n := errorCount(store, opGet); n != 1 {
		t.Errorf("get errors = %v, expected 1", n)
	}
}

func TestRedisStoreReadTimeoutWithoutDeadline(t *testing.T) {
	srv := testredis.Start(t)
	store := newRedisTestStore(t, srv, RedisStoreOptions{})
	if err := store.Ping(redisTestContext(t)); err != nil {
		t.Fatal(err)
	}

	srv.Pause()
	defer srv.Resume()
	began := time.Now()
	_, err := store.Get(context.Background(), "abc")
	elapsed := time.Since(began)

	var netErr interface{ Timeout() bool }
	if !errors.As(err, &netErr) || !netErr.Timeout() {
		t.Errorf("Get on a paused server without deadline: err = %v, expected a timeout", err)
	}
	// The read timeout of 300 ms, with one retry, bounds the call.
	if elapsed > 3*time.Second {
		t.Errorf("Get on a paused server without deadline returned after %v", elapsed)
	}
}

func TestRedisStoreKillAndRestart(t *testing.T) {
	srv := testredis.Start(t)
	store := newRedisTestStore(t, srv, RedisStoreOptions{})
	ctx := redisTestContext(t)
	putLocked(t, store, "abc", "token-a", redisTestRecord("r1"))

	srv.Kill()
	if _, err := store.Get(ctx, "abc"); err == nil {
		t.Error("Get with Redis killed: no error")
	}
	if _, err := store.TryLock(ctx, "abc", "token-a", time.Second); err == nil {
		t.Error("TryLock with Redis killed: no error")
	}
	if err := store.Ping(ctx); err == nil {
		t.Error("Ping with Redis killed: no error")
	}
	if n := errorCount(store, opGet); n != 1 {
		t.Errorf("get errors = %v, expected 1", n)
	}
	if n := errorCount(store, opPing); n != 1 {
		t.Errorf("ping errors = %v, expected 1", n)
	}

	srv.Restart()
	if err := store.Ping(ctx); err != nil {
		t.Fatalf("Ping after Restart: %v", err)
	}
	if rec, err := store.Get(ctx, "abc"); rec != nil || err != nil {
		t.Errorf("Get after Restart with empty data = %v, %v, expected nil, nil", rec, err)
	}
	// The script cache is empty after the restart, so Put falls back from EVALSHA to EVAL.
	if gen := putLocked(t, store, "abc", "token-a", redisTestRecord("r2")); gen != 1 {
		t.Errorf("generation after Restart = %d, expected 1", gen)
	}
}

func TestRedisStoreForeignValues(t *testing.T) {
	srv := testredis.Start(t)
	store := newRedisTestStore(t, srv, RedisStoreOptions{})
	ctx := redisTestContext(t)
	raw := srv.Client()

	if err := raw.Set(ctx, store.Key("abc", kindSession), "not a hash", 0).Err(); err != nil {
		t.Fatal(err)
	}
	if rec, err := store.Get(ctx, "abc"); rec != nil || err != nil {
		t.Errorf("Get of a string value = %v, %v, expected nil, nil", rec, err)
	}
	if n := unreadableCount(store, recordSession, reasonWrongType); n != 1 {
		t.Errorf("unreadable wrong_type = %v, expected 1", n)
	}
	rec := redisTestRecord("r1")
	if gen := putLocked(t, store, "abc", "token-a", rec); gen != 1 {
		t.Errorf("Put over a string value returned generation %d, expected 1", gen)
	}
	got, err := store.Get(ctx, "abc")
	if err != nil {
		t.Fatal(err)
	}
	checkRecord(t, got, rec, 1)

	if err := raw.HSet(ctx, store.Key("def", kindSession), "gen", "1", "rid", "r1", "data", "{broken").Err(); err != nil {
		t.Fatal(err)
	}
	if rec, err := store.Get(ctx, "def"); rec != nil || err != nil {
		t.Errorf("Get of invalid JSON = %v, %v, expected nil, nil", rec, err)
	}
	if n := unreadableCount(store, recordSession, reasonMalformed); n != 1 {
		t.Errorf("unreadable malformed = %v, expected 1", n)
	}

	if err := raw.HSet(ctx, store.Key("xyz", kindBackoff), "f", "v").Err(); err != nil {
		t.Fatal(err)
	}
	if b, err := store.GetBackoff(ctx, "xyz"); b != nil || err != nil {
		t.Errorf("GetBackoff of a hash = %v, %v, expected nil, nil", b, err)
	}
	if err := raw.Set(ctx, store.Key("uvw", kindBackoff), "[1,2]", 0).Err(); err != nil {
		t.Fatal(err)
	}
	if b, err := store.GetBackoff(ctx, "uvw"); b != nil || err != nil {
		t.Errorf("GetBackoff of invalid JSON = %v, %v, expected nil, nil", b, err)
	}
	if n := unreadableCount(store, recordBackoff, reasonWrongType); n != 1 {
		t.Errorf("unreadable back-off wrong_type = %v, expected 1", n)
	}
	if n := unreadableCount(store, recordBackoff, reasonMalformed); n != 1 {
		t.Errorf("unreadable back-off malformed = %v, expected 1", n)
	}
}

// commandCounter is a go-redis hook that counts round trips: one per command, and
// one per pipeline.
type commandCounter struct{ n atomic.Int64 }

func (c *commandCounter) DialHook(next redis.DialHook) redis.DialHook { return next }

func (c *commandCounter) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		c.n.Add(1)
		return next(ctx, cmd)
	}
}

func (c *commandCounter) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		c.n.Add(1)
		return next(ctx, cmds)
	}
}

func TestRedisStoreRoundTrips(t *testing.T) {
	srv := testredis.Start(t)
	client := redis.NewClient(srv.Options())
	counter := &commandCounter{}
	client.AddHook(counter)
	store := NewRedisStore(client, RedisStoreOptions{})
	defer store.Close()
	ctx := redisTestContext(t)
	putLocked(t, store, "abc", "token-a", redisTestRecord("r1"))

	for name, call := range map[string]func() error{
		"Get":     func() error { _, err := store.Get(ctx, "abc"); return err },
		"TryLock": func() error { _, err := store.TryLock(ctx, "abc", "token-a", time.Minute); return err },
		"Put": func() error {
			_, err := store.Put(ctx, "abc", "token-a", redisTestRecord("r2"), time.Minute)
			return err
		},
		"Delete":     func() error { _, err := store.Delete(ctx, "abc", "r2"); return err },
		"GetBackoff": func() error { _, err := store.GetBackoff(ctx, "abc"); return err },
		"Unlock":     func() error { return store.Unlock(ctx, "abc", "token-a") },
	} {
		// The first run of a script may need EVAL after NOSCRIPT, so warm up once.
		_ = call()
		counter.n.Store(0)
		if err := call(); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if n := counter.n.Load(); n != 1 {
			t.Errorf("%s took %d round trips, expected 1", name, n)
		}
	}
}

func TestRedisStoreMetricsStartAtZero(t *testing.T) {
	store := NewRedisStore(redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"}), RedisStoreOptions{})
	defer store.Close()

	if n := testutil.CollectAndCount(store, "fortigate_redis_errors_total"); n != len(redisOperations) {
		t.Errorf("fortigate_redis_errors_total has %d series, expected %d", n, len(redisOperations))
	}
	if n := testutil.CollectAndCount(store, "fortigate_session_records_unreadable_total"); n != 8 {
		t.Errorf("fortigate_session_records_unreadable_total has %d series, expected 8", n)
	}
	expected := `
# HELP fortigate_redis_errors_total Redis commands of the session store that failed, by store operation.
# TYPE fortigate_redis_errors_total counter
fortigate_redis_errors_total{operation="clear_backoff"} 0
fortigate_redis_errors_total{operation="delete"} 0
fortigate_redis_errors_total{operation="get"} 0
fortigate_redis_errors_total{operation="get_backoff"} 0
fortigate_redis_errors_total{operation="lock"} 0
fortigate_redis_errors_total{operation="ping"} 0
fortigate_redis_errors_total{operation="put"} 0
fortigate_redis_errors_total{operation="put_if_absent"} 0
fortigate_redis_errors_total{operation="refresh_lock"} 0
fortigate_redis_errors_total{operation="set_backoff"} 0
fortigate_redis_errors_total{operation="unlock"} 0
`
	if err := testutil.CollectAndCompare(store, strings.NewReader(expected), "fortigate_redis_errors_total"); err != nil {
		t.Error(err)
	}
}

func TestRedisStoreUnreadableLogged(t *testing.T) {
	srv := testredis.Start(t)
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	store := newRedisTestStore(t, srv, RedisStoreOptions{Logger: logger})
	ctx := redisTestContext(t)

	if err := srv.Client().Set(ctx, store.Key("abc", kindSession), "x", 0).Err(); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, err := store.Get(ctx, "abc"); err != nil {
			t.Fatal(err)
		}
	}
	if n := strings.Count(logs.String(), "unreadable"); n != 1 {
		t.Errorf("logged %d warnings for 3 unreadable reads within a minute, expected 1:\n%s", n, logs.String())
	}
	if !strings.Contains(logs.String(), "reason=wrong_type") {
		t.Errorf("warning lacks the reason:\n%s", logs.String())
	}
	if n := unreadableCount(store, recordSession, reasonWrongType); n != 3 {
		t.Errorf("unreadable wrong_type = %v, expected 3", n)
	}
}

func TestRedisStoreTakesOverLockWithoutTTL(t *testing.T) {
	srv := testredis.Start(t)
	store := newRedisTestStore(t, srv, RedisStoreOptions{})
	ctx := redisTestContext(t)
	// A lock key without a TTL is not an exporter's and would block logins forever.
	if err := srv.Client().Set(ctx, store.Key("abc", kindLock), "foreign", 0).Err(); err != nil {
		t.Fatal(err)
	}
	held, err := store.TryLock(ctx, "abc", "mine", time.Minute)
	if err != nil || !held {
		t.Fatalf("TryLock over a lock without TTL = %v, %v; want held", held, err)
	}
	if ttl := srv.Client().PTTL(ctx, store.Key("abc", kindLock)).Val(); ttl <= 0 {
		t.Errorf("lock TTL after takeover = %v, want the new TTL", ttl)
	}
	// A lock of another replica, with its TTL, is still respected.
	if held, _ := store.TryLock(ctx, "abc", "other", time.Minute); held {
		t.Error("TryLock took a lock another token holds with a TTL")
	}
}

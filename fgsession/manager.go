package fgsession

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/sync/singleflight"
)

// Redis fallback modes (--redis.fallback).
const (
	// FallbackLocal keeps scraping with a per-process session while Redis is
	// unreachable and writes it back when Redis returns.
	FallbackLocal = "local"
	// FallbackFail fails scrapes while Redis is unreachable, for sites that must
	// never hold more than one admin session.
	FallbackFail = "fail"
)

// ManagerOptions configures a Manager. Zero values take the defaults named.
type ManagerOptions struct {
	// Store is the shared store; nil means a MemoryStore (one replica, no Redis).
	Store Store
	// ReplicaID names this process in records and /session; default hostname-pid.
	ReplicaID string
	// Fallback is FallbackLocal (default) or FallbackFail.
	Fallback string
	// LockTTL bounds how long a crashed lock holder delays the others; the
	// holder renews the lock every LockTTL/3 while its login runs. Default 5s.
	LockTTL time.Duration
	// LoginBackoff is the first back-off after a rejected login, doubled per
	// further rejection up to LoginBackoffMax. Defaults 60s (FortiOS's default
	// admin-lockout-duration) and 15m.
	LoginBackoff    time.Duration
	LoginBackoffMax time.Duration
	// LogoutGrace is how long a replaced session stays logged in, so replicas
	// that still hold it finish their requests. Default 30s.
	LogoutGrace time.Duration
	// StoreTimeout caps each store call, so a stalled Redis costs a scrape at
	// most this much per call. Default 500ms.
	StoreTimeout time.Duration
	// StoreRetry is how long the manager uses the local store after a failed
	// Redis call before it tries Redis again. Default 2s.
	StoreRetry time.Duration
	// Recheck is how long a record read from the store is reused without
	// reading it again. It must stay well under LogoutGrace. Default 1s.
	Recheck time.Duration
	Logger  *slog.Logger
}

// Manager hands out FortiOS sessions by the shared session protocol. This
// process makes one lookup per session id at a time, and only the holder of
// the store's lock logs in. Rejected logins start a back-off that every
// replica obeys, and a local store takes over while Redis is unreachable.
type Manager struct {
	opts    ManagerOptions
	store   Store
	local   *MemoryStore
	flights singleflight.Group
	metrics *managerMetrics
	logger  *slog.Logger
	now     func() time.Time

	mu             sync.Mutex
	sessions       map[string]*sessionState // by session id
	targets        map[string]*Target       // by target name
	storeDownUntil time.Time
	closed         bool
	logoutTimers   map[*time.Timer]pendingLogout
}

// pendingLogout is a replaced session waiting for its logout.
type pendingLogout struct {
	target *Target
	rec    *Record
}

// sessionState is this replica's state of one session id.
type sessionState struct {
	last      *Record   // the record this replica uses now
	checked   time.Time // when last was read from or written to the store
	method    string    // login method that worked, for login_method auto
	uses      int64     // requests this replica sent with last
	backoff   *Backoff  // last back-off seen
	rejected  string    // id of a record this replica saw rejected with 401
	lastStore string    // "redis", "memory" or "local_fallback"
	target    *Target   // the last target that asked for this session, for logout

	unreadableWarned time.Time // last warning that the shared record does not open here
}

// NewManager returns a Manager. Call Close on shutdown.
func NewManager(opts ManagerOptions) *Manager {
	if opts.LockTTL <= 0 {
		opts.LockTTL = 5 * time.Second
	}
	if opts.LoginBackoff <= 0 {
		opts.LoginBackoff = 60 * time.Second
	}
	if opts.LoginBackoffMax < opts.LoginBackoff {
		opts.LoginBackoffMax = max(15*time.Minute, opts.LoginBackoff)
	}
	if opts.LogoutGrace <= 0 {
		opts.LogoutGrace = 30 * time.Second
	}
	if opts.StoreTimeout <= 0 {
		opts.StoreTimeout = 500 * time.Millisecond
	}
	if opts.StoreRetry <= 0 {
		opts.StoreRetry = 2 * time.Second
	}
	if opts.Recheck <= 0 {
		opts.Recheck = time.Second
	}
	if opts.Fallback == "" {
		opts.Fallback = FallbackLocal
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	m := &Manager{
		opts:         opts,
		store:        opts.Store,
		local:        NewMemoryStore(),
		metrics:      newManagerMetrics(),
		logger:       opts.Logger,
		now:          time.Now,
		sessions:     map[string]*sessionState{},
		targets:      map[string]*Target{},
		logoutTimers: map[*time.Timer]pendingLogout{},
	}
	if m.store == nil {
		m.store = m.local
	}
	return m
}

// AddTarget makes the target's metrics exist with zero values before its
// first scrape. Targets are added again after a config reload; the last wins.
func (m *Manager) AddTarget(t *Target) {
	m.mu.Lock()
	m.targets[t.Name] = t
	m.mu.Unlock()
	m.metrics.initTarget(t.Name)
}

// RemoveTargetsExcept drops the metrics of every target not named in keep,
// after a reload removed or renamed them.
func (m *Manager) RemoveTargetsExcept(keep map[string]bool) {
	m.mu.Lock()
	var removed []string
	for name := range m.targets {
		if !keep[name] {
			delete(m.targets, name)
			removed = append(removed, name)
		}
	}
	m.mu.Unlock()
	for _, name := range removed {
		m.metrics.removeTarget(name)
	}
}

// shared reports whether the manager uses a store other replicas see.
func (m *Manager) shared() bool { return m.store != m.local }

// BackoffError is returned while a shared login back-off is active. No replica
// logs in until RetryAt.
type BackoffError struct {
	Target   string
	Reason   string
	Failures int
	RetryAt  time.Time
}

// FailureReason names the error in fortigate_scrape_failure_info.
func (e *BackoffError) FailureReason() string { return "login_backoff" }

func (e *BackoffError) Error() string {
	return fmt.Sprintf("target %q: login back-off after %d rejected login(s) (%s): no replica logs in before %s",
		e.Target, e.Failures, e.Reason, e.RetryAt.UTC().Format(time.RFC3339))
}

// ErrStoreUnavailable is returned with --redis.fallback=fail while Redis is unreachable.
var ErrStoreUnavailable error = &reasonError{
	msg:    "redis is unreachable and --redis.fallback=fail forbids a local session",
	reason: "session_store_unavailable",
}

// reasonError is a sentinel error with a fortigate_scrape_failure_info reason.
type reasonError struct{ msg, reason string }

func (e *reasonError) Error() string         { return e.msg }
func (e *reasonError) FailureReason() string { return e.reason }

// Session returns a usable session record for t, logging in only when no
// replica holds a valid one.
func (m *Manager) Session(ctx context.Context, t *Target) (*Record, error) {
	id := t.SessionID()
	if rec := m.cached(id, t); rec != nil {
		return rec, nil
	}
	ch := m.flights.DoChan(id, func() (any, error) {
		// The lookup outlives a caller that gives up, so that the others
		// sharing it still get a result, but never the first caller's deadline.
		flightCtx := context.WithoutCancel(ctx)
		if deadline, ok := ctx.Deadline(); ok {
			var cancel context.CancelFunc
			flightCtx, cancel = context.WithDeadline(flightCtx, deadline)
			defer cancel()
		}
		return m.acquire(flightCtx, t, id)
	})
	select {
	case <-ctx.Done():
		return nil, fmt.Errorf("target %q: waiting for a session: %w", t.Name, ctx.Err())
	case res := <-ch:
		if res.Err != nil {
			return nil, res.Err
		}
		return res.Val.(*Record), nil
	}
}

// cached returns the record this replica read from the store less than
// Recheck ago, if it is still usable.
func (m *Manager) cached(id string, t *Target) *Record {
	m.mu.Lock()
	defer m.mu.Unlock()
	st := m.state(id)
	st.target = t
	if st.last == nil || m.now().Sub(st.checked) >= m.opts.Recheck {
		return nil
	}
	if st.last.ID == st.rejected || !m.now().Before(st.last.ExpiresAt) {
		return nil
	}
	return st.last
}

func (m *Manager) state(id string) *sessionState {
	st := m.sessions[id]
	if st == nil {
		st = &sessionState{}
		m.sessions[id] = st
	}
	return st
}

// activeStore returns the store to use now: Redis, or the local store during
// an outage in local fallback mode.
func (m *Manager) activeStore() (Store, error) {
	if !m.shared() {
		return m.local, nil
	}
	m.mu.Lock()
	down := m.now().Before(m.storeDownUntil)
	m.mu.Unlock()
	if !down {
		return m.store, nil
	}
	if m.opts.Fallback == FallbackFail {
		return nil, ErrStoreUnavailable
	}
	return m.local, nil
}

// storeFailed records a failed Redis call and switches to the local store for
// StoreRetry. A call that failed because the scrape's own deadline ran out
// is not Redis's fault and changes nothing.
func (m *Manager) storeFailed(ctx context.Context, op string, err error) {
	if ctx.Err() != nil {
		return
	}
	m.metrics.redisUp.Set(0)
	m.mu.Lock()
	wasUp := !m.now().Before(m.storeDownUntil)
	m.storeDownUntil = m.now().Add(m.opts.StoreRetry)
	m.mu.Unlock()
	if wasUp && m.opts.Fallback == FallbackFail {
		m.logger.Warn("redis call failed; scrapes fail until Redis responds (--redis.fallback=fail)",
			"operation", op, "err", err)
	} else if wasUp {
		m.logger.Warn("redis call failed; using the local session store", "operation", op, "err", err)
	}
}

func (m *Manager) storeOK(s Store) {
	if s == m.store && m.shared() {
		m.metrics.redisUp.Set(1)
	}
}

// call runs one store operation under StoreTimeout and records its outcome.
// A Redis call also gets at most a third of the time left before ctx's
// deadline, so that after a stalled Redis call the local fallback still has
// time to serve the scrape.
func call[T any](m *Manager, ctx context.Context, s Store, op string, fn func(context.Context) (T, error)) (T, error) {
	timeout := m.opts.StoreTimeout
	if deadline, ok := ctx.Deadline(); ok && s != m.local {
		timeout = min(timeout, time.Until(deadline)/3)
	}
	opCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	v, err := fn(opCtx)
	if err != nil && !errors.Is(err, ErrLockLost) {
		if s == m.store && m.shared() {
			m.storeFailed(ctx, op, err)
		}
		return v, &storeError{op: op, err: err}
	}
	m.storeOK(s)
	return v, err
}

// acquire runs steps 2 to 4 of the protocol until it has a record, an error,
// or ctx ends.
func (m *Manager) acquire(ctx context.Context, t *Target, id string) (*Record, error) {
	var waitStart time.Time
	for {
		store, err := m.activeStore()
		if err != nil {
			return nil, fmt.Errorf("target %q: %w", t.Name, err)
		}
		rec, done, err := m.lookup(ctx, t, id, store)
		var storeErr *storeError
		if errors.As(err, &storeErr) && store == m.store && m.shared() && ctx.Err() == nil {
			if m.opts.Fallback == FallbackFail {
				return nil, fmt.Errorf("target %q: %w: %v", t.Name, ErrStoreUnavailable, err)
			}
			continue // storeFailed switched to the local store
		}
		if done || err != nil {
			if !waitStart.IsZero() {
				m.metrics.lockWait.Observe(m.now().Sub(waitStart).Seconds())
			}
			return rec, err
		}

		// Another replica holds the lock and logs in: wait for its record.
		if waitStart.IsZero() {
			waitStart = m.now()
		}
		if err := sleepCtx(ctx, jitter(50*time.Millisecond)); err != nil {
			m.metrics.lockWait.Observe(m.now().Sub(waitStart).Seconds())
			return nil, fmt.Errorf("target %q: waiting for another replica's login: %w", t.Name, err)
		}
	}
}

// storeError is a failed store call, as opposed to a login or FortiOS error.
type storeError struct {
	op  string
	err error
}

// FailureReason names the error in fortigate_scrape_failure_info.
func (e *storeError) FailureReason() string { return "session_store_unavailable" }

func (e *storeError) Error() string { return "session store " + e.op + ": " + e.err.Error() }
func (e *storeError) Unwrap() error { return e.err }

// lookup makes one pass over the protocol against store. done is false when
// another replica holds the lock and the caller should wait and retry.
func (m *Manager) lookup(ctx context.Context, t *Target, id string, store Store) (rec *Record, done bool, err error) {
	rec, err = call(m, ctx, store, "get", func(c context.Context) (*Record, error) { return store.Get(c, id) })
	if err != nil {
		return nil, false, err
	}
	if rec == nil && store != m.local {
		// Redis is back but empty (restarted or flushed): write back the
		// session this replica kept instead of logging in again.
		if kept, _ := m.local.Get(ctx, id); kept != nil && m.usable(id, kept) {
			ok, err := call(m, ctx, store, "put", func(c context.Context) (bool, error) {
				return store.PutIfAbsent(c, id, kept, m.recordTTL(kept))
			})
			if err != nil {
				return nil, false, err
			}
			if ok {
				m.logger.Info("wrote the kept session back to redis", "target", t.Name,
					"generation", kept.Generation)
				m.remember(id, kept, store)
				return kept, true, nil
			}
			// A record exists that Get did not return, because another
			// replica wrote it a moment ago or because this replica cannot
			// open it (another encryption key, a foreign value). Read it once
			// more. If it still does not open, keep using this replica's own
			// session unshared, since waiting for it would never end.
			rec, err = call(m, ctx, store, "get", func(c context.Context) (*Record, error) { return store.Get(c, id) })
			if err != nil {
				return nil, false, err
			}
			if rec == nil && m.now().Before(kept.ExpiresAt) {
				m.warnUnreadable(t, id)
				m.remember(id, kept, m.local)
				return kept, true, nil
			}
		}
	}
	if rec != nil && m.usable(id, rec) && m.now().Before(rec.ExpiresAt) {
		m.remember(id, rec, store)
		return rec, true, nil
	}

	backoff, err := call(m, ctx, store, "backoff", func(c context.Context) (*Backoff, error) {
		return store.GetBackoff(c, id)
	})
	if err != nil {
		return nil, false, err
	}
	if backoff != nil && backoff.RetryAt.After(m.now().Add(m.opts.LoginBackoffMax)) {
		// A back-off longer than the maximum is foreign, or from a replica
		// with a larger --session.login-backoff-max. It is shortened in the
		// store too, so that it ends instead of being capped anew each time.
		capped := *backoff
		capped.RetryAt = m.now().Add(m.opts.LoginBackoffMax)
		capped.Until = capped.RetryAt.Add(m.opts.LoginBackoffMax)
		backoff = &capped
		m.logger.Warn("shortened a login back-off longer than --session.login-backoff-max",
			"target", t.Name, "retry_at", capped.RetryAt)
		if _, err := call(m, ctx, store, "backoff", func(c context.Context) (struct{}, error) {
			return struct{}{}, store.SetBackoff(c, id, capped)
		}); err != nil {
			return nil, false, err
		}
	}
	m.noteBackoff(id, backoff)
	if backoff != nil && m.now().Before(backoff.RetryAt) {
		return nil, true, &BackoffError{Target: t.Name, Reason: backoff.Reason,
			Failures: backoff.Failures, RetryAt: backoff.RetryAt}
	}

	token := randomID()
	held, err := call(m, ctx, store, "lock", func(c context.Context) (bool, error) {
		return store.TryLock(c, id, token, m.opts.LockTTL)
	})
	if err != nil {
		return nil, false, err
	}
	if held {
		rec, err := m.loginHolding(ctx, t, id, store, token, backoff)
		return rec, true, err
	}
	if rec != nil && m.usable(id, rec) {
		// Rotation by another replica: the old session works until it is
		// logged out after the grace period.
		m.remember(id, rec, store)
		return rec, true, nil
	}
	return nil, false, nil
}

// usable reports whether rec is one this replica may still send: not rejected
// with 401 here and not past its store lifetime.
func (m *Manager) usable(id string, rec *Record) bool {
	m.mu.Lock()
	rejected := m.state(id).rejected
	m.mu.Unlock()
	return rec.ID != rejected && m.now().Before(rec.ExpiresAt.Add(m.opts.LogoutGrace))
}

// recordTTL is how long a store keeps rec: its rotation age plus the grace
// during which replicas may still use it after a rotation.
func (m *Manager) recordTTL(rec *Record) time.Duration {
	return max(rec.ExpiresAt.Add(m.opts.LogoutGrace).Sub(m.now()), time.Second)
}

func (m *Manager) remember(id string, rec *Record, from Store) {
	m.mu.Lock()
	st := m.state(id)
	if st.last == nil || st.last.ID != rec.ID {
		st.uses = 0
	}
	st.last = rec
	st.checked = m.now()
	st.backoff = nil
	if rec.Method == MethodAPI || rec.Method == MethodLogincheck {
		// login_method auto starts with what worked for whichever replica logged in.
		st.method = rec.Method
	}
	switch {
	case !m.shared():
		st.lastStore = "memory"
	case from == m.local:
		st.lastStore = "local_fallback"
	default:
		st.lastStore = "redis"
	}
	m.mu.Unlock()
	if from != m.local {
		m.local.seed(id, rec, m.recordTTL(rec))
	}
}

// warnUnreadable logs, at most once a minute per session, that this replica
// uses its own session because the shared record does not open here.
func (m *Manager) warnUnreadable(t *Target, id string) {
	m.mu.Lock()
	st := m.state(id)
	due := m.now().Sub(st.unreadableWarned) >= time.Minute
	if due {
		st.unreadableWarned = m.now()
	}
	m.mu.Unlock()
	if due {
		m.logger.Warn("the shared session record does not open on this replica; using this replica's own "+
			"session without sharing it (check that every replica has the same --redis.encryption-key-file)",
			"target", t.Name)
	}
}

func (m *Manager) noteBackoff(id string, b *Backoff) {
	m.mu.Lock()
	m.state(id).backoff = b
	m.mu.Unlock()
}

// loginHolding logs in while holding the lock of id (token), stores the new
// record and releases the lock.
func (m *Manager) loginHolding(ctx context.Context, t *Target, id string, store Store, token string, backoff *Backoff) (*Record, error) {
	defer func() {
		unlockCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), m.opts.StoreTimeout)
		defer cancel()
		if err := store.Unlock(unlockCtx, id, token); err != nil {
			m.logger.Warn("releasing the login lock failed; it expires by itself", "target", t.Name,
				"lock_ttl", m.opts.LockTTL, "err", err)
		}
	}()

	// Another replica may have stored a record between our read and our lock.
	old, err := call(m, ctx, store, "get", func(c context.Context) (*Record, error) { return store.Get(c, id) })
	if err != nil {
		return nil, err
	}
	if old != nil && m.usable(id, old) && m.now().Before(old.ExpiresAt) {
		m.remember(id, old, store)
		return old, nil
	}
	// The holder before us may have been rejected and written a back-off
	// between our read of it and our lock.
	fresh, err := call(m, ctx, store, "backoff", func(c context.Context) (*Backoff, error) {
		return store.GetBackoff(c, id)
	})
	if err != nil {
		return nil, err
	}
	if fresh != nil {
		backoff = fresh
		m.noteBackoff(id, fresh)
		if m.now().Before(fresh.RetryAt) {
			return nil, &BackoffError{Target: t.Name, Reason: fresh.Reason,
				Failures: fresh.Failures, RetryAt: fresh.RetryAt}
		}
	}

	stopRenew := m.renewLock(ctx, t, id, store, token)
	rec, err := m.login(ctx, t, id)
	stopRenew()
	if err != nil {
		var loginErr *LoginError
		if errors.As(err, &loginErr) {
			m.startBackoff(ctx, t, id, store, loginErr, backoff)
		} else {
			m.logger.Warn("login failed with a transient error; no back-off", "target", t.Name, "err", err)
		}
		return nil, err
	}

	now := m.now()
	rec.ID = randomID()
	rec.CreatedAt = now
	rec.ExpiresAt = now.Add(m.ttl(t))
	rec.Owner = m.replicaID()
	_, err = call(m, ctx, store, "put", func(c context.Context) (int64, error) {
		return store.Put(c, id, token, rec, m.recordTTL(rec))
	})
	switch {
	case errors.Is(err, ErrLockLost):
		// Our lock expired during a slow login and another replica may log in
		// too. Use this session for now; it is not shared, so log it out later.
		m.logger.Warn("login lock expired during the login; the new session is not shared",
			"target", t.Name, "lock_ttl", m.opts.LockTTL)
		m.logoutLater(t, rec)
	case err != nil && m.opts.Fallback == FallbackFail:
		m.logoutNow(t, rec)
		return nil, fmt.Errorf("target %q: storing the new session: %w: %v", t.Name, ErrStoreUnavailable, err)
	case err != nil:
		// Redis failed between lock and store: keep the session locally and
		// write it back when Redis returns.
		m.local.seed(id, rec, m.recordTTL(rec))
		store = m.local
	}

	if backoff != nil {
		if _, err := call(m, ctx, store, "backoff", func(c context.Context) (struct{}, error) {
			return struct{}{}, store.ClearBackoff(c, id)
		}); err != nil {
			m.logger.Warn("clearing the login back-off failed", "target", t.Name, "err", err)
		}
	}
	m.countLogin(t, id, old)
	m.remember(id, rec, store)
	if old != nil && old.ID != rec.ID && old.Method != MethodToken {
		m.logoutLater(t, old)
	}
	m.logger.Info("logged in to FortiOS", "target", t.Name, "method", rec.Method,
		"generation", rec.Generation, "store", m.storeName(store))
	return rec, nil
}

func (m *Manager) storeName(s Store) string {
	switch {
	case !m.shared():
		return "memory"
	case s == m.local:
		return "local_fallback"
	default:
		return "redis"
	}
}

// countLogin updates the login counters. A login is a relogin when this
// replica used a session of the id before.
func (m *Manager) countLogin(t *Target, id string, old *Record) {
	m.metrics.logins.WithLabelValues(t.Name).Inc()
	m.mu.Lock()
	st := m.state(id)
	reason := ""
	switch {
	case old != nil && !m.now().Before(old.ExpiresAt):
		reason = ReloginRotation
	case st.last != nil && st.last.ID == st.rejected:
		reason = ReloginUnauthorized
	case st.last != nil:
		reason = ReloginMissing
	}
	m.mu.Unlock()
	if reason != "" {
		m.metrics.relogins.WithLabelValues(t.Name, reason).Inc()
	}
}

// login tries the target's login method; auto tries the method that worked
// last, then /api/v2/authentication, then /logincheck.
func (m *Manager) login(ctx context.Context, t *Target, id string) (*Record, error) {
	method := t.method()
	if method != MethodAuto {
		rec, err := login(ctx, t, method)
		if errors.Is(err, errMethodUnavailable) {
			return nil, &LoginError{Target: t.Name, Method: method, Reason: ReasonUnexpectedAnswer,
				Detail: "POST /api/v2/authentication answered 401 or 404, so this FortiOS release " +
					"lacks it (it arrived in 6.4.2); set login_method: logincheck or auto"}
		}
		return rec, err
	}

	order := []string{MethodAPI, MethodLogincheck}
	m.mu.Lock()
	if m.state(id).method == MethodLogincheck {
		order = []string{MethodLogincheck, MethodAPI}
	}
	m.mu.Unlock()
	var lastErr error
	for _, candidate := range order {
		rec, err := login(ctx, t, candidate)
		if err == nil {
			m.mu.Lock()
			m.state(id).method = candidate
			m.mu.Unlock()
			return rec, nil
		}
		if !errors.Is(err, errMethodUnavailable) {
			return nil, err
		}
		lastErr = err
	}
	return nil, &LoginError{Target: t.Name, Method: MethodAuto, Reason: ReasonUnexpectedAnswer,
		Detail: "neither /api/v2/authentication nor /logincheck accepted a login: " + lastErr.Error()}
}

// startBackoff writes the shared back-off record after a rejected login. The
// record outlives RetryAt by LoginBackoffMax so the failure count keeps
// growing across retries.
func (m *Manager) startBackoff(ctx context.Context, t *Target, id string, store Store, loginErr *LoginError, prev *Backoff) {
	m.metrics.loginFailures.WithLabelValues(t.Name, loginErr.Reason).Inc()
	failures := 1
	if prev != nil {
		failures = prev.Failures + 1
	}
	delay := m.opts.LoginBackoff
	for i := 1; i < failures && delay < m.opts.LoginBackoffMax; i++ {
		delay *= 2
	}
	delay = min(delay, m.opts.LoginBackoffMax)
	now := m.now()
	b := Backoff{Failures: failures, Reason: loginErr.Reason, RetryAt: now.Add(delay),
		Until: now.Add(delay + m.opts.LoginBackoffMax)}
	if _, err := call(m, ctx, store, "backoff", func(c context.Context) (struct{}, error) {
		return struct{}{}, store.SetBackoff(c, id, b)
	}); err != nil {
		m.logger.Warn("storing the login back-off failed", "target", t.Name, "err", err)
		if store != m.local {
			m.local.SetBackoff(ctx, id, b)
		}
	}
	m.noteBackoff(id, &b)
	m.logger.Error("FortiOS rejected the login; backing off", "target", t.Name,
		"method", loginErr.Method, "reason", loginErr.Reason, "failures", failures,
		"retry_in", delay, "err", loginErr)
}

// renewLock extends the lock every LockTTL/3 until the returned func is called.
func (m *Manager) renewLock(ctx context.Context, t *Target, id string, store Store, token string) func() {
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		ticker := time.NewTicker(m.opts.LockTTL / 3)
		defer ticker.Stop()
		for {
			select {
			case <-stop:
				return
			case <-ctx.Done():
				return
			case <-ticker.C:
				held, err := call(m, ctx, store, "lock", func(c context.Context) (bool, error) {
					return store.RefreshLock(c, id, token, m.opts.LockTTL)
				})
				if err != nil || !held {
					m.logger.Warn("renewing the login lock failed", "target", t.Name, "held", held, "err", err)
				}
			}
		}
	}()
	return func() { close(stop); <-done }
}

// Invalidate handles a 401 for rec: it deletes the shared record only if it is
// still rec (compare-and-delete on the record id), so N replicas seeing the
// same 401 cause one new login.
func (m *Manager) Invalidate(ctx context.Context, t *Target, rec *Record) {
	id := t.SessionID()
	m.mu.Lock()
	st := m.state(id)
	st.rejected = rec.ID
	m.mu.Unlock()
	m.local.Delete(ctx, id, rec.ID)
	store, err := m.activeStore()
	if err != nil || store == m.local {
		return
	}
	deleted, err := call(m, ctx, store, "delete", func(c context.Context) (bool, error) {
		return store.Delete(c, id, rec.ID)
	})
	if err == nil && deleted {
		m.logger.Info("FortiOS rejected the shared session; deleted it", "target", t.Name,
			"generation", rec.Generation)
	}
}

func (m *Manager) noteUse(t *Target, rec *Record) {
	m.mu.Lock()
	if st := m.sessions[t.SessionID()]; st != nil && st.last != nil && st.last.ID == rec.ID {
		st.uses++
	}
	m.mu.Unlock()
}

func (m *Manager) ttl(t *Target) time.Duration {
	if t.TTL > 0 {
		return t.TTL
	}
	return 30 * time.Minute
}

func (m *Manager) replicaID() string { return m.opts.ReplicaID }

// logoutLater logs rec out after LogoutGrace, unless the manager closes first.
func (m *Manager) logoutLater(t *Target, rec *Record) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return
	}
	var timer *time.Timer
	timer = time.AfterFunc(m.opts.LogoutGrace, func() {
		m.mu.Lock()
		delete(m.logoutTimers, timer)
		m.mu.Unlock()
		m.logoutNow(t, rec)
	})
	m.logoutTimers[timer] = pendingLogout{target: t, rec: rec}
}

func (m *Manager) logoutNow(t *Target, rec *Record) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := logout(ctx, t, rec); err != nil {
		m.logger.Warn("logging out a replaced session failed; FortiOS ends it at its idle timeout",
			"target", t.Name, "generation", rec.Generation, "err", err)
		return
	}
	m.logger.Info("logged out a replaced session", "target", t.Name, "generation", rec.Generation)
}

// Close logs out at once the replaced sessions still waiting for their
// grace period, since no replica shares them any more. With the memory store
// it also logs out every session; a shared session is never logged out at
// shutdown.
func (m *Manager) Close(ctx context.Context) {
	m.mu.Lock()
	m.closed = true
	var pending []pendingLogout
	for timer, p := range m.logoutTimers {
		if timer.Stop() {
			pending = append(pending, p)
		}
	}
	m.logoutTimers = map[*time.Timer]pendingLogout{}
	targets := map[string]*Target{}
	for id, st := range m.sessions {
		if st.target != nil {
			targets[id] = st.target
		}
	}
	m.mu.Unlock()
	for _, p := range pending {
		if err := logout(ctx, p.target, p.rec); err != nil {
			m.logger.Warn("logout of a replaced session at shutdown failed", "target", p.target.Name, "err", err)
		}
	}
	if m.shared() {
		return
	}
	for id, rec := range m.local.all() {
		t := targets[id]
		if t == nil || rec.Method == MethodToken {
			continue
		}
		if err := logout(ctx, t, &rec); err != nil {
			m.logger.Warn("logout at shutdown failed", "target", t.Name, "err", err)
			continue
		}
		m.logger.Info("logged out at shutdown", "target", t.Name)
	}
}

func jitter(base time.Duration) time.Duration {
	return base/2 + rand.N(base)
}

// Describe and Collect make the Manager a prometheus.Collector for the
// session metrics of /metrics.
func (m *Manager) Describe(ch chan<- *prometheus.Desc) {
	m.metrics.logins.Describe(ch)
	m.metrics.relogins.Describe(ch)
	m.metrics.loginFailures.Describe(ch)
	m.metrics.lockWait.Describe(ch)
	m.metrics.redisUp.Describe(ch)
	ch <- m.metrics.age
	ch <- m.metrics.backoff
}

func (m *Manager) Collect(ch chan<- prometheus.Metric) {
	m.metrics.logins.Collect(ch)
	m.metrics.relogins.Collect(ch)
	m.metrics.loginFailures.Collect(ch)
	m.metrics.lockWait.Collect(ch)
	m.metrics.redisUp.Collect(ch)

	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	for name, t := range m.targets {
		st := m.sessions[t.SessionID()]
		age, backoff := 0.0, 0.0
		if st != nil && st.last != nil && now.Before(st.last.ExpiresAt.Add(m.opts.LogoutGrace)) {
			age = now.Sub(st.last.CreatedAt).Seconds()
		}
		if st != nil && st.backoff != nil && now.Before(st.backoff.RetryAt) {
			backoff = st.backoff.RetryAt.Sub(now).Seconds()
		}
		ch <- prometheus.MustNewConstMetric(m.metrics.age, prometheus.GaugeValue, age, name)
		ch <- prometheus.MustNewConstMetric(m.metrics.backoff, prometheus.GaugeValue, backoff, name)
	}
}

// CheckStore pings the shared store and sets fortigate_redis_up, so the
// gauge is right before the first scrape.
func (m *Manager) CheckStore(ctx context.Context) error {
	if !m.shared() {
		return nil
	}
	_, err := call(m, ctx, m.store, "ping", func(c context.Context) (struct{}, error) {
		return struct{}{}, m.store.Ping(c)
	})
	return err
}

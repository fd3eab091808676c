package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/fortigate-session-exporter/fortigate_session_exporter/internal/testredis"
)

// Failure tests of the login step of the shared session protocol: rejected
// logins, a lock holder that dies, and many replicas that start at once.

func TestWrongPasswordBacksOff(t *testing.T) {
	const (
		backoff  = 3 * time.Second
		duration = 15 * time.Second
		interval = 500 * time.Millisecond
		// maxBackoff is the back-off after a third rejection: 3 s doubled twice.
		maxBackoff = 4 * backoff
	)
	redis := testredis.Start(t)
	// Three failures within 6 s lock the admin out. With a 3 s back-off that
	// doubles, rejected logins come at about 0 s, 3 s and 9 s, never three
	// within one window.
	s := startSim(t, "--lockout-threshold=3", "--lockout-duration=6s")
	targets := writeTargetsWithPassword(t, s, "Wr0ng-"+s.Password, "")
	exporters := startExporters(t, 10, []string{"--config.file=" + targets,
		"--redis.addr=" + redis.Addr(), "--session.login-backoff=" + backoff.String()})

	var tally roundTally
	start := time.Now()
	for round := 1; time.Since(start) < duration; round++ {
		results := scrapeRound(exporters, probePath, 10*time.Second, 1)
		tally.expectUp(results, 0)
		tally.expectWithin(results, time.Second)
		if round == 1 {
			// Every replica saw the first rejection or the back-off it wrote.
			for _, e := range exporters {
				left := metric(t, e, "fortigate_session_login_backoff_seconds", "target=fw")
				if left <= 0 || left > backoff.Seconds() {
					t.Errorf("%s: after the first rejection, fortigate_session_login_backoff_seconds = %v, "+
						"want more than 0 and at most %v", e.name, left, backoff.Seconds())
				}
			}
		}
		time.Sleep(time.Until(start.Add(time.Duration(round) * interval)))
	}
	tally.report(t, "scrapes with a wrong password")

	stats := s.Stats(t)
	t.Logf("simulator: %d failed logins, %d lockouts over %d scrapes", stats.FailedLogins, stats.Lockouts, tally.scrapes)
	if stats.FailedLogins > 3 {
		t.Errorf("simulator counted %d failed logins in %v, want at most 3", stats.FailedLogins, duration)
	}
	if stats.FailedLogins < 2 {
		t.Errorf("simulator counted %d failed logins in %v, want 2 or 3 (a retry after each back-off)",
			stats.FailedLogins, duration)
	}
	if stats.Lockouts != 0 {
		t.Errorf("simulator counted %d lockouts, want 0", stats.Lockouts)
	}
	if stats.Logins != 0 {
		t.Errorf("simulator counted %d logins with a wrong password, want 0", stats.Logins)
	}

	failures := sumMetric(t, exporters, "fortigate_session_login_failures_total",
		"reason=bad_credentials,target=fw")
	if int(failures) != stats.FailedLogins {
		t.Errorf("fortigate_session_login_failures_total{reason=bad_credentials} summed over replicas = %v, "+
			"want %d, the simulator's failed logins", failures, stats.FailedLogins)
	}
	for _, e := range exporters {
		left := metric(t, e, "fortigate_session_login_backoff_seconds", "target=fw")
		if left <= 0 || left > maxBackoff.Seconds() {
			t.Errorf("%s: fortigate_session_login_backoff_seconds = %v, want more than 0 and at most %v",
				e.name, left, maxBackoff.Seconds())
		}
	}
}

func TestLockHolderKilledDuringLogin(t *testing.T) {
	const lockTTL = 2 * time.Second
	redis := testredis.Start(t)
	s := startSim(t)
	targets := writeTargets(t, s, "")
	exporters := startExporters(t, 3, []string{"--config.file=" + targets,
		"--redis.addr=" + redis.Addr(), "--session.lock-ttl=" + lockTTL.String()})
	holder, others := exporters[0], exporters[1:]

	// The holder's login hangs on the simulator until the holder dies.
	s.SetFaults(t, map[string]any{"/api/v2/authentication": map[string]string{"delay": "30s"}})
	holderDone := make(chan struct{})
	go func() {
		defer close(holderDone)
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		scrape(ctx, holder, probePath) // fails when the holder is killed
	}()
	defer func() { <-holderDone }()

	lockKey := redisKey(t, s, "", "lock")
	client := redis.Client()
	if !waitFor(5*time.Second, func() bool { return client.Exists(context.Background(), lockKey).Val() == 1 }) {
		t.Fatalf("the holder did not take the login lock %s within 5s", lockKey)
	}
	if !waitFor(5*time.Second, func() bool { return s.Stats(t).Requests > 0 }) {
		t.Fatal("the holder's login request did not reach the simulator within 5s")
	}
	if ttl := client.PTTL(context.Background(), lockKey).Val(); ttl <= 0 || ttl > lockTTL {
		t.Errorf("login lock has a TTL of %v, want more than 0 and at most --session.lock-ttl %v", ttl, lockTTL)
	}

	holder.Kill()
	s.ClearFaults(t)
	results := scrapeRound(others, probePath, 10*time.Second, 1)

	limit := lockTTL + time.Second
	for _, r := range results {
		t.Logf("%s answered %v after the holder was killed", r.exporter.name, r.elapsed.Round(time.Millisecond))
	}
	var tally roundTally
	tally.expectUp(results, 1)
	tally.expectWithin(results, limit)
	tally.report(t, "scrapes after the lock holder was killed")
	if got := s.Stats(t).Logins; got != 1 {
		t.Errorf("simulator counted %d logins, want 1 (the holder's login never completed)", got)
	}
	if waits := sumMetric(t, others, "fortigate_session_lock_wait_seconds", ""); waits < 1 {
		t.Errorf("fortigate_session_lock_wait_seconds counts %v waits on the other replicas, want at least 1", waits)
	}
}

func TestColdStartTwentyReplicasOneLogin(t *testing.T) {
	redis := testredis.Start(t)
	s := startSim(t)
	targets := writeTargets(t, s, "")
	exporters := startExporters(t, 20, []string{"--config.file=" + targets, "--redis.addr=" + redis.Addr()})

	// Two scrapes per replica, so concurrent scrapes within one process meet too.
	results := scrapeRound(exporters, probePath, 10*time.Second, 2)

	var tally roundTally
	tally.expectUp(results, 1)
	tally.report(t, "first scrapes of 20 replicas")
	if got := s.Stats(t).Logins; got != 1 {
		t.Errorf("simulator counted %d logins after 20 replicas started together, want 1", got)
	}
	if got := sumMetric(t, exporters, "fortigate_session_logins_total", "target=fw"); got != 1 {
		t.Errorf("fortigate_session_logins_total summed over 20 replicas = %v, want 1", got)
	}
}

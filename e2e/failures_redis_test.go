package e2e

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fortigate-session-exporter/fortigate_session_exporter/internal/testredis"
)

// Failure tests of the Redis side of the shared session protocol: a killed,
// restarted and paused server, a Sentinel failover and a Cluster.

// expectRedisUp fails t for every exporter whose fortigate_redis_up is not want.
func expectRedisUp(t *testing.T, exporters []*exporter, want float64, when string) {
	t.Helper()
	for _, e := range exporters {
		if got := metric(t, e, "fortigate_redis_up", ""); got != want {
			t.Errorf("%s: %s: fortigate_redis_up = %v, want %v", e.name, when, got, want)
		}
	}
}

// warmUp scrapes every exporter once, so each has the shared session, and
// fails t unless all report fortigate_up 1 after one login.
func warmUp(t *testing.T, s *sim, exporters []*exporter) {
	t.Helper()
	var tally roundTally
	tally.expectUp(scrapeRound(exporters, probePath, 10*time.Second, 1), 1)
	tally.report(t, "warm-up scrapes")
	if got := s.Stats(t).Logins; got != 1 {
		t.Fatalf("simulator counted %d logins after the warm-up, want 1", got)
	}
}

func TestRedisKilledKeepsSession(t *testing.T) {
	redis := testredis.Start(t)
	s := startSim(t)
	targets := writeTargets(t, s, "")
	exporters := startExporters(t, 3, []string{"--config.file=" + targets, "--redis.addr=" + redis.Addr()})
	warmUp(t, s, exporters)

	redis.Kill()
	var down roundTally
	for round := 1; round <= 5; round++ {
		time.Sleep(recheckWait)
		down.expectUp(scrapeRound(exporters, probePath, 10*time.Second, 1), 1)
		expectRedisUp(t, exporters, 0, "Redis killed")
	}
	down.report(t, "scrapes while Redis is down")
	if got := s.Stats(t).Logins; got != 1 {
		t.Errorf("simulator counted %d logins after 5 rounds without Redis, want 1 (no new login)", got)
	}

	redis.Restart()
	var back roundTally
	for round := 1; round <= 3; round++ {
		time.Sleep(recheckWait)
		back.expectUp(scrapeRound(exporters, probePath, 10*time.Second, 1), 1)
	}
	back.report(t, "scrapes after Redis restarted empty")
	if got := s.Stats(t).Logins; got != 1 {
		t.Errorf("simulator counted %d logins after Redis restarted empty, want 1 "+
			"(the kept session is written back)", got)
	}
	key := redisKey(t, s, "", "session")
	if !redis.Client().HExists(context.Background(), key, "data").Val() {
		t.Errorf("restarted Redis has no session record at %s; no replica wrote the kept one back", key)
	}
	expectRedisUp(t, exporters, 1, "Redis restarted")
	wroteBack := 0
	for _, e := range exporters {
		if strings.Contains(e.Output(), "wrote the kept session back to redis") {
			wroteBack++
		}
	}
	if wroteBack == 0 {
		t.Error(`no replica logged "wrote the kept session back to redis"`)
	}
}

func TestRedisKilledFallbackFail(t *testing.T) {
	redis := testredis.Start(t)
	s := startSim(t)
	targets := writeTargets(t, s, "")
	exporters := startExporters(t, 3, []string{"--config.file=" + targets,
		"--redis.addr=" + redis.Addr(), "--redis.fallback=fail"})
	warmUp(t, s, exporters)

	redis.Kill()
	var tally roundTally
	for round := 1; round <= 5; round++ {
		time.Sleep(recheckWait)
		results := scrapeRound(exporters, probePath, 10*time.Second, 1)
		tally.expectUp(results, 0)
		tally.expectWithin(results, 2*time.Second)
	}
	tally.report(t, "scrapes without Redis and --redis.fallback=fail")
	expectRedisUp(t, exporters, 0, "Redis killed")
	stats := s.Stats(t)
	if stats.Logins != 1 {
		t.Errorf("simulator counted %d logins, want 1 (no login without Redis)", stats.Logins)
	}
	if stats.FailedLogins != 0 {
		t.Errorf("simulator counted %d failed logins, want 0", stats.FailedLogins)
	}
}

func TestRedisPausedScrapesMeetDeadline(t *testing.T) {
	const (
		scrapeTimeout = 3 * time.Second
		interval      = 500 * time.Millisecond
	)
	redis := testredis.Start(t)
	s := startSim(t)
	targets := writeTargets(t, s, "")
	exporters := startExporters(t, 2, []string{"--config.file=" + targets, "--redis.addr=" + redis.Addr()})
	warmUp(t, s, exporters)

	redis.Pause()
	paused := true
	defer func() {
		if paused {
			redis.Resume()
		}
	}()
	rounds := func(tally *roundTally, d time.Duration) {
		start := time.Now()
		for round := 1; time.Since(start) < d; round++ {
			for _, path := range []string{probePath, "/metrics"} {
				results := scrapeRound(exporters, path, scrapeTimeout, 1)
				tally.expectWithin(results, scrapeTimeout)
				if path == probePath {
					tally.expectUp(results, 1)
				}
			}
			time.Sleep(time.Until(start.Add(time.Duration(round) * interval)))
		}
	}

	var stalled roundTally
	rounds(&stalled, 5*time.Second)
	stalled.report(t, "scrapes while Redis is stopped with SIGSTOP")
	t.Logf("slowest answer while Redis was stopped: %v", stalled.slowest.Round(time.Millisecond))

	redis.Resume()
	paused = false
	var resumed roundTally
	rounds(&resumed, 2*time.Second)
	resumed.report(t, "scrapes after Redis resumed")
	if got := s.Stats(t).Logins; got != 1 {
		t.Errorf("simulator counted %d logins, want 1", got)
	}
}

func TestRedisPausedShortScrapeTimeout(t *testing.T) {
	// A 1 s Prometheus timeout leaves a 500 ms scrape deadline after the
	// default 500 ms offset, the same as the default --redis.timeout.
	const scrapeTimeout = time.Second
	redis := testredis.Start(t)
	s := startSim(t)
	targets := writeTargets(t, s, "")
	exporters := startExporters(t, 2, []string{"--config.file=" + targets, "--redis.addr=" + redis.Addr()})
	warmUp(t, s, exporters)

	redis.Pause()
	defer redis.Resume()
	var tally roundTally
	for round := 1; round <= 3; round++ {
		time.Sleep(recheckWait)
		results := scrapeRound(exporters, probePath, scrapeTimeout, 1)
		tally.expectWithin(results, scrapeTimeout)
		tally.expectUp(results, 1)
	}
	tally.report(t, "scrapes with a 1s timeout while Redis is stopped with SIGSTOP")
	if got := s.Stats(t).Logins; got != 1 {
		t.Errorf("simulator counted %d logins, want 1", got)
	}
}

func TestSentinelFailoverDuringScrapes(t *testing.T) {
	sentinel := testredis.StartSentinel(t)
	s := startSim(t)
	targets := writeTargets(t, s, "")
	args := []string{"--config.file=" + targets, "--redis.sentinel-master=" + sentinel.MasterName()}
	for _, addr := range sentinel.SentinelAddrs() {
		args = append(args, "--redis.addr="+addr)
	}
	exporters := startExporters(t, 3, args)
	warmUp(t, s, exporters)

	// Scrape every 300 ms from before the failover until 3 s after it.
	var (
		mu    sync.Mutex
		tally roundTally
		wg    sync.WaitGroup
	)
	stop := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			results := scrapeRound(exporters, probePath, 10*time.Second, 1)
			mu.Lock()
			tally.expectUp(results, 1)
			mu.Unlock()
			select {
			case <-stop:
				return
			case <-time.After(300 * time.Millisecond):
			}
		}
	}()
	time.Sleep(time.Second)
	newMaster := sentinel.Failover()
	time.Sleep(3 * time.Second)
	close(stop)
	wg.Wait()

	tally.report(t, "scrapes during a Sentinel failover")
	logins := s.Stats(t).Logins
	t.Logf("%d scrapes around the failover to %s, %d logins", tally.scrapes, newMaster, logins)
	if logins > 2 {
		t.Errorf("simulator counted %d logins across the failover, want at most 2 (one extra)", logins)
	}
	key := redisKey(t, s, "", "session")
	for _, server := range sentinel.Servers() {
		if server.Addr() != newMaster {
			continue
		}
		if !server.Client().HExists(context.Background(), key, "data").Val() {
			t.Errorf("new master %s has no session record at %s", newMaster, key)
		}
	}
	expectRedisUp(t, exporters, 1, "after the failover")
}

func TestClusterSharesOneLogin(t *testing.T) {
	cluster := testredis.StartCluster(t)
	s := startSim(t)
	targets := writeTargets(t, s, "")
	args := []string{"--config.file=" + targets, "--redis.cluster"}
	for _, addr := range cluster.Addrs() {
		args = append(args, "--redis.addr="+addr)
	}
	exporters := startExporters(t, 4, args)

	var tally roundTally
	tally.expectUp(scrapeRound(exporters, probePath, 10*time.Second, 3), 1)
	tally.report(t, "scrapes through a Redis Cluster")
	if got := s.Stats(t).Logins; got != 1 {
		t.Errorf("simulator counted %d logins for 4 replicas on a Cluster, want 1", got)
	}
	key := redisKey(t, s, "", "session")
	if !cluster.Client().HExists(context.Background(), key, "data").Val() {
		t.Errorf("cluster has no session record at %s", key)
	}

	// Every replica gets a 401 for the same session: compare-and-delete in
	// the session's slot lets only one of them log in again.
	s.ExpireSessions(t)
	var expired roundTally
	expired.expectUp(scrapeRound(exporters, probePath, 10*time.Second, 3), 1)
	expired.report(t, "scrapes through a Redis Cluster after the session expired")
	if got := s.Stats(t).Logins; got != 2 {
		t.Errorf("simulator counted %d logins after the session expired, want 2 (one new login)", got)
	}
	expectRedisUp(t, exporters, 1, "on a Cluster")
}

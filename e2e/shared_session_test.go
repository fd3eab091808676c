package e2e

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/fortigate-session-exporter/fortigate_session_exporter/internal/testredis"
)

// scrapeAll makes n concurrent /probe scrapes spread round-robin over the
// exporters and returns how many did not report fortigate_up 1, with the
// first error.
func scrapeAll(t *testing.T, exporters []*exporter, path string, n int) (int, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		failed   int
		firstErr error
	)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(e *exporter) {
			defer wg.Done()
			_, families, err := scrape(ctx, e, path)
			if err == nil {
				if up, ok := value(families, "fortigate_up", ""); !ok || up != 1 {
					err = fmt.Errorf("%s: fortigate_up is %v (present: %v)", e.name, up, ok)
				}
			}
			if err != nil {
				mu.Lock()
				failed++
				if firstErr == nil {
					firstErr = err
				}
				mu.Unlock()
			}
		}(exporters[i%len(exporters)])
	}
	wg.Wait()
	return failed, firstErr
}

func startReplicas(t *testing.T, n int, args []string) []*exporter {
	t.Helper()
	var out []*exporter
	for i := 0; i < n; i++ {
		out = append(out, startExporter(t, fmt.Sprintf("exporter-%d", i), args, nil))
	}
	return out
}

func TestFiveReplicasShareOneLogin(t *testing.T) {
	redis := testredis.Start(t)
	s := startSim(t)
	targets := writeTargets(t, s, "")
	args := []string{"--config.file=" + targets, "--redis.addr=" + redis.Addr()}
	exporters := startReplicas(t, 5, args)

	failed, err := scrapeAll(t, exporters, "/probe?target=fw", 100)
	if failed != 0 {
		t.Fatalf("%d of 100 scrapes failed; first: %v", failed, err)
	}
	if got := s.Stats(t).Logins; got != 1 {
		t.Errorf("simulator counted %d logins after 100 scrapes over 5 replicas, want 1", got)
	}

	s.ExpireSessions(t)
	failed, err = scrapeAll(t, exporters, "/probe?target=fw", 100)
	if failed != 0 {
		t.Fatalf("after expiring sessions, %d of 100 scrapes failed; first: %v", failed, err)
	}
	stats := s.Stats(t)
	if stats.Logins != 2 {
		t.Errorf("simulator counted %d logins after the sessions expired, want 2 (one new login)", stats.Logins)
	}
	if stats.FailedLogins != 0 {
		t.Errorf("simulator counted %d failed logins, want 0", stats.FailedLogins)
	}
}

func TestSingleReplicaWithoutRedis(t *testing.T) {
	s := startSim(t)
	env := []string{
		"FORTIGATE_HOST=" + s.URL,
		"FORTIGATE_USERNAME=admin",
		"FORTIGATE_PASSWORD=" + s.Password,
		"FORTIGATE_CA_FILE=" + s.CAFile,
	}
	e := startExporter(t, "exporter-env", nil, env)
	for i := 0; i < 5; i++ {
		_, families, err := scrape(context.Background(), e, "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		if up, ok := value(families, "fortigate_up", ""); !ok || up != 1 {
			t.Fatalf("scrape %d: fortigate_up = %v (present %v), want 1", i, up, ok)
		}
		if v, ok := value(families, "fortigate_redis_up", ""); !ok || v != 0 {
			t.Errorf("fortigate_redis_up = %v (present %v), want 0 without Redis", v, ok)
		}
	}
	if got := s.Stats(t).Logins; got != 1 {
		t.Errorf("simulator counted %d logins, want 1", got)
	}
	if got := s.Stats(t).ActiveSessions; got != 1 {
		t.Errorf("simulator has %d active sessions, want 1", got)
	}
	e.Stop()
	if got := s.Stats(t).ActiveSessions; got != 0 {
		t.Errorf("after shutdown with the memory store, simulator has %d active sessions, want 0 (logged out)", got)
	}
}

package e2e

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/fortigate-session-exporter/fortigate_session_exporter/fgsession"
)

// probePath is the multi-target scrape of the target "fw" that writeTargets
// configures.
const probePath = "/probe?target=fw"

// recheckWait is longer than the 1 s for which a replica reuses a record it
// read from the store without reading it again, so the next scrape after it
// calls the store.
const recheckWait = 1200 * time.Millisecond

// scrapeResult is the outcome of one scrape of a round.
type scrapeResult struct {
	exporter *exporter
	families map[string]*familyValues
	elapsed  time.Duration
	err      error
}

// up returns fortigate_up of the scrape, or -1 when the scrape failed or the
// series is missing.
func (r scrapeResult) up() float64 {
	if r.err != nil {
		return -1
	}
	v, ok := value(r.families, "fortigate_up", "")
	if !ok {
		return -1
	}
	return v
}

// scrapeRound sends copies concurrent scrapes of path to every exporter at
// once, each with timeout in X-Prometheus-Scrape-Timeout-Seconds, and returns
// when every scrape has a response. A scrape without a response within timeout
// plus 2 s is canceled and returns its context error.
func scrapeRound(exporters []*exporter, path string, timeout time.Duration, copies int) []scrapeResult {
	ctx, cancel := context.WithTimeout(context.Background(), timeout+2*time.Second)
	defer cancel()
	results := make([]scrapeResult, len(exporters)*copies)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range results {
		e := exporters[i%len(exporters)]
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			began := time.Now()
			_, families, err := scrapeWithTimeout(ctx, e, path, timeout)
			results[i] = scrapeResult{exporter: e, families: families, elapsed: time.Since(began), err: err}
		}()
	}
	close(start)
	wg.Wait()
	return results
}

// roundTally counts the scrapes of several rounds that missed an expectation
// and keeps the first miss as an example, so a loop of rounds reports one
// error per kind of miss instead of hundreds.
type roundTally struct {
	scrapes int
	slowest time.Duration
	misses  map[string]int
	example map[string]string
}

func (r *roundTally) miss(kind, format string, args ...any) {
	if r.misses == nil {
		r.misses, r.example = map[string]int{}, map[string]string{}
	}
	r.misses[kind]++
	if _, ok := r.example[kind]; !ok {
		r.example[kind] = fmt.Sprintf(format, args...)
	}
}

// expectUp counts the results whose fortigate_up is not want.
func (r *roundTally) expectUp(results []scrapeResult, want float64) {
	for _, res := range results {
		r.scrapes++
		switch {
		case res.err != nil:
			r.miss("scrape error", "%s: %v", res.exporter.name, res.err)
		case res.up() != want:
			r.miss(fmt.Sprintf("fortigate_up not %v", want), "%s: fortigate_up = %v",
				res.exporter.name, res.up())
		}
	}
}

// expectWithin counts the results that took limit or longer.
func (r *roundTally) expectWithin(results []scrapeResult, limit time.Duration) {
	for _, res := range results {
		r.slowest = max(r.slowest, res.elapsed)
		if res.elapsed >= limit {
			r.miss("slow answer", "%s answered after %v", res.exporter.name, res.elapsed.Round(time.Millisecond))
		}
	}
}

// report fails t once per kind of miss. description names the scrapes.
func (r *roundTally) report(t *testing.T, description string) {
	t.Helper()
	for kind, n := range r.misses {
		t.Errorf("%s: %d of %d scrapes had %s; first: %s", description, n, r.scrapes, kind, r.example[kind])
	}
}

// selfMetrics scrapes /metrics of e and fails t when that fails.
func selfMetrics(t *testing.T, e *exporter) map[string]*familyValues {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, families, err := scrape(ctx, e, "/metrics")
	if err != nil {
		t.Fatalf("%s: GET /metrics: %v", e.name, err)
	}
	return families
}

// metric returns one series of e's /metrics and fails t when it is missing.
// labels is the label set as value formats it, names sorted: "reason=x,target=fw".
func metric(t *testing.T, e *exporter, name, labels string) float64 {
	t.Helper()
	v, ok := value(selfMetrics(t, e), name, labels)
	if !ok {
		t.Fatalf("%s: /metrics has no series %s{%s}", e.name, name, labels)
	}
	return v
}

// sumMetric adds one series of /metrics over exporters.
func sumMetric(t *testing.T, exporters []*exporter, name, labels string) float64 {
	t.Helper()
	var sum float64
	for _, e := range exporters {
		sum += metric(t, e, name, labels)
	}
	return sum
}

// redisKey returns the Redis key of one kind ("session", "lock" or "backoff")
// under which the exporters keep the session of s's target "fw" for the admin
// user and group, with the default key prefix.
func redisKey(t *testing.T, s *sim, group, kind string) string {
	t.Helper()
	u, err := url.Parse(s.URL)
	if err != nil {
		t.Fatal(err)
	}
	target := &fgsession.Target{BaseURL: u, Username: "admin", SessionGroup: group}
	return fgsession.DefaultRedisKeyPrefix + "{" + target.SessionID() + "}:" + kind
}

// redisValues returns every string value and every hash field value stored
// in the database of client.
func redisValues(t *testing.T, client *redis.Client) []string {
	t.Helper()
	ctx := context.Background()
	keys, err := client.Keys(ctx, "*").Result()
	if err != nil {
		t.Fatalf("KEYS *: %v", err)
	}
	var values []string
	for _, key := range keys {
		switch client.Type(ctx, key).Val() {
		case "string":
			values = append(values, client.Get(ctx, key).Val())
		case "hash":
			for _, v := range client.HGetAll(ctx, key).Val() {
				values = append(values, v)
			}
		}
	}
	return values
}

// waitFor polls check every 50 ms until it returns true or timeout passes,
// and reports whether check returned true.
func waitFor(timeout time.Duration, check func() bool) bool {
	deadline := time.Now().Add(timeout)
	for {
		if check() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// writeKeyFile writes 32 random bytes, an AES-256 key for
// --redis.encryption-key-file, and returns the file's path.
func writeKeyFile(t *testing.T) string {
	t.Helper()
	key := make([]byte, fgsession.SealKeySize)
	rand.Read(key)
	path := filepath.Join(t.TempDir(), "seal.key")
	if err := os.WriteFile(path, key, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

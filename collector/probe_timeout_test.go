package collector

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

// waitForDeadline is a test collector that sends nothing until ctx is done.
var waitForDeadline = funcCollector(func(ctx context.Context, _ *Target, _ chan<- prometheus.Metric) error {
	<-ctx.Done()
	return ctx.Err()
})

func TestProbeCollectorTimeout(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	logger, logs := newTestLogger()
	regs := []*registration{testRegistration("a_slow", waitForDeadline), testRegistration("b_ok", succeed)}
	// One collector at a time, so b_ok runs only once a_slow gave up.
	opts := ProbeOptions{MaxParallel: 1, CollectorTimeout: 50 * time.Millisecond}
	probe := probeFor(ctx, &fakeAPI{}, regs, opts, logger)

	start := time.Now()
	want := `
		fortigate_scrape_collector_success{collector="a_slow"} 0
		fortigate_scrape_collector_success{collector="b_ok"} 1
		fortigate_test_value{key="ok"} 1
		fortigate_up 1
	`
	err := testutil.CollectAndCompare(probe, strings.NewReader(exposition(succeed, want)),
		"fortigate_up", "fortigate_scrape_collector_success", "fortigate_test_value")
	if err != nil {
		t.Fatal(err)
	}
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Errorf("scrape took %s, expected the slow collector to stop after 50ms", elapsed)
	}

	failure := logs.find(t, "collector failed")
	if failure == nil {
		t.Fatalf("no collector failed log line")
	}
	if msg, _ := failure["err"].(string); !strings.Contains(msg, "collector timed out after 50ms") {
		t.Errorf("failure log err %q, expected it to name the collector timeout", msg)
	}
}

func TestProbeScrapeDeadlineIsNotCollectorTimeout(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	logger, logs := newTestLogger()
	regs := []*registration{testRegistration("a_slow", waitForDeadline)}
	probe := probeFor(ctx, &fakeAPI{}, regs, ProbeOptions{CollectorTimeout: time.Minute}, logger)

	testutil.CollectAndCount(probe)
	failure := logs.find(t, "collector failed")
	if failure == nil {
		t.Fatalf("no collector failed log line")
	}
	if msg, _ := failure["err"].(string); strings.Contains(msg, "collector timed out") {
		t.Errorf("failure log err %q blames the collector timeout for the scrape deadline", msg)
	}
}

package collector

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/fortigate-session-exporter/fortigate_session_exporter/fgsession"
)

// testValueMetric is the metric that test collectors send.
var testValueMetric = newMetric(namespace+"_test_value", prometheus.GaugeValue, "", "test/endpoint",
	"Value sent by a test collector.", "key")

// funcCollector is a test collector whose Update is a function.
type funcCollector func(ctx context.Context, t *Target, ch chan<- prometheus.Metric) error

func (f funcCollector) Update(ctx context.Context, t *Target, ch chan<- prometheus.Metric) error {
	return f(ctx, t, ch)
}

func (f funcCollector) metrics() []*metric { return []*metric{testValueMetric} }

func testRegistration(name string, update funcCollector) *registration {
	return &registration{name: name, collector: update}
}

func sendValue(ch chan<- prometheus.Metric, key string, value float64) {
	ch <- prometheus.MustNewConstMetric(testValueMetric.desc, prometheus.GaugeValue, value, key)
}

var (
	succeed = funcCollector(func(_ context.Context, _ *Target, ch chan<- prometheus.Metric) error {
		sendValue(ch, "ok", 1)
		return nil
	})
	fail = funcCollector(func(context.Context, *Target, chan<- prometheus.Metric) error {
		return errors.New("decode test/endpoint reply: field results.x: got string, expected a number")
	})
	unsupported = funcCollector(func(context.Context, *Target, chan<- prometheus.Metric) error {
		return &fgsession.APIError{Target: "fw", Endpoint: "test/endpoint", StatusCode: 424}
	})
	panics = funcCollector(func(context.Context, *Target, chan<- prometheus.Metric) error {
		var m map[string]int
		m["boom"]++
		return nil
	})
)

// outcomeMetrics are the metric names whose values do not depend on timing.
var outcomeMetrics = []string{
	"fortigate_up", "fortigate_scrape_collector_success", "fortigate_scrape_collector_unsupported",
	"fortigate_test_value",
}

func newTestLogger() (*slog.Logger, *logBuffer) {
	logs := &logBuffer{}
	return slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})), logs
}

// probeFor returns a Probe of a fakeAPI target named fw that runs regs.
func probeFor(ctx context.Context, api *fakeAPI, regs []*registration, opts ProbeOptions,
	logger *slog.Logger,
) *Probe {
	target := &Target{Name: "fw", API: api}
	return &Probe{ctx: ctx, scraper: newScraperFor(target, regs, opts, logger)}
}

func TestProbeOutcomes(t *testing.T) {
	tests := []struct {
		name         string
		regs         []*registration
		want         string
		wantFailures map[string]float64
		wantLogError string
	}{
		{
			name: "one collector fails",
			regs: []*registration{testRegistration("a_ok", succeed), testRegistration("b_bad", fail)},
			want: `
				fortigate_scrape_collector_success{collector="a_ok"} 1
				fortigate_scrape_collector_success{collector="b_bad"} 0
				fortigate_scrape_collector_unsupported{collector="a_ok"} 0
				fortigate_scrape_collector_unsupported{collector="b_bad"} 0
				fortigate_test_value{key="ok"} 1
				fortigate_up 1
			`,
			wantFailures: map[string]float64{"b_bad": 1},
			wantLogError: "field results.x",
		},
		{
			name: "unsupported endpoint only",
			regs: []*registration{testRegistration("a_unsupported", unsupported)},
			want: `
				fortigate_scrape_collector_success{collector="a_unsupported"} 1
				fortigate_scrape_collector_unsupported{collector="a_unsupported"} 1
				fortigate_up 1
			`,
			wantFailures: map[string]float64{},
		},
		{
			name: "every collector fails",
			regs: []*registration{testRegistration("a_bad", fail), testRegistration("b_bad", fail)},
			want: `
				fortigate_scrape_collector_success{collector="a_bad"} 0
				fortigate_scrape_collector_success{collector="b_bad"} 0
				fortigate_scrape_collector_unsupported{collector="a_bad"} 0
				fortigate_scrape_collector_unsupported{collector="b_bad"} 0
				fortigate_up 0
			`,
			wantFailures: map[string]float64{"a_bad": 1, "b_bad": 1},
		},
		{
			name: "panic is recovered as a failure",
			regs: []*registration{testRegistration("a_panics", panics), testRegistration("b_ok", succeed)},
			want: `
				fortigate_scrape_collector_success{collector="a_panics"} 0
				fortigate_scrape_collector_success{collector="b_ok"} 1
				fortigate_scrape_collector_unsupported{collector="a_panics"} 0
				fortigate_scrape_collector_unsupported{collector="b_ok"} 0
				fortigate_test_value{key="ok"} 1
				fortigate_up 1
			`,
			wantFailures: map[string]float64{"a_panics": 1},
			wantLogError: "collector panicked: assignment to entry in nil map",
		},
		{
			name: "no collectors selected",
			want: `
				fortigate_up 1
			`,
			wantFailures: map[string]float64{},
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			logger, logs := newTestLogger()
			registry := prometheus.NewRegistry()
			opts := ProbeOptions{Metrics: NewExporterMetrics(registry)}
			probe := probeFor(context.Background(), &fakeAPI{}, tt.regs, opts, logger)

			err := testutil.CollectAndCompare(probe,
				strings.NewReader(exposition(funcCollector(nil), tt.want)), outcomeMetrics...)
			if err != nil {
				t.Fatal(err)
			}

			for name, want := range tt.wantFailures {
				got := testutil.ToFloat64(opts.Metrics.collectorFailures.WithLabelValues("fw", name))
				if got != want {
					t.Errorf("failures of %s = %v, want %v", name, got, want)
				}
			}
			if count := testutil.CollectAndCount(registry, collectorFailuresMetric.name); count != len(tt.wantFailures) {
				t.Errorf("failure series = %d, want %d", count, len(tt.wantFailures))
			}

			if tt.wantLogError == "" {
				return
			}
			record := logs.find(t, "collector failed")
			if record == nil {
				t.Fatalf("no \"collector failed\" log record in %v", logs.records(t))
			}
			if record["target"] != "fw" {
				t.Errorf("log target = %v, want fw", record["target"])
			}
			if name, _ := record["collector"].(string); name == "" {
				t.Errorf("log record has no collector key: %v", record)
			}
			if msg, _ := record["err"].(string); !strings.Contains(msg, tt.wantLogError) {
				t.Errorf("log err = %q, want it to contain %q", msg, tt.wantLogError)
			}
		})
	}
}

func TestProbeReadyFails(t *testing.T) {
	logger, logs := newTestLogger()
	var calls atomic.Int32
	counting := funcCollector(func(context.Context, *Target, chan<- prometheus.Metric) error {
		calls.Add(1)
		return nil
	})
	api := &fakeAPI{readyErr: errors.New("login back-off active for 42s")}
	probe := probeFor(context.Background(), api, []*registration{testRegistration("a", counting)},
		ProbeOptions{}, logger)

	want := exposition(funcCollector(nil), `fortigate_up 0`)
	if err := testutil.CollectAndCompare(probe, strings.NewReader(want), outcomeMetrics...); err != nil {
		t.Fatal(err)
	}
	if got := testutil.CollectAndCount(probe, "fortigate_scrape_duration_seconds"); got != 1 {
		t.Errorf("fortigate_scrape_duration_seconds series = %d, want 1", got)
	}
	if n := calls.Load(); n != 0 {
		t.Errorf("collector ran %d times after Ready failed", n)
	}
	if got := api.requestList(); len(got) != 0 {
		t.Errorf("requests after Ready failed: %q", got)
	}

	record := logs.find(t, "target not ready, no collector ran")
	if record == nil {
		t.Fatalf("no log record for the failed Ready in %v", logs.records(t))
	}
	if record["target"] != "fw" {
		t.Errorf("log target = %v, want fw", record["target"])
	}
	if record["err"] != "login back-off active for 42s" {
		t.Errorf("log err = %v, want the Ready error", record["err"])
	}
}

func TestProbeDuplicateSeries(t *testing.T) {
	twice := funcCollector(func(_ context.Context, _ *Target, ch chan<- prometheus.Metric) error {
		sendValue(ch, "same", 1)
		sendValue(ch, "same", 2)
		sendValue(ch, "other", 3)
		return nil
	})
	again := funcCollector(func(_ context.Context, _ *Target, ch chan<- prometheus.Metric) error {
		sendValue(ch, "other", 4)
		return nil
	})
	logger, logs := newTestLogger()
	registry := prometheus.NewRegistry()
	opts := ProbeOptions{Metrics: NewExporterMetrics(registry)}
	probe := probeFor(context.Background(), &fakeAPI{},
		[]*registration{testRegistration("a_twice", twice), testRegistration("b_again", again)},
		opts, logger)

	want := exposition(funcCollector(nil), `
		fortigate_scrape_collector_success{collector="a_twice"} 1
		fortigate_scrape_collector_success{collector="b_again"} 1
		fortigate_scrape_collector_unsupported{collector="a_twice"} 0
		fortigate_scrape_collector_unsupported{collector="b_again"} 0
		fortigate_test_value{key="other"} 3
		fortigate_test_value{key="same"} 1
		fortigate_up 1
	`)
	if err := testutil.CollectAndCompare(probe, strings.NewReader(want), outcomeMetrics...); err != nil {
		t.Fatal(err)
	}

	for collector, want := range map[string]float64{"a_twice": 1, "b_again": 1} {
		got := testutil.ToFloat64(opts.Metrics.duplicateSeries.WithLabelValues("fw", collector))
		if got != want {
			t.Errorf("duplicates of %s = %v, want %v", collector, got, want)
		}
	}
	record := logs.find(t, "dropped duplicate series")
	if record == nil {
		t.Fatalf("no duplicate warning in %v", logs.records(t))
	}
	if record["level"] != "WARN" || record["target"] != "fw" {
		t.Errorf("duplicate warning = %v, want level WARN and target fw", record)
	}
}

func TestProbeDeadline(t *testing.T) {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })

	honoursContext := funcCollector(func(ctx context.Context, _ *Target, _ chan<- prometheus.Metric) error {
		<-ctx.Done()
		return ctx.Err()
	})
	ignoresContext := funcCollector(func(_ context.Context, _ *Target, ch chan<- prometheus.Metric) error {
		<-release
		sendValue(ch, "late", 1)
		return nil
	})
	regs := []*registration{
		testRegistration("a_ok", succeed),
		testRegistration("b_honours", honoursContext),
		testRegistration("c_ignores", ignoresContext),
		testRegistration("d_queued", succeed),
	}

	logger, logs := newTestLogger()
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	// With two workers, d_queued waits behind the two blocked collectors and
	// never starts.
	probe := probeFor(ctx, &fakeAPI{}, regs, ProbeOptions{MaxParallel: 2}, logger)

	start := time.Now()
	want := exposition(funcCollector(nil), `
		fortigate_scrape_collector_success{collector="a_ok"} 1
		fortigate_scrape_collector_success{collector="b_honours"} 0
		fortigate_scrape_collector_success{collector="c_ignores"} 0
		fortigate_scrape_collector_success{collector="d_queued"} 0
		fortigate_scrape_collector_unsupported{collector="a_ok"} 0
		fortigate_scrape_collector_unsupported{collector="b_honours"} 0
		fortigate_scrape_collector_unsupported{collector="c_ignores"} 0
		fortigate_scrape_collector_unsupported{collector="d_queued"} 0
		fortigate_test_value{key="ok"} 1
		fortigate_up 1
	`)
	if err := testutil.CollectAndCompare(probe, strings.NewReader(want), outcomeMetrics...); err != nil {
		t.Fatal(err)
	}
	if elapsed := time.Since(start); elapsed > 2*time.Second {
		t.Fatalf("Collect took %v with a 200ms deadline", elapsed)
	}

	errs := map[string]string{}
	for _, r := range logs.records(t) {
		if r["msg"] == "collector failed" {
			errs[r["collector"].(string)] = r["err"].(string)
		}
	}
	for collector, want := range map[string]string{
		"b_honours": "context deadline exceeded",
		"c_ignores": "collector did not finish before the scrape deadline",
		// d_queued is reported as not started, or as not finished when the
		// deadline passes between its start check and the end of the wait.
		"d_queued": "before the scrape deadline",
	} {
		if !strings.Contains(errs[collector], want) {
			t.Errorf("logged error of %s = %q, want it to contain %q", collector, errs[collector], want)
		}
	}
}

func TestProbeMaxParallel(t *testing.T) {
	tests := []struct {
		name        string
		maxParallel int
		want        int32
	}{
		{name: "limit of two", maxParallel: 2, want: 2},
		{name: "default limit", maxParallel: 0, want: DefaultMaxParallel},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var running, peak atomic.Int32
			var mu sync.Mutex
			slow := funcCollector(func(context.Context, *Target, chan<- prometheus.Metric) error {
				now := running.Add(1)
				mu.Lock()
				if now > peak.Load() {
					peak.Store(now)
				}
				mu.Unlock()
				time.Sleep(20 * time.Millisecond)
				running.Add(-1)
				return nil
			})
			var regs []*registration
			for _, name := range []string{"a", "b", "c", "d", "e", "f", "g", "h"} {
				regs = append(regs, testRegistration(name, slow))
			}
			probe := probeFor(context.Background(), &fakeAPI{}, regs,
				ProbeOptions{MaxParallel: tt.maxParallel}, nil)

			testutil.CollectAndCount(probe)
			if got := peak.Load(); got > tt.want || got < 1 {
				t.Fatalf("peak of parallel collectors = %d, want between 1 and %d", got, tt.want)
			}
		})
	}
}

func TestProbeRegisteredCollectors(t *testing.T) {
	api := &fakeAPI{replies: map[string]reply{
		systemStatusEndpoint: {body: `{"results":{"hostname":"fw-a"},"serial":"S1","version":"v7.4.8","build":2795}`},
		haStatisticsEndpoint: {status: 424, body: `{"status":"error","http_status":424}`},
	}}
	probe, err := NewProbe(context.Background(), &Target{Name: "fw", API: api},
		[]string{"system_status", "system_ha_statistics", "system_interface"}, ProbeOptions{}, nil)
	if err != nil {
		t.Fatal(err)
	}

	want := exposition(funcCollector(nil), `
		fortigate_scrape_collector_success{collector="system_ha_statistics"} 1
		fortigate_scrape_collector_success{collector="system_interface"} 1
		fortigate_scrape_collector_success{collector="system_status"} 1
		fortigate_scrape_collector_unsupported{collector="system_ha_statistics"} 1
		fortigate_scrape_collector_unsupported{collector="system_interface"} 1
		fortigate_scrape_collector_unsupported{collector="system_status"} 0
		fortigate_up 1
	`)
	if err := testutil.CollectAndCompare(probe, strings.NewReader(want), outcomeMetrics...); err != nil {
		t.Fatal(err)
	}
	if api.readies != 1 {
		t.Errorf("Ready calls = %d, want 1", api.readies)
	}
}

func TestNewProbeRejectsUnknownCollector(t *testing.T) {
	_, err := NewProbe(context.Background(), &Target{Name: "fw", API: &fakeAPI{}},
		[]string{"system_status", "bogus"}, ProbeOptions{}, nil)
	if err == nil || !strings.Contains(err.Error(), `unknown collector "bogus"`) {
		t.Fatalf("NewProbe error = %v, want it to name the unknown collector", err)
	}
}

func TestNewProbeRejectsNilAPI(t *testing.T) {
	if _, err := NewProbe(context.Background(), &Target{Name: "fw"}, nil, ProbeOptions{}, nil); err == nil {
		t.Fatal("NewProbe accepted a target without an API")
	}
}

func TestTargetCollectorUsesDefaultTimeout(t *testing.T) {
	var deadline atomic.Value
	api := &deadlineAPI{fakeAPI: &fakeAPI{}, seen: &deadline}
	c, err := NewTargetCollector(&Target{Name: "default", API: api}, nil,
		ProbeOptions{DefaultTimeout: 3 * time.Second}, nil)
	if err != nil {
		t.Fatal(err)
	}

	start := time.Now()
	testutil.CollectAndCount(c)
	got, ok := deadline.Load().(time.Time)
	if !ok {
		t.Fatal("Ready got a context without deadline")
	}
	if d := got.Sub(start); d < 2*time.Second || d > 4*time.Second {
		t.Fatalf("deadline %v after Collect started, want about 3s", d)
	}
}

// deadlineAPI records the deadline of the context that Ready gets.
type deadlineAPI struct {
	*fakeAPI
	seen *atomic.Value
}

func (d *deadlineAPI) Ready(ctx context.Context) error {
	if deadline, ok := ctx.Deadline(); ok {
		d.seen.Store(deadline)
	}
	return d.fakeAPI.Ready(ctx)
}

func TestProbeMetricsLint(t *testing.T) {
	api := &fakeAPI{replies: map[string]reply{
		systemStatusEndpoint: {body: `{"results":{"hostname":"fw-a"},"serial":"S1","version":"v7.4.8","build":2795}`},
	}}
	probe, err := NewProbe(context.Background(), &Target{Name: "fw", API: api}, []string{"system_status"},
		ProbeOptions{}, nil)
	if err != nil {
		t.Fatal(err)
	}

	problems, err := testutil.CollectAndLint(probe)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("lint: %s: %s", p.Metric, p.Text)
	}
}

func TestExporterMetricsLint(t *testing.T) {
	registry := prometheus.NewRegistry()
	m := NewExporterMetrics(registry)
	m.duplicateSeries.WithLabelValues("fw", "system_status").Inc()
	m.collectorFailures.WithLabelValues("fw", "system_status").Inc()

	problems, err := testutil.GatherAndLint(registry)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("lint: %s: %s", p.Metric, p.Text)
	}
}

func TestProbeTargetOverrides(t *testing.T) {
	var running, peak atomic.Int32
	var mu sync.Mutex
	slow := funcCollector(func(ctx context.Context, _ *Target, _ chan<- prometheus.Metric) error {
		now := running.Add(1)
		mu.Lock()
		if now > peak.Load() {
			peak.Store(now)
		}
		mu.Unlock()
		defer running.Add(-1)
		select {
		case <-time.After(20 * time.Millisecond):
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
	var regs []*registration
	for _, name := range []string{"a", "b", "c", "d", "e", "f"} {
		regs = append(regs, testRegistration(name, slow))
	}

	// The target's MaxParallel of 1 wins over the options' 4.
	target := &Target{Name: "fw", API: &fakeAPI{}, MaxParallel: 1}
	probe := &Probe{ctx: context.Background(),
		scraper: newScraperFor(target, regs, ProbeOptions{MaxParallel: 4}, nil)}
	testutil.CollectAndCount(probe)
	if got := peak.Load(); got != 1 {
		t.Errorf("peak of parallel collectors = %d, want 1 from the target's MaxParallel", got)
	}

	// The target's Timeout cuts a scrape whose context has a later deadline.
	target = &Target{Name: "fw", API: &fakeAPI{}, Timeout: 30 * time.Millisecond, MaxParallel: 1}
	probe = &Probe{ctx: context.Background(),
		scraper: newScraperFor(target, regs, ProbeOptions{}, nil)}
	start := time.Now()
	testutil.CollectAndCount(probe)
	if elapsed := time.Since(start); elapsed > time.Second {
		t.Errorf("scrape took %v despite the target's 30ms timeout", elapsed)
	}
	if got := collectorSuccess(t, probe, "f"); got != 0 {
		t.Errorf("collector f success = %v, want 0 after the target's timeout", got)
	}
}

// collectorSuccess scrapes probe once and returns the value of
// fortigate_scrape_collector_success for the named collector.
func collectorSuccess(t *testing.T, probe *Probe, name string) float64 {
	t.Helper()
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(probe)
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range families {
		if mf.GetName() != "fortigate_scrape_collector_success" {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "collector" && l.GetValue() == name {
					return m.GetGauge().GetValue()
				}
			}
		}
	}
	t.Fatalf("no fortigate_scrape_collector_success for collector %q", name)
	return 0
}

func TestRepeatLogLimiter(t *testing.T) {
	l := &repeatLogLimiter{last: map[string]repeatLogEntry{}}
	start := time.Unix(1000, 0)
	if _, repeat := l.note("fw", "login_backoff", start); repeat {
		t.Fatal("first failure is a repeat, want it logged")
	}
	for i := 1; i <= 3; i++ {
		suppressed, repeat := l.note("fw", "login_backoff", start.Add(time.Duration(i)*time.Second))
		if !repeat || suppressed != i {
			t.Fatalf("repeat %d: (suppressed %d, repeat %v), want (%d, true)", i, suppressed, repeat, i)
		}
	}
	if _, repeat := l.note("fw", "unreachable", start.Add(5*time.Second)); repeat {
		t.Error("a new reason is a repeat, want it logged")
	}
	if _, repeat := l.note("other", "unreachable", start.Add(5*time.Second)); repeat {
		t.Error("another target's failure is a repeat, want it logged")
	}
	suppressed, repeat := l.note("fw", "unreachable", start.Add(70*time.Second))
	if repeat || suppressed != 0 {
		t.Errorf("after a minute: (suppressed %d, repeat %v), want (0, false)", suppressed, repeat)
	}
	l.clear("fw")
	if _, repeat := l.note("fw", "unreachable", start.Add(71*time.Second)); repeat {
		t.Error("failure after a success is a repeat, want it logged")
	}
}

func TestRepeatedCollectorFailureLogsOnce(t *testing.T) {
	failing := funcCollector(func(context.Context, *Target, chan<- prometheus.Metric) error {
		return errors.New("GET system/status: HTTP 403: permission denied")
	})
	logger, logs := newTestLogger()
	api := &fakeAPI{}
	for i := 0; i < 3; i++ {
		probe := probeFor(context.Background(), api, []*registration{testRegistration("denied", failing)},
			ProbeOptions{}, logger)
		testutil.CollectAndCount(probe)
	}
	levels := map[string]int{}
	for _, r := range logs.records(t) {
		if r["msg"] == "collector failed" {
			levels[r["level"].(string)]++
		}
	}
	if levels["ERROR"] != 1 {
		t.Errorf("collector failed logged %d times at error level over 3 scrapes, want 1", levels["ERROR"])
	}
	if levels["DEBUG"] != 2 {
		t.Errorf("collector failed logged %d times at debug level, want 2 repeats", levels["DEBUG"])
	}
}

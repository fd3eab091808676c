package collector

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

func TestScrapeTimeout(t *testing.T) {
	opts := ProbeOptions{}.withDefaults()
	tests := []struct {
		header string
		want   time.Duration
	}{
		{header: "", want: DefaultTimeout},
		{header: "5", want: 4500 * time.Millisecond},
		{header: " 10.5 ", want: 10 * time.Second},
		{header: "0.6", want: 300 * time.Millisecond},
		{header: "1", want: 500 * time.Millisecond},
		{header: "0", want: DefaultTimeout},
		{header: "-3", want: DefaultTimeout},
		{header: "abc", want: DefaultTimeout},
		{header: "NaN", want: DefaultTimeout},
		{header: "Inf", want: DefaultTimeout},
		{header: "1e300", want: DefaultTimeout},
		{header: "3601", want: DefaultTimeout},
	}

	for _, tt := range tests {
		t.Run(tt.header, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/probe?target=fw", nil)
			if tt.header != "" {
				r.Header.Set("X-Prometheus-Scrape-Timeout-Seconds", tt.header)
			}
			if got := scrapeTimeout(r, opts); got != tt.want {
				t.Fatalf("scrapeTimeout(%q) = %v, want %v", tt.header, got, tt.want)
			}
		})
	}
}

func TestScrapeTimeoutCustomOptions(t *testing.T) {
	opts := ProbeOptions{DefaultTimeout: 7 * time.Second, TimeoutOffset: time.Second}.withDefaults()
	r := httptest.NewRequest(http.MethodGet, "/probe?target=fw", nil)
	if got := scrapeTimeout(r, opts); got != 7*time.Second {
		t.Errorf("without header = %v, want 7s", got)
	}
	r.Header.Set("X-Prometheus-Scrape-Timeout-Seconds", "15")
	if got := scrapeTimeout(r, opts); got != 14*time.Second {
		t.Errorf("with header 15 = %v, want 14s", got)
	}
}

// lookupOf returns a TargetLookup with one target called name, and counts calls.
func lookupOf(name string, target *Target, collectors []string, calls *atomic.Int32) TargetLookup {
	return func(requested string) (*Target, []string, bool) {
		calls.Add(1)
		if requested != name {
			return nil, nil, false
		}
		return target, collectors, true
	}
}

func serve(t *testing.T, h http.Handler, url string, header http.Header) (int, string, http.Header) {
	t.Helper()
	r := httptest.NewRequest(http.MethodGet, url, nil)
	for k, v := range header {
		r.Header[k] = v
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	body, err := io.ReadAll(w.Result().Body)
	if err != nil {
		t.Fatal(err)
	}
	return w.Code, string(body), w.Result().Header
}

func TestProbeHandlerRejectsBadTarget(t *testing.T) {
	tests := []struct {
		name     string
		url      string
		wantBody string
	}{
		{name: "missing", url: "/probe", wantBody: "missing target parameter"},
		{name: "empty", url: "/probe?target=", wantBody: "missing target parameter"},
		{name: "unknown", url: "/probe?target=fw-x", wantBody: `unknown target "fw-x": no target of that name is configured`},
		{
			name:     "long unknown name is cut",
			url:      "/probe?target=" + strings.Repeat("a", 500),
			wantBody: `unknown target "` + strings.Repeat("a", 64) + `"...`,
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := &fakeAPI{}
			var calls atomic.Int32
			h := ProbeHandler(lookupOf("fw", &Target{Name: "fw", API: api}, nil, &calls),
				ProbeOptions{}, nil)

			code, body, header := serve(t, h, tt.url, nil)
			if code != http.StatusBadRequest {
				t.Errorf("status = %d, want 400", code)
			}
			if !strings.Contains(body, tt.wantBody) {
				t.Errorf("body = %q, want it to contain %q", body, tt.wantBody)
			}
			if ct := header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
				t.Errorf("Content-Type = %q, want text/plain", ct)
			}
			if api.readies != 0 || len(api.requestList()) != 0 {
				t.Errorf("the handler reached the API: %d Ready calls, requests %q",
					api.readies, api.requestList())
			}
		})
	}
}

func TestProbeHandlerServesTarget(t *testing.T) {
	api := &fakeAPI{replies: map[string]reply{
		systemStatusEndpoint: {body: `{"results":{"hostname":"fw-a"},"serial":"S1","version":"v7.4.8","build":2795}`},
	}}
	var calls atomic.Int32
	h := ProbeHandler(lookupOf("fw", &Target{Name: "fw", API: api}, []string{"system_status"}, &calls),
		ProbeOptions{}, nil)

	code, body, _ := serve(t, h, "/probe?target=fw", nil)
	if code != http.StatusOK {
		t.Fatalf("status = %d, body %q", code, body)
	}
	for _, want := range []string{
		"fortigate_up 1",
		`fortigate_version_info{build="2795",serial="S1",version="v7.4.8"} 1`,
		`fortigate_scrape_collector_success{collector="system_status"} 1`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("body lacks %q:\n%s", want, body)
		}
	}
}

func TestProbeHandlerAnswers200WhenCollectorsFail(t *testing.T) {
	api := &fakeAPI{replies: map[string]reply{systemStatusEndpoint: {body: `not json`}}}
	var calls atomic.Int32
	h := ProbeHandler(lookupOf("fw", &Target{Name: "fw", API: api}, []string{"system_status"}, &calls),
		ProbeOptions{}, nil)

	code, body, _ := serve(t, h, "/probe?target=fw", nil)
	if code != http.StatusOK {
		t.Fatalf("status = %d, want 200", code)
	}
	if !strings.Contains(body, "fortigate_up 0") {
		t.Errorf("body lacks fortigate_up 0:\n%s", body)
	}
}

func TestHandlerOptionsAnswer500ForRegistryErrors(t *testing.T) {
	// The second descriptor shares the metric name but not the help text, so
	// gathering fails. The duplicate check cannot repair that.
	other := prometheus.NewDesc(testValueMetric.name, "Other help.", []string{"key"}, nil)
	inconsistent := funcCollector(func(_ context.Context, _ *Target, ch chan<- prometheus.Metric) error {
		sendValue(ch, "a", 1)
		ch <- prometheus.MustNewConstMetric(other, prometheus.GaugeValue, 2, "b")
		return nil
	})
	target := &Target{Name: "fw", API: &fakeAPI{}}
	probe := &Probe{
		ctx:     context.Background(),
		scraper: newScraperFor(target, []*registration{testRegistration("bad", inconsistent)}, ProbeOptions{}, nil),
	}
	registry := prometheus.NewRegistry()
	registry.MustRegister(probe)
	logger, logs := newTestLogger()

	code, body, _ := serve(t, promhttp.HandlerFor(registry, handlerOpts(logger, "fw")), "/probe", nil)
	if code != http.StatusInternalServerError {
		t.Fatalf("status = %d, want 500, body %q", code, body)
	}
	if logs.find(t, "serving metrics failed") == nil {
		t.Errorf("no log record for the failed gather in %v", logs.records(t))
	}
}

func TestProbeHandlerDeadlineFromHeader(t *testing.T) {
	var deadline atomic.Value
	api := &deadlineAPI{fakeAPI: &fakeAPI{}, seen: &deadline}
	var calls atomic.Int32
	h := ProbeHandler(lookupOf("fw", &Target{Name: "fw", API: api}, nil, &calls), ProbeOptions{}, nil)

	start := time.Now()
	code, body, _ := serve(t, h, "/probe?target=fw",
		http.Header{"X-Prometheus-Scrape-Timeout-Seconds": {"3"}})
	if code != http.StatusOK {
		t.Fatalf("status = %d, body %q", code, body)
	}
	got, ok := deadline.Load().(time.Time)
	if !ok {
		t.Fatal("Ready got a context without deadline")
	}
	if d := got.Sub(start); d < 2500*time.Millisecond || d > 2900*time.Millisecond {
		t.Fatalf("deadline %v after the request, want about 2.5s", d)
	}
}

func TestMetricsHandler(t *testing.T) {
	self := prometheus.NewRegistry()
	builds := prometheus.NewCounter(prometheus.CounterOpts{
		Name: "fortigate_exporter_test_total", Help: "Test counter.",
	})
	self.MustRegister(builds)
	api := &fakeAPI{replies: map[string]reply{
		systemStatusEndpoint: {body: `{"results":{},"serial":"S1","version":"v7.4.8","build":2795}`},
	}}

	tests := []struct {
		name        string
		lookup      TargetLookup
		want        []string
		wantMissing []string
	}{
		{
			name: "with default target",
			lookup: func(name string) (*Target, []string, bool) {
				if name != DefaultTargetName {
					return nil, nil, false
				}
				return &Target{Name: name, API: api}, []string{"system_status"}, true
			},
			want: []string{"fortigate_exporter_test_total 0", "fortigate_up 1", "fortigate_version_info{"},
		},
		{
			name:        "without default target",
			lookup:      func(string) (*Target, []string, bool) { return nil, nil, false },
			want:        []string{"fortigate_exporter_test_total 0"},
			wantMissing: []string{"fortigate_up"},
		},
		{
			name: "default target with an unknown collector",
			lookup: func(name string) (*Target, []string, bool) {
				return &Target{Name: name, API: api}, []string{"nope"}, true
			},
			want:        []string{"fortigate_exporter_test_total 0"},
			wantMissing: []string{"fortigate_up"},
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, body, _ := serve(t, MetricsHandler(self, tt.lookup, ProbeOptions{}, nil), "/metrics", nil)
			if code != http.StatusOK {
				t.Fatalf("status = %d, body %q", code, body)
			}
			for _, want := range tt.want {
				if !strings.Contains(body, want) {
					t.Errorf("body lacks %q:\n%s", want, body)
				}
			}
			for _, missing := range tt.wantMissing {
				if strings.Contains(body, missing) {
					t.Errorf("body contains %q:\n%s", missing, body)
				}
			}
		})
	}
}

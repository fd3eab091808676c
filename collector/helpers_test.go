package collector

import (
	"bytes"
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/fortigate-session-exporter/fortigate_session_exporter/fgsession"
)

// reply is one canned response of fakeAPI.
type reply struct {
	status int
	body   string
	err    error
}

// fakeAPI is an API stand-in that serves canned replies. A reply is looked up by
// "endpoint?encoded query" first, then by endpoint alone, where the endpoint of
// a CMDB read is cmdb/<path>. An endpoint without a reply gets a 404 response,
// as on a device without the endpoint.
type fakeAPI struct {
	target   string
	readyErr error
	replies  map[string]reply

	mu       sync.Mutex
	requests []string
	readies  int
}

func (f *fakeAPI) Ready(context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.readies++
	return f.readyErr
}

func (f *fakeAPI) Monitor(ctx context.Context, endpoint string, query url.Values) ([]byte, error) {
	return f.serve(ctx, endpoint, query)
}

func (f *fakeAPI) CMDB(ctx context.Context, path string, query url.Values) ([]byte, error) {
	return f.serve(ctx, "cmdb/"+path, query)
}

func (f *fakeAPI) serve(ctx context.Context, endpoint string, query url.Values) ([]byte, error) {
	request := endpoint
	if encoded := query.Encode(); encoded != "" {
		request += "?" + encoded
	}
	f.mu.Lock()
	f.requests = append(f.requests, request)
	f.mu.Unlock()

	if err := ctx.Err(); err != nil {
		return nil, err
	}
	r, ok := f.replies[request]
	if !ok {
		r, ok = f.replies[endpoint]
	}
	if !ok {
		r = reply{status: 404, body: `{"status":"error","http_status":404}`}
	}
	if r.err != nil {
		return nil, r.err
	}
	return statusToResult(f.target, endpoint, r.status, []byte(r.body))
}

func (f *fakeAPI) requestList() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.requests...)
}

// statusToResult turns an HTTP status and body into what API.Monitor returns:
// the body for 2xx (0 counts as 200), a *fgsession.APIError otherwise.
func statusToResult(target, endpoint string, status int, body []byte) ([]byte, error) {
	if status == 0 || (status >= 200 && status < 300) {
		return body, nil
	}
	return nil, &fgsession.APIError{
		Target:     target,
		Endpoint:   endpoint,
		StatusCode: status,
		Message:    envelopeStatus(body),
	}
}

func envelopeStatus(body []byte) string {
	var env struct {
		Status string `json:"status"`
	}
	if json.Unmarshal(body, &env) != nil {
		return ""
	}
	return env.Status
}

// singleCollector adapts one describedCollector to prometheus.Collector for
// testutil. err keeps what the last Update returned.
type singleCollector struct {
	collector describedCollector
	target    *Target

	mu  sync.Mutex
	err error
}

func (s *singleCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, m := range s.collector.metrics() {
		ch <- m.desc
	}
}

func (s *singleCollector) Collect(ch chan<- prometheus.Metric) {
	err := s.collector.Update(context.Background(), s.target, ch)
	s.mu.Lock()
	s.err = err
	s.mu.Unlock()
}

func (s *singleCollector) lastErr() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// collectorByName returns the registered collector called name.
func collectorByName(t *testing.T, name string) describedCollector {
	t.Helper()
	r, ok := lookupRegistration(name)
	if !ok {
		t.Fatalf("collector %q is not registered", name)
	}
	return r.collector
}

// metricNames returns the names of the metrics of c, for testutil filters.
func metricNames(c describedCollector) []string {
	var names []string
	for _, m := range c.metrics() {
		names = append(names, m.name)
	}
	return names
}

// exposition builds expected text-format output from HELP and TYPE lines taken
// from the collector's own metric list plus the given sample lines, so a test
// lists only samples. Samples must be grouped by metric name.
func exposition(c describedCollector, samples string) string {
	byName := map[string]*metric{}
	for _, m := range c.metrics() {
		byName[m.name] = m
	}
	for _, m := range selfMetrics() {
		byName[m.name] = m
	}

	var b strings.Builder
	last := ""
	for _, line := range strings.Split(strings.TrimSpace(samples), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		name := line
		if i := strings.IndexAny(line, "{ "); i >= 0 {
			name = line[:i]
		}
		if name != last {
			if m, ok := byName[name]; ok {
				typeName := "gauge"
				if m.valueType == prometheus.CounterValue {
					typeName = "counter"
				}
				b.WriteString("# HELP " + name + " " + m.help + "\n")
				b.WriteString("# TYPE " + name + " " + typeName + "\n")
			}
			last = name
		}
		b.WriteString(line + "\n")
	}
	return b.String()
}

// logBuffer is a concurrency-safe buffer for a JSON slog handler.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// records returns the decoded log records.
func (l *logBuffer) records(t *testing.T) []map[string]any {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(l.buf.String()), "\n") {
		if line == "" {
			continue
		}
		var record map[string]any
		if err := json.Unmarshal([]byte(line), &record); err != nil {
			t.Fatalf("log line is not JSON: %q: %v", line, err)
		}
		out = append(out, record)
	}
	return out
}

// find returns the first record with message msg, or nil.
func (l *logBuffer) find(t *testing.T, msg string) map[string]any {
	t.Helper()
	for _, r := range l.records(t) {
		if r["msg"] == msg {
			return r
		}
	}
	return nil
}

// checkCollector runs the named collector once against replies and compares the
// exposition with the samples in want (see exposition). With wantErr set, it
// checks instead that Update failed with an error containing wantErr.
func checkCollector(t *testing.T, name string, replies map[string]reply, want, wantErr string) {
	t.Helper()
	c := collectorByName(t, name)
	api := &fakeAPI{replies: replies}
	adapter := &singleCollector{collector: c, target: &Target{Name: "fw", API: api}}

	err := testutil.CollectAndCompare(adapter, strings.NewReader(exposition(c, want)))
	if wantErr != "" {
		if got := adapter.lastErr(); got == nil || !strings.Contains(got.Error(), wantErr) {
			t.Fatalf("Update error = %v, want it to contain %q", got, wantErr)
		}
		return
	}
	if got := adapter.lastErr(); got != nil {
		t.Fatalf("Update error = %v, requests = %q", got, api.requestList())
	}
	if err != nil {
		t.Fatal(err)
	}
}

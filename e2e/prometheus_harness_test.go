package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/model"
	"go.yaml.in/yaml/v3"
)

// The helpers of this file run Debian's Prometheus against the exporters of a
// test, with the scrape jobs of examples/prometheus.yml and the rules of
// alerts/, and query it through its HTTP API.

// promScrapeInterval is the scrape and rule evaluation interval of the test
// Prometheus. It is also the scrape timeout of job "fortigate", because
// Prometheus rejects a timeout longer than the interval.
const promScrapeInterval = time.Second

// prometheusPath returns the prometheus binary, failing in CI and skipping
// elsewhere when it is not installed.
func prometheusPath(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("prometheus")
	if err == nil {
		return path
	}
	msg := "prometheus is not installed; install it with: apt-get install -y prometheus"
	if os.Getenv("CI") != "" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// promServer is a running Prometheus server.
type promServer struct {
	*process
	URL    string
	client *http.Client
}

// startPrometheus starts Prometheus on a free loopback port with its own data
// directory and the config of prometheusConfig, and returns once it is ready.
func startPrometheus(t *testing.T, probeVia *exporter, replicas []*exporter) *promServer {
	t.Helper()
	bin := prometheusPath(t)
	dir := t.TempDir()
	configFile := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(configFile, prometheusConfig(t, probeVia, replicas), 0o600); err != nil {
		t.Fatal(err)
	}
	addr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	args := []string{
		"--config.file=" + configFile,
		"--storage.tsdb.path=" + filepath.Join(dir, "data"),
		"--web.listen-address=" + addr,
		"--web.enable-lifecycle",
		"--log.level=warn",
	}
	p := startProcess(t, "prometheus", bin, args, nil)
	prom := &promServer{process: p, URL: "http://" + addr, client: &http.Client{Timeout: 10 * time.Second}}
	waitHTTP(t, prom.client, prom.URL+"/-/ready", p)
	return prom
}

// prometheusConfig returns examples/prometheus.yml changed for a test on
// loopback. Job "fortigate" probes the target "fw" through probeVia, job
// "fortigate_session_exporter" scrapes /metrics of replicas, both every
// promScrapeInterval, and rule_files names alerts/*.rules.yml. It fails t
// when the example no longer has the two jobs or the relabel rule that sends
// every probe to the exporter.
func prometheusConfig(t *testing.T, probeVia *exporter, replicas []*exporter) []byte {
	t.Helper()
	const example = "../examples/prometheus.yml"
	raw, err := os.ReadFile(example)
	if err != nil {
		t.Fatal(err)
	}
	var cfg map[string]any
	if err := yaml.Unmarshal(raw, &cfg); err != nil {
		t.Fatalf("%s: %v", example, err)
	}

	interval := promScrapeInterval.String()
	global, ok := cfg["global"].(map[string]any)
	if !ok {
		t.Fatalf("%s has no global section", example)
	}
	global["scrape_interval"] = interval
	global["evaluation_interval"] = interval

	rules, err := filepath.Abs("../alerts")
	if err != nil {
		t.Fatal(err)
	}
	cfg["rule_files"] = []any{filepath.Join(rules, "*.rules.yml")}

	jobs, _ := cfg["scrape_configs"].([]any)
	found := map[string]bool{}
	for _, item := range jobs {
		job, ok := item.(map[string]any)
		if !ok {
			t.Fatalf("%s: scrape_configs holds a %T, expected a mapping", example, item)
		}
		name, _ := job["job_name"].(string)
		found[name] = true
		switch name {
		case "fortigate":
			job["scrape_timeout"] = interval
			job["static_configs"] = []any{map[string]any{"targets": []any{"fw"}}}
			setProbeAddress(t, example, job, hostPort(t, probeVia))
		case "fortigate_session_exporter":
			var addrs []any
			for _, e := range replicas {
				addrs = append(addrs, hostPort(t, e))
			}
			job["static_configs"] = []any{map[string]any{"targets": addrs}}
		default:
			t.Fatalf("%s: job %q is new; give it loopback addresses in prometheusConfig", example, name)
		}
	}
	for _, name := range []string{"fortigate", "fortigate_session_exporter"} {
		if !found[name] {
			t.Fatalf("%s has no job %q", example, name)
		}
	}

	out, err := yaml.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// setProbeAddress rewrites the replacement of the one relabel rule of job
// that sets __address__, the exporter that serves every probe.
func setProbeAddress(t *testing.T, example string, job map[string]any, addr string) {
	t.Helper()
	relabels, _ := job["relabel_configs"].([]any)
	rewritten := 0
	for _, item := range relabels {
		rule, ok := item.(map[string]any)
		if !ok || rule["target_label"] != "__address__" {
			continue
		}
		if _, ok := rule["replacement"]; !ok {
			t.Fatalf("%s: job fortigate sets __address__ without a replacement", example)
		}
		rule["replacement"] = addr
		rewritten++
	}
	if rewritten != 1 {
		t.Fatalf("%s: job fortigate has %d relabel rules that set __address__, expected 1", example, rewritten)
	}
}

// hostPort returns the host:port of e's URL.
func hostPort(t *testing.T, e *exporter) string {
	t.Helper()
	u, err := url.Parse(e.URL)
	if err != nil {
		t.Fatal(err)
	}
	return u.Host
}

// promResponse is the envelope of every Prometheus HTTP API response.
type promResponse struct {
	Status    string          `json:"status"`
	Data      json.RawMessage `json:"data"`
	ErrorType string          `json:"errorType"`
	Error     string          `json:"error"`
}

// get sends GET path?params to the HTTP API and decodes the data field of
// the response into data. An error response returns its error message.
func (p *promServer) get(ctx context.Context, path string, params url.Values, data any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.URL+path+"?"+params.Encode(), nil)
	if err != nil {
		return err
	}
	resp, err := p.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var envelope promResponse
	if err := json.NewDecoder(resp.Body).Decode(&envelope); err != nil {
		return fmt.Errorf("GET %s: HTTP %d, decoding the response: %w", path, resp.StatusCode, err)
	}
	if envelope.Status != "success" {
		return fmt.Errorf("GET %s: HTTP %d: %s: %s", path, resp.StatusCode, envelope.ErrorType, envelope.Error)
	}
	return json.Unmarshal(envelope.Data, data)
}

// promQueryData is the data field of a query or query_range response.
type promQueryData struct {
	ResultType string          `json:"resultType"`
	Result     json.RawMessage `json:"result"`
}

// query runs an instant query at now and returns its series. A scalar result
// is returned as one series without labels.
func (p *promServer) query(ctx context.Context, expr string) ([]promSeries, error) {
	var data promQueryData
	params := url.Values{"query": {expr}, "time": {formatPromTime(time.Now())}}
	if err := p.get(ctx, "/api/v1/query", params, &data); err != nil {
		return nil, err
	}
	switch data.ResultType {
	case "vector":
		var vector model.Vector
		if err := json.Unmarshal(data.Result, &vector); err != nil {
			return nil, err
		}
		series := make([]promSeries, 0, len(vector))
		for _, s := range vector {
			series = append(series, promSeries{labels: s.Metric, values: []float64{float64(s.Value)}})
		}
		return series, nil
	case "scalar":
		var scalar model.Scalar
		if err := json.Unmarshal(data.Result, &scalar); err != nil {
			return nil, err
		}
		return []promSeries{{values: []float64{float64(scalar.Value)}}}, nil
	default:
		return nil, fmt.Errorf("instant query %s returned a %s, expected a vector or scalar", expr, data.ResultType)
	}
}

// queryRange runs a range query from start to now with one step per scrape
// interval and returns its series.
func (p *promServer) queryRange(ctx context.Context, expr string, start time.Time) ([]promSeries, error) {
	var data promQueryData
	params := url.Values{
		"query": {expr},
		"start": {formatPromTime(start)},
		"end":   {formatPromTime(time.Now())},
		"step":  {strconv.FormatFloat(promScrapeInterval.Seconds(), 'f', -1, 64)},
	}
	if err := p.get(ctx, "/api/v1/query_range", params, &data); err != nil {
		return nil, err
	}
	if data.ResultType != "matrix" {
		return nil, fmt.Errorf("range query %s returned a %s, expected a matrix", expr, data.ResultType)
	}
	var matrix model.Matrix
	if err := json.Unmarshal(data.Result, &matrix); err != nil {
		return nil, err
	}
	series := make([]promSeries, 0, len(matrix))
	for _, s := range matrix {
		values := make([]float64, 0, len(s.Values))
		for _, v := range s.Values {
			values = append(values, float64(v.Value))
		}
		series = append(series, promSeries{labels: s.Metric, values: values})
	}
	return series, nil
}

// labelValues returns the values of label on the series that match selector
// from start to now, as Grafana's label_values(selector, label) does. An
// empty selector matches every series.
func (p *promServer) labelValues(ctx context.Context, label, selector string, start time.Time) ([]string, error) {
	params := url.Values{"start": {formatPromTime(start)}, "end": {formatPromTime(time.Now())}}
	if selector != "" {
		params.Set("match[]", selector)
	}
	var values []string
	err := p.get(ctx, "/api/v1/label/"+url.PathEscape(label)+"/values", params, &values)
	return values, err
}

func formatPromTime(t time.Time) string {
	return strconv.FormatFloat(float64(t.UnixMilli())/1000, 'f', 3, 64)
}

// promSeries is one series of a query result, with its values in time order.
type promSeries struct {
	labels model.Metric
	values []float64
}

// hasNumber reports whether the series has a value that is not NaN, which is
// what a Grafana panel needs to draw anything.
func (s promSeries) hasNumber() bool {
	for _, v := range s.values {
		if !math.IsNaN(v) {
			return true
		}
	}
	return false
}

// last returns the newest value of the series.
func (s promSeries) last() float64 {
	if len(s.values) == 0 {
		return math.NaN()
	}
	return s.values[len(s.values)-1]
}

// waitForQuery runs the instant query expr every 250 ms until ok accepts its
// result or timeout passes, and fails t with the last result then.
func (p *promServer) waitForQuery(t *testing.T, expr string, timeout time.Duration,
	ok func([]promSeries) bool,
) []promSeries {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		series, err := p.query(ctx, expr)
		cancel()
		if err == nil && ok(series) {
			return series
		}
		if time.Now().After(deadline) {
			t.Fatalf("Prometheus query %s: no expected result within %v; last result %s, error %v",
				expr, timeout, describeSeries(series), err)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// describeSeries formats series for a failure message.
func describeSeries(series []promSeries) string {
	if len(series) == 0 {
		return "no series"
	}
	parts := make([]string, 0, len(series))
	for _, s := range series {
		parts = append(parts, fmt.Sprintf("%s %v", s.labels, s.last()))
	}
	return strings.Join(parts, ", ")
}

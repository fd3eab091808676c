package collector

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/fortigate-session-exporter/fortigate_session_exporter/fgsession"
)

// dhcpLeasesSpec maps the DHCP leases of system/dhcp, which no built-in
// collector reads.
var dhcpLeasesSpec = CustomEndpointSpec{
	Name:    "dhcp_leases",
	Path:    "system/dhcp",
	Query:   map[string]string{"ipv6": "false"},
	PerVDOM: true,
	Metrics: []CustomMetricSpec{{
		Name:  "fortigate_dhcp_lease_expiry_timestamp_seconds",
		Help:  "Expiry of a DHCP lease, in seconds since the Unix epoch.",
		Type:  prometheus.GaugeValue,
		Value: "expire_time",
		Labels: []CustomLabelSpec{
			{Name: "hostname", Field: "hostname"},
			{Name: "interface", Field: "interface"},
			{Name: "ip", Field: "ip"},
			{Name: "mac", Field: "mac"},
		},
	}, {
		Name:   "fortigate_dhcp_lease_reserved",
		Help:   "Whether the DHCP lease is a reservation (1) or not (0).",
		Type:   prometheus.GaugeValue,
		Value:  "reserved",
		Labels: []CustomLabelSpec{{Name: "ip", Field: "ip"}},
	}},
}

// systemTimeSpec reads system/time without a vdom parameter, which gets one
// envelope whose results are one object.
var systemTimeSpec = CustomEndpointSpec{
	Name: "system_time",
	Path: "system/time",
	Metrics: []CustomMetricSpec{{
		Name:  "fortigate_system_time_seconds",
		Help:  "Time on the FortiGate clock, in seconds since the Unix epoch.",
		Type:  prometheus.GaugeValue,
		Value: "time",
	}},
}

// mustCustomEndpoint builds the endpoint of one spec, failing the test on error.
func mustCustomEndpoint(t *testing.T, spec CustomEndpointSpec) *CustomEndpoint {
	t.Helper()
	endpoints, err := NewCustomEndpoints([]CustomEndpointSpec{spec})
	if err != nil {
		t.Fatalf("NewCustomEndpoints: %v", err)
	}
	return endpoints[0]
}

// customAdapter returns a testutil adapter that runs endpoint against
// target. A nil logger discards the log.
func customAdapter(endpoint *CustomEndpoint, target *Target, logger *slog.Logger) *singleCollector {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	c := customCollector{endpoint: endpoint, logger: logger}
	return &singleCollector{collector: c, target: target}
}

func TestCustomEndpointGolden(t *testing.T) {
	for _, spec := range []CustomEndpointSpec{dhcpLeasesSpec, systemTimeSpec} {
		t.Run(spec.Name, func(t *testing.T) {
			endpoint := mustCustomEndpoint(t, spec)
			adapter := customAdapter(endpoint, newFixtureTarget(t, "7.4"), nil)
			golden := filepath.Join("testdata", "golden", endpoint.Collector()+"-7.4.prom")

			if os.Getenv(updateGoldenEnv) != "" {
				writeGolden(t, adapter, golden)
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("read golden file (create it with %s=1): %v", updateGoldenEnv, err)
			}
			if err := testutil.CollectAndCompare(adapter, bytes.NewReader(want)); err != nil {
				t.Errorf("exposition differs from %s: %v", golden, err)
			}
			if err := adapter.lastErr(); err != nil {
				t.Fatalf("Update error = %v", err)
			}
			problems, err := testutil.CollectAndLint(adapter)
			if err != nil {
				t.Fatalf("lint: %v", err)
			}
			for _, p := range problems {
				t.Errorf("lint: %s: %s", p.Metric, p.Text)
			}
		})
	}
}

func TestCustomEndpointShapes(t *testing.T) {
	tests := []struct {
		name  string
		spec  CustomEndpointSpec
		reply string
		vdoms []string
		want  string
	}{
		{
			name: "array with numbers as strings and booleans",
			spec: CustomEndpointSpec{Name: "rows", Path: "test/rows", Metrics: []CustomMetricSpec{
				{Name: "fortigate_test_latency_seconds", Help: "Latency.", Type: prometheus.GaugeValue,
					Value: "latency", Scale: 0.001, Labels: []CustomLabelSpec{{Name: "name", Field: "name"}}},
				{Name: "fortigate_test_up", Help: "Up.", Type: prometheus.GaugeValue,
					Value: "up", Labels: []CustomLabelSpec{{Name: "name", Field: "name"}}},
			}},
			reply: `{"status":"success","results":[
				{"name":"a","latency":"250","up":true},
				{"name":"b","latency":1500.0,"up":"false"},
				{"name":7,"latency":"","up":0}]}`,
			want: `
				fortigate_test_latency_seconds{name="a"} 0.25
				fortigate_test_latency_seconds{name="b"} 1.5
				fortigate_test_up{name="7"} 0
				fortigate_test_up{name="a"} 1
				fortigate_test_up{name="b"} 0
			`,
		},
		{
			name: "object keyed by name",
			spec: CustomEndpointSpec{Name: "pools", Path: "test/pools", KeyLabel: "pool",
				Metrics: []CustomMetricSpec{{Name: "fortigate_test_pool_clients", Help: "Clients.",
					Type: prometheus.GaugeValue, Value: "clients"}}},
			reply: `{"status":"success","results":{"pool-b":{"clients":3},"pool-a":{"clients":"12"}}}`,
			want: `
				fortigate_test_pool_clients{pool="pool-a"} 12
				fortigate_test_pool_clients{pool="pool-b"} 3
			`,
		},
		{
			name: "object of one value with nested field",
			spec: CustomEndpointSpec{Name: "stats", Path: "test/stats", Metrics: []CustomMetricSpec{
				{Name: "fortigate_test_users", Help: "Users.", Type: prometheus.GaugeValue,
					Value: "current.users"},
				{Name: "fortigate_test_logins_total", Help: "Logins.", Type: prometheus.CounterValue,
					Value: "counters.logins"},
			}},
			reply: `{"status":"success","results":{"current":{"users":4},"counters":{"logins":1e3}}}`,
			want: `
				fortigate_test_logins_total 1000
				fortigate_test_users 4
			`,
		},
		{
			name: "per-VDOM envelopes with empty results",
			spec: CustomEndpointSpec{Name: "vdoms", Path: "test/vdoms", PerVDOM: true, KeyLabel: "pool",
				Metrics: []CustomMetricSpec{{Name: "fortigate_test_pool_used", Help: "Used.",
					Type: prometheus.GaugeValue, Value: "used"}}},
			reply: `[
				{"vdom":"root","status":"success","results":{"p1":{"used":1},"p2":{"used":2}}},
				{"vdom":"dmz","status":"success","results":{}},
				{"vdom":"guest","status":"success","results":[]},
				{"vdom":"lab","status":"success","results":{"p1":{"used":5}}}]`,
			want: `
				fortigate_test_pool_used{pool="p1",vdom="lab"} 5
				fortigate_test_pool_used{pool="p1",vdom="root"} 1
				fortigate_test_pool_used{pool="p2",vdom="root"} 2
			`,
		},
		{
			name: "key label over an array",
			spec: CustomEndpointSpec{Name: "keyed", Path: "test/keyed", KeyLabel: "key",
				Metrics: []CustomMetricSpec{{Name: "fortigate_test_size", Help: "Size.",
					Type: prometheus.GaugeValue, Value: "size"}}},
			reply: `{"status":"success","results":[{"size":9}]}`,
			want:  `fortigate_test_size{key=""} 9`,
		},
		{
			name: "missing label field and null rows",
			spec: CustomEndpointSpec{Name: "sparse", Path: "test/sparse", Metrics: []CustomMetricSpec{
				{Name: "fortigate_test_count", Help: "Count.", Type: prometheus.GaugeValue,
					Value: "count", Labels: []CustomLabelSpec{
						{Name: "host", Field: "host.name"}, {Name: "id", Field: "id"},
					}},
			}},
			reply: `{"status":"success","results":[null,{"id":1,"count":1},{"id":2,"count":2,"host":null},
				{"id":3,"count":3,"host":{"name":"h3"}},{"id":4,"count":4,"host":[]}]}`,
			want: `
				fortigate_test_count{host="",id="1"} 1
				fortigate_test_count{host="",id="2"} 2
				fortigate_test_count{host="h3",id="3"} 3
				fortigate_test_count{host="",id="4"} 4
			`,
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			endpoint := mustCustomEndpoint(t, tt.spec)
			api := &fakeAPI{replies: map[string]reply{tt.spec.Path: {body: tt.reply}}}
			target := &Target{Name: "fw", API: api, VDOMs: tt.vdoms}
			adapter := customAdapter(endpoint, target, nil)

			var names []string
			for _, m := range tt.spec.Metrics {
				names = append(names, m.Name)
			}
			err := testutil.CollectAndCompare(adapter, strings.NewReader(customExposition(endpoint, tt.want)),
				names...)
			if got := adapter.lastErr(); got != nil {
				t.Fatalf("Update error = %v", got)
			}
			if err != nil {
				t.Error(err)
			}
		})
	}
}

// customExposition is exposition for the metrics of a custom endpoint.
func customExposition(endpoint *CustomEndpoint, samples string) string {
	return exposition(customCollector{endpoint: endpoint}, samples)
}

func TestCustomEndpointSkipsRowsWithoutValue(t *testing.T) {
	spec := CustomEndpointSpec{Name: "leases", Path: "system/dhcp", Metrics: []CustomMetricSpec{{
		Name: "fortigate_test_expiry", Help: "Expiry.", Type: prometheus.GaugeValue,
		Value: "expire_time", Labels: []CustomLabelSpec{{Name: "ip", Field: "ip"}},
	}}}
	endpoint := mustCustomEndpoint(t, spec)
	api := &fakeAPI{replies: map[string]reply{"system/dhcp": {body: `{"status":"success","results":[
		{"ip":"10.0.0.1","expire_time":100},{"ip":"10.0.0.2"},{"ip":"10.0.0.3","expire_time":null}]}`}}}
	logger, logs := newTestLogger()
	target := &Target{Name: "fw", API: api, Custom: []*CustomEndpoint{endpoint}}
	regs, err := customRegistrations(target, logger)
	if err != nil {
		t.Fatalf("customRegistrations: %v", err)
	}
	adapter := &singleCollector{collector: regs[0].collector, target: target}

	want := customExposition(endpoint, `fortigate_test_expiry{ip="10.0.0.1"} 100`)
	if err := testutil.CollectAndCompare(adapter, strings.NewReader(want)); err != nil {
		t.Error(err)
	}
	if err := adapter.lastErr(); err != nil {
		t.Fatalf("Update error = %v, want skipped rows to be no error", err)
	}

	record := logs.find(t, "rows without the value field skipped")
	if record == nil {
		t.Fatalf("no debug record for the skipped rows in %v", logs.records(t))
	}
	if got := record["rows"]; got != float64(2) {
		t.Errorf("rows = %v, want 2", got)
	}
	if got := record["first_row"]; got != "results[1]" {
		t.Errorf("first_row = %v, want results[1]", got)
	}
	if got := record["metric"]; got != "fortigate_test_expiry" {
		t.Errorf("metric = %v, want fortigate_test_expiry", got)
	}
	if got := record["level"]; got != "DEBUG" {
		t.Errorf("level = %v, want DEBUG", got)
	}
	if got := record["target"]; got != "fw" {
		t.Errorf("target = %v, want fw", got)
	}
	if got := record["collector"]; got != "custom_leases" {
		t.Errorf("collector = %v, want custom_leases", got)
	}
}

func TestCustomEndpointDecodeErrors(t *testing.T) {
	spec := CustomEndpointSpec{Name: "leases", Path: "system/dhcp", Metrics: []CustomMetricSpec{{
		Name: "fortigate_test_expiry", Help: "Expiry.", Type: prometheus.GaugeValue,
		Value: "lease.expire_time", Labels: []CustomLabelSpec{{Name: "ip", Field: "ip"}},
	}}}
	tests := []struct {
		name  string
		reply string
		want  []string
		// wantSamples is the number of samples sent despite the error.
		wantSamples int
	}{
		{
			name: "value not a number",
			reply: `[{"vdom":"root","status":"success","results":[{"ip":"a","lease":{"expire_time":5}}]},
				{"vdom":"dmz","status":"success","results":[{"ip":"b","lease":{"expire_time":"soon"}}]}]`,
			want: []string{"custom endpoint leases", "metric fortigate_test_expiry",
				"decode system/dhcp reply", "field [1].results[0].lease.expire_time",
				`got string "soon", expected a number`},
			wantSamples: 1,
		},
		{
			name:  "value an object",
			reply: `{"status":"success","results":[{"lease":{"expire_time":{"at":5}}}]}`,
			want:  []string{"field results[0].lease.expire_time", "got object, expected a number"},
		},
		{
			name:  "nested field not an object",
			reply: `{"status":"success","results":[{"lease":"none"}]}`,
			want:  []string{"field results[0].lease.expire_time", `lease is string "none", expected an object`},
		},
		{
			name:  "label an array",
			reply: `{"status":"success","results":[{"ip":["a"],"lease":{"expire_time":5}}]}`,
			want:  []string{"metric fortigate_test_expiry", "field results[0].ip", "got array, expected a string"},
		},
		{
			name:  "row not an object",
			reply: `{"status":"success","results":[{"lease":{"expire_time":5}},42]}`,
			want:  []string{"custom endpoint leases", "field results[1]", "got number 42, expected an object"},
		},
		{
			name:  "results a string",
			reply: `{"status":"success","results":"none"}`,
			want:  []string{"field results", `got string "none", expected an object or an array`},
		},
		{
			name:  "error envelope",
			reply: `{"status":"error","http_status":500}`,
			want:  []string{"custom endpoint leases", "FortiOS reported an error"},
		},
		{
			name:  "not JSON",
			reply: `<html>`,
			want:  []string{"custom endpoint leases", "not a JSON object or array"},
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			endpoint := mustCustomEndpoint(t, spec)
			api := &fakeAPI{replies: map[string]reply{"system/dhcp": {body: tt.reply}}}
			adapter := customAdapter(endpoint, &Target{Name: "fw", API: api}, nil)

			if n := testutil.CollectAndCount(adapter); n != tt.wantSamples {
				t.Errorf("collected %d samples, want %d", n, tt.wantSamples)
			}
			err := adapter.lastErr()
			if err == nil {
				t.Fatal("Update returned no error")
			}
			for _, want := range tt.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not contain %q", err, want)
				}
			}
		})
	}
}

func TestCustomEndpointUnsupported(t *testing.T) {
	endpoint := mustCustomEndpoint(t, dhcpLeasesSpec)
	for _, status := range []int{404, 424} {
		api := &fakeAPI{replies: map[string]reply{"system/dhcp": {status: status, body: `{"status":"error"}`}}}
		adapter := customAdapter(endpoint, &Target{Name: "fw", API: api}, nil)
		if n := testutil.CollectAndCount(adapter); n != 0 {
			t.Errorf("status %d: collected %d metrics, want none", status, n)
		}
		err := adapter.lastErr()
		var apiErr *fgsession.APIError
		if !errors.As(err, &apiErr) || !fgsession.IsUnsupported(err) {
			t.Errorf("status %d: Update error = %v, want an unsupported *fgsession.APIError", status, err)
		}
	}
}

func TestCustomEndpointRequestQuery(t *testing.T) {
	tests := []struct {
		name  string
		spec  CustomEndpointSpec
		vdoms []string
		want  string
	}{
		{name: "per VDOM, every VDOM", spec: dhcpLeasesSpec, want: "system/dhcp?ipv6=false&vdom=%2A"},
		{name: "per VDOM, listed VDOMs", spec: dhcpLeasesSpec, vdoms: []string{"root", "dmz"},
			want: "system/dhcp?ipv6=false&vdom=root%2Cdmz"},
		{name: "no query", spec: systemTimeSpec, vdoms: []string{"root"}, want: "system/time"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			endpoint := mustCustomEndpoint(t, tt.spec)
			api := &fakeAPI{replies: map[string]reply{tt.spec.Path: {body: `{"status":"success","results":[]}`}}}
			adapter := customAdapter(endpoint, &Target{Name: "fw", API: api, VDOMs: tt.vdoms},
				nil)
			testutil.CollectAndCount(adapter)
			if got := api.requestList(); !slices.Equal(got, []string{tt.want}) {
				t.Errorf("requests = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestNewCustomEndpointsErrors(t *testing.T) {
	gauge := func(name string, labels ...CustomLabelSpec) CustomMetricSpec {
		return CustomMetricSpec{Name: name, Help: "Help.", Type: prometheus.GaugeValue,
			Value: "v", Labels: labels}
	}
	endpoint := func(name string, metrics ...CustomMetricSpec) CustomEndpointSpec {
		return CustomEndpointSpec{Name: name, Path: "test/" + name, Metrics: metrics}
	}
	tests := []struct {
		name  string
		specs []CustomEndpointSpec
		want  string
	}{
		{
			name:  "built-in metric name",
			specs: []CustomEndpointSpec{endpoint("a", gauge("fortigate_up"))},
			want:  "custom endpoint a: metric fortigate_up is a built-in metric of the exporter",
		},
		{
			name:  "built-in collector metric name",
			specs: []CustomEndpointSpec{endpoint("a", gauge("fortigate_interface_link_up"))},
			want:  "metric fortigate_interface_link_up is a built-in metric",
		},
		{
			name: "metric in two endpoints",
			specs: []CustomEndpointSpec{
				endpoint("a", gauge("fortigate_test_x")), endpoint("b", gauge("fortigate_test_x")),
			},
			want: "custom endpoint b: metric fortigate_test_x is also defined by custom endpoint a",
		},
		{
			name: "endpoint defined twice",
			specs: []CustomEndpointSpec{
				endpoint("a", gauge("fortigate_test_x")), endpoint("a", gauge("fortigate_test_y")),
			},
			want: "custom endpoint a is defined twice",
		},
		{
			name: "invalid label name",
			specs: []CustomEndpointSpec{
				endpoint("a", gauge("fortigate_test_x", CustomLabelSpec{Name: "a-b", Field: "f"})),
			},
			want: `label name "a-b" is invalid or repeated`,
		},
		{
			name: "label repeats the vdom label",
			specs: []CustomEndpointSpec{{Name: "a", Path: "test/a", PerVDOM: true, Metrics: []CustomMetricSpec{
				gauge("fortigate_test_x", CustomLabelSpec{Name: "vdom", Field: "vdom"})}}},
			want: `label name "vdom" is invalid or repeated`,
		},
		{
			name: "invalid value path",
			specs: []CustomEndpointSpec{endpoint("a", CustomMetricSpec{Name: "fortigate_test_x", Help: "H.",
				Type: prometheus.GaugeValue, Value: "a..b"})},
			want: `value: field path "a..b" has an empty part`,
		},
		{
			name: "untyped metric",
			specs: []CustomEndpointSpec{endpoint("a", CustomMetricSpec{Name: "fortigate_test_x", Help: "H.",
				Type: prometheus.UntypedValue, Value: "v"})},
			want: "type must be gauge or counter",
		},
		{
			name:  "no metrics",
			specs: []CustomEndpointSpec{endpoint("a")},
			want:  "custom endpoint a: no metrics defined",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewCustomEndpoints(tt.specs)
			if err == nil {
				t.Fatal("NewCustomEndpoints returned no error")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
		})
	}
}

func TestProbeRunsCustomEndpoints(t *testing.T) {
	good := mustCustomEndpoint(t, systemTimeSpec)
	broken := mustCustomEndpoint(t, CustomEndpointSpec{Name: "broken", Path: "test/broken",
		Metrics: []CustomMetricSpec{{Name: "fortigate_test_broken", Help: "Broken.",
			Type: prometheus.GaugeValue, Value: "v"}}})
	missing := mustCustomEndpoint(t, CustomEndpointSpec{Name: "missing", Path: "test/missing",
		Metrics: []CustomMetricSpec{{Name: "fortigate_test_missing", Help: "Missing.",
			Type: prometheus.GaugeValue, Value: "v"}}})
	api := &fakeAPI{target: "fw", replies: map[string]reply{
		"system/time":  {body: `{"status":"success","results":{"time":1749722400}}`},
		"test/broken":  {body: `{"status":"success","results":{"v":"n/a"}}`},
		"test/missing": {status: 424, body: `{"status":"error"}`},
	}}
	target := &Target{Name: "fw", API: api, Custom: []*CustomEndpoint{good, broken, missing}}
	logger, logs := newTestLogger()

	probe, err := NewProbe(context.Background(), target, nil, ProbeOptions{}, logger)
	if err != nil {
		t.Fatalf("NewProbe: %v", err)
	}
	want := `
		# HELP fortigate_scrape_collector_success ` + collectorSuccessMetric.help + `
		# TYPE fortigate_scrape_collector_success gauge
		fortigate_scrape_collector_success{collector="custom_broken"} 0
		fortigate_scrape_collector_success{collector="custom_missing"} 1
		fortigate_scrape_collector_success{collector="custom_system_time"} 1
		# HELP fortigate_scrape_collector_unsupported ` + collectorUnsupportedMetric.help + `
		# TYPE fortigate_scrape_collector_unsupported gauge
		fortigate_scrape_collector_unsupported{collector="custom_broken"} 0
		fortigate_scrape_collector_unsupported{collector="custom_missing"} 1
		fortigate_scrape_collector_unsupported{collector="custom_system_time"} 0
		# HELP fortigate_system_time_seconds ` + systemTimeSpec.Metrics[0].Help + `
		# TYPE fortigate_system_time_seconds gauge
		fortigate_system_time_seconds 1.7497224e+09
		# HELP fortigate_up ` + upMetric.help + `
		# TYPE fortigate_up gauge
		fortigate_up 1
	`
	err = testutil.CollectAndCompare(probe, strings.NewReader(want),
		"fortigate_scrape_collector_success", "fortigate_scrape_collector_unsupported",
		"fortigate_system_time_seconds", "fortigate_up", "fortigate_test_broken")
	if err != nil {
		t.Error(err)
	}

	record := logs.find(t, "collector failed")
	if record == nil {
		t.Fatal("no log record for the failed custom endpoint")
	}
	if got := record["collector"]; got != "custom_broken" {
		t.Errorf("collector = %v, want custom_broken", got)
	}
	if got, _ := record["err"].(string); !strings.Contains(got, "metric fortigate_test_broken") {
		t.Errorf("err = %q, want it to name the metric", got)
	}
}

func TestProbeRejectsRepeatedCustomEndpoint(t *testing.T) {
	e := mustCustomEndpoint(t, systemTimeSpec)
	target := &Target{Name: "fw", API: &fakeAPI{}, Custom: []*CustomEndpoint{e, e}}
	_, err := NewProbe(context.Background(), target, nil, ProbeOptions{}, nil)
	if err == nil || !strings.Contains(err.Error(), "custom_system_time is listed twice") {
		t.Errorf("NewProbe error = %v, want the repeated collector named", err)
	}
}

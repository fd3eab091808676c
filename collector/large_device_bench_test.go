package collector

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"

	"github.com/fortigate-session-exporter/fortigate_session_exporter/fgsession"
	"github.com/fortigate-session-exporter/fortigate_session_exporter/fixtures"
)

// largeDevice is a simulated large FortiGate served over HTTPS on loopback,
// scraped through a real session manager with the memory store.
type largeDevice struct {
	sim    *fixtures.Simulator
	target *Target
	names  []string
}

func startLargeDevice(tb testing.TB, size fixtures.DeviceSize) *largeDevice {
	tb.Helper()
	const password = "Bench-Passw0rd!"
	sim, err := fixtures.New(fixtures.Options{Password: password, Size: size})
	if err != nil {
		tb.Fatalf("start simulator: %v", err)
	}
	srv := httptest.NewTLSServer(sim.Handler())
	tb.Cleanup(srv.Close)
	tb.Cleanup(sim.Close)

	// The exporter keeps one idle connection per parallel collector, so a
	// scrape reuses its TLS connections.
	transport := srv.Client().Transport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = DefaultMaxParallel
	transport.MaxConnsPerHost = DefaultMaxParallel + 2
	base, _ := url.Parse(srv.URL)
	session := &fgsession.Target{
		Name:       "large",
		BaseURL:    base,
		Username:   "admin",
		Password:   password,
		TTL:        time.Hour,
		HTTPClient: &http.Client{Transport: transport},
	}
	manager := fgsession.NewManager(fgsession.ManagerOptions{})
	manager.AddTarget(session)
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		manager.Close(ctx)
		transport.CloseIdleConnections()
	})

	names, err := Select(nil, nil)
	if err != nil {
		tb.Fatal(err)
	}
	return &largeDevice{
		sim:    sim,
		target: &Target{Name: "large", API: manager.Client(session)},
		names:  names,
	}
}

// requests returns the number of monitor and CMDB requests the device got.
func (d *largeDevice) requests() int {
	stats := d.sim.Stats()
	return stats.MonitorRequests + stats.CMDBRequests
}

// scrapeResult is what one scrape of the large device produced.
type scrapeResult struct {
	series int
	// failed lists the collectors whose fortigate_scrape_collector_success is 0.
	failed []string
	// durations maps each collector to its fortigate_scrape_collector_duration_seconds.
	durations map[string]float64
	up        bool
}

// scrape runs every default collector once through a Probe and a registry,
// as the /probe handler does.
func (d *largeDevice) scrape(tb testing.TB) scrapeResult {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	probe, err := NewProbe(ctx, d.target, d.names, ProbeOptions{}, nil)
	if err != nil {
		tb.Fatal(err)
	}
	registry := prometheus.NewRegistry()
	registry.MustRegister(probe)
	families, err := registry.Gather()
	if err != nil {
		tb.Fatalf("gather: %v", err)
	}

	res := scrapeResult{durations: map[string]float64{}}
	for _, mf := range families {
		res.series += len(mf.GetMetric())
		for _, m := range mf.GetMetric() {
			switch mf.GetName() {
			case collectorSuccessMetric.name:
				if m.GetGauge().GetValue() == 0 {
					res.failed = append(res.failed, labelValue(m, "collector"))
				}
			case collectorDurationMetric.name:
				res.durations[labelValue(m, "collector")] = m.GetGauge().GetValue()
			case upMetric.name:
				res.up = m.GetGauge().GetValue() == 1
			}
		}
	}
	return res
}

func labelValue(m *dto.Metric, name string) string {
	for _, pair := range m.GetLabel() {
		if pair.GetName() == name {
			return pair.GetValue()
		}
	}
	return ""
}

// BenchmarkScrapeLargeDevice measures one scrape with every default collector
// of a device with 10 VDOMs, about 4,000 interfaces, 10,000 firewall policies
// and 2,000 IPsec tunnels. The simulator runs in the same process, so the
// figures include the server's side of HTTPS and its reply building.
func BenchmarkScrapeLargeDevice(b *testing.B) {
	device := startLargeDevice(b, fixtures.LargeDevice())

	// The first scrape logs in and checks that every collector works.
	first := device.scrape(b)
	if !first.up || len(first.failed) > 0 {
		b.Fatalf("first scrape: up %v, failed collectors %v", first.up, first.failed)
	}
	requestsBefore := device.requests()
	cpuBefore, haveCPU := processCPUTime()

	var last scrapeResult
	b.ReportAllocs()
	for b.Loop() {
		last = device.scrape(b)
	}
	if len(last.failed) > 0 {
		b.Fatalf("failed collectors: %v", last.failed)
	}
	requests := device.requests() - requestsBefore
	b.ReportMetric(float64(last.series), "series/scrape")
	b.ReportMetric(float64(requests)/float64(b.N), "requests/scrape")
	// CPU time varies less than ns/op on a loaded machine. It counts every
	// goroutine of the process: collectors, simulator, TLS and GC.
	if cpuAfter, ok := processCPUTime(); ok && haveCPU {
		b.ReportMetric((cpuAfter-cpuBefore).Seconds()/float64(b.N), "cpu-s/scrape")
	}

	collectors := make([]string, 0, len(last.durations))
	for name := range last.durations {
		collectors = append(collectors, name)
	}
	slices.SortFunc(collectors, func(x, y string) int {
		switch {
		case last.durations[x] > last.durations[y]:
			return -1
		case last.durations[x] < last.durations[y]:
			return 1
		}
		return 0
	})
	for _, name := range collectors[:min(5, len(collectors))] {
		b.Logf("last scrape: %s took %.3fs", name, last.durations[name])
	}
}

// BenchmarkScrapeLargeDevicePolicies measures one scrape of the
// firewall_policy collector alone on the device of BenchmarkScrapeLargeDevice.
// The cases read the policy names from the CMDB, get a 403 for that read as an
// admin without the permission does, or filter the policies by ID or by name.
func BenchmarkScrapeLargeDevicePolicies(b *testing.B) {
	cases := []struct {
		name      string
		cmdbFault fixtures.Fault
		filter    *PolicyFilter
	}{
		{name: "names"},
		{name: "cmdb_forbidden", cmdbFault: fixtures.Fault{Status: 403}},
		{name: "filter_5_ids", filter: &PolicyFilter{IDs: []PolicyIDRange{{1, 4}, {1000, 1000}}}},
		{name: "filter_names", filter: &PolicyFilter{
			Names: []*regexp.Regexp{regexp.MustCompile(`^rule-0[0-4]`)}}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			device := startLargeDevice(b, fixtures.LargeDevice())
			device.names = []string{"firewall_policy"}
			device.target.Policies = c.filter
			device.sim.SetFault("cmdb/firewall/policy", c.cmdbFault)

			if first := device.scrape(b); len(first.failed) > 0 {
				b.Fatalf("first scrape: failed collectors %v", first.failed)
			}
			requestsBefore := device.requests()
			var last scrapeResult
			b.ReportAllocs()
			for b.Loop() {
				last = device.scrape(b)
			}
			b.ReportMetric(float64(last.series), "series/scrape")
			b.ReportMetric(float64(device.requests()-requestsBefore)/float64(b.N), "requests/scrape")
		})
	}
}

func TestScrapeLargeDevice(t *testing.T) {
	if testing.Short() {
		t.Skip("scrapes thousands of generated entries over HTTPS")
	}
	// More than 1,000 policies per VDOM, so firewall_policy has to page.
	size := fixtures.DeviceSize{VDOMs: 3, Interfaces: 300, Policies: 3300, Tunnels: 150}
	device := startLargeDevice(t, size)
	res := device.scrape(t)
	if !res.up || len(res.failed) > 0 {
		t.Fatalf("up %v, failed collectors %v", res.up, res.failed)
	}

	// Every policy of the three VDOMs, per IP version: root has 1,100
	// generated policies and the fixture's 1, 2, 3, 4 and 0, dmz and vdom3
	// 1,100 each and the fixture's 10, 11 and 0.
	const wantPolicies = (1105 + 2*1103) * 2
	adapter := &singleCollector{collector: collectorByName(t, "firewall_policy"), target: device.target}
	if n := testutil.CollectAndCount(adapter, "fortigate_policy_active_sessions"); n != wantPolicies {
		t.Errorf("%d fortigate_policy_active_sessions series, expected %d", n, wantPolicies)
	}
	// Every policy but the implicit deny has a name from the CMDB: the 3,300
	// generated ones, 4 fixture policies in root and 2 in each of dmz and vdom3.
	const wantInfo = 3300 + 4 + 2*2
	if n := testutil.CollectAndCount(adapter, "fortigate_policy_info"); n != wantInfo {
		t.Errorf("%d fortigate_policy_info series, expected %d", n, wantInfo)
	}
}

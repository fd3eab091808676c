package collector

import (
	"context"
	"log/slog"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/fortigate-session-exporter/fortigate_session_exporter/fgsession"
	"github.com/fortigate-session-exporter/fortigate_session_exporter/fixtures"
)

// policySeries collects c once and returns the series of metric as
// "vdom/id" or, for the counters, "vdom/id/protocol", sorted. For
// fortigate_policy_info it appends "=name".
func policySeries(t *testing.T, c prometheus.Collector, metric string) []string {
	t.Helper()
	registry := prometheus.NewPedanticRegistry()
	registry.MustRegister(c)
	families, err := registry.Gather()
	if err != nil {
		t.Fatalf("gather: %v", err)
	}
	var out []string
	for _, mf := range families {
		if mf.GetName() != metric {
			continue
		}
		for _, m := range mf.GetMetric() {
			key := labelValue(m, "vdom") + "/" + labelValue(m, "id")
			if p := labelValue(m, "protocol"); p != "" {
				key += "/" + p
			}
			if metric == "fortigate_policy_info" {
				key += "=" + labelValue(m, "name")
			}
			out = append(out, key)
		}
	}
	slices.Sort(out)
	return out
}

// newPolicySim returns a 7.4 simulator of the fixture device, closed when t ends.
func newPolicySim(t *testing.T, opts fixtures.Options) *fixtures.Simulator {
	t.Helper()
	if opts.Release == "" {
		opts.Release = "7.4"
	}
	sim, err := fixtures.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sim.Close)
	return sim
}

func TestFirewallPolicyInfoJoinsByID(t *testing.T) {
	adapter := &singleCollector{
		collector: collectorByName(t, "firewall_policy"),
		target:    &Target{Name: "fw", API: fixtureAPI{sim: newPolicySim(t, fixtures.Options{})}},
	}
	info := policySeries(t, adapter, "fortigate_policy_info")
	want := []string{
		"dmz/10=dmz-web-in", "dmz/11=vpn-partner-dmz",
		"root/1=lan-to-internet", "root/2=vpn-branch-to-lan", "root/3=admin-ssh-mgmt", "root/4=",
	}
	slices.Sort(want)
	if !slices.Equal(info, want) {
		t.Errorf("fortigate_policy_info series %q, want %q", info, want)
	}
	if err := adapter.lastErr(); err != nil {
		t.Fatalf("Update error = %v", err)
	}

	// Every configured policy has statistics, and only the implicit deny has
	// statistics without configuration.
	var unnamed []string
	for _, s := range policySeries(t, adapter, "fortigate_policy_active_sessions") {
		vdom, id, _ := strings.Cut(s, "/")
		id, _, _ = strings.Cut(id, "/")
		if !slices.ContainsFunc(info, func(i string) bool { return strings.HasPrefix(i, vdom+"/"+id+"=") }) {
			unnamed = append(unnamed, s)
		}
	}
	wantUnnamed := []string{"dmz/0/ipv4", "dmz/0/ipv6", "root/0/ipv4", "root/0/ipv6"}
	if !slices.Equal(unnamed, wantUnnamed) {
		t.Errorf("policies with statistics and no info series %q, want %q", unnamed, wantUnnamed)
	}
}

func TestPolicyNamesFailureKeepsStatistics(t *testing.T) {
	tests := []struct {
		name  string
		fault fixtures.Fault
	}{
		{"403 without permission", fixtures.Fault{Status: 403}},
		{"404", fixtures.Fault{Status: 404}},
		{"500", fixtures.Fault{Status: 500}},
		{"reply not JSON", fixtures.Fault{NonJSON: true}},
		{"truncated reply", fixtures.Fault{Truncate: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sim := newPolicySim(t, fixtures.Options{
				Faults: map[string]fixtures.Fault{"cmdb/firewall/policy": tt.fault},
			})
			// The log state is kept per target name and API, so each case
			// has its own name.
			name := "fw-" + strings.ReplaceAll(tt.name, " ", "-")
			target := &Target{Name: name, API: fixtureAPI{sim: sim}}
			var logs logBuffer
			logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))

			// Two scrapes through a Probe, as /probe runs them.
			var success []float64
			for range 2 {
				probe, err := NewProbe(context.Background(), target, []string{"firewall_policy"},
					ProbeOptions{}, logger)
				if err != nil {
					t.Fatal(err)
				}
				if n := testutil.CollectAndCount(probe, "fortigate_policy_info"); n != 0 {
					t.Errorf("%d fortigate_policy_info series, want none", n)
				}
				if n := testutil.CollectAndCount(probe, "fortigate_policy_bytes_total"); n != 8*2 {
					t.Errorf("%d fortigate_policy_bytes_total series, want 16 (8 policies, 2 IP versions)", n)
				}
				success = append(success, testutil.ToFloat64(collectorSuccessGauge(t, probe)))
			}
			if !slices.Equal(success, []float64{1, 1}) {
				t.Errorf("fortigate_scrape_collector_success %v, want 1 on both scrapes", success)
			}

			var failures []map[string]any
			for _, r := range logs.records(t) {
				if strings.HasPrefix(r["msg"].(string), "policy names not read") {
					failures = append(failures, r)
				}
			}
			if len(failures) != 1 {
				t.Fatalf("%d log lines about the CMDB failure in 6 scrapes, want 1", len(failures))
			}
			if level := failures[0]["level"]; level != "DEBUG" {
				t.Errorf("CMDB failure logged at %v, want DEBUG", level)
			}
			if failures[0]["target"] != name || failures[0]["collector"] != "firewall_policy" {
				t.Errorf("CMDB failure log %v lacks target %s and collector firewall_policy",
					failures[0], name)
			}
			if failures[0]["endpoint"] != "cmdb/firewall/policy" {
				t.Errorf("CMDB failure log endpoint %v, want cmdb/firewall/policy", failures[0]["endpoint"])
			}
		})
	}
}

// collectorSuccessGauge returns a collector that sends only the
// fortigate_scrape_collector_success sample of one collect of probe.
func collectorSuccessGauge(t *testing.T, probe prometheus.Collector) prometheus.Collector {
	t.Helper()
	ch := make(chan prometheus.Metric, 1024)
	probe.Collect(ch)
	close(ch)
	for m := range ch {
		if m.Desc() == collectorSuccessMetric.desc {
			return constCollector{m}
		}
	}
	t.Fatal("no fortigate_scrape_collector_success sample")
	return nil
}

// constCollector sends one fixed metric.
type constCollector struct{ metric prometheus.Metric }

func (c constCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.metric.Desc() }
func (c constCollector) Collect(ch chan<- prometheus.Metric) { ch <- c.metric }

func TestPolicyNamesFailureLogsAgain(t *testing.T) {
	sim := newPolicySim(t, fixtures.Options{})
	target := &Target{Name: "fw-recovery", API: fixtureAPI{sim: sim}}
	var logs logBuffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	scrape := func() {
		probe, err := NewProbe(context.Background(), target, []string{"firewall_policy"}, ProbeOptions{}, logger)
		if err != nil {
			t.Fatal(err)
		}
		testutil.CollectAndCount(probe)
	}

	sim.SetFault("cmdb/firewall/policy", fixtures.Fault{Status: 403})
	scrape()
	scrape()
	sim.SetFault("cmdb/firewall/policy", fixtures.Fault{})
	scrape()
	sim.SetFault("cmdb/firewall/policy", fixtures.Fault{Status: 403})
	scrape()

	count := 0
	for _, r := range logs.records(t) {
		if strings.HasPrefix(r["msg"].(string), "policy names not read") {
			count++
		}
	}
	if count != 2 {
		t.Errorf("%d log lines about the CMDB failure, want 2 (before and after the recovery)", count)
	}
}

func TestFirewallPolicyFilter(t *testing.T) {
	// The 7.4 fixture device: root has 1, 2, 3, 4 (unnamed) and 0, dmz has
	// 10, 11 and 0. Names starting with vpn- are 2 in root and 11 in dmz.
	tests := []struct {
		name      string
		filter    *PolicyFilter
		cmdbFault fixtures.Fault
		want      []string
		wantInfo  []string
	}{
		{
			name:     "one ID",
			filter:   &PolicyFilter{IDs: []PolicyIDRange{{2, 2}}},
			want:     []string{"root/2"},
			wantInfo: []string{"root/2=vpn-branch-to-lan"},
		},
		{
			name:     "implicit deny by ID",
			filter:   &PolicyFilter{IDs: []PolicyIDRange{{0, 0}}},
			want:     []string{"dmz/0", "root/0"},
			wantInfo: nil,
		},
		{
			name:     "range over both VDOMs",
			filter:   &PolicyFilter{IDs: []PolicyIDRange{{3, 10}}},
			want:     []string{"dmz/10", "root/3", "root/4"},
			wantInfo: []string{"dmz/10=dmz-web-in", "root/3=admin-ssh-mgmt", "root/4="},
		},
		{
			name:     "IDs and a range past the request limit",
			filter:   &PolicyFilter{IDs: []PolicyIDRange{{0, 1}, {10, 20}}},
			want:     []string{"dmz/0", "dmz/10", "dmz/11", "root/0", "root/1"},
			wantInfo: []string{"dmz/10=dmz-web-in", "dmz/11=vpn-partner-dmz", "root/1=lan-to-internet"},
		},
		{
			name:     "names",
			filter:   &PolicyFilter{Names: []*regexp.Regexp{regexp.MustCompile("^vpn-")}},
			want:     []string{"dmz/11", "root/2"},
			wantInfo: []string{"dmz/11=vpn-partner-dmz", "root/2=vpn-branch-to-lan"},
		},
		{
			name:     "unnamed policies by name",
			filter:   &PolicyFilter{Names: []*regexp.Regexp{regexp.MustCompile("^$")}},
			want:     []string{"root/4"},
			wantInfo: []string{"root/4="},
		},
		{
			name: "names or IDs",
			filter: &PolicyFilter{IDs: []PolicyIDRange{{0, 0}},
				Names: []*regexp.Regexp{regexp.MustCompile("web"), regexp.MustCompile("ssh")}},
			want:     []string{"dmz/0", "dmz/10", "root/0", "root/3"},
			wantInfo: []string{"dmz/10=dmz-web-in", "root/3=admin-ssh-mgmt"},
		},
		{
			name: "names without CMDB permission",
			filter: &PolicyFilter{IDs: []PolicyIDRange{{1, 1}},
				Names: []*regexp.Regexp{regexp.MustCompile("^vpn-")}},
			cmdbFault: fixtures.Fault{Status: 403},
			want:      []string{"root/1"},
			wantInfo:  nil,
		},
		{
			name:     "ID that no VDOM has",
			filter:   &PolicyFilter{IDs: []PolicyIDRange{{99, 99}}},
			want:     nil,
			wantInfo: nil,
		},
		{
			name:   "no filter",
			filter: nil,
			want:   []string{"dmz/0", "dmz/10", "dmz/11", "root/0", "root/1", "root/2", "root/3", "root/4"},
			wantInfo: []string{"dmz/10=dmz-web-in", "dmz/11=vpn-partner-dmz", "root/1=lan-to-internet",
				"root/2=vpn-branch-to-lan", "root/3=admin-ssh-mgmt", "root/4="},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := fixtures.Options{}
			if tt.cmdbFault != (fixtures.Fault{}) {
				opts.Faults = map[string]fixtures.Fault{"cmdb/firewall/policy": tt.cmdbFault}
			}
			adapter := &singleCollector{
				collector: collectorByName(t, "firewall_policy"),
				target: &Target{Name: "fw", API: fixtureAPI{sim: newPolicySim(t, opts)},
					Policies: tt.filter},
			}

			var want []string
			for _, p := range tt.want {
				want = append(want, p+"/ipv4", p+"/ipv6")
			}
			slices.Sort(want)
			got := policySeries(t, adapter, "fortigate_policy_packets_total")
			if err := adapter.lastErr(); err != nil {
				t.Fatalf("Update error = %v", err)
			}
			if !slices.Equal(got, want) {
				t.Errorf("fortigate_policy_packets_total series %q, want %q", got, want)
			}
			wantInfo := slices.Sorted(slices.Values(tt.wantInfo))
			if info := policySeries(t, adapter, "fortigate_policy_info"); !slices.Equal(info, wantInfo) {
				t.Errorf("fortigate_policy_info series %q, want %q", info, wantInfo)
			}
		})
	}
}

func TestFirewallPolicyFilterRequests(t *testing.T) {
	const statsFormat = "policyid|active_sessions|bytes|packets|hit_count|last_used"
	tests := []struct {
		name   string
		filter *PolicyFilter
		// want lists the requests as endpoint, then the query parameters
		// that the test checks, each as name=value.
		want [][]string
	}{
		{
			name:   "few IDs by policyid",
			filter: &PolicyFilter{IDs: []PolicyIDRange{{2, 2}, {10, 11}}},
			want: [][]string{
				{"cmdb/firewall/policy", "filter=policyid==2,policyid==10,policyid==11",
					"format=policyid|name|uuid", "vdom=*"},
				{"firewall/policy", "policyid=2", "ip_version=ipv4", "format=" + statsFormat, "start=", "vdom=*"},
				{"firewall/policy", "policyid=10", "ip_version=ipv4"},
				{"firewall/policy", "policyid=11", "ip_version=ipv4"},
				{"firewall/policy", "policyid=2", "ip_version=ipv6"},
				{"firewall/policy", "policyid=10", "ip_version=ipv6"},
				{"firewall/policy", "policyid=11", "ip_version=ipv6"},
			},
		},
		{
			name:   "more IDs than the request limit",
			filter: &PolicyFilter{IDs: []PolicyIDRange{{1, 6}}},
			want: [][]string{
				{"cmdb/firewall/policy", "filter="},
				{"firewall/policy", "policyid=", "ip_version=ipv4", "start=0"},
				{"firewall/policy", "policyid=", "ip_version=ipv6", "start=0"},
			},
		},
		{
			name:   "IDs and names",
			filter: &PolicyFilter{IDs: []PolicyIDRange{{2, 2}}, Names: []*regexp.Regexp{regexp.MustCompile("x")}},
			want: [][]string{
				{"cmdb/firewall/policy", "filter="},
				{"firewall/policy", "policyid=", "ip_version=ipv4", "start=0"},
				{"firewall/policy", "policyid=", "ip_version=ipv6", "start=0"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := &recordingAPI{API: fixtureAPI{sim: newPolicySim(t, fixtures.Options{})}}
			adapter := &singleCollector{
				collector: collectorByName(t, "firewall_policy"),
				target:    &Target{Name: "fw", API: api, Policies: tt.filter},
			}
			testutil.CollectAndCount(adapter)
			if err := adapter.lastErr(); err != nil {
				t.Fatalf("Update error = %v", err)
			}

			got := api.requests()
			if len(got) != len(tt.want) {
				t.Fatalf("%d requests %v, want %d", len(got), got, len(tt.want))
			}
			for i, want := range tt.want {
				if got[i].endpoint != want[0] {
					t.Errorf("request %d: endpoint %s, want %s", i, got[i].endpoint, want[0])
				}
				for _, param := range want[1:] {
					name, value, _ := strings.Cut(param, "=")
					if v := got[i].query.Get(name); v != value {
						t.Errorf("request %d (%s): %s=%q, want %q", i, got[i].endpoint, name, v, value)
					}
				}
			}
		})
	}
}

func TestFirewallPolicyDeviceIgnoresPolicyID(t *testing.T) {
	// A release that ignores policyid sends every policy to every request,
	// and the collector keeps only the requested one from each.
	all := `[{"results":[{"policyid":1,"bytes":10},{"policyid":2,"bytes":20},{"policyid":0,"bytes":5}],` +
		`"vdom":"root"}]`
	api := &fakeAPI{replies: map[string]reply{firewallPolicyEndpoint: {body: all}}}
	c := collectorByName(t, "firewall_policy")
	adapter := &singleCollector{collector: c, target: &Target{Name: "fw", API: api,
		Policies: &PolicyFilter{IDs: []PolicyIDRange{{1, 2}}}}}

	want := `
		fortigate_policy_bytes_total{id="1",protocol="ipv4",vdom="root"} 10
		fortigate_policy_bytes_total{id="1",protocol="ipv6",vdom="root"} 10
		fortigate_policy_bytes_total{id="2",protocol="ipv4",vdom="root"} 20
		fortigate_policy_bytes_total{id="2",protocol="ipv6",vdom="root"} 20
	`
	err := testutil.CollectAndCompare(adapter, strings.NewReader(exposition(c, want)),
		"fortigate_policy_bytes_total")
	if err != nil {
		t.Fatal(err)
	}
	if err := adapter.lastErr(); err != nil {
		t.Fatalf("Update error = %v", err)
	}
}

func TestFirewallPolicyByIDReplies(t *testing.T) {
	policyQuery := func(id, protocol string) string {
		return "firewall/policy?format=policyid%7Cactive_sessions%7Cbytes%7Cpackets%7Chit_count%7Clast_used" +
			"&ip_version=" + protocol + "&policyid=" + id + "&vdom=%2A"
	}
	both := func(id string, r reply) map[string]reply {
		return map[string]reply{policyQuery(id, "ipv4"): r, policyQuery(id, "ipv6"): r}
	}
	merge := func(maps ...map[string]reply) map[string]reply {
		out := map[string]reply{}
		for _, m := range maps {
			for k, v := range m {
				out[k] = v
			}
		}
		return out
	}
	found := reply{body: `[{"results":[{"policyid":1,"bytes":10}],"vdom":"root"},` +
		`{"status":"error","http_status":404,"vdom":"dmz"}]`}
	tests := []struct {
		name            string
		replies         map[string]reply
		want            string
		wantErr         string
		wantUnsupported bool
	}{
		{
			name:    "404 envelope of one VDOM",
			replies: both("1", found),
			want: `fortigate_policy_bytes_total{id="1",protocol="ipv4",vdom="root"} 10
				fortigate_policy_bytes_total{id="1",protocol="ipv6",vdom="root"} 10`,
		},
		{
			name: "403 envelope of one VDOM",
			replies: both("1", reply{body: `[{"results":[{"policyid":1,"bytes":10}],"vdom":"root"},` +
				`{"status":"error","http_status":403,"vdom":"dmz"}]`}),
			wantErr: `decode firewall/policy reply: field [1].status: FortiOS reported an error for VDOM "dmz"`,
		},
		{
			name: "HTTP 404 for one of two IDs",
			replies: merge(both("1", found),
				both("2", reply{status: 404, body: `{"status":"error","http_status":404}`})),
			want: `fortigate_policy_bytes_total{id="1",protocol="ipv4",vdom="root"} 10
				fortigate_policy_bytes_total{id="1",protocol="ipv6",vdom="root"} 10`,
		},
		{
			name:            "HTTP 404 for every ID",
			replies:         map[string]reply{},
			wantUnsupported: true,
		},
		{
			name:    "HTTP 500",
			replies: merge(both("1", found), both("2", reply{status: 500, body: `{"status":"error"}`})),
			wantErr: "HTTP 500",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := collectorByName(t, "firewall_policy")
			api := &fakeAPI{replies: tt.replies}
			adapter := &singleCollector{collector: c, target: &Target{Name: "fw", API: api,
				Policies: &PolicyFilter{IDs: []PolicyIDRange{{1, 2}}}}}

			err := testutil.CollectAndCompare(adapter, strings.NewReader(exposition(c, tt.want)),
				"fortigate_policy_bytes_total")
			got := adapter.lastErr()
			switch {
			case tt.wantUnsupported:
				if !fgsession.IsUnsupported(got) {
					t.Fatalf("Update error = %v, want an unsupported endpoint", got)
				}
			case tt.wantErr != "":
				if got == nil || !strings.Contains(got.Error(), tt.wantErr) {
					t.Fatalf("Update error = %v, want it to contain %q", got, tt.wantErr)
				}
			default:
				if got != nil {
					t.Fatalf("Update error = %v", got)
				}
				if err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

func TestPolicyFilterListedIDs(t *testing.T) {
	tests := []struct {
		name   string
		filter *PolicyFilter
		want   []int64
	}{
		{"nil filter", nil, nil},
		{"IDs", &PolicyFilter{IDs: []PolicyIDRange{{7, 7}, {1, 2}}}, []int64{7, 1, 2}},
		{"at the limit", &PolicyFilter{IDs: []PolicyIDRange{{1, 3}, {8, 9}}}, []int64{1, 2, 3, 8, 9}},
		{"past the limit", &PolicyFilter{IDs: []PolicyIDRange{{1, 3}, {8, 10}}}, nil},
		{"wide range", &PolicyFilter{IDs: []PolicyIDRange{{0, 4294967295}}}, nil},
		{"with names", &PolicyFilter{IDs: []PolicyIDRange{{1, 1}},
			Names: []*regexp.Regexp{regexp.MustCompile("a")}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.filter.listedIDs(5); !slices.Equal(got, tt.want) {
				t.Errorf("listedIDs(5) = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestFirewallPolicyNamesOnLargeDevice(t *testing.T) {
	// 2,500 generated policies over root and dmz: root has 1000 to 2249,
	// named rule-00000 to rule-01249, every sixteenth unnamed.
	sim := newPolicySim(t, fixtures.Options{Size: fixtures.DeviceSize{Policies: 2500}})
	c := collectorByName(t, "firewall_policy")
	all := &singleCollector{collector: c, target: &Target{Name: "fw", API: fixtureAPI{sim: sim}}}
	if n := testutil.CollectAndCount(all, "fortigate_policy_info"); n != 2500+6 {
		t.Errorf("%d fortigate_policy_info series, want 2506 (generated and fixture policies)", n)
	}

	filtered := &singleCollector{collector: c, target: &Target{Name: "fw", API: fixtureAPI{sim: sim},
		Policies: &PolicyFilter{Names: []*regexp.Regexp{regexp.MustCompile(`^rule-0000[0-9]$`)}}}}
	want := []string{"root/1000", "root/1001", "root/1002", "root/1003", "root/1004",
		"root/1005", "root/1006", "root/1007", "root/1008", "root/1009"}
	var wantSeries []string
	for _, p := range want {
		wantSeries = append(wantSeries, p+"/ipv4", p+"/ipv6")
	}
	if got := policySeries(t, filtered, "fortigate_policy_active_sessions"); !slices.Equal(got, wantSeries) {
		t.Errorf("series %q, want %q", got, wantSeries)
	}
	if err := filtered.lastErr(); err != nil {
		t.Fatalf("Update error = %v", err)
	}
}

func FuzzFirewallPolicyByID(f *testing.F) {
	addFixtureSeeds(f, firewallPolicyEndpoint)
	addFixtureSeeds(f, firewallPolicyConfigEndpoint)
	for _, seed := range quirkSeeds {
		f.Add([]byte(seed))
	}
	f.Add([]byte(`[{"results":[{"policyid":1}],"vdom":"root"},{"status":"error","http_status":404,"vdom":"dmz"}]`))
	f.Add([]byte(`[{"status":"error","http_status":"404"},7,null]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		_, err := parseSelectedPolicies(body)
		checkDecodeResult(t, err)
	})
}

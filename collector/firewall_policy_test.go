package collector

import (
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

// firewallPolicyQuery is the query of the first page of each IP version
// before ip_version and vdom, URL-encoded and sorted as url.Values.Encode
// writes it.
const firewallPolicyQuery = "count=1000&format=policyid%7Cactive_sessions%7Cbytes%7Cpackets%7Chit_count%7Clast_used"

const (
	firewallPolicyIPv4Request = "firewall/policy?" + firewallPolicyQuery + "&ip_version=ipv4&start=0&vdom=%2A"
	firewallPolicyIPv6Request = "firewall/policy?" + firewallPolicyQuery + "&ip_version=ipv6&start=0&vdom=%2A"
)

// NOTE: the simulator serves the same fixture file for ip_version=ipv4 and
// ipv6, so the golden files have equal counters for both protocols.
func TestFirewallPolicyGolden(t *testing.T) {
	for _, release := range []string{"7.0", "7.4"} {
		t.Run(release, func(t *testing.T) { checkGolden(t, "firewall_policy", release) })
	}
}

func TestFirewallPolicyQuirks(t *testing.T) {
	tests := []struct {
		name    string
		ipv4    string
		ipv6    string
		want    string
		wantErr string
	}{
		{
			name: "implicit deny, unused policy and IPv6 counters",
			ipv4: `[{"results":[{"policyid":0,"active_sessions":0,"bytes":100,"packets":2},
				{"policyid":5,"active_sessions":"3","bytes":5e15,"packets":9,"hit_count":4,
				 "last_used":1749722399},
				{"policyid":6,"active_sessions":0,"bytes":0,"packets":0,"last_used":0}],"vdom":"root"}]`,
			ipv6: `[{"results":[{"policyid":5,"active_sessions":1,"bytes":7,"packets":1}],"vdom":"root"}]`,
			want: `
				fortigate_policy_active_sessions{id="0",protocol="ipv4",vdom="root"} 0
				fortigate_policy_active_sessions{id="5",protocol="ipv4",vdom="root"} 3
				fortigate_policy_active_sessions{id="5",protocol="ipv6",vdom="root"} 1
				fortigate_policy_active_sessions{id="6",protocol="ipv4",vdom="root"} 0
				fortigate_policy_bytes_total{id="0",protocol="ipv4",vdom="root"} 100
				fortigate_policy_bytes_total{id="5",protocol="ipv4",vdom="root"} 5e+15
				fortigate_policy_bytes_total{id="5",protocol="ipv6",vdom="root"} 7
				fortigate_policy_bytes_total{id="6",protocol="ipv4",vdom="root"} 0
				fortigate_policy_hit_count_total{id="5",protocol="ipv4",vdom="root"} 4
				fortigate_policy_last_used_timestamp_seconds{id="5",protocol="ipv4",vdom="root"} 1.749722399e+09
				fortigate_policy_packets_total{id="0",protocol="ipv4",vdom="root"} 2
				fortigate_policy_packets_total{id="5",protocol="ipv4",vdom="root"} 9
				fortigate_policy_packets_total{id="5",protocol="ipv6",vdom="root"} 1
				fortigate_policy_packets_total{id="6",protocol="ipv4",vdom="root"} 0
			`,
		},
		{
			name: "entry without policyid is skipped",
			ipv4: `[{"results":[{"active_sessions":1,"bytes":2,"packets":3}],"vdom":"root"}]`,
			ipv6: `[{"results":[],"vdom":"root"},{"results":{},"vdom":"dmz"}]`,
			want: ``,
		},
		{
			name:    "policy id of the wrong type",
			ipv4:    `[{"results":[{"policyid":1},{"policyid":{"id":2}}],"vdom":"root"}]`,
			ipv6:    `[]`,
			wantErr: "decode firewall/policy reply: field results[1].policyid: got object, expected a number",
		},
		{
			name:    "IPv6 reply failing after IPv4",
			ipv4:    `[{"results":[{"policyid":1,"bytes":1}],"vdom":"root"}]`,
			ipv6:    `[{"results":"x","vdom":"root"}]`,
			want:    `fortigate_policy_bytes_total{id="1",protocol="ipv4",vdom="root"} 1`,
			wantErr: `decode firewall/policy reply: field results: got string "x", expected an array`,
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := collectorByName(t, "firewall_policy")
			api := &fakeAPI{replies: map[string]reply{
				firewallPolicyIPv4Request: {body: tt.ipv4},
				firewallPolicyIPv6Request: {body: tt.ipv6},
			}}
			adapter := &singleCollector{collector: c, target: &Target{Name: "fw", API: api}}

			err := testutil.CollectAndCompare(adapter, strings.NewReader(exposition(c, tt.want)))
			if tt.wantErr != "" {
				if got := adapter.lastErr(); got == nil || !strings.Contains(got.Error(), tt.wantErr) {
					t.Fatalf("Update error = %v, want it to contain %q", got, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := adapter.lastErr(); got != nil {
				t.Fatalf("Update error = %v", got)
			}
		})
	}
}

func TestFirewallPolicyRequests(t *testing.T) {
	api := &fakeAPI{replies: map[string]reply{firewallPolicyEndpoint: {body: `[]`}}}
	adapter := &singleCollector{
		collector: collectorByName(t, "firewall_policy"),
		target:    &Target{Name: "fw", API: api, VDOMs: []string{"dmz"}},
	}
	testutil.CollectAndCount(adapter)

	got := api.requestList()
	want := []string{
		"cmdb/firewall/policy?format=policyid%7Cname%7Cuuid&vdom=dmz",
		"firewall/policy?" + firewallPolicyQuery + "&ip_version=ipv4&start=0&vdom=dmz",
		"firewall/policy?" + firewallPolicyQuery + "&ip_version=ipv6&start=0&vdom=dmz",
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("requests = %q, want %q", got, want)
	}
}

func TestFirewallPolicyUnsupported(t *testing.T) { checkUnsupported(t, "firewall_policy") }

func FuzzFirewallPolicy(f *testing.F) {
	addFixtureSeeds(f, firewallPolicyEndpoint)
	for _, seed := range quirkSeeds {
		f.Add([]byte(seed))
	}
	f.Add([]byte(`[{"results":[{"policyid":"7","last_used":-1,"hit_count":"1e3"}],"vdom":"root"}]`))
	f.Fuzz(func(t *testing.T, body []byte) { fuzzCollector(t, "firewall_policy", body) })
}

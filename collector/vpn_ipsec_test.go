package collector

import (
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

const ipsecRequest = "vpn/ipsec?vdom=%2A"

func TestIPsecGolden(t *testing.T) {
	for _, release := range []string{"7.0", "7.4"} {
		t.Run(release, func(t *testing.T) { checkGolden(t, "vpn_ipsec", release) })
	}
}

func TestIPsecQuirks(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		want    string
		wantErr string
	}{
		{
			name: "phase 2 entries sharing a name and a down phase 2 without bytes",
			body: `[{"results":[{"name":"hq","type":"automatic","rgwy":"192.0.2.1",
				"incoming_bytes":300,"outgoing_bytes":"400","proxyid":[
				{"p2name":"hq","p2serial":1,"status":"up","expire":100,"incoming_bytes":30,
				 "outgoing_bytes":40,"proxy_src":[{"subnet":"10.0.0.0\/255.0.0.0"}],
				 "proxy_dst":[{"subnet":"10.9.0.1-10.9.0.9"}]},
				{"p2name":"hq","p2serial":2,"status":"down","proxy_src":[],"proxy_dst":[]}]}],
				"vdom":"root"}]`,
			want: `
				fortigate_ipsec_phase2_expire_seconds{phase2="hq",phase2_serial="1",tunnel="hq",vdom="root"} 100
				fortigate_ipsec_phase2_info{destination="10.9.0.1-10.9.0.9",phase2="hq",phase2_serial="1",source="10.0.0.0/255.0.0.0",tunnel="hq",vdom="root"} 1
				fortigate_ipsec_phase2_info{destination="",phase2="hq",phase2_serial="2",source="",tunnel="hq",vdom="root"} 1
				fortigate_ipsec_phase2_receive_bytes_total{phase2="hq",phase2_serial="1",tunnel="hq",vdom="root"} 30
				fortigate_ipsec_phase2_transmit_bytes_total{phase2="hq",phase2_serial="1",tunnel="hq",vdom="root"} 40
				fortigate_ipsec_phase2_up{phase2="hq",phase2_serial="1",tunnel="hq",vdom="root"} 1
				fortigate_ipsec_phase2_up{phase2="hq",phase2_serial="2",tunnel="hq",vdom="root"} 0
				fortigate_ipsec_tunnel_info{parent="",remote_gateway="192.0.2.1",tunnel="hq",type="automatic",vdom="root"} 1
				fortigate_ipsec_tunnel_receive_bytes_total{tunnel="hq",vdom="root"} 300
				fortigate_ipsec_tunnel_transmit_bytes_total{tunnel="hq",vdom="root"} 400
				fortigate_ipsec_tunnel_up{tunnel="hq",vdom="root"} 1
			`,
		},
		{
			name: "dialup template without selectors has no up sample",
			body: `[{"results":[{"name":"dial","type":"dialup","rgwy":"0.0.0.0",
				"incoming_bytes":0,"outgoing_bytes":0,"proxyid":[]}],"vdom":"root"}]`,
			want: `
				fortigate_ipsec_tunnel_info{parent="",remote_gateway="0.0.0.0",tunnel="dial",type="dialup",vdom="root"} 1
				fortigate_ipsec_tunnel_receive_bytes_total{tunnel="dial",vdom="root"} 0
				fortigate_ipsec_tunnel_transmit_bytes_total{tunnel="dial",vdom="root"} 0
			`,
		},
		{
			name: "all phase 2 down and status in upper case",
			body: `{"results":[{"name":"b","rgwy":"192.0.2.2","proxyid":
				{"p2name":"b","p2serial":"7","status":"DOWN"}}],"vdom":"dmz"}`,
			want: `
				fortigate_ipsec_phase2_info{destination="",phase2="b",phase2_serial="7",source="",tunnel="b",vdom="dmz"} 1
				fortigate_ipsec_phase2_up{phase2="b",phase2_serial="7",tunnel="b",vdom="dmz"} 0
				fortigate_ipsec_tunnel_info{parent="",remote_gateway="192.0.2.2",tunnel="b",type="",vdom="dmz"} 1
				fortigate_ipsec_tunnel_up{tunnel="b",vdom="dmz"} 0
			`,
		},
		{
			name: "empty VDOMs",
			body: `[{"results":[],"vdom":"root"},{"results":{},"vdom":"dmz"},{"vdom":"lab"}]`,
			want: ``,
		},
		{
			name:    "byte counter of the wrong type names the tunnel",
			body:    `[{"results":[{"name":"a"},{"name":"b","incoming_bytes":{"v":1}}],"vdom":"root"}]`,
			wantErr: "decode vpn/ipsec reply: field results[1].incoming_bytes: got object, expected a number",
		},
		{
			name:    "phase 2 field of the wrong type",
			body:    `[{"results":[{"name":"a","proxyid":[{"p2name":"a","expire":true}]}],"vdom":"root"}]`,
			wantErr: "field results[0].proxyid.expire: got boolean true, expected a number",
		},
		{
			name:    "error envelope",
			body:    `[{"status":"error","vdom":"dmz","http_status":403}]`,
			wantErr: `decode vpn/ipsec reply: field [0].status: FortiOS reported an error for VDOM "dmz"`,
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := collectorByName(t, "vpn_ipsec")
			api := &fakeAPI{replies: map[string]reply{ipsecRequest: {body: tt.body}}}
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

func TestIPsecRequestsConfiguredVDOMs(t *testing.T) {
	api := &fakeAPI{replies: map[string]reply{ipsecEndpoint: {body: `[]`}}}
	adapter := &singleCollector{
		collector: collectorByName(t, "vpn_ipsec"),
		target:    &Target{Name: "fw", API: api, VDOMs: []string{"root", "dmz"}},
	}
	testutil.CollectAndCount(adapter)

	got := api.requestList()
	if len(got) != 1 || got[0] != "vpn/ipsec?vdom=root%2Cdmz" {
		t.Fatalf("requests = %q, want one request of vpn/ipsec?vdom=root%%2Cdmz", got)
	}
}

func TestIPsecUnsupported(t *testing.T) { checkUnsupported(t, "vpn_ipsec") }

func FuzzIPsec(f *testing.F) {
	addFixtureSeeds(f, ipsecEndpoint)
	for _, seed := range quirkSeeds {
		f.Add([]byte(seed))
	}
	f.Add([]byte(`{"results":{"name":"a","proxyid":{"p2serial":"1","status":"up"}}}`))
	f.Add([]byte(`[{"results":[{"proxyid":[{"proxy_src":{"subnet":1}}]}],"vdom":"root"}]`))
	f.Add([]byte(`[{"results":[{"name":"a","proxyid":[{"p2serial":1e300,"expire":"-1"}]}]}]`))
	f.Fuzz(func(t *testing.T, body []byte) { fuzzCollector(t, "vpn_ipsec", body) })
}

package collector

import (
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

const virtualWANRequest = "virtual-wan/health-check?vdom=%2A"

func TestVirtualWANHealthCheckGolden(t *testing.T) {
	for _, release := range []string{"7.0", "7.4"} {
		t.Run(release, func(t *testing.T) { checkGolden(t, "virtual_wan_health_check", release) })
	}
}

func TestVirtualWANHealthCheckQuirks(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		want    string
		wantErr string
	}{
		{
			name: "member up with units converted",
			body: `[{"results":{"Internet ping":{"wan1":{"status":"up","latency":4.5,"jitter":"0.25",
				"packet_loss":1.5,"packet_sent":200,"packet_received":197,"sla_targets_met":[1,3],
				"session":12,"tx_bandwidth":8000,"rx_bandwidth":16000,"state_changed":1749301234}}},
				"vdom":"root"}]`,
			want: `
				fortigate_virtual_wan_active_sessions{interface="wan1",parent="",sla="Internet ping",vdom="root"} 12
				fortigate_virtual_wan_bandwidth_rx_byte_per_second{interface="wan1",parent="",sla="Internet ping",vdom="root"} 2000
				fortigate_virtual_wan_bandwidth_tx_byte_per_second{interface="wan1",parent="",sla="Internet ping",vdom="root"} 1000
				fortigate_virtual_wan_latency_jitter_seconds{interface="wan1",parent="",sla="Internet ping",vdom="root"} 0.00025
				fortigate_virtual_wan_latency_seconds{interface="wan1",parent="",sla="Internet ping",vdom="root"} 0.0045
				fortigate_virtual_wan_packet_loss_ratio{interface="wan1",parent="",sla="Internet ping",vdom="root"} 0.015
				fortigate_virtual_wan_packet_received_total{interface="wan1",parent="",sla="Internet ping",vdom="root"} 197
				fortigate_virtual_wan_packet_sent_total{interface="wan1",parent="",sla="Internet ping",vdom="root"} 200
				fortigate_virtual_wan_sla_targets_met{interface="wan1",parent="",sla="Internet ping",vdom="root"} 2
				fortigate_virtual_wan_status{interface="wan1",parent="",sla="Internet ping",state="disable",vdom="root"} 0
				fortigate_virtual_wan_status{interface="wan1",parent="",sla="Internet ping",state="down",vdom="root"} 0
				fortigate_virtual_wan_status{interface="wan1",parent="",sla="Internet ping",state="error",vdom="root"} 0
				fortigate_virtual_wan_status{interface="wan1",parent="",sla="Internet ping",state="n/a",vdom="root"} 0
				fortigate_virtual_wan_status{interface="wan1",parent="",sla="Internet ping",state="up",vdom="root"} 1
				fortigate_virtual_wan_status_change_time_seconds{interface="wan1",parent="",sla="Internet ping",vdom="root"} 1.749301234e+09
				fortigate_virtual_wan_up{interface="wan1",parent="",sla="Internet ping",vdom="root"} 1
			`,
		},
		{
			name: "disabled member has only status",
			body: `[{"results":{"hc":{"wan2":{"status":"disable"}}},"vdom":"root"}]`,
			want: `
				fortigate_virtual_wan_status{interface="wan2",parent="",sla="hc",state="disable",vdom="root"} 1
				fortigate_virtual_wan_status{interface="wan2",parent="",sla="hc",state="down",vdom="root"} 0
				fortigate_virtual_wan_status{interface="wan2",parent="",sla="hc",state="error",vdom="root"} 0
				fortigate_virtual_wan_status{interface="wan2",parent="",sla="hc",state="n/a",vdom="root"} 0
				fortigate_virtual_wan_status{interface="wan2",parent="",sla="hc",state="up",vdom="root"} 0
				fortigate_virtual_wan_up{interface="wan2",parent="",sla="hc",vdom="root"} 0
			`,
		},
		{
			name: "child interface and unknown state",
			body: `{"results":{"hc":{"hub":{"status":"Probing","sla_targets_met":[],
				"child_intfs":{"hub_0":{"status":"up","latency":2}}}}},"vdom":"root"}`,
			want: `
				fortigate_virtual_wan_latency_seconds{interface="hub_0",parent="hub",sla="hc",vdom="root"} 0.002
				fortigate_virtual_wan_sla_targets_met{interface="hub",parent="",sla="hc",vdom="root"} 0
				fortigate_virtual_wan_status{interface="hub",parent="",sla="hc",state="disable",vdom="root"} 0
				fortigate_virtual_wan_status{interface="hub",parent="",sla="hc",state="down",vdom="root"} 0
				fortigate_virtual_wan_status{interface="hub",parent="",sla="hc",state="error",vdom="root"} 0
				fortigate_virtual_wan_status{interface="hub",parent="",sla="hc",state="n/a",vdom="root"} 0
				fortigate_virtual_wan_status{interface="hub",parent="",sla="hc",state="probing",vdom="root"} 1
				fortigate_virtual_wan_status{interface="hub",parent="",sla="hc",state="up",vdom="root"} 0
				fortigate_virtual_wan_status{interface="hub_0",parent="hub",sla="hc",state="disable",vdom="root"} 0
				fortigate_virtual_wan_status{interface="hub_0",parent="hub",sla="hc",state="down",vdom="root"} 0
				fortigate_virtual_wan_status{interface="hub_0",parent="hub",sla="hc",state="error",vdom="root"} 0
				fortigate_virtual_wan_status{interface="hub_0",parent="hub",sla="hc",state="n/a",vdom="root"} 0
				fortigate_virtual_wan_status{interface="hub_0",parent="hub",sla="hc",state="up",vdom="root"} 1
				fortigate_virtual_wan_up{interface="hub",parent="",sla="hc",vdom="root"} 0
				fortigate_virtual_wan_up{interface="hub_0",parent="hub",sla="hc",vdom="root"} 1
			`,
		},
		{
			name: "empty VDOMs",
			body: `[{"results":{},"vdom":"root"},{"results":[],"vdom":"dmz"},{"results":{"hc":{}},"vdom":"lab"}]`,
			want: ``,
		},
		{
			name:    "latency of the wrong type names the member",
			body:    `[{"results":{"hc":{"wan1":{"status":"up","latency":[4]}}},"vdom":"root"}]`,
			wantErr: "decode virtual-wan/health-check reply: field results.hc.wan1.latency: got array, expected a number",
		},
		{
			name:    "health check that is not an object",
			body:    `[{"results":{"hc":"up"},"vdom":"root"}]`,
			wantErr: "decode virtual-wan/health-check reply: field results.hc",
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := collectorByName(t, "virtual_wan_health_check")
			api := &fakeAPI{replies: map[string]reply{virtualWANRequest: {body: tt.body}}}
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

func TestVirtualWANHealthCheckUnsupported(t *testing.T) {
	checkUnsupported(t, "virtual_wan_health_check")
}

func FuzzVirtualWANHealthCheck(f *testing.F) {
	addFixtureSeeds(f, virtualWANHealthCheckEndpoint)
	for _, seed := range quirkSeeds {
		f.Add([]byte(seed))
	}
	f.Add([]byte(`{"results":{"hc":{"m":{"child_intfs":{"c":{"child_intfs":{"d":{"status":"up"}}}}}}}}`))
	f.Add([]byte(`{"results":{"hc":{"m":{"sla_targets_met":{"id":1},"latency":"1e400"}}}}`))
	f.Add([]byte(`{"results":{"hc":[{"status":"up"}]}}`))
	f.Fuzz(func(t *testing.T, body []byte) { fuzzCollector(t, "virtual_wan_health_check", body) })
}

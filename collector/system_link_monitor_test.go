package collector

import (
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

const linkMonitorRequest = "system/link-monitor?vdom=%2A"

func TestLinkMonitorGolden(t *testing.T) {
	for _, release := range []string{"7.0", "7.4"} {
		t.Run(release, func(t *testing.T) { checkGolden(t, "system_link_monitor", release) })
	}
}

func TestLinkMonitorQuirks(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		want    string
		wantErr string
	}{
		{
			name: "link up and link in error",
			body: `[{"results":{"gw":{"wan1":{"status":"up","latency":1.2,"jitter":0.1,
				"packet_loss":0,"packet_sent":"10","packet_received":10,"session":3,
				"tx_bandwidth":800,"rx_bandwidth":1600,"state_changed":1749301234}},
				"gw2":{"wan2":{"status":"error"}}},"vdom":"root"}]`,
			want: `
				fortigate_link_active_sessions{link="wan1",monitor="gw",vdom="root"} 3
				fortigate_link_bandwidth_rx_byte_per_second{link="wan1",monitor="gw",vdom="root"} 200
				fortigate_link_bandwidth_tx_byte_per_second{link="wan1",monitor="gw",vdom="root"} 100
				fortigate_link_latency_jitter_seconds{link="wan1",monitor="gw",vdom="root"} 0.0001
				fortigate_link_latency_seconds{link="wan1",monitor="gw",vdom="root"} 0.0012
				fortigate_link_packet_loss_ratio{link="wan1",monitor="gw",vdom="root"} 0
				fortigate_link_packet_received_total{link="wan1",monitor="gw",vdom="root"} 10
				fortigate_link_packet_sent_total{link="wan1",monitor="gw",vdom="root"} 10
				fortigate_link_status{link="wan1",monitor="gw",state="down",vdom="root"} 0
				fortigate_link_status{link="wan1",monitor="gw",state="error",vdom="root"} 0
				fortigate_link_status{link="wan1",monitor="gw",state="unknown",vdom="root"} 0
				fortigate_link_status{link="wan1",monitor="gw",state="up",vdom="root"} 1
				fortigate_link_status{link="wan2",monitor="gw2",state="down",vdom="root"} 0
				fortigate_link_status{link="wan2",monitor="gw2",state="error",vdom="root"} 1
				fortigate_link_status{link="wan2",monitor="gw2",state="unknown",vdom="root"} 0
				fortigate_link_status{link="wan2",monitor="gw2",state="up",vdom="root"} 0
				fortigate_link_status_change_time_seconds{link="wan1",monitor="gw",vdom="root"} 1.749301234e+09
				fortigate_link_up{link="wan1",monitor="gw",vdom="root"} 1
				fortigate_link_up{link="wan2",monitor="gw2",vdom="root"} 0
			`,
		},
		{
			name: "child interfaces are left out without a parent label",
			body: `{"results":{"gw":{"wan1":{"child_intfs":{"x":{"status":"up"}}}}},"vdom":"root"}`,
			want: ``,
		},
		{
			name: "VDOM without link monitors",
			body: `[{"results":{},"vdom":"root"},{"results":{},"vdom":"dmz"}]`,
			want: ``,
		},
		{
			name:    "status of the wrong type",
			body:    `[{"results":{"gw":{"wan1":{"status":{"up":true}}}},"vdom":"root"}]`,
			wantErr: "decode system/link-monitor reply: field results.gw.wan1.status: got object, expected a string",
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := collectorByName(t, "system_link_monitor")
			api := &fakeAPI{replies: map[string]reply{linkMonitorRequest: {body: tt.body}}}
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

func TestLinkMonitorUnsupported(t *testing.T) { checkUnsupported(t, "system_link_monitor") }

func FuzzLinkMonitor(f *testing.F) {
	addFixtureSeeds(f, linkMonitorEndpoint)
	for _, seed := range quirkSeeds {
		f.Add([]byte(seed))
	}
	f.Add([]byte(`[{"results":{"gw":{"wan1":{"status":"up","packet_loss":"x"}}},"vdom":"root"}]`))
	f.Fuzz(func(t *testing.T, body []byte) { fuzzCollector(t, "system_link_monitor", body) })
}

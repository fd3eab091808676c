package collector

import "testing"

const (
	managedSwitchRequest = "switch-controller/managed-switch/status?vdom=%2A"
	switchPortRequest    = "switch-controller/managed-switch/port-stats?vdom=%2A"
)

func TestSwitchControllerGolden(t *testing.T) {
	for _, release := range []string{"7.0", "7.4"} {
		t.Run(release, func(t *testing.T) { checkGolden(t, "switch_controller", release) })
	}
}

func TestSwitchControllerQuirks(t *testing.T) {
	notFound := reply{status: 404, body: `{"status":"error","http_status":404}`}
	tests := []struct {
		name    string
		replies map[string]reply
		want    string
		wantErr string
	}{
		{
			name: "7.0 shape with name, port_stats and a down port",
			replies: map[string]reply{
				managedSwitchRequest: {body: `[{"results":[{"name":"sw1","serial":"S1",
					"fgt_peer_intf_name":"lacp1","state":"Authorized","status":"Connected",
					"os_version":"v7.0","join_time":"Mon Jun  9 21:10:44 2025\n","max_poe_budget":0,
					"ports":[{"interface":"port1","status":"up","duplex":"full","speed":"1000",
					  "fortilink_port":false,"fortilink-port":false},
					 {"interface":"port2","status":"down","fortilink_port":true,"fortilink-port":true}],
					"port_stats":{"port1":{"tx-bytes":100,"rx-errors":"2"}}}],"vdom":"root"}]`},
				switchPortRequest: notFound,
			},
			want: `
				fortigate_managed_switch_info{fortilink="lacp1",os_version="v7.0",serial="S1",switch="sw1",vdom="root"} 1
				fortigate_managed_switch_max_poe_budget_watts{switch="sw1",vdom="root"} 0
				fortigate_managed_switch_port_speed_bps{port="port1",switch="sw1",vdom="root"} 1e+09
				fortigate_managed_switch_port_status{port="port1",switch="sw1",vdom="root"} 1
				fortigate_managed_switch_port_status{port="port2",switch="sw1",vdom="root"} 0
				fortigate_managed_switch_rx_errors_total{port="port1",switch="sw1",vdom="root"} 2
				fortigate_managed_switch_status_info{state="Authorized",status="Connected",switch="sw1",vdom="root"} 1
				fortigate_managed_switch_tx_bytes_total{port="port1",switch="sw1",vdom="root"} 100
				fortigate_managed_switch_up{switch="sw1",vdom="root"} 1
			`,
		},
		{
			name: "port-stats takes precedence over port_stats",
			replies: map[string]reply{
				managedSwitchRequest: {body: `[{"results":[{"switch-id":"sw2","serial":"S2",
					"status":"Disconnected","port_stats":{"port1":{"tx-bytes":1}}}],"vdom":"root"}]`},
				switchPortRequest: {body: `[{"results":[{"serial":"S2","ports":{"port1":{"tx-bytes":50}}},
					{"serial":"S9","ports":{"port3":{"rx-bytes":7}}}],"vdom":"root"}]`},
			},
			want: `
				fortigate_managed_switch_info{fortilink="",os_version="",serial="S2",switch="sw2",vdom="root"} 1
				fortigate_managed_switch_rx_bytes_total{port="port3",switch="S9",vdom="root"} 7
				fortigate_managed_switch_status_info{state="",status="Disconnected",switch="sw2",vdom="root"} 1
				fortigate_managed_switch_tx_bytes_total{port="port1",switch="sw2",vdom="root"} 50
				fortigate_managed_switch_up{switch="sw2",vdom="root"} 0
			`,
		},
		{
			name: "no switches",
			replies: map[string]reply{
				managedSwitchRequest: {body: `[{"results":[],"vdom":"root"},{"results":[],"vdom":"dmz"}]`},
				switchPortRequest:    {body: `[{"results":[],"vdom":"root"},{"results":[],"vdom":"dmz"}]`},
			},
			want: ``,
		},
		{
			name: "port-stats failing with 500",
			replies: map[string]reply{
				managedSwitchRequest: {body: `[{"results":[],"vdom":"root"}]`},
				switchPortRequest:    {status: 500, body: `{"status":"error","http_status":500}`},
			},
			wantErr: "500",
		},
		{
			name: "counter of the wrong type",
			replies: map[string]reply{
				managedSwitchRequest: {body: `[{"results":[],"vdom":"root"}]`},
				switchPortRequest: {body: `[{"results":[{"serial":"S1",
					"ports":{"port1":{"tx-bytes":"many"}}}],"vdom":"root"}]`},
			},
			wantErr: `decode switch-controller/managed-switch/port-stats reply: field results[0].ports.port1.tx-bytes: got string "many", expected a number`,
		},
		{
			name: "ports as a string",
			replies: map[string]reply{
				managedSwitchRequest: {body: `[{"results":[{"switch-id":"sw1","ports":"none"}],"vdom":"root"}]`},
			},
			wantErr: `field results[0].ports: got string "none", expected an array`,
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkCollector(t, "switch_controller", tt.replies, tt.want, tt.wantErr)
		})
	}
}

func TestSwitchControllerUnsupported(t *testing.T) { checkUnsupported(t, "switch_controller") }

func FuzzParseSwitchController(f *testing.F) {
	addFixtureSeeds(f, managedSwitchEndpoint)
	addFixtureSeeds(f, switchPortEndpoint)
	f.Add([]byte(`[{"results":[{"switch-id":"a","ports":{"interface":"p"},"port_stats":[]}],"vdom":"root"}]`))
	f.Add([]byte(`{"results":{"serial":"S","ports":{"p1":null,"p2":{"tx-bytes":"1"}}}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		_, err := parseManagedSwitches(body)
		checkDecodeResult(t, err)
		_, err = parseSwitchPortStats(body)
		checkDecodeResult(t, err)
	})
}

package collector

import (
	"fmt"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

// loadBalanceRequest is the request of the first page of virtual servers with
// vdom=*.
var loadBalanceRequest = fmt.Sprintf("%s?count=%d&start=0&vdom=%%2A",
	loadBalanceEndpoint, loadBalancePageSize)

func TestLoadBalanceGolden(t *testing.T) {
	for _, release := range []string{"7.0", "7.4"} {
		t.Run(release, func(t *testing.T) { checkGolden(t, "firewall_load_balance", release) })
	}
}

func TestLoadBalanceQuirks(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		want    string
		wantErr string
	}{
		{
			name: "RTT below 1 ms, in ms, unknown and as a number",
			body: `[{"results":[{"virtual_server_name":"vs","virtual_server_ip":"192.0.2.10",
				"virtual_server_port":80,"virtual_server_type":"http","list":[
				{"real_server_ip":"10.0.0.1","real_server_port":80,"real_server_id":1,"RTT":"<1"},
				{"real_server_ip":"10.0.0.2","real_server_port":80,"real_server_id":2,"RTT":"357"},
				{"real_server_ip":"10.0.0.3","real_server_port":80,"real_server_id":3,"RTT":""},
				{"real_server_ip":"10.0.0.4","real_server_port":80,"real_server_id":4,"RTT":12.5}]}],
				"vdom":"root"}]`,
			want: `
				fortigate_lb_real_server_info{id="1",ip="10.0.0.1",port="80",vdom="root",virtual_server="vs"} 1
				fortigate_lb_real_server_info{id="2",ip="10.0.0.2",port="80",vdom="root",virtual_server="vs"} 1
				fortigate_lb_real_server_info{id="3",ip="10.0.0.3",port="80",vdom="root",virtual_server="vs"} 1
				fortigate_lb_real_server_info{id="4",ip="10.0.0.4",port="80",vdom="root",virtual_server="vs"} 1
				fortigate_lb_real_server_rtt_seconds{id="1",vdom="root",virtual_server="vs"} 0.001
				fortigate_lb_real_server_rtt_seconds{id="2",vdom="root",virtual_server="vs"} 0.357
				fortigate_lb_real_server_rtt_seconds{id="4",vdom="root",virtual_server="vs"} 0.0125
				fortigate_lb_virtual_server_info{ip="192.0.2.10",name="vs",port="80",type="http",vdom="root"} 1
			`,
		},
		{
			name: "release before 6.4 without real server id and type",
			body: `[{"results":[{"virtual_server_name":"vs","virtual_server_ip":"192.0.2.10",
				"virtual_server_port":443,"list":[
				{"real_server_ip":"10.0.0.1","real_server_port":443,"status":"up","mode":"active"},
				{"real_server_ip":"2001:db8::1","real_server_port":443,"status":"DOWN","mode":"maintenance"}]}],
				"vdom":"root"}]`,
			want: `
				fortigate_lb_real_server_info{id="10.0.0.1:443",ip="10.0.0.1",port="443",vdom="root",virtual_server="vs"} 1
				fortigate_lb_real_server_info{id="[2001:db8::1]:443",ip="2001:db8::1",port="443",vdom="root",virtual_server="vs"} 1
				fortigate_lb_real_server_mode{id="10.0.0.1:443",mode="active",vdom="root",virtual_server="vs"} 1
				fortigate_lb_real_server_mode{id="10.0.0.1:443",mode="disabled",vdom="root",virtual_server="vs"} 0
				fortigate_lb_real_server_mode{id="10.0.0.1:443",mode="standby",vdom="root",virtual_server="vs"} 0
				fortigate_lb_real_server_mode{id="[2001:db8::1]:443",mode="active",vdom="root",virtual_server="vs"} 0
				fortigate_lb_real_server_mode{id="[2001:db8::1]:443",mode="disabled",vdom="root",virtual_server="vs"} 0
				fortigate_lb_real_server_mode{id="[2001:db8::1]:443",mode="maintenance",vdom="root",virtual_server="vs"} 1
				fortigate_lb_real_server_mode{id="[2001:db8::1]:443",mode="standby",vdom="root",virtual_server="vs"} 0
				fortigate_lb_real_server_status{id="10.0.0.1:443",state="down",vdom="root",virtual_server="vs"} 0
				fortigate_lb_real_server_status{id="10.0.0.1:443",state="unknown",vdom="root",virtual_server="vs"} 0
				fortigate_lb_real_server_status{id="10.0.0.1:443",state="up",vdom="root",virtual_server="vs"} 1
				fortigate_lb_real_server_status{id="[2001:db8::1]:443",state="DOWN",vdom="root",virtual_server="vs"} 1
				fortigate_lb_real_server_status{id="[2001:db8::1]:443",state="down",vdom="root",virtual_server="vs"} 0
				fortigate_lb_real_server_status{id="[2001:db8::1]:443",state="unknown",vdom="root",virtual_server="vs"} 0
				fortigate_lb_real_server_status{id="[2001:db8::1]:443",state="up",vdom="root",virtual_server="vs"} 0
				fortigate_lb_real_server_up{id="10.0.0.1:443",vdom="root",virtual_server="vs"} 1
				fortigate_lb_real_server_up{id="[2001:db8::1]:443",vdom="root",virtual_server="vs"} 0
				fortigate_lb_virtual_server_info{ip="192.0.2.10",name="vs",port="443",type="",vdom="root"} 1
			`,
		},
		{
			name: "counters as strings and real server list as one object",
			body: `{"results":{"virtual_server_name":"vs","list":{"real_server_id":"7",
				"active_sessions":"3","bytes_processed":"1e12"}},"vdom":"dmz"}`,
			want: `
				fortigate_lb_real_server_active_sessions{id="7",vdom="dmz",virtual_server="vs"} 3
				fortigate_lb_real_server_info{id="7",ip="",port="",vdom="dmz",virtual_server="vs"} 1
				fortigate_lb_real_server_processed_bytes_total{id="7",vdom="dmz",virtual_server="vs"} 1e+12
				fortigate_lb_virtual_server_info{ip="",name="vs",port="",type="",vdom="dmz"} 1
			`,
		},
		{
			name: "VDOMs without virtual servers",
			body: `[{"results":[],"vdom":"root"},{"results":{},"vdom":"dmz"},{"vdom":"lab"}]`,
			want: ``,
		},
		{
			name:    "RTT that is not a time",
			body:    `[{"results":[{"virtual_server_name":"vs","list":[{"RTT":"n/a"}]}],"vdom":"root"}]`,
			wantErr: `decode firewall/load-balance reply: field results[0].list.RTT: got string "n/a", expected a number`,
		},
		{
			name:    "RTT as an object",
			body:    `[{"results":[{"list":[{"RTT":{"ms":1}}]}],"vdom":"root"}]`,
			wantErr: "field results[0].list.RTT: got object, expected a number",
		},
		{
			name:    "real server list as a string",
			body:    `[{"results":[{"virtual_server_name":"vs","list":"none"}],"vdom":"root"}]`,
			wantErr: `field results[0].list: got string "none", expected an array`,
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			replies := map[string]reply{loadBalanceRequest: {body: tt.body}}
			checkCollector(t, "firewall_load_balance", replies, tt.want, tt.wantErr)
		})
	}
}

func TestLoadBalancePaging(t *testing.T) {
	servers := make([]string, loadBalancePageSize)
	for i := range servers {
		servers[i] = fmt.Sprintf(`{"virtual_server_name":"vs%d"}`, i)
	}
	fullPage := `[{"results":[` + strings.Join(servers, ",") + `],"vdom":"root"},` +
		`{"results":[],"vdom":"dmz"}]`
	secondPage := fmt.Sprintf("%s?count=%d&start=%d&vdom=root",
		loadBalanceEndpoint, loadBalancePageSize, loadBalancePageSize)
	api := &fakeAPI{replies: map[string]reply{
		loadBalanceRequest: {body: fullPage},
		secondPage:         {body: `{"results":[{"virtual_server_name":"last"}],"vdom":"root"}`},
	}}
	c := collectorByName(t, "firewall_load_balance")
	adapter := &singleCollector{collector: c, target: &Target{Name: "fw", API: api}}

	if got := testutil.CollectAndCount(adapter, namespace+"_lb_virtual_server_info"); got != loadBalancePageSize+1 {
		t.Errorf("collected %d virtual servers, want %d", got, loadBalancePageSize+1)
	}
	if err := adapter.lastErr(); err != nil {
		t.Fatalf("Update error = %v, requests = %q", err, api.requestList())
	}
	if got := len(api.requestList()); got != 2 {
		t.Errorf("sent %d requests (%q), want 2", got, api.requestList())
	}
}

func TestLoadBalanceUnsupported(t *testing.T) { checkUnsupported(t, "firewall_load_balance") }

func FuzzLoadBalance(f *testing.F) {
	addFixtureSeeds(f, loadBalanceEndpoint)
	for _, seed := range quirkSeeds {
		f.Add([]byte(seed))
	}
	f.Add([]byte(`[{"results":[{"list":[{"RTT":"<","real_server_id":null},{"RTT":"<x"},{"RTT":null}]}]}]`))
	f.Add([]byte(`{"results":{"list":[{"RTT":"1e400","real_server_port":"x"},{"RTT":"-3"}]}}`))
	f.Add([]byte(`[{"results":[{"virtual_server_port":1.5,"list":{}}],"vdom":"root"}]`))
	f.Fuzz(func(t *testing.T, body []byte) { fuzzCollector(t, "firewall_load_balance", body) })
}

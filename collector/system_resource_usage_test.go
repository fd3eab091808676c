package collector

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

const (
	usageGlobalRequest = "system/resource/usage?interval=1-min&scope=global"
	usageVDOMRequest   = "system/resource/usage?interval=1-min&vdom=%2A"
)

func TestResourceUsageQuirks(t *testing.T) {
	tests := []struct {
		name    string
		global  string
		perVDOM string
		want    string
		wantErr string
	}{
		{
			name: "cores, strings and floats",
			global: `{"results":{
				"cpu":[{"current":"14","historical":{}},{"current":21.0},{"current":7}],
				"mem":[{"current":56}],"disk":[{"current":"7.5"}],
				"session":[{"current":20633}],"session6":[{"current":449}],
				"setuprate":[{"current":156}],"setuprate6":[{"current":4}],
				"disk_lograte":[{"current":25}],"faz_lograte":[{"current":65}],
				"forticloud_lograte":[{"current":0}]},"vdom":"root"}`,
			perVDOM: `[
				{"results":{"cpu":[{"current":11}],"mem":[{"current":47}],"session":[{"current":18342}],
					"session6":[{"current":412}],"setuprate":[{"current":137}],"setuprate6":[{"current":4}]},
				 "vdom":"root"},
				{"results":{"cpu":[{"current":3}],"mem":[{"current":9}],"session":[{"current":2291}]},
				 "vdom":"dmz"}]`,
			want: `
				fortigate_cpu_overall_usage_ratio 0.14
				fortigate_cpu_usage_ratio{processor="0"} 0.21
				fortigate_cpu_usage_ratio{processor="1"} 0.07
				fortigate_current_sessions{protocol="ipv4"} 20633
				fortigate_current_sessions{protocol="ipv6"} 449
				fortigate_disk_usage_ratio 0.075
				fortigate_log_rate_per_second{destination="disk"} 25
				fortigate_log_rate_per_second{destination="fortianalyzer"} 65
				fortigate_log_rate_per_second{destination="forticloud"} 0
				fortigate_memory_usage_ratio 0.56
				fortigate_new_sessions_per_second{protocol="ipv4"} 156
				fortigate_new_sessions_per_second{protocol="ipv6"} 4
				fortigate_vdom_cpu_usage_ratio{vdom="dmz"} 0.03
				fortigate_vdom_cpu_usage_ratio{vdom="root"} 0.11
				fortigate_vdom_current_sessions{protocol="ipv4",vdom="dmz"} 2291
				fortigate_vdom_current_sessions{protocol="ipv4",vdom="root"} 18342
				fortigate_vdom_current_sessions{protocol="ipv6",vdom="root"} 412
				fortigate_vdom_memory_usage_ratio{vdom="dmz"} 0.09
				fortigate_vdom_memory_usage_ratio{vdom="root"} 0.47
				fortigate_vdom_new_sessions_per_second{protocol="ipv4",vdom="root"} 137
				fortigate_vdom_new_sessions_per_second{protocol="ipv6",vdom="root"} 4
			`,
		},
		{
			name:    "empty results everywhere",
			global:  `{"results":{},"vdom":"root"}`,
			perVDOM: `[{"results":{},"vdom":"root"},{"results":[],"vdom":"dmz"},{"vdom":"lab"}]`,
			want:    ``,
		},
		{
			name:    "single core device and resource as object",
			global:  `{"results":{"cpu":[{"current":3}],"mem":{"current":20}}}`,
			perVDOM: `{"results":{"cpu":{"current":3}},"vdom":"root"}`,
			want: `
				fortigate_cpu_overall_usage_ratio 0.03
				fortigate_memory_usage_ratio 0.2
				fortigate_vdom_cpu_usage_ratio{vdom="root"} 0.03
			`,
		},
		{
			name:    "invalid number",
			global:  `{"results":{"mem":[{"current":"n/a"}]}}`,
			perVDOM: `[]`,
			wantErr: `decode system/resource/usage reply: field results.mem.current: got string "n/a", expected a number`,
		},
		{
			name:    "results of the wrong type",
			global:  `{"results":"busy"}`,
			perVDOM: `[]`,
			wantErr: `decode system/resource/usage reply: field results: got string "busy", expected an object`,
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkCollector(t, "system_resource_usage", map[string]reply{
				usageGlobalRequest: {body: tt.global},
				usageVDOMRequest:   {body: tt.perVDOM},
			}, tt.want, tt.wantErr)
		})
	}
}

func TestResourceUsageConfiguredVDOMs(t *testing.T) {
	api := &fakeAPI{replies: map[string]reply{
		usageGlobalRequest: {body: `{"results":{}}`},
		"system/resource/usage?interval=1-min&vdom=root%2Cdmz": {body: `[]`},
	}}
	adapter := &singleCollector{
		collector: collectorByName(t, "system_resource_usage"),
		target:    &Target{Name: "fw", API: api, VDOMs: []string{"root", "dmz"}},
	}
	testutil.CollectAndCount(adapter)

	if err := adapter.lastErr(); err != nil {
		t.Fatalf("Update error = %v, requests = %q", err, api.requestList())
	}
}

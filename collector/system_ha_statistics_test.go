package collector

import (
	"testing"
)

func TestHAStatisticsQuirks(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		want    string
		wantErr string
	}{
		{
			name: "two members with per-VDOM stats",
			body: `{"results":[
				{"hostname":"fw-a","serial_no":"S1","tnow":1749722400,"sessions":20633,"sessions6":449,
				 "tpacket":3575987174,"vir_usage":2,"net_usage":256,"tbyte":8830946959035,
				 "intr_usage":5,"cpu_usage":14,"mem_usage":"56","uptime":3887412,
				 "per_vdom_stats":[{"vdom":"root","cpu_usage":12,"mem_usage":47,"sessions":18342,"sessions6":412}]},
				{"hostname":"fw-b","serial_no":"S2","sessions":3,"tpacket":4,"tbyte":5,"cpu_usage":4.0,
				 "mem_usage":51,"net_usage":121}],
				"vdom":"root","status":"success"}`,
			want: `
				fortigate_ha_member_bytes_total{hostname="fw-a",serial="S1"} 8.830946959035e+12
				fortigate_ha_member_bytes_total{hostname="fw-b",serial="S2"} 5
				fortigate_ha_member_cpu_usage_ratio{hostname="fw-a",serial="S1"} 0.14
				fortigate_ha_member_cpu_usage_ratio{hostname="fw-b",serial="S2"} 0.04
				fortigate_ha_member_ips_events_total{hostname="fw-a",serial="S1"} 5
				fortigate_ha_member_memory_usage_ratio{hostname="fw-a",serial="S1"} 0.56
				fortigate_ha_member_memory_usage_ratio{hostname="fw-b",serial="S2"} 0.51
				fortigate_ha_member_network_usage_bps{hostname="fw-a",serial="S1"} 256000
				fortigate_ha_member_network_usage_bps{hostname="fw-b",serial="S2"} 121000
				fortigate_ha_member_packets_total{hostname="fw-a",serial="S1"} 3.575987174e+09
				fortigate_ha_member_packets_total{hostname="fw-b",serial="S2"} 4
				fortigate_ha_member_sessions{hostname="fw-a",protocol="ipv4",serial="S1"} 20633
				fortigate_ha_member_sessions{hostname="fw-a",protocol="ipv6",serial="S1"} 449
				fortigate_ha_member_sessions{hostname="fw-b",protocol="ipv4",serial="S2"} 3
				fortigate_ha_member_uptime_seconds{hostname="fw-a",serial="S1"} 3.887412e+06
				fortigate_ha_member_vdom_cpu_usage_ratio{hostname="fw-a",serial="S1",vdom="root"} 0.12
				fortigate_ha_member_vdom_memory_usage_ratio{hostname="fw-a",serial="S1",vdom="root"} 0.47
				fortigate_ha_member_vdom_sessions{hostname="fw-a",protocol="ipv4",serial="S1",vdom="root"} 18342
				fortigate_ha_member_vdom_sessions{hostname="fw-a",protocol="ipv6",serial="S1",vdom="root"} 412
				fortigate_ha_member_virus_events_total{hostname="fw-a",serial="S1"} 2
			`,
		},
		{
			name: "standalone unit with one member as an object",
			body: `{"results":{"hostname":"fw-a","serial_no":"S1","sessions":7,"per_vdom_stats":{}}}`,
			want: `
				fortigate_ha_member_sessions{hostname="fw-a",protocol="ipv4",serial="S1"} 7
			`,
		},
		{
			name: "empty results",
			body: `{"results":[],"vdom":"root"}`,
			want: ``,
		},
		{
			name:    "member field of the wrong type names the member",
			body:    `{"results":[{"hostname":"fw-a"},{"hostname":"fw-b","sessions":[1]}]}`,
			wantErr: `decode system/ha-statistics reply: field results[1].sessions: got array, expected a number`,
		},
		{
			name:    "per-VDOM field of the wrong type",
			body:    `{"results":[{"per_vdom_stats":[{"vdom":"root","cpu_usage":true}]}]}`,
			wantErr: `field results[0].per_vdom_stats.cpu_usage: got boolean true, expected a number`,
		},
		{
			name:    "truncated body",
			body:    `{"results":[{"hostname":"fw-a"`,
			wantErr: `decode system/ha-statistics reply: invalid JSON`,
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkCollector(t, "system_ha_statistics", map[string]reply{haStatisticsEndpoint: {body: tt.body}}, tt.want, tt.wantErr)
		})
	}
}

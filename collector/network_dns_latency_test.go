package collector

import "testing"

const dnsLatencyRequest = "network/dns/latency?vdom=%2A"

func TestDNSLatencyGolden(t *testing.T) {
	for _, release := range []string{"7.0", "7.4"} {
		t.Run(release, func(t *testing.T) { checkGolden(t, "network_dns_latency", release) })
	}
}

func TestDNSLatencyQuirks(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		want    string
		wantErr string
	}{
		{
			name: "two VDOMs, latency as a string and a float",
			body: `[{"results":[{"service":"dns_server","latency":"10","last_update":1040,
				"ip":"203.0.113.53"},{"service":"dns_server","latency":0.5,"ip":"203.0.113.54"}],
				"vdom":"root"},
				{"results":[{"service":"dns_server","latency":1495,"ip":"198.51.100.53"}],
				"vdom":"dmz"}]`,
			want: `
				fortigate_network_dns_latency_seconds{ip="198.51.100.53",service="dns_server",vdom="dmz"} 1.495
				fortigate_network_dns_latency_seconds{ip="203.0.113.53",service="dns_server",vdom="root"} 0.01
				fortigate_network_dns_latency_seconds{ip="203.0.113.54",service="dns_server",vdom="root"} 0.0005
			`,
		},
		{
			name: "server without latency and an unknown service",
			body: `[{"results":[{"service":"dns_server","ip":"203.0.113.53","last_update":0},
				{"service":"fortiguard_dns","latency":22,"ip":"2001:db8::53"}],"vdom":"root"}]`,
			want: `
				fortigate_network_dns_latency_seconds{ip="2001:db8::53",service="fortiguard_dns",vdom="root"} 0.022
			`,
		},
		{
			name: "one envelope with one server as an object",
			body: `{"results":{"service":"dns_server","latency":10,"ip":"8.8.8.8"},"vdom":"root"}`,
			want: `
				fortigate_network_dns_latency_seconds{ip="8.8.8.8",service="dns_server",vdom="root"} 0.01
			`,
		},
		{
			name: "VDOMs without DNS servers",
			body: `[{"results":[],"vdom":"root"},{"results":{},"vdom":"dmz"},{"vdom":"lab"}]`,
			want: ``,
		},
		{
			name:    "latency of the wrong type",
			body:    `[{"results":[{"ip":"203.0.113.53","latency":"slow"}],"vdom":"root"}]`,
			wantErr: `decode network/dns/latency reply: field results[0].latency: got string "slow", expected a number`,
		},
		{
			name:    "ip as an object",
			body:    `[{"results":[{"ip":{"v4":"203.0.113.53"},"latency":1}],"vdom":"root"}]`,
			wantErr: `field results[0].ip: got object, expected a string`,
		},
		{
			name:    "error envelope of one VDOM",
			body:    `[{"results":[],"vdom":"root"},{"status":"error","http_status":403,"vdom":"lab"}]`,
			wantErr: `decode network/dns/latency reply: field [1].status: FortiOS reported an error for VDOM "lab"`,
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			replies := map[string]reply{dnsLatencyRequest: {body: tt.body}}
			checkCollector(t, "network_dns_latency", replies, tt.want, tt.wantErr)
		})
	}
}

func TestDNSLatencyUnsupported(t *testing.T) { checkUnsupported(t, "network_dns_latency") }

func FuzzDNSLatency(f *testing.F) {
	addSeeds(f, dnsLatencyEndpoint)
	f.Add([]byte(`[{"results":[{"ip":"a","service":"b","latency":1e400}],"vdom":"root"}]`))
	f.Add([]byte(`[{"results":[{"ip":"a","latency":1},{"ip":"a","latency":2}],"vdom":"root"}]`))
	f.Fuzz(func(t *testing.T, body []byte) { fuzzCollector(t, "network_dns_latency", body) })
}

package collector

import (
	"testing"
)

const ippoolRequest = "firewall/ippool?vdom=%2A"

func TestIPPoolGolden(t *testing.T) {
	for _, release := range []string{"7.0", "7.4"} {
		t.Run(release, func(t *testing.T) { checkGolden(t, "firewall_ippool", release) })
	}
}

func TestIPPoolQuirks(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		want    string
		wantErr string
	}{
		{
			name: "available as float, integer and string",
			body: `[{"results":{"a":{"name":"a","available":12.5,"used":"7","total":8},
				"b":{"name":"b","available":100},"c":{"name":"c","available":"0.5"}},"vdom":"root"}]`,
			want: `
				fortigate_ippool_available_ratio{name="a",vdom="root"} 0.125
				fortigate_ippool_available_ratio{name="b",vdom="root"} 1
				fortigate_ippool_available_ratio{name="c",vdom="root"} 0.005
				fortigate_ippool_total_items{name="a",vdom="root"} 8
				fortigate_ippool_used_items{name="a",vdom="root"} 7
			`,
		},
		{
			name: "key names the pool, not the name field",
			body: `{"results":{"pool-1":{"name":"other","clients":3}},"vdom":"dmz"}`,
			want: `fortigate_ippool_clients{name="pool-1",vdom="dmz"} 3`,
		},
		{
			name: "results as an array",
			body: `[{"results":[{"name":"p","natip_in_use":1,"natip_total":2,"pba_per_ip":4,
				"blocks":8,"block_size":64}],"vdom":"root"}]`,
			want: `
				fortigate_ippool_block_ports{name="p",vdom="root"} 64
				fortigate_ippool_blocks_per_user{name="p",vdom="root"} 8
				fortigate_ippool_pba_per_ip{name="p",vdom="root"} 4
				fortigate_ippool_total_ips{name="p",vdom="root"} 2
				fortigate_ippool_used_ips{name="p",vdom="root"} 1
			`,
		},
		{
			name: "VDOMs without pools",
			body: `[{"results":{},"vdom":"root"},{"results":[],"vdom":"dmz"},{"vdom":"lab"}]`,
			want: ``,
		},
		{
			name:    "used of the wrong type names the pool",
			body:    `[{"results":{"a":{"used":1},"b":{"used":[1]}},"vdom":"root"}]`,
			wantErr: "decode firewall/ippool reply: field results.b.used: got array, expected a number",
		},
		{
			name:    "results as a string",
			body:    `[{"results":"none","vdom":"root"}]`,
			wantErr: `decode firewall/ippool reply: field results: got string "none", expected an object`,
		},
		{
			name:    "error envelope",
			body:    `[{"status":"error","vdom":"root","http_status":403}]`,
			wantErr: `field [0].status: FortiOS reported an error for VDOM "root"`,
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			replies := map[string]reply{ippoolRequest: {body: tt.body}}
			checkCollector(t, "firewall_ippool", replies, tt.want, tt.wantErr)
		})
	}
}

func TestIPPoolUnsupported(t *testing.T) { checkUnsupported(t, "firewall_ippool") }

func FuzzIPPool(f *testing.F) {
	addFixtureSeeds(f, ippoolEndpoint)
	for _, seed := range quirkSeeds {
		f.Add([]byte(seed))
	}
	f.Add([]byte(`[{"results":{"":{"name":"","available":"x"},"p":null},"vdom":"root"}]`))
	f.Add([]byte(`{"results":{"p":{"available":1e309,"used":-1}}}`))
	f.Fuzz(func(t *testing.T, body []byte) { fuzzCollector(t, "firewall_ippool", body) })
}

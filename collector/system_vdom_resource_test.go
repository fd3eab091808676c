package collector

import "testing"

const vdomResourceRequest = "system/vdom-resource?vdom=%2A"

func TestVDOMResourceGolden(t *testing.T) {
	for _, release := range []string{"7.0", "7.4"} {
		t.Run(release, func(t *testing.T) { checkGolden(t, "system_vdom_resource", release) })
	}
}

func TestVDOMResourceQuirks(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		want    string
		wantErr string
	}{
		{
			name: "scalars mixed with resources and strings as numbers",
			body: `[{"results":{"cpu":"25","memory":50,"setup_rate":3,"is_deletable":false,
				"session":{"id":1,"custom_max":"100","guaranteed":10,"global_max":1000,
				 "current_usage":40,"usage_percent":"4.0"},
				"user":{"current_usage":2}},"vdom":"dmz"}]`,
			want: `
				fortigate_vdom_resource_cpu_usage_ratio{vdom="dmz"} 0.25
				fortigate_vdom_resource_deletable{vdom="dmz"} 0
				fortigate_vdom_resource_memory_usage_ratio{vdom="dmz"} 0.5
				fortigate_vdom_resource_object_current_usage{resource="session",vdom="dmz"} 40
				fortigate_vdom_resource_object_current_usage{resource="user",vdom="dmz"} 2
				fortigate_vdom_resource_object_custom_max{resource="session",vdom="dmz"} 100
				fortigate_vdom_resource_object_global_max{resource="session",vdom="dmz"} 1000
				fortigate_vdom_resource_object_guaranteed{resource="session",vdom="dmz"} 10
				fortigate_vdom_resource_object_usage_ratio{resource="session",vdom="dmz"} 0.04
				fortigate_vdom_resource_setup_rate{vdom="dmz"} 3
			`,
		},
		{
			name: "empty results",
			body: `[{"results":{},"vdom":"root"},{"results":[],"vdom":"dmz"}]`,
			want: ``,
		},
		{
			name:    "resource member of the wrong type",
			body:    `[{"results":{"session":{"current_usage":"lots"}},"vdom":"root"}]`,
			wantErr: `decode system/vdom-resource reply: field results.session.current_usage: got string "lots", expected a number`,
		},
		{
			name:    "cpu of the wrong type",
			body:    `[{"results":{"cpu":{"now":1}},"vdom":"root"}]`,
			wantErr: "decode system/vdom-resource reply: field results.cpu: got object, expected a number",
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			replies := map[string]reply{vdomResourceRequest: {body: tt.body}}
			checkCollector(t, "system_vdom_resource", replies, tt.want, tt.wantErr)
		})
	}
}

func TestVDOMResourceUnsupported(t *testing.T) { checkUnsupported(t, "system_vdom_resource") }

func FuzzParseVDOMResources(f *testing.F) {
	addFixtureSeeds(f, vdomResourceEndpoint)
	f.Add([]byte(`[{"results":{"cpu":1,"session":{"current_usage":[1]},"x":{}},"vdom":"root"}]`))
	f.Add([]byte(`{"results":[{"is_deletable":"1","proxy":{"usage_percent":null}}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		_, err := parseVDOMResources(body)
		checkDecodeResult(t, err)
	})
}

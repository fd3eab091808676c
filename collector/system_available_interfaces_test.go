package collector

import "testing"

const availableInterfacesRequest = "system/available-interfaces?vdom=%2A"

func TestAvailableInterfacesGolden(t *testing.T) {
	for _, release := range []string{"7.0", "7.4"} {
		t.Run(release, func(t *testing.T) { checkGolden(t, "system_available_interfaces", release) })
	}
}

func TestAvailableInterfacesQuirks(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		want    string
		wantErr string
	}{
		{
			name: "admin down with link down, admin up with link down, and any",
			body: `[{"results":[{"name":"any","valid_in_policy":true,"type":null,"status":null,"link":null},
				{"name":"port3","type":"physical","vdom":"root","status":"down","link":"down"},
				{"name":"port4","type":"vlan","vdom":"root","status":"up","link":"down","speed":null}],
				"vdom":"root"}]`,
			want: `
				fortigate_interface_admin_up{name="port3",type="physical",vdom="root"} 0
				fortigate_interface_admin_up{name="port4",type="vlan",vdom="root"} 1
			`,
		},
		{
			name: "interface without vdom takes the envelope's, status in capitals",
			body: `[{"results":[{"name":"virtual-wan-link","type":"virtual-wan","status":"DOWN",
				"link":"down","members":[]}],"vdom":"dmz"}]`,
			want: `
				fortigate_interface_admin_up{name="virtual-wan-link",type="virtual-wan",vdom="dmz"} 0
			`,
		},
		{
			name: "interface listed by two VDOMs is sent once",
			body: `[{"results":[{"name":"port1","type":"physical","vdom":"root","status":"up"}],"vdom":"root"},
				{"results":[{"name":"port1","type":"physical","vdom":"root","status":"up"},
				{"name":"vlan210","type":"vlan","vdom":"dmz","status":"up"}],"vdom":"dmz"}]`,
			want: `
				fortigate_interface_admin_up{name="port1",type="physical",vdom="root"} 1
				fortigate_interface_admin_up{name="vlan210",type="vlan",vdom="dmz"} 1
			`,
		},
		{
			name: "unknown status in one entry as an object",
			body: `{"results":{"name":"port9","type":"physical","status":"disable"},"vdom":"root"}`,
			want: ``,
		},
		{
			name: "entry without a name",
			body: `[{"results":[{"type":"physical","status":"up"}],"vdom":"root"}]`,
			want: ``,
		},
		{
			name: "empty VDOMs",
			body: `[{"results":[],"vdom":"root"},{"results":{},"vdom":"dmz"}]`,
			want: ``,
		},
		{
			name:    "status of the wrong type",
			body:    `[{"results":[{"name":"port1","status":["up"]}],"vdom":"root"}]`,
			wantErr: `decode system/available-interfaces reply: field results[0].status: got array, expected a string`,
		},
		{
			name:    "error envelope",
			body:    `[{"status":"error","http_status":403,"vdom":"lab"}]`,
			wantErr: `field [0].status: FortiOS reported an error for VDOM "lab"`,
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			replies := map[string]reply{availableInterfacesRequest: {body: tt.body}}
			checkCollector(t, "system_available_interfaces", replies, tt.want, tt.wantErr)
		})
	}
}

func TestAvailableInterfacesUnsupported(t *testing.T) {
	checkUnsupported(t, "system_available_interfaces")
}

func FuzzAvailableInterfaces(f *testing.F) {
	addSeeds(f, availableInterfacesEndpoint)
	f.Add([]byte("[{\"results\":[{\"name\":\"a\",\"status\":\"up\",\"vdom\":\"\xff\"}],\"vdom\":\"r\"}]"))
	f.Add([]byte(`[{"results":[{"name":"a","status":"up"},{"name":"a","status":"down"}],"vdom":"x"}]`))
	f.Fuzz(func(t *testing.T, body []byte) { fuzzCollector(t, "system_available_interfaces", body) })
}

package collector

import "testing"

const centralManagementRequest = "system/fortimanager/status?vdom=%2A"

func TestCentralManagementGolden(t *testing.T) {
	for _, release := range []string{"7.0", "7.4"} {
		t.Run(release, func(t *testing.T) { checkGolden(t, "system_central_management", release) })
	}
}

func TestCentralManagementQuirks(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		want    string
		wantErr string
	}{
		{
			name: "backup mode, tunnel down, not authorized, ids as strings",
			body: `[{"results":{"mode":"backup","server":"fmg.example.net",
				"fortimanager_status_id":"0","fortimanager_registration_status_id":"3"},"vdom":"root"}]`,
			want: `
				fortigate_system_central_management_connection_status_id{vdom="root"} 0
				fortigate_system_central_management_info{connection="down",mode="backup",registration="unregistered",server="fmg.example.net",vdom="root"} 1
				fortigate_system_central_management_mode{mode="backup",vdom="root"} 1
				fortigate_system_central_management_mode{mode="normal",vdom="root"} 0
				fortigate_system_central_management_registration_status_id{vdom="root"} 3
			`,
		},
		{
			name: "unknown mode and ids beyond the known ones",
			body: `[{"results":{"mode":"cloud","fortimanager_status_id":7,
				"fortimanager_registration_status_id":2.5},"vdom":"dmz"}]`,
			want: `
				fortigate_system_central_management_connection_status_id{vdom="dmz"} 7
				fortigate_system_central_management_info{connection="7",mode="cloud",registration="2.5",server="",vdom="dmz"} 1
				fortigate_system_central_management_mode{mode="backup",vdom="dmz"} 0
				fortigate_system_central_management_mode{mode="cloud",vdom="dmz"} 1
				fortigate_system_central_management_mode{mode="normal",vdom="dmz"} 0
				fortigate_system_central_management_registration_status_id{vdom="dmz"} 2.5
			`,
		},
		{
			name: "ids missing",
			body: `[{"results":{"mode":"normal"},"vdom":"root"}]`,
			want: `
				fortigate_system_central_management_info{connection="",mode="normal",registration="",server="",vdom="root"} 1
				fortigate_system_central_management_mode{mode="backup",vdom="root"} 0
				fortigate_system_central_management_mode{mode="normal",vdom="root"} 1
			`,
		},
		{
			name: "empty results",
			body: `[{"results":{},"vdom":"root"},{"results":null,"vdom":"dmz"}]`,
			want: ``,
		},
		{
			name:    "status id of the wrong type",
			body:    `[{"results":{"mode":"normal","fortimanager_status_id":{"id":2}},"vdom":"root"}]`,
			wantErr: "decode system/fortimanager/status reply: field results.fortimanager_status_id: got object, expected a number",
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			replies := map[string]reply{centralManagementRequest: {body: tt.body}}
			checkCollector(t, "system_central_management", replies, tt.want, tt.wantErr)
		})
	}
}

func TestCentralManagementUnsupported(t *testing.T) {
	checkUnsupported(t, "system_central_management")
}

func FuzzParseCentralManagement(f *testing.F) {
	addFixtureSeeds(f, centralManagementEndpoint)
	f.Add([]byte(`[{"results":{"mode":1,"fortimanager_status_id":"2"},"vdom":"root"}]`))
	f.Add([]byte(`{"results":[{"mode":"normal"},{"mode":"backup"}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		_, err := parseCentralManagement(body)
		checkDecodeResult(t, err)
	})
}

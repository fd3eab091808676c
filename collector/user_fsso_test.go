package collector

import "testing"

const fssoRequest = "user/fsso?vdom=%2A"

func TestFSSOGolden(t *testing.T) {
	for _, release := range []string{"7.0", "7.4"} {
		t.Run(release, func(t *testing.T) { checkGolden(t, "user_fsso", release) })
	}
}

func TestFSSOQuirks(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		want    string
		wantErr string
	}{
		{
			name: "agent and polling entry with a string id",
			body: `[{"results":[
				{"name":"dc1","type":"fsso","status":"Connected","active_server":"10.0.0.5"},
				{"id":"2","server":"10.0.0.6","type":"fsso-polling","status":"disconnected"}],
				"vdom":"root"}]`,
			want: `
				fortigate_user_fsso_connected{name="2",type="fsso-polling",vdom="root"} 0
				fortigate_user_fsso_connected{name="dc1",type="fsso",vdom="root"} 1
				fortigate_user_fsso_info{ldap_server="",name="2",server="10.0.0.6",type="fsso-polling",vdom="root"} 1
				fortigate_user_fsso_info{ldap_server="",name="dc1",server="10.0.0.5",type="fsso",vdom="root"} 1
			`,
		},
		{
			name: "status outside the known ones",
			body: `[{"results":[{"name":"dc1","type":"fsso","status":"connecting"}],"vdom":"root"}]`,
			want: `fortigate_user_fsso_info{ldap_server="",name="dc1",server="",type="fsso",vdom="root"} 1`,
		},
		{
			name: "empty VDOMs",
			body: `[{"results":[],"vdom":"root"},{"results":[],"vdom":"dmz"}]`,
			want: ``,
		},
		{
			name:    "id of the wrong type",
			body:    `[{"results":[{"id":[1],"type":"fsso-polling"}],"vdom":"root"}]`,
			wantErr: "decode user/fsso reply: field results[0].id: got array, expected a string",
		},
		{
			name:    "results as a string",
			body:    `[{"results":"none","vdom":"root"}]`,
			wantErr: `decode user/fsso reply: field results: got string "none", expected an array`,
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			replies := map[string]reply{fssoRequest: {body: tt.body}}
			checkCollector(t, "user_fsso", replies, tt.want, tt.wantErr)
		})
	}
}

func TestFSSOUnsupported(t *testing.T) { checkUnsupported(t, "user_fsso") }

func FuzzParseFSSO(f *testing.F) {
	addFixtureSeeds(f, fssoEndpoint)
	f.Add([]byte(`[{"results":[{"id":3,"server":"s","status":"connected"}],"vdom":"root"}]`))
	f.Add([]byte(`{"results":{"name":"a","status":null}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		_, err := parseFSSO(body)
		checkDecodeResult(t, err)
	})
}

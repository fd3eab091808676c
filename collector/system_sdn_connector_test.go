package collector

import "testing"

const sdnConnectorRequest = "system/sdn-connector/status?vdom=%2A"

func TestSDNConnectorGolden(t *testing.T) {
	for _, release := range []string{"7.0", "7.4"} {
		t.Run(release, func(t *testing.T) { checkGolden(t, "system_sdn_connector", release) })
	}
}

func TestSDNConnectorQuirks(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		want    string
		wantErr string
	}{
		{
			name: "lower-case status and last_update as a string",
			body: `[{"results":[{"name":"az","type":"azure","status":"up","updating":"false",
				"last_update":"1749722000"}],"vdom":"root"}]`,
			want: `
				fortigate_system_sdn_connector_last_update_timestamp_seconds{name="az",type="azure",vdom="root"} 1.749722e+09
				fortigate_system_sdn_connector_state{name="az",state="Disabled",type="azure",vdom="root"} 0
				fortigate_system_sdn_connector_state{name="az",state="Down",type="azure",vdom="root"} 0
				fortigate_system_sdn_connector_state{name="az",state="Unknown",type="azure",vdom="root"} 0
				fortigate_system_sdn_connector_state{name="az",state="Up",type="azure",vdom="root"} 1
				fortigate_system_sdn_connector_state{name="az",state="Updating",type="azure",vdom="root"} 0
				fortigate_system_sdn_connector_status{name="az",type="azure",vdom="root"} 3
				fortigate_system_sdn_connector_updating{name="az",type="azure",vdom="root"} 0
			`,
		},
		{
			name: "status outside the known ones and fields missing",
			body: `[{"results":[{"name":"k8s","type":"kubernetes","status":"Error"}],"vdom":"dmz"}]`,
			want: `
				fortigate_system_sdn_connector_state{name="k8s",state="Disabled",type="kubernetes",vdom="dmz"} 0
				fortigate_system_sdn_connector_state{name="k8s",state="Down",type="kubernetes",vdom="dmz"} 0
				fortigate_system_sdn_connector_state{name="k8s",state="Error",type="kubernetes",vdom="dmz"} 1
				fortigate_system_sdn_connector_state{name="k8s",state="Unknown",type="kubernetes",vdom="dmz"} 0
				fortigate_system_sdn_connector_state{name="k8s",state="Up",type="kubernetes",vdom="dmz"} 0
				fortigate_system_sdn_connector_state{name="k8s",state="Updating",type="kubernetes",vdom="dmz"} 0
			`,
		},
		{
			name: "single connector as an object",
			body: `[{"results":{"name":"aws","type":"aws","updating":true},"vdom":"root"}]`,
			want: `fortigate_system_sdn_connector_updating{name="aws",type="aws",vdom="root"} 1`,
		},
		{
			name: "no connectors",
			body: `[{"results":[],"vdom":"root"},{"results":{},"vdom":"dmz"}]`,
			want: ``,
		},
		{
			name:    "updating of the wrong type",
			body:    `[{"results":[{"name":"aws","updating":"sometimes"}],"vdom":"root"}]`,
			wantErr: `decode system/sdn-connector/status reply: field results[0].updating: got string "sometimes", expected a boolean`,
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			replies := map[string]reply{sdnConnectorRequest: {body: tt.body}}
			checkCollector(t, "system_sdn_connector", replies, tt.want, tt.wantErr)
		})
	}
}

func TestSDNConnectorUnsupported(t *testing.T) { checkUnsupported(t, "system_sdn_connector") }

func FuzzParseSDNConnectors(f *testing.F) {
	addFixtureSeeds(f, sdnConnectorEndpoint)
	f.Add([]byte(`[{"results":[{"name":1,"status":"Up","updating":1,"last_update":"x"}],"vdom":"root"}]`))
	f.Add([]byte(`{"results":{"name":"a"}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		_, err := parseSDNConnectors(body)
		checkDecodeResult(t, err)
	})
}

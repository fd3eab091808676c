package collector

import "testing"

const transceiversRequest = "system/interface/transceivers?scope=global"

func TestTransceiversGolden(t *testing.T) {
	for _, release := range []string{"7.0", "7.4"} {
		t.Run(release, func(t *testing.T) { checkGolden(t, "system_interface_transceivers", release) })
	}
}

func TestTransceiversQuirks(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		want    string
		wantErr string
	}{
		{
			name: "escaped slashes and a missing serial",
			body: `{"results":[{"interface":"x1","type":"SFP\/SFP+","vendor":"ACME",
				"vendor_part_number":"A-10G"}]}`,
			want: `fortigate_interface_transceiver_info{interface="x1",part_number="A-10G",serial_number="",type="SFP/SFP+",vendor="ACME"} 1`,
		},
		{
			name: "entry without an interface",
			body: `{"results":[{"type":"SFP"}]}`,
			want: ``,
		},
		{
			name: "no transceivers",
			body: `{"results":[]}`,
			want: ``,
		},
		{
			name:    "vendor of the wrong type",
			body:    `{"results":[{"interface":"x1","vendor":["ACME"]}]}`,
			wantErr: "decode system/interface/transceivers reply: field results[0].vendor: got array, expected a string",
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			replies := map[string]reply{transceiversRequest: {body: tt.body}}
			checkCollector(t, "system_interface_transceivers", replies, tt.want, tt.wantErr)
		})
	}
}

func TestTransceiversUnsupported(t *testing.T) {
	checkUnsupported(t, "system_interface_transceivers")
}

func FuzzParseTransceivers(f *testing.F) {
	addFixtureSeeds(f, transceiversEndpoint)
	f.Add([]byte(`{"results":{"interface":"x1","type":1}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		_, err := parseTransceivers(body)
		checkDecodeResult(t, err)
	})
}

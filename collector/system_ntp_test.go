package collector

import "testing"

func TestNTPGolden(t *testing.T) {
	for _, release := range []string{"7.0", "7.4"} {
		t.Run(release, func(t *testing.T) { checkGolden(t, "system_ntp", release) })
	}
}

func TestNTPQuirks(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		want    string
		wantErr string
	}{
		{
			name: "negative offset, strings and flags as numbers",
			body: `{"results":[{"ip":"192.0.2.1","server":"ntp.example.net","reachable":1,
				"selected":"true","version":"4","stratum":"3","expires":"60","offset":"-2.5",
				"delay":10,"dispersion":0.5,"peer_dispersion":0.25}]}`,
			want: `
				fortigate_system_ntp_delay_seconds{ip="192.0.2.1",server="ntp.example.net"} 0.01
				fortigate_system_ntp_dispersion_peer_seconds{ip="192.0.2.1",server="ntp.example.net"} 0.00025
				fortigate_system_ntp_dispersion_seconds{ip="192.0.2.1",server="ntp.example.net"} 0.0005
				fortigate_system_ntp_expires_seconds{ip="192.0.2.1",server="ntp.example.net"} 60
				fortigate_system_ntp_info{ip="192.0.2.1",server="ntp.example.net",version="4"} 1
				fortigate_system_ntp_offset_seconds{ip="192.0.2.1",server="ntp.example.net"} -0.0025
				fortigate_system_ntp_reachable{ip="192.0.2.1",server="ntp.example.net"} 1
				fortigate_system_ntp_selected{ip="192.0.2.1",server="ntp.example.net"} 1
				fortigate_system_ntp_stratum{ip="192.0.2.1",server="ntp.example.net"} 3
			`,
		},
		{
			name: "unreachable server with fields missing",
			body: `{"results":[{"ip":"192.0.2.2","server":"192.0.2.2","reachable":false,"version":4}]}`,
			want: `
				fortigate_system_ntp_info{ip="192.0.2.2",server="192.0.2.2",version="4"} 1
				fortigate_system_ntp_reachable{ip="192.0.2.2",server="192.0.2.2"} 0
			`,
		},
		{
			name: "NTP disabled",
			body: `{"results":[]}`,
			want: ``,
		},
		{
			name:    "offset of the wrong type",
			body:    `{"results":[{"server":"a","offset":{"ms":1}}]}`,
			wantErr: "decode system/ntp/status reply: field results[0].offset: got object, expected a number",
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			replies := map[string]reply{ntpEndpoint: {body: tt.body}}
			checkCollector(t, "system_ntp", replies, tt.want, tt.wantErr)
		})
	}
}

func TestNTPUnsupported(t *testing.T) { checkUnsupported(t, "system_ntp") }

func FuzzParseNTPStatus(f *testing.F) {
	addFixtureSeeds(f, ntpEndpoint)
	f.Add([]byte(`{"results":{"server":"a","reachable":"yes","stratum":"x"}}`))
	f.Add([]byte(`[{"results":[{"offset":1e400}]}]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		_, err := parseNTPStatus(body)
		checkDecodeResult(t, err)
	})
}

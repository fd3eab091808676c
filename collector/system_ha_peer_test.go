package collector

import (
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestHAPeerGolden(t *testing.T) {
	for _, release := range []string{"7.0", "7.4"} {
		t.Run(release, func(t *testing.T) { checkGolden(t, "system_ha_peer", release) })
	}
}

func TestHAPeerQuirks(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		want    string
		wantErr string
	}{
		{
			name: "primary wins over master",
			body: `{"results":[{"serial_no":"S1","vcluster_id":1,"priority":"200","hostname":"fw-a",
				"primary":true,"master":false},
				{"serial_no":"S2","vcluster_id":2,"priority":100,"hostname":"fw-b","master":1}]}`,
			want: `
				fortigate_ha_peer_primary{hostname="fw-a",serial="S1",vcluster="1"} 1
				fortigate_ha_peer_primary{hostname="fw-b",serial="S2",vcluster="2"} 1
				fortigate_ha_peer_priority{hostname="fw-a",serial="S1",vcluster="1"} 200
				fortigate_ha_peer_priority{hostname="fw-b",serial="S2",vcluster="2"} 100
			`,
		},
		{
			name: "standalone unit",
			body: `{"results":[]}`,
			want: ``,
		},
		{
			name:    "primary of the wrong type",
			body:    `{"results":[{"serial_no":"S1","primary":"yes"}]}`,
			wantErr: `decode system/ha-peer reply: field results[0].primary: got string "yes", expected a boolean`,
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := collectorByName(t, "system_ha_peer")
			api := &fakeAPI{replies: map[string]reply{haPeerEndpoint: {body: tt.body}}}
			adapter := &singleCollector{collector: c, target: &Target{Name: "fw", API: api}}

			err := testutil.CollectAndCompare(adapter, strings.NewReader(exposition(c, tt.want)))
			if tt.wantErr != "" {
				if got := adapter.lastErr(); got == nil || !strings.Contains(got.Error(), tt.wantErr) {
					t.Fatalf("Update error = %v, want it to contain %q", got, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := adapter.lastErr(); got != nil {
				t.Fatalf("Update error = %v", got)
			}
		})
	}
}

func TestHAPeerUnsupported(t *testing.T) { checkUnsupported(t, "system_ha_peer") }

func FuzzParseHAPeers(f *testing.F) {
	addFixtureSeeds(f, haPeerEndpoint)
	f.Add([]byte(`{"results":{"serial_no":"S1","master":"1","priority":"x"}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		_, err := parseHAPeers(body)
		checkDecodeResult(t, err)
	})
}

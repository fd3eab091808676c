package collector

import (
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestHAChecksumsGolden(t *testing.T) {
	for _, release := range []string{"7.0", "7.4"} {
		t.Run(release, func(t *testing.T) { checkGolden(t, "system_ha_checksums", release) })
	}
}

func TestHAChecksumsQuirks(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		want    string
		wantErr string
	}{
		{
			name: "secondary out of sync in one VDOM",
			body: `{"results":[
				{"is_manage_primary":false,"is_root_primary":false,"serial_no":"S2",
				 "checksum":{"global":"g","root":"r","all":"b","vdoms":{"root":"r","dmz":"x","lab":"l"}}},
				{"is_manage_primary":true,"is_root_primary":true,"is_manage_master":0,"serial_no":"S1",
				 "checksum":{"global":"g","root":"r","all":"a","vdoms":{"root":"r","dmz":"d"}}}]}`,
			want: `
				fortigate_ha_member_has_role{role="manage_primary",serial="S1"} 1
				fortigate_ha_member_has_role{role="manage_primary",serial="S2"} 0
				fortigate_ha_member_has_role{role="root_primary",serial="S1"} 1
				fortigate_ha_member_has_role{role="root_primary",serial="S2"} 0
				fortigate_ha_member_in_sync{serial="S1"} 1
				fortigate_ha_member_in_sync{serial="S2"} 0
				fortigate_ha_member_vdom_in_sync{serial="S1",vdom="dmz"} 1
				fortigate_ha_member_vdom_in_sync{serial="S1",vdom="root"} 1
				fortigate_ha_member_vdom_in_sync{serial="S2",vdom="dmz"} 0
				fortigate_ha_member_vdom_in_sync{serial="S2",vdom="lab"} 0
				fortigate_ha_member_vdom_in_sync{serial="S2",vdom="root"} 1
				fortigate_ha_members_in_sync 0
			`,
		},
		{
			name: "no member flagged as primary",
			body: `{"results":[{"serial_no":"S1","checksum":{"global":"g","all":"a"}}]}`,
			want: ``,
		},
		{
			name: "standalone unit with integer flags",
			body: `{"results":{"is_manage_master":1,"is_root_master":"1","serial_no":"S1",
				"checksum":{"global":"g","root":"r","all":"a"}}}`,
			want: `
				fortigate_ha_member_has_role{role="manage_primary",serial="S1"} 1
				fortigate_ha_member_has_role{role="root_primary",serial="S1"} 1
				fortigate_ha_member_in_sync{serial="S1"} 1
				fortigate_ha_members_in_sync 1
			`,
		},
		{
			name:    "VDOM checksum of the wrong type",
			body:    `{"results":[{"serial_no":"S1","checksum":{"vdoms":{"root":{"md5":"r"}}}}]}`,
			wantErr: `field results[0].checksum.vdoms.root: got object, expected a string`,
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := collectorByName(t, "system_ha_checksums")
			api := &fakeAPI{replies: map[string]reply{haChecksumsEndpoint: {body: tt.body}}}
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

func TestHAChecksumsRequest(t *testing.T) {
	api := &fakeAPI{replies: map[string]reply{haChecksumsEndpoint: {body: `{"results":[]}`}}}
	adapter := &singleCollector{
		collector: collectorByName(t, "system_ha_checksums"),
		target:    &Target{Name: "fw", API: api},
	}
	testutil.CollectAndCount(adapter)

	got := api.requestList()
	if len(got) != 1 || got[0] != haChecksumsEndpoint+"?scope=global" {
		t.Fatalf("requests = %q, want one request of %s?scope=global", got, haChecksumsEndpoint)
	}
}

func TestHAChecksumsUnsupported(t *testing.T) { checkUnsupported(t, "system_ha_checksums") }

func FuzzParseHAChecksums(f *testing.F) {
	addFixtureSeeds(f, haChecksumsEndpoint)
	f.Add([]byte(`{"results":[{"is_manage_master":"1","checksum":{"vdoms":[]}}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		_, err := parseHAChecksums(body)
		checkDecodeResult(t, err)
	})
}

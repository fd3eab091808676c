package collector

import (
	"slices"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestCertificatesGolden(t *testing.T) {
	for _, release := range []string{"7.0", "7.4"} {
		t.Run(release, func(t *testing.T) { checkGolden(t, "system_certificates", release) })
	}
}

func TestCertificatesQuirks(t *testing.T) {
	tests := []struct {
		name    string
		global  string
		perVDOM string
		want    string
		wantErr string
	}{
		{
			name:   "global certificates repeated per VDOM are sent once",
			global: `{"results":[{"name":"Fortinet_Factory","source":"factory","range":"global","type":"local","status":"valid","valid_from":1652140800,"valid_to":"2092953600","q_ref":3}]}`,
			perVDOM: `[{"vdom":"root","results":[
				{"name":"Fortinet_Factory","source":"factory","range":"global","type":"local","status":"valid","valid_from":1652140800,"valid_to":2092953600,"q_ref":3},
				{"name":"vpn","source":"user","range":"vdom","type":"local","status":"valid","valid_to":1799971200}]},
				{"vdom":"dmz","results":[
				{"name":"Fortinet_Factory","source":"factory","range":"global","type":"local","status":"valid"},
				{"name":"vpn","source":"user","range":"vdom","type":"local","status":"expired","valid_to":1793491200},
				{"name":"late_global","source":"user","range":"global","type":"remote-ca","status":"valid"}]}]`,
			want: `
				fortigate_certificate_cmdb_references{name="Fortinet_Factory",vdom=""} 3
				fortigate_certificate_info{name="Fortinet_Factory",source="factory",status="valid",type="local",vdom=""} 1
				fortigate_certificate_info{name="late_global",source="user",status="valid",type="remote-ca",vdom=""} 1
				fortigate_certificate_info{name="vpn",source="user",status="expired",type="local",vdom="dmz"} 1
				fortigate_certificate_info{name="vpn",source="user",status="valid",type="local",vdom="root"} 1
				fortigate_certificate_valid_from_seconds{name="Fortinet_Factory",vdom=""} 1.6521408e+09
				fortigate_certificate_valid_to_seconds{name="Fortinet_Factory",vdom=""} 2.0929536e+09
				fortigate_certificate_valid_to_seconds{name="vpn",vdom="dmz"} 1.7934912e+09
				fortigate_certificate_valid_to_seconds{name="vpn",vdom="root"} 1.7999712e+09
			`,
		},
		{
			name:    "empty replies",
			global:  `{"results":[]}`,
			perVDOM: `[{"vdom":"root","results":[]},{"vdom":"dmz","results":{}}]`,
			want:    ``,
		},
		{
			name:    "validity of the wrong type",
			global:  `{"results":[{"name":"a","valid_to":{"epoch":1}}]}`,
			perVDOM: `[]`,
			wantErr: `decode system/available-certificates reply: field results[0].valid_to: got object, expected a number`,
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := collectorByName(t, "system_certificates")
			api := &fakeAPI{replies: map[string]reply{
				certificatesEndpoint + "?scope=global": {body: tt.global},
				certificatesEndpoint + "?vdom=%2A":     {body: tt.perVDOM},
			}}
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

func TestCertificatesRequests(t *testing.T) {
	api := &fakeAPI{replies: map[string]reply{certificatesEndpoint: {body: `{"results":[]}`}}}
	adapter := &singleCollector{
		collector: collectorByName(t, "system_certificates"),
		target:    &Target{Name: "fw", API: api, VDOMs: []string{"dmz"}},
	}
	testutil.CollectAndCount(adapter)

	want := []string{certificatesEndpoint + "?scope=global", certificatesEndpoint + "?vdom=dmz"}
	if got := api.requestList(); !slices.Equal(got, want) {
		t.Fatalf("requests = %q, want %q", got, want)
	}
}

func TestCertificatesUnsupported(t *testing.T) { checkUnsupported(t, "system_certificates") }

func FuzzParseCertificates(f *testing.F) {
	addFixtureSeeds(f, certificatesEndpoint)
	f.Add([]byte(`[{"vdom":"root","results":{"name":"a","range":"global"}}]`))
	f.Add([]byte(`{"results":[{"name":1,"valid_to":"1e9","q_ref":null}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		_, err := parseCertificates(body, false)
		checkDecodeResult(t, err)
		_, err = parseCertificates(body, true)
		checkDecodeResult(t, err)
	})
}

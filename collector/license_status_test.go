package collector

import (
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestLicenseStatusGolden(t *testing.T) {
	for _, release := range []string{"7.0", "7.4"} {
		t.Run(release, func(t *testing.T) { checkGolden(t, "license_status", release) })
	}
}

func TestLicenseStatusQuirks(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		want    string
		wantErr string
	}{
		{
			name: "VM evaluation license",
			body: `{"results":{
				"vm":{"type":"platform","status":"vm_eval","license_model":1,"valid":true,
				 "cpu_used":1,"cpu_max":"2","mem_used":1043333120,"mem_max":1073741824,
				 "expires":1537454850},
				"vdom":{"type":"platform","used":1,"max":1}}}`,
			want: `
				fortigate_license_expiry_timestamp_seconds{feature="vm",support=""} 1.53745485e+09
				fortigate_license_info{feature="vm",status="vm_eval",support="",type="platform"} 1
				fortigate_license_vdom_max 1
				fortigate_license_vdom_usage 1
				fortigate_license_vm_cpus_max 2
				fortigate_license_vm_cpus_used 1
				fortigate_license_vm_info{license_model="1"} 1
				fortigate_license_vm_memory_max_bytes 1.073741824e+09
				fortigate_license_vm_memory_used_bytes 1.04333312e+09
				fortigate_license_vm_valid 1
			`,
		},
		{
			name: "support as an empty array and zero expiry",
			body: `{"results":{"forticare":{"type":"cloud_service_status","status":"unregistered",
				"support":[]},"antispam":{"type":"live_fortiguard_service","status":"no_license",
				"expires":0}}}`,
			want: `
				fortigate_license_info{feature="antispam",status="no_license",support="",type="live_fortiguard_service"} 1
				fortigate_license_info{feature="forticare",status="unregistered",support="",type="cloud_service_status"} 1
			`,
		},
		{
			name: "empty results",
			body: `{"results":{},"vdom":"root","status":"success"}`,
			want: ``,
		},
		{
			name:    "support contract of the wrong type",
			body:    `{"results":{"forticare":{"support":{"hardware":{"expires":[1]}}}}}`,
			wantErr: `decode license/status reply: field results.forticare.support.hardware.expires: got array, expected a number`,
		},
		{
			name:    "support as a string",
			body:    `{"results":{"forticare":{"support":"none"}}}`,
			wantErr: `field results.forticare.support: got string "none", expected an object`,
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := collectorByName(t, "license_status")
			api := &fakeAPI{replies: map[string]reply{licenseStatusEndpoint: {body: tt.body}}}
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

func TestLicenseStatusUnsupported(t *testing.T) {
	checkUnsupported(t, "license_status")
}

func FuzzParseLicenseStatus(f *testing.F) {
	addFixtureSeeds(f, licenseStatusEndpoint)
	f.Add([]byte(`{"results":{"forticare":{"support":[]},"vm":{"valid":"1","license_model":"2"}}}`))
	f.Add([]byte(`{"results":[{"type":"other"}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		_, err := parseLicenseStatus(body)
		checkDecodeResult(t, err)
	})
}

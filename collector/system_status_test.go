package collector

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestSystemStatusQuirks(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		want    string
		wantErr string
	}{
		{
			name: "single envelope",
			body: `{"http_method":"GET","results":{"model_name":"FortiGate","model_number":"60F",
				"model":"FGT60F","hostname":"fw-a","log_disk_status":"not_available"},
				"vdom":"root","status":"success","serial":"FGT60FTK99000001",
				"version":"v7.4.4","build":2662}`,
			want: `
				fortigate_log_disk_status{status="available"} 0
				fortigate_log_disk_status{status="need_format"} 0
				fortigate_log_disk_status{status="not_available"} 1
				fortigate_system_info{hostname="fw-a",model="FGT60F",model_name="FortiGate",model_number="60F",serial="FGT60FTK99000001",version="v7.4.4"} 1
				fortigate_version_info{build="2662",serial="FGT60FTK99000001",version="v7.4.4"} 1
			`,
		},
		{
			name: "empty results and build as string",
			body: `{"results":{},"vdom":"root","status":"success","serial":"FGVM01",
				"version":"v6.2.4","build":"1066"}`,
			want: `
				fortigate_system_info{hostname="",model="",model_name="",model_number="",serial="FGVM01",version="v6.2.4"} 1
				fortigate_version_info{build="1066",serial="FGVM01",version="v6.2.4"} 1
			`,
		},
		{
			name: "array of envelopes uses the first",
			body: `[{"results":{"hostname":"fw-a","log_disk_status":"formatting"},"vdom":"root",
				"serial":"S1","version":"v7.0.1","build":1},
				{"results":{"hostname":"fw-a"},"vdom":"dmz","serial":"S1","version":"v7.0.1","build":1}]`,
			want: `
				fortigate_log_disk_status{status="available"} 0
				fortigate_log_disk_status{status="formatting"} 1
				fortigate_log_disk_status{status="need_format"} 0
				fortigate_log_disk_status{status="not_available"} 0
				fortigate_system_info{hostname="fw-a",model="",model_name="",model_number="",serial="S1",version="v7.0.1"} 1
				fortigate_version_info{build="1",serial="S1",version="v7.0.1"} 1
			`,
		},
		{
			name:    "hostname of the wrong type",
			body:    `{"results":{"hostname":{"name":"fw-a"}},"serial":"S1"}`,
			wantErr: "decode system/status reply: field results.hostname: got object, expected a string",
		},
		{
			name:    "HTML instead of JSON",
			body:    `<html><title>Login</title></html>`,
			wantErr: "decode system/status reply: body is not a JSON object or array",
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkCollector(t, "system_status", map[string]reply{systemStatusEndpoint: {body: tt.body}}, tt.want, tt.wantErr)
		})
	}
}

func TestSystemStatusRequest(t *testing.T) {
	api := &fakeAPI{replies: map[string]reply{systemStatusEndpoint: {body: `{"results":{}}`}}}
	adapter := &singleCollector{
		collector: collectorByName(t, "system_status"),
		target:    &Target{Name: "fw", API: api, VDOMs: []string{"dmz"}},
	}
	testutil.CollectAndCount(adapter)

	got := api.requestList()
	if len(got) != 1 || got[0] != "system/status" {
		t.Fatalf("requests = %q, want one request of system/status without a query", got)
	}
}

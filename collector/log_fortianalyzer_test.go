package collector

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/fortigate-session-exporter/fortigate_session_exporter/fgsession"
)

const (
	fortiAnalyzerRequest      = "log/fortianalyzer?vdom=%2A"
	fortiAnalyzerQueueRequest = "log/fortianalyzer-queue?vdom=%2A"
)

// The 7.6 fixtures have no FortiAnalyzer configured and prove the 424 branch.
func TestFortiAnalyzerGolden(t *testing.T) {
	checkGolden(t, "log_fortianalyzer", "7.0")
	checkGolden(t, "log_fortianalyzer", "7.4")
}

func TestFortiAnalyzerNotConfigured(t *testing.T) {
	adapter := &singleCollector{
		collector: collectorByName(t, "log_fortianalyzer"),
		target:    newFixtureTarget(t, "7.6"),
	}
	if n := testutil.CollectAndCount(adapter); n != 0 {
		t.Errorf("collected %d metrics, want none", n)
	}
	if err := adapter.lastErr(); !fgsession.IsUnsupported(err) {
		t.Errorf("Update error = %v, want an unsupported error", err)
	}
}

func TestFortiAnalyzerQuirks(t *testing.T) {
	const status = `[{"results":{"registration":"registered","connection":"allow","received":12},"vdom":"root"}]`
	tests := []struct {
		name    string
		replies map[string]reply
		want    string
		wantErr string
	}{
		{
			name: "queue endpoint missing",
			replies: map[string]reply{
				fortiAnalyzerRequest:      {body: status},
				fortiAnalyzerQueueRequest: {status: 404, body: `{"status":"error","http_status":404}`},
			},
			want: `
				fortigate_log_fortianalyzer_logs_received{vdom="root"} 12
				fortigate_log_fortianalyzer_registered{vdom="root"} 1
				fortigate_log_fortianalyzer_registration_info{connection="allow",registration="registered",vdom="root"} 1
			`,
		},
		{
			name: "unregistered, connected as a boolean and counts as strings",
			replies: map[string]reply{
				fortiAnalyzerRequest: {body: `[{"results":{"registration":"unregistered",
					"connection":"deny","received":"0"},"vdom":"dmz"}]`},
				fortiAnalyzerQueueRequest: {body: `[{"results":{"connected":false,
					"total_memory_blocks":"512","used_memory_blocks":0,"failed_logs":"3",
					"cached_logs":1.0},"vdom":"dmz"}]`},
			},
			want: `
				fortigate_log_fortianalyzer_logs_received{vdom="dmz"} 0
				fortigate_log_fortianalyzer_queue_connections{vdom="dmz"} 0
				fortigate_log_fortianalyzer_queue_logs{state="cached",vdom="dmz"} 1
				fortigate_log_fortianalyzer_queue_logs{state="failed",vdom="dmz"} 3
				fortigate_log_fortianalyzer_queue_memory_blocks{vdom="dmz"} 512
				fortigate_log_fortianalyzer_queue_memory_blocks_used{vdom="dmz"} 0
				fortigate_log_fortianalyzer_registered{vdom="dmz"} 0
				fortigate_log_fortianalyzer_registration_info{connection="deny",registration="unregistered",vdom="dmz"} 1
			`,
		},
		{
			name: "empty results",
			replies: map[string]reply{
				fortiAnalyzerRequest:      {body: `[{"results":{},"vdom":"root"}]`},
				fortiAnalyzerQueueRequest: {body: `[{"results":[],"vdom":"root"}]`},
			},
			want: ``,
		},
		{
			name: "queue failing with 500",
			replies: map[string]reply{
				fortiAnalyzerRequest:      {body: status},
				fortiAnalyzerQueueRequest: {status: 500, body: `{"status":"error","http_status":500}`},
			},
			wantErr: "500",
		},
		{
			name: "connected of the wrong type",
			replies: map[string]reply{
				fortiAnalyzerRequest:      {body: status},
				fortiAnalyzerQueueRequest: {body: `[{"results":{"connected":"yes"},"vdom":"root"}]`},
			},
			wantErr: `decode log/fortianalyzer-queue reply: field results.connected: got string "yes", expected a number`,
		},
		{
			name: "registration of the wrong type",
			replies: map[string]reply{
				fortiAnalyzerRequest: {body: `[{"results":{"registration":["registered"]},"vdom":"root"}]`},
			},
			wantErr: "decode log/fortianalyzer reply: field results.registration: got array, expected a string",
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkCollector(t, "log_fortianalyzer", tt.replies, tt.want, tt.wantErr)
		})
	}
}

func TestFortiAnalyzerUnsupported(t *testing.T) { checkUnsupported(t, "log_fortianalyzer") }

func FuzzParseFortiAnalyzer(f *testing.F) {
	addFixtureSeeds(f, fortiAnalyzerEndpoint)
	addFixtureSeeds(f, fortiAnalyzerQueueEndpoint)
	f.Add([]byte(`[{"results":{"connected":true,"failed_logs":"1","registration":7},"vdom":"root"}]`))
	f.Add([]byte(`{"results":[{"received":1},{"received":2}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		_, err := parseFortiAnalyzer(body)
		checkDecodeResult(t, err)
		_, err = parseFortiAnalyzerQueue(body)
		checkDecodeResult(t, err)
	})
}

package collector

import "testing"

const logDiskUsageRequest = "log/current-disk-usage?vdom=%2A"

func TestLogDiskUsageGolden(t *testing.T) {
	for _, release := range []string{"7.0", "7.4"} {
		t.Run(release, func(t *testing.T) { checkGolden(t, "log_disk_usage", release) })
	}
}

func TestLogDiskUsageQuirks(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		want    string
		wantErr string
	}{
		{
			name: "numbers as strings and a missing field",
			body: `[{"results":{"used_bytes":"1024","total_bytes":4096.0},"vdom":"root"}]`,
			want: `
				fortigate_log_disk_total_bytes{vdom="root"} 4096
				fortigate_log_disk_used_bytes{vdom="root"} 1024
			`,
		},
		{
			name: "single envelope instead of an array",
			body: `{"results":{"used_bytes":1,"free_bytes":2,"total_bytes":3},"vdom":"dmz"}`,
			want: `
				fortigate_log_disk_free_bytes{vdom="dmz"} 2
				fortigate_log_disk_total_bytes{vdom="dmz"} 3
				fortigate_log_disk_used_bytes{vdom="dmz"} 1
			`,
		},
		{
			name: "results as a one-element array",
			body: `[{"results":[{"used_bytes":5}],"vdom":"root"}]`,
			want: `fortigate_log_disk_used_bytes{vdom="root"} 5`,
		},
		{
			name: "empty results",
			body: `[{"results":{},"vdom":"root"},{"results":[],"vdom":"dmz"}]`,
			want: ``,
		},
		{
			name:    "counter of the wrong type",
			body:    `[{"results":{"used_bytes":true},"vdom":"root"}]`,
			wantErr: "decode log/current-disk-usage reply: field results.used_bytes: got boolean true, expected a number",
		},
		{
			name:    "error envelope",
			body:    `[{"status":"error","vdom":"dmz"}]`,
			wantErr: `field [0].status: FortiOS reported an error for VDOM "dmz"`,
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			replies := map[string]reply{logDiskUsageRequest: {body: tt.body}}
			checkCollector(t, "log_disk_usage", replies, tt.want, tt.wantErr)
		})
	}
}

func TestLogDiskUsageUnsupported(t *testing.T) { checkUnsupported(t, "log_disk_usage") }

func FuzzParseLogDiskUsage(f *testing.F) {
	addFixtureSeeds(f, logDiskUsageEndpoint)
	f.Add([]byte(`[{"results":{"used_bytes":"12","free_bytes":null},"vdom":"root"}]`))
	f.Add([]byte(`{"results":[{"total_bytes":1},{"total_bytes":2}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		_, err := parseLogDiskUsage(body)
		checkDecodeResult(t, err)
	})
}

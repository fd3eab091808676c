package collector

import (
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestPerformanceStatusGolden(t *testing.T) {
	for _, release := range []string{"7.0", "7.4"} {
		t.Run(release, func(t *testing.T) { checkGolden(t, "system_performance_status", release) })
	}
}

func TestPerformanceStatusQuirks(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		want    string
		wantErr string
	}{
		{
			name: "one core as an object and missing modes",
			body: `{"results":{"cpu":{"cores":{"user":"25","idle":75},"user":25,"idle":75},
				"mem":{"total":1073741824,"used":"536870912"}}}`,
			want: `
				fortigate_cpu_mode_ratio{mode="idle",processor="0"} 0.75
				fortigate_cpu_mode_ratio{mode="user",processor="0"} 0.25
				fortigate_cpu_overall_mode_ratio{mode="idle"} 0.75
				fortigate_cpu_overall_mode_ratio{mode="user"} 0.25
				fortigate_memory_total_bytes 1.073741824e+09
				fortigate_memory_used_bytes 5.36870912e+08
			`,
		},
		{
			name: "empty results",
			body: `{"results":{}}`,
			want: ``,
		},
		{
			name:    "core of the wrong type",
			body:    `{"results":{"cpu":{"cores":[{"user":[1]}]}}}`,
			wantErr: `decode system/performance/status reply: field results.cpu.cores.user: got array, expected a number`,
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := collectorByName(t, "system_performance_status")
			api := &fakeAPI{replies: map[string]reply{performanceStatusEndpoint: {body: tt.body}}}
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

func TestPerformanceStatusUnsupported(t *testing.T) {
	checkUnsupported(t, "system_performance_status")
}

func FuzzParsePerformanceStatus(f *testing.F) {
	addFixtureSeeds(f, performanceStatusEndpoint)
	f.Add([]byte(`{"results":[{"cpu":{"cores":null},"mem":{"total":"1"}}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		_, err := parsePerformanceStatus(body)
		checkDecodeResult(t, err)
	})
}

package collector

import (
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

// fixtureTime is the time in the system/time fixture files.
var fixtureTime = time.Unix(1749722400, 0)

// setExporterClock makes the registered system_time collector read its clock
// from readings, one per call, repeating the last one, until the test ends.
func setExporterClock(t *testing.T, readings ...time.Time) {
	t.Helper()
	c, ok := collectorByName(t, "system_time").(*systemTimeCollector)
	if !ok {
		t.Fatalf("collector system_time is %T, want *systemTimeCollector", collectorByName(t, "system_time"))
	}
	var mu sync.Mutex
	next := 0
	previous := c.now
	c.now = func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		reading := readings[min(next, len(readings)-1)]
		next++
		return reading
	}
	t.Cleanup(func() { c.now = previous })
}

func TestSystemTimeGolden(t *testing.T) {
	for _, release := range []string{"7.0", "7.4"} {
		t.Run(release, func(t *testing.T) {
			// The exporter's clock is 2.5 s behind the fixture device.
			setExporterClock(t, fixtureTime.Add(-2500*time.Millisecond))
			checkGolden(t, "system_time", release)
		})
	}
}

func TestSystemTimeQuirks(t *testing.T) {
	tests := []struct {
		name    string
		clock   []time.Time
		body    string
		want    string
		wantErr string
	}{
		{
			name:  "offset from the midpoint of the request",
			clock: []time.Time{fixtureTime.Add(-3 * time.Second), fixtureTime.Add(-1 * time.Second)},
			body:  `{"results":{"time":1749722400},"vdom":"root"}`,
			want: `
				fortigate_time_offset_seconds 2
				fortigate_time_seconds 1.7497224e+09
			`,
		},
		{
			name:  "device behind the exporter, time as a string",
			clock: []time.Time{fixtureTime.Add(90 * time.Second)},
			body:  `{"results":{"time":"1749722400"}}`,
			want: `
				fortigate_time_offset_seconds -90
				fortigate_time_seconds 1.7497224e+09
			`,
		},
		{
			name:  "results as an array of one object and a fraction",
			clock: []time.Time{fixtureTime},
			body:  `[{"results":[{"time":1749722400.25}],"vdom":"root"}]`,
			want: `
				fortigate_time_offset_seconds 0.25
				fortigate_time_seconds 1.74972240025e+09
			`,
		},
		{
			name:  "time missing",
			clock: []time.Time{fixtureTime},
			body:  `{"results":{},"vdom":"root"}`,
			want:  ``,
		},
		{
			name:    "time of the wrong type",
			clock:   []time.Time{fixtureTime},
			body:    `{"results":{"time":{"epoch":1}}}`,
			wantErr: "decode system/time reply: field results.time: got object, expected a number",
		},
		{
			name:    "error envelope",
			clock:   []time.Time{fixtureTime},
			body:    `{"status":"error","http_status":403,"vdom":"root"}`,
			wantErr: `decode system/time reply: field status: FortiOS reported an error for VDOM "root"`,
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			setExporterClock(t, tt.clock...)
			replies := map[string]reply{systemTimeEndpoint: {body: tt.body}}
			checkCollector(t, "system_time", replies, tt.want, tt.wantErr)
		})
	}
}

func TestSystemTimeRequestNamesNoVDOM(t *testing.T) {
	setExporterClock(t, fixtureTime)
	api := &fakeAPI{replies: map[string]reply{
		systemTimeEndpoint: {body: `{"results":{"time":1749722400}}`},
	}}
	adapter := &singleCollector{
		collector: collectorByName(t, "system_time"),
		target:    &Target{Name: "fw", API: api, VDOMs: []string{"dmz"}},
	}

	if n := testutil.CollectAndCount(adapter); n != 2 {
		t.Errorf("collected %d metrics, want 2", n)
	}
	if got := api.requestList(); !slices.Equal(got, []string{systemTimeEndpoint}) {
		t.Errorf("requests = %q, want only %q: the clock is global", got, systemTimeEndpoint)
	}
}

func TestSystemTimeUnsupported(t *testing.T) { checkUnsupported(t, "system_time") }

func FuzzParseSystemTime(f *testing.F) {
	addSeeds(f, systemTimeEndpoint)
	f.Add([]byte(`{"results":{"time":1e400}}`))
	f.Add([]byte(`{"results":{"time":"soon"}}`))
	f.Add([]byte(`{"results":[{"time":1},{"time":2}]}`))
	f.Fuzz(func(t *testing.T, body []byte) { fuzzCollector(t, "system_time", body) })
}

package collector

import (
	"context"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

// The golden files of the system collectors are exposition output for the
// simulated FortiGate 80F pair of each release line. Review every change to
// them against the fixture JSON in fixtures/fortios.
func TestSystemCollectorsGolden(t *testing.T) {
	collectors := []string{
		"system_status", "system_resource_usage", "system_interface", "system_ha_statistics",
	}
	for _, name := range collectors {
		for _, release := range []string{"7.0", "7.4", "7.6"} {
			t.Run(name+"/"+release, func(t *testing.T) {
				checkGolden(t, name, release)
			})
		}
	}
}

func TestProbeSystemCollectorsOnSimulator(t *testing.T) {
	names := []string{
		"system_ha_statistics", "system_interface", "system_resource_usage", "system_status",
	}
	for _, release := range []string{"7.0", "7.4", "7.6"} {
		t.Run(release, func(t *testing.T) {
			probe, err := NewProbe(context.Background(), newFixtureTarget(t, release), names,
				ProbeOptions{}, nil)
			if err != nil {
				t.Fatal(err)
			}

			want := exposition(funcCollector(nil), `
				fortigate_scrape_collector_success{collector="system_ha_statistics"} 1
				fortigate_scrape_collector_success{collector="system_interface"} 1
				fortigate_scrape_collector_success{collector="system_resource_usage"} 1
				fortigate_scrape_collector_success{collector="system_status"} 1
				fortigate_scrape_collector_unsupported{collector="system_ha_statistics"} 0
				fortigate_scrape_collector_unsupported{collector="system_interface"} 0
				fortigate_scrape_collector_unsupported{collector="system_resource_usage"} 0
				fortigate_scrape_collector_unsupported{collector="system_status"} 0
				fortigate_up 1
			`)
			err = testutil.CollectAndCompare(probe, strings.NewReader(want),
				"fortigate_up", "fortigate_scrape_collector_success", "fortigate_scrape_collector_unsupported")
			if err != nil {
				t.Fatal(err)
			}
			if problems, err := testutil.CollectAndLint(probe); err != nil {
				t.Fatal(err)
			} else {
				for _, p := range problems {
					t.Errorf("lint: %s: %s", p.Metric, p.Text)
				}
			}
		})
	}
}

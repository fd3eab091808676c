package collector

import "testing"

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

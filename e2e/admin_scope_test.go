package e2e

import (
	"context"
	"regexp"
	"strings"
	"testing"
)

// vdomLabel matches the vdom label of a series in the text exposition.
var vdomLabel = regexp.MustCompile(`[{,]vdom="([^"]*)"`)

// TestRestrictedAdminVDOMs scrapes a FortiGate whose admin is a VDOM admin
// of dmz alone, once with vdom=* and once with a vdoms list that names root.
func TestRestrictedAdminVDOMs(t *testing.T) {
	s := startSim(t, "--admin-vdoms=dmz")

	t.Run("every visible VDOM", func(t *testing.T) {
		targets := writeTargets(t, s, "")
		e := startExporter(t, "exporter-vdom-admin", []string{"--config.file=" + targets}, nil)
		body, families, err := scrape(context.Background(), e, "/probe?target=fw")
		if err != nil {
			t.Fatal(err)
		}
		if up, _ := value(families, "fortigate_up", ""); up != 1 {
			t.Fatalf("fortigate_up = %v, want 1", up)
		}

		// The HA member series take their vdom from the results of
		// system/ha-statistics, which the simulator serves unchanged to a
		// VDOM admin.
		seen := map[string]int{}
		for _, line := range strings.Split(body, "\n") {
			if strings.HasPrefix(line, "fortigate_ha_member_vdom_") {
				continue
			}
			if m := vdomLabel.FindStringSubmatch(line); m != nil {
				seen[m[1]]++
			}
		}
		if seen["dmz"] == 0 {
			t.Errorf("no series for VDOM dmz")
		}
		for vdom, n := range seen {
			// An empty vdom is a certificate of the global scope.
			if vdom != "dmz" && vdom != "" {
				t.Errorf("%d series for VDOM %q, which the admin cannot see", n, vdom)
			}
		}

		for collector, want := range map[string]float64{
			"system_status":                 1,
			"system_interface":              1,
			"firewall_policy":               1,
			"system_resource_usage":         1,
			"system_certificates":           1,
			"system_ha_checksums":           0,
			"system_interface_transceivers": 0,
		} {
			got, ok := value(families, "fortigate_scrape_collector_success", "collector="+collector)
			if !ok || got != want {
				t.Errorf("fortigate_scrape_collector_success{collector=%q} = %v (present %v), want %v",
					collector, got, ok, want)
			}
		}
		if _, ok := value(families, "fortigate_cpu_overall_usage_ratio", ""); ok {
			t.Errorf("fortigate_cpu_overall_usage_ratio is present, want it left out without global scope")
		}
		if _, ok := value(families, "fortigate_vdom_cpu_usage_ratio", "vdom=dmz"); !ok {
			t.Errorf("fortigate_vdom_cpu_usage_ratio{vdom=\"dmz\"} is missing")
		}
		if !strings.Contains(e.Output(), "system/ha-checksums?scope=global: HTTP 403") ||
			!strings.Contains(e.Output(), "permission denied for the global scope") {
			t.Errorf("the exporter log does not explain the system_ha_checksums failure:\n%s",
				lastLines(e.Output(), 20))
		}
	})

	t.Run("vdoms list with a hidden VDOM", func(t *testing.T) {
		targets := writeTargets(t, s, "    vdoms: [root, dmz]\n")
		e := startExporter(t, "exporter-vdom-list", []string{"--config.file=" + targets}, nil)
		_, families, err := scrape(context.Background(), e, "/probe?target=fw")
		if err != nil {
			t.Fatal(err)
		}
		if up, _ := value(families, "fortigate_up", ""); up != 1 {
			t.Errorf("fortigate_up = %v, want 1: the collectors without a vdom parameter still work", up)
		}
		for collector, want := range map[string]float64{
			"system_status":        1,
			"license_status":       1,
			"system_ha_statistics": 1,
			"system_interface":     0,
			"firewall_policy":      0,
			"vpn_ipsec":            0,
		} {
			got, ok := value(families, "fortigate_scrape_collector_success", "collector="+collector)
			if !ok || got != want {
				t.Errorf("fortigate_scrape_collector_success{collector=%q} = %v (present %v), want %v",
					collector, got, ok, want)
			}
		}
		out := e.Output()
		for _, part := range []string{`system/interface?vdom=root,dmz: HTTP 403`,
			`permission denied for VDOM \"root\"`, "access profile lacks read permission"} {
			if !strings.Contains(out, part) {
				t.Errorf("the exporter log does not contain %q:\n%s", part, lastLines(out, 20))
			}
		}
	})

	if got := s.Stats(t).Logins; got != 2 {
		t.Errorf("simulator counted %d logins for two exporters, want 2", got)
	}
}

package e2e

import (
	"context"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
)

// customEndpointsYAML maps the DHCP leases of system/dhcp, which no built-in
// collector reads, and an endpoint the simulator does not have.
const customEndpointsYAML = `    custom_endpoints:
      - name: dhcp_leases
        path: system/dhcp
        per_vdom: true
        metrics:
          - name: fortigate_dhcp_lease_expiry_timestamp_seconds
            help: Expiry of a DHCP lease, in seconds since the Unix epoch.
            type: gauge
            value: expire_time
            labels: {ip: ip, mac: mac}
      - name: not_on_device
        path: system/no-such-endpoint
        metrics:
          - name: fortigate_no_such_value
            help: Value of an endpoint that the device does not have.
            type: gauge
            value: value
`

func TestCustomEndpointOnProbe(t *testing.T) {
	s := startSim(t)
	targets := writeTargets(t, s, customEndpointsYAML)
	e := startExporter(t, "exporter", []string{"--config.file=" + targets}, nil)

	checkCustomMetrics(t, e)

	// A reload that reuses a built-in metric name fails and keeps the
	// running config, custom endpoints included.
	data, err := os.ReadFile(targets)
	if err != nil {
		t.Fatal(err)
	}
	broken := strings.Replace(string(data), "fortigate_no_such_value", "fortigate_up", 1)
	if err := os.WriteFile(targets, []byte(broken), 0o600); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post(e.URL+"/-/reload", "", nil)
	if err != nil {
		t.Fatalf("POST /-/reload: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode == http.StatusOK {
		t.Fatalf("reload with a built-in metric name succeeded: %s", body)
	}
	if !strings.Contains(string(body), "metric fortigate_up is a built-in metric") {
		t.Errorf("reload response does not name the metric: %s", body)
	}

	checkCustomMetrics(t, e)
}

// checkCustomMetrics scrapes target fw of e and checks the samples and
// collector outcomes of customEndpointsYAML.
func checkCustomMetrics(t *testing.T, e *exporter) {
	t.Helper()
	_, families, err := scrape(context.Background(), e, "/probe?target=fw")
	if err != nil {
		t.Fatal(err)
	}

	const expiry = "fortigate_dhcp_lease_expiry_timestamp_seconds"
	const lease = "ip=10.10.1.21,mac=3c:22:fb:41:07:9a,vdom=root"
	if v, ok := value(families, expiry, lease); !ok || v != 1749808800 {
		t.Errorf("%s{%s} = %v (present %v), want 1749808800", expiry, lease, v, ok)
	}
	const dmzLease = "ip=172.16.20.40,mac=52:54:00:a1:3c:0f,vdom=dmz"
	if _, ok := value(families, expiry, dmzLease); !ok {
		t.Errorf("%s{%s} is missing", expiry, dmzLease)
	}

	outcomes := []struct {
		metric, collector string
	}{
		{"fortigate_scrape_collector_success", "custom_dhcp_leases"},
		{"fortigate_scrape_collector_success", "custom_not_on_device"},
		{"fortigate_scrape_collector_unsupported", "custom_not_on_device"},
	}
	for _, o := range outcomes {
		if v, _ := value(families, o.metric, "collector="+o.collector); v != 1 {
			t.Errorf("%s{collector=%s} = %v, want 1", o.metric, o.collector, v)
		}
	}
	if v, _ := value(families, "fortigate_up", ""); v != 1 {
		t.Errorf("fortigate_up = %v, want 1", v)
	}
}

func TestCustomEndpointPromtoolCheck(t *testing.T) {
	promtool := promtoolPath(t)
	s := startSim(t)
	targets := writeTargets(t, s, customEndpointsYAML)
	e := startExporter(t, "exporter", []string{"--config.file=" + targets}, nil)

	probe, _, err := scrape(context.Background(), e, "/probe?target=fw")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(probe, "fortigate_dhcp_lease_expiry_timestamp_seconds{") {
		t.Fatalf("/probe output has no custom metric:\n%s", probe)
	}
	promtoolCheck(t, promtool, "/probe with custom endpoints", probe)
}

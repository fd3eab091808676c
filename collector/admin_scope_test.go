package collector

import (
	"context"
	"net/http/httptest"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/fortigate-session-exporter/fortigate_session_exporter/fgsession"
	"github.com/fortigate-session-exporter/fortigate_session_exporter/fixtures"
)

// These tests scrape a simulated FortiGate whose admin may read only some VDOMs,
// over HTTPS through a real session manager, so the collector errors carry
// the messages that fgsession builds from FortiOS's 403 envelopes.

// globalScopeCollectors are the default collectors that have no request
// without scope=global, so they fail for an admin without global scope.
var globalScopeCollectors = []string{"system_ha_checksums", "system_interface_transceivers"}

// startScopedTarget serves a simulator with opts over HTTPS and returns a
// target that scrapes vdoms through it.
func startScopedTarget(t *testing.T, opts fixtures.Options, vdoms []string) *Target {
	t.Helper()
	const password = "Scope-Passw0rd!"
	opts.Password = password
	sim, err := fixtures.New(opts)
	if err != nil {
		t.Fatalf("start simulator: %v", err)
	}
	srv := httptest.NewTLSServer(sim.Handler())
	t.Cleanup(srv.Close)
	t.Cleanup(sim.Close)

	base, _ := url.Parse(srv.URL)
	session := &fgsession.Target{Name: "fw", BaseURL: base, Username: "admin", Password: password,
		TTL: time.Hour, HTTPClient: srv.Client()}
	manager := fgsession.NewManager(fgsession.ManagerOptions{})
	manager.AddTarget(session)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		manager.Close(ctx)
	})
	return &Target{Name: "fw", API: manager.Client(session), VDOMs: vdoms}
}

// scopedScrape is the outcome of one scrape with every default collector.
type scopedScrape struct {
	families []*dto.MetricFamily
	up       bool
	// failed maps each failed collector to the error it logged.
	failed map[string]string
}

func scrapeScoped(t *testing.T, target *Target) scopedScrape {
	t.Helper()
	names, err := Select(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	logger, logs := newTestLogger()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	probe, err := NewProbe(ctx, target, names, ProbeOptions{}, logger)
	if err != nil {
		t.Fatal(err)
	}
	registry := prometheus.NewRegistry()
	registry.MustRegister(probe)
	families, err := registry.Gather()
	if err != nil {
		t.Fatalf("gather: %v", err)
	}

	res := scopedScrape{families: families, failed: map[string]string{}}
	for _, mf := range families {
		for _, m := range mf.GetMetric() {
			switch mf.GetName() {
			case upMetric.name:
				res.up = m.GetGauge().GetValue() == 1
			case collectorSuccessMetric.name:
				if m.GetGauge().GetValue() == 0 {
					res.failed[labelValue(m, "collector")] = ""
				}
			}
		}
	}
	for _, r := range logs.records(t) {
		name, _ := r["collector"].(string)
		if _, ok := res.failed[name]; ok && r["msg"] == "collector failed" {
			res.failed[name], _ = r["err"].(string)
		}
	}
	return res
}

func (s scopedScrape) failedNames() []string {
	names := make([]string, 0, len(s.failed))
	for name := range s.failed {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// vdomLabels returns every value of the vdom label, by metric name.
func (s scopedScrape) vdomLabels() map[string][]string {
	out := map[string][]string{}
	for _, mf := range s.families {
		for _, m := range mf.GetMetric() {
			for _, pair := range m.GetLabel() {
				if pair.GetName() == "vdom" && !slices.Contains(out[mf.GetName()], pair.GetValue()) {
					out[mf.GetName()] = append(out[mf.GetName()], pair.GetValue())
				}
			}
		}
	}
	return out
}

// seriesCount returns the number of series of the named metric.
func (s scopedScrape) seriesCount(name string) int {
	for _, mf := range s.families {
		if mf.GetName() == name {
			return len(mf.GetMetric())
		}
	}
	return 0
}

func TestRestrictedAdminEveryVDOM(t *testing.T) {
	target := startScopedTarget(t, fixtures.Options{Release: "7.4", AdminVDOMs: []string{"dmz"}}, nil)
	res := scrapeScoped(t, target)

	if !res.up {
		t.Errorf("fortigate_up = 0, want 1")
	}
	if got := res.failedNames(); !slices.Equal(got, globalScopeCollectors) {
		t.Errorf("failed collectors = %q, want %q: %v", got, globalScopeCollectors, res.failed)
	}
	for _, name := range globalScopeCollectors {
		if msg := res.failed[name]; !strings.Contains(msg, "permission denied for the global scope") {
			t.Errorf("%s error %q does not name the global scope", name, msg)
		}
	}

	// vdom=* covers exactly the VDOM the admin may read. An empty vdom is a
	// certificate of the global scope. The HA member series take their vdom
	// from the results of system/ha-statistics, which the simulator serves
	// unchanged to a VDOM admin.
	labels := res.vdomLabels()
	if len(labels) == 0 {
		t.Fatal("no series with a vdom label")
	}
	for name, values := range labels {
		if strings.HasPrefix(name, "fortigate_ha_member_vdom_") {
			continue
		}
		for _, v := range values {
			if v != "dmz" && v != "" {
				t.Errorf("%s has a series for VDOM %q, want dmz alone", name, v)
			}
		}
	}
	for _, name := range []string{"fortigate_interface_link_up", "fortigate_vdom_cpu_usage_ratio",
		"fortigate_policy_active_sessions", "fortigate_certificate_info"} {
		if !slices.Contains(labels[name], "dmz") {
			t.Errorf("%s has no series for dmz", name)
		}
	}

	// system_resource_usage falls back to the per-VDOM request.
	if n := res.seriesCount("fortigate_cpu_overall_usage_ratio"); n != 0 {
		t.Errorf("%d fortigate_cpu_overall_usage_ratio series, want none without global scope", n)
	}
	if n := res.seriesCount("fortigate_vdom_cpu_usage_ratio"); n != 1 {
		t.Errorf("%d fortigate_vdom_cpu_usage_ratio series, want 1", n)
	}
}

func TestRestrictedAdminConfiguredVDOMs(t *testing.T) {
	target := startScopedTarget(t, fixtures.Options{Release: "7.4", AdminVDOMs: []string{"dmz"}},
		[]string{"root", "dmz"})
	res := scrapeScoped(t, target)

	if !res.up {
		t.Errorf("fortigate_up = 0, want 1: the collectors without a vdom parameter still work")
	}
	for _, name := range []string{"system_status", "license_status", "system_ha_statistics"} {
		if _, failed := res.failed[name]; failed {
			t.Errorf("%s failed: %s", name, res.failed[name])
		}
	}
	// Every collector that sends vdom=root,dmz fails with the reason.
	for _, name := range []string{"system_interface", "system_resource_usage", "firewall_policy",
		"vpn_ipsec", "system_certificates"} {
		msg, failed := res.failed[name]
		if !failed {
			t.Errorf("%s succeeded, want a failure for VDOM root", name)
			continue
		}
		for _, part := range []string{"vdom=root,dmz: HTTP 403", `permission denied for VDOM "root"`,
			"access profile"} {
			if !strings.Contains(msg, part) {
				t.Errorf("%s error %q does not contain %q", name, msg, part)
			}
		}
	}
	for name, msg := range res.failed {
		if !strings.Contains(msg, `VDOM "root"`) && !slices.Contains(globalScopeCollectors, name) {
			t.Errorf("%s failed for another reason: %s", name, msg)
		}
	}
}

func TestRestrictedAdminWildcardForbidden(t *testing.T) {
	opts := fixtures.Options{Release: "7.4", AdminVDOMs: []string{"dmz"}, VDOMWildcardForbidden: true}

	// A device that rejects vdom=* fails every per-VDOM collector, with the fix
	// in the message.
	res := scrapeScoped(t, startScopedTarget(t, opts, nil))
	msg, failed := res.failed["system_interface"]
	if !failed || !strings.Contains(msg, "permission denied for vdom=*") ||
		!strings.Contains(msg, "target's vdoms setting") {
		t.Errorf("system_interface error %q, want the vdom=* failure with its fix", msg)
	}

	// Listing the admin's VDOM is that fix.
	res = scrapeScoped(t, startScopedTarget(t, opts, []string{"dmz"}))
	if got := res.failedNames(); !slices.Equal(got, globalScopeCollectors) {
		t.Errorf("with vdoms [dmz]: failed collectors = %q, want %q: %v", got, globalScopeCollectors, res.failed)
	}
}

func TestGlobalAdminAllCollectors(t *testing.T) {
	// The same scrape with global scope, so the tests above show the effect of
	// the admin's scope and not a gap of the fixtures.
	res := scrapeScoped(t, startScopedTarget(t, fixtures.Options{Release: "7.4"}, nil))
	if len(res.failed) != 0 {
		t.Errorf("failed collectors %v, want none", res.failed)
	}
	if n := res.seriesCount("fortigate_cpu_overall_usage_ratio"); n != 1 {
		t.Errorf("%d fortigate_cpu_overall_usage_ratio series, want 1", n)
	}
	if labels := res.vdomLabels()["fortigate_interface_link_up"]; !slices.Contains(labels, "root") {
		t.Errorf("fortigate_interface_link_up vdoms %q, want root among them", labels)
	}
}

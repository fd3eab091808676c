package e2e

import (
	"context"
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// allCollectorFlags returns --collector.NAME for every collector the binary
// has, so that collectors off by default run too.
func allCollectorFlags(t *testing.T) []string {
	t.Helper()
	out, err := exec.Command(exporterBin, "--help-long").CombinedOutput()
	if err != nil {
		t.Fatalf("%s --help-long: %v\n%s", exporterBin, err, out)
	}
	var flags []string
	for _, m := range regexp.MustCompile(`--\[no-\]collector\.([a-z0-9_]+)`).FindAllStringSubmatch(string(out), -1) {
		flags = append(flags, "--collector."+m[1])
	}
	if len(flags) == 0 {
		t.Fatalf("%s --help-long lists no --[no-]collector.NAME flag:\n%s", exporterBin, out)
	}
	return flags
}

func TestEveryCollectorOnOneScrape(t *testing.T) {
	promtool := promtoolPath(t)
	s := startSim(t, "--fortios-version=7.4.8")
	args := append([]string{"--config.file=" + writeTargets(t, s, "")}, allCollectorFlags(t)...)
	e := startExporter(t, "exporter-all", args, nil)

	body, families, err := scrape(context.Background(), e, "/probe?target=fw")
	if err != nil {
		t.Fatal(err)
	}
	if up, _ := value(families, "fortigate_up", ""); up != 1 {
		t.Fatalf("fortigate_up = %v, want 1", up)
	}
	for labels, v := range families["fortigate_scrape_collector_success"].values {
		if v != 1 {
			t.Errorf("fortigate_scrape_collector_success{%s} = %v, want 1", labels, v)
		}
	}
	for labels, v := range families["fortigate_scrape_collector_unsupported"].values {
		if v != 0 {
			t.Errorf("fortigate_scrape_collector_unsupported{%s} = %v: the 7.4 fixture device has every feature", labels, v)
		}
	}
	count := 0
	for name := range families {
		if strings.HasPrefix(name, "fortigate_") {
			count++
		}
	}
	if count < 120 {
		t.Errorf("one scrape yields %d fortigate_ metric families, want at least 120", count)
	}
	promtoolCheck(t, promtool, "/probe with every collector", body)
}

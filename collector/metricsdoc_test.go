package collector

import (
	"bytes"
	stdflag "flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var updateMetricsDoc = stdflag.Bool("update", false, "rewrite ../METRICS.md from the metric definitions")

const metricsDocPath = "../METRICS.md"

// TestMetricsDoc fails when METRICS.md differs from what the metric definitions
// produce. Regenerate it with go test ./collector -run TestMetricsDoc -update.
func TestMetricsDoc(t *testing.T) {
	want := renderMetricsDoc()
	path := filepath.FromSlash(metricsDocPath)

	if *updateMetricsDoc {
		if err := os.WriteFile(path, want, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read %s (create it with -update): %v", path, err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("METRICS.md is out of date: run go test ./collector -run TestMetricsDoc -update")
	}
}

func TestMetricsDocListsEveryMetric(t *testing.T) {
	doc := string(renderMetricsDoc())
	for _, m := range MetricDocs() {
		if !strings.Contains(doc, "| `"+m.Name+"` |") {
			t.Errorf("METRICS.md lacks %s", m.Name)
		}
	}
}

// renderMetricsDoc renders METRICS.md from MetricDocs and the collector table.
func renderMetricsDoc() []byte {
	var b bytes.Buffer
	b.WriteString("# Metrics\n\n")
	b.WriteString("<!-- Generated from the metric definitions in collector/ by\n")
	b.WriteString("     go test ./collector -run TestMetricsDoc -update\n")
	b.WriteString("     Do not edit by hand. -->\n\n")
	b.WriteString("This page lists every metric defined in package `collector`. Endpoints are\n")
	b.WriteString("relative to `/api/v2/monitor/` on the FortiGate, except CMDB tables such as\n")
	b.WriteString("`cmdb/firewall/policy`, which are relative to `/api/v2/`. A collector that FortiOS\n")
	b.WriteString("answers with 404 or 424 sends no metrics of its own and reports\n")
	b.WriteString("`fortigate_scrape_collector_unsupported 1`. A CMDB read that fails leaves out\n")
	b.WriteString("only the metrics of that table. A field that FortiOS leaves out gives no\n")
	b.WriteString("sample.\n\n")

	docs := MetricDocs()
	writeSection(&b, "Scrape metrics",
		"Sent with every scrape of a target, on `/probe` and, for the `default` target, on `/metrics`.",
		filterDocs(docs, "scrape"), false)
	writeSection(&b, "Exporter metrics",
		"Kept on the exporter's own registry and served on `/metrics`.",
		filterDocs(docs, "exporter"), false)

	for _, r := range registrations {
		state := "off"
		if r.defaultEnabled {
			state = "on"
		}
		intro := fmt.Sprintf("Default %s. Flags `--collector.%s` and `--no-collector.%s`.",
			state, r.name, r.name)
		writeSection(&b, "Collector "+r.name, intro, filterDocs(docs, r.name), true)
	}
	return b.Bytes()
}

func filterDocs(docs []MetricDoc, collector string) []MetricDoc {
	var out []MetricDoc
	for _, d := range docs {
		if d.Collector == collector {
			out = append(out, d)
		}
	}
	return out
}

func writeSection(b *bytes.Buffer, title, intro string, docs []MetricDoc, withEndpoint bool) {
	fmt.Fprintf(b, "## %s\n\n%s\n\n", title, intro)
	if withEndpoint {
		b.WriteString("| metric | type | labels | unit | endpoint | help |\n")
		b.WriteString("| --- | --- | --- | --- | --- | --- |\n")
	} else {
		b.WriteString("| metric | type | labels | unit | help |\n")
		b.WriteString("| --- | --- | --- | --- | --- |\n")
	}

	for _, d := range docs {
		labels := make([]string, len(d.Labels))
		for i, l := range d.Labels {
			labels[i] = "`" + l + "`"
		}
		cells := []string{
			"`" + d.Name + "`", d.Type, strings.Join(labels, ", "), d.Unit,
		}
		if withEndpoint {
			cells = append(cells, "`"+d.Endpoint+"`")
		}
		cells = append(cells, strings.ReplaceAll(d.Help, "|", `\|`))
		b.WriteString("| " + strings.Join(cells, " | ") + " |\n")
	}
	b.WriteString("\n")
}

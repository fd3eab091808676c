package e2e

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"go.yaml.in/yaml/v3"

	"github.com/fortigate-session-exporter/fortigate_session_exporter/internal/testredis"
)

// Checks of every query in grafana/ and alerts/ that need no Prometheus
// server. promtool parses each query, and each metric that a query names must
// be one that the exporter serves against the simulated FortiGate.

// prometheusMadeMetrics are the series that Prometheus itself writes for
// every scrape and every alert, which no exporter serves.
var prometheusMadeMetrics = map[string]bool{
	"up": true, "scrape_duration_seconds": true, "scrape_samples_scraped": true,
	"scrape_samples_post_metric_relabeling": true, "scrape_series_added": true,
	"scrape_timeout_seconds": true, "scrape_sample_limit": true,
	"ALERTS": true, "ALERTS_FOR_STATE": true,
}

// notOnFixtureDevices are metrics that a collector defines but that no device
// of the simulator's fixtures has data for, with the reason. The test accepts
// them when METRICS.md lists them, because collector.TestMetricsDoc keeps that
// file equal to the collectors' metric definitions. It is empty now that the
// 7.4 device has every sensor type.
var notOnFixtureDevices = map[string]string{}

// allQueries returns the panel, annotation and variable queries of every
// dashboard with each dashboard variable replaced by its own name, and the
// expression of every rule. The values make the queries parse but select
// nothing.
func allQueries(t *testing.T) (queries []sourceQuery, expanded []string) {
	t.Helper()
	for _, path := range dashboardFiles {
		d := loadDashboard(t, path)
		values := map[string]string{}
		for _, v := range d.Templating.List {
			values[v.Name] = v.Name
		}
		file := relPath(path)
		for _, q := range append(dashboardQueries(file, d), variableQueries(t, file, d)...) {
			expr, err := expandVariables(q.expr, values)
			if err != nil {
				t.Errorf("%s: %v", q, err)
				continue
			}
			queries = append(queries, q)
			expanded = append(expanded, expr)
		}
	}
	for _, q := range ruleQueries(loadRuleFiles(t)) {
		queries = append(queries, q)
		expanded = append(expanded, q.expr)
	}
	return queries, expanded
}

// checkedRuleName matches a promtool check rules error of one rule, which
// names the rule by its record name.
var checkedRuleName = regexp.MustCompile(`"query_(\d+)": (.*)`)

func TestQueriesParse(t *testing.T) {
	promtool := promtoolPath(t)
	queries, expanded := allQueries(t)

	// Every query becomes a recording rule named query_<index>, so that one
	// promtool run parses all of them and names each one that fails.
	type rule struct {
		Record string `yaml:"record"`
		Expr   string `yaml:"expr"`
	}
	rules := make([]rule, 0, len(expanded))
	for i, expr := range expanded {
		rules = append(rules, rule{Record: fmt.Sprintf("query_%d", i), Expr: expr})
	}
	doc := map[string]any{"groups": []any{map[string]any{"name": "queries", "rules": rules}}}
	out, err := yaml.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "queries.rules.yml")
	if err := os.WriteFile(path, out, 0o600); err != nil {
		t.Fatal(err)
	}

	output, err := exec.Command(promtool, "check", "rules", path).CombinedOutput()
	if err == nil {
		t.Logf("promtool parsed %d queries", len(queries))
		return
	}
	reported := false
	for _, line := range strings.Split(string(output), "\n") {
		m := checkedRuleName.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		i, _ := strconv.Atoi(m[1])
		t.Errorf("%s does not parse: %s\n\tquery: %s", queries[i], m[2], expanded[i])
		reported = true
	}
	if !reported {
		t.Fatalf("promtool check rules failed without naming a query: %v\n%s", err, output)
	}
}

func TestQueriesUseExposedMetrics(t *testing.T) {
	redis := testredis.Start(t)
	s := startSim(t)
	targets := writeTargets(t, s, duplicateRowsYAML)
	args := append([]string{"--config.file=" + targets, "--redis.addr=" + redis.Addr()}, allCollectorFlags(t)...)
	e := startExporter(t, "exporter", args, nil)

	exposed := map[string]bool{}
	ctx := context.Background()
	probe, _, err := scrape(ctx, e, probePath)
	if err != nil {
		t.Fatal(err)
	}
	addSampleNames(t, exposed, probe)

	// fortigate_scrape_collector_failures_total exists once a collector has
	// failed, so one probe runs with a failing endpoint.
	s.SetFaults(t, map[string]any{"user/fsso": map[string]any{"status": 500}})
	if _, _, err := scrape(ctx, e, probePath); err != nil {
		t.Fatal(err)
	}
	s.ClearFaults(t)
	metrics, _, err := scrape(ctx, e, "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	addSampleNames(t, exposed, metrics)

	recorded := map[string]bool{}
	for _, rf := range loadRuleFiles(t) {
		for _, g := range rf.Groups {
			for _, r := range g.Rules {
				if r.Record != "" {
					recorded[r.Record] = true
				}
			}
		}
	}

	doc, err := os.ReadFile("../METRICS.md")
	if err != nil {
		t.Fatal(err)
	}
	for name, reason := range notOnFixtureDevices {
		if exposed[name] {
			t.Errorf("%s is served now; remove it from notOnFixtureDevices (%s)", name, reason)
		}
		if !strings.Contains(string(doc), "| `"+name+"` |") {
			t.Errorf("%s is in notOnFixtureDevices (%s) but METRICS.md does not list it", name, reason)
		}
	}

	queries, expanded := allQueries(t)
	checked := map[string]bool{}
	for i, q := range queries {
		names, err := queryMetricNames(expanded[i])
		if err != nil {
			t.Errorf("%s: reading metric names: %v\n\tquery: %s", q, err, expanded[i])
			continue
		}
		if len(names) == 0 {
			t.Errorf("%s names no metric\n\tquery: %s", q, expanded[i])
		}
		for _, name := range names {
			checked[name] = true
			_, documented := notOnFixtureDevices[name]
			if !exposed[name] && !prometheusMadeMetrics[name] && !recorded[name] && !documented {
				t.Errorf("%s uses %s, which the exporter does not serve on /probe or /metrics", q, name)
			}
		}
	}
	t.Logf("%d queries name %d metrics", len(queries), len(checked))
}

// duplicateRowsYAML is a custom endpoint of the target "fw" whose metric has
// no label that distinguishes the rows of firewall/policy, so every probe
// drops duplicate series and counts them in
// fortigate_scrape_duplicate_series_total.
const duplicateRowsYAML = `    custom_endpoints:
      - name: duplicate_rows
        path: firewall/policy
        metrics:
          - name: fortigate_e2e_policy_active_sessions
            help: Active sessions of a firewall policy, without the policy id.
            type: gauge
            value: active_sessions
`

// addSampleNames adds the name of every sample in the exposition text to
// names: the family name, and for histograms and summaries the _bucket, _sum
// and _count series that Prometheus stores.
func addSampleNames(t *testing.T, names map[string]bool, text string) {
	t.Helper()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(bufio.NewReader(strings.NewReader(text)))
	if err != nil {
		t.Fatalf("parsing exposition: %v", err)
	}
	for name, mf := range families {
		if len(mf.GetMetric()) == 0 {
			continue
		}
		names[name] = true
		switch mf.GetType() {
		case dto.MetricType_HISTOGRAM, dto.MetricType_GAUGE_HISTOGRAM:
			names[name+"_bucket"], names[name+"_sum"], names[name+"_count"] = true, true, true
		case dto.MetricType_SUMMARY:
			names[name+"_sum"], names[name+"_count"] = true, true
		}
	}
}

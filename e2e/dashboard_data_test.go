package e2e

import (
	"context"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fortigate-session-exporter/fortigate_session_exporter/internal/testredis"
)

// conditionalQuery is a dashboard panel target that shows nothing while the
// FortiGate, Redis and every replica work, because it shows a fault.
type conditionalQuery struct {
	dashboard, panel, ref string
	// fault names the dashboardFault under which the query must return data,
	// or is empty when the test cannot cause the condition.
	fault string
	// raised marks a query that returns zeros without the fault, which Grafana
	// draws as a flat line. Under the fault it must return a value above 0.
	raised bool
	reason string
}

// Fault names of TestDashboardPanelsHaveData, in the order it injects them.
const (
	faultCollectorFailing = "collector_failing"
	faultEndpointMissing  = "endpoint_missing"
	faultDuplicateSeries  = "duplicate_series"
	faultExpiredSessions  = "expired_sessions"
	faultLoginRejected    = "login_rejected"
	faultRedisDown        = "redis_down"
	faultUnreadableRecord = "unreadable_record"
)

const exporterDashboard = "fortigate-session-exporter.json"

// conditionalQueries lists every panel target that may show nothing on a
// healthy fleet. TestDashboardPanelsHaveData fails for a target that returns
// no data and is not listed, and for a listed one that returns data without
// its fault.
var conditionalQueries = []conditionalQuery{
	{
		dashboard: exporterDashboard, panel: "Logins per target and replica", ref: "A",
		fault: faultExpiredSessions,
		reason: "increase() shows a login only between two scrapes of /metrics; " +
			"the test logs in once before Prometheus starts",
	},
	{
		dashboard: exporterDashboard, panel: "Replicas that logged in, last 15 minutes", ref: "replicas",
		fault:  faultExpiredSessions,
		reason: "the same increase() as the logins panel, filtered with > 0",
	},
	{
		dashboard: exporterDashboard, panel: "Re-logins by reason", ref: "A",
		fault:  faultExpiredSessions,
		reason: "a re-login replaces a session that FortiOS ended, or one older than --session.ttl",
	},
	{
		dashboard: exporterDashboard, panel: "Login lock wait", ref: "A",
		fault: faultExpiredSessions, raised: true,
		reason: "only a replica that waits for another replica's login observes the histogram",
	},
	{
		dashboard: exporterDashboard, panel: "Login lock wait, 50th and 99th percentile", ref: "A",
		fault:  faultExpiredSessions,
		reason: "without observations the histogram's rate is 0 and histogram_quantile returns NaN",
	},
	{
		dashboard: exporterDashboard, panel: "Login lock wait, 50th and 99th percentile", ref: "B",
		fault:  faultExpiredSessions,
		reason: "without observations the histogram's rate is 0 and histogram_quantile returns NaN",
	},
	{
		dashboard: exporterDashboard, panel: "Login failures by reason", ref: "A",
		fault:  faultLoginRejected,
		reason: "FortiOS rejects no login while the password is right",
	},
	{
		dashboard: exporterDashboard, panel: "Login back-off remaining", ref: "A",
		fault: faultLoginRejected, raised: true,
		reason: "the back-off gauge is 0 until a login is rejected",
	},
	{
		dashboard: exporterDashboard, panel: "Redis errors by operation", ref: "A",
		fault:  faultRedisDown,
		reason: "a Redis call fails only while Redis is unreachable",
	},
	{
		dashboard: exporterDashboard, panel: "Session records that failed to open", ref: "A",
		fault:  faultUnreadableRecord,
		reason: "a record fails to open only when replicas seal with different keys, or some do not seal",
	},
	{
		dashboard: exporterDashboard, panel: "Collector failures and dropped series", ref: "A",
		fault:  faultCollectorFailing,
		reason: "the failure counter exists once a collector has failed",
	},
	{
		dashboard: exporterDashboard, panel: "Unsupported collectors", ref: "A",
		fault:  faultEndpointMissing,
		reason: "the simulated device has every endpoint that a collector reads",
	},
	{
		dashboard: exporterDashboard, panel: "Collector failures and dropped series", ref: "B",
		fault:  faultDuplicateSeries,
		reason: "the counter exists once a collector sent a series twice in one scrape",
	},
}

// lookupConditional returns the conditionalQueries entry of q.
func lookupConditional(q sourceQuery) (conditionalQuery, bool) {
	for _, c := range conditionalQueries {
		if filepath.Base(q.file) == c.dashboard && c.panel == q.panel && c.ref == q.ref {
			return c, true
		}
	}
	return conditionalQuery{}, false
}

// panelQuery is a panel target with the dashboard variables expanded.
type panelQuery struct {
	sourceQuery
	expanded string
}

// dashboardFault is a fault that TestDashboardPanelsHaveData injects.
type dashboardFault struct {
	name string
	// inject starts the fault and returns the function that ends it.
	inject func() (end func())
	// drive sends the scrapes that make the fault show, once per attempt.
	drive func()
}

func TestDashboardPanelsHaveData(t *testing.T) {
	redis := testredis.Start(t)
	s := startSim(t)
	targets := writeTargets(t, s, "")
	base := []string{"--config.file=" + targets, "--redis.addr=" + redis.Addr()}
	replicas := startExporters(t, 2, base)
	wrongPassword := startExporter(t, "wrong-password", []string{
		"--config.file=" + writeTargetsWithPassword(t, s, "Wr0ng-"+s.Password,
			"    session_group: wrong-password\n"),
		"--redis.addr=" + redis.Addr(),
	}, nil)
	sealing := startExporter(t, "sealing", append(base, "--redis.encryption-key-file="+writeKeyFile(t)), nil)
	duplicates := startExporter(t, "duplicate-rows", []string{
		"--config.file=" + writeTargets(t, s, duplicateRowsYAML), "--redis.addr=" + redis.Addr(),
	}, nil)

	// The one login of the healthy phase happens before Prometheus starts.
	probeOnce := func(e *exporter) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		if _, _, err := scrape(ctx, e, probePath); err != nil {
			t.Errorf("%s: %v", e.name, err)
		}
	}
	probeOnce(replicas[0])

	start := time.Now()
	prom := startPrometheus(t, replicas[0], []*exporter{replicas[0], replicas[1], wrongPassword, sealing, duplicates})
	waitForScrapes(t, prom)

	queries := expandDashboards(t, prom, start)

	// Healthy phase: every target that is not listed returns data, and every
	// listed one returns none, or only zeros when it is raised.
	for _, q := range queries {
		c, listed := lookupConditional(q.sourceQuery)
		series, err := runPanelQuery(prom, q, start)
		if err != nil {
			t.Errorf("%s: %v\n\tquery: %s", q.sourceQuery, err, q.expanded)
			continue
		}
		data, positive := hasData(series), hasPositive(series)
		switch {
		case !listed && !data:
			t.Errorf("%s returns no data on a healthy fleet; fix the query, or add it to "+
				"conditionalQueries with the condition that gives it data\n\tquery: %s", q.sourceQuery, q.expanded)
		case listed && !c.raised && data:
			t.Errorf("%s is in conditionalQueries (%s) but returns data without a fault: %s",
				q.sourceQuery, c.reason, describeSeries(series))
		case listed && c.raised && positive:
			t.Errorf("%s is in conditionalQueries (%s) but returns a value above 0 without a fault: %s",
				q.sourceQuery, c.reason, describeSeries(series))
		}
	}
	for _, c := range conditionalQueries {
		found := slices.ContainsFunc(queries, func(q panelQuery) bool {
			got, ok := lookupConditional(q.sourceQuery)
			return ok && got == c
		})
		if !found {
			t.Errorf("conditionalQueries lists %s panel %q target %s, which the dashboard does not have",
				c.dashboard, c.panel, c.ref)
		}
	}

	for _, f := range []dashboardFault{
		{
			name: faultCollectorFailing,
			inject: func() func() {
				s.SetFaults(t, map[string]any{"user/fsso": map[string]any{"status": 500}})
				return func() { s.ClearFaults(t) }
			},
			// Prometheus probes through replicas[0] every second.
			drive: func() {},
		},
		{
			// FortiOS returns 404 for an endpoint of a feature that the model lacks.
			name: faultEndpointMissing,
			inject: func() func() {
				s.SetFaults(t, map[string]any{"user/fsso": map[string]any{"status": 404}})
				return func() { s.ClearFaults(t) }
			},
			drive: func() {},
		},
		{
			name:   faultDuplicateSeries,
			inject: func() func() { return func() {} },
			drive:  func() { probeOnce(duplicates) },
		},
		{
			// Every replica gets the same 401 at once. The slow login keeps the
			// lock held long enough for the others to wait for it.
			name: faultExpiredSessions,
			inject: func() func() {
				s.SetFaults(t, map[string]any{"/api/v2/authentication": map[string]any{"delay": "300ms"}})
				return func() { s.ClearFaults(t) }
			},
			drive: func() {
				s.ExpireSessions(t)
				scrapeRound(replicas, probePath, 10*time.Second, 2)
			},
		},
		{
			name:   faultLoginRejected,
			inject: func() func() { return func() {} },
			drive:  func() { probeOnce(wrongPassword) },
		},
		{
			name: faultRedisDown,
			inject: func() func() {
				redis.Kill()
				return redis.Restart
			},
			drive: func() {},
		},
		{
			name:   faultUnreadableRecord,
			inject: func() func() { return func() {} },
			drive:  func() { probeOnce(sealing) },
		},
	} {
		checkFault(t, prom, f, queries)
	}
}

// waitForScrapes waits until Prometheus has scraped every target four times,
// so that rate() and increase() over one minute have samples to work on.
func waitForScrapes(t *testing.T, prom *promServer) {
	t.Helper()
	prom.waitForQuery(t, `fortigate_up{job="fortigate"}`, 30*time.Second,
		func(series []promSeries) bool { return len(series) == 1 && series[0].last() == 1 })
	prom.waitForQuery(t, `min(count_over_time(up[1m]))`, 30*time.Second,
		func(series []promSeries) bool { return len(series) == 1 && series[0].last() >= 4 })
}

// expandDashboards returns the panel targets of every dashboard with the
// variables set as Grafana sets them from the data in prom since start.
func expandDashboards(t *testing.T, prom *promServer, start time.Time) []panelQuery {
	t.Helper()
	var queries []panelQuery
	for _, path := range dashboardFiles {
		d := loadDashboard(t, path)
		file := relPath(path)
		values := resolveVariables(t, prom, file, d, start)
		for _, q := range dashboardQueries(file, d) {
			expr, err := expandVariables(q.expr, values)
			if err != nil {
				t.Errorf("%s: %v", q, err)
				continue
			}
			queries = append(queries, panelQuery{sourceQuery: q, expanded: expr})
		}
	}
	return queries
}

// resolveVariables returns the value of each query variable of d, in the
// order of the templating list, so that a variable can use those before it.
// A variable with "All" gets its allValue, or the regex of all its values
// when it has none, as Grafana does. Any other variable gets its first value.
func resolveVariables(t *testing.T, prom *promServer, file string, d grafanaDashboard,
	start time.Time,
) map[string]string {
	t.Helper()
	values := map[string]string{}
	for _, v := range d.Templating.List {
		switch v.Type {
		case "datasource":
			continue
		case "query":
		default:
			t.Fatalf("%s: variable %s has type %s, which this test cannot set", file, v.Name, v.Type)
		}
		if v.Regex != "" {
			t.Fatalf("%s: variable %s filters its values with regex %q, which this test does not apply",
				file, v.Name, v.Regex)
		}
		text, err := v.queryText()
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		expanded, err := expandVariables(text, values)
		if err != nil {
			t.Fatalf("%s: variable %s: %v", file, v.Name, err)
		}
		selector, label, ok := parseLabelValues(expanded)
		if !ok {
			t.Fatalf("%s: variable %s: %q is not label_values(...), which this test cannot run",
				file, v.Name, expanded)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		found, err := prom.labelValues(ctx, label, selector, start)
		cancel()
		if err != nil {
			t.Fatalf("%s: variable %s: %v", file, v.Name, err)
		}
		if len(found) == 0 {
			t.Fatalf("%s: variable %s: %s has no values", file, v.Name, expanded)
		}
		slices.Sort(found)
		switch {
		case v.IncludeAll && v.AllValue != "":
			values[v.Name] = v.AllValue
		case v.IncludeAll:
			escaped := make([]string, 0, len(found))
			for _, value := range found {
				// The regex goes into a PromQL string, which takes its
				// backslashes doubled.
				escaped = append(escaped, strings.ReplaceAll(regexp.QuoteMeta(value), `\`, `\\`))
			}
			values[v.Name] = "(" + strings.Join(escaped, "|") + ")"
		default:
			values[v.Name] = found[0]
		}
	}
	return values
}

// runPanelQuery runs q as its panel does: an instant query at now, or a range
// query from since to now.
func runPanelQuery(prom *promServer, q panelQuery, since time.Time) ([]promSeries, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if q.instant {
		return prom.query(ctx, q.expanded)
	}
	return prom.queryRange(ctx, q.expanded, since)
}

func hasData(series []promSeries) bool {
	return slices.ContainsFunc(series, promSeries.hasNumber)
}

func hasPositive(series []promSeries) bool {
	return slices.ContainsFunc(series, func(s promSeries) bool {
		return slices.ContainsFunc(s.values, func(v float64) bool { return v > 0 })
	})
}

// checkFault injects f, drives it up to four times, and after each drive
// waits up to 3 s for every query listed under f to return data from the
// time of the injection. It fails t for each query that returns none.
func checkFault(t *testing.T, prom *promServer, f dashboardFault, queries []panelQuery) {
	t.Helper()
	type pending struct {
		query     panelQuery
		condition conditionalQuery
	}
	var waiting []pending
	for _, q := range queries {
		if c, ok := lookupConditional(q.sourceQuery); ok && c.fault == f.name {
			waiting = append(waiting, pending{q, c})
		}
	}
	if len(waiting) == 0 {
		t.Errorf("fault %s: no query in conditionalQueries names it", f.name)
		return
	}

	began := time.Now()
	end := f.inject()
	defer end()
	lastErr := map[string]error{}
	for attempt := 0; attempt < 4 && len(waiting) > 0; attempt++ {
		f.drive()
		waitFor(3*time.Second, func() bool {
			waiting = slices.DeleteFunc(waiting, func(p pending) bool {
				series, err := runPanelQuery(prom, p.query, began)
				lastErr[p.query.String()] = err
				if p.condition.raised {
					return err == nil && hasPositive(series)
				}
				return err == nil && hasData(series)
			})
			if len(waiting) > 0 {
				time.Sleep(200 * time.Millisecond)
			}
			return len(waiting) == 0
		})
	}
	for _, p := range waiting {
		want := "no data"
		if p.condition.raised {
			want = "no value above 0"
		}
		t.Errorf("%s: %s with fault %s (%s) after %v; last error: %v\n\tquery: %s",
			p.query.sourceQuery, want, f.name, p.condition.reason,
			time.Since(began).Round(100*time.Millisecond), lastErr[p.query.String()], p.query.expanded)
	}
	t.Logf("fault %s checked in %v", f.name, time.Since(began).Round(100*time.Millisecond))
}

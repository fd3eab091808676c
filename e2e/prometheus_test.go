package e2e

import (
	"context"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fortigate-session-exporter/fortigate_session_exporter/internal/testredis"
)

func TestPrometheusScrapesSharedSession(t *testing.T) {
	redis := testredis.Start(t)
	s := startSim(t)
	targets := writeTargets(t, s, "")
	replicas := startExporters(t, 2, []string{"--config.file=" + targets, "--redis.addr=" + redis.Addr()})
	prom := startPrometheus(t, replicas[0], replicas)

	prom.waitForQuery(t, `fortigate_up{job="fortigate", instance="fw"}`, 30*time.Second,
		func(series []promSeries) bool { return len(series) == 1 && series[0].last() == 1 })

	// Prometheus probes through the first replica only, so the second one
	// serves one probe here, through the session that the first stored.
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	_, families, err := scrape(ctx, replicas[1], probePath)
	if err != nil {
		t.Fatalf("%s: %v", replicas[1].name, err)
	}
	if up, _ := value(families, "fortigate_up", ""); up != 1 {
		t.Errorf("%s: fortigate_up = %v, want 1", replicas[1].name, up)
	}

	checkRulesLoaded(t, prom)

	// Both replicas' login counters reach Prometheus, and their sum is the one
	// login of the first replica.
	const logins = `fortigate_session_logins_total{job="fortigate_session_exporter", target="fw"}`
	series := prom.waitForQuery(t, logins, 15*time.Second, func(series []promSeries) bool {
		return len(series) == len(replicas) && sumLast(series) >= 1
	})
	// A second login would reach Prometheus within one scrape interval.
	time.Sleep(2 * promScrapeInterval)
	if series, err = prom.query(ctx, logins); err != nil {
		t.Fatal(err)
	}
	if got := sumLast(series); got != 1 {
		t.Errorf("Prometheus: sum of %s = %v, want 1 (%s)", logins, got, describeSeries(series))
	}
	if got := sumMetric(t, replicas, "fortigate_session_logins_total", "target=fw"); got != 1 {
		t.Errorf("sum of fortigate_session_logins_total{target=fw} over the replicas' /metrics = %v, want 1", got)
	}
	if got := s.Stats(t).Logins; got != 1 {
		t.Errorf("simulator counted %d logins, want 1", got)
	}

	for _, expr := range []string{`up{job="fortigate"}`, `up{job="fortigate_session_exporter"}`} {
		series, err := prom.query(ctx, expr)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range series {
			if s.last() != 1 {
				t.Errorf("Prometheus: %s = %v", s.labels, s.last())
			}
		}
	}
	if series, err := prom.query(ctx, `ALERTS{alertname="FortiGateSessionsNotShared"}`); err != nil {
		t.Fatal(err)
	} else if len(series) > 0 {
		t.Errorf("FortiGateSessionsNotShared is active with one login: %s", describeSeries(series))
	}
}

func sumLast(series []promSeries) float64 {
	var sum float64
	for _, s := range series {
		sum += s.last()
	}
	return sum
}

// promRuleGroups is the data of GET /api/v1/rules.
type promRuleGroups struct {
	Groups []struct {
		Name  string `json:"name"`
		File  string `json:"file"`
		Rules []struct {
			Name           string    `json:"name"`
			Health         string    `json:"health"`
			LastError      string    `json:"lastError"`
			LastEvaluation time.Time `json:"lastEvaluation"`
		} `json:"rules"`
	} `json:"groups"`
}

// checkRulesLoaded fails t unless Prometheus has loaded every group and rule
// of alerts/*.rules.yml from its file, and has evaluated each rule without an
// error.
func checkRulesLoaded(t *testing.T, prom *promServer) {
	t.Helper()
	var loaded promRuleGroups
	evaluated := waitFor(15*time.Second, func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := prom.get(ctx, "/api/v1/rules", url.Values{}, &loaded); err != nil {
			t.Fatal(err)
		}
		for _, g := range loaded.Groups {
			for _, r := range g.Rules {
				if r.LastEvaluation.Year() < 2000 {
					return false
				}
			}
		}
		return len(loaded.Groups) > 0
	})
	if !evaluated {
		t.Error("Prometheus has not evaluated every rule within 15s")
	}

	type groupKey struct{ file, name string }
	loadedRules := map[groupKey][]string{}
	for _, g := range loaded.Groups {
		key := groupKey{filepath.Base(g.File), g.Name}
		for _, r := range g.Rules {
			loadedRules[key] = append(loadedRules[key], r.Name)
			if r.Health != "ok" {
				t.Errorf("rule %s of group %s (%s): health %q, last error %q",
					r.Name, g.Name, g.File, r.Health, r.LastError)
			}
		}
	}

	expected := map[groupKey][]string{}
	for _, rf := range loadRuleFiles(t) {
		for _, g := range rf.Groups {
			key := groupKey{filepath.Base(rf.path), g.Name}
			for _, r := range g.Rules {
				expected[key] = append(expected[key], r.Alert+r.Record)
			}
		}
	}
	for key, rules := range expected {
		got, ok := loadedRules[key]
		switch {
		case !ok:
			t.Errorf("Prometheus has not loaded group %s of %s", key.name, key.file)
		case !slices.Equal(got, rules):
			t.Errorf("group %s of %s: Prometheus has rules %s, the file has %s",
				key.name, key.file, strings.Join(got, ", "), strings.Join(rules, ", "))
		}
	}
	for key := range loadedRules {
		if _, ok := expected[key]; !ok {
			t.Errorf("Prometheus has group %s of %s, which alerts/*.rules.yml does not have", key.name, key.file)
		}
	}
}

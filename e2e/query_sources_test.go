package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// This file reads the PromQL queries of the Grafana dashboards in grafana/ and
// the rules in alerts/, expands the dashboard variables, and lists the metric
// names that a query selects.

// dashboardFiles are the dashboards whose queries the tests check.
var dashboardFiles = []string{
	"../grafana/fortigate-fleet.json",
	"../grafana/fortigate-device.json",
	"../grafana/fortigate-session-exporter.json",
}

// grafanaDashboard is the part of a dashboard's JSON model that holds queries.
type grafanaDashboard struct {
	Title      string         `json:"title"`
	Panels     []grafanaPanel `json:"panels"`
	Templating struct {
		List []grafanaVariable `json:"list"`
	} `json:"templating"`
	Annotations struct {
		List []struct {
			Name string `json:"name"`
			Expr string `json:"expr"`
		} `json:"list"`
	} `json:"annotations"`
}

type grafanaPanel struct {
	Title   string `json:"title"`
	Targets []struct {
		RefID   string `json:"refId"`
		Expr    string `json:"expr"`
		Instant bool   `json:"instant"`
		Hide    bool   `json:"hide"`
	} `json:"targets"`
	// Panels are the panels of a collapsed row.
	Panels []grafanaPanel `json:"panels"`
}

// grafanaVariable is one template variable. Query is a string in older
// dashboards and an object with a query field in newer ones.
type grafanaVariable struct {
	Name       string          `json:"name"`
	Type       string          `json:"type"`
	Query      json.RawMessage `json:"query"`
	Multi      bool            `json:"multi"`
	IncludeAll bool            `json:"includeAll"`
	AllValue   string          `json:"allValue"`
	Regex      string          `json:"regex"`
}

// queryText returns the variable's query string.
func (v grafanaVariable) queryText() (string, error) {
	var s string
	if err := json.Unmarshal(v.Query, &s); err == nil {
		return s, nil
	}
	var obj struct {
		Query string `json:"query"`
	}
	if err := json.Unmarshal(v.Query, &obj); err != nil {
		return "", fmt.Errorf("variable %s: query is neither a string nor an object: %s", v.Name, v.Query)
	}
	return obj.Query, nil
}

// labelValuesPattern matches Grafana's label_values(label) and
// label_values(selector, label) variable queries.
var labelValuesPattern = regexp.MustCompile(`^\s*label_values\(\s*(?:(.*\S)\s*,\s*)?([a-zA-Z_][a-zA-Z0-9_]*)\s*\)\s*$`)

// parseLabelValues splits a label_values query into its selector, which is
// empty for label_values(label), and its label.
func parseLabelValues(query string) (selector, label string, ok bool) {
	m := labelValuesPattern.FindStringSubmatch(query)
	if m == nil {
		return "", "", false
	}
	return m[1], m[2], true
}

// sourceQuery is one PromQL query of a dashboard or a rule file.
type sourceQuery struct {
	file string
	// where names the panel and target, the variable, or the rule.
	where string
	// panel and ref identify a panel target. Both are empty for variables
	// and rules.
	panel, ref string
	// expr is the query as written, with dashboard variables unexpanded. For a
	// label_values variable it is the selector.
	expr    string
	instant bool
}

func (q sourceQuery) String() string {
	return q.file + ": " + q.where
}

// loadDashboard reads one dashboard file.
func loadDashboard(t *testing.T, path string) grafanaDashboard {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var d grafanaDashboard
	if err := json.Unmarshal(raw, &d); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return d
}

// dashboardQueries returns the panel target and annotation queries of d in
// panel order, skipping hidden targets, which Grafana does not run.
func dashboardQueries(file string, d grafanaDashboard) []sourceQuery {
	var queries []sourceQuery
	var walk func(panels []grafanaPanel)
	walk = func(panels []grafanaPanel) {
		for _, p := range panels {
			for _, target := range p.Targets {
				if target.Hide || strings.TrimSpace(target.Expr) == "" {
					continue
				}
				queries = append(queries, sourceQuery{
					file: file, where: fmt.Sprintf("panel %q, target %s", p.Title, target.RefID),
					panel: p.Title, ref: target.RefID, expr: target.Expr, instant: target.Instant,
				})
			}
			walk(p.Panels)
		}
	}
	walk(d.Panels)
	for _, a := range d.Annotations.List {
		if strings.TrimSpace(a.Expr) != "" {
			queries = append(queries, sourceQuery{file: file, where: fmt.Sprintf("annotation %q", a.Name), expr: a.Expr})
		}
	}
	return queries
}

// variableQueries returns the PromQL of d's query variables: the selector of
// label_values(selector, label) and the expression of query_result(expr).
// label_values(label) has no PromQL and is left out.
func variableQueries(t *testing.T, file string, d grafanaDashboard) []sourceQuery {
	t.Helper()
	var queries []sourceQuery
	for _, v := range d.Templating.List {
		if v.Type != "query" {
			continue
		}
		text, err := v.queryText()
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		where := fmt.Sprintf("variable %s", v.Name)
		if selector, _, ok := parseLabelValues(text); ok {
			if selector != "" {
				queries = append(queries, sourceQuery{file: file, where: where, expr: selector})
			}
			continue
		}
		if inner, ok := strings.CutPrefix(strings.TrimSpace(text), "query_result("); ok {
			queries = append(queries, sourceQuery{file: file, where: where, expr: strings.TrimSuffix(inner, ")")})
			continue
		}
		t.Fatalf("%s: %s: query %q is neither label_values(...) nor query_result(...), "+
			"which this test does not understand", file, where, text)
	}
	return queries
}

// ruleFile is the part of a Prometheus rule file that the tests read.
type ruleFile struct {
	path   string
	Groups []struct {
		Name  string `yaml:"name"`
		Rules []struct {
			Alert  string `yaml:"alert"`
			Record string `yaml:"record"`
			Expr   string `yaml:"expr"`
		} `yaml:"rules"`
	} `yaml:"groups"`
}

// loadRuleFiles reads the rule files that Prometheus loads in the tests,
// alerts/*.rules.yml, in name order.
func loadRuleFiles(t *testing.T) []ruleFile {
	t.Helper()
	paths, err := filepath.Glob("../alerts/*.rules.yml")
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) == 0 {
		t.Fatal("no rule files match ../alerts/*.rules.yml")
	}
	sort.Strings(paths)
	files := make([]ruleFile, 0, len(paths))
	for _, path := range paths {
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		rf := ruleFile{path: path}
		if err := yaml.Unmarshal(raw, &rf); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		files = append(files, rf)
	}
	return files
}

// ruleQueries returns the expression of every rule in files.
func ruleQueries(files []ruleFile) []sourceQuery {
	var queries []sourceQuery
	for _, rf := range files {
		for _, g := range rf.Groups {
			for _, r := range g.Rules {
				name := "alert " + r.Alert
				if r.Record != "" {
					name = "recording rule " + r.Record
				}
				queries = append(queries, sourceQuery{
					file: relPath(rf.path), where: fmt.Sprintf("group %s, %s", g.Name, name), expr: r.Expr,
				})
			}
		}
	}
	return queries
}

// relPath turns a path relative to e2e/ into one relative to the repository root.
func relPath(path string) string {
	return strings.TrimPrefix(filepath.ToSlash(path), "../")
}

// grafanaIntervals are Grafana's built-in interval variables with the values
// the tests give them. Grafana sets $__rate_interval to
// max($__interval + scrape interval, 4 * scrape interval), where the scrape
// interval is the data source's, 15 s by default (grafana/grafana pull request
// 77234, "Prometheus: Fix $__rate_interval calculation"), so 1m is its least
// value. No dashboard uses $__interval or $__range at present.
var grafanaIntervals = map[string]string{
	"__rate_interval": "1m",
	"__interval":      "15s",
	"__range":         "1h",
}

// variablePattern matches $name, ${name} and ${name:format} in a query.
var variablePattern = regexp.MustCompile(`\$(?:\{([a-zA-Z_][a-zA-Z0-9_]*)(?::[a-z]+)?\}|([a-zA-Z_][a-zA-Z0-9_]*))`)

// expandVariables replaces the dashboard variables of expr with values and
// Grafana's interval variables with grafanaIntervals. A variable that is in
// neither is an error.
func expandVariables(expr string, values map[string]string) (string, error) {
	var missing []string
	out := variablePattern.ReplaceAllStringFunc(expr, func(match string) string {
		m := variablePattern.FindStringSubmatch(match)
		name := m[1] + m[2]
		if v, ok := values[name]; ok {
			return v
		}
		if v, ok := grafanaIntervals[name]; ok {
			return v
		}
		missing = append(missing, "$"+name)
		return match
	})
	if len(missing) > 0 {
		return "", fmt.Errorf("query uses %s, which the dashboard does not define", strings.Join(missing, ", "))
	}
	return out, nil
}

// promqlKeywords are the PromQL words that can appear where a metric name
// could but are not one: binary operators, modifiers, aggregation operators
// (also when followed by by or without) and number literals.
var promqlKeywords = map[string]bool{
	"and": true, "or": true, "unless": true, "atan2": true, "bool": true, "offset": true,
	"by": true, "without": true, "on": true, "ignoring": true, "group_left": true, "group_right": true,
	"sum": true, "min": true, "max": true, "avg": true, "group": true, "stddev": true, "stdvar": true,
	"count": true, "count_values": true, "bottomk": true, "topk": true, "quantile": true,
	"inf": true, "nan": true,
}

// labelListKeywords are the keywords that a parenthesised list of label
// names may follow.
var labelListKeywords = map[string]bool{
	"by": true, "without": true, "on": true, "ignoring": true, "group_left": true, "group_right": true,
}

// queryMetricNames returns the metric names that the PromQL expression expr
// selects, in order of first use: identifiers that are not keywords, function
// names or label names, and the values of __name__="..." matchers. It reads
// expr lexically and does not check its syntax; promtool does that.
func queryMetricNames(expr string) ([]string, error) {
	var names []string
	add := func(name string) {
		if !slices.Contains(names, name) {
			names = append(names, name)
		}
	}
	for i := 0; i < len(expr); {
		c := expr[i]
		switch {
		case c == '#':
			for i < len(expr) && expr[i] != '\n' {
				i++
			}
		case c == '"' || c == '\'' || c == '`':
			end, err := skipPromString(expr, i)
			if err != nil {
				return nil, err
			}
			i = end
		case c == '{':
			end, name, err := readMatchers(expr, i)
			if err != nil {
				return nil, err
			}
			if name != "" {
				add(name)
			}
			i = end
		case c == '[':
			end := strings.IndexByte(expr[i:], ']')
			if end < 0 {
				return nil, fmt.Errorf("unclosed [ at offset %d", i)
			}
			i += end + 1
		case isDigit(c) || (c == '.' && i+1 < len(expr) && isDigit(expr[i+1])):
			// A number or a duration such as 15m, 0x1f or 1.5e3.
			for i < len(expr) && (isIdentChar(expr[i]) || expr[i] == '.') {
				i++
			}
		case isIdentStart(c):
			start := i
			for i < len(expr) && isIdentChar(expr[i]) {
				i++
			}
			word := expr[start:i]
			next := i
			for next < len(expr) && (expr[next] == ' ' || expr[next] == '\t' || expr[next] == '\n') {
				next++
			}
			followedByParen := next < len(expr) && expr[next] == '('
			lower := strings.ToLower(word)
			switch {
			case labelListKeywords[lower] && followedByParen:
				end := strings.IndexByte(expr[next:], ')')
				if end < 0 {
					return nil, fmt.Errorf("unclosed label list after %s at offset %d", word, start)
				}
				i = next + end + 1
			case promqlKeywords[lower], followedByParen:
				// A keyword or a function call.
			default:
				add(word)
			}
		default:
			i++
		}
	}
	return names, nil
}

// skipPromString returns the offset after the string literal that starts at
// expr[start].
func skipPromString(expr string, start int) (int, error) {
	quote := expr[start]
	for i := start + 1; i < len(expr); i++ {
		switch {
		case expr[i] == '\\' && quote != '`':
			i++
		case expr[i] == quote:
			return i + 1, nil
		}
	}
	return 0, fmt.Errorf("unclosed string at offset %d", start)
}

// labelMatcherPattern matches the label name and operator of one label
// matcher, after the comma that separates it from the one before.
var labelMatcherPattern = regexp.MustCompile(`^\s*,?\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*`)

// readMatchers reads the label matchers that start with the '{' at
// expr[start] and returns the offset after the closing '}' and the metric
// name of a __name__="..." matcher, if there is one. Other __name__ matchers
// are errors, because they select names that this lexical check cannot list.
func readMatchers(expr string, start int) (int, string, error) {
	var name string
	i := start + 1
	for {
		rest := expr[i:]
		trimmed := strings.TrimLeft(rest, " \t\n,")
		if strings.HasPrefix(trimmed, "}") {
			return i + len(rest) - len(trimmed) + 1, name, nil
		}
		m := labelMatcherPattern.FindStringSubmatch(rest)
		if m == nil {
			return 0, "", fmt.Errorf("cannot read the label matchers at offset %d: %q", i, rest)
		}
		i += len(m[0])
		if i >= len(expr) || (expr[i] != '"' && expr[i] != '\'' && expr[i] != '`') {
			return 0, "", fmt.Errorf("label matcher %s%s at offset %d has no string value", m[1], m[2], i)
		}
		end, err := skipPromString(expr, i)
		if err != nil {
			return 0, "", err
		}
		if m[1] == "__name__" {
			if m[2] != "=" {
				return 0, "", fmt.Errorf("matcher __name__%s selects names by pattern; "+
					"write the metric names out", m[2])
			}
			name = expr[i+1 : end-1]
		}
		i = end
	}
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isIdentStart(c byte) bool {
	return c == '_' || c == ':' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

func isIdentChar(c byte) bool { return isIdentStart(c) || isDigit(c) }

func TestQueryMetricNames(t *testing.T) {
	tests := []struct {
		expr string
		want []string
	}{
		{`fortigate_up`, []string{"fortigate_up"}},
		{`sum(fortigate_up{job=~"$job", instance=~"$target"})`, []string{"fortigate_up"}},
		{`count(up{job="a"} == 0) or vector(0)`, []string{"up"}},
		{`sum by (le, instance) (rate(x_bucket{job="a"}[5m]))`, []string{"x_bucket"}},
		{`sum(rate(x[1m])) without (instance, job)`, []string{"x"}},
		{`a and on (job, instance, vdom, name) (b > 0)`, []string{"a", "b"}},
		{`a * on (job) group_left (name, model) b`, []string{"a", "b"}},
		{`a / ignoring(le) b`, []string{"a", "b"}},
		{`max_over_time((count by (job) (a))[1d:5m])`, []string{"a"}},
		{`(a > 0) unless (a offset 15m)`, []string{"a"}},
		{`time() - process_start_time_seconds < 900`, []string{"process_start_time_seconds"}},
		{`topk(10, sum by (vdom, id) (rate(p{id!="0"}[$__rate_interval]))) * 8`, []string{"p"}},
		{`histogram_quantile(0.99, sum by (le) (rate(h_bucket[1m])))`, []string{"h_bucket"}},
		{`{__name__="a", job="b"} + c`, []string{"a", "c"}},
		{`label_replace(a, "dst", "$1", "src", "(.*)")`, []string{"a"}},
		{"a # a comment naming b\n+ c", []string{"a", "c"}},
		{`count_values("version", a) > bool 1e3`, []string{"a"}},
		{`Inf < a or NaN`, []string{"a"}},
		{`ns:a:rate5m{x='y\'z'}`, []string{"ns:a:rate5m"}},
		{`vector(0)`, nil},
	}
	for _, tc := range tests {
		got, err := queryMetricNames(tc.expr)
		if err != nil {
			t.Errorf("queryMetricNames(%q): %v", tc.expr, err)
			continue
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("queryMetricNames(%q) = %q, want %q", tc.expr, got, tc.want)
		}
	}

	for _, expr := range []string{`{__name__=~"fortigate_.*"}`, `x{job="a}`, `x{job}`, `x[5m`} {
		if got, err := queryMetricNames(expr); err == nil {
			t.Errorf("queryMetricNames(%q) = %q, want an error", expr, got)
		}
	}
}

func TestExpandVariables(t *testing.T) {
	values := map[string]string{"job": "fortigate", "target": ".*"}
	got, err := expandVariables(`rate(x{job=~"$job", instance=~"${target}"}[$__rate_interval])`, values)
	if err != nil {
		t.Fatal(err)
	}
	if want := `rate(x{job=~"fortigate", instance=~".*"}[1m])`; got != want {
		t.Errorf("expandVariables = %s, want %s", got, want)
	}
	if _, err := expandVariables(`x{vdom=~"$vdom"}`, values); err == nil {
		t.Error("expandVariables with an undefined $vdom returned no error")
	}
}

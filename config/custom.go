package config

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// This file holds custom_endpoints: FortiOS monitor endpoints that the
// targets file maps to metrics, so an operator can export an endpoint that no
// collector covers. The collector package turns each one into a collector
// named custom_<name>.

// MetricType is the Prometheus type of a custom metric.
type MetricType string

// Metric types accepted in custom_endpoints[].metrics[].type.
const (
	MetricGauge   MetricType = "gauge"
	MetricCounter MetricType = "counter"
)

// CustomEndpoint is one monitor endpoint of custom_endpoints after validation.
type CustomEndpoint struct {
	// Name identifies the endpoint. Its collector is custom_<Name>.
	Name string
	// Path is the endpoint after /api/v2/monitor/, such as system/dhcp.
	Path string
	// Query contains extra query parameters. It never contains vdom when
	// PerVDOM is set.
	Query map[string]string
	// PerVDOM sends vdom=* (or the target's VDOM list) and adds a vdom label
	// with the VDOM of each reply envelope.
	PerVDOM bool
	// KeyLabel, when not empty, reads results as an object keyed by name and
	// puts each key in the label of this name. When it is empty, each element
	// of a results array is one row, and a results object is one row.
	KeyLabel string
	// Metrics lists the metrics read from every row, at least one.
	Metrics []CustomMetric
}

// CustomMetric maps one field of every row of a custom endpoint to a metric.
type CustomMetric struct {
	Name string
	Help string
	Type MetricType
	// Value is the dotted path of the field that contains the sample value,
	// such as "expire_time" or "current.users".
	Value string
	// Labels are sorted by label name.
	Labels []CustomLabel
	// Scale multiplies every value, for conversions to base units. It is 1
	// when the file does not set it.
	Scale float64
}

// CustomLabel is a label whose value is a row field.
type CustomLabel struct {
	Name string
	// Field is the dotted path of the field within the row.
	Field string
}

// customEndpointFields is one entry of custom_endpoints as written in the file.
type customEndpointFields struct {
	Name     string               `yaml:"name"`
	Path     string               `yaml:"path"`
	Query    map[string]string    `yaml:"query"`
	PerVDOM  bool                 `yaml:"per_vdom"`
	KeyLabel string               `yaml:"key_label"`
	Metrics  []customMetricFields `yaml:"metrics"`
}

type customMetricFields struct {
	Name   string            `yaml:"name"`
	Help   string            `yaml:"help"`
	Type   string            `yaml:"type"`
	Value  string            `yaml:"value"`
	Labels map[string]string `yaml:"labels"`
	Scale  *float64          `yaml:"scale"`
}

var (
	customEndpointNamePattern = regexp.MustCompile(`^[a-z0-9_]+$`)
	customMetricNamePattern   = regexp.MustCompile(`^fortigate_[a-z0-9_]+$`)
	// labelNamePattern is the Prometheus label name syntax. Names that start
	// with "__" are reserved for Prometheus and rejected separately.
	labelNamePattern = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]*$`)
	// monitorPathPattern is one or more segments of letters, digits, '_', '.'
	// and '-', separated by '/'.
	monitorPathPattern = regexp.MustCompile(`^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$`)
)

// scrapeLabels are the labels Prometheus attaches to every scraped series. A
// label of the same name from the exporter would be renamed to exported_<name>.
var scrapeLabels = []string{"instance", "job"}

// customEndpoints validates the custom_endpoints list of one target. Keys in
// errors are dotted paths with list indexes, such as
// "custom_endpoints[0].metrics[1].type", which Load turns into line numbers.
func (b *builder) customEndpoints(list []customEndpointFields) []CustomEndpoint {
	if len(list) == 0 {
		return nil
	}
	endpoints := make([]CustomEndpoint, 0, len(list))
	endpointKeys := map[string]string{}
	metricKeys := map[string]string{}
	for i, f := range list {
		key := fmt.Sprintf("custom_endpoints[%d]", i)
		if first, ok := endpointKeys[f.Name]; ok && f.Name != "" {
			b.fail(key+".name", "%s.name %q is already used by %s: endpoint names must be "+
				"unique within a target", key, f.Name, first)
		} else {
			endpointKeys[f.Name] = key
		}
		endpoints = append(endpoints, b.customEndpoint(key, f, metricKeys))
	}
	return endpoints
}

// customEndpoint validates one endpoint. metricKeys maps every metric name of
// the target seen so far to its key, so a name defined twice is an error.
func (b *builder) customEndpoint(
	key string, f customEndpointFields, metricKeys map[string]string,
) CustomEndpoint {
	e := CustomEndpoint{
		Name:     f.Name,
		Path:     f.Path,
		Query:    f.Query,
		PerVDOM:  f.PerVDOM,
		KeyLabel: f.KeyLabel,
	}

	switch {
	case f.Name == "":
		b.fail(key, "%s.name is missing: set a name of lower-case letters, digits and '_'", key)
	case !customEndpointNamePattern.MatchString(f.Name):
		b.fail(key+".name", "%s.name %q is invalid: use only lower-case letters, digits and '_'",
			key, f.Name)
	}
	b.customPath(key, f.Path)
	b.customQuery(key, f.Query, f.PerVDOM)

	// labels contains the labels that the endpoint adds to every metric.
	labels := endpointLabels{perVDOM: f.PerVDOM}
	keyLabelKey := key + ".key_label"
	if f.KeyLabel != "" && b.customLabelName(keyLabelKey, keyLabelKey, f.KeyLabel, labels) {
		labels.keyLabel = f.KeyLabel
	}

	if len(f.Metrics) == 0 {
		b.fail(key, "%s.metrics is missing: map at least one field to a metric", key)
	}
	for j, mf := range f.Metrics {
		metricKey := fmt.Sprintf("%s.metrics[%d]", key, j)
		m := b.customMetric(metricKey, mf, labels)
		if first, ok := metricKeys[m.Name]; ok && m.Name != "" {
			b.fail(metricKey+".name", "%s.name %q is already defined by %s: metric names must "+
				"be unique within a target", metricKey, m.Name, first)
		} else if m.Name != "" {
			metricKeys[m.Name] = metricKey
		}
		e.Metrics = append(e.Metrics, m)
	}
	return e
}

// customPath checks that path is a monitor endpoint written without the
// /api/v2/monitor/ prefix and without a query.
func (b *builder) customPath(key, path string) {
	key += ".path"
	hint := "write the part after /api/v2/monitor/, such as system/dhcp"
	switch {
	case path == "":
		b.fail(strings.TrimSuffix(key, ".path"), "%s is missing: %s", key, hint)
	case strings.Contains(path, "?"):
		b.fail(key, "%s %q contains a query: put query parameters under query", key, path)
	case strings.HasPrefix(path, "/") || strings.HasPrefix(path, "api/"):
		b.fail(key, "%s %q is invalid: %s", key, path, hint)
	case !monitorPathPattern.MatchString(path):
		b.fail(key, "%s %q is invalid: use segments of letters, digits, '_', '.' and '-' "+
			"separated by '/'", key, path)
	default:
		for segment := range strings.SplitSeq(path, "/") {
			if segment == "." || segment == ".." {
				b.fail(key, "%s %q contains the segment %q: %s", key, path, segment, hint)
				return
			}
		}
	}
}

// customQuery checks the extra query parameters. vdom belongs to per_vdom,
// and access_token would put a secret into the targets file and the URL.
func (b *builder) customQuery(key string, query map[string]string, perVDOM bool) {
	key += ".query"
	for _, name := range sortedKeys(query) {
		switch {
		case name == "":
			b.fail(key, "%s contains an empty parameter name", key)
		case name == "vdom" && perVDOM:
			b.fail(key+".vdom", "%s.vdom is set together with per_vdom: per_vdom sends vdom "+
				"itself, so remove one of them", key)
		case name == "access_token":
			b.fail(key+".access_token", "%s.access_token is not supported: set token_file on "+
				"the target instead", key)
		}
	}
}

// endpointLabels are the labels that an endpoint adds to each of its metrics,
// so a metric's own labels must not use their names.
type endpointLabels struct {
	perVDOM  bool
	keyLabel string
}

// customMetric validates one metric of an endpoint that adds labels.
func (b *builder) customMetric(
	key string, f customMetricFields, labels endpointLabels,
) CustomMetric {
	m := CustomMetric{
		Name:  f.Name,
		Help:  strings.TrimSpace(f.Help),
		Type:  MetricType(f.Type),
		Value: f.Value,
		Scale: 1,
	}

	switch {
	case f.Name == "":
		b.fail(key, "%s.name is missing: set a name such as fortigate_dhcp_leases", key)
	case !customMetricNamePattern.MatchString(f.Name):
		b.fail(key+".name", "%s.name %q is invalid: start it with fortigate_ and use only "+
			"lower-case letters, digits and '_'", key, f.Name)
	}
	if m.Help == "" {
		b.fail(key, "%s.help is missing: describe the metric in one sentence", key)
	}

	switch m.Type {
	case "":
		b.fail(key, "%s.type is missing: use gauge or counter", key)
	case MetricGauge:
		if strings.HasSuffix(f.Name, "_total") {
			b.fail(key+".name", "%s.name %q ends in _total, which Prometheus reserves for "+
				"counters: drop the suffix or use type counter", key, f.Name)
		}
	case MetricCounter:
		if f.Name != "" && !strings.HasSuffix(f.Name, "_total") {
			b.fail(key+".name", "%s.name %q is a counter without the _total suffix: "+
				"rename it to %s_total", key, f.Name, f.Name)
		}
	default:
		b.fail(key+".type", "%s.type %q is invalid: use gauge or counter", key, f.Type)
	}

	if f.Value == "" {
		b.fail(key, "%s.value is missing: set the field that contains the number", key)
	} else {
		b.fieldPath(key+".value", key+".value", f.Value)
	}

	for _, name := range sortedKeys(f.Labels) {
		labelsKey := key + ".labels"
		if !b.customLabelName(labelsKey, labelsKey+"."+name, name, labels) {
			continue
		}
		if f.Labels[name] == "" {
			b.fail(labelsKey, "%s.%s has no field: set the field whose value the label takes",
				labelsKey, name)
			continue
		}
		b.fieldPath(labelsKey, labelsKey+"."+name, f.Labels[name])
		m.Labels = append(m.Labels, CustomLabel{Name: name, Field: f.Labels[name]})
	}

	if f.Scale != nil {
		scale := *f.Scale
		if scale <= 0 || math.IsInf(scale, 0) || math.IsNaN(scale) {
			b.fail(key+".scale", "%s.scale %s is invalid: use a positive number such as 0.001 "+
				"for milliseconds to seconds", key, strconv.FormatFloat(scale, 'g', -1, 64))
		} else {
			m.Scale = scale
		}
	}
	return m
}

// customLabelName checks a label name and reports whether it is valid. key
// locates the error, and setting is how the message names the label.
func (b *builder) customLabelName(key, setting, name string, endpoint endpointLabels) bool {
	switch {
	case !labelNamePattern.MatchString(name):
		b.fail(key, "%s: label name %q is invalid: use letters, digits and '_', not starting "+
			"with a digit", setting, name)
	case strings.HasPrefix(name, "__"):
		b.fail(key, "%s: label name %q is invalid: names starting with __ are reserved for "+
			"Prometheus", setting, name)
	case slices.Contains(scrapeLabels, name):
		b.fail(key, "%s: label name %q is reserved: Prometheus sets it on every scraped "+
			"series", setting, name)
	case name == "vdom" && endpoint.perVDOM:
		b.fail(key, "%s: label name vdom is reserved: per_vdom adds it with the VDOM of "+
			"each reply", setting)
	case name == endpoint.keyLabel:
		b.fail(key, "%s: label name %q is already used by key_label, which puts the key of "+
			"each row in it", setting, name)
	default:
		return true
	}
	return false
}

// fieldPath checks a dotted field path such as "current.users".
func (b *builder) fieldPath(key, setting, path string) {
	for part := range strings.SplitSeq(path, ".") {
		if strings.TrimSpace(part) == "" {
			b.fail(key, "%s field %q is invalid: separate nested field names with single dots",
				setting, path)
			return
		}
	}
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// splitIndex splits a key part such as "metrics[2]" into "metrics" and 2.
// hasIndex is false for a part without a valid index.
func splitIndex(part string) (name string, index int, hasIndex bool) {
	open := strings.IndexByte(part, '[')
	if open < 0 || !strings.HasSuffix(part, "]") {
		return part, 0, false
	}
	n, err := strconv.Atoi(part[open+1 : len(part)-1])
	if err != nil || n < 0 {
		return part, 0, false
	}
	return part[:open], n, true
}

// customEndpointView is a CustomEndpoint in the schema of the targets file,
// for JSON and YAML output.
type customEndpointView struct {
	Name     string             `json:"name" yaml:"name"`
	Path     string             `json:"path" yaml:"path"`
	Query    map[string]string  `json:"query,omitempty" yaml:"query,omitempty"`
	PerVDOM  bool               `json:"per_vdom,omitempty" yaml:"per_vdom,omitempty"`
	KeyLabel string             `json:"key_label,omitempty" yaml:"key_label,omitempty"`
	Metrics  []customMetricView `json:"metrics" yaml:"metrics"`
}

type customMetricView struct {
	Name   string            `json:"name" yaml:"name"`
	Help   string            `json:"help" yaml:"help"`
	Type   MetricType        `json:"type" yaml:"type"`
	Value  string            `json:"value" yaml:"value"`
	Labels map[string]string `json:"labels,omitempty" yaml:"labels,omitempty"`
	Scale  float64           `json:"scale" yaml:"scale"`
}

func customEndpointViews(endpoints []CustomEndpoint) []customEndpointView {
	if len(endpoints) == 0 {
		return nil
	}
	views := make([]customEndpointView, 0, len(endpoints))
	for _, e := range endpoints {
		v := customEndpointView{
			Name: e.Name, Path: e.Path, Query: e.Query, PerVDOM: e.PerVDOM, KeyLabel: e.KeyLabel,
		}
		for _, m := range e.Metrics {
			mv := customMetricView{
				Name: m.Name, Help: m.Help, Type: m.Type, Value: m.Value, Scale: m.Scale,
			}
			for _, l := range m.Labels {
				if mv.Labels == nil {
					mv.Labels = map[string]string{}
				}
				mv.Labels[l.Name] = l.Field
			}
			v.Metrics = append(v.Metrics, mv)
		}
		views = append(views, v)
	}
	return views
}

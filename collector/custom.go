package collector

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/url"
	"regexp"
	"slices"

	"github.com/prometheus/client_golang/prometheus"
)

// The custom collectors read the monitor endpoints that an operator maps to
// metrics in the targets file (custom_endpoints), for endpoints that no
// collector in the registration table covers. Each endpoint runs as its own
// collector, named custom_<name>, in every scrape of its target, regardless of
// the collector flags and the target's include and exclude lists. Rows are
// decoded by custom_rows.go.

// customCollectorPrefix starts the collector name of every custom endpoint.
const customCollectorPrefix = "custom_"

// CustomEndpointSpec is a custom endpoint as the targets file defines it.
type CustomEndpointSpec struct {
	// Name is the endpoint's name. Its collector is custom_<Name>.
	Name string
	// Path is the endpoint after /api/v2/monitor/, such as system/dhcp.
	Path string
	// Query contains extra query parameters.
	Query map[string]string
	// PerVDOM sends vdom=* (or the target's VDOM list) and adds a vdom label
	// with the VDOM of each reply envelope.
	PerVDOM bool
	// KeyLabel, when not empty, reads results as an object keyed by name and
	// puts each key in the label of this name. When it is empty, each element
	// of a results array is a row, and a results object is one row.
	KeyLabel string
	Metrics  []CustomMetricSpec
}

// CustomMetricSpec maps one field of every row to a metric.
type CustomMetricSpec struct {
	Name string
	Help string
	// Type is prometheus.GaugeValue or prometheus.CounterValue.
	Type prometheus.ValueType
	// Value is the dotted path of the field that contains the sample value.
	Value  string
	Labels []CustomLabelSpec
	// Scale multiplies every value. Zero is taken as 1.
	Scale float64
}

// CustomLabelSpec is a label whose value is the row field at a dotted path.
type CustomLabelSpec struct {
	Name  string
	Field string
}

// CustomEndpoint is a custom endpoint ready to be scraped. NewCustomEndpoints
// builds its metric descriptors once, so a scrape builds none.
type CustomEndpoint struct {
	name string
	// collector is the collector name, custom_<name>.
	collector string
	path      string
	query     url.Values
	perVDOM   bool
	keyLabel  string
	metrics   []*customMetric
}

// customMetric is one metric of a custom endpoint. Its descriptor's labels
// are vdom (with per_vdom), the key label (with key_label), then labels.
type customMetric struct {
	*metric
	value  fieldPath
	labels []fieldPath
	scale  float64
}

var (
	customMetricName = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]*$`)
	customLabelName  = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]*$`)
)

// NewCustomEndpoints builds the custom endpoints of one target. It returns an
// error when a metric would break the scrape of the whole target: a name that
// a built-in metric or another custom metric already has, an invalid or
// repeated label name, or an invalid type. The config package checks the
// file's rules (name syntax, _total on counters) before this runs.
func NewCustomEndpoints(specs []CustomEndpointSpec) ([]*CustomEndpoint, error) {
	builtin := map[string]bool{}
	for _, doc := range MetricDocs() {
		builtin[doc.Name] = true
	}
	metricEndpoint := map[string]string{}

	var errs []error
	endpoints := make([]*CustomEndpoint, 0, len(specs))
	collectors := map[string]bool{}
	for _, spec := range specs {
		e, err := newCustomEndpoint(spec, builtin, metricEndpoint)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if collectors[e.collector] {
			errs = append(errs, fmt.Errorf("custom endpoint %s is defined twice", spec.Name))
			continue
		}
		collectors[e.collector] = true
		endpoints = append(endpoints, e)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return endpoints, nil
}

// newCustomEndpoint builds one endpoint. metricEndpoint maps the custom
// metric names seen so far to their endpoints, and gains this endpoint's.
func newCustomEndpoint(
	spec CustomEndpointSpec, builtin map[string]bool, metricEndpoint map[string]string,
) (*CustomEndpoint, error) {
	if spec.Name == "" || spec.Path == "" {
		return nil, fmt.Errorf("custom endpoint %q: name and path must not be empty", spec.Name)
	}
	e := &CustomEndpoint{
		name:      spec.Name,
		collector: customCollectorPrefix + spec.Name,
		path:      spec.Path,
		perVDOM:   spec.PerVDOM,
		keyLabel:  spec.KeyLabel,
	}
	if _, ok := lookupRegistration(e.collector); ok {
		return nil, fmt.Errorf("custom endpoint %s: collector %s is a built-in collector: "+
			"rename the endpoint", spec.Name, e.collector)
	}
	if len(spec.Query) > 0 {
		e.query = url.Values{}
		for _, name := range slices.Sorted(maps.Keys(spec.Query)) {
			e.query.Set(name, spec.Query[name])
		}
	}

	var endpointLabels []string
	if spec.PerVDOM {
		endpointLabels = append(endpointLabels, "vdom")
	}
	if spec.KeyLabel != "" {
		endpointLabels = append(endpointLabels, spec.KeyLabel)
	}

	var errs []error
	for _, ms := range spec.Metrics {
		m, err := newCustomMetric(spec.Path, ms, endpointLabels)
		switch {
		case err != nil:
			errs = append(errs, err)
		case builtin[ms.Name]:
			errs = append(errs, fmt.Errorf("metric %s is a built-in metric of the exporter: "+
				"choose another name", ms.Name))
		case metricEndpoint[ms.Name] != "":
			errs = append(errs, fmt.Errorf("metric %s is also defined by custom endpoint %s",
				ms.Name, metricEndpoint[ms.Name]))
		default:
			metricEndpoint[ms.Name] = spec.Name
			e.metrics = append(e.metrics, m)
		}
	}
	if len(e.metrics) == 0 && len(errs) == 0 {
		errs = append(errs, errors.New("no metrics defined"))
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("custom endpoint %s: %w", spec.Name, errors.Join(errs...))
	}
	return e, nil
}

func newCustomMetric(
	path string, spec CustomMetricSpec, endpointLabels []string,
) (*customMetric, error) {
	if !customMetricName.MatchString(spec.Name) {
		return nil, fmt.Errorf("metric name %q is invalid", spec.Name)
	}
	if spec.Type != prometheus.GaugeValue && spec.Type != prometheus.CounterValue {
		return nil, fmt.Errorf("metric %s: type must be gauge or counter", spec.Name)
	}
	value, err := parseFieldPath(spec.Value)
	if err != nil {
		return nil, fmt.Errorf("metric %s: value: %w", spec.Name, err)
	}

	labelNames := slices.Clone(endpointLabels)
	fields := make([]fieldPath, 0, len(spec.Labels))
	for _, l := range spec.Labels {
		field, err := parseFieldPath(l.Field)
		if err != nil {
			return nil, fmt.Errorf("metric %s: label %s: %w", spec.Name, l.Name, err)
		}
		labelNames = append(labelNames, l.Name)
		fields = append(fields, field)
	}
	for i, name := range labelNames {
		if !customLabelName.MatchString(name) || slices.Contains(labelNames[:i], name) {
			return nil, fmt.Errorf("metric %s: label name %q is invalid or repeated", spec.Name, name)
		}
	}

	scale := spec.Scale
	if scale == 0 {
		scale = 1
	}
	return &customMetric{
		metric: newMetric(spec.Name, spec.Type, "", path, spec.Help, labelNames...),
		value:  value,
		labels: fields,
		scale:  scale,
	}, nil
}

// Collector returns the collector name of the endpoint, custom_<name>.
func (e *CustomEndpoint) Collector() string { return e.collector }

// requestQuery returns the query of one request to t.
func (e *CustomEndpoint) requestQuery(t *Target) url.Values {
	query := url.Values{}
	for name, values := range e.query {
		query[name] = slices.Clone(values)
	}
	if e.perVDOM {
		query.Set("vdom", vdomQuery(t))
	}
	return query
}

// customCollector runs one custom endpoint in the scrapes of one Probe.
type customCollector struct {
	endpoint *CustomEndpoint
	// logger carries the target and collector keys.
	logger *slog.Logger
}

// customRegistrations returns a registration for every custom endpoint of
// target, for a scraper. Two endpoints with one collector name are an error.
func customRegistrations(target *Target, logger *slog.Logger) ([]*registration, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	regs := make([]*registration, 0, len(target.Custom))
	for _, e := range target.Custom {
		if e == nil {
			return nil, fmt.Errorf("target %q: nil custom endpoint", target.Name)
		}
		for _, r := range regs {
			if r.name == e.collector {
				return nil, fmt.Errorf("target %q: custom endpoint collector %s is listed twice",
					target.Name, e.collector)
			}
		}
		regs = append(regs, &registration{
			name:           e.collector,
			defaultEnabled: true,
			enabled:        true,
			collector: customCollector{
				endpoint: e,
				logger:   logger.With("target", target.Name, "collector", e.collector),
			},
		})
	}
	return regs, nil
}

func (c customCollector) metrics() []*metric {
	out := make([]*metric, 0, len(c.endpoint.metrics))
	for _, m := range c.endpoint.metrics {
		out = append(out, m.metric)
	}
	return out
}

func (c customCollector) Update(ctx context.Context, t *Target, ch chan<- prometheus.Metric) error {
	e := c.endpoint
	body, err := t.API.Monitor(ctx, e.path, e.requestQuery(t))
	if err != nil {
		return err
	}

	rows, err := e.decodeRows(body)
	if err != nil {
		return fmt.Errorf("custom endpoint %s: %w", e.name, err)
	}

	out := sink{ch: ch}
	var firstErr error
	for _, m := range e.metrics {
		skipped, err := e.emit(&out, m, rows)
		if err != nil && firstErr == nil {
			firstErr = err
		}
		if skipped.count > 0 {
			c.logger.Debug("rows without the value field skipped", "metric", m.name,
				"field", m.value.text, "rows", skipped.count, "first_row", skipped.first)
		}
	}
	if firstErr != nil {
		return firstErr
	}
	return out.err
}

package collector

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"maps"
	"net/url"
	"slices"

	"github.com/prometheus/client_golang/prometheus"
)

// The system_vdom_resource collector reads GET
// /api/v2/monitor/system/vdom-resource per VDOM. Each envelope's results is
// one object that mixes the VDOM's cpu and memory (percent), setup_rate and
// is_deletable with one object per resource (session, firewall-policy,
// ipsec-phase1, log-disk-quota, ...). A resource object has id, custom_max,
// min_custom_value, max_custom_value, guaranteed, min_guaranteed_value,
// max_guaranteed_value, global_max, current_usage and usage_percent. The
// collector leaves out id and the min_ and max_ bounds, which only limit what
// custom_max and guaranteed may be set to.

const vdomResourceEndpoint = "system/vdom-resource"

var vdomResourceLabels = []string{"vdom", "resource"}

type vdomResourceCollector struct {
	cpu        *metric
	memory     *metric
	setupRate  *metric
	deletable  *metric
	usage      *metric
	usageRatio *metric
	customMax  *metric
	guaranteed *metric
	globalMax  *metric
}

func newVDOMResourceCollector() *vdomResourceCollector {
	const ep = vdomResourceEndpoint
	gauge := prometheus.GaugeValue
	return &vdomResourceCollector{
		cpu: newMetric(namespace+"_vdom_resource_cpu_usage_ratio", gauge, "ratio", ep,
			"CPU usage of the VDOM.",
			"vdom"),
		memory: newMetric(namespace+"_vdom_resource_memory_usage_ratio", gauge, "ratio", ep,
			"Memory usage of the VDOM.",
			"vdom"),
		// NOTE: no Fortinet document names the unit of setup_rate, so it is sent
		// as FortiOS reports it.
		setupRate: newMetric(namespace+"_vdom_resource_setup_rate", gauge, "", ep,
			"Session setup rate of the VDOM, as FortiOS reports it in setup_rate.",
			"vdom"),
		deletable: newMetric(namespace+"_vdom_resource_deletable", gauge, "", ep,
			"Whether the VDOM can be deleted (1) or not (0).",
			"vdom"),
		usage: newMetric(namespace+"_vdom_resource_object_current_usage", gauge, "", ep,
			"Current usage of the resource by the VDOM, in the unit of the resource (a count "+
				"of objects, sessions or tunnels, and disk space for log-disk-quota).",
			vdomResourceLabels...),
		usageRatio: newMetric(namespace+"_vdom_resource_object_usage_ratio", gauge, "ratio", ep,
			"Usage of the resource by the VDOM as a ratio, from usage_percent as FortiOS computes it.",
			vdomResourceLabels...),
		customMax: newMetric(namespace+"_vdom_resource_object_custom_max", gauge, "", ep,
			"Maximum of the resource configured for the VDOM, 0 when none is set.",
			vdomResourceLabels...),
		guaranteed: newMetric(namespace+"_vdom_resource_object_guaranteed", gauge, "", ep,
			"Amount of the resource guaranteed to the VDOM, 0 when none is set.",
			vdomResourceLabels...),
		globalMax: newMetric(namespace+"_vdom_resource_object_global_max", gauge, "", ep,
			"Maximum of the resource for the whole FortiGate, 0 when there is none.",
			vdomResourceLabels...),
	}
}

func (c *vdomResourceCollector) metrics() []*metric {
	return []*metric{
		c.cpu, c.memory, c.setupRate, c.deletable,
		c.usage, c.usageRatio, c.customMax, c.guaranteed, c.globalMax,
	}
}

type vdomResourceObject struct {
	CurrentUsage number `json:"current_usage"`
	UsagePercent number `json:"usage_percent"`
	CustomMax    number `json:"custom_max"`
	Guaranteed   number `json:"guaranteed"`
	GlobalMax    number `json:"global_max"`
}

// vdomResources is the results object of one VDOM. Every member that is a
// JSON object is taken as a resource, the others as VDOM-wide values.
type vdomResources struct {
	CPU       number `json:"cpu"`
	Memory    number `json:"memory"`
	SetupRate number `json:"setup_rate"`
	Deletable flag   `json:"is_deletable"`
	resources []keyed[vdomResourceObject]
}

func (r *vdomResources) UnmarshalJSON(raw []byte) error {
	// scalars has the fields of vdomResources but not this method, so decoding
	// into it does not recurse.
	type scalars vdomResources
	var s scalars
	if err := json.Unmarshal(raw, &s); err != nil {
		return err
	}
	*r = vdomResources(s)

	var members map[string]json.RawMessage
	if err := json.Unmarshal(raw, &members); err != nil {
		return err
	}
	for _, key := range slices.Sorted(maps.Keys(members)) {
		value := bytes.TrimSpace(members[key])
		if len(value) == 0 || value[0] != '{' {
			continue
		}
		var object vdomResourceObject
		if err := json.Unmarshal(value, &object); err != nil {
			var typeErr *json.UnmarshalTypeError
			if errors.As(err, &typeErr) {
				typeErr.Field = joinPath(key, typeErr.Field)
			}
			return err
		}
		r.resources = append(r.resources, keyed[vdomResourceObject]{key: key, value: object})
	}
	return nil
}

func parseVDOMResources(body []byte) ([]vdomResult[vdomResources], error) {
	return parsePerVDOMObject[vdomResources](vdomResourceEndpoint, body)
}

func (c *vdomResourceCollector) Update(ctx context.Context, t *Target, ch chan<- prometheus.Metric) error {
	body, err := t.API.Monitor(ctx, vdomResourceEndpoint, url.Values{"vdom": {vdomQuery(t)}})
	if err != nil {
		return err
	}

	perVDOM, err := parseVDOMResources(body)
	if err != nil {
		return err
	}

	out := sink{ch: ch}
	for _, entry := range perVDOM {
		c.emit(&out, entry.vdom, entry.result)
	}
	return out.err
}

func (c *vdomResourceCollector) emit(out *sink, vdom string, r vdomResources) {
	out.percent(c.cpu, r.CPU, vdom)
	out.percent(c.memory, r.Memory, vdom)
	out.number(c.setupRate, r.SetupRate, vdom)
	if r.Deletable.ok {
		out.add(c.deletable, boolValue(r.Deletable.value), vdom)
	}

	for _, resource := range r.resources {
		labels := []string{vdom, resource.key}
		object := resource.value
		out.number(c.usage, object.CurrentUsage, labels...)
		out.percent(c.usageRatio, object.UsagePercent, labels...)
		out.number(c.customMax, object.CustomMax, labels...)
		out.number(c.guaranteed, object.Guaranteed, labels...)
		out.number(c.globalMax, object.GlobalMax, labels...)
	}
}

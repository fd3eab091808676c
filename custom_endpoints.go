package main

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/fortigate-session-exporter/fortigate_session_exporter/collector"
	"github.com/fortigate-session-exporter/fortigate_session_exporter/config"
)

// customEndpoints builds the collectors of the custom endpoints of ct. The
// config package has validated the file's rules, so the error expected here
// is the one it cannot detect: a metric name that a built-in metric has.
//
// NOTE: the names of the exporter's own registry (fortigate_session_*,
// fortigate_redis_*, fortigate_config_*) are not checked. They only meet a
// custom metric on /metrics, for a target named "default", where a clash
// makes /metrics fail.
func customEndpoints(ct *config.Target) ([]*collector.CustomEndpoint, error) {
	if len(ct.CustomEndpoints) == 0 {
		return nil, nil
	}
	specs := make([]collector.CustomEndpointSpec, 0, len(ct.CustomEndpoints))
	for _, e := range ct.CustomEndpoints {
		spec := collector.CustomEndpointSpec{
			Name:     e.Name,
			Path:     e.Path,
			Query:    e.Query,
			PerVDOM:  e.PerVDOM,
			KeyLabel: e.KeyLabel,
		}
		for _, m := range e.Metrics {
			ms := collector.CustomMetricSpec{
				Name:  m.Name,
				Help:  m.Help,
				Type:  prometheus.GaugeValue,
				Value: m.Value,
				Scale: m.Scale,
			}
			if m.Type == config.MetricCounter {
				ms.Type = prometheus.CounterValue
			}
			for _, l := range m.Labels {
				ms.Labels = append(ms.Labels, collector.CustomLabelSpec{Name: l.Name, Field: l.Field})
			}
			spec.Metrics = append(spec.Metrics, ms)
		}
		specs = append(specs, spec)
	}

	endpoints, err := collector.NewCustomEndpoints(specs)
	if err != nil {
		return nil, fmt.Errorf("target %q: custom_endpoints: %w", ct.Name, err)
	}
	return endpoints, nil
}

package collector

import (
	"context"
	"slices"

	"github.com/prometheus/client_golang/prometheus"
)

// The system_status collector reads GET /api/v2/monitor/system/status: the
// device's identity. Serial, version and build sit in the envelope, and model
// and hostname in results.

const systemStatusEndpoint = "system/status"

// logDiskStates are the values of log_disk_status in the FortiOS 7.6.5 API schema.
var logDiskStates = []string{"available", "need_format", "not_available"}

type systemStatusCollector struct {
	version *metric
	system  *metric
	logDisk *metric
}

func newSystemStatusCollector() *systemStatusCollector {
	const ep = systemStatusEndpoint
	return &systemStatusCollector{
		version: newMetric(namespace+"_version_info", prometheus.GaugeValue, "", ep,
			"FortiOS firmware of the device, always 1.",
			"serial", "version", "build"),
		system: newMetric(namespace+"_system_info", prometheus.GaugeValue, "", ep,
			"Identity of the device, always 1.",
			"hostname", "model", "model_name", "model_number", "serial", "version"),
		logDisk: newMetric(namespace+"_log_disk_status", prometheus.GaugeValue, "", ep,
			"State of the log disk: 1 for the state FortiOS reports, 0 for the other known states.",
			"status"),
	}
}

func (c *systemStatusCollector) metrics() []*metric {
	return []*metric{c.version, c.system, c.logDisk}
}

type systemStatusResults struct {
	ModelName     text `json:"model_name"`
	ModelNumber   text `json:"model_number"`
	Model         text `json:"model"`
	Hostname      text `json:"hostname"`
	LogDiskStatus text `json:"log_disk_status"`
}

type systemStatus struct {
	serial  string
	version string
	build   string
	results systemStatusResults
}

// parseSystemStatus decodes a system/status reply. Without a vdom parameter the
// device sends one envelope, and only the first one is used if it sends more.
func parseSystemStatus(body []byte) (systemStatus, error) {
	envelopes, err := decodeEnvelopes(systemStatusEndpoint, body)
	if err != nil {
		return systemStatus{}, err
	}
	if len(envelopes) == 0 {
		return systemStatus{}, nil
	}

	env := envelopes[0]
	status := systemStatus{
		serial:  string(env.Serial),
		version: string(env.Version),
		build:   string(env.Build),
	}
	if err := decodeObject(systemStatusEndpoint, env.Results, &status.results); err != nil {
		return systemStatus{}, err
	}
	return status, nil
}

func (c *systemStatusCollector) Update(ctx context.Context, t *Target, ch chan<- prometheus.Metric) error {
	body, err := t.API.Monitor(ctx, systemStatusEndpoint, nil)
	if err != nil {
		return err
	}

	status, err := parseSystemStatus(body)
	if err != nil {
		return err
	}

	out := sink{ch: ch}
	r := status.results
	out.add(c.version, 1, status.serial, status.version, status.build)
	out.add(c.system, 1,
		string(r.Hostname), string(r.Model), string(r.ModelName), string(r.ModelNumber),
		status.serial, status.version)

	if current := string(r.LogDiskStatus); current != "" {
		states := logDiskStates
		if !slices.Contains(states, current) {
			states = append(slices.Clone(states), current)
		}
		for _, state := range states {
			value := 0.0
			if state == current {
				value = 1
			}
			out.add(c.logDisk, value, state)
		}
	}
	return out.err
}

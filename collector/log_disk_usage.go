package collector

import (
	"context"
	"net/url"

	"github.com/prometheus/client_golang/prometheus"
)

// The log_disk_usage collector reads GET /api/v2/monitor/log/current-disk-usage
// per VDOM. Each envelope's results is one object with used_bytes, free_bytes
// and total_bytes of the log disk. An HTTP 404 or 424 reply makes the
// collector unsupported.

const logDiskUsageEndpoint = "log/current-disk-usage"

type logDiskUsageCollector struct {
	used  *metric
	free  *metric
	total *metric
}

func newLogDiskUsageCollector() *logDiskUsageCollector {
	const ep = logDiskUsageEndpoint
	gauge := prometheus.GaugeValue
	return &logDiskUsageCollector{
		used: newMetric(namespace+"_log_disk_used_bytes", gauge, "bytes", ep,
			"Used space on the log disk, as FortiOS reports it for the VDOM.",
			"vdom"),
		free: newMetric(namespace+"_log_disk_free_bytes", gauge, "bytes", ep,
			"Free space on the log disk, as FortiOS reports it for the VDOM.",
			"vdom"),
		total: newMetric(namespace+"_log_disk_total_bytes", gauge, "bytes", ep,
			"Size of the log disk, as FortiOS reports it for the VDOM.",
			"vdom"),
	}
}

func (c *logDiskUsageCollector) metrics() []*metric {
	return []*metric{c.used, c.free, c.total}
}

type logDiskUsage struct {
	Used  number `json:"used_bytes"`
	Free  number `json:"free_bytes"`
	Total number `json:"total_bytes"`
}

func parseLogDiskUsage(body []byte) ([]vdomResult[logDiskUsage], error) {
	return parsePerVDOMObject[logDiskUsage](logDiskUsageEndpoint, body)
}

func (c *logDiskUsageCollector) Update(ctx context.Context, t *Target, ch chan<- prometheus.Metric) error {
	body, err := t.API.Monitor(ctx, logDiskUsageEndpoint, url.Values{"vdom": {vdomQuery(t)}})
	if err != nil {
		return err
	}

	perVDOM, err := parseLogDiskUsage(body)
	if err != nil {
		return err
	}

	out := sink{ch: ch}
	for _, entry := range perVDOM {
		out.number(c.used, entry.result.Used, entry.vdom)
		out.number(c.free, entry.result.Free, entry.vdom)
		out.number(c.total, entry.result.Total, entry.vdom)
	}
	return out.err
}

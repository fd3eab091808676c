package collector

import (
	"context"
	"net/url"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/fortigate-session-exporter/fortigate_session_exporter/fgsession"
)

// The log_fortianalyzer collector reads two endpoints per VDOM:
//
//   - GET /api/v2/monitor/log/fortianalyzer: the FortiAnalyzer the VDOM logs
//     to, with its registration state ("registered", ...), its connection
//     state ("allow", ...) and the number of logs it received.
//   - GET /api/v2/monitor/log/fortianalyzer-queue: the log queue towards it,
//     with connected, total_memory_blocks, used_memory_blocks, failed_logs and
//     cached_logs.
//
// FortiOS replies with HTTP 424 when no FortiAnalyzer is configured. A 404 or
// 424 on log/fortianalyzer makes the collector unsupported, while the same on
// the queue endpoint alone only leaves out the queue metrics.

const (
	fortiAnalyzerEndpoint      = "log/fortianalyzer"
	fortiAnalyzerQueueEndpoint = "log/fortianalyzer-queue"

	// fortiAnalyzerRegistered is the registration state FortiOS reports once
	// the FortiGate is registered on the FortiAnalyzer.
	fortiAnalyzerRegistered = "registered"
)

type fortiAnalyzerCollector struct {
	info             *metric
	registered       *metric
	logsReceived     *metric
	queueConnections *metric
	queueBlocks      *metric
	queueBlocksUsed  *metric
	queueLogs        *metric
}

func newFortiAnalyzerCollector() *fortiAnalyzerCollector {
	const ep, queue = fortiAnalyzerEndpoint, fortiAnalyzerQueueEndpoint
	gauge := prometheus.GaugeValue
	return &fortiAnalyzerCollector{
		info: newMetric(namespace+"_log_fortianalyzer_registration_info", gauge, "", ep,
			"FortiAnalyzer log destination of the VDOM with its registration state (registered, "+
				"...) and connection state (allow, ...) as FortiOS names them, always 1.",
			"vdom", "registration", "connection"),
		registered: newMetric(namespace+"_log_fortianalyzer_registered", gauge, "", ep,
			"Whether the FortiGate is registered on the FortiAnalyzer (1) or not (0).",
			"vdom"),
		// NOTE: received is sent as a gauge because no Fortinet document states
		// whether it ever resets, for example when the FortiAnalyzer reconnects.
		logsReceived: newMetric(namespace+"_log_fortianalyzer_logs_received", gauge, "", ep,
			"Number of logs of the VDOM that the FortiAnalyzer received, as FortiOS reports it.",
			"vdom"),
		queueConnections: newMetric(namespace+"_log_fortianalyzer_queue_connections", gauge, "", queue,
			"Number of connections of the log queue to the FortiAnalyzer.",
			"vdom"),
		queueBlocks: newMetric(namespace+"_log_fortianalyzer_queue_memory_blocks", gauge, "", queue,
			"Number of memory blocks the log queue to the FortiAnalyzer can use.",
			"vdom"),
		queueBlocksUsed: newMetric(namespace+"_log_fortianalyzer_queue_memory_blocks_used", gauge, "", queue,
			"Number of memory blocks the log queue to the FortiAnalyzer uses.",
			"vdom"),
		queueLogs: newMetric(namespace+"_log_fortianalyzer_queue_logs", gauge, "", queue,
			"Number of logs in the queue to the FortiAnalyzer. state is failed (logs that could "+
				"not be sent) or cached (logs waiting to be sent).",
			"vdom", "state"),
	}
}

func (c *fortiAnalyzerCollector) metrics() []*metric {
	return []*metric{
		c.info, c.registered, c.logsReceived,
		c.queueConnections, c.queueBlocks, c.queueBlocksUsed, c.queueLogs,
	}
}

type fortiAnalyzerStatus struct {
	Registration text   `json:"registration"`
	Connection   text   `json:"connection"`
	Received     number `json:"received"`
}

type fortiAnalyzerQueue struct {
	Connected         countOrFlag `json:"connected"`
	TotalMemoryBlocks number      `json:"total_memory_blocks"`
	UsedMemoryBlocks  number      `json:"used_memory_blocks"`
	FailedLogs        number      `json:"failed_logs"`
	CachedLogs        number      `json:"cached_logs"`
}

// countOrFlag is a count that FortiOS may also send as a boolean, such as the
// connected member of the queue. true is 1 and false is 0.
type countOrFlag struct {
	number
}

func (c *countOrFlag) UnmarshalJSON(raw []byte) error {
	var f flag
	if string(raw) == "true" || string(raw) == "false" {
		if err := f.UnmarshalJSON(raw); err != nil {
			return err
		}
		c.number = number{value: boolValue(f.value), ok: true}
		return nil
	}
	return c.number.UnmarshalJSON(raw)
}

func parseFortiAnalyzer(body []byte) ([]vdomResult[fortiAnalyzerStatus], error) {
	return parsePerVDOMObject[fortiAnalyzerStatus](fortiAnalyzerEndpoint, body)
}

func parseFortiAnalyzerQueue(body []byte) ([]vdomResult[fortiAnalyzerQueue], error) {
	return parsePerVDOMObject[fortiAnalyzerQueue](fortiAnalyzerQueueEndpoint, body)
}

func (c *fortiAnalyzerCollector) Update(ctx context.Context, t *Target, ch chan<- prometheus.Metric) error {
	query := url.Values{"vdom": {vdomQuery(t)}}
	body, err := t.API.Monitor(ctx, fortiAnalyzerEndpoint, query)
	if err != nil {
		return err
	}
	statuses, err := parseFortiAnalyzer(body)
	if err != nil {
		return err
	}

	var queues []vdomResult[fortiAnalyzerQueue]
	body, err = t.API.Monitor(ctx, fortiAnalyzerQueueEndpoint, query)
	switch {
	case err != nil && !fgsession.IsUnsupported(err):
		return err
	case err == nil:
		if queues, err = parseFortiAnalyzerQueue(body); err != nil {
			return err
		}
	}

	out := sink{ch: ch}
	for _, s := range statuses {
		c.emitStatus(&out, s.vdom, s.result)
	}
	for _, q := range queues {
		out.number(c.queueConnections, q.result.Connected.number, q.vdom)
		out.number(c.queueBlocks, q.result.TotalMemoryBlocks, q.vdom)
		out.number(c.queueBlocksUsed, q.result.UsedMemoryBlocks, q.vdom)
		out.number(c.queueLogs, q.result.FailedLogs, q.vdom, "failed")
		out.number(c.queueLogs, q.result.CachedLogs, q.vdom, "cached")
	}
	return out.err
}

func (c *fortiAnalyzerCollector) emitStatus(out *sink, vdom string, s fortiAnalyzerStatus) {
	if s.Registration != "" || s.Connection != "" {
		out.add(c.info, 1, vdom, string(s.Registration), string(s.Connection))
	}
	if s.Registration != "" {
		out.add(c.registered, boolValue(s.Registration == fortiAnalyzerRegistered), vdom)
	}
	out.number(c.logsReceived, s.Received, vdom)
}

package collector

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// The system_time collector reads GET /api/v2/monitor/system/time: the
// FortiGate's clock, as results {"time": <seconds since the Unix epoch>}.
// The clock is global, so the request names no VDOM and gets one envelope,
// that of the admin's default VDOM.
//
// The offset compares that time with the midpoint of the exporter's clock
// before the request and after the reply, the best estimate of when the
// device read its clock.
//
// NOTE: FortiOS sends whole seconds, and whether it truncates or rounds is
// not documented, so the offset is accurate to about one second plus half
// the request's round trip. Alert on offsets of several seconds, not less.

const systemTimeEndpoint = "system/time"

type systemTimeCollector struct {
	// now is the exporter's clock. Tests replace it with a fixed time.
	now func() time.Time

	time   *metric
	offset *metric
}

func newSystemTimeCollector() *systemTimeCollector {
	const ep = systemTimeEndpoint
	gauge := prometheus.GaugeValue
	return &systemTimeCollector{
		now: time.Now,
		// The name is that of the prometheus-community fortigate_exporter, so
		// dashboards built on it carry over.
		time: newMetric(namespace+"_time_seconds", gauge, "seconds", ep,
			"Time on the FortiGate clock in seconds since the Unix epoch, in whole seconds."),
		offset: newMetric(namespace+"_time_offset_seconds", gauge, "seconds", ep,
			"FortiGate clock minus the exporter's clock at the request, positive when the "+
				"FortiGate is ahead. FortiOS reports whole seconds, so the value is accurate to "+
				"about one second plus half the round trip."),
	}
}

func (c *systemTimeCollector) metrics() []*metric {
	return []*metric{c.time, c.offset}
}

type systemTimeResults struct {
	Time number `json:"time"`
}

// parseSystemTime decodes a system/time reply. Without a vdom parameter the
// device sends one envelope, and only the first one is used if it sends more.
func parseSystemTime(body []byte) (systemTimeResults, error) {
	envelopes, err := decodeEnvelopes(systemTimeEndpoint, body)
	if err != nil {
		return systemTimeResults{}, err
	}
	if len(envelopes) == 0 {
		return systemTimeResults{}, nil
	}

	var results systemTimeResults
	if err := decodeObject(systemTimeEndpoint, envelopes[0].Results, &results); err != nil {
		return systemTimeResults{}, err
	}
	return results, nil
}

func (c *systemTimeCollector) Update(ctx context.Context, t *Target, ch chan<- prometheus.Metric) error {
	sent := c.now()
	body, err := t.API.Monitor(ctx, systemTimeEndpoint, nil)
	if err != nil {
		return err
	}
	received := c.now()

	results, err := parseSystemTime(body)
	if err != nil {
		return err
	}

	out := sink{ch: ch}
	if results.Time.ok {
		midpoint := sent.Add(received.Sub(sent) / 2)
		exporterTime := float64(midpoint.UnixNano()) / 1e9
		out.add(c.time, results.Time.value)
		out.add(c.offset, results.Time.value-exporterTime)
	}
	return out.err
}

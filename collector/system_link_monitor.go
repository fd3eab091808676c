package collector

import (
	"context"
	"net/url"

	"github.com/prometheus/client_golang/prometheus"
)

// The system_link_monitor collector reads GET
// /api/v2/monitor/system/link-monitor per VDOM: the probes of every link
// monitor and monitored interface. A link whose status is error or unknown
// has no other field, and a VDOM without link monitors sends results {}.

const linkMonitorEndpoint = "system/link-monitor"

// linkMonitorStates are the link states that FortiOS is known to send.
var linkMonitorStates = []string{"up", "down", "error", "unknown"}

type linkMonitorCollector struct {
	links *healthMetrics
}

func newLinkMonitorCollector() *linkMonitorCollector {
	return &linkMonitorCollector{
		links: newHealthMetrics(namespace+"_link", linkMonitorEndpoint,
			"monitored link", linkMonitorStates, false,
			"vdom", "monitor", "link"),
	}
}

func (c *linkMonitorCollector) metrics() []*metric { return c.links.list() }

func (c *linkMonitorCollector) Update(ctx context.Context, t *Target, ch chan<- prometheus.Metric) error {
	body, err := t.API.Monitor(ctx, linkMonitorEndpoint, url.Values{"vdom": {vdomQuery(t)}})
	if err != nil {
		return err
	}

	groups, err := parseHealthGroups(linkMonitorEndpoint, body)
	if err != nil {
		return err
	}

	out := sink{ch: ch}
	for _, group := range groups {
		c.links.emitGroup(&out, group)
	}
	return out.err
}

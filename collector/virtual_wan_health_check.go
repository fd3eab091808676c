package collector

import (
	"context"
	"net/url"

	"github.com/prometheus/client_golang/prometheus"
)

// The virtual_wan_health_check collector reads GET
// /api/v2/monitor/virtual-wan/health-check per VDOM: the SD-WAN performance
// SLA probes of every health check and member interface. The health check name
// may contain spaces. A member that takes part in no probe is "error", and a
// disabled member is "disable" with no other field. Members of an overlay can
// list child interfaces, which get the overlay in the parent label.

const virtualWANHealthCheckEndpoint = "virtual-wan/health-check"

// virtualWANStates are the member states in the FortiOS 7.6.5 API schema.
var virtualWANStates = []string{"up", "down", "disable", "error", "n/a"}

type virtualWANHealthCheckCollector struct {
	members *healthMetrics
}

func newVirtualWANHealthCheckCollector() *virtualWANHealthCheckCollector {
	return &virtualWANHealthCheckCollector{
		members: newHealthMetrics(namespace+"_virtual_wan", virtualWANHealthCheckEndpoint,
			"SD-WAN member", virtualWANStates, true,
			"vdom", "sla", "interface", "parent"),
	}
}

func (c *virtualWANHealthCheckCollector) metrics() []*metric { return c.members.list() }

func (c *virtualWANHealthCheckCollector) Update(
	ctx context.Context, t *Target, ch chan<- prometheus.Metric,
) error {
	query := url.Values{"vdom": {vdomQuery(t)}}
	body, err := t.API.Monitor(ctx, virtualWANHealthCheckEndpoint, query)
	if err != nil {
		return err
	}

	groups, err := parseHealthGroups(virtualWANHealthCheckEndpoint, body)
	if err != nil {
		return err
	}

	out := sink{ch: ch}
	for _, group := range groups {
		c.members.emitGroup(&out, group)
	}
	return out.err
}

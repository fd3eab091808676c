package collector

import (
	"context"
	"net/url"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
)

// The router_ospf collector reads GET /api/v2/monitor/router/ospf/neighbors per
// VDOM: the adjacency state of every OSPF neighbor. FortiOS sends the state as
// words ("Two way", "Exchange start"), not as the OSPF-MIB numbers.
//
// NOTE: prometheus-community/fortigate_exporter skips this endpoint before
// FortiOS 7.0 because those releases lack it. No fixture proves that, but a 404
// from such a device counts as unsupported, not as a failure.

const ospfNeighborsEndpoint = "router/ospf/neighbors"

// ospfStates are the neighbor states of RFC 2328 section 10.1, as FortiOS
// spells them.
var ospfStates = []string{
	"Down", "Attempt", "Init", "Two way", "Exchange start", "Exchange", "Loading", "Full",
}

// ospfNeighborLabels identify an OSPF neighbor.
var ospfNeighborLabels = []string{"vdom", "neighbor"}

type ospfNeighborsCollector struct {
	info     *metric
	up       *metric
	state    *metric
	priority *metric
}

func newOSPFNeighborsCollector() *ospfNeighborsCollector {
	const ep = ospfNeighborsEndpoint
	gauge := prometheus.GaugeValue
	return &ospfNeighborsCollector{
		info: newMetric(namespace+"_ospf_neighbor_info", gauge, "", ep,
			"OSPF neighbor, always 1. router_id is the OSPF router ID the neighbor announces.",
			"vdom", "neighbor", "router_id"),
		up: newMetric(namespace+"_ospf_neighbor_up", gauge, "", ep,
			"Whether the adjacency with the OSPF neighbor is Full (1) or not (0). "+
				"Two routers that are both not DR or BDR stay in Two way, which is normal on broadcast links.",
			ospfNeighborLabels...),
		state: newMetric(namespace+"_ospf_neighbor_state", gauge, "", ep,
			"OSPF state of the neighbor: 1 for the state FortiOS reports, 0 for the other states "+
				"of RFC 2328 ("+strings.Join(ospfStates, ", ")+").",
			append(append([]string{}, ospfNeighborLabels...), "state")...),
		priority: newMetric(namespace+"_ospf_neighbor_priority", gauge, "", ep,
			"Router priority of the OSPF neighbor in the DR election, 0 when it can never become DR.",
			ospfNeighborLabels...),
	}
}

func (c *ospfNeighborsCollector) metrics() []*metric {
	return []*metric{c.info, c.up, c.state, c.priority}
}

type ospfNeighbor struct {
	NeighborIP text   `json:"neighbor_ip"`
	RouterID   text   `json:"router_id"`
	Priority   number `json:"priority"`
	State      text   `json:"state"`
}

func (c *ospfNeighborsCollector) Update(ctx context.Context, t *Target, ch chan<- prometheus.Metric) error {
	body, err := t.API.Monitor(ctx, ospfNeighborsEndpoint, url.Values{"vdom": {vdomQuery(t)}})
	if err != nil {
		return err
	}

	perVDOM, err := parseVDOMLists[ospfNeighbor](ospfNeighborsEndpoint, body)
	if err != nil {
		return err
	}

	out := sink{ch: ch}
	for _, entry := range perVDOM {
		for _, n := range entry.entries {
			c.emit(&out, entry.vdom, n)
		}
	}
	return out.err
}

func (c *ospfNeighborsCollector) emit(out *sink, vdom string, n ospfNeighbor) {
	labels := []string{vdom, string(n.NeighborIP)}

	out.add(c.info, 1, vdom, string(n.NeighborIP), string(n.RouterID))
	if state := string(n.State); state != "" {
		out.add(c.up, boolValue(strings.EqualFold(state, "Full")), labels...)
		emitStates(out, c.state, state, ospfStates, labels...)
	}
	out.number(c.priority, n.Priority, labels...)
}

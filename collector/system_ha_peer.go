package collector

import (
	"context"

	"github.com/prometheus/client_golang/prometheus"
)

// The system_ha_peer collector reads GET /api/v2/monitor/system/ha-peer: one
// global envelope whose results list the cluster members with their HA
// priority and whether each is the primary. The flag is primary, with the
// deprecated master next to it, and a reply with only master is read from
// master. A standalone unit sends an empty list.

const haPeerEndpoint = "system/ha-peer"

// haPeerLabels identify a cluster member within its virtual cluster.
var haPeerLabels = []string{"hostname", "serial", "vcluster"}

type haPeerCollector struct {
	priority *metric
	primary  *metric
}

func newHAPeerCollector() *haPeerCollector {
	const ep = haPeerEndpoint
	gauge := prometheus.GaugeValue
	return &haPeerCollector{
		priority: newMetric(namespace+"_ha_peer_priority", gauge, "", ep,
			"HA priority of the cluster member in its virtual cluster.",
			haPeerLabels...),
		primary: newMetric(namespace+"_ha_peer_primary", gauge, "", ep,
			"Whether the cluster member is the primary of its virtual cluster (1) or not (0).",
			haPeerLabels...),
	}
}

func (c *haPeerCollector) metrics() []*metric {
	return []*metric{c.priority, c.primary}
}

type haPeer struct {
	Serial   text   `json:"serial_no"`
	Hostname text   `json:"hostname"`
	VCluster text   `json:"vcluster_id"`
	Priority number `json:"priority"`
	Primary  flag   `json:"primary"`
	// Master is the deprecated name of Primary, which the FortiOS 7.6.5 API
	// schema marks for removal in 8.0.
	Master flag `json:"master"`
}

// parseHAPeers decodes a system/ha-peer reply. The endpoint is global, so only
// the first envelope is used.
func parseHAPeers(body []byte) ([]haPeer, error) {
	envelopes, err := decodeEnvelopes(haPeerEndpoint, body)
	if err != nil {
		return nil, err
	}
	if len(envelopes) == 0 {
		return nil, nil
	}
	return decodeList[haPeer](haPeerEndpoint, envelopes[0].Results)
}

func (c *haPeerCollector) Update(ctx context.Context, t *Target, ch chan<- prometheus.Metric) error {
	body, err := t.API.Monitor(ctx, haPeerEndpoint, nil)
	if err != nil {
		return err
	}

	peers, err := parseHAPeers(body)
	if err != nil {
		return err
	}

	out := sink{ch: ch}
	for _, p := range peers {
		labels := []string{string(p.Hostname), string(p.Serial), string(p.VCluster)}
		out.number(c.priority, p.Priority, labels...)

		primary := p.Primary
		if !primary.ok {
			primary = p.Master
		}
		if primary.ok {
			out.add(c.primary, boolValue(primary.value), labels...)
		}
	}
	return out.err
}

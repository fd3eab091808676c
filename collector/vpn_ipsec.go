package collector

import (
	"context"
	"net/url"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
)

// The vpn_ipsec collector reads GET /api/v2/monitor/vpn/ipsec per VDOM.
// results lists the phase 1 tunnels, each with tunnel-level byte counters and
// its phase 2 selectors in proxyid. Several phase 2 entries can share one
// p2name, so p2serial is what distinguishes them. A phase 2 that is down has no
// expire and no byte fields. A dialup phase 1 is listed once as a template with
// remote gateway 0.0.0.0 and no selectors, and once per connected client as an
// instance whose parent is the template.

const ipsecEndpoint = "vpn/ipsec"

var (
	// ipsecTunnelLabels identify a phase 1 tunnel.
	ipsecTunnelLabels = []string{"vdom", "tunnel"}
	// ipsecPhase2Labels identify a phase 2 selector of a tunnel.
	ipsecPhase2Labels = []string{"vdom", "tunnel", "phase2", "phase2_serial"}
)

type ipsecCollector struct {
	tunnelInfo    *metric
	tunnelUp      *metric
	tunnelRxBytes *metric
	tunnelTxBytes *metric
	phase2Info    *metric
	phase2Up      *metric
	phase2RxBytes *metric
	phase2TxBytes *metric
	phase2Expire  *metric
}

func newIPsecCollector() *ipsecCollector {
	const ep = ipsecEndpoint
	gauge, counter := prometheus.GaugeValue, prometheus.CounterValue
	return &ipsecCollector{
		tunnelInfo: newMetric(namespace+"_ipsec_tunnel_info", gauge, "", ep,
			"Phase 1 tunnel, always 1. type is automatic, dialup or empty. parent names the dialup "+
				"template of a dialup instance. remote_gateway is 0.0.0.0 on a dialup template.",
			"vdom", "tunnel", "type", "parent", "remote_gateway"),
		tunnelUp: newMetric(namespace+"_ipsec_tunnel_up", gauge, "", ep,
			"Whether at least one phase 2 of the tunnel is up (1) or none is (0). "+
				"Tunnels without phase 2 selectors, such as dialup templates, have no sample.",
			ipsecTunnelLabels...),
		tunnelRxBytes: newMetric(namespace+"_ipsec_tunnel_receive_bytes_total", counter, "bytes", ep,
			"Bytes received through the phase 1 tunnel, all phase 2 selectors together.",
			ipsecTunnelLabels...),
		tunnelTxBytes: newMetric(namespace+"_ipsec_tunnel_transmit_bytes_total", counter, "bytes", ep,
			"Bytes sent through the phase 1 tunnel, all phase 2 selectors together.",
			ipsecTunnelLabels...),
		phase2Info: newMetric(namespace+"_ipsec_phase2_info", gauge, "", ep,
			"Phase 2 selector, always 1. source and destination list the selector's subnets "+
				"or address ranges, separated by commas.",
			append(append([]string{}, ipsecPhase2Labels...), "source", "destination")...),
		phase2Up: newMetric(namespace+"_ipsec_phase2_up", gauge, "", ep,
			"Whether the phase 2 security association is up (1) or down (0).",
			ipsecPhase2Labels...),
		phase2RxBytes: newMetric(namespace+"_ipsec_phase2_receive_bytes_total", counter, "bytes", ep,
			"Bytes received through the phase 2 security association. A phase 2 that is down has no sample.",
			ipsecPhase2Labels...),
		phase2TxBytes: newMetric(namespace+"_ipsec_phase2_transmit_bytes_total", counter, "bytes", ep,
			"Bytes sent through the phase 2 security association. A phase 2 that is down has no sample.",
			ipsecPhase2Labels...),
		phase2Expire: newMetric(namespace+"_ipsec_phase2_expire_seconds", gauge, "seconds", ep,
			"Time until the keys of the phase 2 security association expire. "+
				"A phase 2 that is down has no sample.",
			ipsecPhase2Labels...),
	}
}

func (c *ipsecCollector) metrics() []*metric {
	return []*metric{
		c.tunnelInfo, c.tunnelUp, c.tunnelRxBytes, c.tunnelTxBytes,
		c.phase2Info, c.phase2Up, c.phase2RxBytes, c.phase2TxBytes, c.phase2Expire,
	}
}

type ipsecSelector struct {
	Subnet text `json:"subnet"`
}

type ipsecPhase2 struct {
	Name          text                `json:"p2name"`
	Serial        number              `json:"p2serial"`
	Status        text                `json:"status"`
	Expire        number              `json:"expire"`
	IncomingBytes number              `json:"incoming_bytes"`
	OutgoingBytes number              `json:"outgoing_bytes"`
	Source        list[ipsecSelector] `json:"proxy_src"`
	Destination   list[ipsecSelector] `json:"proxy_dst"`
}

type ipsecTunnel struct {
	Name          text              `json:"name"`
	Type          text              `json:"type"`
	Parent        text              `json:"parent"`
	RemoteGateway text              `json:"rgwy"`
	IncomingBytes number            `json:"incoming_bytes"`
	OutgoingBytes number            `json:"outgoing_bytes"`
	Phase2        list[ipsecPhase2] `json:"proxyid"`
}

// vdomTunnels are the phase 1 tunnels of one VDOM.
type vdomTunnels struct {
	vdom    string
	tunnels []ipsecTunnel
}

func parseIPsec(body []byte) ([]vdomTunnels, error) {
	envelopes, err := decodeEnvelopes(ipsecEndpoint, body)
	if err != nil {
		return nil, err
	}

	out := make([]vdomTunnels, 0, len(envelopes))
	for _, env := range envelopes {
		tunnels, err := decodeList[ipsecTunnel](ipsecEndpoint, env.Results)
		if err != nil {
			return nil, err
		}
		out = append(out, vdomTunnels{vdom: string(env.VDOM), tunnels: tunnels})
	}
	return out, nil
}

func (c *ipsecCollector) Update(ctx context.Context, t *Target, ch chan<- prometheus.Metric) error {
	body, err := t.API.Monitor(ctx, ipsecEndpoint, url.Values{"vdom": {vdomQuery(t)}})
	if err != nil {
		return err
	}

	perVDOM, err := parseIPsec(body)
	if err != nil {
		return err
	}

	out := sink{ch: ch}
	for _, entry := range perVDOM {
		for _, tunnel := range entry.tunnels {
			c.emit(&out, entry.vdom, tunnel)
		}
	}
	return out.err
}

func (c *ipsecCollector) emit(out *sink, vdom string, tunnel ipsecTunnel) {
	name := string(tunnel.Name)
	labels := []string{vdom, name}

	out.add(c.tunnelInfo, 1, vdom, name,
		string(tunnel.Type), string(tunnel.Parent), string(tunnel.RemoteGateway))
	out.number(c.tunnelRxBytes, tunnel.IncomingBytes, labels...)
	out.number(c.tunnelTxBytes, tunnel.OutgoingBytes, labels...)

	anyUp := false
	for _, p2 := range tunnel.Phase2 {
		up := strings.EqualFold(string(p2.Status), "up")
		anyUp = anyUp || up

		p2Labels := []string{vdom, name, string(p2.Name), formatInteger(p2.Serial)}
		out.add(c.phase2Info, 1, append(p2Labels,
			joinSubnets(p2.Source), joinSubnets(p2.Destination))...)
		out.add(c.phase2Up, boolValue(up), p2Labels...)
		out.number(c.phase2RxBytes, p2.IncomingBytes, p2Labels...)
		out.number(c.phase2TxBytes, p2.OutgoingBytes, p2Labels...)
		out.number(c.phase2Expire, p2.Expire, p2Labels...)
	}
	if len(tunnel.Phase2) > 0 {
		out.add(c.tunnelUp, boolValue(anyUp), labels...)
	}
}

// joinSubnets joins the subnets of a phase 2 selector list with commas.
func joinSubnets(selectors []ipsecSelector) string {
	subnets := make([]string, 0, len(selectors))
	for _, s := range selectors {
		subnets = append(subnets, string(s.Subnet))
	}
	return strings.Join(subnets, ",")
}

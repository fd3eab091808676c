package collector

import (
	"context"
	"net/url"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
)

// The system_interface collector reads GET /api/v2/monitor/system/interface
// with include_vlan and include_aggregate, per VDOM. results is an object keyed
// by interface name. A VLAN names its parent in "interface", and the parent can
// sit in another VDOM. Speed is in Mbit/s and is sometimes a float ("1000.0").

const interfaceEndpoint = "system/interface"

// interfaceLabels are the labels of every per-interface metric. parent is the
// VLAN's parent interface, empty for other interfaces.
var interfaceLabels = []string{"vdom", "name", "alias", "parent"}

type interfaceCollector struct {
	info      *metric
	linkUp    *metric
	speed     *metric
	txPackets *metric
	rxPackets *metric
	txBytes   *metric
	rxBytes   *metric
	txErrors  *metric
	rxErrors  *metric
}

func newInterfaceCollector() *interfaceCollector {
	const ep = interfaceEndpoint
	gauge, counter := prometheus.GaugeValue, prometheus.CounterValue
	infoLabels := append(append([]string{}, interfaceLabels...),
		"mac", "ip", "prefix_length", "vlan_id", "duplex")
	return &interfaceCollector{
		info: newMetric(namespace+"_interface_info", gauge, "", ep,
			"Addresses of the interface, always 1. duplex is full, half, or empty when the "+
				"link is down or FortiOS reports no duplex mode.",
			infoLabels...),
		linkUp: newMetric(namespace+"_interface_link_up", gauge, "", ep,
			"Whether the link is up (1) or down (0), regardless of the administrative status.",
			interfaceLabels...),
		speed: newMetric(namespace+"_interface_speed_bps", gauge, "bits per second", ep,
			"Negotiated speed of the interface.",
			interfaceLabels...),
		txPackets: newMetric(namespace+"_interface_transmit_packets_total", counter, "", ep,
			"Packets transmitted on the interface.",
			interfaceLabels...),
		rxPackets: newMetric(namespace+"_interface_receive_packets_total", counter, "", ep,
			"Packets received on the interface.",
			interfaceLabels...),
		txBytes: newMetric(namespace+"_interface_transmit_bytes_total", counter, "bytes", ep,
			"Bytes transmitted on the interface.",
			interfaceLabels...),
		rxBytes: newMetric(namespace+"_interface_receive_bytes_total", counter, "bytes", ep,
			"Bytes received on the interface.",
			interfaceLabels...),
		txErrors: newMetric(namespace+"_interface_transmit_errors_total", counter, "", ep,
			"Transmit errors on the interface.",
			interfaceLabels...),
		rxErrors: newMetric(namespace+"_interface_receive_errors_total", counter, "", ep,
			"Receive errors on the interface.",
			interfaceLabels...),
	}
}

func (c *interfaceCollector) metrics() []*metric {
	return []*metric{
		c.info, c.linkUp, c.speed, c.txPackets, c.rxPackets,
		c.txBytes, c.rxBytes, c.txErrors, c.rxErrors,
	}
}

type interfaceStats struct {
	ID        text   `json:"id"`
	Name      text   `json:"name"`
	Alias     text   `json:"alias"`
	MAC       text   `json:"mac"`
	IP        text   `json:"ip"`
	Mask      number `json:"mask"`
	Link      flag   `json:"link"`
	Speed     number `json:"speed"`
	Duplex    number `json:"duplex"`
	TxPackets number `json:"tx_packets"`
	RxPackets number `json:"rx_packets"`
	TxBytes   number `json:"tx_bytes"`
	RxBytes   number `json:"rx_bytes"`
	TxErrors  number `json:"tx_errors"`
	RxErrors  number `json:"rx_errors"`
	VLANID    number `json:"vlanid"`
	Parent    text   `json:"interface"`
}

// vdomInterfaces are the interfaces of one VDOM.
type vdomInterfaces struct {
	vdom       string
	interfaces []keyed[interfaceStats]
}

func parseInterfaces(body []byte) ([]vdomInterfaces, error) {
	envelopes, err := decodeEnvelopes(interfaceEndpoint, body)
	if err != nil {
		return nil, err
	}

	out := make([]vdomInterfaces, 0, len(envelopes))
	for _, env := range envelopes {
		entries, err := decodeMap[interfaceStats](interfaceEndpoint, env.Results)
		if err != nil {
			return nil, err
		}
		out = append(out, vdomInterfaces{vdom: string(env.VDOM), interfaces: entries})
	}
	return out, nil
}

func (c *interfaceCollector) Update(ctx context.Context, t *Target, ch chan<- prometheus.Metric) error {
	query := url.Values{
		"vdom":              {vdomQuery(t)},
		"include_vlan":      {"true"},
		"include_aggregate": {"true"},
	}
	body, err := t.API.Monitor(ctx, interfaceEndpoint, query)
	if err != nil {
		return err
	}

	perVDOM, err := parseInterfaces(body)
	if err != nil {
		return err
	}

	out := sink{ch: ch}
	for _, entry := range perVDOM {
		for _, iface := range entry.interfaces {
			c.emit(&out, entry.vdom, iface.key, iface.value)
		}
	}
	return out.err
}

func (c *interfaceCollector) emit(out *sink, vdom, key string, s interfaceStats) {
	name := firstNonEmpty(string(s.Name), key, string(s.ID))
	labels := []string{vdom, name, string(s.Alias), string(s.Parent)}

	duplex := duplexName(s.Duplex)
	if s.Link.ok && !s.Link.value {
		// A link that is down has no duplex mode, whatever FortiOS puts there.
		duplex = ""
	}
	out.add(c.info, 1, append(labels,
		string(s.MAC), string(s.IP), formatInteger(s.Mask), formatInteger(s.VLANID), duplex)...)

	if s.Link.ok {
		up := 0.0
		if s.Link.value {
			up = 1
		}
		out.add(c.linkUp, up, labels...)
	}
	out.scaled(c.speed, s.Speed, 1e6, labels...)
	out.number(c.txPackets, s.TxPackets, labels...)
	out.number(c.rxPackets, s.RxPackets, labels...)
	out.number(c.txBytes, s.TxBytes, labels...)
	out.number(c.rxBytes, s.RxBytes, labels...)
	out.number(c.txErrors, s.TxErrors, labels...)
	out.number(c.rxErrors, s.RxErrors, labels...)
}

func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

// formatInteger formats n as a label value: "" when missing, without a
// fraction when it is a whole number.
func formatInteger(n number) string {
	if !n.ok {
		return ""
	}
	return strconv.FormatFloat(n.value, 'f', -1, 64)
}

// duplexName maps FortiOS's duplex field (-1 not applicable, 0 half, 1 full).
func duplexName(n number) string {
	switch {
	case !n.ok:
		return ""
	case n.value == 1:
		return "full"
	case n.value == 0:
		return "half"
	default:
		return ""
	}
}

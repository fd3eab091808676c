package collector

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"slices"
	"strings"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/fortigate-session-exporter/fortigate_session_exporter/fgsession"
)

// The switch_controller collector reads two endpoints per VDOM about the
// FortiSwitches the FortiGate manages over FortiLink:
//
//   - GET /api/v2/monitor/switch-controller/managed-switch/status: one object
//     per switch with serial, state, status ("Connected", ...), os_version,
//     max_poe_budget and a ports array. FortiOS 7.2 and later name the switch
//     in switch-id, FortiOS 7.0 in name. A port that is down has no duplex and
//     no speed. Ports carry their peer fields twice, in underscore and in
//     hyphen spelling (fortilink_port and fortilink-port). Up to FortiOS 7.0
//     the switch object also holds the port counters in port_stats.
//   - GET /api/v2/monitor/switch-controller/managed-switch/port-stats: an
//     array of {serial, ports}, where ports maps a port name to 22 hyphenated
//     counters. The counters of this endpoint take precedence over port_stats,
//     and a 404 or 424 from it (FortiOS 7.0) leaves only port_stats.
//
// join_time is not exported: it is a ctime string ending in "\n" in the
// FortiGate's local time zone, which the reply does not state.

const (
	managedSwitchEndpoint = "switch-controller/managed-switch/status"
	switchPortEndpoint    = "switch-controller/managed-switch/port-stats"
)

var (
	switchLabels     = []string{"vdom", "switch"}
	switchPortLabels = []string{"vdom", "switch", "port"}
)

// switchCounter is one of the port counters, by its FortiOS key.
type switchCounter struct {
	key    string
	name   string
	unit   string
	help   string
	metric *metric
}

// switchCounters lists the 22 counters of a port. The metric names are those
// of the prometheus-community fortigate_exporter.
var switchCounters = []switchCounter{
	{key: "tx-bytes", name: "tx_bytes_total", unit: "bytes", help: "Bytes the port transmitted."},
	{key: "tx-packets", name: "tx_packets_total", help: "Packets the port transmitted."},
	{key: "tx-ucast", name: "tx_ucast_packets_total", help: "Unicast packets the port transmitted."},
	{key: "tx-mcast", name: "tx_mcast_packets_total", help: "Multicast packets the port transmitted."},
	{key: "tx-bcast", name: "tx_bcast_packets_total", help: "Broadcast packets the port transmitted."},
	{key: "tx-errors", name: "tx_errors_total", help: "Transmit errors of the port."},
	{key: "tx-drops", name: "tx_drops_total", help: "Packets the port dropped instead of transmitting."},
	{key: "tx-oversize", name: "tx_oversize_total", help: "Oversize packets the port transmitted."},
	{key: "rx-bytes", name: "rx_bytes_total", unit: "bytes", help: "Bytes the port received."},
	{key: "rx-packets", name: "rx_packets_total", help: "Packets the port received."},
	{key: "rx-ucast", name: "rx_ucast_packets_total", help: "Unicast packets the port received."},
	{key: "rx-mcast", name: "rx_mcast_packets_total", help: "Multicast packets the port received."},
	{key: "rx-bcast", name: "rx_bcast_packets_total", help: "Broadcast packets the port received."},
	{key: "rx-errors", name: "rx_errors_total", help: "Receive errors of the port."},
	{key: "rx-drops", name: "rx_drops_total", help: "Received packets the port dropped."},
	{key: "rx-oversize", name: "rx_oversize_total", help: "Oversize packets the port received."},
	{key: "undersize", name: "under_size_total", help: "Undersize packets the port received."},
	{key: "fragments", name: "fragments_total", help: "Fragments (short frames with a bad FCS) the port received."},
	{key: "jabbers", name: "jabbers_total", help: "Jabbers (long frames with a bad FCS) the port received."},
	{key: "collisions", name: "collisions_total", help: "Collisions on the port."},
	{key: "crc-alignments", name: "crc_alignments_total", help: "Frames with a CRC or alignment error the port received."},
	{key: "l3packets", name: "l3_packets_total", help: "Layer 3 packets of the port, as FortiOS counts them."},
}

type switchCollector struct {
	info       *metric
	statusInfo *metric
	up         *metric
	poeBudget  *metric
	portStatus *metric
	portSpeed  *metric
	counters   []switchCounter
}

func newSwitchCollector() *switchCollector {
	const ep, portEp = managedSwitchEndpoint, switchPortEndpoint
	gauge := prometheus.GaugeValue
	c := &switchCollector{
		info: newMetric(namespace+"_managed_switch_info", gauge, "", ep,
			"Managed FortiSwitch with its serial number, firmware and the FortiLink interface "+
				"it connects through, always 1.",
			"vdom", "switch", "serial", "os_version", "fortilink"),
		statusInfo: newMetric(namespace+"_managed_switch_status_info", gauge, "", ep,
			"State (Authorized, ...) and status (Connected, ...) of the managed FortiSwitch as "+
				"FortiOS names them, always 1.",
			"vdom", "switch", "state", "status"),
		up: newMetric(namespace+"_managed_switch_up", gauge, "", ep,
			"Whether the managed FortiSwitch is connected to the FortiGate (1) or not (0).",
			switchLabels...),
		poeBudget: newMetric(namespace+"_managed_switch_max_poe_budget_watts", gauge, "watts", ep,
			"Power over Ethernet budget of the FortiSwitch. Switches without PoE report 0.",
			switchLabels...),
		portStatus: newMetric(namespace+"_managed_switch_port_status", gauge, "", ep,
			"Whether the switch port is up (1) or down (0).",
			switchPortLabels...),
		portSpeed: newMetric(namespace+"_managed_switch_port_speed_bps", gauge, "bits per second", ep,
			"Negotiated speed of the switch port. A port that is down sends no sample.",
			switchPortLabels...),
	}
	for _, counter := range switchCounters {
		counter.metric = newMetric(namespace+"_managed_switch_"+counter.name,
			prometheus.CounterValue, counter.unit, portEp,
			counter.help+" Read from port-stats, or from port_stats of the switch status "+
				"when port-stats is unsupported.",
			switchPortLabels...)
		c.counters = append(c.counters, counter)
	}
	return c
}

func (c *switchCollector) metrics() []*metric {
	out := []*metric{c.info, c.statusInfo, c.up, c.poeBudget, c.portStatus, c.portSpeed}
	for _, counter := range c.counters {
		out = append(out, counter.metric)
	}
	return out
}

type switchPort struct {
	Interface text   `json:"interface"`
	Status    text   `json:"status"`
	Speed     number `json:"speed"`
}

// switchPortCounters maps a FortiOS counter key, such as "tx-bytes", to its
// value.
type switchPortCounters map[string]number

type managedSwitch struct {
	SwitchID  text                          `json:"switch-id"`
	Name      text                          `json:"name"`
	Serial    text                          `json:"serial"`
	FortiLink text                          `json:"fgt_peer_intf_name"`
	State     text                          `json:"state"`
	Status    text                          `json:"status"`
	OSVersion text                          `json:"os_version"`
	PoEBudget number                        `json:"max_poe_budget"`
	Ports     list[switchPort]              `json:"ports"`
	PortStats nestedMap[switchPortCounters] `json:"port_stats"`
}

// id returns the switch name: switch-id from FortiOS 7.2 on, name before.
func (s managedSwitch) id() string {
	if s.SwitchID != "" {
		return string(s.SwitchID)
	}
	return string(s.Name)
}

// switchKey identifies a switch by VDOM and serial number, the only name that
// port-stats gives it.
type switchKey struct {
	vdom   string
	serial string
}

type switchPortStats struct {
	Serial text                          `json:"serial"`
	Ports  nestedMap[switchPortCounters] `json:"ports"`
}

func parseManagedSwitches(body []byte) ([]vdomResult[[]managedSwitch], error) {
	return parsePerVDOMList[managedSwitch](managedSwitchEndpoint, body)
}

func parseSwitchPortStats(body []byte) ([]vdomResult[[]switchPortStats], error) {
	return parsePerVDOMList[switchPortStats](switchPortEndpoint, body)
}

func (c *switchCollector) Update(ctx context.Context, t *Target, ch chan<- prometheus.Metric) error {
	query := url.Values{"vdom": {vdomQuery(t)}}
	body, err := t.API.Monitor(ctx, managedSwitchEndpoint, query)
	if err != nil {
		return err
	}
	switches, err := parseManagedSwitches(body)
	if err != nil {
		return err
	}

	var portStats []vdomResult[[]switchPortStats]
	body, err = t.API.Monitor(ctx, switchPortEndpoint, query)
	switch {
	case err != nil && !fgsession.IsUnsupported(err):
		return err
	case err == nil:
		if portStats, err = parseSwitchPortStats(body); err != nil {
			return err
		}
	}

	out := sink{ch: ch}
	names := map[switchKey]string{}
	for _, entry := range switches {
		for _, s := range entry.result {
			c.emitSwitch(&out, entry.vdom, s)
			names[switchKey{vdom: entry.vdom, serial: string(s.Serial)}] = s.id()
		}
	}

	// counted holds the switches whose counters came from port-stats, so
	// that their port_stats copy is not sent a second time.
	counted := map[switchKey]bool{}
	for _, entry := range portStats {
		for _, stats := range entry.result {
			key := switchKey{vdom: entry.vdom, serial: string(stats.Serial)}
			name, ok := names[key]
			if !ok {
				name = string(stats.Serial)
			}
			counted[key] = true
			c.emitCounters(&out, entry.vdom, name, stats.Ports)
		}
	}
	for _, entry := range switches {
		for _, s := range entry.result {
			if !counted[switchKey{vdom: entry.vdom, serial: string(s.Serial)}] {
				c.emitCounters(&out, entry.vdom, s.id(), s.PortStats)
			}
		}
	}
	return out.err
}

func (c *switchCollector) emitSwitch(out *sink, vdom string, s managedSwitch) {
	name := s.id()
	labels := []string{vdom, name}

	out.add(c.info, 1, vdom, name, string(s.Serial), string(s.OSVersion), string(s.FortiLink))
	if s.State != "" || s.Status != "" {
		out.add(c.statusInfo, 1, vdom, name, string(s.State), string(s.Status))
	}
	if s.Status != "" {
		out.add(c.up, boolValue(strings.EqualFold(string(s.Status), "connected")), labels...)
	}
	out.number(c.poeBudget, s.PoEBudget, labels...)

	for _, port := range s.Ports {
		portLabels := append(slices.Clone(labels), string(port.Interface))
		switch strings.ToLower(string(port.Status)) {
		case "up":
			out.add(c.portStatus, 1, portLabels...)
		case "down":
			out.add(c.portStatus, 0, portLabels...)
		}
		out.scaled(c.portSpeed, port.Speed, 1e6, portLabels...)
	}
}

func (c *switchCollector) emitCounters(out *sink, vdom, name string, ports nestedMap[switchPortCounters]) {
	for _, port := range ports {
		labels := []string{vdom, name, port.key}
		for _, counter := range c.counters {
			out.number(counter.metric, port.value[counter.key], labels...)
		}
	}
}

// UnmarshalJSON decodes the counters of one port, so that a type error names
// the counter key, which encoding/json leaves out for map values.
func (p *switchPortCounters) UnmarshalJSON(raw []byte) error {
	var values map[string]json.RawMessage
	if err := json.Unmarshal(raw, &values); err != nil {
		return err
	}

	counters := make(switchPortCounters, len(values))
	for key, value := range values {
		var n number
		if err := json.Unmarshal(value, &n); err != nil {
			var typeErr *json.UnmarshalTypeError
			if errors.As(err, &typeErr) {
				typeErr.Field = joinPath(key, typeErr.Field)
			}
			return err
		}
		counters[key] = n
	}
	*p = counters
	return nil
}

package collector

import (
	"slices"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
)

// This file holds what the virtual_wan_health_check and system_link_monitor
// collectors share. Both endpoints send results as a two-level object: the
// health check or link monitor name, then the member interface, then the
// member's probe statistics. FortiOS reports latency and jitter in
// milliseconds and packet loss in percent. A member whose status is disable,
// error or unknown has only the status field.

// healthMember is the probe statistics of one member interface.
type healthMember struct {
	Status         text   `json:"status"`
	Latency        number `json:"latency"`
	Jitter         number `json:"jitter"`
	PacketLoss     number `json:"packet_loss"`
	PacketSent     number `json:"packet_sent"`
	PacketReceived number `json:"packet_received"`
	Sessions       number `json:"session"`
	TxBandwidth    number `json:"tx_bandwidth"`
	RxBandwidth    number `json:"rx_bandwidth"`
	StateChanged   number `json:"state_changed"`
	// SLATargetsMet lists the ids of the SLA targets the member meets. It is
	// nil when the field is missing, and empty when no target is met.
	SLATargetsMet *list[number] `json:"sla_targets_met"`
	// Children are the member's child interfaces, such as the ADVPN shortcuts
	// of an overlay tunnel, with the same statistics.
	Children nestedMap[healthMember] `json:"child_intfs"`
}

// healthGroup is one health check or link monitor with its members.
type healthGroup struct {
	vdom    string
	name    string
	members []keyed[healthMember]
}

// parseHealthGroups decodes a virtual-wan/health-check or system/link-monitor
// reply into its groups, sorted by name within each VDOM.
func parseHealthGroups(endpoint string, body []byte) ([]healthGroup, error) {
	envelopes, err := decodeEnvelopes(endpoint, body)
	if err != nil {
		return nil, err
	}

	var groups []healthGroup
	for _, env := range envelopes {
		entries, err := decodeMap[nestedMap[healthMember]](endpoint, env.Results)
		if err != nil {
			return nil, err
		}
		for _, entry := range entries {
			groups = append(groups, healthGroup{
				vdom:    string(env.VDOM),
				name:    entry.key,
				members: entry.value,
			})
		}
	}
	return groups, nil
}

// healthMetrics are the per-member metrics of one of the two collectors. Each
// one has the labels vdom, group and member, named by the collector, and
// optionally parent, in that order. The status state set adds the label state.
type healthMetrics struct {
	up            *metric
	status        *metric
	latency       *metric
	jitter        *metric
	packetLoss    *metric
	packetsSent   *metric
	packetsRecv   *metric
	sessions      *metric
	txBandwidth   *metric
	rxBandwidth   *metric
	stateChanged  *metric
	slaTargetsMet *metric
	knownStates   []string
	// withParent is whether the metrics have the parent label. Without it,
	// child interfaces are not sent.
	withParent bool
}

func (h *healthMetrics) list() []*metric {
	metrics := []*metric{
		h.up, h.status, h.latency, h.jitter, h.packetLoss, h.packetsSent, h.packetsRecv,
		h.sessions, h.txBandwidth, h.rxBandwidth, h.stateChanged,
	}
	if h.slaTargetsMet != nil {
		metrics = append(metrics, h.slaTargetsMet)
	}
	return metrics
}

// emitGroup sends the metrics of every member of group, and of the members'
// child interfaces when the metrics have a parent label.
func (h *healthMetrics) emitGroup(out *sink, group healthGroup) {
	for _, member := range group.members {
		labels := []string{group.vdom, group.name, member.key}
		if !h.withParent {
			h.emitMember(out, labels, member.value)
			continue
		}
		h.emitMember(out, append(labels, ""), member.value)
		for _, child := range member.value.Children {
			h.emitMember(out, []string{group.vdom, group.name, child.key, member.key}, child.value)
		}
	}
}

func (h *healthMetrics) emitMember(out *sink, labels []string, m healthMember) {
	status := strings.ToLower(string(m.Status))
	if status != "" {
		out.add(h.up, boolValue(status == "up"), labels...)
		emitStates(out, h.status, status, h.knownStates, labels...)
	}

	// FortiOS reports latency and jitter 0 for a member that is down, which
	// would read as a perfect link.
	if status == "up" {
		addDivided(out, h.latency, m.Latency, 1000, labels...)
		addDivided(out, h.jitter, m.Jitter, 1000, labels...)
	}
	out.percent(h.packetLoss, m.PacketLoss, labels...)
	out.number(h.packetsSent, m.PacketSent, labels...)
	out.number(h.packetsRecv, m.PacketReceived, labels...)
	out.number(h.sessions, m.Sessions, labels...)
	// NOTE: FortiOS documents no unit for tx_bandwidth and rx_bandwidth. They
	// are read as bit/s and divided by 8, as the public fortigate_exporter does.
	addDivided(out, h.txBandwidth, m.TxBandwidth, 8, labels...)
	addDivided(out, h.rxBandwidth, m.RxBandwidth, 8, labels...)
	out.number(h.stateChanged, m.StateChanged, labels...)
	if h.slaTargetsMet != nil && m.SLATargetsMet != nil {
		out.add(h.slaTargetsMet, float64(len(*m.SLATargetsMet)), labels...)
	}
}

// addDivided sends n divided by divisor, and nothing when FortiOS left the
// field out. Dividing rounds once, where multiplying by the inexact 1e-3 rounds
// twice, so a value such as 4.5 ms comes out as 0.0045 s.
func addDivided(out *sink, m *metric, n number, divisor float64, labels ...string) {
	if n.ok {
		out.add(m, n.value/divisor, labels...)
	}
}

// emitStates sends a state set: 1 for the current state and 0 for every other
// known state. A current state that is not known is added to the set.
func emitStates(out *sink, m *metric, current string, known []string, labels ...string) {
	states := known
	if !slices.Contains(states, current) {
		states = append(slices.Clone(states), current)
	}
	for _, state := range states {
		out.add(m, boolValue(state == current), append(slices.Clone(labels), state)...)
	}
}

// newHealthMetrics builds the metric set. prefix is the metric name prefix,
// noun names one member in help texts ("SD-WAN member"), and labels are the
// label names: vdom, group and member, then optionally parent.
func newHealthMetrics(
	prefix, endpoint, noun string, knownStates []string, withSLA bool, labels ...string,
) *healthMetrics {
	gauge, counter := prometheus.GaugeValue, prometheus.CounterValue
	withState := append(slices.Clone(labels), "state")
	h := &healthMetrics{
		up: newMetric(prefix+"_up", gauge, "", endpoint,
			"Whether the "+noun+" passes its probes (1) or not (0). A disabled member is 0.",
			labels...),
		status: newMetric(prefix+"_status", gauge, "", endpoint,
			"Status of the "+noun+": 1 for the state FortiOS reports, 0 for the other known states ("+
				strings.Join(knownStates, ", ")+").",
			withState...),
		latency: newMetric(prefix+"_latency_seconds", gauge, "seconds", endpoint,
			"Mean round-trip time of the recent probes of the "+noun+
				". Only a "+noun+" that is up has a sample.",
			labels...),
		jitter: newMetric(prefix+"_latency_jitter_seconds", gauge, "seconds", endpoint,
			"Mean variation of the round-trip time of the recent probes of the "+noun+
				". Only a "+noun+" that is up has a sample.",
			labels...),
		packetLoss: newMetric(prefix+"_packet_loss_ratio", gauge, "ratio", endpoint,
			"Share of the recent probes of the "+noun+" that got no reply, from 0 to 1.",
			labels...),
		packetsSent: newMetric(prefix+"_packet_sent_total", counter, "", endpoint,
			"Probe packets sent on the "+noun+".",
			labels...),
		packetsRecv: newMetric(prefix+"_packet_received_total", counter, "", endpoint,
			"Probe replies received on the "+noun+".",
			labels...),
		sessions: newMetric(prefix+"_active_sessions", gauge, "", endpoint,
			"Sessions currently using the "+noun+".",
			labels...),
		txBandwidth: newMetric(prefix+"_bandwidth_tx_byte_per_second", gauge, "bytes per second", endpoint,
			"Current transmit throughput of the "+noun+".",
			labels...),
		rxBandwidth: newMetric(prefix+"_bandwidth_rx_byte_per_second", gauge, "bytes per second", endpoint,
			"Current receive throughput of the "+noun+".",
			labels...),
		stateChanged: newMetric(prefix+"_status_change_time_seconds", gauge, "seconds", endpoint,
			"Unix time of the last status change of the "+noun+".",
			labels...),
		knownStates: knownStates,
		withParent:  len(labels) == 4,
	}
	if withSLA {
		h.slaTargetsMet = newMetric(prefix+"_sla_targets_met", gauge, "", endpoint,
			"Number of the health check's SLA targets that the "+noun+" meets.",
			labels...)
	}
	return h
}

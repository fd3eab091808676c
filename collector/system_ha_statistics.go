package collector

import (
	"context"

	"github.com/prometheus/client_golang/prometheus"
)

// The system_ha_statistics collector reads GET
// /api/v2/monitor/system/ha-statistics: one envelope whose results list the
// cluster members. cpu_usage and mem_usage are percent. net_usage is a
// throughput, not a percent (see networkUsage). FortiOS 7.0 and later add
// uptime and per_vdom_stats, and 7.4 adds sessions6.

const haStatisticsEndpoint = "system/ha-statistics"

// haMemberLabels identify a cluster member.
var haMemberLabels = []string{"hostname", "serial"}

type haStatisticsCollector struct {
	sessions     *metric
	packets      *metric
	bytes        *metric
	virusEvents  *metric
	ipsEvents    *metric
	cpu          *metric
	memory       *metric
	networkUsage *metric
	uptime       *metric
	vdomCPU      *metric
	vdomMemory   *metric
	vdomSessions *metric
}

func newHAStatisticsCollector() *haStatisticsCollector {
	const ep = haStatisticsEndpoint
	gauge, counter := prometheus.GaugeValue, prometheus.CounterValue
	memberAnd := func(extra ...string) []string {
		return append(append([]string{}, haMemberLabels...), extra...)
	}
	return &haStatisticsCollector{
		sessions: newMetric(namespace+"_ha_member_sessions", gauge, "", ep,
			"Sessions handled by the cluster member, per IP version.",
			memberAnd("protocol")...),
		packets: newMetric(namespace+"_ha_member_packets_total", counter, "", ep,
			"Packets processed by the cluster member.",
			haMemberLabels...),
		bytes: newMetric(namespace+"_ha_member_bytes_total", counter, "bytes", ep,
			"Bytes processed by the cluster member.",
			haMemberLabels...),
		virusEvents: newMetric(namespace+"_ha_member_virus_events_total", counter, "", ep,
			"Viruses detected by the cluster member.",
			haMemberLabels...),
		ipsEvents: newMetric(namespace+"_ha_member_ips_events_total", counter, "", ep,
			"Attacks reported by the IPS of the cluster member.",
			haMemberLabels...),
		cpu: newMetric(namespace+"_ha_member_cpu_usage_ratio", gauge, "ratio", ep,
			"CPU usage of the cluster member, from 0 to 1.",
			haMemberLabels...),
		memory: newMetric(namespace+"_ha_member_memory_usage_ratio", gauge, "ratio", ep,
			"Memory usage of the cluster member, from 0 to 1.",
			haMemberLabels...),
		networkUsage: newMetric(namespace+"_ha_member_network_usage_bps", gauge, "bits per second", ep,
			"Network throughput of the cluster member, from FortiOS net_usage read as kbit/s.",
			haMemberLabels...),
		uptime: newMetric(namespace+"_ha_member_uptime_seconds", gauge, "seconds", ep,
			"Time since the cluster member started.",
			haMemberLabels...),
		vdomCPU: newMetric(namespace+"_ha_member_vdom_cpu_usage_ratio", gauge, "ratio", ep,
			"CPU usage of the VDOM on the cluster member, from 0 to 1.",
			memberAnd("vdom")...),
		vdomMemory: newMetric(namespace+"_ha_member_vdom_memory_usage_ratio", gauge, "ratio", ep,
			"Memory usage of the VDOM on the cluster member, from 0 to 1.",
			memberAnd("vdom")...),
		vdomSessions: newMetric(namespace+"_ha_member_vdom_sessions", gauge, "", ep,
			"Sessions of the VDOM on the cluster member, per IP version.",
			memberAnd("vdom", "protocol")...),
	}
}

func (c *haStatisticsCollector) metrics() []*metric {
	return []*metric{
		c.sessions, c.packets, c.bytes, c.virusEvents, c.ipsEvents, c.cpu, c.memory,
		c.networkUsage, c.uptime, c.vdomCPU, c.vdomMemory, c.vdomSessions,
	}
}

type haVDOMStats struct {
	VDOM      text   `json:"vdom"`
	CPUUsage  number `json:"cpu_usage"`
	MemUsage  number `json:"mem_usage"`
	Sessions  number `json:"sessions"`
	Sessions6 number `json:"sessions6"`
}

type haMember struct {
	Hostname  text   `json:"hostname"`
	Serial    text   `json:"serial_no"`
	Sessions  number `json:"sessions"`
	Sessions6 number `json:"sessions6"`
	Packets   number `json:"tpacket"`
	Bytes     number `json:"tbyte"`
	// VirusEvents and IPSEvents are named *_usage by FortiOS but are read as
	// event counters, as the public fortigate_exporter reads them.
	VirusEvents  number            `json:"vir_usage"`
	IPSEvents    number            `json:"intr_usage"`
	NetUsage     number            `json:"net_usage"`
	CPUUsage     number            `json:"cpu_usage"`
	MemUsage     number            `json:"mem_usage"`
	Uptime       number            `json:"uptime"`
	PerVDOMStats list[haVDOMStats] `json:"per_vdom_stats"`
}

// parseHAStatistics decodes a system/ha-statistics reply. The endpoint is
// global, so a device that sends one envelope per VDOM repeats the same members,
// and only the first envelope is used.
func parseHAStatistics(body []byte) ([]haMember, error) {
	envelopes, err := decodeEnvelopes(haStatisticsEndpoint, body)
	if err != nil {
		return nil, err
	}
	if len(envelopes) == 0 {
		return nil, nil
	}
	return decodeList[haMember](haStatisticsEndpoint, envelopes[0].Results)
}

func (c *haStatisticsCollector) Update(ctx context.Context, t *Target, ch chan<- prometheus.Metric) error {
	body, err := t.API.Monitor(ctx, haStatisticsEndpoint, nil)
	if err != nil {
		return err
	}

	members, err := parseHAStatistics(body)
	if err != nil {
		return err
	}

	out := sink{ch: ch}
	for _, m := range members {
		c.emit(&out, m)
	}
	return out.err
}

func (c *haStatisticsCollector) emit(out *sink, m haMember) {
	member := []string{string(m.Hostname), string(m.Serial)}
	with := func(extra ...string) []string {
		return append(append([]string{}, member...), extra...)
	}

	out.number(c.sessions, m.Sessions, with("ipv4")...)
	out.number(c.sessions, m.Sessions6, with("ipv6")...)
	out.number(c.packets, m.Packets, member...)
	out.number(c.bytes, m.Bytes, member...)
	out.number(c.virusEvents, m.VirusEvents, member...)
	out.number(c.ipsEvents, m.IPSEvents, member...)
	out.percent(c.cpu, m.CPUUsage, member...)
	out.percent(c.memory, m.MemUsage, member...)
	// NOTE: net_usage looks like fgHaStatsNetUsage of FORTINET-FORTIGATE-MIB,
	// which Zabbix's FortiGate SNMP template reads as kbit/s (it multiplies by
	// 1024). Fortinet's API schema gives no unit, so both kbit/s and the factor
	// 1000 used here are unconfirmed.
	out.scaled(c.networkUsage, m.NetUsage, 1000, member...)
	out.number(c.uptime, m.Uptime, member...)

	for _, v := range m.PerVDOMStats {
		vdom := string(v.VDOM)
		out.percent(c.vdomCPU, v.CPUUsage, with(vdom)...)
		out.percent(c.vdomMemory, v.MemUsage, with(vdom)...)
		out.number(c.vdomSessions, v.Sessions, with(vdom, "ipv4")...)
		out.number(c.vdomSessions, v.Sessions6, with(vdom, "ipv6")...)
	}
}

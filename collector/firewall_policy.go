package collector

import (
	"context"
	"net/url"

	"github.com/prometheus/client_golang/prometheus"
)

// The firewall_policy collector reads GET /api/v2/monitor/firewall/policy per
// VDOM, once with ip_version=ipv4 and once with ip_version=ipv6, because one
// consolidated policy of FortiOS 6.4 and later keeps separate counters per IP
// version. It reads the list page by page with start and count, and requests
// only the fields it uses with format. results lists one entry per policy id.
// Policy 0 is the implicit deny and has only active_sessions, bytes and
// packets, and a policy that never matched has no hit_count or last_used.
// Releases before 6.4 keep IPv6 policies in firewall/policy6, which this
// collector does not read.
//
// TODO: Policy names need GET /api/v2/cmdb/firewall/policy, which the API
// interface cannot fetch yet, so the name join by policy id and a per-target
// policy filter are left out.

const (
	firewallPolicyEndpoint = "firewall/policy"
	// firewallPolicyPageSize is the number of policies requested at once with
	// start and count.
	//
	// NOTE: FortiOS documents no maximum count for firewall/policy. 1000 is
	// the maximum for firewall/internet-service-details in the FortiOS API
	// reference, as quoted in a prometheus-community/fortigate_exporter issue.
	// A device that cut pages shorter would look like it had no more policies.
	firewallPolicyPageSize = 1000
	// firewallPolicyMaxPages bounds one scrape to 100 requests (100,000
	// policies per VDOM) per IP version.
	firewallPolicyMaxPages = 100
	// firewallPolicyFormat names the fields the collector reads, so the device
	// leaves out the others (uuid, first_used, the software, ASIC and nTurbo
	// counters). A device that does not know one of the fields sends every
	// field, and releases before 6.4.2 ignore format.
	firewallPolicyFormat = "policyid|active_sessions|bytes|packets|hit_count|last_used"
)

// firewallPolicyLabels identify the counters of one policy and IP version.
var firewallPolicyLabels = []string{"vdom", "id", "protocol"}

type firewallPolicyCollector struct {
	activeSessions *metric
	bytes          *metric
	packets        *metric
	hitCount       *metric
	lastUsed       *metric
}

func newFirewallPolicyCollector() *firewallPolicyCollector {
	const ep = firewallPolicyEndpoint
	gauge, counter := prometheus.GaugeValue, prometheus.CounterValue
	return &firewallPolicyCollector{
		activeSessions: newMetric(namespace+"_policy_active_sessions", gauge, "", ep,
			"Sessions currently open through the firewall policy. id 0 is the implicit deny. "+
				"Every policy has one series per IP version, so large rule bases give many series.",
			firewallPolicyLabels...),
		bytes: newMetric(namespace+"_policy_bytes_total", counter, "bytes", ep,
			"Bytes that passed the firewall policy, offloaded traffic included.",
			firewallPolicyLabels...),
		packets: newMetric(namespace+"_policy_packets_total", counter, "", ep,
			"Packets that passed the firewall policy, offloaded traffic included.",
			firewallPolicyLabels...),
		hitCount: newMetric(namespace+"_policy_hit_count_total", counter, "", ep,
			"Times the firewall policy matched a new session. A policy that never matched has no sample.",
			firewallPolicyLabels...),
		lastUsed: newMetric(namespace+"_policy_last_used_timestamp_seconds", gauge, "seconds", ep,
			"Unix time the firewall policy last matched. A policy that never matched has no sample.",
			firewallPolicyLabels...),
	}
}

func (c *firewallPolicyCollector) metrics() []*metric {
	return []*metric{c.activeSessions, c.bytes, c.packets, c.hitCount, c.lastUsed}
}

type firewallPolicyStats struct {
	PolicyID       number `json:"policyid"`
	ActiveSessions number `json:"active_sessions"`
	Bytes          number `json:"bytes"`
	Packets        number `json:"packets"`
	HitCount       number `json:"hit_count"`
	LastUsed       number `json:"last_used"`
}

func (c *firewallPolicyCollector) Update(ctx context.Context, t *Target, ch chan<- prometheus.Metric) error {
	out := sink{ch: ch}
	for _, protocol := range []string{"ipv4", "ipv6"} {
		query := url.Values{"ip_version": {protocol}, "format": {firewallPolicyFormat}}
		visit := func(vdom string, policies []firewallPolicyStats) {
			for _, policy := range policies {
				c.emit(&out, vdom, protocol, policy)
			}
		}
		err := readVDOMPagesQuery(ctx, t, firewallPolicyEndpoint, query,
			firewallPolicyPageSize, firewallPolicyMaxPages, visit)
		if err != nil {
			return err
		}
	}
	return out.err
}

// emit sends the counters of one policy. An entry without a policyid is
// skipped, because its series would collide with other such entries.
func (c *firewallPolicyCollector) emit(out *sink, vdom, protocol string, p firewallPolicyStats) {
	if !p.PolicyID.ok {
		return
	}
	labels := []string{vdom, formatInteger(p.PolicyID), protocol}

	out.number(c.activeSessions, p.ActiveSessions, labels...)
	out.number(c.bytes, p.Bytes, labels...)
	out.number(c.packets, p.Packets, labels...)
	out.number(c.hitCount, p.HitCount, labels...)
	// A last_used of 0 is taken as never matched.
	if p.LastUsed.ok && p.LastUsed.value > 0 {
		out.add(c.lastUsed, p.LastUsed.value, labels...)
	}
}

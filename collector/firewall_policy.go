package collector

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/fortigate-session-exporter/fortigate_session_exporter/fgsession"
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
// The names come from the CMDB (firewall_policy_config.go) and go into
// fortigate_policy_info, not into labels of the counters, so renaming a
// policy does not start new counter series. A target's PolicyFilter limits
// both. When it lists a few IDs and no names, the collector requests each ID
// with policyid in place of reading every policy.

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
	// firewallPolicyMaxIDRequests is the largest number of policy IDs that
	// the collector requests one by one with policyid, two requests per ID
	// (IPv4 and IPv6). A filter with more IDs reads every policy and selects
	// them here.
	//
	// NOTE: 5 is a judgment, not a measured crossover. FortiOS also takes an
	// array in policyid, but how one is written in a query string is not
	// documented, so each request names one ID.
	firewallPolicyMaxIDRequests = 5
)

// firewallPolicyProtocols are the ip_version values read, and the values of
// the protocol label.
var firewallPolicyProtocols = []string{"ipv4", "ipv6"}

// firewallPolicyLabels identify the counters of one policy and IP version.
var firewallPolicyLabels = []string{"vdom", "id", "protocol"}

type firewallPolicyCollector struct {
	info           *metric
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
		info: newMetric(namespace+"_policy_info", gauge, "", firewallPolicyConfigEndpoint,
			"Name and UUID of a configured firewall policy, value 1. Join it on vdom and id, "+
				"as in fortigate_policy_bytes_total * on(vdom, id) group_left(name) fortigate_policy_info. "+
				"An unnamed policy has name \"\". Policy 0, the implicit deny, is not configured and "+
				"has no series. No policy has one when the admin lacks read permission for the "+
				"firewall policy configuration. A target's policy_filter limits these and the other "+
				"policy series to the selected policies.",
			"vdom", "id", "name", "uuid"),
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
	return []*metric{c.info, c.activeSessions, c.bytes, c.packets, c.hitCount, c.lastUsed}
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
	ids := t.Policies.listedIDs(firewallPolicyMaxIDRequests)
	configs := readPolicyConfigs(ctx, t, ids)
	selected := policySelector(t, configs)

	if configs != nil {
		for _, p := range configs.list {
			if selected(p.vdom, p.policyID) {
				out.add(c.info, 1, p.vdom, p.id, p.name, p.uuid)
			}
		}
	}

	var err error
	if ids != nil {
		err = c.readByID(ctx, t, ids, &out)
	} else {
		err = c.readAll(ctx, t, selected, &out)
	}
	if err != nil {
		return err
	}
	return out.err
}

// readAll reads the statistics of every policy, page by page, and sends those
// of the selected ones.
func (c *firewallPolicyCollector) readAll(
	ctx context.Context, t *Target, selected func(vdom string, id number) bool, out *sink,
) error {
	for _, protocol := range firewallPolicyProtocols {
		query := url.Values{"ip_version": {protocol}, "format": {firewallPolicyFormat}}
		visit := func(vdom string, policies []firewallPolicyStats) {
			for _, policy := range policies {
				if selected(vdom, policy.PolicyID) {
					c.emit(out, vdom, protocol, policy)
				}
			}
		}
		err := readVDOMPagesQuery(ctx, t, firewallPolicyEndpoint, query,
			firewallPolicyPageSize, firewallPolicyMaxPages, visit)
		if err != nil {
			return err
		}
	}
	return nil
}

// readByID requests the statistics of each of ids with policyid, and sends
// only the entries of the requested ID, in case the device ignores policyid.
// A 404 for one ID skips it. When every ID of an IP version gets one, the
// endpoint counts as unsupported.
func (c *firewallPolicyCollector) readByID(ctx context.Context, t *Target, ids []int64, out *sink) error {
	for _, protocol := range firewallPolicyProtocols {
		var unsupported error
		missing := 0
		for _, id := range ids {
			query := url.Values{
				"vdom":       {vdomQuery(t)},
				"ip_version": {protocol},
				"format":     {firewallPolicyFormat},
				"policyid":   {strconv.FormatInt(id, 10)},
			}
			body, err := t.API.Monitor(ctx, firewallPolicyEndpoint, query)
			if fgsession.IsUnsupported(err) {
				unsupported = err
				missing++
				continue
			}
			if err != nil {
				return err
			}
			perVDOM, err := parseSelectedPolicies(body)
			if err != nil {
				return err
			}

			for _, entry := range perVDOM {
				for _, policy := range entry.entries {
					if policy.PolicyID.ok && policy.PolicyID.value == float64(id) {
						c.emit(out, entry.vdom, protocol, policy)
					}
				}
			}
		}
		if missing == len(ids) {
			return unsupported
		}
	}
	return nil
}

// parseSelectedPolicies decodes the reply to a policyid request. An error
// envelope with http_status 404 in a vdom=* reply is taken as a VDOM without
// that policy and skipped. Any other error envelope fails, as in other replies.
//
// NOTE: how FortiOS responds to a policyid that one VDOM lacks was not checked on a
// device, so the 404 envelope is a guess at the error case.
func parseSelectedPolicies(body []byte) ([]vdomEntries[firewallPolicyStats], error) {
	const endpoint = firewallPolicyEndpoint
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || trimmed[0] != '[' {
		return parseVDOMLists[firewallPolicyStats](endpoint, body)
	}
	var raw []json.RawMessage
	if err := json.Unmarshal(trimmed, &raw); err != nil {
		return nil, newDecodeError(endpoint, "", err)
	}

	found := raw[:0]
	for _, env := range raw {
		var head struct {
			Status     text   `json:"status"`
			HTTPStatus number `json:"http_status"`
		}
		err := json.Unmarshal(env, &head)
		notFound := err == nil && strings.EqualFold(string(head.Status), "error") &&
			head.HTTPStatus.value == http.StatusNotFound
		if !notFound {
			found = append(found, env)
		}
	}
	rebuilt, err := json.Marshal(found)
	if err != nil {
		return nil, newDecodeError(endpoint, "", err)
	}
	return parseVDOMLists[firewallPolicyStats](endpoint, rebuilt)
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

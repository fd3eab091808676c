package collector

import (
	"context"
	"net/url"

	"github.com/prometheus/client_golang/prometheus"
)

// The network_dns_latency collector reads GET
// /api/v2/monitor/network/dns/latency per VDOM, because FortiOS can give a
// VDOM its own DNS servers (system vdom-dns). results lists the DNS servers
// that the FortiGate itself queries, each with service (such as
// "dns_server"), ip, latency in milliseconds and last_update. Fortinet's
// community articles 205563 and 401008 describe the latency: a weighted
// average of the query round trips, raised by a penalty on each
// retransmission, and left unchanged while the FortiGate sends the server no
// query.
//
// NOTE: the shape comes from a FortiOS 7.4.8 test fixture of the
// prometheus-community fortigate_exporter, which reads latency as
// milliseconds, so the 7.0 fixture is a guess. No source gives the unit of
// last_update or shows an unreachable server, so last_update is not exported
// and a server without latency sends no sample. A bug report against that
// exporter states that FortiOS 7.4.11 sends a shortened, IPv4-looking ip for
// IPv6 servers, so two servers can get the same labels. The probe then keeps
// the first one and counts the duplicate.

const dnsLatencyEndpoint = "network/dns/latency"

type dnsLatencyCollector struct {
	latency *metric
}

func newDNSLatencyCollector() *dnsLatencyCollector {
	return &dnsLatencyCollector{
		// The name is that of the prometheus-community fortigate_exporter, with
		// a vdom label added.
		latency: newMetric(namespace+"_network_dns_latency_seconds", prometheus.GaugeValue,
			"seconds", dnsLatencyEndpoint,
			"Latency of a DNS server that the FortiGate queries, as FortiOS's weighted "+
				"average of the query round trips. It stays unchanged while the FortiGate "+
				"sends the server no query.",
			"vdom", "service", "ip"),
	}
}

func (c *dnsLatencyCollector) metrics() []*metric {
	return []*metric{c.latency}
}

type dnsServerLatency struct {
	Service text   `json:"service"`
	IP      text   `json:"ip"`
	Latency number `json:"latency"`
}

func (c *dnsLatencyCollector) Update(ctx context.Context, t *Target, ch chan<- prometheus.Metric) error {
	query := url.Values{"vdom": {vdomQuery(t)}}
	body, err := t.API.Monitor(ctx, dnsLatencyEndpoint, query)
	if err != nil {
		return err
	}

	perVDOM, err := parsePerVDOMList[dnsServerLatency](dnsLatencyEndpoint, body)
	if err != nil {
		return err
	}

	out := sink{ch: ch}
	for _, entry := range perVDOM {
		for _, server := range entry.result {
			addDivided(&out, c.latency, server.Latency, 1000,
				entry.vdom, string(server.Service), string(server.IP))
		}
	}
	return out.err
}

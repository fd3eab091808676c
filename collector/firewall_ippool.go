package collector

import (
	"context"
	"net/url"

	"github.com/prometheus/client_golang/prometheus"
)

// The firewall_ippool collector reads GET /api/v2/monitor/firewall/ippool per
// VDOM: the usage of every source NAT IP pool. results is an object keyed by
// pool name, and available is a percentage that may come as a float (56.85)
// or as an integer (100).
//
// NOTE: FortiOS does not document the fields. They are read like the output of
// diagnose firewall ippool list in the FortiOS 7.2 hyperscale firewall guide:
// used and total as inuse-PBAs and total-PBAs (port block allocations),
// available as free-PBAs, and blocks and block_size as num-block and
// block-sz. Whether used and total count the same thing for every pool type
// is not known.

const ippoolEndpoint = "firewall/ippool"

// ippoolLabels identify an IP pool.
var ippoolLabels = []string{"vdom", "name"}

type ippoolCollector struct {
	available     *metric
	usedItems     *metric
	totalItems    *metric
	usedIPs       *metric
	totalIPs      *metric
	clients       *metric
	pbaPerIP      *metric
	blocksPerUser *metric
	blockPorts    *metric
}

func newIPPoolCollector() *ippoolCollector {
	const ep = ippoolEndpoint
	gauge := prometheus.GaugeValue
	return &ippoolCollector{
		available: newMetric(namespace+"_ippool_available_ratio", gauge, "ratio", ep,
			"Share of the IP pool's port block allocations that is free, from 0 to 1.",
			ippoolLabels...),
		usedItems: newMetric(namespace+"_ippool_used_items", gauge, "", ep,
			"Port block allocations of the IP pool in use.",
			ippoolLabels...),
		totalItems: newMetric(namespace+"_ippool_total_items", gauge, "", ep,
			"Port block allocations the IP pool has in total.",
			ippoolLabels...),
		usedIPs: newMetric(namespace+"_ippool_used_ips", gauge, "", ep,
			"NAT IP addresses of the IP pool in use.",
			ippoolLabels...),
		totalIPs: newMetric(namespace+"_ippool_total_ips", gauge, "", ep,
			"NAT IP addresses in the IP pool.",
			ippoolLabels...),
		clients: newMetric(namespace+"_ippool_clients", gauge, "", ep,
			"Client addresses that the IP pool translates now.",
			ippoolLabels...),
		pbaPerIP: newMetric(namespace+"_ippool_pba_per_ip", gauge, "", ep,
			"Port block allocations that one NAT IP address of the pool provides.",
			ippoolLabels...),
		blocksPerUser: newMetric(namespace+"_ippool_blocks_per_user", gauge, "", ep,
			"Port blocks that one client may hold in the IP pool.",
			ippoolLabels...),
		blockPorts: newMetric(namespace+"_ippool_block_ports", gauge, "", ep,
			"Ports in one port block of the IP pool.",
			ippoolLabels...),
	}
}

func (c *ippoolCollector) metrics() []*metric {
	return []*metric{
		c.available, c.usedItems, c.totalItems, c.usedIPs, c.totalIPs, c.clients,
		c.pbaPerIP, c.blocksPerUser, c.blockPorts,
	}
}

type ippool struct {
	Name       text   `json:"name"`
	Blocks     number `json:"blocks"`
	BlockSize  number `json:"block_size"`
	PBAPerIP   number `json:"pba_per_ip"`
	Used       number `json:"used"`
	Total      number `json:"total"`
	Available  number `json:"available"`
	Clients    number `json:"clients"`
	NATIPInUse number `json:"natip_in_use"`
	NATIPTotal number `json:"natip_total"`
}

// vdomPools are the IP pools of one VDOM.
type vdomPools struct {
	vdom  string
	pools []keyed[ippool]
}

func parseIPPools(body []byte) ([]vdomPools, error) {
	envelopes, err := decodeEnvelopes(ippoolEndpoint, body)
	if err != nil {
		return nil, err
	}

	out := make([]vdomPools, 0, len(envelopes))
	for _, env := range envelopes {
		pools, err := decodeMap[ippool](ippoolEndpoint, env.Results)
		if err != nil {
			return nil, err
		}
		out = append(out, vdomPools{vdom: string(env.VDOM), pools: pools})
	}
	return out, nil
}

func (c *ippoolCollector) Update(ctx context.Context, t *Target, ch chan<- prometheus.Metric) error {
	body, err := t.API.Monitor(ctx, ippoolEndpoint, url.Values{"vdom": {vdomQuery(t)}})
	if err != nil {
		return err
	}

	perVDOM, err := parseIPPools(body)
	if err != nil {
		return err
	}

	out := sink{ch: ch}
	for _, entry := range perVDOM {
		for _, pool := range entry.pools {
			c.emit(&out, entry.vdom, pool)
		}
	}
	return out.err
}

// emit sends the usage of one pool, named by its key in results or, when
// results is an array, by its name field.
func (c *ippoolCollector) emit(out *sink, vdom string, pool keyed[ippool]) {
	name := pool.key
	if name == "" {
		name = string(pool.value.Name)
	}
	labels := []string{vdom, name}
	p := pool.value

	out.percent(c.available, p.Available, labels...)
	out.number(c.usedItems, p.Used, labels...)
	out.number(c.totalItems, p.Total, labels...)
	out.number(c.usedIPs, p.NATIPInUse, labels...)
	out.number(c.totalIPs, p.NATIPTotal, labels...)
	out.number(c.clients, p.Clients, labels...)
	out.number(c.pbaPerIP, p.PBAPerIP, labels...)
	out.number(c.blocksPerUser, p.Blocks, labels...)
	out.number(c.blockPorts, p.BlockSize, labels...)
}

package collector

import (
	"context"
	"net/url"
	"strconv"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
)

// The router_bgp collector reads GET /api/v2/monitor/router/bgp/neighbors and
// neighbors6 per VDOM: the state of every BGP peer. remote_as is a number before
// FortiOS 7.6 and a string from 7.6, and both become the same label value.
//
// The router_bgp_paths collector reads router/bgp/paths and paths6 and counts
// the paths learned from each neighbor. Those replies list every path of the
// BGP table, which can be a full Internet table, so it is off by default.

const (
	bgpNeighborsEndpoint  = "router/bgp/neighbors"
	bgpNeighbors6Endpoint = "router/bgp/neighbors6"
	bgpPathsEndpoint      = "router/bgp/paths"
	bgpPaths6Endpoint     = "router/bgp/paths6"

	// bgpPathsPageSize is the number of paths requested at once with start and
	// count. A VDOM whose page comes back full is asked for the next page.
	bgpPathsPageSize = 10000
	// bgpPathsMaxPages bounds the requests of one scrape to 100 pages (one
	// million paths per VDOM and IP version).
	bgpPathsMaxPages = 100
)

// bgpStates are the states of the BGP finite state machine of RFC 4271,
// as FortiOS spells them.
var bgpStates = []string{"Idle", "Connect", "Active", "OpenSent", "OpenConfirm", "Established"}

// bgpNeighborLabels identify a BGP neighbor.
var bgpNeighborLabels = []string{"vdom", "neighbor", "protocol"}

type bgpFamily struct {
	protocol  string
	neighbors string
	paths     string
}

var bgpFamilies = []bgpFamily{
	{protocol: "ipv4", neighbors: bgpNeighborsEndpoint, paths: bgpPathsEndpoint},
	{protocol: "ipv6", neighbors: bgpNeighbors6Endpoint, paths: bgpPaths6Endpoint},
}

// NOTE: a metric records one endpoint for METRICS.md and the flag help, so the
// BGP metrics name the IPv4 endpoint, and their help names the IPv6 one.

type bgpNeighborsCollector struct {
	info    *metric
	up      *metric
	state   *metric
	adminUp *metric
}

func newBGPNeighborsCollector() *bgpNeighborsCollector {
	const ep = bgpNeighborsEndpoint
	gauge := prometheus.GaugeValue
	withLabels := func(extra ...string) []string {
		return append(append([]string{}, bgpNeighborLabels...), extra...)
	}
	return &bgpNeighborsCollector{
		info: newMetric(namespace+"_bgp_neighbor_info", gauge, "", ep,
			"BGP neighbor, always 1. remote_as is the neighbor's AS number. "+
				"IPv6 neighbors come from router/bgp/neighbors6.",
			withLabels("local_ip", "remote_as")...),
		up: newMetric(namespace+"_bgp_neighbor_up", gauge, "", ep,
			"Whether the BGP session with the neighbor is Established (1) or not (0).",
			bgpNeighborLabels...),
		state: newMetric(namespace+"_bgp_neighbor_state", gauge, "", ep,
			"BGP state of the neighbor: 1 for the state FortiOS reports, 0 for the other states "+
				"of RFC 4271 ("+strings.Join(bgpStates, ", ")+").",
			withLabels("state")...),
		adminUp: newMetric(namespace+"_bgp_neighbor_admin_up", gauge, "", ep,
			"Whether the neighbor is administratively enabled (1) or shut down (0).",
			bgpNeighborLabels...),
	}
}

func (c *bgpNeighborsCollector) metrics() []*metric {
	return []*metric{c.info, c.up, c.state, c.adminUp}
}

type bgpNeighbor struct {
	NeighborIP  text `json:"neighbor_ip"`
	LocalIP     text `json:"local_ip"`
	RemoteAS    text `json:"remote_as"`
	AdminStatus flag `json:"admin_status"`
	State       text `json:"state"`
}

// vdomEntries are the results entries of one VDOM.
type vdomEntries[T any] struct {
	vdom    string
	entries []T
}

// parseVDOMLists decodes a per-VDOM reply whose results are an array of T.
func parseVDOMLists[T any](endpoint string, body []byte) ([]vdomEntries[T], error) {
	envelopes, err := decodeEnvelopes(endpoint, body)
	if err != nil {
		return nil, err
	}

	out := make([]vdomEntries[T], 0, len(envelopes))
	for _, env := range envelopes {
		entries, err := decodeList[T](endpoint, env.Results)
		if err != nil {
			return nil, err
		}
		out = append(out, vdomEntries[T]{vdom: string(env.VDOM), entries: entries})
	}
	return out, nil
}

func (c *bgpNeighborsCollector) Update(ctx context.Context, t *Target, ch chan<- prometheus.Metric) error {
	out := sink{ch: ch}
	for _, family := range bgpFamilies {
		body, err := t.API.Monitor(ctx, family.neighbors, url.Values{"vdom": {vdomQuery(t)}})
		if err != nil {
			return err
		}

		perVDOM, err := parseVDOMLists[bgpNeighbor](family.neighbors, body)
		if err != nil {
			return err
		}

		for _, entry := range perVDOM {
			for _, n := range entry.entries {
				c.emit(&out, entry.vdom, family.protocol, n)
			}
		}
	}
	return out.err
}

func (c *bgpNeighborsCollector) emit(out *sink, vdom, protocol string, n bgpNeighbor) {
	labels := []string{vdom, string(n.NeighborIP), protocol}

	out.add(c.info, 1, append(labels, string(n.LocalIP), string(n.RemoteAS))...)
	if state := string(n.State); state != "" {
		out.add(c.up, boolValue(strings.EqualFold(state, "Established")), labels...)
		emitStates(out, c.state, state, bgpStates, labels...)
	}
	if n.AdminStatus.ok {
		out.add(c.adminUp, boolValue(n.AdminStatus.value), labels...)
	}
}

type bgpPathsCollector struct {
	paths     *metric
	bestPaths *metric
}

func newBGPPathsCollector() *bgpPathsCollector {
	const ep = bgpPathsEndpoint
	gauge := prometheus.GaugeValue
	return &bgpPathsCollector{
		paths: newMetric(namespace+"_bgp_neighbor_paths", gauge, "", ep,
			"Paths in the BGP table learned from the neighbor. IPv6 paths come from router/bgp/paths6. "+
				"The collector reads the whole table, which is costly with full Internet tables.",
			bgpNeighborLabels...),
		bestPaths: newMetric(namespace+"_bgp_neighbor_best_paths", gauge, "", ep,
			"Paths learned from the neighbor that BGP selected as best.",
			bgpNeighborLabels...),
	}
}

func (c *bgpPathsCollector) metrics() []*metric { return []*metric{c.paths, c.bestPaths} }

type bgpPath struct {
	LearnedFrom text `json:"learned_from"`
	IsBest      flag `json:"is_best"`
}

// bgpPathCount is the number of paths, and of best paths, from one neighbor.
type bgpPathCount struct {
	vdom     string
	neighbor string
	paths    int
	best     int
}

func (c *bgpPathsCollector) Update(ctx context.Context, t *Target, ch chan<- prometheus.Metric) error {
	out := sink{ch: ch}
	for _, family := range bgpFamilies {
		counts, err := countBGPPaths(ctx, t, family.paths)
		if err != nil {
			return err
		}
		for _, count := range counts {
			labels := []string{count.vdom, count.neighbor, family.protocol}
			out.add(c.paths, float64(count.paths), labels...)
			out.add(c.bestPaths, float64(count.best), labels...)
		}
	}
	return out.err
}

// countBGPPaths reads the paths of endpoint page by page and counts them per
// VDOM and neighbor, in the order the neighbors first appear.
func countBGPPaths(ctx context.Context, t *Target, endpoint string) ([]*bgpPathCount, error) {
	var counts []*bgpPathCount
	index := map[[2]string]*bgpPathCount{}

	for page := range bgpPathsMaxPages {
		query := url.Values{
			"vdom":  {vdomQuery(t)},
			"start": {strconv.Itoa(page * bgpPathsPageSize)},
			"count": {strconv.Itoa(bgpPathsPageSize)},
		}
		body, err := t.API.Monitor(ctx, endpoint, query)
		if err != nil {
			return nil, err
		}
		perVDOM, err := parseVDOMLists[bgpPath](endpoint, body)
		if err != nil {
			return nil, err
		}

		full := false
		for _, entry := range perVDOM {
			// More entries than requested means the device ignored count, so
			// the reply is the whole table and asking again would count it twice.
			full = full || len(entry.entries) == bgpPathsPageSize
			for _, p := range entry.entries {
				key := [2]string{entry.vdom, string(p.LearnedFrom)}
				count, ok := index[key]
				if !ok {
					count = &bgpPathCount{vdom: key[0], neighbor: key[1]}
					index[key] = count
					counts = append(counts, count)
				}
				count.paths++
				if p.IsBest.value {
					count.best++
				}
			}
		}
		if !full {
			break
		}
	}
	return counts, nil
}

package collector

import (
	"context"
	"slices"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/fortigate-session-exporter/fortigate_session_exporter/fgsession"
)

// The router_routes collector reads GET /api/v2/monitor/router/ipv4 and
// router/ipv6 per VDOM, the routing table, and counts its routes by type. A
// device with full Internet BGP tables has close to a million IPv4 routes, so
// the collector reads the table in pages and is off by default. A device
// without router/ipv6 (404 or 424) gets IPv4 counts only.

const (
	routesIPv4Endpoint = "router/ipv4"
	routesIPv6Endpoint = "router/ipv6"

	// routesPageSize is the number of routes requested at once with start and
	// count.
	routesPageSize = 10000
	// routesMaxPages bounds one scrape to 100 pages (one million routes) per
	// IP version.
	routesMaxPages = 100
)

// routeFamily is one IP version of the routing table.
type routeFamily struct {
	protocol string
	endpoint string
	// types get a series in every VDOM, 0 when the table has no such route, so
	// that a type whose routes vanish drops to 0 instead of disappearing. A
	// type outside the list gets a series only while it has routes.
	types []string
	// optional families are skipped when the device lacks the endpoint.
	optional bool
}

// NOTE: the IPv4 types are those that the FortiOS 7.6.5 API schema lists for
// router/ipv4, without ospf6 and ripng. The IPv6 list swaps in ospf6 and ripng
// for ospf and rip, which no schema or capture at hand confirms.
var routeFamilies = []routeFamily{
	{
		protocol: "ipv4",
		endpoint: routesIPv4Endpoint,
		types:    []string{"connect", "static", "bgp", "ospf", "rip", "isis", "kernel", "ha", "def"},
	},
	{
		protocol: "ipv6",
		endpoint: routesIPv6Endpoint,
		types:    []string{"connect", "static", "bgp", "ospf6", "ripng", "isis", "kernel", "ha", "def"},
		optional: true,
	},
}

type routesCollector struct {
	routes *metric
}

func newRoutesCollector() *routesCollector {
	return &routesCollector{
		routes: newMetric(namespace+"_routes", prometheus.GaugeValue, "", routesIPv4Endpoint,
			"Routes in the routing table of the VDOM by route type, such as connect, static, bgp "+
				"or ospf. IPv6 routes come from router/ipv6. The collector reads the whole table "+
				"in pages of 10000 routes, at most 100 pages per IP version, which is costly "+
				"with full Internet tables.",
			"vdom", "protocol", "type"),
	}
}

func (c *routesCollector) metrics() []*metric { return []*metric{c.routes} }

type route struct {
	Type text `json:"type"`
}

// routeCounts are the route counts of one VDOM by type.
type routeCounts struct {
	vdom   string
	byType map[string]int
}

func (c *routesCollector) Update(ctx context.Context, t *Target, ch chan<- prometheus.Metric) error {
	out := sink{ch: ch}
	for _, family := range routeFamilies {
		counts, err := countRoutes(ctx, t, family.endpoint)
		if family.optional && fgsession.IsUnsupported(err) {
			continue
		}
		if err != nil {
			return err
		}

		for _, vdomCounts := range counts {
			c.emit(&out, vdomCounts, family)
		}
	}
	return out.err
}

// countRoutes reads the routing table of endpoint and counts its routes per
// VDOM and type, with the VDOMs in the order they first appear.
func countRoutes(ctx context.Context, t *Target, endpoint string) ([]*routeCounts, error) {
	var counts []*routeCounts
	index := map[string]*routeCounts{}

	visit := func(vdom string, routes []route) {
		vdomCounts, ok := index[vdom]
		if !ok {
			vdomCounts = &routeCounts{vdom: vdom, byType: map[string]int{}}
			index[vdom] = vdomCounts
			counts = append(counts, vdomCounts)
		}
		for _, r := range routes {
			vdomCounts.byType[string(r.Type)]++
		}
	}
	err := readVDOMPages(ctx, t, endpoint, routesPageSize, routesMaxPages, visit)
	return counts, err
}

func (c *routesCollector) emit(out *sink, counts *routeCounts, family routeFamily) {
	for _, routeType := range family.types {
		out.add(c.routes, float64(counts.byType[routeType]), counts.vdom, family.protocol, routeType)
	}

	var others []string
	for routeType := range counts.byType {
		if !slices.Contains(family.types, routeType) {
			others = append(others, routeType)
		}
	}
	slices.Sort(others)
	for _, routeType := range others {
		out.add(c.routes, float64(counts.byType[routeType]), counts.vdom, family.protocol, routeType)
	}
}

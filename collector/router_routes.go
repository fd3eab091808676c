package collector

import (
	"context"
	"slices"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/fortigate-session-exporter/fortigate_session_exporter/fgsession"
)

// The router_routes collector reads GET /api/v2/monitor/router/ipv4 and
// router/ipv6 per VDOM, the routing table, and counts its routes by type. A
// device with full BGP tables returns a million routes or more, so the
// collector reads the table in pages and is off by default. A device without
// router/ipv6 (404 or 424) gets IPv4 counts only.

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

// routeTypes are the route types of router/ipv4 in the FortiOS 7.6.5 API
// schema. Each VDOM and IP version gets a series for each of them, 0 when the
// table has no such route, so that a type whose routes vanish drops to 0
// instead of disappearing. A type outside this list gets a series when it
// appears.
var routeTypes = []string{
	"connect", "static", "bgp", "ospf", "ospf6", "rip", "ripng", "isis", "kernel", "ha", "def",
}

type routeFamily struct {
	protocol string
	endpoint string
	// optional families are skipped when the device lacks the endpoint.
	optional bool
}

var routeFamilies = []routeFamily{
	{protocol: "ipv4", endpoint: routesIPv4Endpoint},
	{protocol: "ipv6", endpoint: routesIPv6Endpoint, optional: true},
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
			c.emit(&out, vdomCounts, family.protocol)
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

func (c *routesCollector) emit(out *sink, counts *routeCounts, protocol string) {
	for _, routeType := range routeTypes {
		out.add(c.routes, float64(counts.byType[routeType]), counts.vdom, protocol, routeType)
	}

	var others []string
	for routeType := range counts.byType {
		if !slices.Contains(routeTypes, routeType) {
			others = append(others, routeType)
		}
	}
	slices.Sort(others)
	for _, routeType := range others {
		out.add(c.routes, float64(counts.byType[routeType]), counts.vdom, protocol, routeType)
	}
}

// Package collector turns FortiOS monitor API replies into Prometheus metrics.
//
// Each collector owns one FortiOS area and is listed in the registration table
// below with a name and a default on/off state. A Probe runs the enabled
// collectors of one target concurrently under one deadline, and ProbeHandler
// serves the result on /probe.
package collector

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/alecthomas/kingpin/v2"
	"github.com/prometheus/client_golang/prometheus"
)

const namespace = "fortigate"

// Collector fetches one FortiOS area of a target and sends its metrics to ch.
// An error fails this collector only. Update must return when ctx is done.
type Collector interface {
	Update(ctx context.Context, t *Target, ch chan<- prometheus.Metric) error
}

// describedCollector is a Collector that lists the metrics it can send, so that
// a Probe can describe them and METRICS.md can document them.
type describedCollector interface {
	Collector
	metrics() []*metric
}

// registration is one row of the collector table.
type registration struct {
	name           string
	defaultEnabled bool
	collector      describedCollector
	// enabled is bound to the --[no-]collector.NAME flag by RegisterFlags.
	enabled bool
}

// registrations is the collector table, sorted by name.
var registrations = sortedRegistrations([]*registration{
	{name: "system_status", defaultEnabled: true, collector: newSystemStatusCollector()},
	{name: "system_resource_usage", defaultEnabled: true, collector: newResourceUsageCollector()},
	{name: "system_interface", defaultEnabled: true, collector: newInterfaceCollector()},
	{name: "system_ha_statistics", defaultEnabled: true, collector: newHAStatisticsCollector()},
	{name: "license_status", defaultEnabled: true, collector: newLicenseStatusCollector()},
	{name: "vpn_ipsec", defaultEnabled: true, collector: newIPsecCollector()},
	{name: "vpn_ssl", defaultEnabled: true, collector: newSSLVPNCollector()},
	{name: "virtual_wan_health_check", defaultEnabled: true, collector: newVirtualWANHealthCheckCollector()},
	{name: "system_link_monitor", defaultEnabled: true, collector: newLinkMonitorCollector()},
	{name: "firewall_policy", defaultEnabled: true, collector: newFirewallPolicyCollector()},
	{name: "firewall_ippool", defaultEnabled: true, collector: newIPPoolCollector()},
	{name: "firewall_load_balance", defaultEnabled: true, collector: newLoadBalanceCollector()},
	{name: "router_bgp", defaultEnabled: true, collector: newBGPNeighborsCollector()},
	{name: "router_bgp_paths", defaultEnabled: false, collector: newBGPPathsCollector()},
	{name: "router_ospf", defaultEnabled: true, collector: newOSPFNeighborsCollector()},
	{name: "router_routes", defaultEnabled: false, collector: newRoutesCollector()},
	{name: "system_certificates", defaultEnabled: true, collector: newCertificatesCollector()},
	{name: "system_ha_peer", defaultEnabled: true, collector: newHAPeerCollector()},
	{name: "system_ha_checksums", defaultEnabled: true, collector: newHAChecksumsCollector()},
	{name: "system_sensor_info", defaultEnabled: true, collector: newSensorInfoCollector()},
	{name: "system_performance_status", defaultEnabled: true, collector: newPerformanceStatusCollector()},
	{name: "log_disk_usage", defaultEnabled: true, collector: newLogDiskUsageCollector()},
	{name: "log_fortianalyzer", defaultEnabled: true, collector: newFortiAnalyzerCollector()},
	{name: "system_central_management", defaultEnabled: true, collector: newCentralManagementCollector()},
	{name: "system_sdn_connector", defaultEnabled: true, collector: newSDNConnectorCollector()},
	{name: "user_fsso", defaultEnabled: true, collector: newFSSOCollector()},
	{name: "wifi", defaultEnabled: true, collector: newWiFiCollector()},
	{name: "switch_controller", defaultEnabled: true, collector: newSwitchCollector()},
	{name: "system_ntp", defaultEnabled: true, collector: newNTPCollector()},
	{name: "system_vdom_resource", defaultEnabled: true, collector: newVDOMResourceCollector()},
	{name: "system_interface_transceivers", defaultEnabled: true, collector: newTransceiversCollector()},
	{name: "system_time", defaultEnabled: true, collector: newSystemTimeCollector()},
	{name: "network_dns_latency", defaultEnabled: true, collector: newDNSLatencyCollector()},
	{name: "system_available_interfaces", defaultEnabled: true, collector: newAvailableInterfacesCollector()},
})

func sortedRegistrations(table []*registration) []*registration {
	slices.SortFunc(table, func(a, b *registration) int { return strings.Compare(a.name, b.name) })
	for _, r := range table {
		r.enabled = r.defaultEnabled
	}
	return table
}

func lookupRegistration(name string) (*registration, bool) {
	for _, r := range registrations {
		if r.name == name {
			return r, true
		}
	}
	return nil, false
}

// endpoints returns the FortiOS endpoints that a registered collector queries.
func (r *registration) endpoints() []string {
	var endpoints []string
	for _, m := range r.collector.metrics() {
		if !slices.Contains(endpoints, m.endpoint) {
			endpoints = append(endpoints, m.endpoint)
		}
	}
	return endpoints
}

// apiPath returns an endpoint of a metric relative to /api/v2/: monitor/<endpoint>
// for a monitor endpoint, the endpoint itself for a CMDB table (cmdb/<path>).
func apiPath(endpoint string) string {
	if strings.HasPrefix(endpoint, "cmdb/") {
		return endpoint
	}
	return "monitor/" + endpoint
}

// RegisterFlags adds --collector.NAME and its negation --no-collector.NAME to app
// for every collector. Call it once, before app.Parse.
func RegisterFlags(app *kingpin.Application) {
	for _, r := range registrations {
		paths := make([]string, 0, len(r.endpoints()))
		for _, e := range r.endpoints() {
			paths = append(paths, apiPath(e))
		}
		help := fmt.Sprintf("Enable the %s collector (GET %s).", r.name, strings.Join(paths, ", "))
		app.Flag("collector."+r.name, help).
			Default(strconv.FormatBool(r.defaultEnabled)).
			BoolVar(&r.enabled)
	}
}

// Names returns the names of all collectors, sorted.
func Names() []string {
	names := make([]string, 0, len(registrations))
	for _, r := range registrations {
		names = append(names, r.name)
	}
	return names
}

// Select returns the sorted names of the collectors to run for one target. It
// starts from the collectors enabled by flags (or their defaults). A non-empty
// include list replaces that set, then the exclude list removes names from it.
// A name that is not a collector is an error that lists the valid names.
func Select(include, exclude []string) ([]string, error) {
	selected := map[string]bool{}
	if len(include) > 0 {
		for _, name := range include {
			if _, ok := lookupRegistration(name); !ok {
				return nil, unknownCollectorError(name, "include")
			}
			selected[name] = true
		}
	} else {
		for _, r := range registrations {
			if r.enabled {
				selected[r.name] = true
			}
		}
	}

	for _, name := range exclude {
		if _, ok := lookupRegistration(name); !ok {
			return nil, unknownCollectorError(name, "exclude")
		}
		delete(selected, name)
	}

	names := make([]string, 0, len(selected))
	for name := range selected {
		names = append(names, name)
	}
	slices.Sort(names)
	return names, nil
}

func unknownCollectorError(name, list string) error {
	return fmt.Errorf("unknown collector %q in the %s list, valid collectors are %s",
		name, list, strings.Join(Names(), ", "))
}

// metric is one metric that a collector can send: its descriptor, the value type
// every sample of it has, and the facts that METRICS.md lists.
type metric struct {
	desc      *prometheus.Desc
	name      string
	help      string
	valueType prometheus.ValueType
	// unit is the unit of the value in words ("bytes", "ratio"), empty for counts
	// and info metrics.
	unit string
	// endpoint is the FortiOS monitor endpoint the value comes from, relative to
	// /api/v2/monitor/, or cmdb/<path> for a CMDB table. It is empty for the
	// exporter's own metrics.
	endpoint string
	labels   []string
}

func newMetric(
	name string, valueType prometheus.ValueType, unit, endpoint, help string, labels ...string,
) *metric {
	return &metric{
		desc:      prometheus.NewDesc(name, help, labels, nil),
		name:      name,
		help:      help,
		valueType: valueType,
		unit:      unit,
		endpoint:  endpoint,
		labels:    labels,
	}
}

// MetricDoc describes one metric for documentation such as METRICS.md.
type MetricDoc struct {
	Name string
	// Type is "gauge" or "counter".
	Type   string
	Labels []string
	Unit   string
	// Endpoint is the FortiOS monitor endpoint, or cmdb/<path> for a CMDB
	// table, empty for the exporter's own metrics.
	Endpoint string
	// Collector is the collector name. The exporter's own metrics have "scrape"
	// when every target scrape sends them, and "exporter" when they live on the
	// exporter's registry.
	Collector string
	Help      string
}

// MetricDocs returns every metric this package can expose: the exporter's own
// metrics first, then each collector's metrics in table order.
func MetricDocs() []MetricDoc {
	var docs []MetricDoc
	for _, m := range probeMetrics() {
		docs = append(docs, m.doc("scrape"))
	}
	for _, m := range exporterMetrics() {
		docs = append(docs, m.doc("exporter"))
	}
	for _, r := range registrations {
		for _, m := range r.collector.metrics() {
			docs = append(docs, m.doc(r.name))
		}
	}
	return docs
}

func (m *metric) doc(collector string) MetricDoc {
	typeName := "gauge"
	if m.valueType == prometheus.CounterValue {
		typeName = "counter"
	}
	return MetricDoc{
		Name:      m.name,
		Type:      typeName,
		Labels:    slices.Clone(m.labels),
		Unit:      m.unit,
		Endpoint:  m.endpoint,
		Collector: collector,
		Help:      m.help,
	}
}

// sink sends the const metrics of one Update to a channel and keeps the first
// error that building a metric returned, so a bad label value fails the
// collector instead of panicking.
type sink struct {
	ch  chan<- prometheus.Metric
	err error
}

func (s *sink) add(m *metric, value float64, labelValues ...string) {
	cm, err := prometheus.NewConstMetric(m.desc, m.valueType, value, labelValues...)
	if err != nil {
		if s.err == nil {
			s.err = fmt.Errorf("build metric %s: %w", m.name, err)
		}
		return
	}
	s.ch <- cm
}

// number sends n unchanged, and nothing when FortiOS left the field out.
func (s *sink) number(m *metric, n number, labelValues ...string) {
	if n.ok {
		s.add(m, n.value, labelValues...)
	}
}

// percent sends a FortiOS percentage as a ratio from 0 to 1.
func (s *sink) percent(m *metric, n number, labelValues ...string) {
	if n.ok {
		s.add(m, n.value/100, labelValues...)
	}
}

// scaled sends n multiplied by factor, for conversions to base units.
func (s *sink) scaled(m *metric, n number, factor float64, labelValues ...string) {
	if n.ok {
		s.add(m, n.value*factor, labelValues...)
	}
}

// vdomQuery returns the vdom query value for t: the configured VDOMs, or every
// VDOM the admin can see.
func vdomQuery(t *Target) string {
	if len(t.VDOMs) == 0 {
		return "*"
	}
	return strings.Join(t.VDOMs, ",")
}

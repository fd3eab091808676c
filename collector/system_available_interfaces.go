package collector

import (
	"context"
	"net/url"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
)

// The system_available_interfaces collector reads GET
// /api/v2/monitor/system/available-interfaces per VDOM for the administrative
// status of each interface, which system/interface does not report.
// results is an array of interfaces with name, vdom, type ("physical",
// "vlan", "aggregate", "tunnel", ...), status, the configured up or down, and
// link, the link state, besides many fields the collector ignores. The
// pseudo-interface "any" has no status.
//
// An interface is labelled with its own vdom field, or with the envelope's
// VDOM when it has none, so that its series join those of system_interface.
// An interface listed again, in the reply of another VDOM, is sent once.
//
// The configuration read cmdb/system/interface has the same setting in its
// status field.
//
// NOTE: the shape comes from a FortiOS 6.0.1 capture without a vdom parameter
// and from a trimmed capture of a later release. No source shows a vdom=*
// reply, so whether a VDOM's list also contains interfaces of other VDOMs is not
// known.

const availableInterfacesEndpoint = "system/available-interfaces"

type availableInterfacesCollector struct {
	adminUp *metric
}

func newAvailableInterfacesCollector() *availableInterfacesCollector {
	return &availableInterfacesCollector{
		adminUp: newMetric(namespace+"_interface_admin_up", prometheus.GaugeValue, "",
			availableInterfacesEndpoint,
			"Whether the interface is configured up (1) or down (0), regardless of its link. "+
				"type is the interface type as FortiOS names it, such as physical or vlan. A "+
				"status other than up or down sends no sample.",
			"vdom", "name", "type"),
	}
}

func (c *availableInterfacesCollector) metrics() []*metric {
	return []*metric{c.adminUp}
}

type availableInterface struct {
	Name   text `json:"name"`
	VDOM   text `json:"vdom"`
	Type   text `json:"type"`
	Status text `json:"status"`
}

func (c *availableInterfacesCollector) Update(ctx context.Context, t *Target, ch chan<- prometheus.Metric) error {
	query := url.Values{"vdom": {vdomQuery(t)}}
	body, err := t.API.Monitor(ctx, availableInterfacesEndpoint, query)
	if err != nil {
		return err
	}

	perVDOM, err := parsePerVDOMList[availableInterface](availableInterfacesEndpoint, body)
	if err != nil {
		return err
	}

	out := sink{ch: ch}
	type interfaceKey struct{ vdom, name string }
	sent := map[interfaceKey]bool{}
	for _, entry := range perVDOM {
		for _, iface := range entry.result {
			up, ok := adminStatusValue(string(iface.Status))
			if !ok || iface.Name == "" {
				continue
			}

			vdom := firstNonEmpty(string(iface.VDOM), entry.vdom)
			key := interfaceKey{vdom: vdom, name: string(iface.Name)}
			if sent[key] {
				continue
			}
			sent[key] = true
			out.add(c.adminUp, up, key.vdom, key.name, string(iface.Type))
		}
	}
	return out.err
}

// adminStatusValue maps the status of an available interface to 1 for up and
// 0 for down. ok is false for any other value, such as the null of "any".
func adminStatusValue(status string) (value float64, ok bool) {
	switch {
	case strings.EqualFold(status, "up"):
		return 1, true
	case strings.EqualFold(status, "down"):
		return 0, true
	default:
		return 0, false
	}
}

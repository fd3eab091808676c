package collector

import (
	"context"
	"net/url"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
)

// The system_central_management collector reads GET
// /api/v2/monitor/system/fortimanager/status per VDOM. Each envelope's results
// is one object: mode ("normal" or "backup"), server (the FortiManager
// address, missing when none is set), fortimanager_status_id (the management
// tunnel: 0 down, 1 handshake, 2 up) and fortimanager_registration_status_id
// (0 unknown to the FortiManager, 1 registration in progress, 2 registered,
// 3 known but not authorized).
//
// NOTE: the meaning of the ids comes from the code comments of the
// prometheus-community fortigate_exporter, not from a Fortinet document.

const centralManagementEndpoint = "system/fortimanager/status"

var (
	// centralManagementModes are the FortiOS central management modes.
	centralManagementModes = []string{"normal", "backup"}
	// centralManagementConnections names the tunnel status ids, by id.
	centralManagementConnections = []string{"down", "handshake", "up"}
	// centralManagementRegistrations names the registration status ids, by id.
	centralManagementRegistrations = []string{"unknown", "in_progress", "registered", "unregistered"}
)

type centralManagementCollector struct {
	info               *metric
	mode               *metric
	connectionStatus   *metric
	registrationStatus *metric
}

func newCentralManagementCollector() *centralManagementCollector {
	const ep = centralManagementEndpoint
	gauge := prometheus.GaugeValue
	return &centralManagementCollector{
		info: newMetric(namespace+"_system_central_management_info", gauge, "", ep,
			"Central management (FortiManager) state of the VDOM, always 1. server is empty when "+
				"none is set. connection is down, handshake or up, and registration is unknown, "+
				"in_progress, registered or unregistered. An id without a name is given as its number.",
			"vdom", "mode", "server", "connection", "registration"),
		mode: newMetric(namespace+"_system_central_management_mode", gauge, "", ep,
			"Whether central management runs in the mode (1) or not (0). mode is normal, backup or "+
				"another mode FortiOS reports.",
			"vdom", "mode"),
		connectionStatus: newMetric(namespace+"_system_central_management_connection_status_id", gauge, "", ep,
			"Status id of the management tunnel to the FortiManager: 0 down, 1 handshake, 2 up.",
			"vdom"),
		registrationStatus: newMetric(namespace+"_system_central_management_registration_status_id", gauge, "", ep,
			"Registration status id of the FortiGate on the FortiManager: 0 unknown to it, "+
				"1 in progress, 2 registered, 3 known but not authorized.",
			"vdom"),
	}
}

func (c *centralManagementCollector) metrics() []*metric {
	return []*metric{c.info, c.mode, c.connectionStatus, c.registrationStatus}
}

type centralManagementStatus struct {
	Mode               text   `json:"mode"`
	Server             text   `json:"server"`
	ConnectionStatus   number `json:"fortimanager_status_id"`
	RegistrationStatus number `json:"fortimanager_registration_status_id"`
}

func parseCentralManagement(body []byte) ([]vdomResult[centralManagementStatus], error) {
	return parsePerVDOMObject[centralManagementStatus](centralManagementEndpoint, body)
}

func (c *centralManagementCollector) Update(ctx context.Context, t *Target, ch chan<- prometheus.Metric) error {
	body, err := t.API.Monitor(ctx, centralManagementEndpoint, url.Values{"vdom": {vdomQuery(t)}})
	if err != nil {
		return err
	}

	perVDOM, err := parseCentralManagement(body)
	if err != nil {
		return err
	}

	out := sink{ch: ch}
	for _, entry := range perVDOM {
		c.emit(&out, entry.vdom, entry.result)
	}
	return out.err
}

func (c *centralManagementCollector) emit(out *sink, vdom string, s centralManagementStatus) {
	if s.Mode == "" && !s.ConnectionStatus.ok && !s.RegistrationStatus.ok {
		return
	}

	out.add(c.info, 1, vdom, string(s.Mode), string(s.Server),
		statusIDName(s.ConnectionStatus, centralManagementConnections),
		statusIDName(s.RegistrationStatus, centralManagementRegistrations))
	if s.Mode != "" {
		emitStates(out, c.mode, string(s.Mode), centralManagementModes, vdom)
	}
	out.number(c.connectionStatus, s.ConnectionStatus, vdom)
	out.number(c.registrationStatus, s.RegistrationStatus, vdom)
}

// statusIDName returns the name of a FortiOS status id from names, which lists
// the names by id. An id outside names is returned as its number, and a
// missing id as "".
func statusIDName(id number, names []string) string {
	if !id.ok {
		return ""
	}
	if i := int(id.value); float64(i) == id.value && i >= 0 && i < len(names) {
		return names[i]
	}
	return strconv.FormatFloat(id.value, 'f', -1, 64)
}

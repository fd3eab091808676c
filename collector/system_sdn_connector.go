package collector

import (
	"context"
	"net/url"
	"slices"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
)

// The system_sdn_connector collector reads GET
// /api/v2/monitor/system/sdn-connector/status per VDOM. results lists the SDN
// connectors (aws, azure, gcp, ...) with name, type, status, updating and
// last_update in seconds since the Unix epoch. FortiOS capitalises status:
// "Up", "Down", "Disabled", "Unknown" or "Updating". A VDOM without
// connectors has an empty array.

const sdnConnectorEndpoint = "system/sdn-connector/status"

// sdnConnectorStates are the connector states in the order of their status
// code, so "Disabled" is 0 and "Updating" is 4. The codes are those of the
// prometheus-community fortigate_exporter, so its dashboards keep working.
var sdnConnectorStates = []string{"Disabled", "Down", "Unknown", "Up", "Updating"}

var sdnConnectorLabels = []string{"vdom", "name", "type"}

type sdnConnectorCollector struct {
	status     *metric
	state      *metric
	updating   *metric
	lastUpdate *metric
}

func newSDNConnectorCollector() *sdnConnectorCollector {
	const ep = sdnConnectorEndpoint
	gauge := prometheus.GaugeValue
	return &sdnConnectorCollector{
		status: newMetric(namespace+"_system_sdn_connector_status", gauge, "", ep,
			"Status code of the SDN connector: 0 Disabled, 1 Down, 2 Unknown, 3 Up, 4 Updating. "+
				"A status outside these sends no sample.",
			sdnConnectorLabels...),
		state: newMetric(namespace+"_system_sdn_connector_state", gauge, "", ep,
			"Whether the SDN connector is in the state (1) or not (0). state is the FortiOS "+
				"status as sent (Up, Down, Disabled, Unknown, Updating).",
			append(slices.Clone(sdnConnectorLabels), "state")...),
		updating: newMetric(namespace+"_system_sdn_connector_updating", gauge, "", ep,
			"Whether FortiOS reports the SDN connector as updating (1) or not (0).",
			sdnConnectorLabels...),
		lastUpdate: newMetric(namespace+"_system_sdn_connector_last_update_timestamp_seconds", gauge,
			"seconds", ep,
			"Time of the last update of the SDN connector, in seconds since the Unix epoch. "+
				"A last_update of 0 sends no sample.",
			sdnConnectorLabels...),
	}
}

func (c *sdnConnectorCollector) metrics() []*metric {
	return []*metric{c.status, c.state, c.updating, c.lastUpdate}
}

type sdnConnector struct {
	Name       text   `json:"name"`
	Type       text   `json:"type"`
	Status     text   `json:"status"`
	Updating   flag   `json:"updating"`
	LastUpdate number `json:"last_update"`
}

func parseSDNConnectors(body []byte) ([]vdomResult[[]sdnConnector], error) {
	return parsePerVDOMList[sdnConnector](sdnConnectorEndpoint, body)
}

func (c *sdnConnectorCollector) Update(ctx context.Context, t *Target, ch chan<- prometheus.Metric) error {
	body, err := t.API.Monitor(ctx, sdnConnectorEndpoint, url.Values{"vdom": {vdomQuery(t)}})
	if err != nil {
		return err
	}

	perVDOM, err := parseSDNConnectors(body)
	if err != nil {
		return err
	}

	out := sink{ch: ch}
	for _, entry := range perVDOM {
		for _, connector := range entry.result {
			c.emit(&out, entry.vdom, connector)
		}
	}
	return out.err
}

func (c *sdnConnectorCollector) emit(out *sink, vdom string, s sdnConnector) {
	labels := []string{vdom, string(s.Name), string(s.Type)}

	if s.Status != "" {
		// Matching ignores case, so a status such as "up" still gets its code
		// and its state series.
		status := string(s.Status)
		code := slices.IndexFunc(sdnConnectorStates, func(state string) bool {
			return strings.EqualFold(state, status)
		})
		if code >= 0 {
			out.add(c.status, float64(code), labels...)
			status = sdnConnectorStates[code]
		}
		emitStates(out, c.state, status, sdnConnectorStates, labels...)
	}
	if s.Updating.ok {
		out.add(c.updating, boolValue(s.Updating.value), labels...)
	}
	if s.LastUpdate.ok && s.LastUpdate.value > 0 {
		out.add(c.lastUpdate, s.LastUpdate.value, labels...)
	}
}

package collector

import (
	"context"
	"net/url"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
)

// The user_fsso collector reads GET /api/v2/monitor/user/fsso per VDOM.
// results lists the FSSO agents (type "fsso") with name, ldap_server, status
// ("connected" or "disconnected") and sometimes active_server. Polling
// entries (type "fsso-polling") have a numeric id and a server in place of
// name. A VDOM without FSSO has an empty array.

const fssoEndpoint = "user/fsso"

var fssoLabels = []string{"vdom", "name", "type"}

type fssoCollector struct {
	info      *metric
	connected *metric
}

func newFSSOCollector() *fssoCollector {
	const ep = fssoEndpoint
	gauge := prometheus.GaugeValue
	return &fssoCollector{
		info: newMetric(namespace+"_user_fsso_info", gauge, "", ep,
			"FSSO agent or polling entry, always 1. name is the id of a polling entry. type is "+
				"fsso or fsso-polling. server is the active server of an agent or the polled "+
				"server, and empty when FortiOS sends none.",
			"vdom", "name", "type", "server", "ldap_server"),
		connected: newMetric(namespace+"_user_fsso_connected", gauge, "", ep,
			"Whether the FSSO agent or polled server is connected (1) or not (0).",
			fssoLabels...),
	}
}

func (c *fssoCollector) metrics() []*metric {
	return []*metric{c.info, c.connected}
}

type fssoEntry struct {
	Name         text `json:"name"`
	ID           text `json:"id"`
	Type         text `json:"type"`
	Status       text `json:"status"`
	Server       text `json:"server"`
	ActiveServer text `json:"active_server"`
	LDAPServer   text `json:"ldap_server"`
}

func parseFSSO(body []byte) ([]vdomResult[[]fssoEntry], error) {
	return parsePerVDOMList[fssoEntry](fssoEndpoint, body)
}

func (c *fssoCollector) Update(ctx context.Context, t *Target, ch chan<- prometheus.Metric) error {
	body, err := t.API.Monitor(ctx, fssoEndpoint, url.Values{"vdom": {vdomQuery(t)}})
	if err != nil {
		return err
	}

	perVDOM, err := parseFSSO(body)
	if err != nil {
		return err
	}

	out := sink{ch: ch}
	for _, entry := range perVDOM {
		for _, e := range entry.result {
			c.emit(&out, entry.vdom, e)
		}
	}
	return out.err
}

func (c *fssoCollector) emit(out *sink, vdom string, e fssoEntry) {
	name := string(e.Name)
	if name == "" {
		name = string(e.ID)
	}
	server := string(e.ActiveServer)
	if server == "" {
		server = string(e.Server)
	}

	out.add(c.info, 1, vdom, name, string(e.Type), server, string(e.LDAPServer))
	switch strings.ToLower(string(e.Status)) {
	case "connected":
		out.add(c.connected, 1, vdom, name, string(e.Type))
	case "disconnected":
		out.add(c.connected, 0, vdom, name, string(e.Type))
	}
}

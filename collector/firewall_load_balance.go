package collector

import (
	"context"
	"encoding/json"
	"math"
	"net"
	"strconv"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
)

// The firewall_load_balance collector reads GET
// /api/v2/monitor/firewall/load-balance per VDOM: every virtual server of the
// server load balancer with its real servers. The endpoint takes start and
// count over the virtual servers, so the collector reads it in pages of 1000
// entries, the count that prometheus-community/fortigate_exporter sends. Releases
// before 6.4 send no real_server_id, and the id label of their real servers is
// ip:port instead.

const (
	loadBalanceEndpoint = "firewall/load-balance"

	// loadBalancePageSize is the number of virtual servers requested at once.
	loadBalancePageSize = 1000
	// loadBalanceMaxPages bounds one scrape to 100 pages per VDOM.
	loadBalanceMaxPages = 100
)

// NOTE: no FortiOS document lists the values of mode and status. These lists
// are the values that prometheus-community/fortigate_exporter handles, and a
// value outside them gets a series of its own.
var (
	realServerModes  = []string{"active", "standby", "disabled"}
	realServerStates = []string{"up", "down", "unknown"}

	// realServerLabels identify a real server of a virtual server.
	realServerLabels = []string{"vdom", "virtual_server", "id"}
)

type loadBalanceCollector struct {
	virtualServerInfo  *metric
	realServerInfo     *metric
	realServerUp       *metric
	realServerStatus   *metric
	realServerMode     *metric
	realServerSessions *metric
	realServerRTT      *metric
	realServerBytes    *metric
}

func newLoadBalanceCollector() *loadBalanceCollector {
	const ep = loadBalanceEndpoint
	gauge, counter := prometheus.GaugeValue, prometheus.CounterValue
	withLabels := func(extra ...string) []string {
		return append(append([]string{}, realServerLabels...), extra...)
	}
	return &loadBalanceCollector{
		virtualServerInfo: newMetric(namespace+"_lb_virtual_server_info", gauge, "", ep,
			"Load balancing virtual server, always 1. type is the virtual server type, such as http, "+
				"https or tcp, and empty before FortiOS 6.4.",
			"vdom", "name", "ip", "port", "type"),
		realServerInfo: newMetric(namespace+"_lb_real_server_info", gauge, "", ep,
			"Real server of a load balancing virtual server, always 1. id is the real server id, "+
				"or ip:port before FortiOS 6.4, which sends no id.",
			withLabels("ip", "port")...),
		realServerUp: newMetric(namespace+"_lb_real_server_up", gauge, "", ep,
			"Whether the real server passes its health check (1) or not (0).",
			realServerLabels...),
		realServerStatus: newMetric(namespace+"_lb_real_server_status", gauge, "", ep,
			"Health check state of the real server: 1 for the state FortiOS reports, 0 for the "+
				"other known states ("+strings.Join(realServerStates, ", ")+").",
			withLabels("state")...),
		realServerMode: newMetric(namespace+"_lb_real_server_mode", gauge, "", ep,
			"Configured mode of the real server: 1 for the mode FortiOS reports, 0 for the other "+
				"modes ("+strings.Join(realServerModes, ", ")+").",
			withLabels("mode")...),
		realServerSessions: newMetric(namespace+"_lb_real_server_active_sessions", gauge, "", ep,
			"Sessions open to the real server now.",
			realServerLabels...),
		realServerRTT: newMetric(namespace+"_lb_real_server_rtt_seconds", gauge, "seconds", ep,
			"Round-trip time of the real server's health check. FortiOS reports a time below 1 ms "+
				"as \"<1\", which is sent as 0.001. A real server without a measurement has no sample.",
			realServerLabels...),
		realServerBytes: newMetric(namespace+"_lb_real_server_processed_bytes_total", counter, "bytes", ep,
			"Bytes that the real server processed through the virtual server.",
			realServerLabels...),
	}
}

func (c *loadBalanceCollector) metrics() []*metric {
	return []*metric{
		c.virtualServerInfo, c.realServerInfo, c.realServerUp, c.realServerStatus,
		c.realServerMode, c.realServerSessions, c.realServerRTT, c.realServerBytes,
	}
}

// roundTrip is the RTT field of a real server: milliseconds as a string such
// as "357", "<1" for below 1 ms, or "" when there is no measurement. A JSON
// number is taken as milliseconds too. ok is false when there is no
// measurement.
type roundTrip struct {
	seconds float64
	ok      bool
}

func (r *roundTrip) UnmarshalJSON(raw []byte) error {
	*r = roundTrip{}
	if len(raw) == 0 || raw[0] != '"' {
		var ms number
		if err := json.Unmarshal(raw, &ms); err != nil {
			return err
		}
		*r = roundTrip{seconds: ms.value / 1000, ok: ms.ok}
		return nil
	}

	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return err
	}
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return nil
	case strings.HasPrefix(s, "<"):
		// "<1" is a bound, not a measurement, so the bound itself is sent.
		s = strings.TrimSpace(s[1:])
	}
	ms, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(ms) || math.IsInf(ms, 0) {
		return &json.UnmarshalTypeError{Value: describeJSON(raw), Type: float64Type}
	}
	*r = roundTrip{seconds: ms / 1000, ok: true}
	return nil
}

type realServer struct {
	IP             text      `json:"real_server_ip"`
	Port           number    `json:"real_server_port"`
	ID             number    `json:"real_server_id"`
	Mode           text      `json:"mode"`
	Status         text      `json:"status"`
	ActiveSessions number    `json:"active_sessions"`
	RTT            roundTrip `json:"RTT"`
	BytesProcessed number    `json:"bytes_processed"`
}

type virtualServer struct {
	Name        text             `json:"virtual_server_name"`
	IP          text             `json:"virtual_server_ip"`
	Port        number           `json:"virtual_server_port"`
	Type        text             `json:"virtual_server_type"`
	RealServers list[realServer] `json:"list"`
}

func (c *loadBalanceCollector) Update(ctx context.Context, t *Target, ch chan<- prometheus.Metric) error {
	out := sink{ch: ch}
	visit := func(vdom string, servers []virtualServer) {
		for _, vs := range servers {
			c.emit(&out, vdom, vs)
		}
	}
	err := readVDOMPages(ctx, t, loadBalanceEndpoint, loadBalancePageSize, loadBalanceMaxPages, visit)
	if err != nil {
		return err
	}
	return out.err
}

func (c *loadBalanceCollector) emit(out *sink, vdom string, vs virtualServer) {
	name := string(vs.Name)
	out.add(c.virtualServerInfo, 1, vdom, name, string(vs.IP), formatInteger(vs.Port), string(vs.Type))

	for _, rs := range vs.RealServers {
		port := formatInteger(rs.Port)
		id := formatInteger(rs.ID)
		if id == "" {
			id = net.JoinHostPort(string(rs.IP), port)
		}
		labels := []string{vdom, name, id}

		out.add(c.realServerInfo, 1, append(labels, string(rs.IP), port)...)
		if status := string(rs.Status); status != "" {
			out.add(c.realServerUp, boolValue(strings.EqualFold(status, "up")), labels...)
			emitStates(out, c.realServerStatus, status, realServerStates, labels...)
		}
		if mode := string(rs.Mode); mode != "" {
			emitStates(out, c.realServerMode, mode, realServerModes, labels...)
		}
		out.number(c.realServerSessions, rs.ActiveSessions, labels...)
		if rs.RTT.ok {
			out.add(c.realServerRTT, rs.RTT.seconds, labels...)
		}
		out.number(c.realServerBytes, rs.BytesProcessed, labels...)
	}
}

package collector

import (
	"context"

	"github.com/prometheus/client_golang/prometheus"
)

// The system_ntp collector reads GET /api/v2/monitor/system/ntp/status. NTP is
// configured globally, so the request names no VDOM and the reply is one
// envelope whose results list the NTP servers with ip, server (the configured
// name), reachable, selected, version, stratum, expires, offset, delay,
// dispersion and peer_dispersion.
//
// NOTE: offset, delay, dispersion and peer_dispersion are read as
// milliseconds and expires as seconds, as the prometheus-community
// fortigate_exporter reads them. No Fortinet document names the units, and
// reftime is left out because its epoch is unknown. That exporter reads the
// endpoint from FortiOS 7.4 only, so the 7.0 fixture is a guess.

const ntpEndpoint = "system/ntp/status"

var ntpLabels = []string{"server", "ip"}

type ntpCollector struct {
	info           *metric
	reachable      *metric
	selected       *metric
	stratum        *metric
	expires        *metric
	offset         *metric
	delay          *metric
	dispersion     *metric
	peerDispersion *metric
}

func newNTPCollector() *ntpCollector {
	const ep = ntpEndpoint
	gauge := prometheus.GaugeValue
	return &ntpCollector{
		info: newMetric(namespace+"_system_ntp_info", gauge, "", ep,
			"NTP server of the FortiGate with the NTP version it speaks, always 1. server is "+
				"the configured name and ip its address.",
			"server", "ip", "version"),
		reachable: newMetric(namespace+"_system_ntp_reachable", gauge, "", ep,
			"Whether the NTP server is reachable (1) or not (0).",
			ntpLabels...),
		selected: newMetric(namespace+"_system_ntp_selected", gauge, "", ep,
			"Whether the FortiGate synchronises its clock to the NTP server (1) or not (0).",
			ntpLabels...),
		stratum: newMetric(namespace+"_system_ntp_stratum", gauge, "", ep,
			"Stratum of the NTP server. 16 means unsynchronised.",
			ntpLabels...),
		expires: newMetric(namespace+"_system_ntp_expires_seconds", gauge, "seconds", ep,
			"Value of expires for the NTP server as FortiOS reports it, read as seconds.",
			ntpLabels...),
		offset: newMetric(namespace+"_system_ntp_offset_seconds", gauge, "seconds", ep,
			"Offset of the local clock from the NTP server.",
			ntpLabels...),
		delay: newMetric(namespace+"_system_ntp_delay_seconds", gauge, "seconds", ep,
			"Round-trip delay to the NTP server.",
			ntpLabels...),
		dispersion: newMetric(namespace+"_system_ntp_dispersion_seconds", gauge, "seconds", ep,
			"Dispersion of the NTP server's clock.",
			ntpLabels...),
		peerDispersion: newMetric(namespace+"_system_ntp_dispersion_peer_seconds", gauge, "seconds", ep,
			"Peer dispersion of the samples from the NTP server.",
			ntpLabels...),
	}
}

func (c *ntpCollector) metrics() []*metric {
	return []*metric{
		c.info, c.reachable, c.selected, c.stratum, c.expires,
		c.offset, c.delay, c.dispersion, c.peerDispersion,
	}
}

type ntpServer struct {
	IP             text   `json:"ip"`
	Server         text   `json:"server"`
	Reachable      flag   `json:"reachable"`
	Selected       flag   `json:"selected"`
	Version        text   `json:"version"`
	Stratum        number `json:"stratum"`
	Expires        number `json:"expires"`
	Offset         number `json:"offset"`
	Delay          number `json:"delay"`
	Dispersion     number `json:"dispersion"`
	PeerDispersion number `json:"peer_dispersion"`
}

// parseNTPStatus decodes a system/ntp/status reply. The endpoint is global,
// so only the first envelope is used.
func parseNTPStatus(body []byte) ([]ntpServer, error) {
	envelopes, err := decodeEnvelopes(ntpEndpoint, body)
	if err != nil {
		return nil, err
	}
	if len(envelopes) == 0 {
		return nil, nil
	}
	return decodeList[ntpServer](ntpEndpoint, envelopes[0].Results)
}

func (c *ntpCollector) Update(ctx context.Context, t *Target, ch chan<- prometheus.Metric) error {
	body, err := t.API.Monitor(ctx, ntpEndpoint, nil)
	if err != nil {
		return err
	}

	servers, err := parseNTPStatus(body)
	if err != nil {
		return err
	}

	out := sink{ch: ch}
	for _, s := range servers {
		labels := []string{string(s.Server), string(s.IP)}

		out.add(c.info, 1, string(s.Server), string(s.IP), string(s.Version))
		if s.Reachable.ok {
			out.add(c.reachable, boolValue(s.Reachable.value), labels...)
		}
		if s.Selected.ok {
			out.add(c.selected, boolValue(s.Selected.value), labels...)
		}
		out.number(c.stratum, s.Stratum, labels...)
		out.number(c.expires, s.Expires, labels...)
		addDivided(&out, c.offset, s.Offset, 1000, labels...)
		addDivided(&out, c.delay, s.Delay, 1000, labels...)
		addDivided(&out, c.dispersion, s.Dispersion, 1000, labels...)
		addDivided(&out, c.peerDispersion, s.PeerDispersion, 1000, labels...)
	}
	return out.err
}

package collector

import (
	"context"
	"net/url"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/fortigate-session-exporter/fortigate_session_exporter/fgsession"
)

// The vpn_ssl collector reads GET /api/v2/monitor/vpn/ssl/stats per VDOM, the
// SSL VPN daemon's user, tunnel and connection counts, and vpn/ssl, the list
// of logged-in SSL VPN sessions. The session list gives counts only, so a VDOM
// with thousands of users still gets two series. One user can hold several
// sessions, for example a tunnel and a web mode login. A device without
// vpn/ssl (404 or 424) still gets the vpn/ssl/stats metrics.

const (
	sslStatsEndpoint    = "vpn/ssl/stats"
	sslSessionsEndpoint = "vpn/ssl"
)

type sslVPNCollector struct {
	users          *metric
	tunnels        *metric
	connections    *metric
	maxUsers       *metric
	maxTunnels     *metric
	maxConnections *metric
	conserveMode   *metric
	sessions       *metric
	sessionUsers   *metric
}

// NOTE: FortiOS does not document the max figures. The FortiOS 6.0 handbook
// sample of diagnose vpn ssl statistics shows a max of 2 users with 1 current
// user, so they are read as high-water marks, not limits. When they reset is
// not known.
func newSSLVPNCollector() *sslVPNCollector {
	const stats, list = sslStatsEndpoint, sslSessionsEndpoint
	gauge := prometheus.GaugeValue
	return &sslVPNCollector{
		users: newMetric(namespace+"_vpn_ssl_users", gauge, "", stats,
			"SSL VPN users logged in now.", "vdom"),
		tunnels: newMetric(namespace+"_vpn_ssl_tunnels", gauge, "", stats,
			"SSL VPN tunnels (tunnel mode) up now.", "vdom"),
		connections: newMetric(namespace+"_vpn_ssl_connections", gauge, "", stats,
			"SSL VPN connections open now, web and tunnel mode together.", "vdom"),
		maxUsers: newMetric(namespace+"_vpn_ssl_max_users", gauge, "", stats,
			"Highest number of SSL VPN users that FortiOS has recorded, a high-water mark and not a limit.",
			"vdom"),
		maxTunnels: newMetric(namespace+"_vpn_ssl_max_tunnels", gauge, "", stats,
			"Highest number of SSL VPN tunnels that FortiOS has recorded, a high-water mark and not a limit.",
			"vdom"),
		maxConnections: newMetric(namespace+"_vpn_ssl_max_connections", gauge, "", stats,
			"Highest number of SSL VPN connections that FortiOS has recorded, "+
				"a high-water mark and not a limit.",
			"vdom"),
		conserveMode: newMetric(namespace+"_vpn_ssl_conserve_mode", gauge, "", stats,
			"Whether SSL VPN is in its own conserve mode (1), in which it accepts no new connections "+
				"because free memory is low, or not (0).",
			"vdom"),
		sessions: newMetric(namespace+"_vpn_ssl_sessions", gauge, "", list,
			"SSL VPN sessions listed by vpn/ssl. One user can hold several sessions.",
			"vdom"),
		sessionUsers: newMetric(namespace+"_vpn_ssl_session_users", gauge, "", list,
			"Distinct user names among the SSL VPN sessions listed by vpn/ssl.",
			"vdom"),
	}
}

func (c *sslVPNCollector) metrics() []*metric {
	return []*metric{
		c.users, c.tunnels, c.connections, c.maxUsers, c.maxTunnels, c.maxConnections,
		c.conserveMode, c.sessions, c.sessionUsers,
	}
}

type sslVPNCounts struct {
	Users       number `json:"users"`
	Tunnels     number `json:"tunnels"`
	Connections number `json:"connections"`
}

type sslVPNStats struct {
	ConserveMode flag         `json:"conserve_mode"`
	Max          sslVPNCounts `json:"max"`
	Current      sslVPNCounts `json:"current"`
}

type sslVPNSession struct {
	UserName text `json:"user_name"`
}

func (c *sslVPNCollector) Update(ctx context.Context, t *Target, ch chan<- prometheus.Metric) error {
	query := url.Values{"vdom": {vdomQuery(t)}}
	body, err := t.API.Monitor(ctx, sslStatsEndpoint, query)
	if err != nil {
		return err
	}
	stats, err := parsePerVDOMObject[sslVPNStats](sslStatsEndpoint, body)
	if err != nil {
		return err
	}

	var sessions []vdomEntries[sslVPNSession]
	body, err = t.API.Monitor(ctx, sslSessionsEndpoint, query)
	switch {
	case err != nil && !fgsession.IsUnsupported(err):
		return err
	case err == nil:
		if sessions, err = parseVDOMLists[sslVPNSession](sslSessionsEndpoint, body); err != nil {
			return err
		}
	}

	out := sink{ch: ch}
	for _, s := range stats {
		c.emitStats(&out, s.vdom, s.result)
	}
	for _, entry := range sessions {
		c.emitSessions(&out, entry.vdom, entry.entries)
	}
	return out.err
}

func (c *sslVPNCollector) emitStats(out *sink, vdom string, s sslVPNStats) {
	out.number(c.users, s.Current.Users, vdom)
	out.number(c.tunnels, s.Current.Tunnels, vdom)
	out.number(c.connections, s.Current.Connections, vdom)
	out.number(c.maxUsers, s.Max.Users, vdom)
	out.number(c.maxTunnels, s.Max.Tunnels, vdom)
	out.number(c.maxConnections, s.Max.Connections, vdom)
	if s.ConserveMode.ok {
		out.add(c.conserveMode, boolValue(s.ConserveMode.value), vdom)
	}
}

// emitSessions sends the session and user counts of one VDOM. A session
// without a user name counts as a session but not as a user.
func (c *sslVPNCollector) emitSessions(out *sink, vdom string, sessions []sslVPNSession) {
	users := map[text]bool{}
	for _, s := range sessions {
		if s.UserName != "" {
			users[s.UserName] = true
		}
	}
	out.add(c.sessions, float64(len(sessions)), vdom)
	out.add(c.sessionUsers, float64(len(users)), vdom)
}

package collector

import (
	"testing"
)

const (
	sslStatsRequest    = "vpn/ssl/stats?vdom=%2A"
	sslSessionsRequest = "vpn/ssl?vdom=%2A"
)

func TestSSLVPNGolden(t *testing.T) {
	for _, release := range []string{"7.0", "7.4"} {
		t.Run(release, func(t *testing.T) { checkGolden(t, "vpn_ssl", release) })
	}
}

func TestSSLVPNQuirks(t *testing.T) {
	tests := []struct {
		name     string
		stats    reply
		sessions reply
		want     string
		wantErr  string
	}{
		{
			name: "one user with two sessions and a session without user name",
			stats: reply{body: `[{"results":{"conserve_mode":"true","max":{"users":"4","tunnels":3,
				"connections":9.0},"current":{"users":1,"tunnels":1,"connections":2}},"vdom":"root"}]`},
			sessions: reply{body: `[{"results":[{"user_name":"u1","subsessions":[]},
				{"user_name":"u1"},{"index":3}],"vdom":"root"}]`},
			want: `
				fortigate_vpn_ssl_connections{vdom="root"} 2
				fortigate_vpn_ssl_conserve_mode{vdom="root"} 1
				fortigate_vpn_ssl_max_connections{vdom="root"} 9
				fortigate_vpn_ssl_max_tunnels{vdom="root"} 3
				fortigate_vpn_ssl_max_users{vdom="root"} 4
				fortigate_vpn_ssl_session_users{vdom="root"} 1
				fortigate_vpn_ssl_sessions{vdom="root"} 3
				fortigate_vpn_ssl_tunnels{vdom="root"} 1
				fortigate_vpn_ssl_users{vdom="root"} 1
			`,
		},
		{
			name:     "empty stats and empty session lists",
			stats:    reply{body: `[{"results":{},"vdom":"root"},{"results":[],"vdom":"dmz"}]`},
			sessions: reply{body: `[{"results":[],"vdom":"root"},{"results":{},"vdom":"dmz"}]`},
			want: `
				fortigate_vpn_ssl_session_users{vdom="dmz"} 0
				fortigate_vpn_ssl_session_users{vdom="root"} 0
				fortigate_vpn_ssl_sessions{vdom="dmz"} 0
				fortigate_vpn_ssl_sessions{vdom="root"} 0
			`,
		},
		{
			name:     "stats without max",
			stats:    reply{body: `{"results":{"current":{"users":0}},"vdom":"dmz"}`},
			sessions: reply{body: `{"results":[],"vdom":"dmz"}`},
			want: `
				fortigate_vpn_ssl_session_users{vdom="dmz"} 0
				fortigate_vpn_ssl_sessions{vdom="dmz"} 0
				fortigate_vpn_ssl_users{vdom="dmz"} 0
			`,
		},
		{
			name:     "session list missing",
			stats:    reply{body: `[{"results":{"conserve_mode":false},"vdom":"root"}]`},
			sessions: reply{status: 404, body: `{"status":"error","http_status":404}`},
			want:     `fortigate_vpn_ssl_conserve_mode{vdom="root"} 0`,
		},
		{
			name:     "session list failing",
			stats:    reply{body: `[{"results":{"conserve_mode":false},"vdom":"root"}]`},
			sessions: reply{status: 500, body: `{"status":"error","http_status":500}`},
			wantErr:  "HTTP 500",
		},
		{
			name:     "conserve mode of the wrong type",
			stats:    reply{body: `[{"results":{"conserve_mode":"sometimes"},"vdom":"root"}]`},
			sessions: reply{body: `[]`},
			wantErr:  `decode vpn/ssl/stats reply: field results.conserve_mode: got string "sometimes", expected a boolean`,
		},
		{
			name:     "user name of the wrong type",
			stats:    reply{body: `[]`},
			sessions: reply{body: `[{"results":[{"user_name":"a"},{"user_name":{"id":1}}],"vdom":"root"}]`},
			wantErr:  "decode vpn/ssl reply: field results[1].user_name: got object, expected a string",
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			replies := map[string]reply{sslStatsRequest: tt.stats, sslSessionsRequest: tt.sessions}
			checkCollector(t, "vpn_ssl", replies, tt.want, tt.wantErr)
		})
	}
}

func TestSSLVPNUnsupported(t *testing.T) { checkUnsupported(t, "vpn_ssl") }

func FuzzSSLVPN(f *testing.F) {
	addFixtureSeeds(f, sslStatsEndpoint)
	addFixtureSeeds(f, sslSessionsEndpoint)
	for _, seed := range quirkSeeds {
		f.Add([]byte(seed))
	}
	f.Add([]byte(`[{"results":{"max":[],"current":{"users":"x"},"conserve_mode":2},"vdom":"root"}]`))
	f.Add([]byte(`[{"results":[{"user_name":1},{"user_name":null}],"vdom":"root"}]`))
	f.Fuzz(func(t *testing.T, body []byte) { fuzzCollector(t, "vpn_ssl", body) })
}

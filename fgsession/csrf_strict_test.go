package fgsession_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/fortigate-session-exporter/fortigate_session_exporter/fgsession"
	"github.com/fortigate-session-exporter/fortigate_session_exporter/fixtures"
)

// TestStrictCSRFReads runs the login flavours against devices that require
// X-CSRFTOKEN on reads of cookie sessions too, which FortiOS itself does only
// on writes. A session key sent as Bearer needs no CSRF token, so the cells
// that log in with one check that the key path still works in strict mode.
func TestStrictCSRFReads(t *testing.T) {
	for _, tc := range []struct {
		release string
		method  string
		banner  bool
		// wantMethod is the simulator's name for the login that must happen:
		// logincheck and auth_api_cookie give cookie sessions, auth_api_key a
		// session key.
		wantMethod string
	}{
		{"6.4.15", fgsession.MethodLogincheck, false, "logincheck"},
		{"7.0.17", fgsession.MethodLogincheck, false, "logincheck"},
		{"7.4.8", fgsession.MethodLogincheck, false, "logincheck"},
		{"7.4.8", fgsession.MethodLogincheck, true, "logincheck"},
		{"7.4.8", fgsession.MethodAPI, false, "auth_api_key"},
		{"7.4.8", fgsession.MethodAuto, false, "auth_api_key"},
		{"7.6.3", fgsession.MethodAPI, false, "auth_api_key"},
		{"7.6.4", fgsession.MethodAPI, false, "auth_api_cookie"},
		{"7.6.4", fgsession.MethodAPI, true, "auth_api_cookie"},
		{"7.6.4", fgsession.MethodAuto, false, "auth_api_cookie"},
	} {
		name := fmt.Sprintf("%s/%s", tc.release, tc.method)
		if tc.banner {
			name += "/post-login-banner"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			sim, srv := startSim(t, fixtures.Options{Release: tc.release, StrictCSRF: true,
				PostLoginBanner: tc.banner})
			defer sim.Close()
			m := fgsession.NewManager(fgsession.ManagerOptions{LoginBackoff: time.Hour})
			client := m.Client(newTarget(t, srv, tc.method, simPassword))

			for i := 1; i <= 2; i++ {
				body, err := client.Monitor(ctxTimeout(t, 10*time.Second), "system/status", nil)
				if err != nil {
					t.Fatalf("request %d: %v", i, err)
				}
				if len(body) == 0 {
					t.Fatalf("request %d: empty body", i)
				}
			}

			st := sim.Stats()
			if st.Logins != 1 {
				t.Errorf("logins = %d, want 1 for two requests", st.Logins)
			}
			if got := st.LoginsByMethod[tc.wantMethod]; got != 1 {
				t.Errorf("logins by method = %v, want one %s", st.LoginsByMethod, tc.wantMethod)
			}
			if st.Forbidden != 0 {
				t.Errorf("forbidden = %d, want 0: a request went without the CSRF token", st.Forbidden)
			}
			if st.MonitorRequests != 2 {
				t.Errorf("monitor requests = %d, want 2", st.MonitorRequests)
			}

			// The logout of the memory store's session is a write, so it
			// needs the CSRF token in every mode.
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			m.Close(ctx)
			st = sim.Stats()
			if st.Logouts != 1 || st.ActiveSessions != 0 {
				t.Errorf("after Close: logouts = %d, active sessions = %d, want 1 and 0",
					st.Logouts, st.ActiveSessions)
			}
			if st.Forbidden != 0 {
				t.Errorf("after Close: forbidden = %d, want 0", st.Forbidden)
			}
		})
	}
}

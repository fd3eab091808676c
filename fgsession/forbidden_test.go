package fgsession_test

import (
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/fortigate-session-exporter/fortigate_session_exporter/fgsession"
	"github.com/fortigate-session-exporter/fortigate_session_exporter/fixtures"
)

func TestForbiddenVDOMErrors(t *testing.T) {
	sim, srv := startSim(t, fixtures.Options{AdminVDOMs: []string{"dmz"}})
	defer sim.Close()
	m := fgsession.NewManager(fgsession.ManagerOptions{LoginBackoff: time.Hour})
	client := m.Client(newTarget(t, srv, fgsession.MethodAPI, simPassword))

	for _, tc := range []struct {
		name     string
		endpoint string
		query    url.Values
		// want are parts of the error message, each checked on its own.
		want []string
		// notWant must not be in the message.
		notWant string
	}{
		{
			name:     "hidden vdom",
			endpoint: "system/interface",
			query:    url.Values{"vdom": {"root"}},
			want: []string{`GET system/interface?vdom=root: HTTP 403`, `permission denied for VDOM "root"`,
				"not in the admin's VDOM list", "access profile", "target's vdoms setting"},
		},
		{
			name:     "hidden vdom in a list",
			endpoint: "firewall/policy",
			query:    url.Values{"vdom": {"dmz,root"}},
			want:     []string{`GET firewall/policy?vdom=dmz,root: HTTP 403`, `permission denied for VDOM "root"`},
			notWant:  `VDOM "dmz"`,
		},
		{
			name:     "unknown vdom",
			endpoint: "system/status",
			query:    url.Values{"vdom": {"branch"}},
			want:     []string{`permission denied for VDOM "branch"`, "does not exist"},
		},
		{
			name:     "global scope",
			endpoint: "system/ha-checksums",
			query:    url.Values{"scope": {"global"}},
			want: []string{`GET system/ha-checksums?scope=global: HTTP 403`,
				"permission denied for the global scope", "VDOM admin"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := client.Monitor(ctxTimeout(t, 10*time.Second), tc.endpoint, tc.query)
			var apiErr *fgsession.APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("error = %v, want an *fgsession.APIError", err)
			}
			if apiErr.StatusCode != 403 {
				t.Errorf("status = %d, want 403", apiErr.StatusCode)
			}
			if !fgsession.IsForbidden(err) {
				t.Errorf("IsForbidden = false for %v", err)
			}
			if fgsession.IsUnsupported(err) {
				t.Errorf("IsUnsupported = true for %v", err)
			}
			for _, part := range tc.want {
				if !strings.Contains(err.Error(), part) {
					t.Errorf("error %q does not contain %q", err, part)
				}
			}
			if tc.notWant != "" && strings.Contains(err.Error(), tc.notWant) {
				t.Errorf("error %q contains %q", err, tc.notWant)
			}
		})
	}

	// A 403 is about the request, not the session: nothing logs in again.
	if _, err := client.Monitor(ctxTimeout(t, 10*time.Second), "system/interface",
		url.Values{"vdom": {"*"}}); err != nil {
		t.Fatalf("vdom=* for the visible VDOMs: %v", err)
	}
	if got := sim.Stats().Logins; got != 1 {
		t.Errorf("logins = %d, want 1", got)
	}
}

func TestForbiddenVDOMWildcard(t *testing.T) {
	sim, srv := startSim(t, fixtures.Options{AdminVDOMs: []string{"dmz"}, VDOMWildcardForbidden: true})
	defer sim.Close()
	m := fgsession.NewManager(fgsession.ManagerOptions{LoginBackoff: time.Hour})
	client := m.Client(newTarget(t, srv, fgsession.MethodAPI, simPassword))

	_, err := client.Monitor(ctxTimeout(t, 10*time.Second), "system/interface", url.Values{"vdom": {"*"}})
	if !fgsession.IsForbidden(err) {
		t.Fatalf("error = %v, want a 403 APIError", err)
	}
	for _, part := range []string{"GET system/interface?vdom=*: HTTP 403", "permission denied for vdom=*",
		"list its VDOMs in the target's vdoms setting"} {
		if !strings.Contains(err.Error(), part) {
			t.Errorf("error %q does not contain %q", err, part)
		}
	}
}

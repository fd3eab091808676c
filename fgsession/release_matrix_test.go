package fgsession_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/fortigate-session-exporter/fortigate_session_exporter/fgsession"
	"github.com/fortigate-session-exporter/fortigate_session_exporter/fixtures"
)

var matrixReleases = []string{"6.4.15", "7.0.17", "7.2.10", "7.4.8", "7.6.3", "7.6.4"}

// expectedLogin returns "" when the login method works on the release, or the
// LoginError reason it fails with. /logincheck has issued no usable session
// since FortiOS 7.6.3; /api/v2/authentication exists from 6.4.2, so every
// modelled release has it. Banners are acknowledged by both flavours.
func expectedLogin(release, method string) string {
	if method == fgsession.MethodLogincheck && (release == "7.6.3" || release == "7.6.4") {
		return fgsession.ReasonNoSession
	}
	return ""
}

func TestReleaseLoginMatrix(t *testing.T) {
	const token = "matrix-Token-0123456789abcdef"
	methods := []string{fgsession.MethodAuto, fgsession.MethodAPI, fgsession.MethodLogincheck, fgsession.MethodToken}
	banners := []string{"none", "post", "pre"}
	for _, release := range matrixReleases {
		for _, method := range methods {
			for _, banner := range banners {
				name := fmt.Sprintf("%s/%s/%s", release, method, banner)
				t.Run(name, func(t *testing.T) {
					t.Parallel()
					opts := fixtures.Options{Release: release, Tokens: []string{token},
						PostLoginBanner: banner == "post", PreLoginBanner: banner == "pre"}
					sim, srv := startSim(t, opts)
					defer sim.Close()
					m := fgsession.NewManager(fgsession.ManagerOptions{LoginBackoff: time.Hour})
					target := newTarget(t, srv, method, simPassword)
					if method == fgsession.MethodToken {
						target.Username, target.Password, target.Token = "", "", token
					}
					client := m.Client(target)

					_, err := client.Monitor(ctxTimeout(t, 10*time.Second), "system/status", nil)
					want := expectedLogin(release, method)
					if want == "" {
						if err != nil {
							t.Fatalf("want a working login, got %v", err)
						}
						wantLogins := 1
						if method == fgsession.MethodToken {
							wantLogins = 0
						}
						if got := sim.Stats().Logins; got != wantLogins {
							t.Errorf("logins = %d, want %d", got, wantLogins)
						}
						// A second request reuses the session.
						if _, err := client.Monitor(ctxTimeout(t, 10*time.Second), "system/status", nil); err != nil {
							t.Fatalf("second request: %v", err)
						}
						if got := sim.Stats().Logins; got != wantLogins {
							t.Errorf("logins after a second request = %d, want %d", got, wantLogins)
						}
						return
					}
					var loginErr *fgsession.LoginError
					if !errors.As(err, &loginErr) || loginErr.Reason != want {
						t.Fatalf("error = %v, want a LoginError with reason %s", err, want)
					}
				})
			}
		}
	}
}

func TestAdminSettingsLoginErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		opts   fixtures.Options
		method string
		reason string
	}{
		{"two-factor api", fixtures.Options{TwoFactorCode: "123456"}, fgsession.MethodAPI, fgsession.ReasonTwoFactor},
		{"two-factor logincheck", fixtures.Options{TwoFactorCode: "123456"}, fgsession.MethodLogincheck, fgsession.ReasonTwoFactor},
		{"password change api", fixtures.Options{PasswordChangeRequired: true}, fgsession.MethodAPI, fgsession.ReasonPasswordChange},
		{"password change logincheck", fixtures.Options{PasswordChangeRequired: true}, fgsession.MethodLogincheck, fgsession.ReasonPasswordChange},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sim, srv := startSim(t, tc.opts)
			defer sim.Close()
			m := fgsession.NewManager(fgsession.ManagerOptions{LoginBackoff: time.Hour})
			client := m.Client(newTarget(t, srv, tc.method, simPassword))

			err := client.Ready(ctxTimeout(t, 5*time.Second))
			var loginErr *fgsession.LoginError
			if !errors.As(err, &loginErr) || loginErr.Reason != tc.reason {
				t.Fatalf("error = %v, want a LoginError with reason %s", err, tc.reason)
			}
			// The demand starts a back-off instead of a retry loop.
			err = client.Ready(ctxTimeout(t, 5*time.Second))
			var backoffErr *fgsession.BackoffError
			if !errors.As(err, &backoffErr) || backoffErr.Reason != tc.reason {
				t.Fatalf("second Ready = %v, want a BackoffError with reason %s", err, tc.reason)
			}
			if got := sim.Stats().Logins; got != 0 {
				t.Errorf("logins = %d, want 0", got)
			}
		})
	}
}

func TestAdminLoginMaxBacksOffUntilSlotFrees(t *testing.T) {
	sim, srv := startSim(t, fixtures.Options{AdminLoginMax: 1})
	defer sim.Close()
	// Another admin takes the only session slot.
	other := fgsession.NewManager(fgsession.ManagerOptions{})
	otherTarget := newTarget(t, srv, fgsession.MethodAPI, simPassword)
	if err := other.Client(otherTarget).Ready(ctxTimeout(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}

	m := fgsession.NewManager(fgsession.ManagerOptions{LoginBackoff: 300 * time.Millisecond})
	client := m.Client(newTarget(t, srv, fgsession.MethodAPI, simPassword))
	err := client.Ready(ctxTimeout(t, 5*time.Second))
	var loginErr *fgsession.LoginError
	if !errors.As(err, &loginErr) {
		t.Fatalf("login with the session table full = %v, want a LoginError", err)
	}
	if !strings.Contains(err.Error(), "admin-login-max") {
		t.Errorf("error does not mention admin-login-max: %v", err)
	}
	var backoffErr *fgsession.BackoffError
	if err := client.Ready(ctxTimeout(t, 5*time.Second)); !errors.As(err, &backoffErr) {
		t.Fatalf("Ready right after = %v, want a BackoffError", err)
	}

	other.Close(context.Background()) // logs out, freeing the slot
	time.Sleep(350 * time.Millisecond)
	if err := client.Ready(ctxTimeout(t, 5*time.Second)); err != nil {
		t.Fatalf("Ready after the slot freed and the back-off ended = %v", err)
	}
	if got := sim.Stats().FailedLogins; got != 1 {
		t.Errorf("failed logins = %d, want 1", got)
	}
}

package fgsession_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/fortigate-session-exporter/fortigate_session_exporter/fgsession"
	"github.com/fortigate-session-exporter/fortigate_session_exporter/fixtures"
)

const simPassword = "unit-Secret-9f3a"

// startSim serves a simulated FortiGate over HTTPS for one test.
func startSim(t *testing.T, opts fixtures.Options) (*fixtures.Simulator, *httptest.Server) {
	t.Helper()
	if opts.Password == "" {
		opts.Password = simPassword
	}
	sim, err := fixtures.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewTLSServer(sim.Handler())
	t.Cleanup(srv.Close)
	return sim, srv
}

func newTarget(t *testing.T, srv *httptest.Server, method, password string) *fgsession.Target {
	t.Helper()
	u, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	return &fgsession.Target{
		Name: "fw", BaseURL: u, Username: "admin", Password: password,
		LoginMethod: method, TTL: time.Hour, HTTPClient: srv.Client(),
	}
}

func ctxTimeout(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

func TestLoginMethods(t *testing.T) {
	for _, method := range []string{fgsession.MethodAuto, fgsession.MethodAPI, fgsession.MethodLogincheck} {
		t.Run(method, func(t *testing.T) {
			sim, srv := startSim(t, fixtures.Options{Release: "7.4.8"})
			m := fgsession.NewManager(fgsession.ManagerOptions{ReplicaID: "r1"})
			target := newTarget(t, srv, method, simPassword)
			m.AddTarget(target)
			client := m.Client(target)

			body, err := client.Monitor(ctxTimeout(t, 10*time.Second), "system/status", nil)
			if err != nil {
				t.Fatalf("Monitor: %v", err)
			}
			if !strings.Contains(string(body), `"results"`) {
				t.Errorf("system/status answer has no results: %.200s", body)
			}
			if got := sim.Stats().Logins; got != 1 {
				t.Errorf("logins = %d, want 1", got)
			}
			info := m.Info(target)
			if !info.Valid || info.Generation != 1 || info.Owner != "r1" {
				t.Errorf("Info = %+v, want valid, generation 1, owner r1", info)
			}

			m.Close(context.Background())
			if got := sim.Stats().ActiveSessions; got != 0 {
				t.Errorf("active sessions after Close with the memory store = %d, want 0", got)
			}
		})
	}
}

func TestConcurrentSessionsOneLogin(t *testing.T) {
	sim, srv := startSim(t, fixtures.Options{})
	m := fgsession.NewManager(fgsession.ManagerOptions{})
	target := newTarget(t, srv, "", simPassword)
	client := m.Client(target)

	var wg sync.WaitGroup
	errs := make(chan error, 50)
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := client.Monitor(ctxTimeout(t, 10*time.Second), "system/status", nil); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if got := sim.Stats().Logins; got != 1 {
		t.Errorf("logins = %d, want 1", got)
	}
}

// Two managers on one MemoryStore stand in for two replicas on one Redis:
// the protocol is the same, only the store's transport differs.
func TestExpiredSessionOneRelogin(t *testing.T) {
	sim, srv := startSim(t, fixtures.Options{})
	shared := fgsession.NewMemoryStore()
	var clients []*fgsession.Client
	for i := 0; i < 3; i++ {
		m := fgsession.NewManager(fgsession.ManagerOptions{Store: shared, Recheck: time.Millisecond})
		clients = append(clients, m.Client(newTarget(t, srv, "", simPassword)))
	}
	scrapeAll := func() {
		var wg sync.WaitGroup
		for i := 0; i < 30; i++ {
			wg.Add(1)
			go func(c *fgsession.Client) {
				defer wg.Done()
				if _, err := c.Monitor(ctxTimeout(t, 10*time.Second), "system/status", nil); err != nil {
					t.Error(err)
				}
			}(clients[i%len(clients)])
		}
		wg.Wait()
	}
	scrapeAll()
	if got := sim.Stats().Logins; got != 1 {
		t.Fatalf("logins after the first round = %d, want 1", got)
	}
	sim.ExpireSessions()
	scrapeAll()
	if got := sim.Stats().Logins; got != 2 {
		t.Errorf("logins after expiring the session = %d, want 2", got)
	}
}

func TestRejectedLoginBacksOff(t *testing.T) {
	sim, srv := startSim(t, fixtures.Options{})
	shared := fgsession.NewMemoryStore()
	m1 := fgsession.NewManager(fgsession.ManagerOptions{Store: shared, LoginBackoff: time.Hour})
	m2 := fgsession.NewManager(fgsession.ManagerOptions{Store: shared, LoginBackoff: time.Hour})
	wrong := "wrong-Password-1"

	err := m1.Client(newTarget(t, srv, "", wrong)).Ready(ctxTimeout(t, 5*time.Second))
	var loginErr *fgsession.LoginError
	if !errors.As(err, &loginErr) || loginErr.Reason != fgsession.ReasonBadCredentials {
		t.Fatalf("first Ready error = %v, want a LoginError with reason %s", err, fgsession.ReasonBadCredentials)
	}
	for _, m := range []*fgsession.Manager{m1, m2} {
		err = m.Client(newTarget(t, srv, "", wrong)).Ready(ctxTimeout(t, 5*time.Second))
		var backoffErr *fgsession.BackoffError
		if !errors.As(err, &backoffErr) {
			t.Fatalf("Ready during back-off = %v, want a BackoffError", err)
		}
	}
	if got := sim.Stats().FailedLogins; got != 1 {
		t.Errorf("failed logins = %d, want 1 (no login during the back-off)", got)
	}
	for _, msg := range []string{err.Error(), loginErr.Error()} {
		if strings.Contains(msg, wrong) {
			t.Errorf("error message contains the password: %s", msg)
		}
	}
}

func TestTokenTargetNeedsNoSession(t *testing.T) {
	token := "tok3n-Value-abcdef0123456789"
	sim, srv := startSim(t, fixtures.Options{Tokens: []string{token}})
	m := fgsession.NewManager(fgsession.ManagerOptions{})
	target := newTarget(t, srv, fgsession.MethodToken, "")
	target.Token = token
	if _, err := m.Client(target).Monitor(ctxTimeout(t, 5*time.Second), "system/status", nil); err != nil {
		t.Fatal(err)
	}
	if got := sim.Stats().Logins; got != 0 {
		t.Errorf("logins = %d, want 0 for a token target", got)
	}

	target.Token = "not-the-token"
	_, err := m.Client(target).Monitor(ctxTimeout(t, 5*time.Second), "system/status", nil)
	var apiErr *fgsession.APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusUnauthorized {
		t.Fatalf("wrong token: error = %v, want an APIError with HTTP 401", err)
	}
	if strings.Contains(err.Error(), "not-the-token") {
		t.Errorf("error message contains the token: %v", err)
	}
}

func TestUntrustedCertificateNamesTheFix(t *testing.T) {
	_, srv := startSim(t, fixtures.Options{})
	target := newTarget(t, srv, "", simPassword)
	target.HTTPClient = &http.Client{} // system roots: the simulator's certificate is unknown
	err := fgsession.NewManager(fgsession.ManagerOptions{}).Client(target).Ready(ctxTimeout(t, 5*time.Second))
	var connErr *fgsession.ConnError
	if !errors.As(err, &connErr) {
		t.Fatalf("Ready = %v, want a ConnError", err)
	}
	if got := connErr.FailureReason(); got != "tls_certificate" {
		t.Errorf("FailureReason = %q, want tls_certificate", got)
	}
	if !strings.Contains(err.Error(), "FORTIGATE_CA_FILE") {
		t.Errorf("error does not name the setting that fixes it: %v", err)
	}
}

func TestForeignBackoffIsShortened(t *testing.T) {
	_, srv := startSim(t, fixtures.Options{})
	shared := fgsession.NewMemoryStore()
	target := newTarget(t, srv, "", simPassword)
	far := time.Now().Add(100 * 365 * 24 * time.Hour)
	if err := shared.SetBackoff(context.Background(), target.SessionID(),
		fgsession.Backoff{Failures: 1000000, Reason: "foreign", RetryAt: far, Until: far}); err != nil {
		t.Fatal(err)
	}
	m := fgsession.NewManager(fgsession.ManagerOptions{Store: shared, LoginBackoffMax: time.Minute})
	err := m.Client(target).Ready(ctxTimeout(t, 5*time.Second))
	var backoffErr *fgsession.BackoffError
	if !errors.As(err, &backoffErr) {
		t.Fatalf("Ready = %v, want a BackoffError", err)
	}
	if limit := time.Now().Add(time.Minute + time.Second); backoffErr.RetryAt.After(limit) {
		t.Errorf("RetryAt = %v, want at most --session.login-backoff-max from now", backoffErr.RetryAt)
	}
	stored, err := shared.GetBackoff(context.Background(), target.SessionID())
	if err != nil || stored == nil {
		t.Fatalf("GetBackoff = %v, %v", stored, err)
	}
	if stored.RetryAt.After(time.Now().Add(time.Minute + time.Second)) {
		t.Errorf("stored RetryAt = %v, want it shortened in the store", stored.RetryAt)
	}
}

func TestRemovedTargetLeavesMetrics(t *testing.T) {
	m := fgsession.NewManager(fgsession.ManagerOptions{})
	base, _ := url.Parse("https://127.0.0.1:1")
	for _, name := range []string{"kept", "renamed"} {
		m.AddTarget(&fgsession.Target{Name: name, BaseURL: base, Username: name})
	}
	m.RemoveTargetsExcept(map[string]bool{"kept": true})

	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(m)
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	seenKept := false
	for _, mf := range families {
		for _, metric := range mf.GetMetric() {
			for _, l := range metric.GetLabel() {
				if l.GetName() != "target" {
					continue
				}
				if l.GetValue() == "renamed" {
					t.Errorf("%s still has a series for the removed target", mf.GetName())
				}
				if l.GetValue() == "kept" {
					seenKept = true
				}
			}
		}
	}
	if !seenKept {
		t.Error("no series left for the kept target")
	}
}

func TestLoginServerErrorNoBackoff(t *testing.T) {
	sim, srv := startSim(t, fixtures.Options{})
	sim.SetFault("/api/v2/authentication", fixtures.Fault{Status: http.StatusInternalServerError})
	m := fgsession.NewManager(fgsession.ManagerOptions{})
	client := m.Client(newTarget(t, srv, fgsession.MethodAPI, simPassword))
	for i := 0; i < 2; i++ {
		err := client.Ready(ctxTimeout(t, 5*time.Second))
		var backoffErr *fgsession.BackoffError
		var loginErr *fgsession.LoginError
		if err == nil || errors.As(err, &backoffErr) || errors.As(err, &loginErr) {
			t.Fatalf("attempt %d with login answering 500: %v, want a transient error", i, err)
		}
	}
	sim.ClearFaults()
	if err := client.Ready(ctxTimeout(t, 5*time.Second)); err != nil {
		t.Fatalf("Ready after the fault cleared: %v", err)
	}
}

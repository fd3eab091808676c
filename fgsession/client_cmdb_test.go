package fgsession_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/fortigate-session-exporter/fortigate_session_exporter/fgsession"
	"github.com/fortigate-session-exporter/fortigate_session_exporter/fixtures"
)

func TestCMDBReadsTable(t *testing.T) {
	sim, srv := startSim(t, fixtures.Options{Release: "7.4.8"})
	m := fgsession.NewManager(fgsession.ManagerOptions{})
	client := m.Client(newTarget(t, srv, "", simPassword))

	body, err := client.CMDB(ctxTimeout(t, 10*time.Second), "/firewall/policy/",
		url.Values{"vdom": {"*"}, "format": {"policyid|name"}})
	if err != nil {
		t.Fatalf("CMDB: %v", err)
	}
	var envs []struct {
		VDOM       string `json:"vdom"`
		HTTPStatus int    `json:"http_status"`
		Results    []struct {
			PolicyID int    `json:"policyid"`
			Name     string `json:"name"`
		} `json:"results"`
	}
	if err := json.Unmarshal(body, &envs); err != nil {
		t.Fatalf("CMDB body is not an envelope array: %v", err)
	}
	if len(envs) != 2 || envs[0].VDOM != "root" || envs[0].HTTPStatus != http.StatusOK {
		t.Fatalf("envelopes %+v, want root and dmz with http_status 200", envs)
	}
	if p := envs[0].Results[0]; p.PolicyID != 1 || p.Name != "lan-to-internet" {
		t.Errorf("first policy %+v, want 1 lan-to-internet", p)
	}

	stats := sim.Stats()
	if stats.CMDBRequests != 1 || stats.MonitorRequests != 0 {
		t.Errorf("CMDB requests %d, monitor requests %d, want 1 and 0", stats.CMDBRequests, stats.MonitorRequests)
	}
	if stats.Logins != 1 {
		t.Errorf("logins = %d, want 1", stats.Logins)
	}
}

func TestCMDBErrorNamesTable(t *testing.T) {
	sim, srv := startSim(t, fixtures.Options{})
	m := fgsession.NewManager(fgsession.ManagerOptions{})
	client := m.Client(newTarget(t, srv, "", simPassword))

	sim.SetFault("cmdb/firewall/policy", fixtures.Fault{Status: http.StatusForbidden})
	_, err := client.CMDB(ctxTimeout(t, 10*time.Second), "firewall/policy", url.Values{"vdom": {"*"}})
	var apiErr *fgsession.APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("CMDB error = %v, want an APIError", err)
	}
	if apiErr.StatusCode != http.StatusForbidden || apiErr.Endpoint != "cmdb/firewall/policy" {
		t.Errorf("APIError status %d endpoint %q, want 403 and cmdb/firewall/policy",
			apiErr.StatusCode, apiErr.Endpoint)
	}
	if !strings.Contains(err.Error(), "GET cmdb/firewall/policy") {
		t.Errorf("error %q does not name GET cmdb/firewall/policy", err)
	}

	_, err = client.CMDB(ctxTimeout(t, 10*time.Second), "system/global", nil)
	if !fgsession.IsUnsupported(err) {
		t.Errorf("CMDB of a table without fixture: error = %v, want an unsupported APIError", err)
	}
}

func TestCMDBExpiredSessionOneRelogin(t *testing.T) {
	sim, srv := startSim(t, fixtures.Options{})
	m := fgsession.NewManager(fgsession.ManagerOptions{})
	client := m.Client(newTarget(t, srv, "", simPassword))

	if _, err := client.CMDB(ctxTimeout(t, 10*time.Second), "firewall/policy", nil); err != nil {
		t.Fatal(err)
	}
	sim.ExpireSessions()
	if _, err := client.CMDB(ctxTimeout(t, 10*time.Second), "firewall/policy", nil); err != nil {
		t.Fatalf("CMDB after the session ended: %v", err)
	}
	if got := sim.Stats().Logins; got != 2 {
		t.Errorf("logins = %d, want 2 (one new login after the 401)", got)
	}
	// The monitor API uses the new session without another login.
	if _, err := client.Monitor(ctxTimeout(t, 10*time.Second), "system/status", nil); err != nil {
		t.Fatal(err)
	}
	if got := sim.Stats().Logins; got != 2 {
		t.Errorf("logins after a monitor request = %d, want 2", got)
	}
}

package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fortigate-session-exporter/fortigate_session_exporter/fixtures"
)

// syncBuffer is a bytes.Buffer safe for the server goroutine and the test.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

const testPassword = "Sim-Passw0rd-42"

// startProgram runs the program on a free loopback port and returns its URL and a
// client that trusts the certificate it wrote.
func startProgram(t *testing.T, extraArgs ...string) (string, *http.Client, *syncBuffer, *syncBuffer) {
	t.Helper()
	dir := t.TempDir()
	pwFile := filepath.Join(dir, "password")
	if err := os.WriteFile(pwFile, []byte(testPassword+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	caFile := filepath.Join(dir, "ca.pem")
	args := append([]string{
		"--web.listen-address=127.0.0.1:0",
		"--password-file=" + pwFile,
		"--tls.write-ca-file=" + caFile,
		"--log.level=debug",
	}, extraArgs...)

	ctx, cancel := context.WithCancel(context.Background())
	stdout, stderr := &syncBuffer{}, &syncBuffer{}
	ready := make(chan string, 1)
	done := make(chan int, 1)
	go func() { done <- run(ctx, args, stdout, stderr, ready) }()
	t.Cleanup(func() {
		cancel()
		select {
		case code := <-done:
			if code != 0 {
				t.Errorf("exit code %d, expected 0; log:\n%s", code, stderr.String())
			}
		case <-time.After(10 * time.Second):
			t.Errorf("program did not stop within 10s")
		}
	})

	var url string
	select {
	case url = <-ready:
	case code := <-done:
		t.Fatalf("program exited with %d: %s", code, stderr.String())
	case <-time.After(10 * time.Second):
		t.Fatal("program did not start within 10s")
	}

	pemData, err := os.ReadFile(caFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pemData) {
		t.Fatal("the written certificate file contains no PEM certificate")
	}
	client := &http.Client{
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}},
		Timeout:   10 * time.Second,
	}
	t.Cleanup(client.CloseIdleConnections)
	return url, client, stdout, stderr
}

func TestProgramServesSimulator(t *testing.T) {
	url, client, stdout, stderr := startProgram(t, "--fortios-version=7.4")

	if got := strings.TrimSpace(stdout.String()); got != url {
		t.Errorf("stdout = %q, expected the URL %q", got, url)
	}
	if !strings.HasPrefix(url, "https://127.0.0.1:") {
		t.Errorf("URL %q is not https on 127.0.0.1", url)
	}

	body := `{"username":"admin","secretkey":"` + testPassword + `","request_key":true}`
	resp, err := client.Post(url+"/api/v2/authentication", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatalf("login over verified TLS: %v", err)
	}
	var login map[string]any
	err = json.NewDecoder(resp.Body).Decode(&login)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	key, _ := login["session_key"].(string)
	if login["status_code"] != float64(5) || key == "" {
		t.Fatalf("login reply %v, expected status_code 5 and a session_key", login)
	}

	req, _ := http.NewRequest("GET", url+"/api/v2/monitor/system/status", nil)
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err = client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	status, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(status), `"version":"v7.4.8"`) {
		t.Errorf("system/status: %d %s", resp.StatusCode, status)
	}

	// The cookie names carry the port the program listens on.
	resp, err = client.Post(url+"/logincheck", "application/x-www-form-urlencoded",
		strings.NewReader("username=admin&secretkey="+testPassword))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	port := url[strings.LastIndex(url, ":")+1:]
	found := false
	for _, c := range resp.Cookies() {
		if strings.HasPrefix(c.Name, "ccsrftoken_"+port+"_") {
			found = true
		}
	}
	if !found {
		t.Errorf("no ccsrftoken_%s_* cookie in %v", port, resp.Cookies())
	}

	resp, err = client.Get(url + "/sim/stats")
	if err != nil {
		t.Fatal(err)
	}
	var stats map[string]any
	err = json.NewDecoder(resp.Body).Decode(&stats)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	if stats["logins"] != float64(2) || stats["active_sessions"] != float64(2) {
		t.Errorf("stats = %v, expected 2 logins and 2 active sessions", stats)
	}

	logs := stderr.String()
	if strings.Contains(logs, testPassword) || strings.Contains(logs, key) {
		t.Errorf("the log contains the password or the session key:\n%s", logs)
	}
	if !strings.Contains(logs, "fortigate-sim listening") {
		t.Errorf("the log has no start line:\n%s", logs)
	}
}

func TestProgramFaultFlag(t *testing.T) {
	url, client, _, _ := startProgram(t, "--fault=/api/v2/authentication=status:500,delay:10ms",
		"--fault=system/status=status:424")
	resp, err := client.Post(url+"/logincheck", "application/x-www-form-urlencoded",
		strings.NewReader("username=admin&secretkey="+testPassword))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var csrf string
	for _, c := range resp.Cookies() {
		if strings.HasPrefix(c.Name, "ccsrftoken") {
			csrf = c.Value
		}
	}
	req, _ := http.NewRequest("GET", url+"/api/v2/monitor/system/status", nil)
	for _, c := range resp.Cookies() {
		req.AddCookie(c)
	}
	req.Header.Set("X-CSRFTOKEN", strings.Trim(csrf, `"`))
	resp, err = client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 424 {
		t.Errorf("system/status with a status:424 fault: %d", resp.StatusCode)
	}
}

func TestParseFlags(t *testing.T) {
	dir := t.TempDir()
	pw := filepath.Join(dir, "pw")
	tokens := filepath.Join(dir, "tokens")
	empty := filepath.Join(dir, "empty")
	os.WriteFile(pw, []byte("secret\r\n"), 0o600)
	os.WriteFile(tokens, []byte("# REST API admins\ntok-one\n\ntok-two\n"), 0o600)
	os.WriteFile(empty, nil, 0o600)

	tests := []struct {
		name    string
		args    []string
		wantErr string
		check   func(t *testing.T, c *config)
	}{
		{name: "defaults", args: []string{"--password-file=" + pw}, check: func(t *testing.T, c *config) {
			if c.listenAddress != "127.0.0.1:8443" {
				t.Errorf("listen address %q, expected 127.0.0.1:8443", c.listenAddress)
			}
			if c.opts.Password != "secret" {
				t.Errorf("password not read without its line end")
			}
			if !c.opts.BindSourceIP || c.opts.DisableAdminConcurrent {
				t.Errorf("bind %v, concurrent disabled %v, expected true and false",
					c.opts.BindSourceIP, c.opts.DisableAdminConcurrent)
			}
			if c.opts.IdleTimeout != 5*time.Minute || c.opts.LockoutThreshold != 3 ||
				c.opts.LockoutDuration != time.Minute || c.opts.AdminLoginMax != 100 {
				t.Errorf("FortiOS defaults not set: %+v", c.opts)
			}
			if strings.Join(c.opts.VDOMs, ",") != "root,dmz" {
				t.Errorf("vdoms %v, expected root,dmz", c.opts.VDOMs)
			}
			if len(c.opts.AdminVDOMs) != 0 || c.opts.VDOMWildcardForbidden {
				t.Errorf("admin vdoms %v, wildcard forbidden %v, expected every VDOM and false",
					c.opts.AdminVDOMs, c.opts.VDOMWildcardForbidden)
			}
		}},
		{name: "token file only", args: []string{"--token-file=" + tokens}, check: func(t *testing.T, c *config) {
			if strings.Join(c.opts.Tokens, ",") != "tok-one,tok-two" {
				t.Errorf("tokens %v, expected tok-one and tok-two", c.opts.Tokens)
			}
		}},
		{name: "settings", args: []string{"--password-file=" + pw, "--no-bind-source-ip", "--no-admin-concurrent",
			"--trusted-host=10.0.0.0/8", "--trusted-host=127.0.0.1", "--hang", "--vdoms=root, a ,b"},
			check: func(t *testing.T, c *config) {
				if c.opts.BindSourceIP || !c.opts.DisableAdminConcurrent {
					t.Errorf("bind %v, concurrent disabled %v", c.opts.BindSourceIP, c.opts.DisableAdminConcurrent)
				}
				if len(c.opts.TrustedHosts) != 2 || c.opts.TrustedHosts[1].String() != "127.0.0.1/32" {
					t.Errorf("trusted hosts %v", c.opts.TrustedHosts)
				}
				if !c.opts.Faults["*"].Hang {
					t.Errorf("--hang set no * fault")
				}
				if strings.Join(c.opts.VDOMs, ",") != "root,a,b" {
					t.Errorf("vdoms %v", c.opts.VDOMs)
				}
			}},
		{name: "admin vdoms", args: []string{"--password-file=" + pw, "--admin-vdoms=dmz, root",
			"--vdom-wildcard-forbidden"},
			check: func(t *testing.T, c *config) {
				if strings.Join(c.opts.AdminVDOMs, ",") != "dmz,root" {
					t.Errorf("admin vdoms %v, expected dmz,root", c.opts.AdminVDOMs)
				}
				if !c.opts.VDOMWildcardForbidden {
					t.Errorf("--vdom-wildcard-forbidden did not set VDOMWildcardForbidden")
				}
			}},
		{name: "large device", args: []string{"--password-file=" + pw, "--large-device", "--size.policies=500"},
			check: func(t *testing.T, c *config) {
				want := fixtures.LargeDevice()
				want.Policies = 500
				if c.opts.Size != want {
					t.Errorf("size %+v, expected %+v", c.opts.Size, want)
				}
			}},
		{name: "size flags", args: []string{"--password-file=" + pw, "--size.vdoms=4", "--size.tunnels=30",
			"--page-limit=firewall/policy=0", "--page-limit=vpn/ipsec=50"},
			check: func(t *testing.T, c *config) {
				want := fixtures.DeviceSize{VDOMs: 4, Tunnels: 30}
				if c.opts.Size != want {
					t.Errorf("size %+v, expected %+v", c.opts.Size, want)
				}
				if len(c.opts.PageLimits) != 2 || c.opts.PageLimits["firewall/policy"] != 0 ||
					c.opts.PageLimits["vpn/ipsec"] != 50 {
					t.Errorf("page limits %v", c.opts.PageLimits)
				}
			}},
		{name: "bad page limit", args: []string{"--password-file=" + pw, "--page-limit=firewall/policy"},
			wantErr: "invalid --page-limit"},
		{name: "negative page limit", args: []string{"--password-file=" + pw, "--page-limit=vpn/ipsec=-1"},
			wantErr: "invalid --page-limit"},
		{name: "no secret", args: nil, wantErr: "missing --password-file"},
		{name: "empty password file", args: []string{"--password-file=" + empty}, wantErr: "is empty"},
		{name: "missing password file", args: []string{"--password-file=" + filepath.Join(dir, "none")},
			wantErr: "reading the password file"},
		{name: "bad fault", args: []string{"--password-file=" + pw, "--fault=system/status=explode"},
			wantErr: "unknown fault"},
		{name: "bad fault status", args: []string{"--password-file=" + pw, "--fault=*=status:9"},
			wantErr: "invalid status"},
		{name: "bad trusted host", args: []string{"--password-file=" + pw, "--trusted-host=10.0.0.0/33"},
			wantErr: "invalid --trusted-host"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := parseFlags(tt.args, io.Discard, io.Discard)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, expected one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, c)
		})
	}
}

func TestProgramRejectsUnknownRelease(t *testing.T) {
	dir := t.TempDir()
	pw := filepath.Join(dir, "pw")
	os.WriteFile(pw, []byte("secret"), 0o600)
	var stderr syncBuffer
	code := run(context.Background(), []string{"--password-file=" + pw, "--fortios-version=5.6",
		"--web.listen-address=127.0.0.1:0"}, io.Discard, &stderr, nil)
	if code != 1 || !strings.Contains(stderr.String(), "unknown FortiOS release") {
		t.Errorf("exit code %d, log %q", code, stderr.String())
	}
}

func TestProgramRejectsUnknownAdminVDOM(t *testing.T) {
	dir := t.TempDir()
	pw := filepath.Join(dir, "pw")
	os.WriteFile(pw, []byte("secret"), 0o600)
	var stderr syncBuffer
	code := run(context.Background(), []string{"--password-file=" + pw, "--admin-vdoms=branch",
		"--web.listen-address=127.0.0.1:0"}, io.Discard, &stderr, nil)
	if code != 1 || !strings.Contains(stderr.String(), `admin VDOM \"branch\" is not one of`) {
		t.Errorf("exit code %d, log %q", code, stderr.String())
	}
}

func TestSelfSignedCertificate(t *testing.T) {
	cert, certPEM, err := selfSignedCertificate([]string{"127.0.0.1", "fgt.test"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if len(cert.Certificate) != 1 || len(certPEM) == 0 {
		t.Fatal("no certificate")
	}
	leaf, err := x509.ParseCertificate(cert.Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	if len(leaf.IPAddresses) != 2 {
		t.Errorf("IP SANs %v, expected 127.0.0.1 and ::1 once each", leaf.IPAddresses)
	}
	for _, host := range []string{"127.0.0.1", "::1", "localhost", "fgt.test"} {
		if err := leaf.VerifyHostname(host); err != nil {
			t.Errorf("certificate does not cover %s: %v", host, err)
		}
	}
}

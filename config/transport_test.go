package config

import (
	"crypto/tls"
	"encoding/json"
	"encoding/pem"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

func TestTLSConfig(t *testing.T) {
	dir := fixtureDir(t)
	path := writeFile(t, dir, "targets.yml", `
targets:
  - name: plain
    url: fw1
    token_file: token.txt
  - name: pinned
    url: fw2
    token_file: token.txt
    tls: {ca_file: ca.pem, server_name: FGT60F0000000001}
  - name: insecure
    url: fw3
    token_file: token.txt
    tls: {insecure_skip_verify: true}
`)
	cfg, err := Load(path)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}

	plain, err := cfg.Target("plain").TLSConfig()
	if err != nil {
		t.Fatalf("plain: %v", err)
	}
	if plain.MinVersion != tls.VersionTLS12 {
		t.Errorf("plain: min version = %#x, want TLS 1.2", plain.MinVersion)
	}
	if plain.RootCAs != nil {
		t.Errorf("plain: RootCAs set without ca_file")
	}
	if plain.InsecureSkipVerify {
		t.Errorf("plain: InsecureSkipVerify set")
	}
	if plain.ServerName != "" {
		t.Errorf("plain: server name = %q, want empty", plain.ServerName)
	}

	pinned, err := cfg.Target("pinned").TLSConfig()
	if err != nil {
		t.Fatalf("pinned: %v", err)
	}
	if pinned.RootCAs == nil {
		t.Errorf("pinned: RootCAs not set from ca_file")
	}
	if pinned.ServerName != "FGT60F0000000001" {
		t.Errorf("pinned: server name = %q", pinned.ServerName)
	}

	insecure, err := cfg.Target("insecure").TLSConfig()
	if err != nil {
		t.Fatalf("insecure: %v", err)
	}
	if !insecure.InsecureSkipVerify {
		t.Errorf("insecure: InsecureSkipVerify not set")
	}
}

func TestTLSConfigWithoutLoad(t *testing.T) {
	dir := fixtureDir(t)

	target := &Target{Name: "fw1", TLS: TLS{CAFile: filepath.Join(dir, "ca.pem")}}
	cfg, err := target.TLSConfig()
	if err != nil {
		t.Fatalf("TLSConfig: %v", err)
	}
	if cfg.RootCAs == nil {
		t.Errorf("RootCAs not read from the CA file")
	}

	target.TLS.CAFile = filepath.Join(dir, "missing.pem")
	_, err = target.TLSConfig()
	if err == nil || !strings.Contains(err.Error(), "missing.pem") {
		t.Errorf("TLSConfig error = %v, want one naming missing.pem", err)
	}
}

func TestTLSConfigVerifiesServer(t *testing.T) {
	server := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("ok"))
	}))
	// Handshakes fail on purpose below; their server-side log lines are noise.
	server.Config.ErrorLog = log.New(io.Discard, "", 0)
	server.StartTLS()
	defer server.Close()

	dir := t.TempDir()
	certPEM := writeFile(t, dir, "server.pem", string(pemOf(server.Certificate().Raw)))
	serverURL := strings.TrimPrefix(server.URL, "https://")

	tests := []struct {
		name    string
		target  Target
		wantErr bool
	}{
		// httptest's certificate is valid for example.com and 127.0.0.1.
		{"trusted CA", Target{TLS: TLS{CAFile: certPEM}}, false},
		{"trusted CA, other server name", Target{TLS: TLS{CAFile: certPEM, ServerName: "fw.invalid"}}, true},
		{"trusted CA, matching server name", Target{TLS: TLS{CAFile: certPEM, ServerName: "example.com"}}, false},
		{"system roots", Target{}, true},
		{"insecure", Target{TLS: TLS{InsecureSkipVerify: true}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tlsConfig, err := tt.target.TLSConfig()
			if err != nil {
				t.Fatalf("TLSConfig: %v", err)
			}
			client := &http.Client{Transport: &http.Transport{TLSClientConfig: tlsConfig}}
			resp, err := client.Get("https://" + serverURL)
			if err == nil {
				_ = resp.Body.Close()
			}
			if gotErr := err != nil; gotErr != tt.wantErr {
				t.Errorf("request error = %v, want error: %v", err, tt.wantErr)
			}
		})
	}
}

func TestLocalAddr(t *testing.T) {
	var target Target
	if addr := target.LocalAddr(); addr != nil {
		t.Errorf("LocalAddr without source address = %v, want nil", addr)
	}

	target.SourceAddress = netip.MustParseAddr("127.0.0.1")
	addr, ok := target.LocalAddr().(*net.TCPAddr)
	if !ok {
		t.Fatalf("LocalAddr = %T, want *net.TCPAddr", target.LocalAddr())
	}
	if !addr.IP.Equal(net.IPv4(127, 0, 0, 1)) || addr.Port != 0 {
		t.Errorf("LocalAddr = %v, want 127.0.0.1 with port 0", addr)
	}

	// A dialer with this LocalAddr reaches a loopback listener.
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer listener.Close()
	dialer := net.Dialer{LocalAddr: target.LocalAddr()}
	conn, err := dialer.Dial("tcp", listener.Addr().String())
	if err != nil {
		t.Fatalf("dial from %v: %v", addr, err)
	}
	_ = conn.Close()
}

func TestTargetMarshal(t *testing.T) {
	dir := fixtureDir(t)
	path := writeFile(t, dir, "targets.yml", `
targets:
  - name: fw1
    url: fw1.example.com:8443
    username: monitor
    password_file: password.txt
    vdoms: [root]
    timeout: 20s
    source_address: 127.0.0.1
`)
	cfg, err := Load(path)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}

	jsonOut, err := json.Marshal(cfg.Targets[0])
	if err != nil {
		t.Fatalf("json.Marshal: %v", err)
	}
	var decoded map[string]any
	if err := json.Unmarshal(jsonOut, &decoded); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"name":           "fw1",
		"url":            "https://fw1.example.com:8443",
		"username":       "monitor",
		"password_file":  filepath.Join(dir, "password.txt"),
		"login_method":   "auto",
		"timeout":        "20s",
		"session_ttl":    "30m0s",
		"source_address": "127.0.0.1",
		"max_parallel":   float64(DefaultMaxParallel),
	}
	for key, value := range want {
		if decoded[key] != value {
			t.Errorf("JSON %s = %v, want %v", key, decoded[key], value)
		}
	}
	if _, ok := decoded["password"]; ok {
		t.Errorf("JSON has a password key for a password read from a file: %s", jsonOut)
	}

	// The YAML output is a valid targets file that loads to the same target.
	yamlOut, err := yaml.Marshal(cfg)
	if err != nil {
		t.Fatalf("yaml.Marshal: %v", err)
	}
	again, err := Load(writeFile(t, dir, "again.yml", string(yamlOut)))
	if err != nil {
		t.Fatalf("Load of the marshalled config: %v\n%s", err, yamlOut)
	}
	if got, want := targetJSON(again.Targets[0]), targetJSON(cfg.Targets[0]); got != want {
		t.Errorf("round trip changed the target:\n got %s\nwant %s", got, want)
	}
}

func targetJSON(t Target) string {
	t.TLS.roots = nil
	out, _ := json.Marshal(t)
	return string(out)
}

func pemOf(der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fortigate-session-exporter/fortigate_session_exporter/config"
)

// selfSignedPEM returns a throwaway certificate, standing in for a CA file.
func selfSignedPEM(t *testing.T) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"},
		NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

// The example targets file must start the exporter as shipped, including the
// checks that only main makes, such as custom metric names that clash with
// built-in ones.
func TestExampleTargetsFileStarts(t *testing.T) {
	data, err := os.ReadFile("examples/targets.yml")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name string, content []byte) string {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, content, 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	// The example refers to files that exist only in a deployment.
	write("certs/fortigate-ca.pem", selfSignedPEM(t))
	write("secrets/fw-lab.token", []byte("example-token-0123456789\n"))
	password := write("password", []byte("example-password\n"))
	content := strings.ReplaceAll(string(data), config.DefaultSecretPasswordFile, password)

	cfg, err := config.Load(write("targets.yml", []byte(content)))
	if err != nil {
		t.Fatalf("loading examples/targets.yml: %v", err)
	}
	if err := validateConfig(cfg); err != nil {
		t.Fatalf("examples/targets.yml fails the exporter's start-up checks: %v", err)
	}
}

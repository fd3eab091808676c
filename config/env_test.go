package config

import (
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestEnvTarget(t *testing.T) {
	dir := fixtureDir(t)
	missingSecret := filepath.Join(dir, "no-such-secret")

	tests := []struct {
		name string
		env  Env
		// check runs on the target when Target returns no error.
		check func(t *testing.T, target *Target)
	}{
		{
			name: "password",
			env: Env{Host: "fw1.example.com", Username: "monitor", Password: testPassword,
				SecretPasswordFile: missingSecret},
			check: func(t *testing.T, target *Target) {
				if target.Name != DefaultTargetName {
					t.Errorf("name = %q, want %q", target.Name, DefaultTargetName)
				}
				if got := target.URL.String(); got != "https://fw1.example.com" {
					t.Errorf("URL = %q, want https://fw1.example.com", got)
				}
				if target.Password.Reveal() != testPassword {
					t.Errorf("password not taken from Password")
				}
				if target.LoginMethod != LoginAuto {
					t.Errorf("login method = %q, want auto", target.LoginMethod)
				}
				if target.SessionTTL != DefaultSessionTTL {
					t.Errorf("session TTL = %v, want %v", target.SessionTTL, DefaultSessionTTL)
				}
				if target.MaxParallel != DefaultMaxParallel {
					t.Errorf("max parallel = %d, want %d", target.MaxParallel, DefaultMaxParallel)
				}
			},
		},
		{
			name: "password file",
			env: Env{Host: "https://fw1:8443", Username: "monitor",
				PasswordFile: filepath.Join(dir, "password.txt"), SecretPasswordFile: missingSecret},
			check: func(t *testing.T, target *Target) {
				if target.Password.Reveal() != testPassword {
					t.Errorf("password not read from FORTIGATE_PASSWORD_FILE")
				}
				if got := target.URL.String(); got != "https://fw1:8443" {
					t.Errorf("URL = %q", got)
				}
			},
		},
		{
			name: "secret file fallback",
			env: Env{Host: "fw1", Username: "monitor",
				SecretPasswordFile: filepath.Join(dir, "password.txt")},
			check: func(t *testing.T, target *Target) {
				if target.Password.Reveal() != testPassword {
					t.Errorf("password not read from the secret file")
				}
				if want := filepath.Join(dir, "password.txt"); target.PasswordFile != want {
					t.Errorf("password file = %q, want %q", target.PasswordFile, want)
				}
			},
		},
		{
			name: "password preferred over secret file",
			env: Env{Host: "fw1", Username: "monitor", Password: "from-env",
				SecretPasswordFile: filepath.Join(dir, "password.txt")},
			check: func(t *testing.T, target *Target) {
				if target.Password.Reveal() != "from-env" {
					t.Errorf("secret file used although FORTIGATE_PASSWORD is set")
				}
				if target.PasswordFile != "" {
					t.Errorf("password file = %q, want empty", target.PasswordFile)
				}
			},
		},
		{
			name: "token file",
			env: Env{Host: "fw1", TokenFile: filepath.Join(dir, "token.txt"),
				SecretPasswordFile: filepath.Join(dir, "password.txt")},
			check: func(t *testing.T, target *Target) {
				if target.LoginMethod != LoginToken {
					t.Errorf("login method = %q, want token", target.LoginMethod)
				}
				if target.Token.Reveal() != testToken {
					t.Errorf("token not read from FORTIGATE_TOKEN_FILE")
				}
				if target.Password != "" {
					t.Errorf("secret password file read for a token target")
				}
			},
		},
		{
			name: "all settings",
			env: Env{Host: "fw1", Username: "monitor", Password: testPassword,
				SecretPasswordFile: missingSecret, LoginMethod: "api", SessionTTLMinutes: 5,
				SessionGroup: "nat-b", SourceAddress: "127.0.0.2",
				CAFile: filepath.Join(dir, "ca.pem"), ServerName: "FGT60F0000000001",
				InsecureSkipVerify: true},
			check: func(t *testing.T, target *Target) {
				if target.LoginMethod != LoginAPI {
					t.Errorf("login method = %q, want api", target.LoginMethod)
				}
				if target.SessionTTL != 5*time.Minute {
					t.Errorf("session TTL = %v, want 5m", target.SessionTTL)
				}
				if target.SessionGroup != "nat-b" {
					t.Errorf("session group = %q", target.SessionGroup)
				}
				if got := target.SourceAddress.String(); got != "127.0.0.2" {
					t.Errorf("source address = %q", got)
				}
				if target.TLS.roots == nil {
					t.Errorf("CA pool not loaded from FORTIGATE_CA_FILE")
				}
				if target.TLS.ServerName != "FGT60F0000000001" {
					t.Errorf("server name = %q, want FGT60F0000000001", target.TLS.ServerName)
				}
				if !target.TLS.InsecureSkipVerify {
					t.Errorf("InsecureSkipVerify not set from FORTIGATE_INSECURE_SKIP_VERIFY")
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			target, err := tt.env.Target()
			if err != nil {
				t.Fatalf("Target: %v", err)
			}
			if target == nil {
				t.Fatal("Target returned nil")
			}
			tt.check(t, target)
		})
	}
}

func TestEnvTargetUnset(t *testing.T) {
	// The secret file exists, but without FORTIGATE_HOST there is no target.
	dir := fixtureDir(t)
	env := Env{SessionTTLMinutes: 30, SecretPasswordFile: filepath.Join(dir, "password.txt")}
	target, err := env.Target()
	if err != nil {
		t.Fatalf("Target: %v", err)
	}
	if target != nil {
		t.Errorf("Target = %+v, want nil without FORTIGATE_HOST", target)
	}
}

func TestEnvTargetErrors(t *testing.T) {
	dir := fixtureDir(t)
	missingSecret := filepath.Join(dir, "no-such-secret")
	password := Secret(testPassword)

	tests := []struct {
		name string
		env  Env
		want []string
	}{
		{
			name: "no password",
			env:  Env{Host: "fw1", Username: "monitor", SecretPasswordFile: missingSecret},
			want: []string{"FORTIGATE_PASSWORD or FORTIGATE_PASSWORD_FILE is required when " +
				"FORTIGATE_HOST is set", missingSecret + " does not exist", "FORTIGATE_TOKEN_FILE"},
		},
		{
			name: "no username",
			env:  Env{Host: "fw1", Password: password, SecretPasswordFile: missingSecret},
			want: []string{"FORTIGATE_USERNAME is required when FORTIGATE_HOST is set"},
		},
		{
			name: "username without host",
			env:  Env{Username: "monitor"},
			want: []string{"FORTIGATE_USERNAME is set but FORTIGATE_HOST is not"},
		},
		{
			name: "password file without host",
			env:  Env{PasswordFile: "/x"},
			want: []string{"FORTIGATE_PASSWORD_FILE is set but FORTIGATE_HOST is not"},
		},
		{
			name: "token without host",
			env:  Env{Token: "t"},
			want: []string{"FORTIGATE_TOKEN is set but FORTIGATE_HOST is not"},
		},
		{
			name: "missing password file",
			env: Env{Host: "fw1", Username: "monitor", PasswordFile: filepath.Join(dir, "nope"),
				SecretPasswordFile: missingSecret},
			want: []string{"FORTIGATE_PASSWORD_FILE: open " + filepath.Join(dir, "nope")},
		},
		{
			name: "empty password file",
			env: Env{Host: "fw1", Username: "monitor", PasswordFile: filepath.Join(dir, "empty.txt"),
				SecretPasswordFile: missingSecret},
			want: []string{"FORTIGATE_PASSWORD_FILE", "empty.txt\" is empty"},
		},
		{
			name: "empty secret file",
			env: Env{Host: "fw1", Username: "monitor",
				SecretPasswordFile: filepath.Join(dir, "empty.txt")},
			want: []string{"secret password file", "empty.txt\" is empty"},
		},
		{
			name: "unreadable secret file",
			env: Env{Host: "fw1", Username: "monitor",
				SecretPasswordFile: filepath.Join(dir, "password.txt", "below-a-file")},
			want: []string{"FORTIGATE_PASSWORD and FORTIGATE_PASSWORD_FILE are unset",
				"secret password file cannot be used", "not a directory"},
		},
		{
			name: "password and password file",
			env: Env{Host: "fw1", Username: "monitor", Password: password,
				PasswordFile: filepath.Join(dir, "password.txt")},
			want: []string{"FORTIGATE_PASSWORD and FORTIGATE_PASSWORD_FILE are both set"},
		},
		{
			name: "token and password",
			env: Env{Host: "fw1", Username: "monitor", Password: password,
				TokenFile: filepath.Join(dir, "token.txt")},
			want: []string{"both a token and a password are set", "FORTIGATE_TOKEN/FORTIGATE_TOKEN_FILE"},
		},
		{
			name: "ftp host",
			env:  Env{Host: "ftp://fw1", Username: "monitor", Password: password},
			want: []string{`FORTIGATE_HOST "ftp://fw1" has scheme "ftp"`},
		},
		{
			name: "http host",
			env:  Env{Host: "http://fw1", Username: "monitor", Password: password},
			want: []string{`FORTIGATE_HOST "http://fw1" uses http: use https://`},
		},
		{
			name: "invalid login method",
			env:  Env{Host: "fw1", Username: "monitor", Password: password, LoginMethod: "sso"},
			want: []string{`FORTIGATE_LOGIN_METHOD "sso" is invalid`},
		},
		{
			name: "negative session ttl",
			env:  Env{Host: "fw1", Username: "monitor", Password: password, SessionTTLMinutes: -5},
			want: []string{"FORTIGATE_SESSION_TTL -5 is negative"},
		},
		{
			name: "session ttl that overflows",
			env:  Env{Host: "fw1", Username: "monitor", Password: password, SessionTTLMinutes: 99999999999999},
			want: []string{"FORTIGATE_SESSION_TTL 99999999999999 is above the maximum of 1440 minutes"},
		},
		{
			name: "missing CA file",
			env: Env{Host: "fw1", Username: "monitor", Password: password,
				CAFile: filepath.Join(dir, "nope.pem")},
			want: []string{"FORTIGATE_CA_FILE: open ", "nope.pem"},
		},
		{
			name: "invalid source address",
			env:  Env{Host: "fw1", Username: "monitor", Password: password, SourceAddress: "eth0"},
			want: []string{`FORTIGATE_SOURCE_ADDRESS "eth0" is not an IP address`},
		},
		{
			name: "invalid session group",
			env:  Env{Host: "fw1", Username: "monitor", Password: password, SessionGroup: "a/b"},
			want: []string{`FORTIGATE_SESSION_GROUP "a/b" is invalid`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			target, err := tt.env.Target()
			if err == nil {
				t.Fatalf("Target returned no error and %+v", target)
			}
			if target != nil {
				t.Errorf("Target returned a target along with the error")
			}
			for _, want := range tt.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error does not contain %q:\n%v", want, err)
				}
			}
			if strings.Contains(err.Error(), "allow_http") {
				t.Errorf("error mentions allow_http, which env mode does not have: %v", err)
			}
		})
	}
}

func TestDefaultSecretPasswordFile(t *testing.T) {
	// The field is empty in production, so the Docker secret path applies.
	env := Env{Host: "fw1", Username: "monitor"}
	_, err := env.Target()
	if err == nil {
		t.Skipf("%s exists on this machine", DefaultSecretPasswordFile)
	}
	if !strings.Contains(err.Error(), DefaultSecretPasswordFile) {
		t.Errorf("error does not name %s: %v", DefaultSecretPasswordFile, err)
	}
}

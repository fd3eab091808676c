package config

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// assertNoSecret fails when out contains testPassword or testToken.
func assertNoSecret(t *testing.T, source, out string) {
	t.Helper()
	for _, secret := range []string{testPassword, testToken} {
		if strings.Contains(out, secret) {
			t.Errorf("%s contains a secret:\n%s", source, out)
		}
	}
}

// loadSecretConfig returns a config with inline and file secrets of both kinds.
func loadSecretConfig(t *testing.T) *Config {
	t.Helper()
	dir := fixtureDir(t)
	path := writeFile(t, dir, "targets.yml", `
targets:
  - {name: inline-password, url: fw1, username: monitor, password: "`+testPassword+`"}
  - {name: file-password, url: fw2, username: monitor, password_file: password.txt}
  - {name: inline-token, url: fw3, token: "`+testToken+`"}
  - {name: file-token, url: fw4, token_file: token.txt}
`)
	cfg, err := Load(path)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return cfg
}

func TestSecretsNotPrinted(t *testing.T) {
	cfg := loadSecretConfig(t)
	target := cfg.Targets[0]

	values := map[string]any{
		"*Config":    cfg,
		"Config":     *cfg,
		"Target":     target,
		"*Target":    &target,
		"[]Target":   cfg.Targets,
		"Secret":     target.Password,
		"token":      cfg.Targets[2].Token,
		"Secret ptr": &target.Password,
	}
	for name, value := range values {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%T %v"} {
			assertNoSecret(t, fmt.Sprintf("%s %s", verb, name), fmt.Sprintf(verb, value))
		}
	}

	// Make sure the checks above looked at real output.
	if out := fmt.Sprintf("%+v", target); !strings.Contains(out, "inline-password") ||
		!strings.Contains(out, redacted) {
		t.Errorf("%%+v of a target does not show its name and %s: %s", redacted, out)
	}
}

func TestSecretsNotMarshalled(t *testing.T) {
	cfg := loadSecretConfig(t)

	jsonOut, err := json.Marshal(cfg)
	if err != nil {
		t.Fatalf("json.Marshal: %v", err)
	}
	assertNoSecret(t, "JSON", string(jsonOut))
	var output struct {
		Targets []struct{ Password string }
	}
	if err := json.Unmarshal(jsonOut, &output); err != nil || len(output.Targets) == 0 {
		t.Fatalf("json.Unmarshal: %v", err)
	}
	if output.Targets[0].Password != redacted {
		t.Errorf("JSON shows the inline password as %q, want %s", output.Targets[0].Password, redacted)
	}

	yamlOut, err := yaml.Marshal(cfg)
	if err != nil {
		t.Fatalf("yaml.Marshal: %v", err)
	}
	assertNoSecret(t, "YAML", string(yamlOut))
	if !bytes.Contains(yamlOut, []byte(`token: <secret>`)) {
		t.Errorf("YAML does not show the inline token as %s:\n%s", redacted, yamlOut)
	}

	for _, secret := range []Secret{testPassword, testToken} {
		text, err := secret.MarshalText()
		if err != nil {
			t.Fatal(err)
		}
		assertNoSecret(t, "MarshalText", string(text))
	}
}

func TestSecretsNotLogged(t *testing.T) {
	cfg := loadSecretConfig(t)

	var buf bytes.Buffer
	for _, handler := range []slog.Handler{
		slog.NewTextHandler(&buf, nil),
		slog.NewJSONHandler(&buf, nil),
	} {
		logger := slog.New(handler)
		logger.Info("loaded", "config", cfg, "target", cfg.Targets[0],
			"password", cfg.Targets[0].Password, "token", cfg.Targets[2].Token)
	}
	assertNoSecret(t, "log output", buf.String())
}

func TestSecretsNotInErrors(t *testing.T) {
	dir := fixtureDir(t)
	files := []string{
		// Inline secrets next to other mistakes.
		`targets: [{name: fw1, url: 'ftp://fw1', username: m, password: "` + testPassword + `"}]`,
		`targets: [{name: fw1, url: fw1, token: "` + testToken + `", password: "` + testPassword + `"}]`,
		`targets: [{name: fw1, url: fw1, username: m, password: "` + testPassword + `", login_method: token}]`,
		`targets: [{name: fw1, url: fw1, token: "` + testToken + `", login_method: logincheck}]`,
		// Secrets in places where they do not belong.
		`targets: [{name: fw1, url: 'https://admin:` + testPassword + `@fw1', username: m, password: x}]`,
		`targets: [{name: fw1, url: 'https://admin:` + testPassword + `@fw 1', username: m, password: x}]`,
		`targets: [{name: fw1, url: 'admin:` + testPassword + `@fw1:99999', username: m, password: x}]`,
		`targets: [{name: fw1, url: fw1, passwd: "` + testPassword + `"}]`,
		`targets: [{name: fw1, url: fw1, password: ["` + testPassword + `"]}]`,
		`targets: [{name: fw1, url: fw1, token: {"` + testToken + `": 1}}]`,
		"targets:\n  - name: fw1\n    password: \"" + testPassword + "\n",
		"targets:\n  - name: fw1\n    password: " + testPassword + ": x\n",
		// yaml.v3 prints the value of a scalar whose explicit tag does not resolve.
		`targets: [{name: fw1, url: fw1, username: m, password: !!int ` + testPassword + `}]`,
		`targets: [{name: fw1, url: fw1, token: !!timestamp ` + testToken + `}]`,
		`targets: [{name: fw1, url: fw1, token: !!binary ` + testToken + `}]`,
		"anchor: &a !!float " + testPassword + "\ntargets: [{name: fw1, url: fw1, username: m, password: *a}]",
		// Secret files used where they are wrong.
		`targets: [{name: fw1, url: fw1, token_file: token.txt, tls: {ca_file: password.txt}}]`,
		`targets: [{name: fw1, url: fw1, username: m, password_file: password.txt, token_file: token.txt}]`,
		`targets: [{name: fw1, url: fw1, username: m, password_file: password.txt, vdoms: ['*']}]`,
	}
	for i, content := range files {
		path := writeFile(t, dir, fmt.Sprintf("targets-%d.yml", i), content)
		_, err := Load(path)
		if err == nil {
			t.Errorf("file %d: Load returned no error", i)
			continue
		}
		assertNoSecret(t, fmt.Sprintf("error of file %d", i), err.Error())

		h := NewHolder(HolderOptions{File: path})
		if err := h.Reload(); err != nil {
			assertNoSecret(t, fmt.Sprintf("reload error of file %d", i), err.Error())
		}
	}

	envs := []Env{
		{Host: "ftp://fw1", Username: "m", Password: testPassword},
		{Host: "fw1", Username: "m", Password: testPassword, Token: testToken},
		{Host: "fw1", Password: testPassword, SecretPasswordFile: filepath.Join(dir, "none")},
		{Host: "fw1", Token: testToken, LoginMethod: "api"},
		{Host: "fw1", Username: "m", Password: testPassword, CAFile: filepath.Join(dir, "token.txt")},
		{Host: "https://admin:" + testPassword + "@fw1", Username: "m", Password: "x"},
		{Password: testPassword},
	}
	for i, env := range envs {
		_, err := env.Target()
		if err == nil {
			t.Errorf("env %d: Target returned no error", i)
			continue
		}
		assertNoSecret(t, fmt.Sprintf("error of env %d", i), err.Error())
	}
}

func TestRedactUserInfo(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://fw1", "https://fw1"},
		{"https://admin:pw@fw 1", "https://xxxxx@fw 1"},
		{"admin:pw@fw1:x", "xxxxx@fw1:x"},
		{"https://fw1/a@b", "https://xxxxx@b"},
		{"https://a@b:pw@fw1/x", "https://xxxxx@fw1/x"},
		{"https://admin:Super/SecretPW9@fw1:8443", "https://xxxxx@fw1:8443"},
		{"https://admin:Super#SecretPW9@fw1", "https://xxxxx@fw1"},
		{"https://admin:Super?SecretPW9@fw1", "https://xxxxx@fw1"},
	}
	for _, tt := range tests {
		if got := redactUserInfo(tt.in); got != tt.want {
			t.Errorf("redactUserInfo(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// A password with '/', '?' or '#' in a URL's user info breaks url.Parse,
// whose error would quote the part before that character.
func TestURLPasswordNotInParseErrors(t *testing.T) {
	for _, password := range []string{"Super/SecretPW9", "Super#SecretPW9", "Super?SecretPW9"} {
		env := Env{Host: "https://admin:" + password + "@127.0.0.1:8443", Username: "m", Password: "x"}
		_, err := env.Target()
		if err == nil {
			t.Errorf("password %q: Target returned no error", password)
			continue
		}
		for _, piece := range []string{"Super", "SecretPW9"} {
			if strings.Contains(err.Error(), piece) {
				t.Errorf("error for a URL with password %q contains %q: %v", password, piece, err)
			}
		}
	}
}

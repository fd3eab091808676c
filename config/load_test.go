package config

import (
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestLoadFullConfig(t *testing.T) {
	dir := fixtureDir(t)
	path := writeFile(t, dir, "targets.yml", `
defaults:
  username: monitor
  password_file: password.txt
  tls:
    ca_file: ca.pem
  session_ttl: 45m
targets:
  - name: fw1
    url: fw1.example.com
  - name: fw2.branch
    url: https://192.0.2.10:8443/
    login_method: logincheck
    vdoms: [root, dmz]
    collectors:
      include: [system, interface]
    timeout: 20s
    session_ttl: 10m
    session_group: nat-a
    source_address: 192.0.2.1
    max_parallel: 2
    tls:
      server_name: FGT60F0000000001
  - name: fw3
    url: http://127.0.0.1:8080
    allow_http: true
    token_file: token.txt
    collectors:
      exclude: [license]
`)

	cfg, err := Load(path)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if len(cfg.Targets) != 3 {
		t.Fatalf("got %d targets, want 3", len(cfg.Targets))
	}

	fw1 := cfg.Target("fw1")
	if fw1 == nil {
		t.Fatal("target fw1 not found")
	}
	if got := fw1.URL.String(); got != "https://fw1.example.com" {
		t.Errorf("fw1 URL = %q, want https://fw1.example.com", got)
	}
	if fw1.Username != "monitor" {
		t.Errorf("fw1 username = %q, want the default monitor", fw1.Username)
	}
	if fw1.Password.Reveal() != testPassword {
		t.Errorf("fw1 password was not read from password.txt")
	}
	if want := filepath.Join(dir, "password.txt"); fw1.PasswordFile != want {
		t.Errorf("fw1 password file = %q, want %q", fw1.PasswordFile, want)
	}
	if fw1.LoginMethod != LoginAuto {
		t.Errorf("fw1 login method = %q, want auto", fw1.LoginMethod)
	}
	if fw1.SessionTTL != 45*time.Minute {
		t.Errorf("fw1 session TTL = %v, want the default block's 45m", fw1.SessionTTL)
	}
	if fw1.MaxParallel != DefaultMaxParallel {
		t.Errorf("fw1 max parallel = %d, want %d", fw1.MaxParallel, DefaultMaxParallel)
	}
	if fw1.Timeout != 0 {
		t.Errorf("fw1 timeout = %v, want 0", fw1.Timeout)
	}
	if fw1.TLS.roots == nil {
		t.Errorf("fw1 CA pool was not loaded from the default ca_file")
	}
	if fw1.SourceAddress.IsValid() {
		t.Errorf("fw1 source address = %v, want unset", fw1.SourceAddress)
	}

	fw2 := cfg.Target("fw2.branch")
	if fw2 == nil {
		t.Fatal("target fw2.branch not found")
	}
	if got := fw2.URL.String(); got != "https://192.0.2.10:8443" {
		t.Errorf("fw2 URL = %q, want the trailing slash dropped", got)
	}
	if fw2.LoginMethod != LoginLogincheck {
		t.Errorf("fw2 login method = %q, want logincheck", fw2.LoginMethod)
	}
	if !slices.Equal(fw2.VDOMs, []string{"root", "dmz"}) {
		t.Errorf("fw2 vdoms = %v", fw2.VDOMs)
	}
	if !slices.Equal(fw2.Collectors.Include, []string{"system", "interface"}) {
		t.Errorf("fw2 collectors.include = %v", fw2.Collectors.Include)
	}
	if fw2.Timeout != 20*time.Second {
		t.Errorf("fw2 timeout = %v, want 20s", fw2.Timeout)
	}
	if fw2.SessionTTL != 10*time.Minute {
		t.Errorf("fw2 session TTL = %v, want 10m", fw2.SessionTTL)
	}
	if fw2.SessionGroup != "nat-a" {
		t.Errorf("fw2 session group = %q, want nat-a", fw2.SessionGroup)
	}
	if want := netip.MustParseAddr("192.0.2.1"); fw2.SourceAddress != want {
		t.Errorf("fw2 source address = %v, want %v", fw2.SourceAddress, want)
	}
	if fw2.MaxParallel != 2 {
		t.Errorf("fw2 max parallel = %d, want 2", fw2.MaxParallel)
	}
	if fw2.TLS.ServerName != "FGT60F0000000001" {
		t.Errorf("fw2 server name = %q", fw2.TLS.ServerName)
	}

	fw3 := cfg.Target("fw3")
	if fw3 == nil {
		t.Fatal("target fw3 not found")
	}
	if got := fw3.URL.String(); got != "http://127.0.0.1:8080" {
		t.Errorf("fw3 URL = %q", got)
	}
	if fw3.LoginMethod != LoginToken {
		t.Errorf("fw3 login method = %q, want token", fw3.LoginMethod)
	}
	if fw3.Token.Reveal() != testToken {
		t.Errorf("fw3 token was not read from token.txt")
	}
	if fw3.Username != "" {
		t.Errorf("fw3 inherited username %q from defaults", fw3.Username)
	}
	if fw3.Password != "" || fw3.PasswordFile != "" {
		t.Errorf("fw3 inherited the password from defaults")
	}
	if !slices.Equal(fw3.Collectors.Exclude, []string{"license"}) {
		t.Errorf("fw3 collectors.exclude = %v", fw3.Collectors.Exclude)
	}
}

func TestLoadRelativePaths(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "etc/secrets/fw1.password", testPassword+"\n")
	writeFile(t, dir, "etc/ca/fw.pem", string(selfSignedPEM(t)))
	absolute := writeFile(t, dir, "elsewhere/token", testToken)
	path := writeFile(t, dir, "etc/targets.yml", `
targets:
  - name: fw1
    url: fw1.example.com
    username: monitor
    password_file: secrets/fw1.password
    tls:
      ca_file: ./ca/fw.pem
  - name: fw2
    url: fw2.example.com
    token_file: `+absolute+`
`)

	// The test runs in the package directory, so a path resolved against the
	// working directory would not exist.
	cfg, err := Load(path)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	fw1 := cfg.Target("fw1")
	if want := filepath.Join(dir, "etc/secrets/fw1.password"); fw1.PasswordFile != want {
		t.Errorf("password file = %q, want %q", fw1.PasswordFile, want)
	}
	if want := filepath.Join(dir, "etc/ca/fw.pem"); fw1.TLS.CAFile != want {
		t.Errorf("CA file = %q, want %q", fw1.TLS.CAFile, want)
	}
	if fw2 := cfg.Target("fw2"); fw2.TokenFile != absolute {
		t.Errorf("absolute token file = %q, want %q unchanged", fw2.TokenFile, absolute)
	}
}

func TestLoadSecretFileTrimming(t *testing.T) {
	tests := []struct {
		name    string
		content string
		want    string
	}{
		{"newline", "s3cret\n", "s3cret"},
		{"crlf", "s3cret\r\n", "s3cret"},
		{"no newline", "s3cret", "s3cret"},
		{"several newlines", "s3cret\n\n", "s3cret"},
		{"trailing space kept", "s3cret \n", "s3cret "},
		{"leading space kept", " s3cret\n", " s3cret"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFile(t, dir, "pw", tt.content)
			path := writeFile(t, dir, "targets.yml", `
targets:
  - {name: fw1, url: fw1.example.com, username: monitor, password_file: pw}
`)
			cfg, err := Load(path)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if got := cfg.Targets[0].Password.Reveal(); got != tt.want {
				t.Errorf("password = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestLoadInlineSecrets(t *testing.T) {
	dir := t.TempDir()
	path := writeFile(t, dir, "targets.yml", `
targets:
  - {name: fw1, url: fw1.example.com, username: monitor, password: "`+testPassword+`"}
  - {name: fw2, url: fw2.example.com, token: `+testToken+`, login_method: auto}
`)
	cfg, err := Load(path)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if got := cfg.Target("fw1").Password.Reveal(); got != testPassword {
		t.Errorf("inline password not kept")
	}
	fw2 := cfg.Target("fw2")
	if got := fw2.Token.Reveal(); got != testToken {
		t.Errorf("inline token not kept")
	}
	if fw2.LoginMethod != LoginToken {
		t.Errorf("login method auto with a token = %q, want token", fw2.LoginMethod)
	}
}

func TestLoadDefaultsOverride(t *testing.T) {
	dir := fixtureDir(t)
	path := writeFile(t, dir, "targets.yml", `
defaults:
  username: monitor
  password_file: password.txt
  login_method: logincheck
  timeout: 15s
  max_parallel: 8
  vdoms: [root]
  tls:
    insecure_skip_verify: true
targets:
  - name: inherits
    url: fw1.example.com
  - name: overrides
    url: fw2.example.com
    timeout: 0s
    max_parallel: 0
    vdoms: []
    tls:
      insecure_skip_verify: false
  - name: token
    url: fw3.example.com
    token_file: token.txt
`)
	cfg, err := Load(path)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}

	inherits := cfg.Target("inherits")
	if inherits.Timeout != 15*time.Second {
		t.Errorf("inherits: timeout = %v, want 15s", inherits.Timeout)
	}
	if inherits.MaxParallel != 8 {
		t.Errorf("inherits: max parallel = %d, want 8", inherits.MaxParallel)
	}
	if !inherits.TLS.InsecureSkipVerify {
		t.Errorf("inherits: insecure_skip_verify not inherited")
	}
	if inherits.LoginMethod != LoginLogincheck {
		t.Errorf("inherits: login method = %q, want logincheck", inherits.LoginMethod)
	}
	if !slices.Equal(inherits.VDOMs, []string{"root"}) {
		t.Errorf("inherits: vdoms = %v, want [root]", inherits.VDOMs)
	}

	overrides := cfg.Target("overrides")
	if overrides.Timeout != 0 {
		t.Errorf("overrides: timeout = %v, want 0", overrides.Timeout)
	}
	if overrides.MaxParallel != DefaultMaxParallel {
		t.Errorf("overrides: max parallel = %d, want the built-in %d",
			overrides.MaxParallel, DefaultMaxParallel)
	}
	if overrides.TLS.InsecureSkipVerify {
		t.Errorf("overrides: insecure_skip_verify: false did not override the default")
	}
	if len(overrides.VDOMs) != 0 {
		t.Errorf("overrides: vdoms = %v, want empty", overrides.VDOMs)
	}

	token := cfg.Target("token")
	if token.LoginMethod != LoginToken {
		t.Errorf("token: login method = %q, want token, not the default logincheck",
			token.LoginMethod)
	}
	if token.Username != "" {
		t.Errorf("token: username %q inherited from defaults", token.Username)
	}
}

func TestLoadErrors(t *testing.T) {
	// Every case's YAML is written to targets.yml in a directory made by
	// fixtureDir, so it can refer to password.txt, empty.txt, ca.pem and
	// not-a-cert.pem. want lists substrings the error must contain.
	auth := "username: monitor, password_file: password.txt"
	tests := []struct {
		name string
		yaml string
		want []string
	}{
		{
			name: "missing name",
			yaml: "targets:\n  - {url: fw1.example.com, " + auth + "}\n",
			want: []string{"targets.yml:2: targets[0]: name is missing"},
		},
		{
			name: "invalid name",
			yaml: "targets:\n  - {name: fw 1, url: fw1.example.com, " + auth + "}\n",
			want: []string{`name "fw 1" is invalid`, "letters, digits"},
		},
		{
			name: "duplicate name",
			yaml: "targets:\n" +
				"  - {name: fw1, url: fw1.example.com, " + auth + "}\n" +
				"  - {name: fw1, url: fw2.example.com, " + auth + "}\n",
			want: []string{`targets.yml:3: target "fw1": duplicate name, first used on line 2`},
		},
		{
			name: "missing url",
			yaml: "targets:\n  - {name: fw1, " + auth + "}\n",
			want: []string{`target "fw1": url is missing`, "https://HOST[:PORT]"},
		},
		{
			name: "url with unknown scheme",
			yaml: "targets:\n  - {name: fw1, url: 'ftp://fw1', " + auth + "}\n",
			want: []string{`url "ftp://fw1" has scheme "ftp"`, "use https://"},
		},
		{
			name: "http url without allow_http",
			yaml: "targets:\n  - {name: fw1, url: 'http://fw1', " + auth + "}\n",
			want: []string{`url "http://fw1" uses http`, "allow_http: true"},
		},
		{
			name: "url with path",
			yaml: "targets:\n  - {name: fw1, url: 'https://fw1/api/v2', " + auth + "}\n",
			want: []string{`url "https://fw1/api/v2" has a path`},
		},
		{
			name: "url with query",
			yaml: "targets:\n  - {name: fw1, url: 'https://fw1?vdom=root', " + auth + "}\n",
			want: []string{`url "https://fw1?vdom=root" has a path, query or fragment`},
		},
		{
			name: "url with user info",
			yaml: "targets:\n  - {name: fw1, url: 'https://admin@fw1', " + auth + "}\n",
			want: []string{`url "https://admin@fw1" contains user info`},
		},
		{
			name: "url without host",
			yaml: "targets:\n  - {name: fw1, url: 'https://:443', " + auth + "}\n",
			want: []string{`url "https://:443" has no host`},
		},
		{
			name: "url with invalid port",
			yaml: "targets:\n  - {name: fw1, url: 'fw1:99999', " + auth + "}\n",
			want: []string{`url "https://fw1:99999" has invalid port "99999"`},
		},
		{
			name: "unparsable url",
			yaml: "targets:\n  - {name: fw1, url: 'https://fw1:port', " + auth + "}\n",
			want: []string{`url "https://fw1:port" is invalid`, `invalid port ":port"`},
		},
		{
			name: "no credentials",
			yaml: "targets:\n  - {name: fw1, url: fw1}\n",
			want: []string{"credentials are missing", "username", "password_file", "token_file"},
		},
		{
			name: "username without password",
			yaml: "targets:\n  - {name: fw1, url: fw1, username: monitor}\n",
			want: []string{"password or password_file is required when username is set"},
		},
		{
			name: "password without username",
			yaml: "targets:\n  - {name: fw1, url: fw1, password_file: password.txt}\n",
			want: []string{"username is required when a password is set"},
		},
		{
			name: "token and password",
			yaml: "targets:\n  - {name: fw1, url: fw1, token_file: token.txt, password_file: password.txt}\n",
			want: []string{"both a token and a password are set"},
		},
		{
			name: "token with username",
			yaml: "targets:\n  - {name: fw1, url: fw1, token_file: token.txt, username: monitor}\n",
			want: []string{"username is set on a token target"},
		},
		{
			name: "password and password_file",
			yaml: "targets:\n  - {name: fw1, url: fw1, username: m, password: x, password_file: password.txt}\n",
			want: []string{"password and password_file are both set"},
		},
		{
			name: "token and token_file",
			yaml: "targets:\n  - {name: fw1, url: fw1, token: x, token_file: token.txt}\n",
			want: []string{"token and token_file are both set"},
		},
		{
			name: "missing password file",
			yaml: "targets:\n  - name: fw1\n    url: fw1\n    username: monitor\n    password_file: nope.txt\n",
			want: []string{"targets.yml:5:", "password_file: open ", "nope.txt", "no such file"},
		},
		{
			name: "empty password file",
			yaml: "targets:\n  - {name: fw1, url: fw1, username: monitor, password_file: empty.txt}\n",
			want: []string{"password_file", `empty.txt" is empty`},
		},
		{
			name: "missing token file",
			yaml: "targets:\n  - {name: fw1, url: fw1, token_file: nope.token}\n",
			want: []string{"token_file: open ", "nope.token"},
		},
		{
			name: "empty token file",
			yaml: "targets:\n  - {name: fw1, url: fw1, token_file: empty.txt}\n",
			want: []string{"token_file", "is empty: write the token into it"},
		},
		{
			name: "missing CA file",
			yaml: "targets:\n  - name: fw1\n    url: fw1\n    username: m\n    password_file: password.txt\n" +
				"    tls:\n      ca_file: nope.pem\n",
			want: []string{"targets.yml:7:", "tls.ca_file: open ", "nope.pem"},
		},
		{
			name: "CA file without certificates",
			yaml: "targets:\n  - {name: fw1, url: fw1, " + auth + ", tls: {ca_file: not-a-cert.pem}}\n",
			want: []string{"tls.ca_file", `not-a-cert.pem" contains no PEM certificate`},
		},
		{
			name: "invalid login method",
			yaml: "targets:\n  - {name: fw1, url: fw1, " + auth + ", login_method: magic}\n",
			want: []string{`login_method "magic" is invalid`, "auto, api, logincheck or token"},
		},
		{
			name: "token login method without token",
			yaml: "targets:\n  - {name: fw1, url: fw1, " + auth + ", login_method: token}\n",
			want: []string{"login_method token requires token_file or token"},
		},
		{
			name: "session login method with token",
			yaml: "targets:\n  - {name: fw1, url: fw1, token_file: token.txt, login_method: api}\n",
			want: []string{"login_method api needs a username and password"},
		},
		{
			name: "negative timeout",
			yaml: "targets:\n  - {name: fw1, url: fw1, " + auth + ", timeout: -5s}\n",
			want: []string{"timeout -5s is negative"},
		},
		{
			name: "negative session ttl",
			yaml: "targets:\n  - {name: fw1, url: fw1, " + auth + ", session_ttl: -1m}\n",
			want: []string{"session_ttl -1m0s is negative"},
		},
		{
			name: "session ttl below the minimum",
			yaml: "targets:\n  - {name: fw1, url: fw1, " + auth + ", session_ttl: 1ms}\n",
			want: []string{"session_ttl 1ms is below the minimum of 5s"},
		},
		{
			name: "negative max parallel",
			yaml: "targets:\n  - {name: fw1, url: fw1, " + auth + ", max_parallel: -1}\n",
			want: []string{"max_parallel -1 is invalid"},
		},
		{
			name: "duration without unit",
			yaml: "targets:\n  - {name: fw1, url: fw1, " + auth + ", timeout: 30}\n",
			want: []string{"targets.yml:2:", "into a duration such as 30s"},
		},
		{
			name: "empty vdom",
			yaml: "targets:\n  - {name: fw1, url: fw1, " + auth + ", vdoms: ['']}\n",
			want: []string{"vdoms contains an empty name"},
		},
		{
			name: "wildcard vdom",
			yaml: "targets:\n  - {name: fw1, url: fw1, " + auth + ", vdoms: ['*']}\n",
			want: []string{`vdoms contains "*"`, "leave vdoms empty"},
		},
		{
			name: "comma in vdom",
			yaml: "targets:\n  - {name: fw1, url: fw1, " + auth + ", vdoms: ['root,dmz']}\n",
			want: []string{`vdoms entry "root,dmz" is invalid`},
		},
		{
			name: "duplicate vdom",
			yaml: "targets:\n  - {name: fw1, url: fw1, " + auth + ", vdoms: [root, root]}\n",
			want: []string{`vdoms lists "root" twice`},
		},
		{
			name: "collector included and excluded",
			yaml: "targets:\n  - {name: fw1, url: fw1, " + auth +
				", collectors: {include: [ha], exclude: [ha]}}\n",
			want: []string{`collector "ha" is in both collectors.include and collectors.exclude`},
		},
		{
			name: "empty collector name",
			yaml: "targets:\n  - {name: fw1, url: fw1, " + auth + ", collectors: {exclude: ['']}}\n",
			want: []string{"collectors.exclude contains an empty name"},
		},
		{
			name: "invalid session group",
			yaml: "targets:\n  - {name: fw1, url: fw1, " + auth + ", session_group: 'nat a'}\n",
			want: []string{`session_group "nat a" is invalid`},
		},
		{
			name: "invalid source address",
			yaml: "targets:\n  - {name: fw1, url: fw1, " + auth + ", source_address: '10.0.0.1:80'}\n",
			want: []string{`source_address "10.0.0.1:80" is not an IP address`},
		},
		{
			name: "source address of other family",
			yaml: "targets:\n  - {name: fw1, url: 'https://[2001:db8::1]', " + auth +
				", source_address: 192.0.2.1}\n",
			want: []string{"source_address 192.0.2.1 and the FortiGate address 2001:db8::1 " +
				"are of different IP families"},
		},
		{
			name: "unknown top-level key",
			yaml: "target:\n  - {name: fw1}\n",
			want: []string{`targets.yml:1: unknown key "target" in the top level`,
				"valid keys: defaults, targets"},
		},
		{
			name: "unknown target key",
			yaml: "targets:\n  - name: fw1\n    url: fw1\n    " + "passwd_file: x\n",
			want: []string{`targets.yml:4: unknown key "passwd_file" in a target`, "password_file"},
		},
		{
			name: "unknown tls key",
			yaml: "targets:\n  - name: fw1\n    tls:\n      verify: false\n",
			want: []string{`targets.yml:4: unknown key "verify" in tls`, "insecure_skip_verify"},
		},
		{
			name: "unknown collectors key",
			yaml: "targets:\n  - {name: fw1, collectors: {enable: [ha]}}\n",
			want: []string{`unknown key "enable" in collectors`, "include, exclude"},
		},
		{
			name: "wrong type",
			yaml: "targets:\n  - {name: fw1, max_parallel: many}\n",
			want: []string{"targets.yml:2: cannot unmarshal", "many"},
		},
		{
			name: "explicit tag",
			yaml: "targets:\n  - name: fw1\n    max_parallel: !!int 4\n",
			want: []string{"targets.yml:3: YAML tag !!int is not supported"},
		},
		{
			name: "str tag allowed",
			yaml: "targets:\n  - {name: fw1, url: !!str fw1, username: m, password_file: nope.txt}\n",
			want: []string{"password_file: open "},
		},
		{
			name: "duplicate key",
			yaml: "targets:\n  - name: fw1\n    name: fw2\n",
			want: []string{`targets.yml:3: mapping key "name" already defined at line 2`},
		},
		{
			name: "syntax error",
			yaml: "targets:\n  - name: fw1\n   url: [\n",
			want: []string{"targets.yml:"},
		},
		{
			name: "empty file",
			yaml: "",
			want: []string{"targets.yml: file is empty"},
		},
		{
			name: "no targets",
			yaml: "targets: []\n",
			want: []string{"targets.yml: no targets: add at least one entry under targets"},
		},
		{
			name: "top level is a list",
			yaml: "- name: fw1\n",
			want: []string{"the top level must be a mapping"},
		},
		{
			name: "second document",
			yaml: "targets:\n  - {name: fw1, url: fw1, " + auth + "}\n---\ntargets: []\n",
			want: []string{"targets.yml:3: a second YAML document is not supported"},
		},
		{
			name: "name in defaults",
			yaml: "defaults:\n  name: fw\ntargets:\n  - {name: fw1, url: fw1, " + auth + "}\n",
			want: []string{"targets.yml:2: defaults: name cannot be set in defaults"},
		},
		{
			name: "error in inherited default is located in defaults",
			yaml: "defaults:\n  username: m\n  password_file: nope.txt\ntargets:\n  - {name: fw1, url: fw1}\n",
			want: []string{`targets.yml:3: target "fw1": password_file: open `},
		},
		{
			name: "errors of several targets",
			yaml: "targets:\n  - {name: fw1, url: 'ftp://fw1', " + auth + "}\n" +
				"  - {name: fw2, url: fw2, " + auth + ", login_method: magic}\n",
			want: []string{`targets.yml:2: target "fw1": url "ftp://fw1"`,
				`targets.yml:3: target "fw2": login_method "magic"`},
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := fixtureDir(t)
			path := writeFile(t, dir, "targets.yml", tt.yaml)

			cfg, err := Load(path)
			if err == nil {
				t.Fatalf("Load returned no error and %d targets", len(cfg.Targets))
			}
			if cfg != nil {
				t.Errorf("Load returned a config along with the error")
			}
			// Messages carry the absolute path, tests compare from the base name.
			msg := strings.ReplaceAll(err.Error(), path, "targets.yml")
			for _, want := range tt.want {
				if !strings.Contains(msg, want) {
					t.Errorf("error does not contain %q:\n%s", want, msg)
				}
			}
		})
	}
}

func TestLoadMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nope.yml")
	_, err := Load(path)
	if err == nil {
		t.Fatal("Load of a missing file returned no error")
	}
	if !strings.Contains(err.Error(), path) {
		t.Errorf("error does not name the path: %v", err)
	}
}

func TestLoadExampleFile(t *testing.T) {
	// examples/targets.yml refers to files that exist only in a deployment,
	// so the test copies it next to stand-ins for them.
	data, err := os.ReadFile("../examples/targets.yml")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	writeFile(t, dir, "certs/fortigate-ca.pem", string(selfSignedPEM(t)))
	writeFile(t, dir, "secrets/fw-lab.token", testToken+"\n")
	passwordFile := writeFile(t, dir, "password", testPassword+"\n")
	content := strings.ReplaceAll(string(data), DefaultSecretPasswordFile, passwordFile)

	cfg, err := Load(writeFile(t, dir, "targets.yml", content))
	if err != nil {
		t.Fatalf("Load of examples/targets.yml: %v", err)
	}
	if len(cfg.Targets) != 4 {
		t.Errorf("got %d targets, want the example's 4", len(cfg.Targets))
	}
	if lab := cfg.Target("fw-lab"); lab == nil || lab.LoginMethod != LoginToken {
		t.Errorf("fw-lab is not a token target: %+v", lab)
	}
}

func TestLoadRejectsHugeFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "targets.yml")
	big := "targets: []\n" + strings.Repeat("# padding line of a comment\n", MaxFileSize/28+1)
	if err := os.WriteFile(path, []byte(big), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Load(path)
	if err == nil || !strings.Contains(err.Error(), "is larger than 8 MiB") {
		t.Fatalf("Load of a %d-byte file = %v, want a size error", len(big), err)
	}
}

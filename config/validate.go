package config

import (
	"crypto/x509"
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// namePattern is the syntax of target names and session groups. Names appear
// in URLs (/probe?target=NAME), metric labels and log lines.
var namePattern = regexp.MustCompile(`^[A-Za-z0-9_.-]+$`)

// fieldError is one validation failure. key is the dotted YAML key of the
// setting ("tls.ca_file"), which Load turns into a line number. msg already
// names the setting the way the user wrote it (YAML key or environment variable).
type fieldError struct {
	key string
	msg string
}

// builder turns targetFields into a validated Target, collecting every error.
type builder struct {
	// baseDir is joined to relative file paths. Empty keeps them relative to
	// the working directory.
	baseDir string
	// settingName returns how messages name a setting given its YAML key, or
	// "" when the source of the target has no such setting.
	settingName func(key string) string

	errs []fieldError
}

func (b *builder) fail(key, format string, args ...any) {
	b.errs = append(b.errs, fieldError{key: key, msg: fmt.Sprintf(format, args...)})
}

// setting returns the name of the setting with YAML key key, as messages show it.
func (b *builder) setting(key string) string { return b.settingName(key) }

// build validates f. The returned target is complete only when b.errs is empty.
func (b *builder) build(f targetFields) *Target {
	t := &Target{
		Name:         f.Name,
		Username:     f.Username,
		SessionGroup: f.SessionGroup,
		VDOMs:        f.VDOMs,
		Collectors:   Collectors{Include: f.Collectors.Include, Exclude: f.Collectors.Exclude},
		TLS:          TLS{ServerName: f.TLS.ServerName},
	}

	if f.Name == "" {
		b.fail("name", "name is missing")
	} else if !namePattern.MatchString(f.Name) {
		b.fail("name", "name %q is invalid: use only letters, digits, '_', '.' and '-'", f.Name)
	}

	t.URL = b.parseURL(f.URL, f.AllowHTTP != nil && *f.AllowHTTP)
	b.credentials(t, f)
	b.tls(t, f.TLS)
	b.vdoms(f.VDOMs)
	b.collectors(f.Collectors)
	t.CustomEndpoints = b.customEndpoints(f.CustomEndpoints)
	t.PolicyFilter = b.policyFilter(f.PolicyFilter)
	t.Timeout = b.duration("timeout", f.Timeout, 0)
	t.SessionTTL = b.duration("session_ttl", f.SessionTTL, DefaultSessionTTL)
	if t.SessionTTL < MinSessionTTL {
		// A shorter lifetime means a login every few scrapes, which fills
		// FortiOS's admin session table (admin-login-max, 100 by default).
		b.fail("session_ttl", "%s %s is below the minimum of %s: use a longer lifetime such as 30m",
			b.setting("session_ttl"), t.SessionTTL, MinSessionTTL)
	}

	if f.SessionGroup != "" && !namePattern.MatchString(f.SessionGroup) {
		b.fail("session_group", "%s %q is invalid: use only letters, digits, '_', '.' and '-'",
			b.setting("session_group"), f.SessionGroup)
	}
	t.SourceAddress = b.sourceAddress(f.SourceAddress, t.URL)

	t.MaxParallel = DefaultMaxParallel
	if f.MaxParallel != nil {
		switch {
		case *f.MaxParallel < 0:
			b.fail("max_parallel", "max_parallel %d is invalid: use a positive number, "+
				"or 0 for the default of %d", *f.MaxParallel, DefaultMaxParallel)
		case *f.MaxParallel > 0:
			t.MaxParallel = *f.MaxParallel
		}
	}
	return t
}

// parseURL accepts https://host[:port], http://host[:port] when allowHTTP is
// set, and a bare host or host:port, which gets https://. A path of "/" is
// dropped, and any other path, a query, a fragment or user info is an error.
func (b *builder) parseURL(raw string, allowHTTP bool) *url.URL {
	key := "url"
	if raw == "" {
		b.fail(key, "%s is missing: set it to https://HOST[:PORT]", b.setting(key))
		return nil
	}

	withScheme := raw
	if !strings.Contains(raw, "://") {
		withScheme = "https://" + raw
	}
	u, err := url.Parse(withScheme)
	if err != nil {
		// url.Error repeats the input, which may contain a password in the
		// user info. The message shows the input redacted and the inner error.
		var urlErr *url.Error
		if errors.As(err, &urlErr) {
			err = urlErr.Err
		}
		if strings.Contains(raw, "@") {
			// The inner error may quote a piece of the user info, such as the
			// part of a password after ':' read as a port.
			b.fail(key, "%s %q is invalid: it has user info (user:password@), which a target URL "+
				"must not carry: use https://HOST[:PORT] and set username and password_file",
				b.setting(key), redactUserInfo(raw))
			return nil
		}
		b.fail(key, "%s %q is invalid: %v: use https://HOST[:PORT]",
			b.setting(key), raw, err)
		return nil
	}
	redactedURL := u.Redacted()

	switch u.Scheme {
	case "https":
	case "http":
		if !allowHTTP {
			hint := "use https://"
			if b.setting("allow_http") != "" {
				hint += ", or set allow_http: true to send credentials unencrypted"
			}
			b.fail(key, "%s %q uses http: %s", b.setting(key), redactedURL, hint)
			return nil
		}
	default:
		b.fail(key, "%s %q has scheme %q: use https://HOST[:PORT]", b.setting(key), redactedURL, u.Scheme)
		return nil
	}

	switch {
	case u.User != nil:
		b.fail(key, "%s %q contains user info: remove it and set the username and "+
			"password settings", b.setting(key), redactedURL)
		return nil
	case u.Hostname() == "":
		b.fail(key, "%s %q has no host: use https://HOST[:PORT]", b.setting(key), redactedURL)
		return nil
	case u.Path != "" && u.Path != "/", u.RawQuery != "", u.Fragment != "", u.Opaque != "":
		b.fail(key, "%s %q has a path, query or fragment: use only https://HOST[:PORT]",
			b.setting(key), redactedURL)
		return nil
	}
	if port := u.Port(); port != "" {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			b.fail(key, "%s %q has invalid port %q: use 1 to 65535", b.setting(key), redactedURL, port)
			return nil
		}
	}
	return &url.URL{Scheme: u.Scheme, Host: u.Host}
}

// redactUserInfo replaces the whole user info of a URL that url.Parse
// rejected with "xxxxx", because it may contain a password.
func redactUserInfo(raw string) string {
	_, rest, hasScheme := strings.Cut(raw, "://")
	if !hasScheme {
		rest = raw
	}
	// A password may contain '/', '?' or '#', so the user info ends at the
	// last '@' anywhere, not at the first of those.
	at := strings.LastIndex(rest, "@")
	if at < 0 {
		return raw
	}
	start := len(raw) - len(rest)
	return raw[:start] + "xxxxx" + raw[start+at:]
}

// credentials checks that f has exactly one kind of credentials, reads the
// secret files and sets the login method.
func (b *builder) credentials(t *Target, f targetFields) {
	hasPassword := f.Password != "" || f.PasswordFile != ""
	hasToken := f.Token != "" || f.TokenFile != ""

	switch {
	case f.Password != "" && f.PasswordFile != "":
		b.fail("password", "%s and %s are both set: keep one",
			b.setting("password"), b.setting("password_file"))
	case f.Token != "" && f.TokenFile != "":
		b.fail("token", "%s and %s are both set: keep one",
			b.setting("token"), b.setting("token_file"))
	case hasToken && hasPassword:
		b.fail("token", "both a token and a password are set: a token target "+
			"needs no password, so remove %s/%s or %s/%s",
			b.setting("token"), b.setting("token_file"),
			b.setting("password"), b.setting("password_file"))
	case hasToken && f.Username != "":
		b.fail("username", "%s is set on a token target: a REST API token needs no "+
			"username, so remove it", b.setting("username"))
	case !hasToken && !hasPassword && f.Username == "":
		b.fail("username", "credentials are missing: set %s with %s (or %s), or %s (or %s)",
			b.setting("username"), b.setting("password_file"), b.setting("password"),
			b.setting("token_file"), b.setting("token"))
	case hasPassword && f.Username == "":
		b.fail("username", "%s is required when a password is set", b.setting("username"))
	case !hasToken && !hasPassword:
		b.fail("password_file", "%s or %s is required when %s is set",
			b.setting("password"), b.setting("password_file"), b.setting("username"))
	}

	t.Password, t.PasswordFile = b.secret("password", f.Password, f.PasswordFile)
	t.Token, t.TokenFile = b.secret("token", f.Token, f.TokenFile)
	t.LoginMethod = b.loginMethod(f.LoginMethod, hasToken)
}

// secret returns the inline value, or the content of the file setting
// key+"_file" without its trailing newline. Messages name the path but never
// show the file's content.
func (b *builder) secret(key string, inline Secret, file string) (Secret, string) {
	if file == "" {
		return inline, ""
	}
	fileKey := key + "_file"
	path := b.resolve(file)

	data, err := os.ReadFile(path)
	if err != nil {
		b.fail(fileKey, "%s: %v", b.setting(fileKey), err)
		return "", path
	}
	value := strings.TrimRight(string(data), "\r\n")
	if value == "" {
		b.fail(fileKey, "%s %q is empty: write the %s into it", b.setting(fileKey), path, key)
		return "", path
	}
	return Secret(value), path
}

func (b *builder) loginMethod(s string, hasToken bool) LoginMethod {
	if s == "" {
		if hasToken {
			return LoginToken
		}
		return LoginAuto
	}

	m, ok := parseLoginMethod(s)
	switch {
	case !ok:
		b.fail("login_method", "%s %q is invalid: use auto, api, logincheck or token",
			b.setting("login_method"), s)
	case m == LoginToken && !hasToken:
		b.fail("login_method", "%s token requires %s or %s",
			b.setting("login_method"), b.setting("token_file"), b.setting("token"))
	case m == LoginAuto && hasToken:
		// auto picks the token login when a token is set.
		return LoginToken
	case m != LoginToken && hasToken:
		b.fail("login_method", "%s %s needs a username and password, but a token is set: "+
			"use %s token or remove it", b.setting("login_method"), m, b.setting("login_method"))
	}
	return m
}

func (b *builder) tls(t *Target, f tlsFields) {
	t.TLS.InsecureSkipVerify = f.InsecureSkipVerify != nil && *f.InsecureSkipVerify
	if f.CAFile == "" {
		return
	}

	t.TLS.CAFile = b.resolve(f.CAFile)
	roots, err := loadRoots(t.TLS.CAFile)
	if err != nil {
		b.fail("tls.ca_file", "%s: %v", b.setting("tls.ca_file"), err)
		return
	}
	t.TLS.roots = roots
}

// loadRoots parses the PEM certificates in path into a pool.
func loadRoots(path string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("%q contains no PEM certificate", path)
	}
	return roots, nil
}

func (b *builder) vdoms(vdoms []string) {
	seen := make(map[string]bool, len(vdoms))
	for _, v := range vdoms {
		switch {
		case v == "":
			b.fail("vdoms", "vdoms contains an empty name")
		case v == "*":
			b.fail("vdoms", `vdoms contains "*": leave vdoms empty to scrape every VDOM`)
		case strings.ContainsAny(v, ", \t"):
			b.fail("vdoms", "vdoms entry %q is invalid: list one VDOM per entry", v)
		case seen[v]:
			b.fail("vdoms", "vdoms lists %q twice", v)
		}
		seen[v] = true
	}
}

func (b *builder) collectors(f collectorFields) {
	included := make(map[string]bool, len(f.Include))
	for _, name := range f.Include {
		if name == "" {
			b.fail("collectors.include", "collectors.include contains an empty name")
		}
		included[name] = true
	}
	for _, name := range f.Exclude {
		switch {
		case name == "":
			b.fail("collectors.exclude", "collectors.exclude contains an empty name")
		case included[name]:
			b.fail("collectors.exclude", "collector %q is in both collectors.include "+
				"and collectors.exclude: keep it in one", name)
		}
	}
}

// duration returns *d, or def when d is unset or zero.
func (b *builder) duration(key string, d *time.Duration, def time.Duration) time.Duration {
	if d == nil || *d == 0 {
		return def
	}
	if *d < 0 {
		b.fail(key, "%s %s is negative: use a positive duration such as 30s", b.setting(key), *d)
		return def
	}
	return *d
}

// sourceAddress parses s. When the URL host is an IP address of the other
// family, connecting from s cannot work, so that is an error too.
func (b *builder) sourceAddress(s string, target *url.URL) netip.Addr {
	key := "source_address"
	if s == "" {
		return netip.Addr{}
	}
	addr, err := netip.ParseAddr(s)
	if err != nil {
		b.fail(key, "%s %q is not an IP address: set a local IPv4 or IPv6 address, without a port",
			b.setting(key), s)
		return netip.Addr{}
	}
	if target == nil {
		return addr
	}
	host, err := netip.ParseAddr(target.Hostname())
	if err == nil && host.Unmap().Is4() != addr.Unmap().Is4() {
		b.fail(key, "%s %s and the FortiGate address %s are of different IP families: "+
			"use a source address of the same family", b.setting(key), addr, host)
	}
	return addr
}

// resolve joins a relative path to b.baseDir.
func (b *builder) resolve(path string) string {
	if b.baseDir == "" || filepath.IsAbs(path) {
		return path
	}
	return filepath.Join(b.baseDir, path)
}

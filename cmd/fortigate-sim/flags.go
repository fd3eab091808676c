package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/alecthomas/kingpin/v2"

	"github.com/fortigate-session-exporter/fortigate_session_exporter/fixtures"
)

// config is the parsed command line.
type config struct {
	listenAddress string
	certFile      string
	keyFile       string
	writeCAFile   string
	logLevel      string
	logFormat     string
	opts          fixtures.Options
}

// listenHost is the host part of the listen address, for the certificate.
func (c *config) listenHost() string {
	host, _, err := net.SplitHostPort(c.listenAddress)
	if err != nil {
		return ""
	}
	return host
}

func parseFlags(args []string, stdout, stderr io.Writer) (*config, error) {
	app := kingpin.New("fortigate-sim", "A simulated FortiGate that serves the FortiOS login "+
		"flavours and monitor API of one release over HTTPS, with test hooks under /sim/.")
	app.UsageWriter(stdout).ErrorWriter(stderr)
	app.HelpFlag.Short('h')

	cfg := &config{}
	app.Flag("web.listen-address", "Address to listen on for HTTPS. Use port 0 for a free port; "+
		"the URL goes to stdout.").Default("127.0.0.1:8443").StringVar(&cfg.listenAddress)
	app.Flag("tls.cert-file", "PEM certificate to serve. Without it a self-signed ECDSA certificate "+
		"for 127.0.0.1, ::1 and localhost is made at start.").StringVar(&cfg.certFile)
	app.Flag("tls.key-file", "PEM private key of --tls.cert-file.").StringVar(&cfg.keyFile)
	app.Flag("tls.write-ca-file", "Write the served certificate as PEM to this path, so clients "+
		"can trust it.").StringVar(&cfg.writeCAFile)
	app.Flag("log.level", "Log level: debug, info, warn or error.").Default("info").StringVar(&cfg.logLevel)
	app.Flag("log.format", "Log format: logfmt or json.").Default("logfmt").StringVar(&cfg.logFormat)

	o := &cfg.opts
	app.Flag("fortios-version", "FortiOS release to model: one of "+strings.Join(fixtures.Releases(), ", ")+
		", or a line such as 7.6 for its newest release.").Default(fixtures.DefaultRelease).StringVar(&o.Release)
	app.Flag("username", "Admin username.").Default("admin").StringVar(&o.Username)
	passwordFile := app.Flag("password-file", "File holding the admin password (one line). "+
		"Required unless --token-file is given.").String()
	tokenFile := app.Flag("token-file", "File of REST API tokens, one per line; empty lines and "+
		"lines starting with # are skipped.").String()
	app.Flag("admin-port", "Port number in cookie names such as ccsrftoken_<port>_<hash>. "+
		"Default the listening port.").IntVar(&o.AdminPort)
	vdoms := app.Flag("vdoms", "Comma-separated VDOMs in device order.").Default("root,dmz").String()
	adminVDOMs := app.Flag("admin-vdoms", "Comma-separated VDOMs the admin and the API tokens may "+
		"read, as for a VDOM admin without global scope: other VDOMs and scope=global get 403. "+
		"Default every VDOM, with global scope.").String()
	app.Flag("vdom-wildcard-forbidden", "Answer vdom=* with 403 when --admin-vdoms hides a VDOM, "+
		"in place of the visible VDOMs.").BoolVar(&o.VDOMWildcardForbidden)
	app.Flag("serial", "Serial number in the envelopes. Default the fixture device's.").StringVar(&o.Serial)
	app.Flag("idle-timeout", "admintimeout: a session unused this long ends.").Default("5m").DurationVar(&o.IdleTimeout)
	app.Flag("lockout-threshold", "admin-lockout-threshold: failed logins of one user from one "+
		"address before a lockout.").Default("3").IntVar(&o.LockoutThreshold)
	app.Flag("lockout-duration", "admin-lockout-duration, also the window for counting failed "+
		"logins and the length of a 429 block.").Default("60s").DurationVar(&o.LockoutDuration)
	app.Flag("admin-login-max", "admin-login-max: concurrent admin sessions.").Default("100").IntVar(&o.AdminLoginMax)
	app.Flag("bind-source-ip", "End a session when a request with it comes from another source "+
		"address than its login.").Default("true").BoolVar(&o.BindSourceIP)
	adminConcurrent := app.Flag("admin-concurrent", "admin-concurrent: allow an admin several sessions "+
		"at once.").Default("true").Bool()
	app.Flag("pre-login-banner", "pre-login-banner: /api/v2/authentication needs ack_pre_disclaimer.").
		BoolVar(&o.PreLoginBanner)
	app.Flag("post-login-banner", "post-login-banner: a new session needs POST /logindisclaimer or "+
		"ack_post_disclaimer before use.").BoolVar(&o.PostLoginBanner)
	app.Flag("two-factor-code", "Require two-factor authentication and accept this token code.").
		StringVar(&o.TwoFactorCode)
	app.Flag("password-change-required", "Ask for a new password at the first login.").
		BoolVar(&o.PasswordChangeRequired)
	trusted := app.Flag("trusted-host", "Trusted host prefix (CIDR or address) for logins and tokens; "+
		"repeatable. Default every address.").Strings()
	app.Flag("rest-api-key-url-query", "rest-api-key-url-query: allow API tokens in the access_token "+
		"query parameter (7.4.5 and later).").BoolVar(&o.RESTAPIKeyURLQuery)
	app.Flag("strict-csrf", "Require X-CSRFTOKEN on reads of cookie sessions too.").BoolVar(&o.StrictCSRF)
	app.Flag("block-threshold", "Answer 429 to a source address after this many failed "+
		"authentications within --lockout-duration; 0 disables.").Default("0").IntVar(&o.BlockThreshold)
	app.Flag("latency", "Delay added to every response outside /sim/.").Default("0s").DurationVar(&o.Latency)
	hang := app.Flag("hang", "Hold every request outside /sim/ until the client gives up.").Bool()
	faults := app.Flag("fault", "Fault of one endpoint as ENDPOINT=SPEC, repeatable. ENDPOINT is a "+
		"monitor endpoint (system/status), a path (/logincheck) or *. SPEC is a comma list of "+
		"hang, truncate, non-json, status:CODE and delay:DURATION.").Strings()
	app.Flag("live-time", "Serve the current time at system/time in place of the fixture's fixed time.").
		Default("true").BoolVar(&o.LiveTime)
	app.Flag("live-counters", "Let the interface, IPsec, policy, HA, switch port and other traffic "+
		"counters grow from their fixture values at a steady rate each, in place of fixed values.").
		Default("true").BoolVar(&o.LiveCounters)
	large := app.Flag("large-device", "Model a large device: 10 VDOMs, 4000 generated VLAN interfaces, "+
		"10000 firewall policies and 2000 IPsec tunnels with 2 phase 2 selectors each. A --size.* "+
		"flag other than 0 overrides that part.").Bool()
	sizeVDOMs := app.Flag("size.vdoms", "Number of VDOMs. VDOMs beyond the --vdoms list are named "+
		"vdom<N> after their position.").Default("0").Int()
	sizeInterfaces := app.Flag("size.interfaces", "Generated VLAN interfaces on lacp1, in all, spread "+
		"over the VDOMs (at most 4094).").Default("0").Int()
	sizePolicies := app.Flag("size.policies", "Generated firewall policies, in all, spread over the VDOMs.").
		Default("0").Int()
	sizeTunnels := app.Flag("size.tunnels", "Generated IPsec phase 1 tunnels, in all, spread over the VDOMs.").
		Default("0").Int()
	sizePhase2 := app.Flag("size.phase2-per-tunnel", "Phase 2 selectors of each generated tunnel; "+
		"0 means 2.").Default("0").Int()
	pageLimits := app.Flag("page-limit", "Maximum entries per reply and VDOM of one endpoint as "+
		"ENDPOINT=N, repeatable; N=0 removes the limit. Default firewall/policy=1000.").Strings()

	if _, err := app.Parse(args); err != nil {
		return nil, err
	}

	o.VDOMs = splitList(*vdoms)
	o.AdminVDOMs = splitList(*adminVDOMs)
	if *large {
		o.Size = fixtures.LargeDevice()
	}
	for _, f := range []struct {
		value int
		dst   *int
	}{
		{*sizeVDOMs, &o.Size.VDOMs}, {*sizeInterfaces, &o.Size.Interfaces}, {*sizePolicies, &o.Size.Policies},
		{*sizeTunnels, &o.Size.Tunnels}, {*sizePhase2, &o.Size.Phase2PerTunnel},
	} {
		if f.value != 0 {
			*f.dst = f.value
		}
	}
	for _, p := range *pageLimits {
		endpoint, limit, err := parsePageLimit(p)
		if err != nil {
			return nil, err
		}
		if o.PageLimits == nil {
			o.PageLimits = make(map[string]int)
		}
		o.PageLimits[endpoint] = limit
	}
	o.DisableAdminConcurrent = !*adminConcurrent
	if *passwordFile == "" && *tokenFile == "" {
		return nil, errors.New("missing --password-file: give it, --token-file or both")
	}
	if *passwordFile != "" {
		pw, err := readPassword(*passwordFile)
		if err != nil {
			return nil, err
		}
		o.Password = pw
	}
	if *tokenFile != "" {
		tokens, err := readTokens(*tokenFile)
		if err != nil {
			return nil, err
		}
		o.Tokens = tokens
	}
	for _, h := range *trusted {
		p, err := parsePrefix(h)
		if err != nil {
			return nil, err
		}
		o.TrustedHosts = append(o.TrustedHosts, p)
	}
	o.Faults = make(map[string]fixtures.Fault)
	if *hang {
		o.Faults["*"] = fixtures.Fault{Hang: true}
	}
	for _, f := range *faults {
		key, fault, err := parseFault(f)
		if err != nil {
			return nil, err
		}
		o.Faults[key] = fault
	}
	return cfg, nil
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func readPassword(path string) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("reading the password file: %w", err)
	}
	line, _, _ := bytes.Cut(data, []byte("\n"))
	pw := strings.TrimRight(string(line), "\r")
	if pw == "" {
		return "", fmt.Errorf("password file %s is empty", path)
	}
	return pw, nil
}

func readTokens(path string) ([]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading the token file: %w", err)
	}
	var tokens []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		tokens = append(tokens, line)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading the token file: %w", err)
	}
	if len(tokens) == 0 {
		return nil, fmt.Errorf("token file %s contains no token; add one token per line", path)
	}
	return tokens, nil
}

// parsePrefix reads a CIDR prefix or a bare address, which means that address alone.
func parsePrefix(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, fmt.Errorf("invalid --trusted-host %q: %w", s, err)
		}
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("invalid --trusted-host %q, expected a CIDR prefix or an address", s)
	}
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// parsePageLimit reads ENDPOINT=N as described in the --page-limit help.
func parsePageLimit(s string) (string, int, error) {
	endpoint, value, ok := strings.Cut(s, "=")
	limit, err := strconv.Atoi(value)
	if !ok || endpoint == "" || err != nil || limit < 0 {
		return "", 0, fmt.Errorf("invalid --page-limit %q, expected ENDPOINT=N with N 0 or more", s)
	}
	return strings.Trim(endpoint, "/"), limit, nil
}

// parseFault reads ENDPOINT=SPEC as described in the --fault help.
func parseFault(s string) (string, fixtures.Fault, error) {
	key, spec, ok := strings.Cut(s, "=")
	if !ok || key == "" || spec == "" {
		return "", fixtures.Fault{}, fmt.Errorf("invalid --fault %q, expected ENDPOINT=SPEC", s)
	}
	var f fixtures.Fault
	for _, item := range splitList(spec) {
		name, value, _ := strings.Cut(item, ":")
		switch name {
		case "hang":
			f.Hang = true
		case "truncate":
			f.Truncate = true
		case "non-json":
			f.NonJSON = true
		case "status":
			code, err := strconv.Atoi(value)
			if err != nil || code < 100 || code > 599 {
				return "", fixtures.Fault{}, fmt.Errorf("invalid status %q in --fault %q, expected 100 to 599", value, s)
			}
			f.Status = code
		case "delay":
			d, err := time.ParseDuration(value)
			if err != nil {
				return "", fixtures.Fault{}, fmt.Errorf("invalid delay %q in --fault %q: %w", value, s, err)
			}
			f.Delay = d
		default:
			return "", fixtures.Fault{}, fmt.Errorf("unknown fault %q in --fault %q, expected hang, truncate, "+
				"non-json, status:CODE or delay:DURATION", name, s)
		}
	}
	return key, f, nil
}

// Package config loads the FortiGate targets the exporter scrapes: from a strict
// YAML targets file, or from environment variables for a single target named
// "default". It validates every target, reads password and token files, and
// reloads the targets file without dropping the running config on errors.
package config

import (
	"crypto/x509"
	"net/netip"
	"net/url"
	"time"
)

// Defaults applied to a target that does not set the value.
const (
	DefaultSessionTTL = 30 * time.Minute
	// MinSessionTTL is the shortest session_ttl accepted.
	MinSessionTTL      = 5 * time.Second
	DefaultMaxParallel = 4
)

// DefaultTargetName is the name of the target configured from environment
// variables. /metrics serves the FortiGate metrics of the target with this name.
const DefaultTargetName = "default"

// LoginMethod selects how the exporter authenticates to FortiOS.
type LoginMethod string

// Login methods accepted in login_method.
const (
	// LoginAuto tries the authentication API and falls back to /logincheck on
	// 401 or 404. It is the default for username and password targets.
	LoginAuto LoginMethod = "auto"
	// LoginAPI uses POST /api/v2/authentication (FortiOS 6.4.2 and later).
	LoginAPI LoginMethod = "api"
	// LoginLogincheck uses POST /logincheck (releases before 7.6.3).
	LoginLogincheck LoginMethod = "logincheck"
	// LoginToken sends a REST API admin token as a Bearer header and opens no
	// session. It is the default for targets with token or token_file.
	LoginToken LoginMethod = "token"
)

// Config is the set of targets the exporter scrapes.
type Config struct {
	Targets []Target `json:"targets" yaml:"targets"`
}

// Target returns the target called name, or nil when there is none.
func (c *Config) Target(name string) *Target {
	for i := range c.Targets {
		if c.Targets[i].Name == name {
			return &c.Targets[i]
		}
	}
	return nil
}

// Target is one FortiGate after validation. Paths are absolute or relative to
// the working directory, and secrets have been read from their files.
type Target struct {
	// Name identifies the target in /probe?target=NAME and in metric labels.
	Name string
	// URL is the FortiGate's base URL, scheme and host[:port] only.
	URL *url.URL
	// Username is the admin account for session logins. It is empty for token targets.
	Username string
	// Password is the admin password, inline or read from PasswordFile.
	Password Secret
	// PasswordFile is the file the password was read from, if any.
	PasswordFile string
	// Token is the REST API admin token, inline or read from TokenFile.
	Token Secret
	// TokenFile is the file the token was read from, if any.
	TokenFile string
	// LoginMethod is never empty: auto or token when the file did not set it.
	LoginMethod LoginMethod
	// TLS holds the settings for verifying the FortiGate's certificate.
	TLS TLS
	// VDOMs lists the VDOMs to scrape. Empty means every VDOM the admin can see.
	VDOMs []string
	// Collectors selects the collectors of this target.
	Collectors Collectors
	// Timeout caps the scrape time of this target. Zero means no cap beyond
	// the deadline Prometheus sends.
	Timeout time.Duration
	// SessionTTL is the age at which the shared session is replaced by a new login.
	SessionTTL time.Duration
	// SessionGroup is part of the session id, so replicas that reach the
	// FortiGate from different source addresses do not share a session
	// (FortiOS ends a session used from a second address).
	SessionGroup string
	// SourceAddress is the local IP to connect from. The zero value lets the
	// kernel choose.
	SourceAddress netip.Addr
	// MaxParallel is the maximum number of concurrent API requests to this target.
	MaxParallel int
	// CustomEndpoints lists the monitor endpoints that the targets file maps
	// to metrics, each scraped by a collector named custom_<name>.
	CustomEndpoints []CustomEndpoint
	// PolicyFilter, when not nil, limits the firewall_policy collector to the
	// policies it selects. Nil exports every policy.
	PolicyFilter *PolicyFilter
}

// TLS is the set of certificate verification settings of a target.
type TLS struct {
	// CAFile is a PEM file with the CA or self-signed certificates to trust in
	// place of the system roots.
	CAFile string
	// ServerName is the name checked against the certificate, when it differs
	// from the URL host (FortiGate factory certificates carry the serial number).
	ServerName string
	// InsecureSkipVerify turns off certificate verification.
	InsecureSkipVerify bool

	// roots contains the certificates of CAFile, parsed by Load or Env.Target.
	roots *x509.CertPool
}

// Collectors is the per-target collector selection. This package does not
// know the collector names, so the Holder's validate hook checks them.
type Collectors struct {
	// Include, when not empty, replaces the set of collectors enabled by flags.
	Include []string
	// Exclude lists collectors removed from that set.
	Exclude []string
}

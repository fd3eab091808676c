package fgsession

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Login methods. MethodAuto is a configuration value only; a Record carries the
// method that actually worked.
const (
	MethodAuto       = "auto"
	MethodAPI        = "api"        // POST /api/v2/authentication
	MethodLogincheck = "logincheck" // POST /logincheck
	MethodToken      = "token"      // REST API admin token, no session
)

// Target is one FortiGate with the settings the session layer uses.
type Target struct {
	// Name is the configured target name, used in metrics and logs.
	Name    string
	BaseURL *url.URL
	// Username and Password log in; Token is used instead for token targets.
	Username string
	Password string
	Token    string
	// LoginMethod is one of the Method* constants; empty means MethodAuto.
	LoginMethod string
	// SessionGroup separates replicas that reach the FortiGate from different
	// source addresses, because FortiOS ends a session used from a second address.
	SessionGroup string
	// TTL is the age at which the shared session is replaced by a new login.
	TTL time.Duration
	// HTTPClient carries the target's TLS settings and source address.
	HTTPClient *http.Client
}

// SessionID returns the id under which the target's session is shared: a hash
// of the target URL, the username and the session group, so it names no secret.
func (t *Target) SessionID() string {
	h := sha256.New()
	for _, part := range []string{strings.TrimRight(t.BaseURL.String(), "/"), t.Username, t.SessionGroup} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:12])
}

func (t *Target) method() string {
	if t.LoginMethod == "" {
		return MethodAuto
	}
	return t.LoginMethod
}

func (t *Target) endpointURL(path string, query url.Values) string {
	u := *t.BaseURL
	u.Path = strings.TrimRight(u.Path, "/") + path
	u.RawQuery = query.Encode()
	return u.String()
}

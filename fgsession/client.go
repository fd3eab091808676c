package fgsession

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// maxMonitorBody bounds one monitor or CMDB response. A large device's
// firewall/policy response is a few MiB; 256 MiB stops a runaway body, not a
// real one.
const maxMonitorBody = 256 << 20

// Client sends authenticated FortiOS monitor and CMDB reads for one target.
// It implements the collector package's API interface.
type Client struct {
	target  *Target
	manager *Manager
}

// Client returns the API client of t.
func (m *Manager) Client(t *Target) *Client {
	return &Client{target: t, manager: m}
}

// Ready makes sure the target has a session. Token targets need none.
func (c *Client) Ready(ctx context.Context) error {
	if c.target.method() == MethodToken {
		return nil
	}
	_, err := c.manager.Session(ctx, c.target)
	return err
}

// Monitor sends GET /api/v2/monitor/<endpoint>?query. A 401, or FortiOS's
// HTML login page in place of JSON, invalidates the session once and repeats
// the request with a new one.
func (c *Client) Monitor(ctx context.Context, endpoint string, query url.Values) ([]byte, error) {
	endpoint = strings.Trim(endpoint, "/")
	return c.get(ctx, "/api/v2/monitor/", endpoint, endpoint, query)
}

// CMDB sends GET /api/v2/cmdb/<path>?query, a read of the configuration
// database, with the session handling of Monitor. Errors name the endpoint
// as cmdb/<path>.
func (c *Client) CMDB(ctx context.Context, path string, query url.Values) ([]byte, error) {
	path = strings.Trim(path, "/")
	return c.get(ctx, "/api/v2/cmdb/", path, "cmdb/"+path, query)
}

// get sends GET prefix+path?query and returns the body of a 2xx response.
// name is the endpoint as errors show it. A 401, or FortiOS's HTML login page
// in place of JSON, invalidates the session once and repeats the request with
// a new one. A non-2xx response is an *APIError.
func (c *Client) get(ctx context.Context, prefix, path, name string, query url.Values) ([]byte, error) {
	for attempt := 0; ; attempt++ {
		var rec *Record
		if c.target.method() == MethodToken {
			rec = &Record{Method: MethodToken, SessionKey: c.target.Token}
		} else {
			var err error
			rec, err = c.manager.Session(ctx, c.target)
			if err != nil {
				return nil, err
			}
		}

		status, contentType, body, err := c.send(ctx, prefix+path, name, query, rec)
		if err != nil {
			return nil, err
		}
		unauthorized := status == http.StatusUnauthorized ||
			(status == http.StatusOK && isLoginPage(contentType, body))
		if unauthorized && rec.Method != MethodToken && attempt == 0 {
			c.manager.Invalidate(ctx, c.target, rec)
			continue
		}
		if status < 200 || status > 299 || unauthorized {
			return nil, &APIError{Target: c.target.Name, Endpoint: name, Scope: requestScope(query),
				StatusCode: status, Message: describeError(status, contentType, body, query)}
		}
		c.manager.noteUse(c.target, rec)
		return body, nil
	}
}

// send sends one GET of urlPath with the credentials of rec and reads the
// response. name is the endpoint as errors show it.
func (c *Client) send(
	ctx context.Context, urlPath, name string, query url.Values, rec *Record,
) (int, string, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet,
		c.target.endpointURL(urlPath, query), nil)
	if err != nil {
		return 0, "", nil, fmt.Errorf("target %q: GET %s: %w", c.target.Name, name, err)
	}
	req.Header.Set("Accept", "application/json")
	applyCredentials(req, rec)
	resp, err := c.target.HTTPClient.Do(req)
	if err != nil {
		return 0, "", nil, newConnError(c.target.Name, "GET "+name, err)
	}
	defer resp.Body.Close()
	// Sizing the buffer from Content-Length avoids the repeated growth of
	// io.ReadAll, which allocates about 2.5 times the body of a large response.
	var buf bytes.Buffer
	if resp.ContentLength > 0 && resp.ContentLength <= maxMonitorBody {
		buf.Grow(int(resp.ContentLength) + bytes.MinRead)
	}
	_, err = buf.ReadFrom(io.LimitReader(resp.Body, maxMonitorBody+1))
	body := buf.Bytes()
	if err != nil {
		return 0, "", nil, fmt.Errorf("target %q: GET %s: reading the response: %w", c.target.Name, name, err)
	}
	if len(body) > maxMonitorBody {
		return 0, "", nil, fmt.Errorf("target %q: GET %s: response larger than %d bytes",
			c.target.Name, name, maxMonitorBody)
	}
	return resp.StatusCode, resp.Header.Get("Content-Type"), body, nil
}

// isLoginPage reports whether a 200 response is FortiOS's HTML login page, which
// some releases send instead of a 401 for a session that ended.
func isLoginPage(contentType string, body []byte) bool {
	if !strings.HasPrefix(contentType, "text/html") {
		return false
	}
	head := bytes.ToLower(body[:min(len(body), 4096)])
	return bytes.Contains(head, []byte("logincheck")) || bytes.Contains(head, []byte("<form"))
}

// describeError returns a short, secret-free description of an error response
// to a request with query: the JSON envelope's status and error code, or the
// HTML page title, with the likely cause of a 401, 403 or 429.
func describeError(status int, contentType string, body []byte, query url.Values) string {
	if strings.Contains(contentType, "json") || bytes.HasPrefix(bytes.TrimSpace(body), []byte("{")) {
		var env struct {
			Status string          `json:"status"`
			Error  json.RawMessage `json:"error"`
		}
		if json.Unmarshal(body, &env) == nil {
			msg := env.Status
			if len(env.Error) > 0 {
				msg += " (error " + string(env.Error) + ")"
			}
			if status == http.StatusForbidden {
				msg += ": " + describeForbidden(query, body)
			}
			return msg
		}
	}
	msg := htmlTitle(body)
	switch status {
	case http.StatusUnauthorized:
		msg += ": FortiOS rejected the credentials"
	case http.StatusForbidden:
		msg += ": FortiOS refused the request, for example for a missing or wrong CSRF token, " +
			"a post-login banner not yet accepted, or an API token used outside its trusted hosts"
	case http.StatusTooManyRequests:
		msg += ": FortiOS blocks this source address after repeated failed authentications"
	}
	return msg
}

// SessionInfo is the metadata of a target's session shown on /session. It
// holds no credential.
type SessionInfo struct {
	Target        string     `json:"target"`
	Method        string     `json:"login_method"`
	Store         string     `json:"store"`
	Valid         bool       `json:"valid"`
	AgeSeconds    float64    `json:"age_seconds"`
	CreatedAt     *time.Time `json:"created_at,omitempty"`
	ExpiresAt     *time.Time `json:"expires_at,omitempty"`
	Generation    int64      `json:"generation"`
	Owner         string     `json:"owner,omitempty"`
	ThisReplica   string     `json:"this_replica"`
	Uses          int64      `json:"uses"`
	BackoffReason string     `json:"backoff_reason,omitempty"`
	BackoffUntil  *time.Time `json:"backoff_until,omitempty"`
	Failures      int        `json:"backoff_failures,omitempty"`
}

// Info returns this replica's view of the session of t, without a login
// and without a store call.
func (m *Manager) Info(t *Target) SessionInfo {
	info := SessionInfo{Target: t.Name, Method: t.method(), ThisReplica: m.replicaID(),
		Store: m.storeName(m.store)}
	if t.method() == MethodToken {
		info.Valid = true
		return info
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	st := m.sessions[t.SessionID()]
	if st == nil {
		return info
	}
	if st.lastStore != "" {
		info.Store = st.lastStore
	}
	if rec := st.last; rec != nil {
		created, expires := rec.CreatedAt, rec.ExpiresAt
		info.Method = rec.Method
		info.Valid = rec.ID != st.rejected && now.Before(expires.Add(m.opts.LogoutGrace))
		info.AgeSeconds = now.Sub(created).Seconds()
		info.CreatedAt, info.ExpiresAt = &created, &expires
		info.Generation = rec.Generation
		info.Owner = rec.Owner
		info.Uses = st.uses
	}
	if b := st.backoff; b != nil && now.Before(b.RetryAt) {
		retry := b.RetryAt
		info.BackoffReason, info.BackoffUntil, info.Failures = b.Reason, &retry, b.Failures
	}
	return info
}

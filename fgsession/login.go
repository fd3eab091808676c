package fgsession

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Login failure reasons, used as the reason label of
// fortigate_session_login_failures_total and in back-off records.
const (
	ReasonBadCredentials   = "bad_credentials"
	ReasonLockedOut        = "locked_out"
	ReasonRateLimited      = "rate_limited"
	ReasonTwoFactor        = "two_factor_required"
	ReasonPasswordChange   = "password_change_required"
	ReasonDisclaimer       = "disclaimer_not_accepted"
	ReasonNoSession        = "no_session_issued"
	ReasonUnexpectedAnswer = "unexpected_response"
)

// LoginReasons lists every failure reason, for metrics initialised at start-up.
var LoginReasons = []string{
	ReasonBadCredentials, ReasonLockedOut, ReasonRateLimited, ReasonTwoFactor,
	ReasonPasswordChange, ReasonDisclaimer, ReasonNoSession, ReasonUnexpectedAnswer,
}

// LoginError is a login that FortiOS rejected. It starts the shared back-off,
// unlike a transport error (timeout, refused connection), which does not.
type LoginError struct {
	Target string
	Method string
	Reason string
	// Detail is a secret-free description of FortiOS's response.
	Detail string
}

// FailureReason names the error in fortigate_scrape_failure_info.
func (e *LoginError) FailureReason() string { return "login_rejected" }

func (e *LoginError) Error() string {
	return fmt.Sprintf("target %q: %s login failed: %s: %s", e.Target, e.Method, e.Reason, e.Detail)
}

// errMethodUnavailable means the login endpoint does not exist on this release
// (401 or 404 on /api/v2/authentication), so auto mode tries the next method.
var errMethodUnavailable = errors.New("login method not available on this FortiOS release")

// maxLoginBody bounds how much of a login response is read.
const maxLoginBody = 64 << 10

// login performs one login with method (MethodAPI or MethodLogincheck) and
// returns a record without ID, Generation, Owner or timestamps.
func login(ctx context.Context, t *Target, method string) (*Record, error) {
	switch method {
	case MethodAPI:
		return loginAPI(ctx, t)
	case MethodLogincheck:
		return loginLogincheck(ctx, t)
	default:
		return nil, fmt.Errorf("target %q: unknown login method %q (want auto, api, logincheck or token)", t.Name, method)
	}
}

type authRequest struct {
	Username          string `json:"username"`
	SecretKey         string `json:"secretkey"`
	Password          string `json:"password"`
	AckPreDisclaimer  bool   `json:"ack_pre_disclaimer"`
	AckPostDisclaimer bool   `json:"ack_post_disclaimer"`
	RequestKey        bool   `json:"request_key"`
}

type authResponse struct {
	Status        *json.Number `json:"status"`
	StatusCode    *json.Number `json:"status_code"`
	StatusMessage string       `json:"status_message"`
	SessionKey    string       `json:"session_key"`
}

// loginAPI logs in through POST /api/v2/authentication. FortiOS 6.4.2 to 7.6.3
// returns a session key when request_key is set; 7.6.4 and later return session
// and CSRF cookies instead. Both secretkey and password are sent because 7.6.4
// renamed the field.
func loginAPI(ctx context.Context, t *Target) (*Record, error) {
	body, err := json.Marshal(authRequest{
		Username:          t.Username,
		SecretKey:         t.Password,
		Password:          t.Password,
		AckPreDisclaimer:  true,
		AckPostDisclaimer: true,
		RequestKey:        true,
	})
	if err != nil {
		return nil, err
	}
	var cookies []*http.Cookie
	for round := 0; round < 2; round++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost,
			t.endpointURL("/api/v2/authentication", nil), bytes.NewReader(body))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json")
		addCookies(req, cookies)
		resp, err := t.HTTPClient.Do(req)
		if err != nil {
			return nil, newConnError(t.Name, "POST /api/v2/authentication", err)
		}
		data, err := io.ReadAll(io.LimitReader(resp.Body, maxLoginBody))
		resp.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("target %q: POST /api/v2/authentication: reading the response: %w", t.Name, err)
		}
		cookies = mergeCookies(cookies, resp.Cookies())

		switch {
		case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusNotFound:
			return nil, errMethodUnavailable
		case resp.StatusCode == http.StatusTooManyRequests:
			return nil, &LoginError{Target: t.Name, Method: MethodAPI, Reason: ReasonRateLimited,
				Detail: "HTTP 429: FortiOS blocks this source address after repeated failed logins"}
		case resp.StatusCode >= 500:
			return nil, fmt.Errorf("target %q: POST /api/v2/authentication: HTTP %d", t.Name, resp.StatusCode)
		case resp.StatusCode != http.StatusOK:
			return nil, &LoginError{Target: t.Name, Method: MethodAPI, Reason: ReasonUnexpectedAnswer,
				Detail: fmt.Sprintf("HTTP %d", resp.StatusCode)}
		}

		var answer authResponse
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		if err := dec.Decode(&answer); err != nil {
			return nil, &LoginError{Target: t.Name, Method: MethodAPI, Reason: ReasonUnexpectedAnswer,
				Detail: "the response is not JSON: " + htmlTitle(data)}
		}
		status := answer.Status
		if status == nil {
			status = answer.StatusCode
		}
		if status == nil {
			return nil, &LoginError{Target: t.Name, Method: MethodAPI, Reason: ReasonUnexpectedAnswer,
				Detail: "the response has neither status nor status_code"}
		}
		code, err := strconv.Atoi(status.String())
		if err != nil {
			return nil, &LoginError{Target: t.Name, Method: MethodAPI, Reason: ReasonUnexpectedAnswer,
				Detail: fmt.Sprintf("status %q is not an integer", status.String())}
		}

		switch code {
		case 5, 6: // LOGIN_SUCCESS; 6 from FortiOS 7.6.3 on
			if answer.SessionKey != "" {
				return &Record{Method: MethodAPI, SessionKey: answer.SessionKey}, nil
			}
			rec := recordFromCookies(MethodAPI, cookies)
			if rec == nil {
				return nil, &LoginError{Target: t.Name, Method: MethodAPI, Reason: ReasonNoSession,
					Detail: "login succeeded but the response has neither session_key nor a session cookie"}
			}
			return rec, nil
		case 3: // LOGIN_ACCEPT_POST_LOGIN_DISCLAIMER: repeat with the cookies of this response
			continue
		}
		return nil, apiStatusError(t, code, answer.StatusMessage)
	}
	return nil, &LoginError{Target: t.Name, Method: MethodAPI, Reason: ReasonDisclaimer,
		Detail: "FortiOS still asks for the post-login disclaimer after it was acknowledged"}
}

func apiStatusError(t *Target, code int, message string) error {
	e := &LoginError{Target: t.Name, Method: MethodAPI,
		Detail: fmt.Sprintf("status %d %s", code, message)}
	switch code {
	case -1:
		// FortiOS returns -1 alike for a wrong password, a full admin session
		// table (admin-login-max) and a second login with admin-concurrent
		// disabled.
		e.Reason = ReasonBadCredentials
		e.Detail += ": wrong username or password, or FortiOS refused another admin session " +
			"(admin-login-max reached, or admin-concurrent disabled)"
	case -4:
		e.Reason = ReasonLockedOut
	case -2:
		e.Reason = ReasonDisclaimer
	case 2:
		e.Reason = ReasonTwoFactor
		e.Detail += ": the admin needs a two-factor code; use an admin without two-factor or an API token"
	case 4:
		e.Reason = ReasonPasswordChange
		e.Detail += ": FortiOS demands a password change; log in once interactively and change it"
	default:
		e.Reason = ReasonUnexpectedAnswer
	}
	return e
}

// loginLogincheck logs in through the legacy POST /logincheck form. The first
// byte of the body is the result, except from FortiOS 7.6.3 on, which sends
// JSON with a status member. The session is in APSCOOKIE_* and ccsrftoken*
// cookies.
func loginLogincheck(ctx context.Context, t *Target) (*Record, error) {
	form := url.Values{"username": {t.Username}, "secretkey": {t.Password}, "ajax": {"1"}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost,
		t.endpointURL("/logincheck", nil), strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := t.HTTPClient.Do(req)
	if err != nil {
		return nil, newConnError(t.Name, "POST /logincheck", err)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxLoginBody))
	resp.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("target %q: POST /logincheck: reading the response: %w", t.Name, err)
	}
	fail := func(reason, detail string) error {
		return &LoginError{Target: t.Name, Method: MethodLogincheck, Reason: reason, Detail: detail}
	}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		return nil, fail(ReasonRateLimited, "HTTP 429: FortiOS blocks this source address after repeated failed logins")
	case resp.StatusCode >= 500:
		return nil, fmt.Errorf("target %q: POST /logincheck: HTTP %d", t.Name, resp.StatusCode)
	case resp.StatusCode != http.StatusOK:
		return nil, fail(ReasonUnexpectedAnswer, fmt.Sprintf("HTTP %d", resp.StatusCode))
	}

	result := byte(0)
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) > 0 && trimmed[0] == '{' {
		var answer struct {
			Status json.Number `json:"status"`
		}
		if err := json.Unmarshal(trimmed, &answer); err == nil && len(answer.Status.String()) == 1 {
			result = answer.Status.String()[0]
		}
	} else if len(trimmed) > 0 {
		result = trimmed[0]
	}
	switch result {
	case '1':
	case '0':
		return nil, fail(ReasonBadCredentials, "wrong username or password, or FortiOS refused another "+
			"admin session (admin-login-max reached, or admin-concurrent disabled)")
	case '2':
		return nil, fail(ReasonLockedOut, "the admin account is locked out after failed logins")
	case '3':
		return nil, fail(ReasonTwoFactor, "the admin needs a two-factor code; use an admin without two-factor or an API token")
	case '4':
		return nil, fail(ReasonPasswordChange, "FortiOS demands a password change; log in once interactively and change it")
	default:
		return nil, fail(ReasonUnexpectedAnswer, "the answer does not start with a result code: "+htmlTitle(data))
	}

	cookies := resp.Cookies()
	rec := recordFromCookies(MethodLogincheck, cookies)
	if rec == nil {
		return nil, fail(ReasonNoSession, "FortiOS reported success but set no session cookie "+
			"(FortiOS 7.6.3 and later issue sessions only through /api/v2/authentication)")
	}
	if bytes.Contains(data, []byte("logindisclaimer")) {
		if err := acceptDisclaimer(ctx, t, rec); err != nil {
			return nil, err
		}
	}
	return rec, nil
}

// acceptDisclaimer acknowledges a post-login banner, without which FortiOS
// rejects every API call of the session.
func acceptDisclaimer(ctx context.Context, t *Target, rec *Record) error {
	form := url.Values{"confirm": {"1"}, "ajax": {"1"}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost,
		t.endpointURL("/logindisclaimer", nil), strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	applyCredentials(req, rec)
	resp, err := t.HTTPClient.Do(req)
	if err != nil {
		return newConnError(t.Name, "POST /logindisclaimer", err)
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, maxLoginBody))
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return &LoginError{Target: t.Name, Method: MethodLogincheck, Reason: ReasonDisclaimer,
			Detail: fmt.Sprintf("POST /logindisclaimer: HTTP %d", resp.StatusCode)}
	}
	return nil
}

// logout ends a FortiOS session. Errors are returned for logging only: an
// unterminated session ends by itself at FortiOS's idle timeout.
func logout(ctx context.Context, t *Target, rec *Record) error {
	var req *http.Request
	var err error
	if rec.Method == MethodLogincheck {
		req, err = http.NewRequestWithContext(ctx, http.MethodPost, t.endpointURL("/logout", nil), nil)
	} else {
		req, err = http.NewRequestWithContext(ctx, http.MethodDelete,
			t.endpointURL("/api/v2/authentication", nil), nil)
	}
	if err != nil {
		return err
	}
	applyCredentials(req, rec)
	resp, err := t.HTTPClient.Do(req)
	if err != nil {
		return newConnError(t.Name, "logout", err)
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, maxLoginBody))
	resp.Body.Close()
	if resp.StatusCode >= 300 && resp.StatusCode != http.StatusUnauthorized {
		return fmt.Errorf("target %q: logout: HTTP %d", t.Name, resp.StatusCode)
	}
	return nil
}

// recordFromCookies builds a cookie session from the cookies of a login response,
// or returns nil when they hold no session. FortiOS names the cookies by
// release (APSCOOKIE_<n>, session_key_<port>_<hash>; ccsrftoken,
// ccsrftoken_<port>[_<hash>], ccsrf_token_<port>_<hash>), quotes CSRF values,
// and marks a failed login with the value 0%260.
func recordFromCookies(method string, cookies []*http.Cookie) *Record {
	rec := &Record{Method: method}
	hasSession := false
	for _, c := range cookies {
		value := strings.Trim(c.Value, `"`)
		if value == "" || value == "0%260" || value == "0&0" {
			continue
		}
		lower := strings.ToLower(c.Name)
		switch {
		case strings.HasPrefix(lower, "ccsrftoken") || strings.HasPrefix(lower, "ccsrf_token"):
			rec.CSRFToken = value
		case strings.HasPrefix(lower, "apscookie_") || strings.HasPrefix(lower, "session_key_"):
			hasSession = true
		}
		rec.Cookies = append(rec.Cookies, Cookie{Name: c.Name, Value: c.Value})
	}
	if !hasSession {
		return nil
	}
	return rec
}

func mergeCookies(have, add []*http.Cookie) []*http.Cookie {
	for _, c := range add {
		replaced := false
		for i, old := range have {
			if old.Name == c.Name {
				have[i] = c
				replaced = true
			}
		}
		if !replaced {
			have = append(have, c)
		}
	}
	return have
}

func addCookies(req *http.Request, cookies []*http.Cookie) {
	for _, c := range cookies {
		req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
}

// applyCredentials puts a session's credential on a request: the session key
// as a Bearer token, or the cookies plus the CSRF token in X-CSRFTOKEN.
func applyCredentials(req *http.Request, rec *Record) {
	if rec.SessionKey != "" {
		req.Header.Set("Authorization", "Bearer "+rec.SessionKey)
	}
	for _, c := range rec.Cookies {
		req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value, Quoted: false})
	}
	if rec.CSRFToken != "" {
		req.Header.Set("X-CSRFTOKEN", rec.CSRFToken)
	}
}

// htmlTitle returns the <title> of an HTML page, or a short note on the body,
// so errors describe FortiOS's response without repeating it.
func htmlTitle(body []byte) string {
	lower := bytes.ToLower(body)
	start := bytes.Index(lower, []byte("<title>"))
	end := bytes.Index(lower, []byte("</title>"))
	if start >= 0 && end > start {
		return strings.TrimSpace(string(body[start+len("<title>") : end]))
	}
	if len(body) == 0 {
		return "empty body"
	}
	return fmt.Sprintf("%d bytes of unexpected content", len(body))
}

// ConnError is a request to FortiOS that got no HTTP response: refused,
// timed out, or rejected in the TLS handshake. It starts no login back-off.
type ConnError struct {
	Target string
	Op     string
	Err    error
}

func newConnError(target, op string, err error) *ConnError {
	return &ConnError{Target: target, Op: op, Err: redactURLError(err)}
}

func (e *ConnError) Error() string {
	msg := fmt.Sprintf("target %q: %s: %v", e.Target, e.Op, e.Err)
	if e.certificate() {
		msg += ": the FortiGate's certificate is not trusted; set tls.ca_file (FORTIGATE_CA_FILE) " +
			"to its CA or self-signed certificate, and tls.server_name when the name in it differs"
	}
	return msg
}

func (e *ConnError) Unwrap() error { return e.Err }

// FailureReason names the error in fortigate_scrape_failure_info.
func (e *ConnError) FailureReason() string {
	switch {
	case e.certificate():
		return "tls_certificate"
	case errors.Is(e.Err, context.DeadlineExceeded):
		return "timeout"
	default:
		return "unreachable"
	}
}

func (e *ConnError) certificate() bool {
	var verifyErr *tls.CertificateVerificationError
	var authorityErr x509.UnknownAuthorityError
	var hostnameErr x509.HostnameError
	var invalidErr x509.CertificateInvalidError
	return errors.As(e.Err, &verifyErr) || errors.As(e.Err, &authorityErr) ||
		errors.As(e.Err, &hostnameErr) || errors.As(e.Err, &invalidErr)
}

// redactURLError drops the URL from a *url.Error, since a URL may carry a query
// token; the operation and cause stay.
func redactURLError(err error) error {
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		return urlErr.Err
	}
	return err
}

func randomID() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("crypto/rand failed: %v", err))
	}
	return hex.EncodeToString(b)
}

// sleepCtx waits for d or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) error {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}

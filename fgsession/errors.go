package fgsession

import (
	"errors"
	"fmt"
)

// APIError is a FortiOS response other than 2xx to an authenticated monitor request.
type APIError struct {
	Target   string
	Endpoint string
	// Scope is the VDOM selection of the request as sent, such as
	// "vdom=root,dmz" or "scope=global", and empty when it named neither.
	Scope      string
	StatusCode int
	// Message is a short, secret-free description taken from the response body,
	// such as the JSON envelope's status or the HTML page title.
	Message string
}

func (e *APIError) Error() string {
	endpoint := e.Endpoint
	if e.Scope != "" {
		endpoint += "?" + e.Scope
	}
	msg := fmt.Sprintf("target %q: GET %s: HTTP %d", e.Target, endpoint, e.StatusCode)
	if e.Message != "" {
		msg += ": " + e.Message
	}
	return msg
}

// Unsupported reports whether the device lacks the endpoint (404) or the feature
// behind it is not configured (424). Neither is a collector failure.
func (e *APIError) Unsupported() bool {
	return e.StatusCode == 404 || e.StatusCode == 424
}

// IsUnsupported reports whether err wraps an APIError for which Unsupported is true.
func IsUnsupported(err error) bool {
	var apiErr *APIError
	return errors.As(err, &apiErr) && apiErr.Unsupported()
}

// IsForbidden reports whether err wraps an APIError with HTTP 403: FortiOS
// refused the request for the admin's VDOMs, global scope, access profile or
// CSRF token.
func IsForbidden(err error) bool {
	var apiErr *APIError
	return errors.As(err, &apiErr) && apiErr.StatusCode == 403
}

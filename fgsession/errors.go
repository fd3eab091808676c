package fgsession

import (
	"errors"
	"fmt"
)

// APIError is a FortiOS answer other than 2xx to an authenticated monitor request.
type APIError struct {
	Target     string
	Endpoint   string
	StatusCode int
	// Message is a short, secret-free description taken from the answer body,
	// such as the JSON envelope's status or the HTML page title.
	Message string
}

func (e *APIError) Error() string {
	msg := fmt.Sprintf("target %q: GET %s: HTTP %d", e.Target, e.Endpoint, e.StatusCode)
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

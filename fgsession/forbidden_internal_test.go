package fgsession

import (
	"net/url"
	"strings"
	"testing"
)

func TestDescribeForbidden(t *testing.T) {
	const envelope = `{"http_method":"GET","path":"system","name":"interface","status":"error","http_status":403}`
	for _, tc := range []struct {
		name        string
		contentType string
		body        string
		query       url.Values
		want        []string
	}{
		{
			name:  "vdom list without a vdom member",
			body:  envelope,
			query: url.Values{"vdom": {"root,dmz"}},
			want:  []string{`error: permission denied for one of the VDOMs "root", "dmz"`, "access profile"},
		},
		{
			name:  "vdom member outside the request",
			body:  `{"status":"error","http_status":403,"vdom":"lab"}`,
			query: url.Values{"vdom": {"root"}},
			want:  []string{`permission denied for VDOM "root"`},
		},
		{
			name:  "no vdom",
			body:  envelope,
			query: nil,
			want:  []string{"error: permission denied: the admin's access profile lacks read permission", "management VDOM"},
		},
		{
			name:  "error code",
			body:  `{"status":"error","http_status":403,"error":-37}`,
			query: url.Values{"scope": {"global"}},
			want:  []string{"error (error -37): permission denied for the global scope"},
		},
		{
			name:        "HTML page",
			contentType: "text/html",
			body:        "<html><head><title>403 Forbidden</title></head></html>",
			query:       url.Values{"vdom": {"root"}},
			want:        []string{"403 Forbidden: FortiOS refused the request", "CSRF token"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			contentType := tc.contentType
			if contentType == "" {
				contentType = "application/json"
			}
			got := describeError(403, contentType, []byte(tc.body), tc.query)
			for _, part := range tc.want {
				if !strings.Contains(got, part) {
					t.Errorf("description %q does not contain %q", got, part)
				}
			}
		})
	}
}

func TestRequestScope(t *testing.T) {
	for _, tc := range []struct {
		query url.Values
		want  string
	}{
		{nil, ""},
		{url.Values{"interval": {"1-min"}}, ""},
		{url.Values{"vdom": {"*"}, "start": {"0"}}, "vdom=*"},
		{url.Values{"scope": {"global"}}, "scope=global"},
		{url.Values{"vdom": {"dmz"}, "scope": {"vdom"}}, "vdom=dmz&scope=vdom"},
	} {
		if got := requestScope(tc.query); got != tc.want {
			t.Errorf("requestScope(%v) = %q, want %q", tc.query, got, tc.want)
		}
	}
}

package fgsession

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
)

// FortiOS returns 403 with a JSON error envelope when the admin may not read
// what a request names: a VDOM outside the admin's VDOM list, a VDOM that does
// not exist, scope=global for a VDOM admin, or an endpoint that the access
// profile does not grant. The envelope does not say which of these applies, so
// the description names what the request asked for.

// requestScope returns the VDOM selection of query as sent, such as
// "vdom=root,dmz" or "scope=global", or "" when the request names neither.
func requestScope(query url.Values) string {
	var parts []string
	if v := query.Get("vdom"); v != "" {
		parts = append(parts, "vdom="+v)
	}
	if s := query.Get("scope"); s != "" {
		parts = append(parts, "scope="+s)
	}
	return strings.Join(parts, "&")
}

// describeForbidden explains a 403 JSON error envelope of a request with
// query. It names the VDOM from the envelope's vdom member when that is one of
// the requested VDOMs, otherwise every requested VDOM.
func describeForbidden(query url.Values, body []byte) string {
	const profile = "the admin's access profile lacks read permission for this endpoint"
	if query.Get("scope") == "global" {
		return "permission denied for the global scope: the admin is a VDOM admin without " +
			"global scope, or " + profile + "; give the admin global scope or exclude the " +
			"collector that needs it"
	}

	param := query.Get("vdom")
	switch param {
	case "":
		return "permission denied: " + profile + ", or the admin has no access to the " +
			"management VDOM"
	case "*":
		return "permission denied for vdom=*: the admin cannot read every VDOM, so list its " +
			"VDOMs in the target's vdoms setting, or " + profile
	}

	requested := strings.Split(param, ",")
	var env struct {
		VDOM string `json:"vdom"`
	}
	if json.Unmarshal(body, &env) == nil && slices.Contains(requested, env.VDOM) {
		requested = []string{env.VDOM}
	}
	denied := fmt.Sprintf("VDOM %q", requested[0])
	if len(requested) > 1 {
		quoted := make([]string, len(requested))
		for i, v := range requested {
			quoted[i] = fmt.Sprintf("%q", v)
		}
		denied = "one of the VDOMs " + strings.Join(quoted, ", ")
	}
	return "permission denied for " + denied + ": the VDOM is not in the admin's VDOM list or " +
		"does not exist, or " + profile + "; assign the VDOM to the admin or remove it from " +
		"the target's vdoms setting"
}

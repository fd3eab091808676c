package collector

import (
	"fmt"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

// routesRequest is the request of one page of routes for vdom, which is
// URL-encoded already ("%2A" for *).
func routesRequest(endpoint string, page int, vdom string) string {
	return fmt.Sprintf("%s?count=%d&start=%d&vdom=%s",
		endpoint, routesPageSize, page*routesPageSize, vdom)
}

// routesPage returns a reply with one envelope per VDOM, each with n routes
// of routeType.
func routesPage(routeType string, perVDOM map[string]int) string {
	var envelopes []string
	for _, vdom := range []string{"root", "dmz"} {
		n, ok := perVDOM[vdom]
		if !ok {
			continue
		}
		routes := make([]string, n)
		for i := range routes {
			routes[i] = fmt.Sprintf(`{"type":%q,"ip_mask":"10.%d.%d.0/24"}`, routeType, i/256, i%256)
		}
		envelopes = append(envelopes,
			`{"results":[`+strings.Join(routes, ",")+`],"vdom":"`+vdom+`"}`)
	}
	return "[" + strings.Join(envelopes, ",") + "]"
}

// routeSeries returns the exposition lines of one VDOM and protocol: every
// known type with 0 except those in counts.
func routeSeries(vdom, protocol string, counts map[string]int) string {
	types := routeFamilies[0].types
	if protocol == "ipv6" {
		types = routeFamilies[1].types
	}
	var b strings.Builder
	for _, routeType := range types {
		fmt.Fprintf(&b, "fortigate_routes{protocol=%q,type=%q,vdom=%q} %d\n",
			protocol, routeType, vdom, counts[routeType])
	}
	return b.String()
}

func TestRoutesGolden(t *testing.T) {
	for _, release := range []string{"7.0", "7.4"} {
		t.Run(release, func(t *testing.T) { checkGolden(t, "router_routes", release) })
	}
}

func TestRoutesQuirks(t *testing.T) {
	tests := []struct {
		name    string
		ipv4    reply
		ipv6    reply
		want    string
		wantErr string
	}{
		{
			name: "unknown type and type as a number",
			ipv4: reply{body: `[{"results":[{"type":"connect"},{"type":"connect"},{"type":"static"},
				{"type":"sdwan-new"},{"type":7}],"vdom":"root"}]`},
			ipv6: reply{body: `[{"results":[],"vdom":"root"}]`},
			want: routeSeries("root", "ipv4", map[string]int{"connect": 2, "static": 1}) +
				`fortigate_routes{protocol="ipv4",type="7",vdom="root"} 1
				fortigate_routes{protocol="ipv4",type="sdwan-new",vdom="root"} 1
				` + routeSeries("root", "ipv6", nil),
		},
		{
			name: "router/ipv6 missing",
			ipv4: reply{body: `{"results":{"type":"bgp"},"vdom":"dmz"}`},
			ipv6: reply{status: 404, body: `{"status":"error","http_status":404}`},
			want: routeSeries("dmz", "ipv4", map[string]int{"bgp": 1}),
		},
		{
			name: "router/ipv6 not configured",
			ipv4: reply{body: `[{"results":[],"vdom":"root"}]`},
			ipv6: reply{status: 424, body: `{"status":"error","http_status":424}`},
			want: routeSeries("root", "ipv4", nil),
		},
		{
			name:    "router/ipv6 failing",
			ipv4:    reply{body: `[{"results":[],"vdom":"root"}]`},
			ipv6:    reply{status: 500, body: `{"status":"error","http_status":500}`},
			want:    routeSeries("root", "ipv4", nil),
			wantErr: "HTTP 500",
		},
		{
			name:    "type of the wrong type",
			ipv4:    reply{body: `[{"results":[{"type":"static"},{"type":["bgp"]}],"vdom":"root"}]`},
			ipv6:    reply{body: `[]`},
			wantErr: "decode router/ipv4 reply: field results[1].type: got array, expected a string",
		},
		{
			name:    "IPv6 error names its endpoint",
			ipv4:    reply{body: `[]`},
			ipv6:    reply{body: `[{"results":"none","vdom":"root"}]`},
			wantErr: `decode router/ipv6 reply: field results: got string "none", expected an array`,
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			replies := map[string]reply{
				routesRequest(routesIPv4Endpoint, 0, "%2A"): tt.ipv4,
				routesRequest(routesIPv6Endpoint, 0, "%2A"): tt.ipv6,
			}
			checkCollector(t, "router_routes", replies, tt.want, tt.wantErr)
		})
	}
}

func TestRoutesPaging(t *testing.T) {
	// root fills the first page and dmz does not, so only root is asked for
	// the second page.
	api := &fakeAPI{replies: map[string]reply{
		routesRequest(routesIPv4Endpoint, 0, "%2A"): {
			body: routesPage("bgp", map[string]int{"root": routesPageSize, "dmz": 3}),
		},
		routesRequest(routesIPv4Endpoint, 1, "root"): {body: routesPage("bgp", map[string]int{"root": 5})},
		routesRequest(routesIPv6Endpoint, 0, "%2A"):  {body: `[{"results":[],"vdom":"root"}]`},
	}}
	c := collectorByName(t, "router_routes")
	adapter := &singleCollector{collector: c, target: &Target{Name: "fw", API: api}}

	want := routeSeries("dmz", "ipv4", map[string]int{"bgp": 3}) +
		routeSeries("root", "ipv4", map[string]int{"bgp": routesPageSize + 5}) +
		routeSeries("root", "ipv6", nil)
	if err := testutil.CollectAndCompare(adapter, strings.NewReader(exposition(c, want))); err != nil {
		t.Fatal(err)
	}
	if err := adapter.lastErr(); err != nil {
		t.Fatalf("Update error = %v, requests = %q", err, api.requestList())
	}
	if got := len(api.requestList()); got != 3 {
		t.Fatalf("sent %d requests (%q), want 3", got, api.requestList())
	}
}

func TestRoutesIgnoredCount(t *testing.T) {
	// A device that ignores count sends more routes than requested, and the
	// collector must not ask for a second page of the same table.
	api := &fakeAPI{replies: map[string]reply{
		routesIPv4Endpoint: {body: routesPage("static", map[string]int{"root": routesPageSize + 1})},
		routesIPv6Endpoint: {body: `[]`},
	}}
	adapter := &singleCollector{
		collector: collectorByName(t, "router_routes"),
		target:    &Target{Name: "fw", API: api},
	}
	testutil.CollectAndCount(adapter)

	if got := len(api.requestList()); got != 2 {
		t.Fatalf("sent %d requests (%q), want one per endpoint", got, api.requestList())
	}
}

func TestRoutesUnsupported(t *testing.T) { checkUnsupported(t, "router_routes") }

func FuzzRoutes(f *testing.F) {
	addFixtureSeeds(f, routesIPv4Endpoint)
	addFixtureSeeds(f, routesIPv6Endpoint)
	for _, seed := range quirkSeeds {
		f.Add([]byte(seed))
	}
	f.Add([]byte(`[{"results":[{"type":null},{"type":1.5e3},{}],"vdom":"root"}]`))
	f.Add([]byte(`{"results":{"type":{"x":1}},"vdom":"dmz"}`))
	f.Fuzz(func(t *testing.T, body []byte) { fuzzCollector(t, "router_routes", body) })
}

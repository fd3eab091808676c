package collector

import (
	"context"
	"maps"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/prometheus/common/expfmt"

	"github.com/fortigate-session-exporter/fortigate_session_exporter/fixtures"
)

func TestFirewallPolicyPagesLargeRuleBase(t *testing.T) {
	// 2,500 generated policies over root and dmz, and the simulator's limit of
	// 1,000 policies per reply and VDOM: root has 1,255 policies with the
	// fixture's 1, 2, 3, 4 and 0, and dmz 1,253 with 10, 11 and 0.
	sim, err := fixtures.New(fixtures.Options{Release: "7.4", Size: fixtures.DeviceSize{Policies: 2500}})
	if err != nil {
		t.Fatal(err)
	}
	api := &recordingAPI{API: fixtureAPI{sim: sim}}
	adapter := &singleCollector{
		collector: collectorByName(t, "firewall_policy"),
		target:    &Target{Name: "fw", API: api},
	}

	const want = (1255 + 1253) * 2
	if n := testutil.CollectAndCount(adapter, "fortigate_policy_active_sessions"); n != want {
		t.Errorf("%d fortigate_policy_active_sessions series, expected %d (every policy of both VDOMs, "+
			"per IP version)", n, want)
	}
	if err := adapter.lastErr(); err != nil {
		t.Fatalf("Update error = %v", err)
	}

	// Per IP version: the first page of every VDOM, then the rest of both.
	var starts []string
	for _, q := range api.queries() {
		starts = append(starts, q.Get("ip_version")+":"+q.Get("start")+":"+q.Get("vdom"))
	}
	wantStarts := []string{"ipv4:0:*", "ipv4:1000:root,dmz", "ipv6:0:*", "ipv6:1000:root,dmz"}
	if len(starts) != len(wantStarts) {
		t.Fatalf("requests %q, expected %q", starts, wantStarts)
	}
	for i := range starts {
		if starts[i] != wantStarts[i] {
			t.Errorf("request %d: %s, expected %s", i, starts[i], wantStarts[i])
		}
	}
}

func TestFirewallPolicyFormatKeepsMetrics(t *testing.T) {
	// The same fixtures with and without format give the same exposition.
	sim, err := fixtures.New(fixtures.Options{Release: "7.4"})
	if err != nil {
		t.Fatal(err)
	}
	c := collectorByName(t, "firewall_policy")
	withFormat := &singleCollector{collector: c, target: &Target{Name: "fw", API: fixtureAPI{sim: sim}}}
	withoutFormat := &singleCollector{collector: c, target: &Target{Name: "fw",
		API: &recordingAPI{API: fixtureAPI{sim: sim}, dropFormat: true}}}

	a, err := testutil.CollectAndFormat(withFormat, expfmt.TypeTextPlain, metricNames(c)...)
	if err != nil {
		t.Fatal(err)
	}
	b, err := testutil.CollectAndFormat(withoutFormat, expfmt.TypeTextPlain, metricNames(c)...)
	if err != nil {
		t.Fatal(err)
	}
	if string(a) != string(b) {
		t.Errorf("exposition with format:\n%s\ndiffers from the one without:\n%s", a, b)
	}
	if len(a) == 0 {
		t.Errorf("no metrics collected")
	}
}

// recordingAPI passes requests to API and records them. With dropFormat it
// removes the format parameter first, as a release before 6.4.2 ignores it.
type recordingAPI struct {
	API
	dropFormat bool

	mu       sync.Mutex
	recorded []recordedRequest
}

// recordedRequest is one request that recordingAPI passed on. The endpoint
// of a CMDB read is cmdb/<path>.
type recordedRequest struct {
	endpoint string
	query    url.Values
}

func (r *recordingAPI) Monitor(ctx context.Context, endpoint string, query url.Values) ([]byte, error) {
	query = r.record(endpoint, query)
	return r.API.Monitor(ctx, endpoint, query)
}

func (r *recordingAPI) CMDB(ctx context.Context, path string, query url.Values) ([]byte, error) {
	query = r.record("cmdb/"+path, query)
	return r.API.CMDB(ctx, path, query)
}

// record stores a copy of query and returns the query to send.
func (r *recordingAPI) record(endpoint string, query url.Values) url.Values {
	query = maps.Clone(query)
	if r.dropFormat {
		delete(query, "format")
	}
	r.mu.Lock()
	r.recorded = append(r.recorded, recordedRequest{endpoint: endpoint, query: query})
	r.mu.Unlock()
	return query
}

// requests returns every request in order.
func (r *recordingAPI) requests() []recordedRequest {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.recorded)
}

// queries returns the queries of the monitor requests in order.
func (r *recordingAPI) queries() []url.Values {
	var out []url.Values
	for _, req := range r.requests() {
		if !strings.HasPrefix(req.endpoint, "cmdb/") {
			out = append(out, req.query)
		}
	}
	return out
}

package collector

import (
	"fmt"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

const (
	bgpNeighborsRequest  = "router/bgp/neighbors?vdom=%2A"
	bgpNeighbors6Request = "router/bgp/neighbors6?vdom=%2A"
)

// bgpPathsRequest is the request of one page of paths with vdom=*.
func bgpPathsRequest(endpoint string, page int) string {
	return fmt.Sprintf("%s?count=%d&start=%d&vdom=%%2A", endpoint, bgpPathsPageSize, page*bgpPathsPageSize)
}

func TestBGPGolden(t *testing.T) {
	for _, name := range []string{"router_bgp", "router_bgp_paths"} {
		for _, release := range []string{"7.4", "7.6"} {
			t.Run(name+"/"+release, func(t *testing.T) { checkGolden(t, name, release) })
		}
	}
}

func TestBGPNeighborsQuirks(t *testing.T) {
	tests := []struct {
		name    string
		ipv4    string
		ipv6    string
		want    string
		wantErr string
	}{
		{
			name: "remote AS as number and as string",
			ipv4: `[{"results":[{"neighbor_ip":"192.0.2.1","local_ip":"192.0.2.2","remote_as":64500,
				"admin_status":true,"state":"Established","type":"ipv4"}],"vdom":"root"}]`,
			ipv6: `[{"results":[{"neighbor_ip":"2001:db8::1","local_ip":"2001:db8::2","remote_as":"4200000001",
				"admin_status":false,"state":"Idle","type":"ipv6"}],"vdom":"root"}]`,
			want: `
				fortigate_bgp_neighbor_admin_up{neighbor="192.0.2.1",protocol="ipv4",vdom="root"} 1
				fortigate_bgp_neighbor_admin_up{neighbor="2001:db8::1",protocol="ipv6",vdom="root"} 0
				fortigate_bgp_neighbor_info{local_ip="192.0.2.2",neighbor="192.0.2.1",protocol="ipv4",remote_as="64500",vdom="root"} 1
				fortigate_bgp_neighbor_info{local_ip="2001:db8::2",neighbor="2001:db8::1",protocol="ipv6",remote_as="4200000001",vdom="root"} 1
				fortigate_bgp_neighbor_state{neighbor="192.0.2.1",protocol="ipv4",state="Active",vdom="root"} 0
				fortigate_bgp_neighbor_state{neighbor="192.0.2.1",protocol="ipv4",state="Connect",vdom="root"} 0
				fortigate_bgp_neighbor_state{neighbor="192.0.2.1",protocol="ipv4",state="Established",vdom="root"} 1
				fortigate_bgp_neighbor_state{neighbor="192.0.2.1",protocol="ipv4",state="Idle",vdom="root"} 0
				fortigate_bgp_neighbor_state{neighbor="192.0.2.1",protocol="ipv4",state="OpenConfirm",vdom="root"} 0
				fortigate_bgp_neighbor_state{neighbor="192.0.2.1",protocol="ipv4",state="OpenSent",vdom="root"} 0
				fortigate_bgp_neighbor_state{neighbor="2001:db8::1",protocol="ipv6",state="Active",vdom="root"} 0
				fortigate_bgp_neighbor_state{neighbor="2001:db8::1",protocol="ipv6",state="Connect",vdom="root"} 0
				fortigate_bgp_neighbor_state{neighbor="2001:db8::1",protocol="ipv6",state="Established",vdom="root"} 0
				fortigate_bgp_neighbor_state{neighbor="2001:db8::1",protocol="ipv6",state="Idle",vdom="root"} 1
				fortigate_bgp_neighbor_state{neighbor="2001:db8::1",protocol="ipv6",state="OpenConfirm",vdom="root"} 0
				fortigate_bgp_neighbor_state{neighbor="2001:db8::1",protocol="ipv6",state="OpenSent",vdom="root"} 0
				fortigate_bgp_neighbor_up{neighbor="192.0.2.1",protocol="ipv4",vdom="root"} 1
				fortigate_bgp_neighbor_up{neighbor="2001:db8::1",protocol="ipv6",vdom="root"} 0
			`,
		},
		{
			name: "neighbor without state or admin status",
			ipv4: `{"results":{"neighbor_ip":"192.0.2.9","remote_as":1.0},"vdom":"dmz"}`,
			ipv6: `[{"results":[],"vdom":"dmz"}]`,
			want: `
				fortigate_bgp_neighbor_info{local_ip="",neighbor="192.0.2.9",protocol="ipv4",remote_as="1.0",vdom="dmz"} 1
			`,
		},
		{
			name:    "admin status of the wrong type",
			ipv4:    `[{"results":[{"neighbor_ip":"192.0.2.1","admin_status":"maybe"}],"vdom":"root"}]`,
			ipv6:    `[]`,
			wantErr: `decode router/bgp/neighbors reply: field results[0].admin_status: got string "maybe", expected a boolean`,
		},
		{
			name:    "IPv6 error names its endpoint",
			ipv4:    `[]`,
			ipv6:    `[{"results":[{"state":["Idle"]}],"vdom":"root"}]`,
			wantErr: "decode router/bgp/neighbors6 reply: field results[0].state: got array, expected a string",
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := collectorByName(t, "router_bgp")
			api := &fakeAPI{replies: map[string]reply{
				bgpNeighborsRequest:  {body: tt.ipv4},
				bgpNeighbors6Request: {body: tt.ipv6},
			}}
			adapter := &singleCollector{collector: c, target: &Target{Name: "fw", API: api}}

			err := testutil.CollectAndCompare(adapter, strings.NewReader(exposition(c, tt.want)))
			if tt.wantErr != "" {
				if got := adapter.lastErr(); got == nil || !strings.Contains(got.Error(), tt.wantErr) {
					t.Fatalf("Update error = %v, want it to contain %q", got, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := adapter.lastErr(); got != nil {
				t.Fatalf("Update error = %v", got)
			}
		})
	}
}

// bgpPathsPage returns a vdom=* reply with n paths from neighbor in root.
func bgpPathsPage(neighbor string, n int, best bool) string {
	paths := make([]string, n)
	for i := range paths {
		paths[i] = fmt.Sprintf(`{"learned_from":%q,"is_best":%t}`, neighbor, best)
	}
	return `[{"results":[` + strings.Join(paths, ",") + `],"vdom":"root"}]`
}

func TestBGPPathsPaging(t *testing.T) {
	api := &fakeAPI{replies: map[string]reply{
		bgpPathsRequest(bgpPathsEndpoint, 0):  {body: bgpPathsPage("192.0.2.1", bgpPathsPageSize, true)},
		bgpPathsRequest(bgpPathsEndpoint, 1):  {body: bgpPathsPage("192.0.2.1", 3, false)},
		bgpPathsRequest(bgpPaths6Endpoint, 0): {body: `[{"results":[],"vdom":"root"}]`},
	}}
	c := collectorByName(t, "router_bgp_paths")
	adapter := &singleCollector{collector: c, target: &Target{Name: "fw", API: api}}

	want := fmt.Sprintf(`
		fortigate_bgp_neighbor_best_paths{neighbor="192.0.2.1",protocol="ipv4",vdom="root"} %d
		fortigate_bgp_neighbor_paths{neighbor="192.0.2.1",protocol="ipv4",vdom="root"} %d
	`, bgpPathsPageSize, bgpPathsPageSize+3)
	if err := testutil.CollectAndCompare(adapter, strings.NewReader(exposition(c, want))); err != nil {
		t.Fatal(err)
	}
	if err := adapter.lastErr(); err != nil {
		t.Fatalf("Update error = %v", err)
	}
	if got := len(api.requestList()); got != 3 {
		t.Fatalf("sent %d requests (%q), want 3", got, api.requestList())
	}
}

func TestBGPPathsIgnoredCount(t *testing.T) {
	// A device that ignores count sends more paths than requested, and the
	// collector must not ask for a second page of the same table.
	api := &fakeAPI{replies: map[string]reply{
		bgpPathsEndpoint:  {body: bgpPathsPage("192.0.2.1", bgpPathsPageSize+1, true)},
		bgpPaths6Endpoint: {body: `[]`},
	}}
	c := collectorByName(t, "router_bgp_paths")
	adapter := &singleCollector{collector: c, target: &Target{Name: "fw", API: api}}
	testutil.CollectAndCount(adapter)

	if got := len(api.requestList()); got != 2 {
		t.Fatalf("sent %d requests, want one per endpoint", got)
	}
}

func TestBGPUnsupported(t *testing.T) {
	checkUnsupported(t, "router_bgp")
	checkUnsupported(t, "router_bgp_paths")
}

func FuzzBGPNeighbors(f *testing.F) {
	addFixtureSeeds(f, bgpNeighborsEndpoint)
	addFixtureSeeds(f, bgpNeighbors6Endpoint)
	for _, seed := range quirkSeeds {
		f.Add([]byte(seed))
	}
	f.Add([]byte(`[{"results":[{"neighbor_ip":7,"remote_as":"x","admin_status":"1","state":""}]}]`))
	f.Fuzz(func(t *testing.T, body []byte) { fuzzCollector(t, "router_bgp", body) })
}

func FuzzBGPPaths(f *testing.F) {
	addFixtureSeeds(f, bgpPathsEndpoint)
	addFixtureSeeds(f, bgpPaths6Endpoint)
	for _, seed := range quirkSeeds {
		f.Add([]byte(seed))
	}
	f.Add([]byte(`{"results":{"learned_from":null,"is_best":0}}`))
	f.Fuzz(func(t *testing.T, body []byte) { fuzzCollector(t, "router_bgp_paths", body) })
}

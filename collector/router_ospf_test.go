package collector

import (
	"testing"
)

const ospfNeighborsRequest = "router/ospf/neighbors?vdom=%2A"

func TestOSPFGolden(t *testing.T) {
	for _, release := range []string{"7.0", "7.4"} {
		t.Run(release, func(t *testing.T) { checkGolden(t, "router_ospf", release) })
	}
}

func TestOSPFNeighborsQuirks(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		want    string
		wantErr string
	}{
		{
			name: "priority as a string and a state FortiOS did not document",
			body: `[{"results":[{"neighbor_ip":"192.0.2.1","router_id":"192.0.2.1","priority":"5",
				"state":"Deleted"}],"vdom":"root"}]`,
			want: `
				fortigate_ospf_neighbor_info{neighbor="192.0.2.1",router_id="192.0.2.1",vdom="root"} 1
				fortigate_ospf_neighbor_priority{neighbor="192.0.2.1",vdom="root"} 5
				fortigate_ospf_neighbor_state{neighbor="192.0.2.1",state="Attempt",vdom="root"} 0
				fortigate_ospf_neighbor_state{neighbor="192.0.2.1",state="Deleted",vdom="root"} 1
				fortigate_ospf_neighbor_state{neighbor="192.0.2.1",state="Down",vdom="root"} 0
				fortigate_ospf_neighbor_state{neighbor="192.0.2.1",state="Exchange",vdom="root"} 0
				fortigate_ospf_neighbor_state{neighbor="192.0.2.1",state="Exchange start",vdom="root"} 0
				fortigate_ospf_neighbor_state{neighbor="192.0.2.1",state="Full",vdom="root"} 0
				fortigate_ospf_neighbor_state{neighbor="192.0.2.1",state="Init",vdom="root"} 0
				fortigate_ospf_neighbor_state{neighbor="192.0.2.1",state="Loading",vdom="root"} 0
				fortigate_ospf_neighbor_state{neighbor="192.0.2.1",state="Two way",vdom="root"} 0
				fortigate_ospf_neighbor_up{neighbor="192.0.2.1",vdom="root"} 0
			`,
		},
		{
			name: "state in lower case counts as up",
			body: `{"results":{"neighbor_ip":"192.0.2.2","router_id":1,"state":"full"},"vdom":"dmz"}`,
			want: `
				fortigate_ospf_neighbor_info{neighbor="192.0.2.2",router_id="1",vdom="dmz"} 1
				fortigate_ospf_neighbor_state{neighbor="192.0.2.2",state="Attempt",vdom="dmz"} 0
				fortigate_ospf_neighbor_state{neighbor="192.0.2.2",state="Down",vdom="dmz"} 0
				fortigate_ospf_neighbor_state{neighbor="192.0.2.2",state="Exchange",vdom="dmz"} 0
				fortigate_ospf_neighbor_state{neighbor="192.0.2.2",state="Exchange start",vdom="dmz"} 0
				fortigate_ospf_neighbor_state{neighbor="192.0.2.2",state="Full",vdom="dmz"} 0
				fortigate_ospf_neighbor_state{neighbor="192.0.2.2",state="Init",vdom="dmz"} 0
				fortigate_ospf_neighbor_state{neighbor="192.0.2.2",state="Loading",vdom="dmz"} 0
				fortigate_ospf_neighbor_state{neighbor="192.0.2.2",state="Two way",vdom="dmz"} 0
				fortigate_ospf_neighbor_state{neighbor="192.0.2.2",state="full",vdom="dmz"} 1
				fortigate_ospf_neighbor_up{neighbor="192.0.2.2",vdom="dmz"} 1
			`,
		},
		{
			name: "neighbor without state or priority",
			body: `[{"results":[{"neighbor_ip":"192.0.2.3"}],"vdom":"root"}]`,
			want: `
				fortigate_ospf_neighbor_info{neighbor="192.0.2.3",router_id="",vdom="root"} 1
			`,
		},
		{
			name: "empty VDOMs",
			body: `[{"results":[],"vdom":"root"},{"results":{},"vdom":"dmz"},{"vdom":"lab"}]`,
			want: ``,
		},
		{
			name:    "priority of the wrong type",
			body:    `[{"results":[{"neighbor_ip":"192.0.2.1"},{"priority":[1]}],"vdom":"root"}]`,
			wantErr: "decode router/ospf/neighbors reply: field results[1].priority: got array, expected a number",
		},
		{
			name:    "state of the wrong type",
			body:    `[{"results":[{"state":{"name":"Full"}}],"vdom":"root"}]`,
			wantErr: "field results[0].state: got object, expected a string",
		},
		{
			name:    "error envelope",
			body:    `[{"status":"error","vdom":"dmz","http_status":403}]`,
			wantErr: `decode router/ospf/neighbors reply: field [0].status: FortiOS reported an error for VDOM "dmz"`,
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			replies := map[string]reply{ospfNeighborsRequest: {body: tt.body}}
			checkCollector(t, "router_ospf", replies, tt.want, tt.wantErr)
		})
	}
}

func TestOSPFUnsupported(t *testing.T) { checkUnsupported(t, "router_ospf") }

func FuzzOSPFNeighbors(f *testing.F) {
	addFixtureSeeds(f, ospfNeighborsEndpoint)
	for _, seed := range quirkSeeds {
		f.Add([]byte(seed))
	}
	f.Add([]byte(`[{"results":[{"neighbor_ip":null,"priority":"x","state":7,"router_id":true}]}]`))
	f.Add([]byte(`{"results":{"neighbor_ip":"192.0.2.1","priority":1e309}}`))
	f.Fuzz(func(t *testing.T, body []byte) { fuzzCollector(t, "router_ospf", body) })
}

package collector

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// pagingEnvelope returns a per-VDOM envelope with n entries named after vdom.
func pagingEnvelope(vdom string, n int) string {
	entries := make([]string, n)
	for i := range entries {
		entries[i] = fmt.Sprintf(`{"type":"%s-%d"}`, vdom, i)
	}
	return `{"results":[` + strings.Join(entries, ",") + `],"vdom":"` + vdom + `"}`
}

func TestReadVDOMPages(t *testing.T) {
	const endpoint = "router/ipv4"
	api := &fakeAPI{replies: map[string]reply{
		endpoint + "?count=2&start=0&vdom=%2A": {
			body: "[" + pagingEnvelope("root", 2) + "," + pagingEnvelope("dmz", 2) + "," +
				pagingEnvelope("lab", 1) + "]",
		},
		endpoint + "?count=2&start=2&vdom=root%2Cdmz": {
			body: "[" + pagingEnvelope("root", 2) + "," + pagingEnvelope("dmz", 0) + "]",
		},
		endpoint + "?count=2&start=4&vdom=root": {body: pagingEnvelope("root", 1)},
	}}
	target := &Target{Name: "fw", API: api}

	seen := map[string]int{}
	err := readVDOMPages(context.Background(), target, endpoint, 2, 10,
		func(vdom string, entries []route) { seen[vdom] += len(entries) })
	if err != nil {
		t.Fatalf("readVDOMPages error = %v, requests = %q", err, api.requestList())
	}

	want := map[string]int{"root": 5, "dmz": 2, "lab": 1}
	for vdom, n := range want {
		if seen[vdom] != n {
			t.Errorf("VDOM %s: got %d entries, want %d", vdom, seen[vdom], n)
		}
	}
	if got := len(api.requestList()); got != 3 {
		t.Errorf("sent %d requests (%q), want 3", got, api.requestList())
	}
}

func TestReadVDOMPagesStopsAtMaxPages(t *testing.T) {
	// A device that returns a full page for every start must not be read
	// without end.
	api := &fakeAPI{replies: map[string]reply{"router/ipv4": {body: pagingEnvelope("root", 2)}}}
	target := &Target{Name: "fw", API: api}

	total := 0
	err := readVDOMPages(context.Background(), target, "router/ipv4", 2, 3,
		func(_ string, entries []route) { total += len(entries) })
	if err != nil {
		t.Fatalf("readVDOMPages error = %v", err)
	}
	if got := len(api.requestList()); got != 3 {
		t.Errorf("sent %d requests (%q), want 3", got, api.requestList())
	}
	if total != 6 {
		t.Errorf("visited %d entries, want 6", total)
	}
}

func TestReadVDOMPagesConfiguredVDOMs(t *testing.T) {
	api := &fakeAPI{replies: map[string]reply{"router/ipv4": {body: `[]`}}}
	target := &Target{Name: "fw", API: api, VDOMs: []string{"dmz"}}

	err := readVDOMPages(context.Background(), target, "router/ipv4", 2, 3,
		func(string, []route) {})
	if err != nil {
		t.Fatalf("readVDOMPages error = %v", err)
	}
	want := []string{"router/ipv4?count=2&start=0&vdom=dmz"}
	if got := api.requestList(); !slices.Equal(got, want) {
		t.Errorf("requests = %q, want %q", got, want)
	}
}

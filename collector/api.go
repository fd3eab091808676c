package collector

import (
	"context"
	"net/url"
	"time"
)

// API fetches FortiOS monitor endpoints and CMDB tables of one target through
// its session. fgsession.Client implements it; unit tests use a
// fixture-backed stand-in.
type API interface {
	// Ready makes sure the target has a usable session, logging in if no replica
	// holds one. It returns the reason when the target cannot be scraped now
	// (login back-off, bad credentials, unreachable).
	Ready(ctx context.Context) error

	// Monitor sends GET /api/v2/monitor/<endpoint> with query and returns the body
	// of a 2xx response. A non-2xx response is a *fgsession.APIError.
	Monitor(ctx context.Context, endpoint string, query url.Values) ([]byte, error)

	// CMDB sends GET /api/v2/cmdb/<path> with query, a configuration read such
	// as firewall/policy, and returns the body of a 2xx response. A non-2xx
	// response is a *fgsession.APIError whose Endpoint is cmdb/<path>.
	CMDB(ctx context.Context, path string, query url.Values) ([]byte, error)
}

// Target is the FortiGate a collector scrapes, with its per-target settings.
type Target struct {
	Name string
	API  API
	// VDOMs lists the VDOMs to query. Empty means every VDOM the admin can see
	// (vdom=*).
	VDOMs []string
	// MaxParallel, when above 0, replaces ProbeOptions.MaxParallel for this target.
	MaxParallel int
	// Timeout, when above 0, caps the scrape deadline of this target.
	Timeout time.Duration
	// Custom lists the custom endpoints of this target. Each one runs as the
	// collector custom_<name> in every scrape, in addition to the selected
	// collectors.
	Custom []*CustomEndpoint
	// Policies, when not nil, limits the firewall_policy collector to the
	// policies it selects. Nil means every policy.
	Policies *PolicyFilter
}

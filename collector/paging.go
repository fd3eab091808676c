package collector

import (
	"context"
	"net/url"
	"strconv"
	"strings"
)

// readVDOMPages reads a per-VDOM list endpoint page by page with start and
// count, and calls visit with the entries of every VDOM on every page.
//
// The first request names the target's VDOMs. A VDOM whose page came back with
// exactly pageSize entries may have more, so the next request names only those
// VDOMs. A VDOM that already returned all its entries is not asked again,
// because a start past its end could get an error or the whole list a second
// time. A page longer than pageSize means the device ignored count and sent the
// whole list. Reading stops after maxPages requests, so a longer list is
// counted only in part.
func readVDOMPages[T any](
	ctx context.Context, t *Target, endpoint string, pageSize, maxPages int,
	visit func(vdom string, entries []T),
) error {
	return readVDOMPagesQuery(ctx, t, endpoint, nil, pageSize, maxPages, visit)
}

// readVDOMPagesQuery is readVDOMPages with more query parameters, such as
// ip_version or format, sent with every page.
func readVDOMPagesQuery[T any](
	ctx context.Context, t *Target, endpoint string, extra url.Values, pageSize, maxPages int,
	visit func(vdom string, entries []T),
) error {
	vdoms := vdomQuery(t)
	for page := range maxPages {
		query := url.Values{
			"vdom":  {vdoms},
			"start": {strconv.Itoa(page * pageSize)},
			"count": {strconv.Itoa(pageSize)},
		}
		for name, values := range extra {
			query[name] = values
		}
		body, err := t.API.Monitor(ctx, endpoint, query)
		if err != nil {
			return err
		}
		perVDOM, err := parseVDOMLists[T](endpoint, body)
		if err != nil {
			return err
		}

		var full []string
		for _, entry := range perVDOM {
			visit(entry.vdom, entry.entries)
			if len(entry.entries) == pageSize {
				full = append(full, entry.vdom)
			}
		}
		if len(full) == 0 {
			return nil
		}
		vdoms = strings.Join(full, ",")
	}
	return nil
}

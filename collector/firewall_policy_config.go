package collector

import (
	"context"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
)

// This file holds what the firewall_policy collector reads from the CMDB table
// firewall/policy, the configured policies: the name and UUID of each one, for
// fortigate_policy_info and for the names of a target's PolicyFilter. The
// request names only those fields with format, so the device leaves out the
// about 140 other members of each policy. A failing read (403 when the admin's
// access profile has no read permission for firewall policies, 404, a reply
// that does not decode) costs the names only: the statistics are exported
// without them.

const (
	firewallPolicyConfigPath = "firewall/policy"
	// firewallPolicyConfigEndpoint is the CMDB table as metric docs and errors
	// name it.
	firewallPolicyConfigEndpoint = "cmdb/" + firewallPolicyConfigPath
	firewallPolicyConfigFormat   = "policyid|name|uuid"
)

// PolicyFilter selects the firewall policies that the firewall_policy
// collector exports. A policy is selected when its ID is in one of IDs, or when
// its name, read from the CMDB, matches one of Names. A policy without a CMDB
// entry, such as policy 0 (the implicit deny), can be selected by ID only.
type PolicyFilter struct {
	IDs []PolicyIDRange
	// Names are regular expressions that match anywhere in a name unless
	// they are anchored with ^ or $.
	Names []*regexp.Regexp
}

// PolicyIDRange is the policy IDs from First to Last, both included.
type PolicyIDRange struct {
	First, Last int64
}

// matchesID reports whether id is in one of the ranges of f.
func (f *PolicyFilter) matchesID(id float64) bool {
	for _, r := range f.IDs {
		if float64(r.First) <= id && id <= float64(r.Last) {
			return true
		}
	}
	return false
}

// matchesName reports whether name matches one of the expressions of f.
func (f *PolicyFilter) matchesName(name string) bool {
	for _, re := range f.Names {
		if re.MatchString(name) {
			return true
		}
	}
	return false
}

// listedIDs returns the IDs of f when f selects by ID only and lists at most
// limit of them, counting each ID of a range. Otherwise it returns nil.
func (f *PolicyFilter) listedIDs(limit int) []int64 {
	if f == nil || len(f.Names) > 0 || len(f.IDs) == 0 {
		return nil
	}
	var ids []int64
	for _, r := range f.IDs {
		if r.Last-r.First >= int64(limit-len(ids)) {
			return nil
		}
		for id := r.First; id <= r.Last; id++ {
			ids = append(ids, id)
		}
	}
	return ids
}

// policyKey identifies a policy by VDOM and the value of its id label.
type policyKey struct {
	vdom, id string
}

// policyConfig is one CMDB policy with its labels.
type policyConfig struct {
	policyKey
	policyID   number
	name, uuid string
}

// policyConfigs is the configured policies of a target, in reply order.
type policyConfigs struct {
	list []policyConfig
	// names maps each policy to its name. It is built only for a filter with
	// names, because a large device has tens of thousands of policies.
	names map[policyKey]string
}

type firewallPolicyConfigEntry struct {
	PolicyID number `json:"policyid"`
	Name     text   `json:"name"`
	UUID     text   `json:"uuid"`
}

// policySelector returns whether the filter of t selects a policy, given
// what the CMDB read returned (nil when it failed).
func policySelector(t *Target, configs *policyConfigs) func(vdom string, id number) bool {
	filter := t.Policies
	if filter == nil {
		return func(string, number) bool { return true }
	}
	return func(vdom string, id number) bool {
		if !id.ok {
			return false
		}
		if filter.matchesID(id.value) {
			return true
		}
		if len(filter.Names) == 0 || configs == nil {
			return false
		}
		name, ok := configs.names[policyKey{vdom: vdom, id: formatInteger(id)}]
		return ok && filter.matchesName(name)
	}
}

// readPolicyConfigs reads the name and UUID of every policy in the target's
// VDOMs. With ids, it requests only those policies. It returns nil
// when the read fails, and logs the failure at debug level once per target
// and error, because without the CMDB permission it fails on every scrape.
func readPolicyConfigs(ctx context.Context, t *Target, ids []int64) *policyConfigs {
	query := url.Values{"vdom": {vdomQuery(t)}, "format": {firewallPolicyConfigFormat}}
	if len(ids) > 0 {
		query.Set("filter", policyIDFilter(ids))
	}
	withNames := t.Policies != nil && len(t.Policies.Names) > 0
	configs, err := fetchPolicyConfigs(ctx, t, query, withNames)
	if err != nil {
		if ctx.Err() == nil && policyConfigLog.first(t.logKey(), err.Error()) {
			loggerFrom(ctx).Debug("policy names not read, policies are exported without "+
				"fortigate_policy_info and names do not select policies",
				"endpoint", firewallPolicyConfigEndpoint, "err", err)
		}
		return nil
	}
	policyConfigLog.clear(t.logKey())
	return configs
}

func fetchPolicyConfigs(
	ctx context.Context, t *Target, query url.Values, withNames bool,
) (*policyConfigs, error) {
	body, err := t.API.CMDB(ctx, firewallPolicyConfigPath, query)
	if err != nil {
		return nil, err
	}
	perVDOM, err := parseVDOMLists[firewallPolicyConfigEntry](firewallPolicyConfigEndpoint, body)
	if err != nil {
		return nil, err
	}

	configs := &policyConfigs{}
	if withNames {
		configs.names = map[policyKey]string{}
	}
	for _, entry := range perVDOM {
		for _, p := range entry.entries {
			if !p.PolicyID.ok {
				continue
			}
			key := policyKey{vdom: entry.vdom, id: formatInteger(p.PolicyID)}
			configs.list = append(configs.list, policyConfig{policyKey: key, policyID: p.PolicyID,
				name: string(p.Name), uuid: string(p.UUID)})
			if withNames {
				configs.names[key] = string(p.Name)
			}
		}
	}
	return configs, nil
}

// policyIDFilter returns the CMDB filter that selects the policies ids, such as
// "policyid==1,policyid==7". A comma separates alternatives in FortiOS
// filters. A release that ignores filter sends every policy, and the collector
// selects them again.
func policyIDFilter(ids []int64) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = "policyid==" + strconv.FormatInt(id, 10)
	}
	return strings.Join(parts, ",")
}

// policyConfigLog keeps the last CMDB failure logged per target, so a failure
// that repeats on every scrape is logged once.
var policyConfigLog = &onceLog{last: map[string]string{}}

// onceLog remembers the last message logged per key.
type onceLog struct {
	mu   sync.Mutex
	last map[string]string
}

// first reports whether message differs from the last one recorded for key,
// and records it.
func (l *onceLog) first(key, message string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.last[key] == message {
		return false
	}
	l.last[key] = message
	return true
}

func (l *onceLog) clear(key string) {
	l.mu.Lock()
	delete(l.last, key)
	l.mu.Unlock()
}

package config

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
)

// This file holds policy_filter, the per-target selection of the firewall
// policies that the firewall_policy collector exports, for devices with
// thousands of policies:
//
//	policy_filter:
//	  ids: [1, 2, 10-20]
//	  names: ["^vpn-"]
//
// A policy is exported when its ID is listed or in a listed range, or when
// its name matches one of the regular expressions.

// maxPolicyID is the largest policy ID accepted, the largest unsigned 32-bit
// number.
//
// NOTE: the maximum that FortiOS accepts for policyid was not checked. An ID
// above it would match no policy, so the bound only catches typos.
const maxPolicyID = math.MaxUint32

// PolicyFilter selects firewall policies by ID or by name.
type PolicyFilter struct {
	// IDs are the listed policy IDs, a single ID as a range of one.
	IDs []PolicyIDRange
	// Names are RE2 regular expressions, matched anywhere in a policy name
	// unless anchored with ^ or $.
	Names []*regexp.Regexp
}

// PolicyIDRange is the policy IDs from First to Last, both included.
type PolicyIDRange struct {
	First, Last int64
}

// String returns the range as the targets file writes it: "7" or "10-20".
func (r PolicyIDRange) String() string {
	if r.First == r.Last {
		return strconv.FormatInt(r.First, 10)
	}
	return strconv.FormatInt(r.First, 10) + "-" + strconv.FormatInt(r.Last, 10)
}

// policyFilterFields is policy_filter as written in the file. IDs are decoded
// as strings, so a number (7) and a range (10-20) fit one list.
type policyFilterFields struct {
	IDs   []string `yaml:"ids"`
	Names []string `yaml:"names"`
}

// policyFilter validates policy_filter. It returns nil when f is nil.
func (b *builder) policyFilter(f *policyFilterFields) *PolicyFilter {
	const key = "policy_filter"
	if f == nil {
		return nil
	}
	if len(f.IDs) == 0 && len(f.Names) == 0 {
		b.fail(key, "%s selects no policy: list policy IDs under ids, name patterns under names, "+
			"or remove %s to export every policy", key, key)
		return nil
	}

	filter := &PolicyFilter{}
	for i, raw := range f.IDs {
		itemKey := fmt.Sprintf("%s.ids[%d]", key, i)
		r, ok := b.policyIDRange(itemKey, raw)
		if !ok {
			continue
		}
		for j, other := range filter.IDs {
			if r.First <= other.Last && other.First <= r.Last {
				b.fail(itemKey, "%s %s overlaps %s.ids entry %s: list each policy ID once",
					itemKey, r, key, f.IDs[j])
				break
			}
		}
		filter.IDs = append(filter.IDs, r)
	}

	seen := make(map[string]bool, len(f.Names))
	for i, pattern := range f.Names {
		itemKey := fmt.Sprintf("%s.names[%d]", key, i)
		switch {
		case pattern == "":
			b.fail(itemKey, "%s is empty: write a regular expression such as ^vpn-", itemKey)
			continue
		case seen[pattern]:
			b.fail(itemKey, "%s %q is listed twice", itemKey, pattern)
			continue
		}
		seen[pattern] = true
		re, err := regexp.Compile(pattern)
		if err != nil {
			b.fail(itemKey, "%s %q is not a valid regular expression (RE2 syntax): %v",
				itemKey, pattern, err)
			continue
		}
		filter.Names = append(filter.Names, re)
	}
	return filter
}

// policyIDRange parses one ids entry: an ID such as 7, or a range such as
// 10-20 with the lower ID first.
func (b *builder) policyIDRange(key, raw string) (PolicyIDRange, bool) {
	first, last, isRange := strings.Cut(raw, "-")
	low, okLow := parsePolicyID(first)
	high, okHigh := low, okLow
	if isRange {
		high, okHigh = parsePolicyID(last)
	}
	switch {
	case !okLow || !okHigh:
		b.fail(key, "%s %q is invalid: write a policy ID from 0 to %d, or a range of them "+
			"such as 10-20", key, raw, int64(maxPolicyID))
		return PolicyIDRange{}, false
	case low > high:
		b.fail(key, "%s %q is invalid: write the lower policy ID first, as in %d-%d",
			key, raw, high, low)
		return PolicyIDRange{}, false
	}
	return PolicyIDRange{First: low, Last: high}, true
}

// parsePolicyID parses a decimal policy ID. Spaces around it are allowed.
func parsePolicyID(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	if s == "" || strings.ContainsAny(s, "+-") {
		return 0, false
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id > maxPolicyID {
		return 0, false
	}
	return id, true
}

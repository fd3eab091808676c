package main

import (
	"github.com/fortigate-session-exporter/fortigate_session_exporter/collector"
	"github.com/fortigate-session-exporter/fortigate_session_exporter/config"
)

// policyFilter converts the policy_filter of a target, nil when it has none.
func policyFilter(f *config.PolicyFilter) *collector.PolicyFilter {
	if f == nil {
		return nil
	}
	out := &collector.PolicyFilter{Names: f.Names}
	for _, r := range f.IDs {
		out.IDs = append(out.IDs, collector.PolicyIDRange{First: r.First, Last: r.Last})
	}
	return out
}

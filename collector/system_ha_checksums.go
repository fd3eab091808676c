package collector

import (
	"context"
	"net/url"

	"github.com/prometheus/client_golang/prometheus"
)

// The system_ha_checksums collector reads GET
// /api/v2/monitor/system/ha-checksums?scope=global: one envelope whose results
// list the configuration checksums of each cluster member (global, root, all,
// and one per VDOM under vdoms). A member whose checksums equal those of the
// primary has the primary's configuration. Current releases flag the primary
// with the booleans is_manage_primary and is_root_primary next to the
// deprecated integers is_manage_master and is_root_master. FortiOS 6.0 sends
// only the integers.

const haChecksumsEndpoint = "system/ha-checksums"

type haChecksumsCollector struct {
	role          *metric
	clusterInSync *metric
	memberInSync  *metric
	vdomInSync    *metric
}

func newHAChecksumsCollector() *haChecksumsCollector {
	const ep = haChecksumsEndpoint
	gauge := prometheus.GaugeValue
	return &haChecksumsCollector{
		role: newMetric(namespace+"_ha_member_has_role", gauge, "", ep,
			"Whether the cluster member has the role (1) or not (0). role is manage_primary "+
				"for the member that manages the cluster and root_primary for the primary of "+
				"the root VDOM.",
			"role", "serial"),
		clusterInSync: newMetric(namespace+"_ha_members_in_sync", gauge, "", ep,
			"Whether the global and all checksums of every cluster member equal those of the "+
				"primary (1) or not (0). Not sent when no member is flagged as primary."),
		memberInSync: newMetric(namespace+"_ha_member_in_sync", gauge, "", ep,
			"Whether the global and all checksums of the cluster member equal those of the "+
				"primary (1) or not (0).",
			"serial"),
		vdomInSync: newMetric(namespace+"_ha_member_vdom_in_sync", gauge, "", ep,
			"Whether the checksum of the VDOM on the cluster member equals the primary's (1) or "+
				"not (0).",
			"serial", "vdom"),
	}
}

func (c *haChecksumsCollector) metrics() []*metric {
	return []*metric{c.role, c.clusterInSync, c.memberInSync, c.vdomInSync}
}

type haChecksumSet struct {
	Global text            `json:"global"`
	Root   text            `json:"root"`
	All    text            `json:"all"`
	VDOMs  nestedMap[text] `json:"vdoms"`
}

type haChecksumMember struct {
	Serial          text          `json:"serial_no"`
	IsManagePrimary flag          `json:"is_manage_primary"`
	IsRootPrimary   flag          `json:"is_root_primary"`
	IsManageMaster  flag          `json:"is_manage_master"`
	IsRootMaster    flag          `json:"is_root_master"`
	Checksum        haChecksumSet `json:"checksum"`
}

// managePrimary returns whether the member manages the cluster, from the
// boolean or else from the deprecated integer. ok is false when neither is sent.
func (m haChecksumMember) managePrimary() flag {
	if m.IsManagePrimary.ok {
		return m.IsManagePrimary
	}
	return m.IsManageMaster
}

func (m haChecksumMember) rootPrimary() flag {
	if m.IsRootPrimary.ok {
		return m.IsRootPrimary
	}
	return m.IsRootMaster
}

// parseHAChecksums decodes a system/ha-checksums reply. The endpoint is global,
// so only the first envelope is used.
func parseHAChecksums(body []byte) ([]haChecksumMember, error) {
	envelopes, err := decodeEnvelopes(haChecksumsEndpoint, body)
	if err != nil {
		return nil, err
	}
	if len(envelopes) == 0 {
		return nil, nil
	}
	return decodeList[haChecksumMember](haChecksumsEndpoint, envelopes[0].Results)
}

func (c *haChecksumsCollector) Update(ctx context.Context, t *Target, ch chan<- prometheus.Metric) error {
	body, err := t.API.Monitor(ctx, haChecksumsEndpoint, url.Values{"scope": {"global"}})
	if err != nil {
		return err
	}

	members, err := parseHAChecksums(body)
	if err != nil {
		return err
	}

	out := sink{ch: ch}
	for _, m := range members {
		if f := m.managePrimary(); f.ok {
			out.add(c.role, boolValue(f.value), "manage_primary", string(m.Serial))
		}
		if f := m.rootPrimary(); f.ok {
			out.add(c.role, boolValue(f.value), "root_primary", string(m.Serial))
		}
	}
	c.emitSync(&out, members)
	return out.err
}

// emitSync compares every member's checksums with those of the member that
// manages the cluster.
func (c *haChecksumsCollector) emitSync(out *sink, members []haChecksumMember) {
	primaryIndex := -1
	for i, m := range members {
		if f := m.managePrimary(); f.ok && f.value {
			primaryIndex = i
			break
		}
	}
	if primaryIndex < 0 {
		return
	}
	primary := members[primaryIndex].Checksum
	primaryVDOMs := map[string]text{}
	for _, v := range primary.VDOMs {
		primaryVDOMs[v.key] = v.value
	}

	allInSync := true
	for _, m := range members {
		serial := string(m.Serial)
		inSync := m.Checksum.Global == primary.Global && m.Checksum.All == primary.All
		allInSync = allInSync && inSync
		out.add(c.memberInSync, boolValue(inSync), serial)

		for _, v := range m.Checksum.VDOMs {
			want, ok := primaryVDOMs[v.key]
			out.add(c.vdomInSync, boolValue(ok && v.value == want), serial, v.key)
		}
	}
	out.add(c.clusterInSync, boolValue(allInSync))
}

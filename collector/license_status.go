package collector

import (
	"context"

	"github.com/prometheus/client_golang/prometheus"
)

// The license_status collector reads GET /api/v2/monitor/license/status: one
// global envelope whose results are an object keyed by feature (antivirus, ips,
// forticare, vdom, vm, ...). Every entry has a type and most have a status.
// Subscriptions add expires and FortiGuard databases add last_update, both in
// seconds since the Unix epoch. forticare nests one support contract per kind
// (hardware, enhanced, comprehensive, elite) under support, vdom carries
// used and max, and only FortiGate-VMs have vm.

const licenseStatusEndpoint = "license/status"

type licenseStatusCollector struct {
	info       *metric
	expiry     *metric
	lastUpdate *metric
	vdomUsed   *metric
	vdomMax    *metric
	vmInfo     *metric
	vmValid    *metric
	vmCPUUsed  *metric
	vmCPUMax   *metric
	vmMemUsed  *metric
	vmMemMax   *metric
}

func newLicenseStatusCollector() *licenseStatusCollector {
	const ep = licenseStatusEndpoint
	gauge := prometheus.GaugeValue
	return &licenseStatusCollector{
		info: newMetric(namespace+"_license_info", gauge, "", ep,
			"License entry of a feature with its FortiOS type and status (licensed, expired, "+
				"no_license, ...), always 1. support names the FortiCare support contract and is "+
				"empty for other entries.",
			"feature", "support", "type", "status"),
		expiry: newMetric(namespace+"_license_expiry_timestamp_seconds", gauge, "seconds", ep,
			"Time the license or FortiCare support contract expires, in seconds since the Unix "+
				"epoch. Entries without an expiry send no sample.",
			"feature", "support"),
		lastUpdate: newMetric(namespace+"_license_last_update_timestamp_seconds", gauge, "seconds", ep,
			"Time the FortiGuard object of the feature (antivirus or IPS database, ...) was last "+
				"updated, in seconds since the Unix epoch.",
			"feature"),
		vdomUsed: newMetric(namespace+"_license_vdom_usage", gauge, "", ep,
			"Number of VDOMs in use."),
		vdomMax: newMetric(namespace+"_license_vdom_max", gauge, "", ep,
			"Maximum number of VDOMs the license allows."),
		vmInfo: newMetric(namespace+"_license_vm_info", gauge, "", ep,
			"FortiGate-VM license model as FortiOS numbers it, always 1.",
			"license_model"),
		vmValid: newMetric(namespace+"_license_vm_valid", gauge, "", ep,
			"Whether the FortiGate-VM license is valid (1) or not (0)."),
		vmCPUUsed: newMetric(namespace+"_license_vm_cpus_used", gauge, "", ep,
			"Number of vCPUs the FortiGate-VM uses."),
		vmCPUMax: newMetric(namespace+"_license_vm_cpus_max", gauge, "", ep,
			"Maximum number of vCPUs the FortiGate-VM license allows."),
		vmMemUsed: newMetric(namespace+"_license_vm_memory_used_bytes", gauge, "bytes", ep,
			"Memory the FortiGate-VM uses."),
		vmMemMax: newMetric(namespace+"_license_vm_memory_max_bytes", gauge, "bytes", ep,
			"Maximum memory the FortiGate-VM license allows."),
	}
}

func (c *licenseStatusCollector) metrics() []*metric {
	return []*metric{
		c.info, c.expiry, c.lastUpdate, c.vdomUsed, c.vdomMax,
		c.vmInfo, c.vmValid, c.vmCPUUsed, c.vmCPUMax, c.vmMemUsed, c.vmMemMax,
	}
}

// licenseSupport is one FortiCare support contract.
type licenseSupport struct {
	Status       text   `json:"status"`
	SupportLevel text   `json:"support_level"`
	Expires      number `json:"expires"`
}

type licenseEntry struct {
	Type       text                      `json:"type"`
	Status     text                      `json:"status"`
	Expires    number                    `json:"expires"`
	LastUpdate number                    `json:"last_update"`
	Used       number                    `json:"used"`
	Max        number                    `json:"max"`
	Support    nestedMap[licenseSupport] `json:"support"`

	// The members below are those of the vm entry. A FortiOS 6.0 evaluation
	// VM sent license_model as a number, so it is text.
	Valid        flag   `json:"valid"`
	LicenseModel text   `json:"license_model"`
	CPUUsed      number `json:"cpu_used"`
	CPUMax       number `json:"cpu_max"`
	MemUsed      number `json:"mem_used"`
	MemMax       number `json:"mem_max"`
}

// parseLicenseStatus decodes a license/status reply into its entries, sorted by
// feature. The endpoint is global, so only the first envelope is used.
func parseLicenseStatus(body []byte) ([]keyed[licenseEntry], error) {
	envelopes, err := decodeEnvelopes(licenseStatusEndpoint, body)
	if err != nil {
		return nil, err
	}
	if len(envelopes) == 0 {
		return nil, nil
	}
	return decodeMap[licenseEntry](licenseStatusEndpoint, envelopes[0].Results)
}

func (c *licenseStatusCollector) Update(ctx context.Context, t *Target, ch chan<- prometheus.Metric) error {
	body, err := t.API.Monitor(ctx, licenseStatusEndpoint, nil)
	if err != nil {
		return err
	}

	entries, err := parseLicenseStatus(body)
	if err != nil {
		return err
	}

	out := sink{ch: ch}
	for _, e := range entries {
		c.emit(&out, e.key, e.value)
	}
	return out.err
}

func (c *licenseStatusCollector) emit(out *sink, feature string, e licenseEntry) {
	if e.Status != "" {
		out.add(c.info, 1, feature, "", string(e.Type), string(e.Status))
	}
	// An expires of 0 is taken as no expiry date, not as 1970.
	if e.Expires.ok && e.Expires.value > 0 {
		out.add(c.expiry, e.Expires.value, feature, "")
	}
	if e.LastUpdate.ok && e.LastUpdate.value > 0 {
		out.add(c.lastUpdate, e.LastUpdate.value, feature)
	}

	for _, s := range e.Support {
		if s.value.Status != "" {
			out.add(c.info, 1, feature, s.key, "support", string(s.value.Status))
		}
		if s.value.Expires.ok && s.value.Expires.value > 0 {
			out.add(c.expiry, s.value.Expires.value, feature, s.key)
		}
	}

	switch feature {
	case "vdom":
		out.number(c.vdomUsed, e.Used)
		out.number(c.vdomMax, e.Max)
	case "vm":
		if e.LicenseModel != "" {
			out.add(c.vmInfo, 1, string(e.LicenseModel))
		}
		if e.Valid.ok {
			out.add(c.vmValid, boolValue(e.Valid.value))
		}
		out.number(c.vmCPUUsed, e.CPUUsed)
		out.number(c.vmCPUMax, e.CPUMax)
		// NOTE: mem_used and mem_max are read as bytes because a FortiOS 6.0
		// evaluation VM reported mem_max 1073741824 for its 1 GiB limit. No
		// Fortinet document names the unit.
		out.number(c.vmMemUsed, e.MemUsed)
		out.number(c.vmMemMax, e.MemMax)
	}
}

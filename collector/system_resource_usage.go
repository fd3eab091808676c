package collector

import (
	"context"
	"net/url"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/fortigate-session-exporter/fortigate_session_exporter/fgsession"
)

// The system_resource_usage collector reads GET
// /api/v2/monitor/system/resource/usage twice: with scope=global for the whole
// device (CPU per core, memory, disk, sessions, setup and log rates) and with
// vdom=* for the share of each VDOM. Every resource is an array of
// {current, historical}. Only current is read. For cpu in the global reply,
// element 0 is the whole device and elements 1 to n are the cores.
//
// A VDOM admin has no global scope, and FortiOS rejects its scope=global
// request with 403. The collector then sends the per-VDOM metrics alone, as
// the device-wide values are not available to that admin.

const resourceUsageEndpoint = "system/resource/usage"

type resourceUsageCollector struct {
	cpuOverall   *metric
	cpu          *metric
	memory       *metric
	disk         *metric
	sessions     *metric
	setupRate    *metric
	logRate      *metric
	vdomCPU      *metric
	vdomMemory   *metric
	vdomSessions *metric
	vdomSetup    *metric
}

func newResourceUsageCollector() *resourceUsageCollector {
	const ep = resourceUsageEndpoint
	gauge := prometheus.GaugeValue
	return &resourceUsageCollector{
		cpuOverall: newMetric(namespace+"_cpu_overall_usage_ratio", gauge, "ratio", ep,
			"Current CPU usage of the whole device, from 0 to 1."),
		cpu: newMetric(namespace+"_cpu_usage_ratio", gauge, "ratio", ep,
			"Current CPU usage per core, from 0 to 1. processor counts cores from 0.",
			"processor"),
		memory: newMetric(namespace+"_memory_usage_ratio", gauge, "ratio", ep,
			"Current memory usage of the device, from 0 to 1."),
		disk: newMetric(namespace+"_disk_usage_ratio", gauge, "ratio", ep,
			"Current log disk usage of the device, from 0 to 1."),
		sessions: newMetric(namespace+"_current_sessions", gauge, "", ep,
			"Current number of sessions, per IP version.",
			"protocol"),
		setupRate: newMetric(namespace+"_new_sessions_per_second", gauge, "sessions per second", ep,
			"Current session setup rate, per IP version.",
			"protocol"),
		logRate: newMetric(namespace+"_log_rate_per_second", gauge, "logs per second", ep,
			"Current rate of log messages sent to each log destination.",
			"destination"),
		vdomCPU: newMetric(namespace+"_vdom_cpu_usage_ratio", gauge, "ratio", ep,
			"Current CPU usage of the VDOM, from 0 to 1.",
			"vdom"),
		vdomMemory: newMetric(namespace+"_vdom_memory_usage_ratio", gauge, "ratio", ep,
			"Current memory usage of the VDOM, from 0 to 1.",
			"vdom"),
		vdomSessions: newMetric(namespace+"_vdom_current_sessions", gauge, "", ep,
			"Current number of sessions of the VDOM, per IP version.",
			"vdom", "protocol"),
		vdomSetup: newMetric(namespace+"_vdom_new_sessions_per_second", gauge, "sessions per second", ep,
			"Current session setup rate of the VDOM, per IP version.",
			"vdom", "protocol"),
	}
}

func (c *resourceUsageCollector) metrics() []*metric {
	return []*metric{
		c.cpuOverall, c.cpu, c.memory, c.disk, c.sessions, c.setupRate, c.logRate,
		c.vdomCPU, c.vdomMemory, c.vdomSessions, c.vdomSetup,
	}
}

type usageSample struct {
	Current number `json:"current"`
}

type usageResults struct {
	CPU               list[usageSample] `json:"cpu"`
	Memory            list[usageSample] `json:"mem"`
	Disk              list[usageSample] `json:"disk"`
	Session           list[usageSample] `json:"session"`
	Session6          list[usageSample] `json:"session6"`
	SetupRate         list[usageSample] `json:"setuprate"`
	SetupRate6        list[usageSample] `json:"setuprate6"`
	DiskLogRate       list[usageSample] `json:"disk_lograte"`
	FAZLogRate        list[usageSample] `json:"faz_lograte"`
	FortiCloudLogRate list[usageSample] `json:"forticloud_lograte"`
}

// current returns the current value of the first element, which is the only
// one for every resource but the global cpu.
func current(samples list[usageSample]) number {
	if len(samples) == 0 {
		return number{}
	}
	return samples[0].Current
}

// vdomUsage is the usage of one VDOM, or of the device when vdom is empty.
type vdomUsage struct {
	vdom  string
	usage usageResults
}

// parseResourceUsage decodes a system/resource/usage reply with one envelope
// (scope=global) or one per VDOM (vdom=*). An empty results object, which some
// devices send, gives zero values with ok false.
func parseResourceUsage(body []byte) ([]vdomUsage, error) {
	envelopes, err := decodeEnvelopes(resourceUsageEndpoint, body)
	if err != nil {
		return nil, err
	}

	out := make([]vdomUsage, 0, len(envelopes))
	for _, env := range envelopes {
		entry := vdomUsage{vdom: string(env.VDOM)}
		if err := decodeObject(resourceUsageEndpoint, env.Results, &entry.usage); err != nil {
			return nil, err
		}
		out = append(out, entry)
	}
	return out, nil
}

func (c *resourceUsageCollector) Update(ctx context.Context, t *Target, ch chan<- prometheus.Metric) error {
	globalQuery := url.Values{"scope": {"global"}, "interval": {"1-min"}}
	body, err := t.API.Monitor(ctx, resourceUsageEndpoint, globalQuery)
	var global []vdomUsage
	switch {
	case fgsession.IsForbidden(err):
		// NOTE: the device-wide series are then missing without a failure.
		// The per-VDOM request below still fails on a 403 of another cause,
		// such as a missing CSRF token.
	case err != nil:
		return err
	default:
		if global, err = parseResourceUsage(body); err != nil {
			return err
		}
	}

	perVDOMQuery := url.Values{"vdom": {vdomQuery(t)}, "interval": {"1-min"}}
	body, err = t.API.Monitor(ctx, resourceUsageEndpoint, perVDOMQuery)
	if err != nil {
		return err
	}
	perVDOM, err := parseResourceUsage(body)
	if err != nil {
		return err
	}

	out := sink{ch: ch}
	if len(global) > 0 {
		c.emitGlobal(&out, global[0].usage)
	}
	for _, entry := range perVDOM {
		c.emitVDOM(&out, entry.vdom, entry.usage)
	}
	return out.err
}

func (c *resourceUsageCollector) emitGlobal(out *sink, u usageResults) {
	out.percent(c.cpuOverall, current(u.CPU))
	for i := 1; i < len(u.CPU); i++ {
		out.percent(c.cpu, u.CPU[i].Current, strconv.Itoa(i-1))
	}
	out.percent(c.memory, current(u.Memory))
	// NOTE: disk is read as a percentage of the log disk, like cpu and mem. The
	// API schema names no unit for it or for the log rates below.
	out.percent(c.disk, current(u.Disk))

	out.number(c.sessions, current(u.Session), "ipv4")
	out.number(c.sessions, current(u.Session6), "ipv6")
	out.number(c.setupRate, current(u.SetupRate), "ipv4")
	out.number(c.setupRate, current(u.SetupRate6), "ipv6")

	// FortiOS's GUI shows these rates as logs per second.
	out.number(c.logRate, current(u.DiskLogRate), "disk")
	out.number(c.logRate, current(u.FAZLogRate), "fortianalyzer")
	out.number(c.logRate, current(u.FortiCloudLogRate), "forticloud")
}

func (c *resourceUsageCollector) emitVDOM(out *sink, vdom string, u usageResults) {
	out.percent(c.vdomCPU, current(u.CPU), vdom)
	out.percent(c.vdomMemory, current(u.Memory), vdom)
	out.number(c.vdomSessions, current(u.Session), vdom, "ipv4")
	out.number(c.vdomSessions, current(u.Session6), vdom, "ipv6")
	out.number(c.vdomSetup, current(u.SetupRate), vdom, "ipv4")
	out.number(c.vdomSetup, current(u.SetupRate6), vdom, "ipv6")
}

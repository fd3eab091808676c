package collector

import (
	"context"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
)

// The system_performance_status collector reads GET
// /api/v2/monitor/system/performance/status: one global envelope with the
// share of CPU time per mode (user, system, nice, idle, iowait) in percent, for
// the whole device and for each core under cores, and the memory figures in
// bytes.

const performanceStatusEndpoint = "system/performance/status"

// cpuModes are the CPU modes FortiOS reports, in the order of its reply.
var cpuModes = []string{"user", "system", "nice", "idle", "iowait"}

type performanceStatusCollector struct {
	cpuOverall     *metric
	cpu            *metric
	memoryTotal    *metric
	memoryUsed     *metric
	memoryFree     *metric
	memoryFreeable *metric
}

func newPerformanceStatusCollector() *performanceStatusCollector {
	const ep = performanceStatusEndpoint
	gauge := prometheus.GaugeValue
	return &performanceStatusCollector{
		cpuOverall: newMetric(namespace+"_cpu_overall_mode_ratio", gauge, "ratio", ep,
			"Share of the device's CPU time spent in the mode, from 0 to 1.",
			"mode"),
		cpu: newMetric(namespace+"_cpu_mode_ratio", gauge, "ratio", ep,
			"Share of the core's CPU time spent in the mode, from 0 to 1. processor counts "+
				"cores from 0.",
			"processor", "mode"),
		memoryTotal: newMetric(namespace+"_memory_total_bytes", gauge, "bytes", ep,
			"Memory of the device."),
		memoryUsed: newMetric(namespace+"_memory_used_bytes", gauge, "bytes", ep,
			"Memory in use."),
		memoryFree: newMetric(namespace+"_memory_free_bytes", gauge, "bytes", ep,
			"Memory not in use."),
		memoryFreeable: newMetric(namespace+"_memory_freeable_bytes", gauge, "bytes", ep,
			"Memory in use that FortiOS can free when needed, such as caches."),
	}
}

func (c *performanceStatusCollector) metrics() []*metric {
	return []*metric{
		c.cpuOverall, c.cpu, c.memoryTotal, c.memoryUsed, c.memoryFree, c.memoryFreeable,
	}
}

type cpuTimes struct {
	User   number `json:"user"`
	System number `json:"system"`
	Nice   number `json:"nice"`
	Idle   number `json:"idle"`
	IOWait number `json:"iowait"`
}

// byMode returns the times in cpuModes order.
func (t cpuTimes) byMode() []number {
	return []number{t.User, t.System, t.Nice, t.Idle, t.IOWait}
}

type performanceStatus struct {
	CPU struct {
		cpuTimes
		Cores list[cpuTimes] `json:"cores"`
	} `json:"cpu"`
	Memory struct {
		Total    number `json:"total"`
		Used     number `json:"used"`
		Free     number `json:"free"`
		Freeable number `json:"freeable"`
	} `json:"mem"`
}

// parsePerformanceStatus decodes a system/performance/status reply. The
// endpoint is global, so only the first envelope is used.
func parsePerformanceStatus(body []byte) (performanceStatus, error) {
	var status performanceStatus
	envelopes, err := decodeEnvelopes(performanceStatusEndpoint, body)
	if err != nil {
		return status, err
	}
	if len(envelopes) == 0 {
		return status, nil
	}
	err = decodeObject(performanceStatusEndpoint, envelopes[0].Results, &status)
	return status, err
}

func (c *performanceStatusCollector) Update(ctx context.Context, t *Target, ch chan<- prometheus.Metric) error {
	body, err := t.API.Monitor(ctx, performanceStatusEndpoint, nil)
	if err != nil {
		return err
	}

	status, err := parsePerformanceStatus(body)
	if err != nil {
		return err
	}

	out := sink{ch: ch}
	for i, value := range status.CPU.byMode() {
		out.percent(c.cpuOverall, value, cpuModes[i])
	}
	for core, times := range status.CPU.Cores {
		processor := strconv.Itoa(core)
		for i, value := range times.byMode() {
			out.percent(c.cpu, value, processor, cpuModes[i])
		}
	}

	mem := status.Memory
	out.number(c.memoryTotal, mem.Total)
	out.number(c.memoryUsed, mem.Used)
	out.number(c.memoryFree, mem.Free)
	out.number(c.memoryFreeable, mem.Freeable)
	return out.err
}

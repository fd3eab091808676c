package collector

import (
	"context"
	"net/url"

	"github.com/prometheus/client_golang/prometheus"
)

// The system_interface_transceivers collector reads GET
// /api/v2/monitor/system/interface/transceivers with scope=global: one
// envelope whose results list the pluggable transceivers with interface,
// type ("SFP/SFP+/SFP28", sent with escaped slashes), vendor,
// vendor_part_number and vendor_serial_number.

const transceiversEndpoint = "system/interface/transceivers"

type transceiversCollector struct {
	info *metric
}

func newTransceiversCollector() *transceiversCollector {
	return &transceiversCollector{
		info: newMetric(namespace+"_interface_transceiver_info", prometheus.GaugeValue, "",
			transceiversEndpoint,
			"Transceiver plugged into the interface, with its type, vendor, part number and "+
				"serial number, always 1.",
			"interface", "type", "vendor", "part_number", "serial_number"),
	}
}

func (c *transceiversCollector) metrics() []*metric {
	return []*metric{c.info}
}

type transceiver struct {
	Interface    text `json:"interface"`
	Type         text `json:"type"`
	Vendor       text `json:"vendor"`
	PartNumber   text `json:"vendor_part_number"`
	SerialNumber text `json:"vendor_serial_number"`
}

// parseTransceivers decodes a system/interface/transceivers reply. The
// request has scope=global, so only the first envelope is used.
func parseTransceivers(body []byte) ([]transceiver, error) {
	envelopes, err := decodeEnvelopes(transceiversEndpoint, body)
	if err != nil {
		return nil, err
	}
	if len(envelopes) == 0 {
		return nil, nil
	}
	return decodeList[transceiver](transceiversEndpoint, envelopes[0].Results)
}

func (c *transceiversCollector) Update(ctx context.Context, t *Target, ch chan<- prometheus.Metric) error {
	body, err := t.API.Monitor(ctx, transceiversEndpoint, url.Values{"scope": {"global"}})
	if err != nil {
		return err
	}

	transceivers, err := parseTransceivers(body)
	if err != nil {
		return err
	}

	out := sink{ch: ch}
	for _, tr := range transceivers {
		if tr.Interface == "" {
			continue
		}
		out.add(c.info, 1, string(tr.Interface), string(tr.Type), string(tr.Vendor),
			string(tr.PartNumber), string(tr.SerialNumber))
	}
	return out.err
}

package collector

import (
	"context"
	"maps"
	"net/url"
	"slices"
	"strings"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/fortigate-session-exporter/fortigate_session_exporter/fgsession"
)

// The wifi collector reads three endpoints per VDOM about the FortiAPs the
// FortiGate manages:
//
//   - GET /api/v2/monitor/wifi/managed_ap: one object per AP with name,
//     serial, ap_profile, os_version, state, status, join_time_raw (seconds
//     since the Unix epoch, 0 when the AP never joined), cpu_usage (percent),
//     mem_free, mem_total, clients and a radio array. A radio whose mode is
//     "Not Exist" has only four keys and is skipped.
//   - GET /api/v2/monitor/wifi/client: one object per associated client. The
//     collector counts them per SSID and sends no per-client series, because
//     client MAC addresses would make the number of series unbounded.
//   - GET /api/v2/monitor/wifi/ap_status: AP and client totals of the VDOM.
//
// A device without a wireless controller replies with HTTP 404 or empty
// results. An endpoint that is unsupported is skipped, and the collector is
// unsupported only when all three are.

const (
	wifiManagedAPEndpoint = "wifi/managed_ap"
	wifiClientEndpoint    = "wifi/client"
	wifiAPStatusEndpoint  = "wifi/ap_status"

	// wifiRadioNotExist is the mode of a radio slot that the AP model lacks.
	wifiRadioNotExist = "Not Exist"
)

var (
	wifiAPLabels    = []string{"vdom", "ap_name"}
	wifiRadioLabels = []string{"vdom", "ap_name", "radio_id"}
)

type wifiCollector struct {
	apInfo                  *metric
	apStatusInfo            *metric
	apConnected             *metric
	apJoinTime              *metric
	apClients               *metric
	apCPU                   *metric
	apMemory                *metric
	radioInfo               *metric
	radioClients            *metric
	radioChannelUtilization *metric
	radioRetries            *metric
	radioDiscards           *metric
	radioInterferingAPs     *metric
	radioRxBytes            *metric
	radioTxBytes            *metric
	ssidClients             *metric
	apsByState              *metric
	apSessions              *metric
	clients                 *metric
	clientsMax              *metric
}

func newWiFiCollector() *wifiCollector {
	const ap, client, status = wifiManagedAPEndpoint, wifiClientEndpoint, wifiAPStatusEndpoint
	gauge, counter := prometheus.GaugeValue, prometheus.CounterValue
	radioInfoLabels := append(slices.Clone(wifiRadioLabels), "mode", "radio_type", "operating_channel")
	return &wifiCollector{
		apInfo: newMetric(namespace+"_wifi_managed_ap_info", gauge, "", ap,
			"Managed FortiAP with its serial number, AP profile and firmware, always 1.",
			"vdom", "ap_name", "serial", "ap_profile", "os_version"),
		apStatusInfo: newMetric(namespace+"_wifi_managed_ap_status_info", gauge, "", ap,
			"State (authorized, ...) and status (connected, ...) of the managed FortiAP as "+
				"FortiOS names them, always 1.",
			"vdom", "ap_name", "state", "status"),
		apConnected: newMetric(namespace+"_wifi_managed_ap_connected", gauge, "", ap,
			"Whether the managed FortiAP is connected to the FortiGate (1) or not (0).",
			wifiAPLabels...),
		apJoinTime: newMetric(namespace+"_wifi_managed_ap_join_timestamp_seconds", gauge, "seconds", ap,
			"Time the FortiAP last joined the FortiGate, in seconds since the Unix epoch. "+
				"An AP that has not joined sends no sample.",
			wifiAPLabels...),
		apClients: newMetric(namespace+"_wifi_managed_ap_clients", gauge, "", ap,
			"Number of wireless clients associated with the FortiAP.",
			wifiAPLabels...),
		apCPU: newMetric(namespace+"_wifi_managed_ap_cpu_usage_ratio", gauge, "ratio", ap,
			"CPU usage of the FortiAP.",
			wifiAPLabels...),
		apMemory: newMetric(namespace+"_wifi_managed_ap_memory_usage_ratio", gauge, "ratio", ap,
			"Memory usage of the FortiAP, computed as 1 - mem_free / mem_total. An AP that "+
				"reports no memory total sends no sample.",
			wifiAPLabels...),
		radioInfo: newMetric(namespace+"_wifi_managed_ap_radio_info", gauge, "", ap,
			"Radio of a FortiAP with its mode (AP, Monitor, ...), band and operating channel, "+
				"always 1. Radio slots in mode Not Exist are left out.",
			radioInfoLabels...),
		radioClients: newMetric(namespace+"_wifi_managed_ap_radio_clients", gauge, "", ap,
			"Number of wireless clients associated through the radio.",
			wifiRadioLabels...),
		radioChannelUtilization: newMetric(namespace+"_wifi_managed_ap_radio_operating_channel_utilization_ratio",
			gauge, "ratio", ap,
			"Utilization of the operating channel of the radio.",
			wifiRadioLabels...),
		radioRetries: newMetric(namespace+"_wifi_managed_ap_radio_tx_retries_ratio", gauge, "ratio", ap,
			"Share of frames the radio transmitted that needed a retry.",
			wifiRadioLabels...),
		radioDiscards: newMetric(namespace+"_wifi_managed_ap_radio_tx_discard_ratio", gauge, "ratio", ap,
			"Share of frames the radio discarded instead of transmitting.",
			wifiRadioLabels...),
		radioInterferingAPs: newMetric(namespace+"_wifi_managed_ap_radio_interfering_aps", gauge, "", ap,
			"Number of other access points the radio detects as interfering.",
			wifiRadioLabels...),
		radioRxBytes: newMetric(namespace+"_wifi_managed_ap_radio_rx_bytes_total", counter, "bytes", ap,
			"Bytes the radio received.",
			wifiRadioLabels...),
		radioTxBytes: newMetric(namespace+"_wifi_managed_ap_radio_tx_bytes_total", counter, "bytes", ap,
			"Bytes the radio transmitted.",
			wifiRadioLabels...),
		ssidClients: newMetric(namespace+"_wifi_ssid_clients", gauge, "", client,
			"Number of wireless clients associated with the SSID, counted from wifi/client. "+
				"There is no per-client series, so that the number of series does not grow "+
				"with the number of clients.",
			"vdom", "ssid"),
		apsByState: newMetric(namespace+"_wifi_access_points", gauge, "", status,
			"Number of managed FortiAPs in the state: active, down or rebooted.",
			"vdom", "state"),
		apSessions: newMetric(namespace+"_wifi_access_point_sessions", gauge, "", status,
			"Number of FortiAP sessions of the wireless controller (wtp_session_count).",
			"vdom"),
		clients: newMetric(namespace+"_wifi_fabric_clients", gauge, "", status,
			"Number of wireless clients of all FortiAPs of the VDOM.",
			"vdom"),
		clientsMax: newMetric(namespace+"_wifi_fabric_max_allowed_clients", gauge, "", status,
			"Maximum number of wireless clients, as FortiOS reports it in client_count_max.",
			"vdom"),
	}
}

func (c *wifiCollector) metrics() []*metric {
	return []*metric{
		c.apInfo, c.apStatusInfo, c.apConnected, c.apJoinTime, c.apClients, c.apCPU, c.apMemory,
		c.radioInfo, c.radioClients, c.radioChannelUtilization, c.radioRetries, c.radioDiscards,
		c.radioInterferingAPs, c.radioRxBytes, c.radioTxBytes,
		c.ssidClients,
		c.apsByState, c.apSessions, c.clients, c.clientsMax,
	}
}

type wifiRadio struct {
	ID                 text   `json:"radio_id"`
	Mode               text   `json:"mode"`
	Type               text   `json:"radio_type"`
	Channel            text   `json:"oper_chan"`
	ClientCount        number `json:"client_count"`
	ChannelUtilization number `json:"channel_utilization_percent"`
	TxRetries          number `json:"tx_retries_percent"`
	TxDiscards         number `json:"tx_discard_percentage"`
	InterferingAPs     number `json:"interfering_aps"`
	BytesRx            number `json:"bytes_rx"`
	BytesTx            number `json:"bytes_tx"`
}

type wifiManagedAP struct {
	Name        text            `json:"name"`
	Serial      text            `json:"serial"`
	Profile     text            `json:"ap_profile"`
	OSVersion   text            `json:"os_version"`
	State       text            `json:"state"`
	Status      text            `json:"status"`
	JoinTimeRaw number          `json:"join_time_raw"`
	CPUUsage    number          `json:"cpu_usage"`
	MemFree     number          `json:"mem_free"`
	MemTotal    number          `json:"mem_total"`
	Clients     number          `json:"clients"`
	Radios      list[wifiRadio] `json:"radio"`
}

type wifiClient struct {
	SSID text `json:"ssid"`
}

type wifiAPStatus struct {
	Sessions    number `json:"wtp_session_count"`
	Active      number `json:"wtp_active"`
	Down        number `json:"wtp_down"`
	Rebooted    number `json:"wtp_rebooted"`
	ClientCount number `json:"client_count"`
	ClientMax   number `json:"client_count_max"`
}

func parseWiFiManagedAPs(body []byte) ([]vdomResult[[]wifiManagedAP], error) {
	return parsePerVDOMList[wifiManagedAP](wifiManagedAPEndpoint, body)
}

func parseWiFiClients(body []byte) ([]vdomResult[[]wifiClient], error) {
	return parsePerVDOMList[wifiClient](wifiClientEndpoint, body)
}

func parseWiFiAPStatus(body []byte) ([]vdomResult[wifiAPStatus], error) {
	return parsePerVDOMObject[wifiAPStatus](wifiAPStatusEndpoint, body)
}

// wifiReplies are the decoded replies of one scrape. A nil slice is an
// endpoint that was unsupported or empty.
type wifiReplies struct {
	aps      []vdomResult[[]wifiManagedAP]
	clients  []vdomResult[[]wifiClient]
	statuses []vdomResult[wifiAPStatus]
}

func (c *wifiCollector) Update(ctx context.Context, t *Target, ch chan<- prometheus.Metric) error {
	replies, err := fetchWiFi(ctx, t)
	if err != nil {
		return err
	}

	out := sink{ch: ch}
	for _, entry := range replies.aps {
		for _, ap := range entry.result {
			c.emitAP(&out, entry.vdom, ap)
		}
	}
	for _, entry := range replies.clients {
		c.emitSSIDCounts(&out, entry.vdom, entry.result)
	}
	for _, entry := range replies.statuses {
		c.emitStatus(&out, entry.vdom, entry.result)
	}
	return out.err
}

// fetchWiFi fetches and decodes the three endpoints. It returns the first
// unsupported error only when every endpoint was unsupported.
func fetchWiFi(ctx context.Context, t *Target) (wifiReplies, error) {
	query := url.Values{"vdom": {vdomQuery(t)}}
	var replies wifiReplies
	var firstUnsupported error
	unsupported := 0

	fetch := func(endpoint string, parse func([]byte) error) error {
		body, err := t.API.Monitor(ctx, endpoint, query)
		if fgsession.IsUnsupported(err) {
			unsupported++
			if firstUnsupported == nil {
				firstUnsupported = err
			}
			return nil
		}
		if err != nil {
			return err
		}
		return parse(body)
	}

	// NOTE: wifi/managed_ap and wifi/client take start and count for paging.
	// The collector sends neither and relies on FortiOS returning every entry
	// without them, which was not checked on a device with many clients.
	steps := []struct {
		endpoint string
		parse    func([]byte) error
	}{
		{wifiManagedAPEndpoint, func(body []byte) (err error) {
			replies.aps, err = parseWiFiManagedAPs(body)
			return err
		}},
		{wifiClientEndpoint, func(body []byte) (err error) {
			replies.clients, err = parseWiFiClients(body)
			return err
		}},
		{wifiAPStatusEndpoint, func(body []byte) (err error) {
			replies.statuses, err = parseWiFiAPStatus(body)
			return err
		}},
	}
	for _, step := range steps {
		if err := fetch(step.endpoint, step.parse); err != nil {
			return wifiReplies{}, err
		}
	}

	if unsupported == len(steps) {
		return wifiReplies{}, firstUnsupported
	}
	return replies, nil
}

func (c *wifiCollector) emitAP(out *sink, vdom string, ap wifiManagedAP) {
	name := string(ap.Name)
	labels := []string{vdom, name}

	out.add(c.apInfo, 1, vdom, name, string(ap.Serial), string(ap.Profile), string(ap.OSVersion))
	if ap.State != "" || ap.Status != "" {
		out.add(c.apStatusInfo, 1, vdom, name, string(ap.State), string(ap.Status))
	}
	if ap.Status != "" {
		out.add(c.apConnected, boolValue(strings.EqualFold(string(ap.Status), "connected")), labels...)
	}
	if ap.JoinTimeRaw.ok && ap.JoinTimeRaw.value > 0 {
		out.add(c.apJoinTime, ap.JoinTimeRaw.value, labels...)
	}
	out.number(c.apClients, ap.Clients, labels...)
	out.percent(c.apCPU, ap.CPUUsage, labels...)
	// NOTE: no Fortinet document names the unit of mem_free and mem_total, so
	// only their ratio is sent.
	if ap.MemFree.ok && ap.MemTotal.ok && ap.MemTotal.value > 0 {
		out.add(c.apMemory, 1-ap.MemFree.value/ap.MemTotal.value, labels...)
	}

	for _, radio := range ap.Radios {
		if string(radio.Mode) == wifiRadioNotExist {
			continue
		}
		c.emitRadio(out, append(slices.Clone(labels), string(radio.ID)), radio)
	}
}

func (c *wifiCollector) emitRadio(out *sink, labels []string, radio wifiRadio) {
	out.add(c.radioInfo, 1,
		append(slices.Clone(labels), string(radio.Mode), string(radio.Type), string(radio.Channel))...)
	out.number(c.radioClients, radio.ClientCount, labels...)
	out.percent(c.radioChannelUtilization, radio.ChannelUtilization, labels...)
	out.percent(c.radioRetries, radio.TxRetries, labels...)
	out.percent(c.radioDiscards, radio.TxDiscards, labels...)
	out.number(c.radioInterferingAPs, radio.InterferingAPs, labels...)
	out.number(c.radioRxBytes, radio.BytesRx, labels...)
	out.number(c.radioTxBytes, radio.BytesTx, labels...)
}

func (c *wifiCollector) emitSSIDCounts(out *sink, vdom string, clients []wifiClient) {
	counts := map[string]int{}
	for _, client := range clients {
		counts[string(client.SSID)]++
	}
	for _, ssid := range slices.Sorted(maps.Keys(counts)) {
		out.add(c.ssidClients, float64(counts[ssid]), vdom, ssid)
	}
}

func (c *wifiCollector) emitStatus(out *sink, vdom string, s wifiAPStatus) {
	out.number(c.apsByState, s.Active, vdom, "active")
	out.number(c.apsByState, s.Down, vdom, "down")
	out.number(c.apsByState, s.Rebooted, vdom, "rebooted")
	out.number(c.apSessions, s.Sessions, vdom)
	out.number(c.clients, s.ClientCount, vdom)
	out.number(c.clientsMax, s.ClientMax, vdom)
}

package collector

import "testing"

const (
	wifiManagedAPRequest = "wifi/managed_ap?vdom=%2A"
	wifiClientRequest    = "wifi/client?vdom=%2A"
	wifiAPStatusRequest  = "wifi/ap_status?vdom=%2A"
)

func TestWiFiGolden(t *testing.T) {
	for _, release := range []string{"7.0", "7.4"} {
		t.Run(release, func(t *testing.T) { checkGolden(t, "wifi", release) })
	}
}

func TestWiFiQuirks(t *testing.T) {
	notFound := reply{status: 404, body: `{"status":"error","http_status":404}`}
	tests := []struct {
		name    string
		replies map[string]reply
		want    string
		wantErr string
	}{
		{
			name: "radio not exist and numbers as strings",
			replies: map[string]reply{
				wifiManagedAPRequest: {body: `[{"results":[{"name":"ap1","serial":"FP1","state":"authorized",
					"status":"connected","join_time_raw":"1749700000","cpu_usage":"25","mem_free":250,
					"mem_total":1000,"clients":1,"radio":[
					{"radio_id":1,"mode":"AP","radio_type":"802.11ax-5G","oper_chan":"36","client_count":1,
					 "channel_utilization_percent":"50","tx_retries_percent":10,"interfering_aps":2},
					{"radio_id":2,"mode":"Not Exist","radio_type":"","client_count":0}]}],"vdom":"root"}]`},
				wifiClientRequest:   notFound,
				wifiAPStatusRequest: notFound,
			},
			want: `
				fortigate_wifi_managed_ap_clients{ap_name="ap1",vdom="root"} 1
				fortigate_wifi_managed_ap_connected{ap_name="ap1",vdom="root"} 1
				fortigate_wifi_managed_ap_cpu_usage_ratio{ap_name="ap1",vdom="root"} 0.25
				fortigate_wifi_managed_ap_info{ap_name="ap1",ap_profile="",os_version="",serial="FP1",vdom="root"} 1
				fortigate_wifi_managed_ap_join_timestamp_seconds{ap_name="ap1",vdom="root"} 1.7497e+09
				fortigate_wifi_managed_ap_memory_usage_ratio{ap_name="ap1",vdom="root"} 0.75
				fortigate_wifi_managed_ap_radio_clients{ap_name="ap1",radio_id="1",vdom="root"} 1
				fortigate_wifi_managed_ap_radio_info{ap_name="ap1",mode="AP",operating_channel="36",radio_id="1",radio_type="802.11ax-5G",vdom="root"} 1
				fortigate_wifi_managed_ap_radio_interfering_aps{ap_name="ap1",radio_id="1",vdom="root"} 2
				fortigate_wifi_managed_ap_radio_operating_channel_utilization_ratio{ap_name="ap1",radio_id="1",vdom="root"} 0.5
				fortigate_wifi_managed_ap_radio_tx_retries_ratio{ap_name="ap1",radio_id="1",vdom="root"} 0.1
				fortigate_wifi_managed_ap_status_info{ap_name="ap1",state="authorized",status="connected",vdom="root"} 1
			`,
		},
		{
			name: "offline AP without join time or memory total",
			replies: map[string]reply{
				wifiManagedAPRequest: {body: `[{"results":[{"name":"ap2","status":"disconnected",
					"join_time_raw":0,"mem_free":0,"mem_total":0,"radio":[]}],"vdom":"dmz"}]`},
			},
			want: `
				fortigate_wifi_managed_ap_connected{ap_name="ap2",vdom="dmz"} 0
				fortigate_wifi_managed_ap_info{ap_name="ap2",ap_profile="",os_version="",serial="",vdom="dmz"} 1
				fortigate_wifi_managed_ap_status_info{ap_name="ap2",state="",status="disconnected",vdom="dmz"} 1
			`,
		},
		{
			name: "clients counted per SSID with the status endpoint missing",
			replies: map[string]reply{
				wifiManagedAPRequest: {body: `[{"results":[],"vdom":"root"}]`},
				wifiClientRequest: {body: `[{"results":[{"mac":"aa:00:00:00:00:01","ssid":"corp"},
					{"mac":"aa:00:00:00:00:02","ssid":"corp"},{"mac":"aa:00:00:00:00:03","ssid":"guest"},
					{"mac":"aa:00:00:00:00:04"}],"vdom":"root"},{"results":[],"vdom":"dmz"}]`},
				wifiAPStatusRequest: notFound,
			},
			want: `
				fortigate_wifi_ssid_clients{ssid="",vdom="root"} 1
				fortigate_wifi_ssid_clients{ssid="corp",vdom="root"} 2
				fortigate_wifi_ssid_clients{ssid="guest",vdom="root"} 1
			`,
		},
		{
			name: "AP status totals",
			replies: map[string]reply{
				wifiAPStatusRequest: {body: `[{"results":{"wtp_session_count":2,"wtp_active":"2",
					"wtp_down":0,"wtp_rebooted":1,"client_count":9,"client_count_max":12},"vdom":"root"}]`},
			},
			want: `
				fortigate_wifi_access_point_sessions{vdom="root"} 2
				fortigate_wifi_access_points{state="active",vdom="root"} 2
				fortigate_wifi_access_points{state="down",vdom="root"} 0
				fortigate_wifi_access_points{state="rebooted",vdom="root"} 1
				fortigate_wifi_fabric_clients{vdom="root"} 9
				fortigate_wifi_fabric_max_allowed_clients{vdom="root"} 12
			`,
		},
		{
			name: "empty replies of a device without access points",
			replies: map[string]reply{
				wifiManagedAPRequest: {body: `[{"results":[],"vdom":"root"}]`},
				wifiClientRequest:    {body: `[{"results":[],"vdom":"root"}]`},
				wifiAPStatusRequest:  {body: `[{"results":{},"vdom":"root"}]`},
			},
			want: ``,
		},
		{
			name: "client endpoint failing with 500",
			replies: map[string]reply{
				wifiManagedAPRequest: {body: `[{"results":[],"vdom":"root"}]`},
				wifiClientRequest:    {status: 500, body: `{"status":"error","http_status":500}`},
			},
			wantErr: "500",
		},
		{
			name: "radio list of the wrong type",
			replies: map[string]reply{
				wifiManagedAPRequest: {body: `[{"results":[{"name":"ap1","radio":"none"}],"vdom":"root"}]`},
			},
			wantErr: `decode wifi/managed_ap reply: field results[0].radio: got string "none", expected an array`,
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkCollector(t, "wifi", tt.replies, tt.want, tt.wantErr)
		})
	}
}

func TestWiFiUnsupported(t *testing.T) { checkUnsupported(t, "wifi") }

func FuzzParseWiFi(f *testing.F) {
	addFixtureSeeds(f, wifiManagedAPEndpoint)
	addFixtureSeeds(f, wifiClientEndpoint)
	addFixtureSeeds(f, wifiAPStatusEndpoint)
	f.Add([]byte(`[{"results":[{"name":"a","radio":{"radio_id":1,"mode":"Not Exist"}}],"vdom":"root"}]`))
	f.Add([]byte(`{"results":{"wtp_active":"1","ssid":["x"]}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		_, err := parseWiFiManagedAPs(body)
		checkDecodeResult(t, err)
		_, err = parseWiFiClients(body)
		checkDecodeResult(t, err)
		_, err = parseWiFiAPStatus(body)
		checkDecodeResult(t, err)
	})
}

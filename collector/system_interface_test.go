package collector

import (
	"testing"
)

const interfaceRequest = "system/interface?include_aggregate=true&include_vlan=true&vdom=%2A"

func TestInterfaceQuirks(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		want    string
		wantErr string
	}{
		{
			name: "huge counter, float speed and VLAN parent in another VDOM",
			body: `[{"results":{
				"wan1":{"id":"wan1","name":"wan1","alias":"ISP-A","mac":"04:d5:90:00:00:01",
					"ip":"198.51.100.34","mask":29,"link":true,"speed":1000.0,"duplex":1,
					"tx_packets":912734651203,"rx_packets":"1204557610987",
					"tx_bytes":388412907733412,"rx_bytes":647218993504172381,
					"tx_errors":0,"rx_errors":17}},"vdom":"root"},
				{"results":{
				"vlan210":{"id":"vlan210","name":"vlan210","alias":"","mac":"04:d5:90:00:00:02",
					"ip":"172.16.210.1","mask":24,"link":false,"speed":"100.00","duplex":1,
					"tx_packets":1,"rx_packets":2,"tx_bytes":3,"rx_bytes":4,"tx_errors":0,
					"rx_errors":0,"vlanid":210,"interface":"port1"}},"vdom":"dmz"}]`,
			want: `
				fortigate_interface_info{alias="ISP-A",duplex="full",ip="198.51.100.34",mac="04:d5:90:00:00:01",name="wan1",parent="",prefix_length="29",vdom="root",vlan_id=""} 1
				fortigate_interface_info{alias="",duplex="",ip="172.16.210.1",mac="04:d5:90:00:00:02",name="vlan210",parent="port1",prefix_length="24",vdom="dmz",vlan_id="210"} 1
				fortigate_interface_link_up{alias="ISP-A",name="wan1",parent="",vdom="root"} 1
				fortigate_interface_link_up{alias="",name="vlan210",parent="port1",vdom="dmz"} 0
				fortigate_interface_receive_bytes_total{alias="ISP-A",name="wan1",parent="",vdom="root"} 6.472189935041724e+17
				fortigate_interface_receive_bytes_total{alias="",name="vlan210",parent="port1",vdom="dmz"} 4
				fortigate_interface_receive_errors_total{alias="ISP-A",name="wan1",parent="",vdom="root"} 17
				fortigate_interface_receive_errors_total{alias="",name="vlan210",parent="port1",vdom="dmz"} 0
				fortigate_interface_receive_packets_total{alias="ISP-A",name="wan1",parent="",vdom="root"} 1.204557610987e+12
				fortigate_interface_receive_packets_total{alias="",name="vlan210",parent="port1",vdom="dmz"} 2
				fortigate_interface_speed_bps{alias="ISP-A",name="wan1",parent="",vdom="root"} 1e+09
				fortigate_interface_speed_bps{alias="",name="vlan210",parent="port1",vdom="dmz"} 1e+08
				fortigate_interface_transmit_bytes_total{alias="ISP-A",name="wan1",parent="",vdom="root"} 3.88412907733412e+14
				fortigate_interface_transmit_bytes_total{alias="",name="vlan210",parent="port1",vdom="dmz"} 3
				fortigate_interface_transmit_errors_total{alias="ISP-A",name="wan1",parent="",vdom="root"} 0
				fortigate_interface_transmit_errors_total{alias="",name="vlan210",parent="port1",vdom="dmz"} 0
				fortigate_interface_transmit_packets_total{alias="ISP-A",name="wan1",parent="",vdom="root"} 9.12734651203e+11
				fortigate_interface_transmit_packets_total{alias="",name="vlan210",parent="port1",vdom="dmz"} 1
			`,
		},
		{
			name: "fields missing on a down interface and name from the key",
			body: `{"results":{"port9":{"link":"false","duplex":-1}},"vdom":"root"}`,
			want: `
				fortigate_interface_info{alias="",duplex="",ip="",mac="",name="port9",parent="",prefix_length="",vdom="root",vlan_id=""} 1
				fortigate_interface_link_up{alias="",name="port9",parent="",vdom="root"} 0
			`,
		},
		{
			name: "results as an array and an empty VDOM",
			body: `[{"results":[{"name":"port1","link":1,"speed":10}],"vdom":"root"},
				{"results":{},"vdom":"dmz"},{"results":[],"vdom":"lab"}]`,
			want: `
				fortigate_interface_info{alias="",duplex="",ip="",mac="",name="port1",parent="",prefix_length="",vdom="root",vlan_id=""} 1
				fortigate_interface_link_up{alias="",name="port1",parent="",vdom="root"} 1
				fortigate_interface_speed_bps{alias="",name="port1",parent="",vdom="root"} 1e+07
			`,
		},
		{
			name:    "counter of the wrong type names the interface",
			body:    `[{"results":{"wan1":{"name":"wan1","tx_bytes":"lots"}},"vdom":"root"}]`,
			wantErr: `decode system/interface reply: field results.wan1.tx_bytes: got string "lots", expected a number`,
		},
		{
			name:    "link of the wrong type",
			body:    `[{"results":{"wan1":{"link":"maybe"}},"vdom":"root"}]`,
			wantErr: `field results.wan1.link: got string "maybe", expected a boolean`,
		},
		{
			name:    "error envelope",
			body:    `[{"status":"error","http_status":403,"vdom":"lab"}]`,
			wantErr: `decode system/interface reply: field [0].status: FortiOS reported an error for VDOM "lab"`,
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkCollector(t, "system_interface", map[string]reply{interfaceRequest: {body: tt.body}}, tt.want, tt.wantErr)
		})
	}
}

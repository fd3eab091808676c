package config

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestLoadCustomEndpoints(t *testing.T) {
	dir := fixtureDir(t)
	path := writeFile(t, dir, "targets.yml", `
defaults:
  username: monitor
  password_file: password.txt
  custom_endpoints:
    - name: system_time
      path: system/time
      metrics:
        - name: fortigate_system_time_seconds
          help: Time on the FortiGate clock.
          type: gauge
          value: time
targets:
  - name: inherits
    url: fw1.example.com
  - name: own
    url: fw2.example.com
    custom_endpoints:
      - name: dhcp_leases
        path: system/dhcp
        query: {ipv6: false, interface: port1}
        per_vdom: true
        metrics:
          - name: fortigate_dhcp_lease_expiry_timestamp_seconds
            help: Expiry of a DHCP lease.
            type: gauge
            value: expire_time
            labels: {mac: mac, ip: ip, interface: interface}
      - name: ippool
        path: firewall/ippool
        key_label: pool
        metrics:
          - name: fortigate_ippool_clients
            help: Clients using the pool.
            type: gauge
            value: clients
          - name: fortigate_ippool_used_ratio
            help: Part of the pool in use.
            type: gauge
            value: usage.percent
            scale: 0.01
  - name: none
    url: fw3.example.com
    custom_endpoints: []
`)

	cfg, err := Load(path)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}

	inherited := cfg.Target("inherits").CustomEndpoints
	if len(inherited) != 1 || inherited[0].Name != "system_time" {
		t.Fatalf("inherits: custom endpoints = %+v, want system_time from defaults", inherited)
	}
	if got := inherited[0].Metrics[0].Scale; got != 1 {
		t.Errorf("inherits: scale = %v, want the default 1", got)
	}

	own := cfg.Target("own").CustomEndpoints
	if len(own) != 2 {
		t.Fatalf("own: got %d custom endpoints, want 2 that replace the defaults", len(own))
	}
	dhcp := own[0]
	if !dhcp.PerVDOM || dhcp.Path != "system/dhcp" {
		t.Errorf("own: dhcp_leases = %+v, want per_vdom on system/dhcp", dhcp)
	}
	wantQuery := map[string]string{"ipv6": "false", "interface": "port1"}
	if !reflect.DeepEqual(dhcp.Query, wantQuery) {
		t.Errorf("own: dhcp_leases query = %v, want %v", dhcp.Query, wantQuery)
	}
	wantLabels := []CustomLabel{
		{Name: "interface", Field: "interface"},
		{Name: "ip", Field: "ip"},
		{Name: "mac", Field: "mac"},
	}
	if got := dhcp.Metrics[0].Labels; !reflect.DeepEqual(got, wantLabels) {
		t.Errorf("own: dhcp_leases labels = %+v, want %+v sorted by name", got, wantLabels)
	}
	if got := dhcp.Metrics[0].Type; got != MetricGauge {
		t.Errorf("own: dhcp_leases type = %q, want gauge", got)
	}

	pool := own[1]
	if pool.KeyLabel != "pool" {
		t.Errorf("own: ippool key_label = %q, want pool", pool.KeyLabel)
	}
	if got := pool.Metrics[1]; got.Value != "usage.percent" || got.Scale != 0.01 {
		t.Errorf("own: ippool second metric = %+v, want value usage.percent and scale 0.01", got)
	}

	if got := cfg.Target("none").CustomEndpoints; len(got) != 0 {
		t.Errorf("none: custom endpoints = %+v, want none because [] replaces the defaults", got)
	}
}

func TestCustomEndpointsJSON(t *testing.T) {
	target := Target{
		Name: "fw",
		CustomEndpoints: []CustomEndpoint{{
			Name: "system_time", Path: "system/time",
			Metrics: []CustomMetric{{
				Name: "fortigate_system_time_seconds", Help: "Time.", Type: MetricGauge,
				Value: "time", Scale: 1, Labels: []CustomLabel{{Name: "zone", Field: "tz"}},
			}},
		}},
	}
	data, err := json.Marshal(target)
	if err != nil {
		t.Fatal(err)
	}
	want := `"custom_endpoints":[{"name":"system_time","path":"system/time","metrics":[` +
		`{"name":"fortigate_system_time_seconds","help":"Time.","type":"gauge","value":"time",` +
		`"labels":{"zone":"tz"},"scale":1}]}]`
	if !strings.Contains(string(data), want) {
		t.Errorf("JSON = %s\nwant it to contain %s", data, want)
	}
}

func TestLoadCustomEndpointErrors(t *testing.T) {
	// head is a valid target up to custom_endpoints, which starts on line 6.
	// Each case's entries follow, so the first entry is on line 7.
	head := "targets:\n  - name: fw1\n    url: fw1\n    username: monitor\n" +
		"    password_file: password.txt\n    custom_endpoints:\n"
	// metric returns one endpoint entry with a metric whose keys are extra.
	metric := func(extra string) string {
		return "      - name: ep\n        path: system/time\n        metrics:\n" +
			"          - " + extra + "\n"
	}
	valid := "{name: fortigate_time_seconds, help: Time., type: gauge, value: time"

	tests := []struct {
		name string
		yaml string
		want []string
	}{
		{
			name: "missing endpoint name",
			yaml: head + "      - path: system/time\n        metrics:\n          - " + valid + "}\n",
			want: []string{"targets.yml:7:", "custom_endpoints[0].name is missing"},
		},
		{
			name: "invalid endpoint name",
			yaml: head + "      - name: DHCP-Leases\n        path: system/dhcp\n" +
				"        metrics:\n          - " + valid + "}\n",
			want: []string{"targets.yml:7:", `custom_endpoints[0].name "DHCP-Leases" is invalid`,
				"lower-case letters, digits and '_'"},
		},
		{
			name: "duplicate endpoint name",
			yaml: head + metric(valid+"}") + "      - name: ep\n        path: system/status\n" +
				"        metrics:\n          - {name: fortigate_b, help: B., type: gauge, value: b}\n",
			want: []string{"targets.yml:11:",
				`custom_endpoints[1].name "ep" is already used by custom_endpoints[0]`},
		},
		{
			name: "missing path",
			yaml: head + "      - name: ep\n        metrics:\n          - " + valid + "}\n",
			want: []string{"targets.yml:7:", "custom_endpoints[0].path is missing",
				"after /api/v2/monitor/"},
		},
		{
			name: "path with api prefix",
			yaml: head + "      - name: ep\n        path: /api/v2/monitor/system/time\n" +
				"        metrics:\n          - " + valid + "}\n",
			want: []string{"targets.yml:8:", `custom_endpoints[0].path "/api/v2/monitor/system/time" is invalid`},
		},
		{
			name: "path with query",
			yaml: head + "      - name: ep\n        path: system/dhcp?ipv6=true\n" +
				"        metrics:\n          - " + valid + "}\n",
			want: []string{"targets.yml:8:", "contains a query: put query parameters under query"},
		},
		{
			name: "path with dot segment",
			yaml: head + "      - name: ep\n        path: system/../status\n" +
				"        metrics:\n          - " + valid + "}\n",
			want: []string{`custom_endpoints[0].path "system/../status" contains the segment ".."`},
		},
		{
			name: "path with space",
			yaml: head + "      - name: ep\n        path: system/my time\n" +
				"        metrics:\n          - " + valid + "}\n",
			want: []string{`custom_endpoints[0].path "system/my time" is invalid`},
		},
		{
			name: "vdom query with per_vdom",
			yaml: head + "      - name: ep\n        path: system/time\n        per_vdom: true\n" +
				"        query:\n          vdom: root\n        metrics:\n          - " + valid + "}\n",
			want: []string{"targets.yml:11:", "custom_endpoints[0].query.vdom is set together with per_vdom"},
		},
		{
			name: "access token in query",
			yaml: head + "      - name: ep\n        path: system/time\n" +
				"        query: {access_token: abc}\n        metrics:\n          - " + valid + "}\n",
			want: []string{"custom_endpoints[0].query.access_token is not supported", "token_file"},
		},
		{
			name: "no metrics",
			yaml: head + "      - name: ep\n        path: system/time\n",
			want: []string{"targets.yml:7:", "custom_endpoints[0].metrics is missing"},
		},
		{
			name: "missing metric name",
			yaml: head + metric("{help: Time., type: gauge, value: time}"),
			want: []string{"targets.yml:10:", "custom_endpoints[0].metrics[0].name is missing"},
		},
		{
			name: "metric name without prefix",
			yaml: head + metric("{name: system_time, help: Time., type: gauge, value: time}"),
			want: []string{"targets.yml:10:", `custom_endpoints[0].metrics[0].name "system_time" is invalid`,
				"start it with fortigate_"},
		},
		{
			name: "metric name with upper case",
			yaml: head + metric("{name: fortigate_Time, help: Time., type: gauge, value: time}"),
			want: []string{`custom_endpoints[0].metrics[0].name "fortigate_Time" is invalid`},
		},
		{
			name: "duplicate metric name across endpoints",
			yaml: head + metric(valid+"}") + "      - name: other\n        path: system/status\n" +
				"        metrics:\n          - " + valid + "}\n",
			want: []string{"targets.yml:14:", `custom_endpoints[1].metrics[0].name "fortigate_time_seconds" ` +
				"is already defined by custom_endpoints[0].metrics[0]"},
		},
		{
			name: "missing help",
			yaml: head + metric("{name: fortigate_time_seconds, help: ' ', type: gauge, value: time}"),
			want: []string{"custom_endpoints[0].metrics[0].help is missing"},
		},
		{
			name: "missing type",
			yaml: head + metric("{name: fortigate_time_seconds, help: Time., value: time}"),
			want: []string{"custom_endpoints[0].metrics[0].type is missing: use gauge or counter"},
		},
		{
			name: "invalid type",
			yaml: head + metric("{name: fortigate_time_seconds, help: Time., type: histogram, value: time}"),
			want: []string{`custom_endpoints[0].metrics[0].type "histogram" is invalid: use gauge or counter`},
		},
		{
			name: "counter without total suffix",
			yaml: head + metric("{name: fortigate_leases, help: Leases., type: counter, value: n}"),
			want: []string{`custom_endpoints[0].metrics[0].name "fortigate_leases" is a counter without ` +
				"the _total suffix: rename it to fortigate_leases_total"},
		},
		{
			name: "gauge with total suffix",
			yaml: head + metric("{name: fortigate_leases_total, help: Leases., type: gauge, value: n}"),
			want: []string{`custom_endpoints[0].metrics[0].name "fortigate_leases_total" ends in _total`},
		},
		{
			name: "missing value",
			yaml: head + metric("{name: fortigate_time_seconds, help: Time., type: gauge}"),
			want: []string{"targets.yml:10:", "custom_endpoints[0].metrics[0].value is missing"},
		},
		{
			name: "value with empty segment",
			yaml: head + metric(valid[:len(valid)-len("time")]+"current..users}"),
			want: []string{`custom_endpoints[0].metrics[0].value field "current..users" is invalid`},
		},
		{
			name: "invalid label name",
			yaml: head + metric(valid+", labels: {mac-address: mac}}"),
			want: []string{`custom_endpoints[0].metrics[0].labels.mac-address: label name "mac-address" is invalid`},
		},
		{
			name: "label name with double underscore",
			yaml: head + metric(valid+", labels: {__name: name}}"),
			want: []string{`label name "__name" is invalid: names starting with __ are reserved`},
		},
		{
			name: "vdom label with per_vdom",
			yaml: head + "      - name: ep\n        path: system/time\n        per_vdom: true\n" +
				"        metrics:\n          - " + valid + ", labels: {vdom: vdom_name}}\n",
			want: []string{"custom_endpoints[0].metrics[0].labels.vdom: label name vdom is reserved",
				"per_vdom adds it"},
		},
		{
			name: "instance label",
			yaml: head + metric(valid+", labels: {instance: name}}"),
			want: []string{`label name "instance" is reserved: Prometheus sets it`},
		},
		{
			name: "label name equal to key_label",
			yaml: head + "      - name: ep\n        path: firewall/ippool\n        key_label: pool\n" +
				"        metrics:\n          - " + valid + ", labels: {pool: name}}\n",
			want: []string{`custom_endpoints[0].metrics[0].labels.pool: label name "pool" is already used by key_label`},
		},
		{
			name: "key_label vdom with per_vdom",
			yaml: head + "      - name: ep\n        path: firewall/ippool\n        per_vdom: true\n" +
				"        key_label: vdom\n        metrics:\n          - " + valid + "}\n",
			want: []string{"targets.yml:10:", "custom_endpoints[0].key_label: label name vdom is reserved"},
		},
		{
			name: "invalid key_label",
			yaml: head + "      - name: ep\n        path: firewall/ippool\n        key_label: 1pool\n" +
				"        metrics:\n          - " + valid + "}\n",
			want: []string{`custom_endpoints[0].key_label: label name "1pool" is invalid`},
		},
		{
			name: "label without field",
			yaml: head + metric(valid+", labels: {mac: ''}}"),
			want: []string{"custom_endpoints[0].metrics[0].labels.mac has no field"},
		},
		{
			name: "zero scale",
			yaml: head + metric(valid+", scale: 0}"),
			want: []string{"custom_endpoints[0].metrics[0].scale 0 is invalid: use a positive number"},
		},
		{
			name: "negative scale",
			yaml: head + metric(valid+", scale: -0.001}"),
			want: []string{"custom_endpoints[0].metrics[0].scale -0.001 is invalid"},
		},
		{
			name: "unknown endpoint key",
			yaml: head + "      - name: ep\n        url: system/time\n",
			want: []string{"targets.yml:8:", `unknown key "url" in a custom endpoint`,
				"valid keys: name, path, query, per_vdom, key_label, metrics"},
		},
		{
			name: "unknown metric key",
			yaml: head + metric(valid+", unit: seconds}"),
			want: []string{"targets.yml:10:", `unknown key "unit" in a custom endpoint metric`,
				"value, labels, scale"},
		},
		{
			name: "metrics not a list",
			yaml: head + "      - name: ep\n        path: system/time\n        metrics: time\n",
			want: []string{"targets.yml:9:", "into a list of metrics"},
		},
		{
			name: "error in defaults is located in defaults",
			yaml: "defaults:\n  username: monitor\n  password_file: password.txt\n" +
				"  custom_endpoints:\n    - name: ep\n      path: system/time\n      metrics:\n" +
				"        - {name: fortigate_time, help: Time., type: gauge}\n" +
				"targets:\n  - {name: fw1, url: fw1}\n",
			want: []string{`targets.yml:8: target "fw1": custom_endpoints[0].metrics[0].value is missing`},
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := fixtureDir(t)
			path := writeFile(t, dir, "targets.yml", tt.yaml)

			cfg, err := Load(path)
			if err == nil {
				t.Fatalf("Load returned no error and %d targets:\n%s", len(cfg.Targets), tt.yaml)
			}
			msg := strings.ReplaceAll(err.Error(), path, "targets.yml")
			for _, want := range tt.want {
				if !strings.Contains(msg, want) {
					t.Errorf("error does not contain %q:\n%s", want, msg)
				}
			}
		})
	}
}

package collector

import (
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestSensorInfoGolden(t *testing.T) {
	for _, release := range []string{"7.0", "7.4"} {
		t.Run(release, func(t *testing.T) { checkGolden(t, "system_sensor_info", release) })
	}
}

func TestSensorInfoQuirks(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		want    string
		wantErr string
	}{
		{
			name: "every type with partial and empty thresholds",
			body: `{"results":[
				{"id":"fan.fan1","name":"FAN1","type":"fan","value":"5400","alarm":false,"thresholds":{"lower_critical":600}},
				{"id":"amperage.psu1","name":"PSU1 Iout","type":"amperage","value":2.5,"alarm":false,"thresholds":{}},
				{"id":"wattage.psu1","name":"PSU1 Pout","type":"wattage","value":30,"alarm":false,"thresholds":[]},
				{"id":"power.ps1_status","name":"PS1 Status","type":"power","value":0,"alarm":true,"thresholds":{"lower_critical":0}},
				{"id":"humidity.h1","type":"humidity","value":41}]}`,
			want: `
				fortigate_sensor_alarm{name="FAN1",type="fan"} 0
				fortigate_sensor_alarm{name="PS1 Status",type="power"} 1
				fortigate_sensor_alarm{name="PSU1 Iout",type="amperage"} 0
				fortigate_sensor_alarm{name="PSU1 Pout",type="wattage"} 0
				fortigate_sensor_current_amperes{name="PSU1 Iout"} 2.5
				fortigate_sensor_fan_rpm{name="FAN1"} 5400
				fortigate_sensor_power_watts{name="PSU1 Pout"} 30
				fortigate_sensor_threshold{name="FAN1",threshold="lower_critical",type="fan"} 600
				fortigate_sensor_threshold{name="PS1 Status",threshold="lower_critical",type="power"} 0
				fortigate_sensor_value{name="PS1 Status",type="power"} 0
				fortigate_sensor_value{name="humidity.h1",type="humidity"} 41
			`,
		},
		{
			name: "no sensors",
			body: `{"results":[]}`,
			want: ``,
		},
		{
			name:    "threshold of the wrong type",
			body:    `{"results":[{"name":"TD1","type":"temperature","thresholds":{"upper_critical":"hot"}}]}`,
			wantErr: `field results[0].thresholds.upper_critical: got string "hot", expected a number`,
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := collectorByName(t, "system_sensor_info")
			api := &fakeAPI{replies: map[string]reply{sensorInfoEndpoint: {body: tt.body}}}
			adapter := &singleCollector{collector: c, target: &Target{Name: "fw", API: api}}

			err := testutil.CollectAndCompare(adapter, strings.NewReader(exposition(c, tt.want)))
			if tt.wantErr != "" {
				if got := adapter.lastErr(); got == nil || !strings.Contains(got.Error(), tt.wantErr) {
					t.Fatalf("Update error = %v, want it to contain %q", got, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := adapter.lastErr(); got != nil {
				t.Fatalf("Update error = %v", got)
			}
		})
	}
}

func TestSensorInfoUnsupported(t *testing.T) { checkUnsupported(t, "system_sensor_info") }

func FuzzParseSensorInfo(f *testing.F) {
	addFixtureSeeds(f, sensorInfoEndpoint)
	f.Add([]byte(`{"results":{"name":"x","type":"fan","value":"1","thresholds":[]}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		_, err := parseSensorInfo(body)
		checkDecodeResult(t, err)
	})
}

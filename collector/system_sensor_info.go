package collector

import (
	"context"

	"github.com/prometheus/client_golang/prometheus"
)

// The system_sensor_info collector reads GET
// /api/v2/monitor/system/sensor-info: one global envelope whose results list
// the hardware sensors with their type, value, alarm and thresholds. Values
// are read as degrees Celsius, RPM and volts. thresholds may be a subset of the
// six IPMI-style names, {} or real zeros. A FortiGate-VM and models without
// sensors reply with HTTP 404, which makes the collector unsupported.

const sensorInfoEndpoint = "system/sensor-info"

type sensorInfoCollector struct {
	// byType maps a sensor type to the metric of its value. Other types, such as
	// power (the state of a power supply), go to value.
	byType    map[string]*metric
	value     *metric
	alarm     *metric
	threshold *metric
}

func newSensorInfoCollector() *sensorInfoCollector {
	const ep = sensorInfoEndpoint
	gauge := prometheus.GaugeValue
	return &sensorInfoCollector{
		byType: map[string]*metric{
			"temperature": newMetric(namespace+"_sensor_temperature_celsius", gauge, "celsius", ep,
				"Temperature the sensor measures.",
				"name"),
			"fan": newMetric(namespace+"_sensor_fan_rpm", gauge, "rpm", ep,
				"Fan speed the sensor measures, in revolutions per minute.",
				"name"),
			"voltage": newMetric(namespace+"_sensor_voltage_volts", gauge, "volts", ep,
				"Voltage the sensor measures.",
				"name"),
			// NOTE: amperage and wattage are read as amperes and watts. The
			// FortiOS 7.6.5 API schema lists the types, but no capture of such a
			// sensor was available to confirm the unit.
			"amperage": newMetric(namespace+"_sensor_current_amperes", gauge, "amperes", ep,
				"Electric current the sensor measures.",
				"name"),
			"wattage": newMetric(namespace+"_sensor_power_watts", gauge, "watts", ep,
				"Electric power the sensor measures.",
				"name"),
		},
		value: newMetric(namespace+"_sensor_value", gauge, "", ep,
			"Value of a sensor of another type, such as power (the state of a power supply), "+
				"as FortiOS reports it.",
			"name", "type"),
		alarm: newMetric(namespace+"_sensor_alarm", gauge, "", ep,
			"Whether the sensor is in alarm (1) or not (0).",
			"name", "type"),
		threshold: newMetric(namespace+"_sensor_threshold", gauge, "", ep,
			"Threshold of the sensor, in the unit of its value (celsius, rpm, volts, ...). "+
				"threshold is the FortiOS name, such as upper_critical or lower_non_recoverable.",
			"name", "type", "threshold"),
	}
}

// sensorTypes lists the types with their own value metric, in METRICS.md order.
var sensorTypes = []string{"temperature", "fan", "voltage", "amperage", "wattage"}

func (c *sensorInfoCollector) metrics() []*metric {
	var out []*metric
	for _, t := range sensorTypes {
		out = append(out, c.byType[t])
	}
	return append(out, c.value, c.alarm, c.threshold)
}

type sensor struct {
	ID         text              `json:"id"`
	Name       text              `json:"name"`
	Type       text              `json:"type"`
	Value      number            `json:"value"`
	Alarm      flag              `json:"alarm"`
	Thresholds nestedMap[number] `json:"thresholds"`
}

// parseSensorInfo decodes a system/sensor-info reply. The endpoint is global,
// so only the first envelope is used.
func parseSensorInfo(body []byte) ([]sensor, error) {
	envelopes, err := decodeEnvelopes(sensorInfoEndpoint, body)
	if err != nil {
		return nil, err
	}
	if len(envelopes) == 0 {
		return nil, nil
	}
	return decodeList[sensor](sensorInfoEndpoint, envelopes[0].Results)
}

func (c *sensorInfoCollector) Update(ctx context.Context, t *Target, ch chan<- prometheus.Metric) error {
	body, err := t.API.Monitor(ctx, sensorInfoEndpoint, nil)
	if err != nil {
		return err
	}

	sensors, err := parseSensorInfo(body)
	if err != nil {
		return err
	}

	out := sink{ch: ch}
	for _, s := range sensors {
		name, sensorType := string(s.Name), string(s.Type)
		if name == "" {
			name = string(s.ID)
		}

		if m, ok := c.byType[sensorType]; ok {
			out.number(m, s.Value, name)
		} else {
			out.number(c.value, s.Value, name, sensorType)
		}
		if s.Alarm.ok {
			out.add(c.alarm, boolValue(s.Alarm.value), name, sensorType)
		}
		for _, th := range s.Thresholds {
			out.number(c.threshold, th.value, name, sensorType, th.key)
		}
	}
	return out.err
}

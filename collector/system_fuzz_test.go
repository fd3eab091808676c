package collector

import (
	"context"
	"errors"
	"net/url"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

// The fuzz tests feed arbitrary bodies to the shared decoders and to each
// system collector. A plain `go test` runs only the seeds: the fixture files of
// every release line and the quirk cases below. Run one with, for example,
// go test ./collector -run '^$' -fuzz FuzzInterfaces -fuzztime 30s.

// quirkSeeds are bodies that every decoder must survive.
var quirkSeeds = []string{
	``,
	`null`,
	`[]`,
	`{}`,
	`[{}]`,
	`{"results":null}`,
	`{"results":[]}`,
	`{"results":{}}`,
	`{"results":"x"}`,
	`{"status":"error","http_status":404}`,
	`[{"status":"success","results":{}},{"status":"error"}]`,
	`<html><head><title>401 Unauthorized</title></head></html>`,
	`{"results":{"cpu":[{"current":"14"}],"mem":{"current":1e400}}}`,
	`{"results":{"wan1":{"speed":"1000.00","rx_bytes":647218993504172381,"link":"1"}}}`,
	"{\"results\":[{\"hostname\":\"\xff\xfe\",\"sessions\":\"NaN\",\"per_vdom_stats\":{\"vdom\":7}}]}",
	`{"results":{"hostname":{"a":1}},"build":[1]}`,
	`[{"vdom":"root","results":[{"name":"x"}]},{"vdom":"dmz","results":{"y":null}}]`,
}

// addSeeds adds the quirk seeds and the fixture files of endpoint for every
// release line to f.
func addSeeds(f *testing.F, endpoint string) {
	for _, seed := range quirkSeeds {
		f.Add([]byte(seed))
	}
	addFixtureSeeds(f, endpoint)
}

// bodyAPI returns the same body for every monitor and CMDB request.
type bodyAPI []byte

func (bodyAPI) Ready(context.Context) error { return nil }

func (b bodyAPI) Monitor(context.Context, string, url.Values) ([]byte, error) { return b, nil }

func (b bodyAPI) CMDB(context.Context, string, url.Values) ([]byte, error) { return b, nil }

// fuzzCollector runs the named collector on body and fails when Update returns
// an error that does not come from decoding, or when a metric it sends is
// invalid. A panic fails the fuzz test by itself.
func fuzzCollector(t *testing.T, name string, body []byte) {
	c := collectorByName(t, name)
	ch := make(chan prometheus.Metric)
	done := make(chan error, 1)
	go func() {
		var firstErr error
		for m := range ch {
			if _, err := seriesKey(m); err != nil && firstErr == nil {
				firstErr = err
			}
		}
		done <- firstErr
	}()

	err := c.Update(context.Background(), &Target{Name: "fuzz", API: bodyAPI(body)}, ch)
	close(ch)
	if metricErr := <-done; metricErr != nil {
		t.Fatalf("collector %s sent an invalid metric: %v", name, metricErr)
	}

	var decodeErr *decodeError
	if err != nil && !errors.As(err, &decodeErr) {
		t.Fatalf("collector %s returned %T, want a *decodeError: %v", name, err, err)
	}
	if decodeErr != nil && decodeErr.endpoint == "" {
		t.Fatalf("decode error names no endpoint: %v", err)
	}
}

func FuzzDecodeEnvelopes(f *testing.F) {
	addSeeds(f, systemStatusEndpoint)
	addSeeds(f, interfaceEndpoint)
	f.Fuzz(func(t *testing.T, body []byte) {
		envelopes, err := decodeEnvelopes("fuzz/endpoint", body)
		if err != nil {
			var decodeErr *decodeError
			if !errors.As(err, &decodeErr) {
				t.Fatalf("error %T is not a *decodeError: %v", err, err)
			}
			return
		}
		for _, env := range envelopes {
			var object struct {
				Name text `json:"name"`
			}
			_ = decodeObject("fuzz/endpoint", env.Results, &object)
			_, _ = decodeList[usageSample]("fuzz/endpoint", env.Results)
			_, _ = decodeMap[interfaceStats]("fuzz/endpoint", env.Results)
		}
	})
}

func FuzzSystemStatus(f *testing.F) {
	addSeeds(f, systemStatusEndpoint)
	f.Fuzz(func(t *testing.T, body []byte) { fuzzCollector(t, "system_status", body) })
}

func FuzzResourceUsage(f *testing.F) {
	addSeeds(f, resourceUsageEndpoint)
	f.Fuzz(func(t *testing.T, body []byte) { fuzzCollector(t, "system_resource_usage", body) })
}

func FuzzInterfaces(f *testing.F) {
	addSeeds(f, interfaceEndpoint)
	f.Fuzz(func(t *testing.T, body []byte) { fuzzCollector(t, "system_interface", body) })
}

func FuzzHAStatistics(f *testing.F) {
	addSeeds(f, haStatisticsEndpoint)
	f.Fuzz(func(t *testing.T, body []byte) { fuzzCollector(t, "system_ha_statistics", body) })
}

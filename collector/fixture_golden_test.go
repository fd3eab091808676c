package collector

import (
	"bytes"
	"context"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/prometheus/common/expfmt"

	"github.com/fortigate-session-exporter/fortigate_session_exporter/fgsession"
	"github.com/fortigate-session-exporter/fortigate_session_exporter/fixtures"
)

// Golden exposition files live in testdata/golden/<collector>-<release line>.prom.
// Run the tests with UPDATE_GOLDEN=1 to rewrite them from the current output,
// then review the diff.
const updateGoldenEnv = "UPDATE_GOLDEN"

// fixtureAPI is an API backed by the simulated FortiGate's Monitor and CMDB
// methods. It serves the fixture files of one release without HTTP or a
// session.
type fixtureAPI struct {
	sim *fixtures.Simulator
}

func (f fixtureAPI) Ready(context.Context) error { return nil }

func (f fixtureAPI) Monitor(ctx context.Context, endpoint string, query url.Values) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	status, body := f.sim.Monitor(endpoint, query)
	return statusToResult("fixture", endpoint, status, body)
}

func (f fixtureAPI) CMDB(ctx context.Context, path string, query url.Values) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	status, body := f.sim.CMDB(path, query)
	return statusToResult("fixture", "cmdb/"+path, status, body)
}

// newFixtureTarget returns a target served by a simulator of release, such as
// "7.4", with the fixture device's VDOMs.
func newFixtureTarget(t *testing.T, release string) *Target {
	t.Helper()
	sim, err := fixtures.New(fixtures.Options{Release: release})
	if err != nil {
		t.Fatalf("start simulator for release %s: %v", release, err)
	}
	t.Cleanup(sim.Close)
	return &Target{Name: "fixture", API: fixtureAPI{sim: sim}}
}

// checkGolden collects the named collector from the fixtures of release and
// compares the exposition with its golden file. It also lints the metrics.
func checkGolden(t *testing.T, name, release string) {
	t.Helper()
	adapter := &singleCollector{
		collector: collectorByName(t, name),
		target:    newFixtureTarget(t, release),
	}
	golden := filepath.Join("testdata", "golden", name+"-"+release+".prom")

	if os.Getenv(updateGoldenEnv) != "" {
		writeGolden(t, adapter, golden)
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("read golden file (create it with %s=1): %v", updateGoldenEnv, err)
	}

	if err := testutil.CollectAndCompare(adapter, bytes.NewReader(want)); err != nil {
		t.Errorf("exposition differs from %s: %v", golden, err)
	}
	if err := adapter.lastErr(); err != nil {
		t.Fatalf("Update error = %v", err)
	}
	if problems, err := testutil.CollectAndLint(adapter); err != nil {
		t.Fatalf("lint: %v", err)
	} else {
		for _, p := range problems {
			t.Errorf("lint: %s: %s", p.Metric, p.Text)
		}
	}
}

func writeGolden(t *testing.T, c prometheus.Collector, path string) {
	t.Helper()
	registry := prometheus.NewPedanticRegistry()
	registry.MustRegister(c)
	families, err := registry.Gather()
	if err != nil {
		t.Fatalf("gather: %v", err)
	}

	var b strings.Builder
	encoder := expfmt.NewEncoder(&b, expfmt.NewFormat(expfmt.TypeTextPlain))
	for _, mf := range families {
		if err := encoder.Encode(mf); err != nil {
			t.Fatalf("encode %s: %v", mf.GetName(), err)
		}
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// checkUnsupported checks that a 404 and a 424 reply to every request of the
// named collector make Update return an error that the core counts as
// unsupported.
func checkUnsupported(t *testing.T, name string) {
	t.Helper()
	c := collectorByName(t, name)
	for _, status := range []int{404, 424} {
		replies := map[string]reply{}
		for _, m := range c.metrics() {
			replies[m.endpoint] = reply{status: status, body: `{"status":"error"}`}
		}
		adapter := &singleCollector{
			collector: c,
			target:    &Target{Name: "fw", API: &fakeAPI{replies: replies}},
		}
		if n := testutil.CollectAndCount(adapter); n != 0 {
			t.Errorf("status %d: collected %d metrics, want none", status, n)
		}
		err := adapter.lastErr()
		var apiErr *fgsession.APIError
		if !errors.As(err, &apiErr) || !fgsession.IsUnsupported(err) {
			t.Errorf("status %d: Update error = %v, want an unsupported *fgsession.APIError", status, err)
		}
	}
}

// checkDecodeResult fails a fuzz run when a decoder returned an error that is
// not a *decodeError, because every reply that does not fit must name the
// endpoint and the field.
func checkDecodeResult(t *testing.T, err error) {
	t.Helper()
	var decodeErr *decodeError
	if err != nil && !errors.As(err, &decodeErr) {
		t.Fatalf("error %v (%T) is not a *decodeError", err, err)
	}
}

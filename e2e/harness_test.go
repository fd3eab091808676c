// Package e2e runs the built exporter and simulator binaries against real
// redis-server processes, as an operator would deploy them.
package e2e

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

var (
	exporterBin string
	simBin      string
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "fgse-e2e-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	exporterBin = filepath.Join(dir, "fortigate_session_exporter")
	simBin = filepath.Join(dir, "fortigate-sim")
	for bin, pkg := range map[string]string{exporterBin: "..", simBin: "../cmd/fortigate-sim"} {
		cmd := exec.Command("go", "build", "-o", bin, pkg)
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			fmt.Fprintf(os.Stderr, "building %s: %v\n", pkg, err)
			os.RemoveAll(dir)
			os.Exit(1)
		}
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// process is a started binary whose combined output is kept for assertions.
type process struct {
	name string
	cmd  *exec.Cmd
	mu   sync.Mutex
	out  bytes.Buffer
	done chan struct{}
}

func (p *process) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.Write(b)
}

// Output returns everything the process printed so far.
func (p *process) Output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.String()
}

func startProcess(t testing.TB, name, bin string, args, env []string) *process {
	t.Helper()
	p := &process{name: name, done: make(chan struct{})}
	p.cmd = exec.Command(bin, args...)
	p.cmd.Env = append(os.Environ(), env...)
	p.cmd.Stdout, p.cmd.Stderr = p, p
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", name, err)
	}
	go func() {
		p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		exited := ""
		select {
		case <-p.done:
			// A crash, a Kill call or a failed start ended it.
			exited = " (" + p.cmd.ProcessState.String() + " before cleanup)"
		default:
		}
		p.Stop()
		if t.Failed() {
			t.Logf("output of %s%s:\n%s", name, exited, lastLines(p.Output(), 40))
		}
	})
	return p
}

// Stop ends the process with SIGTERM, then SIGKILL after 5 s.
func (p *process) Stop() {
	select {
	case <-p.done:
		return
	default:
	}
	p.cmd.Process.Signal(os.Interrupt)
	select {
	case <-p.done:
	case <-time.After(5 * time.Second):
		p.cmd.Process.Kill()
		<-p.done
	}
}

// Kill ends the process with SIGKILL.
func (p *process) Kill() {
	p.cmd.Process.Kill()
	<-p.done
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// waitHTTP polls url until it returns 200 or the timeout passes.
func waitHTTP(t testing.TB, client *http.Client, url string, p *process) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-p.done:
			t.Fatalf("%s exited before it served %s:\n%s", p.name, url, lastLines(p.Output(), 30))
		default:
		}
		resp, err := client.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s did not answer %s within 15s:\n%s", p.name, url, lastLines(p.Output(), 30))
}

// sim is a running fortigate-sim binary.
type sim struct {
	*process
	URL      string
	CAFile   string
	Password string
	client   *http.Client
}

// startSim starts the simulator with the password "sim-secret-Pa55" unless
// args set another --password-file.
func startSim(t testing.TB, args ...string) *sim {
	t.Helper()
	dir := t.TempDir()
	password := "sim-secret-Pa55-" + strconv.Itoa(freePort(t))
	pwFile := filepath.Join(dir, "password")
	if err := os.WriteFile(pwFile, []byte(password+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	caFile := filepath.Join(dir, "sim-ca.pem")
	addr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	all := append([]string{"--web.listen-address=" + addr, "--username=admin",
		"--password-file=" + pwFile, "--tls.write-ca-file=" + caFile}, args...)
	p := startProcess(t, "fortigate-sim", simBin, all, nil)
	s := &sim{process: p, URL: "https://" + addr, CAFile: caFile, Password: password,
		client: &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
			TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}}
	waitHTTP(t, s.client, s.URL+"/sim/stats", p)
	return s
}

// simStats is the JSON of GET /sim/stats.
type simStats struct {
	Logins             int `json:"logins"`
	FailedLogins       int `json:"failed_logins"`
	Lockouts           int `json:"lockouts"`
	ActiveSessions     int `json:"active_sessions"`
	PeakSessions       int `json:"peak_sessions"`
	Logouts            int `json:"logouts"`
	ExpiredSessions    int `json:"expired_sessions"`
	SourceIPViolations int `json:"source_ip_violations"`
	Unauthorized       int `json:"unauthorized"`
	// Requests counts every request outside /sim/, counted before any fault
	// delays it.
	Requests int `json:"requests"`
}

func (s *sim) Stats(t testing.TB) simStats {
	t.Helper()
	resp, err := s.client.Get(s.URL + "/sim/stats")
	if err != nil {
		t.Fatalf("GET /sim/stats: %v", err)
	}
	defer resp.Body.Close()
	var st simStats
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		t.Fatalf("decoding /sim/stats: %v", err)
	}
	return st
}

func (s *sim) ExpireSessions(t testing.TB) {
	t.Helper()
	resp, err := s.client.Post(s.URL+"/sim/expire-sessions", "", nil)
	if err != nil {
		t.Fatalf("POST /sim/expire-sessions: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		t.Fatalf("POST /sim/expire-sessions: HTTP %d", resp.StatusCode)
	}
}

// SetFaults replaces the simulator's faults (PUT /sim/faults). Keys are as in
// --fault: a monitor endpoint, a URL path or "*". Values are JSON faults such
// as {"delay": "30s"}.
func (s *sim) SetFaults(t testing.TB, faults map[string]any) {
	t.Helper()
	body, err := json.Marshal(faults)
	if err != nil {
		t.Fatal(err)
	}
	s.hook(t, http.MethodPut, "/sim/faults", body)
}

// ClearFaults removes every fault of the simulator (DELETE /sim/faults).
func (s *sim) ClearFaults(t testing.TB) {
	t.Helper()
	s.hook(t, http.MethodDelete, "/sim/faults", nil)
}

func (s *sim) hook(t testing.TB, method, path string, body []byte) {
	t.Helper()
	req, err := http.NewRequest(method, s.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		msg, _ := io.ReadAll(resp.Body)
		t.Fatalf("%s %s: HTTP %d: %s", method, path, resp.StatusCode, msg)
	}
}

// exporter is a running exporter binary.
type exporter struct {
	*process
	URL string
}

func startExporter(t testing.TB, name string, args, env []string) *exporter {
	t.Helper()
	e := launchExporter(t, name, args, env)
	waitHTTP(t, http.DefaultClient, e.URL+"/-/healthy", e.process)
	return e
}

// launchExporter starts an exporter without waiting until it serves HTTP.
func launchExporter(t testing.TB, name string, args, env []string) *exporter {
	t.Helper()
	addr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	all := append([]string{"--web.listen-address=" + addr, "--log.level=debug"}, args...)
	p := startProcess(t, name, exporterBin, all, env)
	return &exporter{process: p, URL: "http://" + addr}
}

// startExporters launches n exporters named exporter-0 to exporter-<n-1>
// one right after the other, without waiting for any of them, and returns
// once every one serves /-/healthy.
func startExporters(t testing.TB, n int, args []string) []*exporter {
	t.Helper()
	exporters := make([]*exporter, n)
	for i := range exporters {
		exporters[i] = launchExporter(t, fmt.Sprintf("exporter-%d", i), args, nil)
	}
	for _, e := range exporters {
		waitHTTP(t, http.DefaultClient, e.URL+"/-/healthy", e.process)
	}
	return exporters
}

// writeTargets writes a targets file with one target "fw" on s and returns
// its path. extra is appended to the target's YAML mapping.
func writeTargets(t testing.TB, s *sim, extra string) string {
	t.Helper()
	return writeTargetsWithPassword(t, s, s.Password, extra)
}

// writeTargetsWithPassword is writeTargets with another admin password than
// the simulator's.
func writeTargetsWithPassword(t testing.TB, s *sim, password, extra string) string {
	t.Helper()
	dir := t.TempDir()
	pwFile := filepath.Join(dir, "fw-password")
	if err := os.WriteFile(pwFile, []byte(password+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	yml := fmt.Sprintf(`targets:
  - name: fw
    url: %s
    username: admin
    password_file: %s
    tls:
      ca_file: %s
%s`, s.URL, pwFile, s.CAFile, extra)
	path := filepath.Join(dir, "targets.yml")
	if err := os.WriteFile(path, []byte(yml), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// scrape fetches path from e with a Prometheus scrape timeout of 10 s and
// returns the body and the parsed families.
func scrape(ctx context.Context, e *exporter, path string) (string, map[string]*familyValues, error) {
	return scrapeWithTimeout(ctx, e, path, 10*time.Second)
}

// scrapeWithTimeout is scrape with timeout in X-Prometheus-Scrape-Timeout-Seconds.
func scrapeWithTimeout(ctx context.Context, e *exporter, path string, timeout time.Duration) (
	string, map[string]*familyValues, error,
) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, e.URL+path, nil)
	if err != nil {
		return "", nil, err
	}
	req.Header.Set("X-Prometheus-Scrape-Timeout-Seconds", strconv.FormatFloat(timeout.Seconds(), 'f', -1, 64))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return string(body), nil, fmt.Errorf("GET %s: HTTP %d: %s", path, resp.StatusCode, body)
	}
	families, err := parseFamilies(string(body))
	return string(body), families, err
}

// familyValues maps a series' label string to its value.
type familyValues struct {
	values map[string]float64
}

func parseFamilies(text string) (map[string]*familyValues, error) {
	parser := expfmt.NewTextParser(model.UTF8Validation)
	mfs, err := parser.TextToMetricFamilies(bufio.NewReader(strings.NewReader(text)))
	if err != nil {
		return nil, err
	}
	out := map[string]*familyValues{}
	for name, mf := range mfs {
		fv := &familyValues{values: map[string]float64{}}
		for _, m := range mf.GetMetric() {
			var labels []string
			for _, l := range m.GetLabel() {
				labels = append(labels, l.GetName()+"="+l.GetValue())
			}
			var v float64
			switch {
			case m.Gauge != nil:
				v = m.GetGauge().GetValue()
			case m.Counter != nil:
				v = m.GetCounter().GetValue()
			case m.Untyped != nil:
				v = m.GetUntyped().GetValue()
			case m.Histogram != nil:
				v = float64(m.GetHistogram().GetSampleCount())
			}
			fv.values[strings.Join(labels, ",")] = v
		}
		out[name] = fv
	}
	return out, nil
}

// value returns the value of the series of name with exactly labels
// ("" for none), and whether it exists.
func value(families map[string]*familyValues, name, labels string) (float64, bool) {
	fv, ok := families[name]
	if !ok {
		return 0, false
	}
	v, ok := fv.values[labels]
	return v, ok
}

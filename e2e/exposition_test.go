package e2e

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/fortigate-session-exporter/fortigate_session_exporter/internal/testredis"
)

// promtoolPath returns promtool, failing in CI and skipping elsewhere when it
// is not installed.
func promtoolPath(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("promtool")
	if err == nil {
		return path
	}
	msg := "promtool is not installed; install it with: apt-get install -y prometheus"
	if os.Getenv("CI") != "" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

func promtoolCheck(t *testing.T, promtool, what, text string) {
	t.Helper()
	cmd := exec.Command(promtool, "check", "metrics")
	cmd.Stdin = strings.NewReader(text)
	out, err := cmd.CombinedOutput()
	if err != nil || len(strings.TrimSpace(string(out))) > 0 {
		t.Errorf("promtool check metrics on %s: %v\n%s", what, err, out)
	}
}

func TestPromtoolCheckMetrics(t *testing.T) {
	promtool := promtoolPath(t)
	redis := testredis.Start(t)
	s := startSim(t)
	targets := writeTargets(t, s, "")
	e := startExporter(t, "exporter", []string{"--config.file=" + targets, "--redis.addr=" + redis.Addr()}, nil)

	probe, families, err := scrape(context.Background(), e, "/probe?target=fw")
	if err != nil {
		t.Fatal(err)
	}
	if up, _ := value(families, "fortigate_up", ""); up != 1 {
		t.Fatalf("fortigate_up = %v, want 1", up)
	}
	promtoolCheck(t, promtool, "/probe", probe)

	metrics, families, err := scrape(context.Background(), e, "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := value(families, "fortigate_redis_up", ""); !ok || v != 1 {
		t.Errorf("fortigate_redis_up = %v (present %v), want 1", v, ok)
	}
	if v, ok := value(families, "fortigate_session_logins_total", "target=fw"); !ok || v != 1 {
		t.Errorf("fortigate_session_logins_total{target=fw} = %v (present %v), want 1", v, ok)
	}
	promtoolCheck(t, promtool, "/metrics", metrics)
}

package config

import (
	"errors"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

const validTargets = `
targets:
  - {name: fw1, url: fw1.example.com, username: monitor, password_file: password.txt}
`

// newTestHolder returns a Holder whose clock is fixed at 1700000000 s.
func newTestHolder(opts HolderOptions) *Holder {
	h := NewHolder(opts)
	h.now = func() time.Time { return time.Unix(1_700_000_000, 500_000_000) }
	return h
}

func assertReloadMetrics(t *testing.T, h *Holder, successful int, timestamp string, failures int) {
	t.Helper()
	want := `
# HELP fortigate_config_last_reload_success_timestamp_seconds Unix time of the last successful config reload.
# TYPE fortigate_config_last_reload_success_timestamp_seconds gauge
fortigate_config_last_reload_success_timestamp_seconds ` + timestamp + `
# HELP fortigate_config_last_reload_successful Whether the last config reload succeeded (1) or failed (0).
# TYPE fortigate_config_last_reload_successful gauge
fortigate_config_last_reload_successful ` + strconv.Itoa(successful) + `
# HELP fortigate_config_reload_failures_total Number of config reloads that failed and kept the previous config.
# TYPE fortigate_config_reload_failures_total counter
fortigate_config_reload_failures_total ` + strconv.Itoa(failures) + `
`
	if err := testutil.CollectAndCompare(h, strings.NewReader(want)); err != nil {
		t.Error(err)
	}
}

func TestHolderReload(t *testing.T) {
	dir := fixtureDir(t)
	path := writeFile(t, dir, "targets.yml", validTargets)
	h := newTestHolder(HolderOptions{File: path})

	if h.Config() != nil {
		t.Fatal("Config is not nil before the first reload")
	}
	assertReloadMetrics(t, h, 0, "0", 0)

	if err := h.Reload(); err != nil {
		t.Fatalf("first Reload: %v", err)
	}
	first := h.Config()
	if first == nil || first.Target("fw1") == nil {
		t.Fatalf("config after reload = %+v, want target fw1", first)
	}
	assertReloadMetrics(t, h, 1, "1.7000000005e+09", 0)

	writeFile(t, dir, "targets.yml", validTargets+"unknown_key: 1\n")
	err := h.Reload()
	if err == nil {
		t.Fatal("Reload of a broken file returned no error")
	}
	if !strings.Contains(err.Error(), `unknown key "unknown_key"`) {
		t.Errorf("reload error does not name the unknown key: %v", err)
	}
	if h.Config() != first {
		t.Errorf("failed reload replaced the config")
	}
	assertReloadMetrics(t, h, 0, "1.7000000005e+09", 1)

	writeFile(t, dir, "targets.yml", validTargets+
		"  - {name: fw2, url: fw2.example.com, token_file: token.txt}\n")
	h.now = func() time.Time { return time.Unix(1_700_000_060, 0) }
	if err := h.Reload(); err != nil {
		t.Fatalf("Reload of the fixed file: %v", err)
	}
	if h.Config().Target("fw2") == nil {
		t.Errorf("fixed file's target fw2 not loaded")
	}
	assertReloadMetrics(t, h, 1, "1.70000006e+09", 1)
}

func TestHolderReloadRereadsSecrets(t *testing.T) {
	dir := fixtureDir(t)
	path := writeFile(t, dir, "targets.yml", validTargets)
	h := newTestHolder(HolderOptions{File: path})
	if err := h.Reload(); err != nil {
		t.Fatalf("Reload: %v", err)
	}

	writeFile(t, dir, "password.txt", "rotated\n")
	if err := h.Reload(); err != nil {
		t.Fatalf("Reload: %v", err)
	}
	if got := h.Config().Target("fw1").Password.Reveal(); got != "rotated" {
		t.Errorf("password after reload = %q, want the rotated file content", got)
	}
}

func TestHolderValidateHook(t *testing.T) {
	dir := fixtureDir(t)
	path := writeFile(t, dir, "targets.yml", validTargets)
	reject := false
	h := newTestHolder(HolderOptions{
		File: path,
		Validate: func(cfg *Config) error {
			if reject {
				return errors.New(`target "fw1": unknown collector "hw"`)
			}
			return nil
		},
	})
	if err := h.Reload(); err != nil {
		t.Fatalf("Reload: %v", err)
	}
	first := h.Config()

	reject = true
	err := h.Reload()
	if err == nil || !strings.Contains(err.Error(), `unknown collector "hw"`) {
		t.Fatalf("Reload error = %v, want the validate hook's error", err)
	}
	if h.Config() != first {
		t.Errorf("rejected config replaced the current one")
	}
	if got := testutil.ToFloat64(h.failures); got != 1 {
		t.Errorf("failures = %v, want 1", got)
	}
}

func TestHolderEnvTarget(t *testing.T) {
	dir := fixtureDir(t)
	env := &Env{Host: "fw0.example.com", Username: "monitor", Password: testPassword,
		SecretPasswordFile: filepath.Join(dir, "no-such-secret")}

	t.Run("env only", func(t *testing.T) {
		h := newTestHolder(HolderOptions{Env: env})
		if err := h.Reload(); err != nil {
			t.Fatalf("Reload: %v", err)
		}
		if got := len(h.Config().Targets); got != 1 {
			t.Errorf("got %d targets, want 1", got)
		}
	})

	t.Run("env and file", func(t *testing.T) {
		path := writeFile(t, dir, "targets.yml", validTargets)
		h := newTestHolder(HolderOptions{File: path, Env: env})
		if err := h.Reload(); err != nil {
			t.Fatalf("Reload: %v", err)
		}
		cfg := h.Config()
		if cfg.Target(DefaultTargetName) == nil || cfg.Target("fw1") == nil {
			t.Errorf("merged config lacks default or fw1: %+v", cfg)
		}
		if cfg.Targets[0].Name != DefaultTargetName {
			t.Errorf("first target = %q, want the environment target first", cfg.Targets[0].Name)
		}
	})

	t.Run("name clash", func(t *testing.T) {
		path := writeFile(t, dir, "clash.yml", `
targets:
  - {name: default, url: fw1.example.com, username: monitor, password_file: password.txt}
`)
		h := newTestHolder(HolderOptions{File: path, Env: env})
		err := h.Reload()
		if err == nil {
			t.Fatal("Reload returned no error for two targets named default")
		}
		for _, want := range []string{`target name "default"`, "FORTIGATE_HOST"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error does not contain %q: %v", want, err)
			}
		}
	})

	t.Run("env error", func(t *testing.T) {
		broken := *env
		broken.Host = "ftp://fw0"
		h := newTestHolder(HolderOptions{Env: &broken})
		if err := h.Reload(); err == nil || !strings.Contains(err.Error(), "FORTIGATE_HOST") {
			t.Errorf("Reload error = %v, want one naming FORTIGATE_HOST", err)
		}
	})
}

func TestHolderNoTargets(t *testing.T) {
	h := newTestHolder(HolderOptions{Env: &Env{}})
	err := h.Reload()
	if err == nil {
		t.Fatal("Reload returned no error without any target")
	}
	if !strings.Contains(err.Error(), "no targets configured") {
		t.Errorf("error = %v", err)
	}
}

func TestHolderConcurrentReload(t *testing.T) {
	dir := fixtureDir(t)
	path := writeFile(t, dir, "targets.yml", validTargets)
	h := newTestHolder(HolderOptions{File: path})
	if err := h.Reload(); err != nil {
		t.Fatalf("Reload: %v", err)
	}

	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 20 {
				if err := h.Reload(); err != nil {
					t.Errorf("Reload: %v", err)
					return
				}
			}
		})
		wg.Go(func() {
			for range 200 {
				if h.Config().Target("fw1") == nil {
					t.Error("Config lost target fw1 during reloads")
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestHolderRegister(t *testing.T) {
	h := NewHolder(HolderOptions{})
	reg := prometheus.NewPedanticRegistry()
	if err := reg.Register(h); err != nil {
		t.Fatalf("Register: %v", err)
	}
	if got := testutil.CollectAndCount(h); got != 3 {
		t.Errorf("got %d metrics, want 3", got)
	}
	problems, err := testutil.GatherAndLint(reg)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("lint: %s: %s", p.Metric, p.Text)
	}
}

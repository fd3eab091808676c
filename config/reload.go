package config

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// HolderOptions are the sources and checks of a Holder's config.
type HolderOptions struct {
	// File is the targets file. Empty means no file.
	File string
	// Env, when not nil, adds the "default" target from environment variables.
	// It is rebuilt on every reload, so a changed password file is read again.
	Env *Env
	// Validate, when not nil, checks a loaded config before it replaces the
	// current one, for rules this package does not know, such as collector
	// names. An error fails the reload.
	Validate func(*Config) error
}

// Holder contains the current config and replaces it on Reload. It is a
// prometheus.Collector of the reload metrics. All methods are safe for
// concurrent use.
type Holder struct {
	opts HolderOptions
	now  func() time.Time

	// reloadMu serialises reloads, so a SIGHUP and a POST /-/reload that
	// overlap cannot store an older file's config last.
	reloadMu sync.Mutex
	current  atomic.Pointer[Config]

	lastSuccessful  prometheus.Gauge
	lastSuccessTime prometheus.Gauge
	failures        prometheus.Counter
}

// NewHolder returns a Holder with no config. Call Reload to load the first one.
func NewHolder(opts HolderOptions) *Holder {
	return &Holder{
		opts: opts,
		now:  time.Now,
		lastSuccessful: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "fortigate_config_last_reload_successful",
			Help: "Whether the last config reload succeeded (1) or failed (0).",
		}),
		lastSuccessTime: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "fortigate_config_last_reload_success_timestamp_seconds",
			Help: "Unix time of the last successful config reload.",
		}),
		failures: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "fortigate_config_reload_failures_total",
			Help: "Number of config reloads that failed and kept the previous config.",
		}),
	}
}

// Config returns the current config, or nil before the first successful Reload.
// The caller must not modify it.
func (h *Holder) Config() *Config { return h.current.Load() }

// Reload loads the targets file and the environment target, merges them,
// runs the validate hook and makes the result current. On error the current
// config stays, the failure is counted and the error is returned for the
// caller to log.
func (h *Holder) Reload() error {
	h.reloadMu.Lock()
	defer h.reloadMu.Unlock()

	cfg, err := h.load()
	if err != nil {
		h.failures.Inc()
		h.lastSuccessful.Set(0)
		return err
	}

	h.current.Store(cfg)
	h.lastSuccessful.Set(1)
	h.lastSuccessTime.Set(float64(h.now().UnixNano()) / 1e9)
	return nil
}

func (h *Holder) load() (*Config, error) {
	fileConfig := &Config{}
	if h.opts.File != "" {
		var err error
		fileConfig, err = Load(h.opts.File)
		if err != nil {
			return nil, err
		}
	}

	var envTarget *Target
	if h.opts.Env != nil {
		var err error
		envTarget, err = h.opts.Env.Target()
		if err != nil {
			return nil, err
		}
	}

	cfg, err := Merge(fileConfig, envTarget)
	if err != nil {
		return nil, err
	}
	if len(cfg.Targets) == 0 {
		return nil, errors.New("no targets configured: set --config.file or " + EnvHost)
	}

	if h.opts.Validate != nil {
		if err := h.opts.Validate(cfg); err != nil {
			return nil, err
		}
	}
	return cfg, nil
}

// Merge returns a config with envTarget first and the targets of file after
// it. A nil envTarget returns a copy of file. A file target named "default"
// clashes with the environment target and is an error.
func Merge(file *Config, envTarget *Target) (*Config, error) {
	merged := &Config{Targets: make([]Target, 0, len(file.Targets)+1)}
	if envTarget != nil {
		if file.Target(envTarget.Name) != nil {
			return nil, fmt.Errorf("target name %q is used by both the targets file and %s: "+
				"rename the target in the file, or unset %s", envTarget.Name, EnvHost, EnvHost)
		}
		merged.Targets = append(merged.Targets, *envTarget)
	}
	merged.Targets = append(merged.Targets, file.Targets...)
	return merged, nil
}

// Describe implements prometheus.Collector.
func (h *Holder) Describe(ch chan<- *prometheus.Desc) {
	h.lastSuccessful.Describe(ch)
	h.lastSuccessTime.Describe(ch)
	h.failures.Describe(ch)
}

// Collect implements prometheus.Collector.
func (h *Holder) Collect(ch chan<- prometheus.Metric) {
	h.lastSuccessful.Collect(ch)
	h.lastSuccessTime.Collect(ch)
	h.failures.Collect(ch)
}

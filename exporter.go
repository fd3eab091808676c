package main

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/fortigate-session-exporter/fortigate_session_exporter/collector"
	"github.com/fortigate-session-exporter/fortigate_session_exporter/config"
	"github.com/fortigate-session-exporter/fortigate_session_exporter/fgsession"
)

// exporter wires the config, the session manager and the collectors together
// and serves the HTTP endpoints.
type exporter struct {
	flags   *cliFlags
	logger  *slog.Logger
	holder  *config.Holder
	manager *fgsession.Manager
	store   fgsession.Store
	redis   bool
	reg     *prometheus.Registry
	// collectorMetrics counts dropped duplicate series and collector failures.
	collectorMetrics *collector.ExporterMetrics

	reloadMu sync.Mutex
	targets  atomic.Pointer[targetSet]
}

// targetSet is the scrape state built from one config: per target its
// session-layer target, its collector selection and its API client.
type targetSet struct {
	byName map[string]*scrapeTarget
	order  []string
}

type scrapeTarget struct {
	cfg        *config.Target
	session    *fgsession.Target
	collectors []string
	api        *fgsession.Client
	custom     []*collector.CustomEndpoint
	policies   *collector.PolicyFilter
}

func newExporter(f *cliFlags, logger *slog.Logger) (*exporter, error) {
	if f.password != "" {
		f.env.Password = config.Secret(f.password)
	}
	if f.token != "" {
		f.env.Token = config.Secret(f.token)
	}
	if f.sessionTTL != 0 && f.sessionTTL < config.MinSessionTTL {
		return nil, fmt.Errorf("--session.ttl %s is below the minimum of %s: use a longer lifetime such as 30m",
			f.sessionTTL, config.MinSessionTTL)
	}
	ex := &exporter{flags: f, logger: logger}

	var env *config.Env
	if f.env.Host != "" || f.configFile == "" {
		env = &f.env
	}
	ex.holder = config.NewHolder(config.HolderOptions{
		File:     f.configFile,
		Env:      env,
		Validate: validateConfig,
	})
	if err := ex.holder.Reload(); err != nil {
		return nil, err
	}

	store, storeMetrics, err := newStore(f, logger)
	if err != nil {
		return nil, err
	}
	ex.store = store
	ex.redis = store != nil
	replica := f.replicaID
	if replica == "" {
		host, _ := os.Hostname()
		replica = fmt.Sprintf("%s-%d", host, os.Getpid())
	}
	ex.manager = fgsession.NewManager(fgsession.ManagerOptions{
		Store:           store,
		ReplicaID:       replica,
		Fallback:        f.redisFallback,
		LockTTL:         f.lockTTL,
		LoginBackoff:    f.loginBackoff,
		LoginBackoffMax: f.loginBackoffMax,
		LogoutGrace:     f.logoutGrace,
		StoreTimeout:    f.redisTimeout,
		Logger:          logger.With("component", "session"),
	})
	if err := ex.applyConfig(ex.holder.Config()); err != nil {
		return nil, err
	}
	if ex.redis {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		err := ex.manager.CheckStore(ctx)
		cancel()
		// An unreachable Redis may come back, but rejected credentials are a
		// configuration error: falling back would make every replica log in.
		if err != nil && isRedisAuthError(err) {
			store.Close()
			return nil, fmt.Errorf("redis rejected the exporter's credentials: %w: check --redis.username, "+
				"REDIS_PASSWORD or REDIS_PASSWORD_FILE and the ACL rule", err)
		}
		if err != nil {
			logger.Warn("redis is unreachable at start-up; scrapes use the fallback until Redis responds",
				"fallback", f.redisFallback, "err", err)
		}
	}

	ex.reg = newRegistry(ex.manager, ex.holder, storeMetrics,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	ex.collectorMetrics = collector.NewExporterMetrics(ex.reg)
	logger.Info("configured", "targets", len(ex.targets.Load().order), "replica", replica,
		"session_store", map[bool]string{true: "redis", false: "memory"}[ex.redis])
	return ex, nil
}

// validateConfig checks what the config package cannot: collector names and
// custom metric names that clash with built-in ones.
func validateConfig(c *config.Config) error {
	for i := range c.Targets {
		t := &c.Targets[i]
		if _, err := collector.Select(t.Collectors.Include, t.Collectors.Exclude); err != nil {
			return fmt.Errorf("target %q: collectors: %w", t.Name, err)
		}
		if _, err := customEndpoints(t); err != nil {
			return err
		}
	}
	return nil
}

// applyConfig builds the scrape state of cfg and makes it current.
func (ex *exporter) applyConfig(cfg *config.Config) error {
	set := &targetSet{byName: map[string]*scrapeTarget{}}
	for i := range cfg.Targets {
		ct := &cfg.Targets[i]
		st, err := ex.buildTarget(ct)
		if err != nil {
			return err
		}
		set.byName[ct.Name] = st
		set.order = append(set.order, ct.Name)
	}
	keep := map[string]bool{}
	for _, name := range set.order {
		ex.manager.AddTarget(set.byName[name].session)
		keep[name] = true
	}
	ex.manager.RemoveTargetsExcept(keep)
	ex.targets.Store(set)
	return nil
}

func (ex *exporter) buildTarget(ct *config.Target) (*scrapeTarget, error) {
	tlsConfig, err := ct.TLSConfig()
	if err != nil {
		return nil, err
	}
	names, err := collector.Select(ct.Collectors.Include, ct.Collectors.Exclude)
	if err != nil {
		return nil, fmt.Errorf("target %q: collectors: %w", ct.Name, err)
	}
	dialer := &net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second, LocalAddr: ct.LocalAddr()}
	transport := &http.Transport{
		DialContext:           dialer.DialContext,
		TLSClientConfig:       tlsConfig,
		TLSHandshakeTimeout:   5 * time.Second,
		MaxIdleConnsPerHost:   max(ct.MaxParallel, 1),
		MaxConnsPerHost:       max(ct.MaxParallel, 1) + 2,
		IdleConnTimeout:       90 * time.Second,
		ResponseHeaderTimeout: 60 * time.Second,
	}
	httpClient := &http.Client{
		Transport: transport,
		// FortiOS redirects to its login page, and a redirect is a response
		// to report, not one to follow.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	ttl := ct.SessionTTL
	// NOTE: the config package fills in 30m for a target without session_ttl,
	// so --session.ttl can only replace that default value, not tell an
	// explicit "30m" apart from an absent one.
	if ex.flags.sessionTTL > 0 && ttl == config.DefaultSessionTTL {
		ttl = ex.flags.sessionTTL
	}
	method := string(ct.LoginMethod)
	st := &fgsession.Target{
		Name:         ct.Name,
		BaseURL:      ct.URL,
		Username:     ct.Username,
		Password:     ct.Password.Reveal(),
		Token:        ct.Token.Reveal(),
		LoginMethod:  method,
		SessionGroup: ct.SessionGroup,
		TTL:          ttl,
		HTTPClient:   httpClient,
	}

	custom, err := customEndpoints(ct)
	if err != nil {
		return nil, err
	}
	return &scrapeTarget{
		cfg: ct, session: st, collectors: names, api: ex.manager.Client(st), custom: custom,
		policies: policyFilter(ct.PolicyFilter),
	}, nil
}

// reload loads the targets file again; a failure keeps the running config.
func (ex *exporter) reload(trigger string) error {
	ex.reloadMu.Lock()
	defer ex.reloadMu.Unlock()
	if err := ex.holder.Reload(); err != nil {
		ex.logger.Error("config reload failed; keeping the running config", "trigger", trigger, "err", err)
		return err
	}
	if err := ex.applyConfig(ex.holder.Config()); err != nil {
		ex.logger.Error("config reload failed; keeping the running config", "trigger", trigger, "err", err)
		return err
	}
	ex.logger.Info("config reloaded", "trigger", trigger, "targets", len(ex.targets.Load().order))
	return nil
}

func (ex *exporter) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ex.manager.Close(ctx)
	if ex.store != nil {
		ex.store.Close()
	}
}

// lookup finds a configured target for /probe.
func (ex *exporter) lookup(name string) (*collector.Target, []string, bool) {
	st, ok := ex.targets.Load().byName[name]
	if !ok {
		return nil, nil, false
	}
	return &collector.Target{Name: name, API: st.api, VDOMs: st.cfg.VDOMs,
		MaxParallel: st.cfg.MaxParallel, Timeout: st.cfg.Timeout, Custom: st.custom,
		Policies: st.policies,
	}, st.collectors, true
}

func (ex *exporter) routes() http.Handler {
	mux := http.NewServeMux()
	probeOpts := collector.ProbeOptions{
		TimeoutOffset:    ex.flags.scrapeTimeoutOffset,
		DefaultTimeout:   ex.flags.scrapeDefaultTimeout,
		CollectorTimeout: ex.flags.scrapeCollectorTimeout,
		Metrics:          ex.collectorMetrics,
	}
	mux.Handle("/probe", collector.ProbeHandler(ex.lookup, probeOpts, ex.logger))
	mux.Handle("/metrics", collector.MetricsHandler(ex.reg, ex.lookup, probeOpts, ex.logger))
	mux.HandleFunc("/session", ex.serveSession)
	mux.HandleFunc("/-/healthy", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "Healthy.")
	})
	mux.HandleFunc("/-/ready", ex.serveReady)
	mux.HandleFunc("/-/reload", ex.serveReload)
	mux.HandleFunc("/", ex.serveLanding)
	return mux
}

func (ex *exporter) serveSession(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("target")
	set := ex.targets.Load()
	if name == "" && len(set.order) == 1 {
		name = set.order[0]
	}
	st, ok := set.byName[name]
	if !ok {
		if len(name) > 64 {
			name = name[:64] + "..."
		}
		http.Error(w, fmt.Sprintf("unknown target %q: pass ?target=NAME with one of: %s",
			name, strings.Join(set.order, ", ")), http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(ex.manager.Info(st.session))
}

type readiness struct {
	Ready  bool   `json:"ready"`
	Reason string `json:"reason,omitempty"`
	Redis  string `json:"redis"`
}

func (ex *exporter) serveReady(w http.ResponseWriter, r *http.Request) {
	state := readiness{Ready: true, Redis: "not_configured"}
	if ex.holder.Config() == nil {
		state = readiness{Reason: "no config loaded"}
	} else if ex.redis {
		ctx, cancel := context.WithTimeout(r.Context(), time.Second)
		err := ex.manager.CheckStore(ctx) // also sets fortigate_redis_up
		cancel()
		state.Redis = "up"
		if err != nil {
			state.Redis = "down"
			if ex.flags.redisFallback == fgsession.FallbackFail {
				state.Ready = false
				state.Reason = "redis is unreachable and --redis.fallback=fail"
			}
		}
	}
	w.Header().Set("Content-Type", "application/json")
	if !state.Ready {
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	json.NewEncoder(w).Encode(state)
}

func (ex *exporter) serveReload(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost && r.Method != http.MethodPut {
		w.Header().Set("Allow", "POST, PUT")
		http.Error(w, "use POST to reload the targets file", http.StatusMethodNotAllowed)
		return
	}
	if err := ex.reload("http"); err != nil {
		http.Error(w, "reload failed, running config kept: "+err.Error(), http.StatusInternalServerError)
		return
	}
	if ex.flags.configFile == "" {
		fmt.Fprintln(w, "Config reloaded from the environment; no --config.file is set.")
		return
	}
	fmt.Fprintln(w, "Config reloaded from "+ex.flags.configFile+".")
}

func (ex *exporter) serveLanding(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/" {
		http.NotFound(w, r)
		return
	}
	var targets strings.Builder
	for _, name := range ex.targets.Load().order {
		n := html.EscapeString(name)
		fmt.Fprintf(&targets, `<li>%s: <a href="probe?target=%s">probe</a>, <a href="session?target=%s">session</a></li>`+"\n", n, n, n)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprintf(w, `<!DOCTYPE html>
<html><head><title>FortiGate Session Exporter</title></head>
<body>
<h1>FortiGate Session Exporter</h1>
<p><a href="metrics">Metrics</a> (exporter, and the default target's FortiGate metrics)</p>
<h2>Targets</h2>
<ul>
%s</ul>
<p><a href="-/ready">Readiness</a> · <a href="-/healthy">Health</a></p>
</body></html>
`, targets.String())
}

// isRedisAuthError reports whether Redis rejected the connection's
// credentials or the ACL forbids a command.
func isRedisAuthError(err error) bool {
	msg := err.Error()
	for _, code := range []string{"WRONGPASS", "NOAUTH", "NOPERM"} {
		if strings.Contains(msg, code) {
			return true
		}
	}
	return false
}

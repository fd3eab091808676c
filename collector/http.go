package collector

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// DefaultTargetName is the target whose FortiGate metrics MetricsHandler adds to
// /metrics. Environment-only configuration names its single target so.
const DefaultTargetName = "default"

// maxScrapeTimeout bounds the Prometheus timeout header. A larger value is taken
// as invalid, because no scrape interval is that long.
const maxScrapeTimeout = time.Hour

// TargetLookup returns the configured target called name and the collectors to
// run for it (usually from Select). ok is false when no target has that name.
type TargetLookup func(name string) (target *Target, collectors []string, ok bool)

// ProbeHandler serves /probe?target=NAME: one scrape of the configured target
// NAME, in the Prometheus text format. A missing or unknown NAME gets a 400
// response with a plain-text message, and nothing is sent to a FortiGate.
//
// The scrape deadline is the X-Prometheus-Scrape-Timeout-Seconds header minus
// opts.TimeoutOffset, or opts.DefaultTimeout without a valid header. Collector
// failures show in fortigate_scrape_collector_success, and the response is 200.
// Only an error of the registry itself, such as two metrics with one name but
// different help texts or types, is a 500.
func ProbeHandler(lookup TargetLookup, opts ProbeOptions, logger *slog.Logger) http.Handler {
	opts = opts.withDefaults()
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}

	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := r.URL.Query().Get("target")
		if name == "" {
			http.Error(w, "missing target parameter: use /probe?target=NAME with a configured target name",
				http.StatusBadRequest)
			return
		}
		target, names, ok := lookup(name)
		if !ok || target == nil {
			http.Error(w, fmt.Sprintf("unknown target %s: no target of that name is configured",
				quoteForMessage(name)), http.StatusBadRequest)
			return
		}

		ctx, cancel := context.WithTimeout(r.Context(), scrapeTimeout(r, opts))
		defer cancel()

		probe, err := NewProbe(ctx, target, names, opts, logger)
		if err != nil {
			logger.Error("probe setup failed", "target", name, "err", err)
			http.Error(w, "probe setup failed: "+err.Error(), http.StatusInternalServerError)
			return
		}
		registry := prometheus.NewRegistry()
		if err := registry.Register(probe); err != nil {
			logger.Error("probe registration failed", "target", name, "err", err)
			http.Error(w, "probe registration failed: "+err.Error(), http.StatusInternalServerError)
			return
		}
		promhttp.HandlerFor(registry, handlerOpts(logger, name)).ServeHTTP(w, r)
	})
}

// MetricsHandler serves /metrics: the exporter's own metrics from self, plus the
// FortiGate metrics of the target named DefaultTargetName when lookup finds it.
// That target is scraped like /probe does, with the same deadline rules.
func MetricsHandler(
	self prometheus.Gatherer, lookup TargetLookup, opts ProbeOptions, logger *slog.Logger,
) http.Handler {
	opts = opts.withDefaults()
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}

	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The target is gathered first, so that the session metrics in self
		// already show the login or back-off of this very scrape.
		var gatherers prometheus.Gatherers

		target, names, ok := lookup(DefaultTargetName)
		if ok && target != nil {
			ctx, cancel := context.WithTimeout(r.Context(), scrapeTimeout(r, opts))
			defer cancel()

			probe, err := NewProbe(ctx, target, names, opts, logger)
			registry := prometheus.NewRegistry()
			if err == nil {
				err = registry.Register(probe)
			}
			if err != nil {
				// The exporter's own metrics are still worth serving.
				logger.Error("default target left out of /metrics", "target", DefaultTargetName, "err", err)
			} else {
				gatherers = append(gatherers, registry)
			}
		}

		if self != nil {
			gatherers = append(gatherers, self)
		}
		promhttp.HandlerFor(gatherers, handlerOpts(logger, DefaultTargetName)).ServeHTTP(w, r)
	})
}

func handlerOpts(logger *slog.Logger, target string) promhttp.HandlerOpts {
	return promhttp.HandlerOpts{
		ErrorLog:      promhttpLogger{logger: logger, target: target},
		ErrorHandling: promhttp.HTTPErrorOnError,
	}
}

// promhttpLogger passes promhttp's error messages to slog.
type promhttpLogger struct {
	logger *slog.Logger
	target string
}

func (l promhttpLogger) Println(v ...any) {
	l.logger.Error("serving metrics failed", "target", l.target,
		"err", strings.TrimSpace(fmt.Sprintln(v...)))
}

// scrapeTimeout returns the deadline for one scrape: Prometheus's
// X-Prometheus-Scrape-Timeout-Seconds header minus opts.TimeoutOffset. When the
// offset would leave less than half the header's time, half is used. A missing,
// unparsable, non-positive or implausibly large header gives opts.DefaultTimeout.
func scrapeTimeout(r *http.Request, opts ProbeOptions) time.Duration {
	header := r.Header.Get("X-Prometheus-Scrape-Timeout-Seconds")
	if header == "" {
		return opts.DefaultTimeout
	}
	seconds, err := strconv.ParseFloat(strings.TrimSpace(header), 64)
	if err != nil || math.IsNaN(seconds) || seconds <= 0 || seconds > maxScrapeTimeout.Seconds() {
		return opts.DefaultTimeout
	}

	timeout := time.Duration(seconds * float64(time.Second))
	if reduced := timeout - opts.TimeoutOffset; reduced >= timeout/2 {
		return reduced
	}
	return timeout / 2
}

// quoteForMessage quotes a request value for an error message, cut to 64 bytes.
func quoteForMessage(s string) string {
	const limit = 64
	if len(s) > limit {
		return strconv.Quote(s[:limit]) + "..."
	}
	return strconv.Quote(s)
}

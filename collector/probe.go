package collector

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
	dto "github.com/prometheus/client_model/go"

	"github.com/fortigate-session-exporter/fortigate_session_exporter/fgsession"
)

// This file holds the scrape of one target. It makes sure the target has a
// usable session, runs its collectors concurrently under the scrape deadline
// and reports each collector's outcome. It also drops duplicate series before
// they reach the registry, where they would fail the whole scrape.

const (
	// DefaultMaxParallel is the default maximum number of collectors that run at
	// once for one target.
	DefaultMaxParallel = 4
	// DefaultTimeout is the scrape deadline used when Prometheus sends no
	// X-Prometheus-Scrape-Timeout-Seconds header, and for /metrics collection
	// through NewTargetCollector.
	DefaultTimeout = 10 * time.Second
	// DefaultTimeoutOffset is subtracted from Prometheus's scrape timeout, so the
	// exporter responds before Prometheus gives up.
	DefaultTimeoutOffset = 500 * time.Millisecond
)

// ProbeOptions sets how a target is scraped. A zero field takes the default
// named next to it.
type ProbeOptions struct {
	// MaxParallel is the maximum number of collectors that run at once for one
	// target (DefaultMaxParallel).
	MaxParallel int
	// DefaultTimeout is the scrape deadline without a Prometheus timeout header
	// (DefaultTimeout).
	DefaultTimeout time.Duration
	// TimeoutOffset is subtracted from the Prometheus timeout header
	// (DefaultTimeoutOffset).
	TimeoutOffset time.Duration
	// Metrics counts dropped duplicate series and collector failures on the
	// exporter's own registry. Nil turns the counting off. Duplicates are still
	// dropped and logged.
	Metrics *ExporterMetrics
	// CollectorTimeout, when above 0, is the longest one collector may run
	// within the scrape deadline. A collector that runs out of it fails alone,
	// so one slow endpoint cannot use up the time of the collectors queued
	// behind it.
	CollectorTimeout time.Duration
}

func (o ProbeOptions) withDefaults() ProbeOptions {
	if o.MaxParallel <= 0 {
		o.MaxParallel = DefaultMaxParallel
	}
	if o.DefaultTimeout <= 0 {
		o.DefaultTimeout = DefaultTimeout
	}
	if o.TimeoutOffset <= 0 {
		o.TimeoutOffset = DefaultTimeoutOffset
	}
	return o
}

// The exporter's metrics of one target scrape. They carry no target label,
// because Prometheus adds it.
var (
	upMetric = newMetric(namespace+"_up", prometheus.GaugeValue, "", "",
		"Whether the target had a usable session and at least one collector succeeded "+
			"or found its endpoint unsupported (1), or not (0).")
	scrapeFailureMetric = newMetric(namespace+"_scrape_failure_info", prometheus.GaugeValue, "", "",
		"Why the target could not be scraped, present only when fortigate_up is 0 because "+
			"no session could be had (login_backoff, login_rejected, session_store_unavailable, "+
			"tls_certificate, timeout or unreachable).",
		"reason")
	scrapeDurationMetric = newMetric(namespace+"_scrape_duration_seconds",
		prometheus.GaugeValue, "seconds", "",
		"Time the scrape of the target took.")
	collectorSuccessMetric = newMetric(namespace+"_scrape_collector_success",
		prometheus.GaugeValue, "", "",
		"Whether the collector succeeded (1), including when its endpoint is unsupported, or failed (0).",
		"collector")
	collectorDurationMetric = newMetric(namespace+"_scrape_collector_duration_seconds",
		prometheus.GaugeValue, "seconds", "",
		"Time the collector took.",
		"collector")
	collectorUnsupportedMetric = newMetric(namespace+"_scrape_collector_unsupported",
		prometheus.GaugeValue, "", "",
		"Whether the device answered the collector's endpoint with 404 or 424 (1), or not (0).",
		"collector")
)

// The counters of ExporterMetrics, kept as metric values so METRICS.md lists them.
var (
	duplicateSeriesMetric = newMetric(namespace+"_scrape_duplicate_series_total",
		prometheus.CounterValue, "", "",
		"Series dropped because a collector sent a name and label set that was already sent in the same scrape.",
		"target", "collector")
	collectorFailuresMetric = newMetric(namespace+"_scrape_collector_failures_total",
		prometheus.CounterValue, "", "",
		"Collector runs that failed, not counting unsupported endpoints.",
		"target", "collector")
)

func probeMetrics() []*metric {
	return []*metric{
		upMetric, scrapeFailureMetric, scrapeDurationMetric, collectorSuccessMetric, collectorDurationMetric,
		collectorUnsupportedMetric,
	}
}

func exporterMetrics() []*metric {
	return []*metric{duplicateSeriesMetric, collectorFailuresMetric}
}

func selfMetrics() []*metric {
	return append(probeMetrics(), exporterMetrics()...)
}

// ExporterMetrics are the collector package's counters on the exporter's own
// registry, the one served on /metrics. target is the configured target name.
type ExporterMetrics struct {
	duplicateSeries   *prometheus.CounterVec
	collectorFailures *prometheus.CounterVec
}

// NewExporterMetrics creates the counters and registers them on reg, panicking
// like promauto when they are already registered. A nil reg registers nothing.
func NewExporterMetrics(reg prometheus.Registerer) *ExporterMetrics {
	factory := promauto.With(reg)
	counter := func(m *metric) *prometheus.CounterVec {
		return factory.NewCounterVec(prometheus.CounterOpts{Name: m.name, Help: m.help}, m.labels)
	}
	return &ExporterMetrics{
		duplicateSeries:   counter(duplicateSeriesMetric),
		collectorFailures: counter(collectorFailuresMetric),
	}
}

// descNames maps the descriptor of every known metric to its name, for the
// duplicate check. prometheus.Desc does not expose its name.
var descNames = func() map[*prometheus.Desc]string {
	names := map[*prometheus.Desc]string{}
	for _, m := range selfMetrics() {
		names[m.desc] = m.name
	}
	for _, r := range registrations {
		for _, m := range r.collector.metrics() {
			names[m.desc] = m.name
		}
	}
	return names
}()

// scraper scrapes one target with a fixed list of collectors.
type scraper struct {
	target *Target
	regs   []*registration
	opts   ProbeOptions
	logger *slog.Logger
}

func newScraper(target *Target, names []string, opts ProbeOptions, logger *slog.Logger) (*scraper, error) {
	if target == nil || target.API == nil {
		return nil, errors.New("target and its API must not be nil")
	}
	regs := make([]*registration, 0, len(names))
	for _, name := range names {
		r, ok := lookupRegistration(name)
		if !ok {
			return nil, fmt.Errorf("target %q: %w", target.Name, unknownCollectorError(name, "selected"))
		}
		if !slices.Contains(regs, r) {
			regs = append(regs, r)
		}
	}
	custom, err := customRegistrations(target, logger)
	if err != nil {
		return nil, err
	}
	regs = append(regs, custom...)
	return newScraperFor(target, regs, opts, logger), nil
}

// newScraperFor returns a scraper of target that runs regs, which tests may
// build outside the collector table.
func newScraperFor(target *Target, regs []*registration, opts ProbeOptions, logger *slog.Logger) *scraper {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &scraper{
		target: target,
		regs:   regs,
		opts:   opts.withDefaults(),
		logger: logger.With("target", target.Name),
	}
}

func (s *scraper) describe(ch chan<- *prometheus.Desc) {
	for _, m := range probeMetrics() {
		ch <- m.desc
	}
	for _, r := range s.regs {
		for _, m := range r.collector.metrics() {
			ch <- m.desc
		}
	}
}

// Probe is a prometheus.Collector for one scrape of one target, registered on a
// fresh registry per request. Every Collect call scrapes the target again.
//
// Collect first calls the target's API.Ready. When that fails, it logs the
// reason and sends only fortigate_up 0 and fortigate_scrape_duration_seconds.
// Otherwise it runs the collectors, at most MaxParallel at once, and sends for
// each one fortigate_scrape_collector_success, _duration_seconds and
// _unsupported. A failed collector's metrics sent before the failure are kept.
// A collector still running at ctx's deadline counts as failed, and its
// metrics are discarded. A panic in a collector is recovered and is a failure.
type Probe struct {
	ctx     context.Context
	scraper *scraper
}

// NewProbe returns a Probe of target that runs the named collectors under ctx.
// names usually comes from Select. An unknown name is an error.
func NewProbe(
	ctx context.Context, target *Target, names []string, opts ProbeOptions, logger *slog.Logger,
) (*Probe, error) {
	s, err := newScraper(target, names, opts, logger)
	if err != nil {
		return nil, err
	}
	return &Probe{ctx: ctx, scraper: s}, nil
}

// Describe sends the descriptors of every metric the probe can send.
func (p *Probe) Describe(ch chan<- *prometheus.Desc) { p.scraper.describe(ch) }

// Collect scrapes the target.
func (p *Probe) Collect(ch chan<- prometheus.Metric) { p.scraper.scrape(p.ctx, ch) }

// targetCollector scrapes a target on every Collect with a deadline of
// opts.DefaultTimeout, for a long-lived registry.
type targetCollector struct {
	scraper *scraper
}

// NewTargetCollector returns a prometheus.Collector that scrapes target with the
// named collectors on every Collect call, each time under a deadline of
// opts.DefaultTimeout. It suits a long-lived registry, such as the one behind
// /metrics. MetricsHandler uses the Prometheus timeout header instead.
func NewTargetCollector(
	target *Target, names []string, opts ProbeOptions, logger *slog.Logger,
) (prometheus.Collector, error) {
	s, err := newScraper(target, names, opts, logger)
	if err != nil {
		return nil, err
	}
	return &targetCollector{scraper: s}, nil
}

func (c *targetCollector) Describe(ch chan<- *prometheus.Desc) { c.scraper.describe(ch) }

func (c *targetCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), c.scraper.opts.DefaultTimeout)
	defer cancel()
	c.scraper.scrape(ctx, ch)
}

// collectorResult is the outcome of one collector in one scrape.
type collectorResult struct {
	index    int
	metrics  []prometheus.Metric
	err      error
	duration time.Duration
}

func (s *scraper) scrape(ctx context.Context, ch chan<- prometheus.Metric) {
	start := time.Now()
	if s.target.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, s.target.Timeout)
		defer cancel()
	}
	defer func() {
		ch <- prometheus.MustNewConstMetric(scrapeDurationMetric.desc, prometheus.GaugeValue,
			time.Since(start).Seconds())
	}()

	if err := s.ready(ctx); err != nil {
		reason := readyFailureReason(ctx, err)
		if suppressed, repeat := repeatLog.note(s.target.logKey(), reason, time.Now()); repeat {
			s.logger.Debug("target not ready, no collector ran", "reason", reason, "err", err)
		} else {
			s.logger.Error("target not ready, no collector ran", "reason", reason,
				"repeats_suppressed", suppressed, "err", err)
		}
		ch <- prometheus.MustNewConstMetric(upMetric.desc, prometheus.GaugeValue, 0)
		ch <- prometheus.MustNewConstMetric(scrapeFailureMetric.desc, prometheus.GaugeValue, 1, reason)
		return
	}

	repeatLog.clear(s.target.logKey())
	results := s.runCollectors(ctx)

	up := len(results) == 0
	seen := map[string]struct{}{}
	for _, r := range results {
		if s.report(r, ch) {
			up = true
		}
		s.forward(r, seen, ch)
	}
	ch <- prometheus.MustNewConstMetric(upMetric.desc, prometheus.GaugeValue, boolValue(up))
}

func (s *scraper) ready(ctx context.Context) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic in Ready: %v", r)
		}
	}()
	return s.target.API.Ready(ctx)
}

// runCollectors runs the collectors with at most opts.MaxParallel at once and
// returns one result per collector, in s.regs order, by ctx's deadline at the
// latest. A collector that ignores ctx keeps its goroutine until it returns,
// but its result is no longer read.
func (s *scraper) runCollectors(ctx context.Context) []collectorResult {
	n := len(s.regs)
	jobs := make(chan int, n)
	for i := range n {
		jobs <- i
	}
	close(jobs)

	// done is buffered for all n results, so a late worker never blocks.
	done := make(chan collectorResult, n)
	var mu sync.Mutex
	starts := make([]time.Time, n)

	parallel := s.opts.MaxParallel
	if s.target.MaxParallel > 0 {
		parallel = s.target.MaxParallel
	}
	for range min(parallel, n) {
		go func() {
			for i := range jobs {
				if err := ctx.Err(); err != nil {
					done <- collectorResult{
						index: i,
						err:   fmt.Errorf("collector not started before the scrape deadline: %w", err),
					}
					continue
				}
				mu.Lock()
				starts[i] = time.Now()
				mu.Unlock()
				done <- s.runOne(ctx, i)
			}
		}()
	}

	results := make([]collectorResult, n)
	finished := make([]bool, n)
	record := func(r collectorResult) {
		results[r.index], finished[r.index] = r, true
	}
	received := 0
	for received < n && ctx.Err() == nil {
		select {
		case r := <-done:
			record(r)
			received++
		case <-ctx.Done():
		}
	}
	// Keep the results that arrived together with the deadline.
drain:
	for received < n {
		select {
		case r := <-done:
			record(r)
			received++
		default:
			break drain
		}
	}

	mu.Lock()
	defer mu.Unlock()
	for i := range results {
		if finished[i] {
			continue
		}
		results[i] = collectorResult{
			index: i,
			err: fmt.Errorf("collector did not finish before the scrape deadline (GET %s): %w",
				strings.Join(s.regs[i].endpoints(), ", "), ctx.Err()),
		}
		if !starts[i].IsZero() {
			results[i].duration = time.Since(starts[i])
		}
	}
	return results
}

func (s *scraper) runOne(ctx context.Context, index int) collectorResult {
	start := time.Now()
	scrapeCtx := ctx
	if timeout := s.opts.CollectorTimeout; timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	metrics := make(chan prometheus.Metric)
	collected := make(chan []prometheus.Metric, 1)
	go func() {
		var list []prometheus.Metric
		for m := range metrics {
			list = append(list, m)
		}
		collected <- list
	}()

	err := s.update(ctx, s.regs[index], metrics)
	close(metrics)
	if err != nil && ctx.Err() != nil && scrapeCtx.Err() == nil {
		err = fmt.Errorf("collector timed out after %s: %w", s.opts.CollectorTimeout, err)
	}
	return collectorResult{
		index:    index,
		metrics:  <-collected,
		err:      err,
		duration: time.Since(start),
	}
}

func (s *scraper) update(ctx context.Context, r *registration, ch chan<- prometheus.Metric) (err error) {
	defer func() {
		if p := recover(); p != nil {
			s.logger.Debug("collector panicked", "collector", r.name, "stack", string(debug.Stack()))
			err = fmt.Errorf("collector panicked: %v", p)
		}
	}()
	ctx = withLogger(ctx, s.logger.With("collector", r.name))
	return r.collector.Update(ctx, s.target, ch)
}

// report sends the outcome metrics of one collector and logs a failure. It
// returns whether the collector counts as successful for fortigate_up.
func (s *scraper) report(r collectorResult, ch chan<- prometheus.Metric) bool {
	name := s.regs[r.index].name
	unsupported := r.err != nil && fgsession.IsUnsupported(r.err)
	success := r.err == nil || unsupported

	ch <- prometheus.MustNewConstMetric(collectorSuccessMetric.desc, prometheus.GaugeValue,
		boolValue(success), name)
	ch <- prometheus.MustNewConstMetric(collectorDurationMetric.desc, prometheus.GaugeValue,
		r.duration.Seconds(), name)
	ch <- prometheus.MustNewConstMetric(collectorUnsupportedMetric.desc, prometheus.GaugeValue,
		boolValue(unsupported), name)

	key := s.target.logKey() + "/" + name
	switch {
	case unsupported:
		s.logger.Debug("endpoint not supported by the device", "collector", name, "err", r.err)
	case r.err != nil:
		// The same error on every scrape, such as a 403 for a missing
		// permission, logs at error level once a minute; every one is counted.
		if suppressed, repeat := repeatLog.note(key, r.err.Error(), time.Now()); repeat {
			s.logger.Debug("collector failed", "collector", name,
				"duration_seconds", r.duration.Seconds(), "err", r.err)
		} else {
			s.logger.Error("collector failed", "collector", name,
				"duration_seconds", r.duration.Seconds(), "repeats_suppressed", suppressed, "err", r.err)
		}
		if m := s.opts.Metrics; m != nil {
			m.collectorFailures.WithLabelValues(s.target.Name, name).Inc()
		}
	default:
		repeatLog.clear(key)
	}
	return success
}

// forward sends the metrics of one collector to ch, dropping every series whose
// name and labels were already sent in this scrape.
func (s *scraper) forward(r collectorResult, seen map[string]struct{}, ch chan<- prometheus.Metric) {
	name := s.regs[r.index].name
	duplicates := 0
	var firstDuplicate string
	// pb and key are reused for every metric, because a large device can send
	// more than 100,000 series in one scrape.
	var pb dto.Metric
	var key []byte
	for _, m := range r.metrics {
		var err error
		key, err = appendSeriesKey(key[:0], m, &pb)
		if err != nil {
			s.logger.Warn("dropped invalid metric", "collector", name, "err", err)
			continue
		}
		if _, ok := seen[string(key)]; ok {
			if duplicates == 0 {
				firstDuplicate = strings.ReplaceAll(string(key), "\xff", " ")
			}
			duplicates++
			continue
		}
		seen[string(key)] = struct{}{}
		ch <- m
	}

	if duplicates == 0 {
		return
	}
	s.logger.Warn("dropped duplicate series", "collector", name,
		"count", duplicates, "first", firstDuplicate)
	if m := s.opts.Metrics; m != nil {
		m.duplicateSeries.WithLabelValues(s.target.Name, name).Add(float64(duplicates))
	}
}

// seriesKey identifies a series by metric name and label pairs. The pairs come
// sorted by label name from Write.
func seriesKey(m prometheus.Metric) (string, error) {
	var pb dto.Metric
	key, err := appendSeriesKey(nil, m, &pb)
	return string(key), err
}

// appendSeriesKey appends the seriesKey of m to dst, with pb as the space that
// m is written to.
func appendSeriesKey(dst []byte, m prometheus.Metric, pb *dto.Metric) ([]byte, error) {
	pb.Reset()
	if err := m.Write(pb); err != nil {
		return dst, err
	}
	name, ok := descNames[m.Desc()]
	if !ok {
		name = m.Desc().String()
	}

	dst = append(dst, name...)
	for _, pair := range pb.GetLabel() {
		dst = append(dst, '\xff')
		dst = append(dst, pair.GetName()...)
		dst = append(dst, '=')
		dst = append(dst, pair.GetValue()...)
	}
	return dst, nil
}

func boolValue(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// readyFailureReason names why API.Ready failed: the error's own
// FailureReason when it has one (fgsession's errors do), otherwise timeout
// or unreachable.
func readyFailureReason(ctx context.Context, err error) string {
	var reasoner interface{ FailureReason() string }
	switch {
	case errors.As(err, &reasoner):
		return reasoner.FailureReason()
	case ctx.Err() != nil || errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	default:
		return "unreachable"
	}
}

// repeatLog limits the error lines of a target that stays unready, such as
// during a login back-off, and of a collector that fails the same way on
// every scrape. Each reason logs at error level once a minute. Repeats in
// between log at debug level, and the next error line carries their count.
var repeatLog = &repeatLogLimiter{last: map[string]repeatLogEntry{}}

type repeatLogLimiter struct {
	mu   sync.Mutex
	last map[string]repeatLogEntry // by Target.logKey
}

type repeatLogEntry struct {
	reason     string
	logged     time.Time
	suppressed int
}

// note records a failure of key for reason at now. It returns repeat true
// when an error line for the same reason was logged less than a minute ago.
// Otherwise suppressed is the number of repeats since the last error line.
func (l *repeatLogLimiter) note(target, reason string, now time.Time) (suppressed int, repeat bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	entry, ok := l.last[target]
	if ok && entry.reason == reason && now.Sub(entry.logged) < time.Minute {
		entry.suppressed++
		l.last[target] = entry
		return entry.suppressed, true
	}
	l.last[target] = repeatLogEntry{reason: reason, logged: now}
	return entry.suppressed, false
}

func (l *repeatLogLimiter) clear(target string) {
	l.mu.Lock()
	delete(l.last, target)
	l.mu.Unlock()
}

// logKey names the target and its API client, which lives as long as the
// target's config, so that targets of one name in tests or across reloads
// keep separate log state.
func (t *Target) logKey() string {
	return fmt.Sprintf("%s/%p", t.Name, t.API)
}

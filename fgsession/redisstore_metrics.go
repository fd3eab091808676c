package fgsession

import (
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Operation label values of fortigate_redis_errors_total, one per Store method.
const (
	opGet          = "get"
	opLock         = "lock"
	opRefreshLock  = "refresh_lock"
	opUnlock       = "unlock"
	opPut          = "put"
	opPutIfAbsent  = "put_if_absent"
	opDelete       = "delete"
	opGetBackoff   = "get_backoff"
	opSetBackoff   = "set_backoff"
	opClearBackoff = "clear_backoff"
	opPing         = "ping"
)

var redisOperations = []string{
	opGet, opLock, opRefreshLock, opUnlock, opPut, opPutIfAbsent, opDelete,
	opGetBackoff, opSetBackoff, opClearBackoff, opPing,
}

// Reason label values of fortigate_session_records_unreadable_total.
const (
	// reasonWrongType: the key contains another Redis type than the store writes.
	reasonWrongType = "wrong_type"
	// reasonMalformed: fields missing, JSON invalid, or record ID not the stored one.
	reasonMalformed = "malformed"
	// reasonNotSealed: sealing is on but the record is plain JSON.
	reasonNotSealed = "not_sealed"
	// reasonNoKey: the record is sealed but no key is configured.
	reasonNoKey = "no_key"
	// reasonUnknownKey: the record is sealed with a key that is not configured.
	reasonUnknownKey = "unknown_key"
	// reasonOpenFailed: authentication failed (wrong key, copied or corrupt record).
	reasonOpenFailed = "open_failed"
)

// Record label values of fortigate_session_records_unreadable_total.
const (
	recordSession = "session"
	recordBackoff = "backoff"
)

var unreadableLabels = map[string][]string{
	recordSession: {
		reasonWrongType, reasonMalformed, reasonNotSealed, reasonNoKey, reasonUnknownKey, reasonOpenFailed,
	},
	recordBackoff: {reasonWrongType, reasonMalformed},
}

// redisStoreMetrics are the counters of one RedisStore.
type redisStoreMetrics struct {
	errors     *prometheus.CounterVec
	unreadable *prometheus.CounterVec
}

func newRedisStoreMetrics() *redisStoreMetrics {
	m := &redisStoreMetrics{
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "fortigate_redis_errors_total",
			Help: "Redis commands of the session store that failed, by store operation.",
		}, []string{"operation"}),
		unreadable: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "fortigate_session_records_unreadable_total",
			Help: "Records in Redis that the session store could not read and treated as missing, " +
				"by record kind and reason.",
		}, []string{"record", "reason"}),
	}
	// Every known series starts at 0, so rate() and alerts work from the first scrape.
	for _, op := range redisOperations {
		m.errors.WithLabelValues(op)
	}
	for record, reasons := range unreadableLabels {
		for _, reason := range reasons {
			m.unreadable.WithLabelValues(record, reason)
		}
	}
	return m
}

// Describe implements prometheus.Collector.
func (s *RedisStore) Describe(ch chan<- *prometheus.Desc) {
	s.metrics.errors.Describe(ch)
	s.metrics.unreadable.Describe(ch)
}

// Collect implements prometheus.Collector.
func (s *RedisStore) Collect(ch chan<- prometheus.Metric) {
	s.metrics.errors.Collect(ch)
	s.metrics.unreadable.Collect(ch)
}

// logLimiter lets one message through per interval and counts the ones it held back,
// so a wrong key on every scrape does not flood the log.
type logLimiter struct {
	interval time.Duration

	mu         sync.Mutex
	last       time.Time
	suppressed int
}

// allow reports whether to log now and how many messages were held back since the
// last one that was let through.
func (l *logLimiter) allow(now time.Time) (bool, int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.last.IsZero() && now.Sub(l.last) < l.interval {
		l.suppressed++
		return false, 0
	}
	suppressed := l.suppressed
	l.last = now
	l.suppressed = 0
	return true, suppressed
}

// logUnreadable logs an unreadable record, at most once per s.unreadableLog.interval.
func (s *RedisStore) logUnreadable(key, reason string, err error) {
	ok, suppressed := s.unreadableLog.allow(time.Now())
	if !ok {
		return
	}
	s.logger.Warn("unreadable session store record treated as missing",
		"key", key, "reason", reason, "err", err, "suppressed", suppressed)
}

var _ prometheus.Collector = (*RedisStore)(nil)

// discardLogger is the logger of a store made without one.
var discardLogger = slog.New(slog.DiscardHandler)

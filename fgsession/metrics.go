package fgsession

import (
	"github.com/prometheus/client_golang/prometheus"
)

const namespace = "fortigate"

// Relogin reasons, the reason label of fortigate_session_relogins_total.
const (
	ReloginRotation     = "rotation"     // the session reached its TTL
	ReloginUnauthorized = "unauthorized" // FortiOS responded 401 to this replica
	ReloginMissing      = "missing"      // the shared record vanished (another replica's 401, Redis flushed)
)

var reloginReasons = []string{ReloginRotation, ReloginUnauthorized, ReloginMissing}

type managerMetrics struct {
	logins        *prometheus.CounterVec
	relogins      *prometheus.CounterVec
	loginFailures *prometheus.CounterVec
	lockWait      prometheus.Histogram
	redisUp       prometheus.Gauge
	age           *prometheus.Desc
	backoff       *prometheus.Desc
}

func newManagerMetrics() *managerMetrics {
	return &managerMetrics{
		logins: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Subsystem: "session", Name: "logins_total",
			Help: "Successful FortiOS logins made by this replica.",
		}, []string{"target"}),
		relogins: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Subsystem: "session", Name: "relogins_total",
			Help: "Logins by this replica that replaced an earlier session, by reason.",
		}, []string{"target", "reason"}),
		loginFailures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Subsystem: "session", Name: "login_failures_total",
			Help: "Logins by this replica that FortiOS rejected, by reason.",
		}, []string{"target", "reason"}),
		lockWait: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: namespace, Subsystem: "session", Name: "lock_wait_seconds",
			Help:    "Time this replica waited for another replica's login.",
			Buckets: []float64{0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10},
		}),
		redisUp: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: namespace, Name: "redis_up",
			Help: "1 when the last Redis call succeeded, 0 when it failed; 0 without Redis configured.",
		}),
		age: prometheus.NewDesc(namespace+"_session_age_seconds",
			"Age of the FortiOS session this replica uses for the target; 0 without one.",
			[]string{"target"}, nil),
		backoff: prometheus.NewDesc(namespace+"_session_login_backoff_seconds",
			"Seconds until logins to the target may be tried again; 0 without a back-off.",
			[]string{"target"}, nil),
	}
}

// initTarget creates the series of a target with zero values, so they exist
// before the first scrape.
func (mm *managerMetrics) initTarget(name string) {
	mm.logins.WithLabelValues(name)
	for _, reason := range reloginReasons {
		mm.relogins.WithLabelValues(name, reason)
	}
	for _, reason := range LoginReasons {
		mm.loginFailures.WithLabelValues(name, reason)
	}
}

// removeTarget deletes every series of a target.
func (mm *managerMetrics) removeTarget(name string) {
	labels := prometheus.Labels{"target": name}
	mm.logins.DeletePartialMatch(labels)
	mm.relogins.DeletePartialMatch(labels)
	mm.loginFailures.DeletePartialMatch(labels)
}

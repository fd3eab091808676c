// Command fortigate_session_exporter exports FortiGate metrics to Prometheus
// through one FortiOS API session that all its replicas share in Redis.
package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/alecthomas/kingpin/v2"
	"github.com/prometheus/client_golang/prometheus"
	versioncollector "github.com/prometheus/client_golang/prometheus/collectors/version"
	"github.com/prometheus/common/promslog"
	promslogflag "github.com/prometheus/common/promslog/flag"
	"github.com/prometheus/common/version"
	"github.com/prometheus/exporter-toolkit/web"
	webflag "github.com/prometheus/exporter-toolkit/web/kingpinflag"

	"github.com/fortigate-session-exporter/fortigate_session_exporter/collector"
)

const exporterName = "fortigate_session_exporter"

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	app := kingpin.New(exporterName, "Prometheus exporter for FortiGate firewalls that shares one FortiOS API session among its replicas.")
	flags := registerFlags(app)
	webFlags := webflag.AddFlags(app, ":9743")
	logConfig := &promslog.Config{}
	promslogflag.AddFlags(app, logConfig)
	collector.RegisterFlags(app)
	app.Version(version.Print(exporterName))
	app.HelpFlag.Short('h')
	if _, err := app.Parse(args); err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", exporterName, err)
		return 2
	}
	logger := promslog.New(logConfig)
	logger.Info("starting "+exporterName, "version", version.Info(), "build_context", version.BuildContext())

	ex, err := newExporter(flags, logger)
	if err != nil {
		logger.Error("start-up failed", "err", err)
		return 1
	}
	defer ex.close()

	server := &http.Server{
		Handler:           ex.routes(),
		ReadHeaderTimeout: 10 * time.Second,
	}
	serveErr := make(chan error, 1)
	go func() {
		serveErr <- web.ListenAndServe(server, webFlags, logger)
	}()

	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGHUP, syscall.SIGINT, syscall.SIGTERM)
	for {
		select {
		case err := <-serveErr:
			if errors.Is(err, http.ErrServerClosed) {
				return 0
			}
			logger.Error("web server failed", "err", err)
			return 1
		case sig := <-signals:
			if sig == syscall.SIGHUP {
				ex.reload("SIGHUP")
				continue
			}
			logger.Info("shutting down", "signal", sig.String())
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			if err := server.Shutdown(ctx); err != nil {
				logger.Warn("web server shutdown", "err", err)
			}
			cancel()
			return 0
		}
	}
}

// newRegistry returns the registry of /metrics with the exporter's own
// metrics.
func newRegistry(collectors ...prometheus.Collector) *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(versioncollector.NewCollector(exporterName))
	for _, c := range collectors {
		if c != nil {
			reg.MustRegister(c)
		}
	}
	return reg
}

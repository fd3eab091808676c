// Command fortigate-sim serves a simulated FortiGate over HTTPS: the FortiOS login
// flavours of a chosen release, the monitor API from the fixtures package, and test
// hooks under /sim/. It is for demos, benchmarks and end-to-end tests of the
// exporter, never for production traffic.
package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/fortigate-session-exporter/fortigate_session_exporter/fixtures"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr, nil))
}

// run parses args, serves until ctx is done and returns the exit code. The URL it
// listens on goes to stdout as one line, logs go to stderr. ready, when not nil,
// receives the URL once the listener is open.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, ready chan<- string) int {
	cfg, err := parseFlags(args, stdout, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "fortigate-sim: %v\n", err)
		return 2
	}
	logger, err := newLogger(stderr, cfg.logLevel, cfg.logFormat)
	if err != nil {
		fmt.Fprintf(stderr, "fortigate-sim: %v\n", err)
		return 2
	}
	if err := serve(ctx, cfg, logger, stdout, ready); err != nil {
		logger.Error("fortigate-sim stopped", "err", err)
		return 1
	}
	return 0
}

func newLogger(w io.Writer, level, format string) (*slog.Logger, error) {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("invalid --log.level %q, expected debug, info, warn or error", level)
	}
	opts := &slog.HandlerOptions{Level: lvl}
	switch format {
	case "logfmt":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("invalid --log.format %q, expected logfmt or json", format)
}

// serve runs the HTTPS server until ctx is done.
func serve(ctx context.Context, cfg *config, logger *slog.Logger, stdout io.Writer, ready chan<- string) error {
	ln, err := net.Listen("tcp", cfg.listenAddress)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", cfg.listenAddress, err)
	}
	defer ln.Close()

	host, portText, _ := net.SplitHostPort(ln.Addr().String())
	if cfg.opts.AdminPort == 0 {
		port, _ := net.LookupPort("tcp", portText)
		cfg.opts.AdminPort = port
	}
	cfg.opts.Logger = logger
	sim, err := fixtures.New(cfg.opts)
	if err != nil {
		return err
	}
	defer sim.Close()

	cert, certPEM, err := loadCertificate(cfg.certFile, cfg.keyFile, []string{host, cfg.listenHost()})
	if err != nil {
		return err
	}
	if cfg.writeCAFile != "" {
		if err := writeFileAtomic(cfg.writeCAFile, certPEM); err != nil {
			return fmt.Errorf("writing the certificate to %s: %w", cfg.writeCAFile, err)
		}
		logger.Info("wrote the TLS certificate", "path", cfg.writeCAFile)
	}

	srv := &http.Server{
		Handler:           sim.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		TLSConfig:         &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12},
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelDebug),
	}
	url := "https://" + ln.Addr().String()
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		logger.Warn("listening beyond loopback: the /sim/ endpoints need no authentication",
			"address", ln.Addr().String())
	}
	info := sim.Info()
	logger.Info("fortigate-sim listening", "url", url, "release", sim.Release(),
		"admin_port", cfg.opts.AdminPort, "vdoms", info.VDOMs, "admin_vdoms", info.AdminVDOMs,
		"username", cfg.opts.Username,
		"tokens", len(cfg.opts.Tokens), "generated_interfaces", info.Size.Interfaces,
		"generated_policies", info.Size.Policies, "generated_tunnels", info.Size.Tunnels)
	fmt.Fprintln(stdout, url)
	if ready != nil {
		ready <- url
	}

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(tls.NewListener(ln, srv.TLSConfig)) }()

	select {
	case err := <-errc:
		return fmt.Errorf("serving: %w", err)
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	sim.Close()
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("shutting down: %w", err)
	}
	return nil
}

// writeFileAtomic writes data to a temporary file next to path and renames it, so a
// script that waits for path to be non-empty never reads half a certificate.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

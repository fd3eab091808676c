// Package testredis starts real redis-server processes on loopback ports for tests:
// a single node (Start), a Sentinel group (StartSentinel) and a three-master Cluster
// (StartCluster). Servers run without persistence in a temporary directory and are
// stopped when the test ends.
//
// When redis-server is not installed, the helpers skip the test with the install
// command, except when the environment variable CI is true: there they fail it,
// so a CI run never passes by skipping the Redis tests.
package testredis

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// InstallCommand is the Debian command that installs the programs this package runs.
const InstallCommand = "apt-get install -y redis-server redis-sentinel"

// startTimeout bounds how long a process may take to accept connections.
const startTimeout = 15 * time.Second

// Option changes how a server is configured.
type Option func(*config)

type aclUser struct {
	name     string
	password string
}

type config struct {
	password         string
	users            []aclUser
	tls              bool
	lines            []string
	masterName       string
	sentinelPassword string
}

// WithPassword sets requirepass, the password of the default user.
func WithPassword(password string) Option {
	return func(c *config) { c.password = password }
}

// WithACLUser adds an ACL user with full access to every key, channel and command.
// Combine it with WithPassword to protect the default user too.
func WithACLUser(name, password string) Option {
	return func(c *config) { c.users = append(c.users, aclUser{name: name, password: password}) }
}

// WithTLS serves TLS only, on the server's port, with a self-signed certificate for
// 127.0.0.1. Server.TLSConfig returns a client configuration that trusts it. Start
// supports it, StartSentinel and StartCluster do not.
func WithTLS() Option {
	return func(c *config) { c.tls = true }
}

// WithConfig appends raw redis.conf lines, such as "maxmemory 10mb".
func WithConfig(lines ...string) Option {
	return func(c *config) { c.lines = append(c.lines, lines...) }
}

// WithMasterName sets the Sentinel master name (StartSentinel only, default "mymaster").
func WithMasterName(name string) Option {
	return func(c *config) { c.masterName = name }
}

// WithSentinelPassword sets requirepass on the Sentinel processes (StartSentinel only).
func WithSentinelPassword(password string) Option {
	return func(c *config) { c.sentinelPassword = password }
}

// Server is one redis-server process on a loopback port.
type Server struct {
	t       testing.TB
	cfg     config
	binary  string
	dir     string
	port    int
	busPort int // cluster bus port, 0 outside a cluster

	tlsClient *tls.Config

	mu     sync.Mutex
	proc   *process
	client *redis.Client
}

// Start starts a redis-server on a free loopback port and stops it when the test ends.
func Start(t testing.TB, opts ...Option) *Server {
	t.Helper()
	cfg := config{}
	for _, opt := range opts {
		opt(&cfg)
	}
	return startServer(t, cfg, false)
}

func startServer(t testing.TB, cfg config, cluster bool) *Server {
	t.Helper()
	s := &Server{
		t:      t,
		cfg:    cfg,
		binary: lookBinary(t, "redis-server"),
		dir:    t.TempDir(),
	}
	if cfg.tls {
		clientConfig, err := writeCertificate(s.dir)
		if err != nil {
			t.Fatalf("testredis: create TLS certificate: %v", err)
		}
		s.tlsClient = clientConfig
	}
	t.Cleanup(s.stop)

	var lastErr error
	for range 3 {
		ports := freePorts(t, 2)
		s.port = ports[0]
		if cluster {
			s.busPort = ports[1]
		}
		lastErr = s.launch()
		if lastErr == nil {
			return s
		}
		if !strings.Contains(lastErr.Error(), "in use") {
			break
		}
	}
	t.Fatalf("testredis: start redis-server: %v", lastErr)
	return nil
}

// Addr returns the host:port the server listens on (the TLS port with WithTLS).
func (s *Server) Addr() string {
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port))
}

// Port returns the port of Addr.
func (s *Server) Port() int { return s.port }

// Password returns the requirepass value, empty when none is set.
func (s *Server) Password() string { return s.cfg.password }

// TLSConfig returns a client TLS configuration that trusts the server's certificate,
// or nil without WithTLS.
func (s *Server) TLSConfig() *tls.Config {
	if s.tlsClient == nil {
		return nil
	}
	return s.tlsClient.Clone()
}

// Options returns new go-redis options that connect to the server as the default
// user. Each call returns a fresh copy that the caller may change.
func (s *Server) Options() *redis.Options {
	return &redis.Options{
		Addr:        s.Addr(),
		Password:    s.cfg.password,
		TLSConfig:   s.TLSConfig(),
		DialTimeout: time.Second,
		ReadTimeout: 2 * time.Second,
	}
}

// Client returns a client for assertions on the server's data. It is closed when the
// test ends and reconnects by itself after Restart.
func (s *Server) Client() *redis.Client {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.client == nil {
		s.client = redis.NewClient(s.Options())
	}
	return s.client
}

// Kill stops the server with SIGKILL and waits for it to exit.
func (s *Server) Kill() {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.proc != nil {
		s.proc.kill()
		s.proc = nil
	}
}

// Restart kills the server if it runs and starts it again on the same port with an
// empty data set.
func (s *Server) Restart() {
	s.t.Helper()
	s.Kill()

	var err error
	for range 5 {
		err = s.launch()
		if err == nil || !strings.Contains(err.Error(), "in use") {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if err != nil {
		s.t.Fatalf("testredis: restart redis-server on port %d: %v", s.port, err)
	}
}

// Pause stops the process with SIGSTOP. Connections stay open but get no reply, as
// with a server that hangs.
func (s *Server) Pause() { s.signal(syscall.SIGSTOP) }

// Resume continues a paused process with SIGCONT.
func (s *Server) Resume() { s.signal(syscall.SIGCONT) }

func (s *Server) signal(sig syscall.Signal) {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.proc == nil {
		s.t.Fatalf("testredis: send %v to redis-server on port %d: not running", sig, s.port)
	}
	if err := s.proc.cmd.Process.Signal(sig); err != nil {
		s.t.Fatalf("testredis: send %v to redis-server on port %d: %v", sig, s.port, err)
	}
}

// LogFile returns the path of the server's log file.
func (s *Server) LogFile() string { return filepath.Join(s.dir, "redis.log") }

// launch writes the configuration file, starts the process and waits until it
// accepts connections.
func (s *Server) launch() error {
	confPath := filepath.Join(s.dir, "redis.conf")
	if err := os.WriteFile(confPath, []byte(s.configText()), 0o600); err != nil {
		return err
	}
	// Each start gets a fresh log, so a failure message shows this attempt only.
	_ = os.Remove(s.LogFile())

	proc, err := startProcess(s.binary, []string{confPath}, s.dir)
	if err != nil {
		return err
	}
	if err := waitListening(proc, s.Addr(), s.LogFile()); err != nil {
		proc.kill()
		return err
	}
	if err := checkProcessID(s.Options(), proc.cmd.Process.Pid); err != nil {
		proc.kill()
		return fmt.Errorf("%w: %s", err, tail(s.LogFile(), 5))
	}

	s.mu.Lock()
	s.proc = proc
	s.mu.Unlock()
	return nil
}

func (s *Server) configText() string {
	var b strings.Builder
	line := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }

	line("bind 127.0.0.1")
	line("protected-mode yes")
	line("daemonize no")
	line("dir %s", quote(s.dir))
	line("logfile %s", quote(s.LogFile()))
	line(`save ""`)
	line("appendonly no")
	if s.cfg.tls {
		line("port 0")
		line("tls-port %d", s.port)
		line("tls-cert-file %s", quote(filepath.Join(s.dir, certFile)))
		line("tls-key-file %s", quote(filepath.Join(s.dir, keyFile)))
		line("tls-ca-cert-file %s", quote(filepath.Join(s.dir, certFile)))
		line("tls-auth-clients no")
	} else {
		line("port %d", s.port)
	}
	if s.cfg.password != "" {
		line("requirepass %s", quote(s.cfg.password))
		// A replica, or a master after a Sentinel failover, authenticates with it too.
		line("masterauth %s", quote(s.cfg.password))
	}
	for _, u := range s.cfg.users {
		line("user %s on %s ~* &* +@all", quote(u.name), quote(">"+u.password))
	}
	if s.busPort != 0 {
		line("cluster-enabled yes")
		line("cluster-config-file nodes.conf")
		line("cluster-node-timeout 2000")
		line("cluster-port %d", s.busPort)
	}
	for _, l := range s.cfg.lines {
		line("%s", l)
	}
	return b.String()
}

func (s *Server) stop() {
	s.mu.Lock()
	client := s.client
	s.client = nil
	proc := s.proc
	s.proc = nil
	s.mu.Unlock()

	if client != nil {
		_ = client.Close()
	}
	if proc != nil {
		proc.kill()
	}
	if s.t.Failed() {
		s.t.Logf("testredis: log of redis-server on port %d:\n%s", s.port, tail(s.LogFile(), 20))
	}
}

// lookBinary returns the path of name, or skips the test (fails it when CI is true)
// with the install command.
func lookBinary(t testing.TB, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err == nil {
		return path
	}
	msg := fmt.Sprintf("testredis: %s not found in PATH; install it with: %s", name, InstallCommand)
	if inCI() {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

func inCI() bool {
	ci, _ := strconv.ParseBool(os.Getenv("CI"))
	return ci
}

// freePorts returns n distinct loopback ports that were free a moment ago. Another
// process may take one before redis-server binds it, so callers retry on "in use".
func freePorts(t testing.TB, n int) []int {
	t.Helper()
	ports := make([]int, 0, n)
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatalf("testredis: find a free loopback port: %v", err)
		}
		defer l.Close()
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports
}

// quote writes s as a double-quoted redis.conf string.
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < 0x20 || c >= 0x7f:
			fmt.Fprintf(&b, `\x%02x`, c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// checkProcessID checks that the server at opts.Addr is the process pid. Another
// program may own the port while the started redis-server failed to bind it.
func checkProcessID(opts *redis.Options, pid int) error {
	opts.MaxRetries = -1
	client := redis.NewClient(opts)
	defer client.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()

	info, err := client.Info(ctx, "server").Result()
	if err != nil {
		return fmt.Errorf("INFO server on %s failed: %w", opts.Addr, err)
	}
	if !strings.Contains(info, fmt.Sprintf("process_id:%d\r\n", pid)) {
		return fmt.Errorf("port of %s in use by another process", opts.Addr)
	}
	return nil
}

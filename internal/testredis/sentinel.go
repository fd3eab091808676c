package testredis

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

const defaultMasterName = "mymaster"

// sentinelCount is the number of Sentinel processes, the smallest group that keeps a
// majority (quorum 2) when one of them is down.
const sentinelCount = 3

// Sentinel is one master, one replica and three Sentinel processes that monitor them.
type Sentinel struct {
	t          testing.TB
	cfg        config
	masterName string
	servers    []*Server // the first master, then the first replica
	sentinels  []*sentinelProcess

	mu     sync.Mutex
	client *redis.Client
}

type sentinelProcess struct {
	port int
	dir  string
	proc *process
}

func (p *sentinelProcess) addr() string {
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(p.port))
}

// StartSentinel starts a master, a replica of it and three Sentinels on loopback
// ports, and returns when every Sentinel reports the replica and the two other
// Sentinels. WithPassword and WithACLUser apply to the data nodes, and
// WithSentinelPassword to the Sentinels.
func StartSentinel(t testing.TB, opts ...Option) *Sentinel {
	t.Helper()
	cfg := config{masterName: defaultMasterName}
	for _, opt := range opts {
		opt(&cfg)
	}
	if cfg.tls {
		t.Fatal("testredis: StartSentinel does not support WithTLS")
	}
	s := &Sentinel{t: t, cfg: cfg, masterName: cfg.masterName}

	master := startServer(t, cfg, false)
	replicaCfg := cfg
	replicaCfg.lines = append(slices.Clone(cfg.lines), fmt.Sprintf("replicaof 127.0.0.1 %d", master.Port()))
	replica := startServer(t, replicaCfg, false)
	s.servers = []*Server{master, replica}
	// Registered after the data nodes, so the Sentinels stop first and see no outage.
	t.Cleanup(s.stop)
	if err := waitFor(startTimeout, func() error { return replicaLinkUp(replica) }); err != nil {
		t.Fatalf("testredis: replica %s of %s: %v", replica.Addr(), master.Addr(), err)
	}

	sentinelBinary, sentinelArgs := sentinelCommand(t)
	for _, port := range freePorts(t, sentinelCount) {
		p := &sentinelProcess{port: port, dir: t.TempDir()}
		if err := s.launchSentinel(p, master.Port(), sentinelBinary, sentinelArgs); err != nil {
			t.Fatalf("testredis: start redis-sentinel on port %d: %v", port, err)
		}
		s.sentinels = append(s.sentinels, p)
	}

	for _, p := range s.sentinels {
		if err := waitFor(3*startTimeout, func() error { return s.sentinelReady(p) }); err != nil {
			t.Fatalf("testredis: sentinel %s: %v", p.addr(), err)
		}
	}
	return s
}

// sentinelCommand returns redis-sentinel when it is installed, otherwise
// redis-server with --sentinel, which runs the same code.
func sentinelCommand(t testing.TB) (string, []string) {
	if path, err := exec.LookPath("redis-sentinel"); err == nil {
		return path, nil
	}
	return lookBinary(t, "redis-server"), []string{"--sentinel"}
}

func (s *Sentinel) launchSentinel(p *sentinelProcess, masterPort int, binary string, extraArgs []string) error {
	var b strings.Builder
	line := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	line("bind 127.0.0.1")
	line("port %d", p.port)
	line("daemonize no")
	line("dir %s", quote(p.dir))
	line("logfile %s", quote(filepath.Join(p.dir, "sentinel.log")))
	line("sentinel monitor %s 127.0.0.1 %d 2", s.masterName, masterPort)
	line("sentinel down-after-milliseconds %s 1000", s.masterName)
	line("sentinel failover-timeout %s 10000", s.masterName)
	line("sentinel parallel-syncs %s 1", s.masterName)
	if s.cfg.password != "" {
		line("sentinel auth-pass %s %s", s.masterName, quote(s.cfg.password))
	}
	if s.cfg.sentinelPassword != "" {
		line("requirepass %s", quote(s.cfg.sentinelPassword))
		line("sentinel sentinel-pass %s", quote(s.cfg.sentinelPassword))
	}

	// Sentinel rewrites its configuration file, so it must be writable.
	confPath := filepath.Join(p.dir, "sentinel.conf")
	if err := os.WriteFile(confPath, []byte(b.String()), 0o600); err != nil {
		return err
	}
	proc, err := startProcess(binary, append([]string{confPath}, extraArgs...), p.dir)
	if err != nil {
		return err
	}
	if err := waitListening(proc, p.addr(), filepath.Join(p.dir, "sentinel.log")); err != nil {
		proc.kill()
		return err
	}
	p.proc = proc
	return nil
}

func (s *Sentinel) sentinelClient(p *sentinelProcess) *redis.SentinelClient {
	return redis.NewSentinelClient(&redis.Options{
		Addr:        p.addr(),
		Password:    s.cfg.sentinelPassword,
		DialTimeout: time.Second,
		ReadTimeout: 2 * time.Second,
		MaxRetries:  -1,
	})
}

// sentinelReady checks that p monitors a healthy master with one replica and two
// other Sentinels.
func (s *Sentinel) sentinelReady(p *sentinelProcess) error {
	client := s.sentinelClient(p)
	defer client.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()

	info, err := client.Master(ctx, s.masterName).Result()
	if err != nil {
		return err
	}
	if info["flags"] != "master" {
		return fmt.Errorf("master flags are %q", info["flags"])
	}
	if info["num-slaves"] != "1" {
		return fmt.Errorf("reports %s replicas, expected 1", info["num-slaves"])
	}
	if info["num-other-sentinels"] != strconv.Itoa(sentinelCount-1) {
		return fmt.Errorf("reports %s other sentinels, expected %d", info["num-other-sentinels"], sentinelCount-1)
	}
	return nil
}

// MasterName returns the name the Sentinels monitor the master under.
func (s *Sentinel) MasterName() string { return s.masterName }

// SentinelAddrs returns the host:port of every Sentinel.
func (s *Sentinel) SentinelAddrs() []string {
	addrs := make([]string, 0, len(s.sentinels))
	for _, p := range s.sentinels {
		addrs = append(addrs, p.addr())
	}
	return addrs
}

// Servers returns the two data nodes: the first master, then the first replica.
// Their roles swap with each Failover.
func (s *Sentinel) Servers() []*Server { return s.servers }

// MasterAddr returns the master's host:port as the first Sentinel reports it.
func (s *Sentinel) MasterAddr() string {
	s.t.Helper()
	addr, err := s.masterAddrBy(s.sentinels[0])
	if err != nil {
		s.t.Fatalf("testredis: get master address from %s: %v", s.sentinels[0].addr(), err)
	}
	return addr
}

func (s *Sentinel) masterAddrBy(p *sentinelProcess) (string, error) {
	client := s.sentinelClient(p)
	defer client.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()

	hostPort, err := client.GetMasterAddrByName(ctx, s.masterName).Result()
	if err != nil {
		return "", err
	}
	if len(hostPort) != 2 {
		return "", fmt.Errorf("unexpected reply %q", hostPort)
	}
	return net.JoinHostPort(hostPort[0], hostPort[1]), nil
}

// FailoverOptions returns new go-redis options for a client that finds the master
// through the Sentinels.
func (s *Sentinel) FailoverOptions() *redis.FailoverOptions {
	return &redis.FailoverOptions{
		MasterName:       s.masterName,
		SentinelAddrs:    s.SentinelAddrs(),
		SentinelPassword: s.cfg.sentinelPassword,
		Password:         s.cfg.password,
		DialTimeout:      time.Second,
		ReadTimeout:      2 * time.Second,
	}
}

// Client returns a Sentinel-aware client for assertions, closed when the test ends.
func (s *Sentinel) Client() *redis.Client {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.client == nil {
		s.client = redis.NewFailoverClient(s.FailoverOptions())
	}
	return s.client
}

// Failover requests a failover from a Sentinel (SENTINEL FAILOVER) and waits until every
// Sentinel reports the replica as the new master and that node has the master role.
// It returns the new master's host:port.
func (s *Sentinel) Failover() string {
	s.t.Helper()
	oldAddr := s.MasterAddr()

	client := s.sentinelClient(s.sentinels[0])
	defer client.Close()
	// Right after start-up, a Sentinel may not yet rate the replica as good enough to
	// promote (NOGOODSLAVE), so the request is repeated for a while.
	err := waitFor(startTimeout, func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		return client.Failover(ctx, s.masterName).Err()
	})
	if err != nil {
		s.t.Fatalf("testredis: SENTINEL FAILOVER %s: %v", s.masterName, err)
	}

	var newAddr string
	err = waitFor(3*startTimeout, func() error {
		for _, p := range s.sentinels {
			addr, err := s.masterAddrBy(p)
			if err != nil {
				return err
			}
			if addr == oldAddr {
				return fmt.Errorf("sentinel %s still reports master %s", p.addr(), oldAddr)
			}
			newAddr = addr
		}
		return s.checkRole(newAddr, "master")
	})
	if err != nil {
		s.t.Fatalf("testredis: failover from %s: %v", oldAddr, err)
	}
	return newAddr
}

func (s *Sentinel) checkRole(addr, expected string) error {
	for _, srv := range s.servers {
		if srv.Addr() != addr {
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		info, err := srv.Client().Info(ctx, "replication").Result()
		if err != nil {
			return err
		}
		if !strings.Contains(info, "role:"+expected+"\r\n") {
			return fmt.Errorf("%s does not have role %s yet", addr, expected)
		}
		return nil
	}
	return fmt.Errorf("%s is none of the data nodes", addr)
}

func replicaLinkUp(replica *Server) error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	info, err := replica.Client().Info(ctx, "replication").Result()
	if err != nil {
		return err
	}
	if !strings.Contains(info, "master_link_status:up") {
		return errors.New("replication link is not up")
	}
	return nil
}

func (s *Sentinel) stop() {
	s.mu.Lock()
	client := s.client
	s.client = nil
	s.mu.Unlock()
	if client != nil {
		_ = client.Close()
	}
	for _, p := range s.sentinels {
		if p.proc != nil {
			p.proc.kill()
		}
		if s.t.Failed() {
			s.t.Logf("testredis: log of redis-sentinel on port %d:\n%s",
				p.port, tail(filepath.Join(p.dir, "sentinel.log"), 20))
		}
	}
}

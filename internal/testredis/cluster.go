package testredis

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// clusterSlots is the number of hash slots of a Redis Cluster.
const clusterSlots = 16384

// clusterMasters is the number of masters StartCluster creates, the smallest number
// redis-cli --cluster create accepts.
const clusterMasters = 3

// Cluster is three cluster-enabled masters without replicas that share the hash slots.
type Cluster struct {
	t     testing.TB
	cfg   config
	nodes []*Server

	mu     sync.Mutex
	client *redis.ClusterClient
}

// StartCluster starts three masters, assigns each a third of the slots, joins them
// (CLUSTER MEET) and returns when every node reports cluster_state:ok.
func StartCluster(t testing.TB, opts ...Option) *Cluster {
	t.Helper()
	cfg := config{}
	for _, opt := range opts {
		opt(&cfg)
	}
	if cfg.tls {
		t.Fatal("testredis: StartCluster does not support WithTLS")
	}
	c := &Cluster{t: t, cfg: cfg}
	for range clusterMasters {
		c.nodes = append(c.nodes, startServer(t, cfg, true))
	}
	t.Cleanup(c.stop)

	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	if err := c.join(ctx); err != nil {
		t.Fatalf("testredis: create cluster: %v", err)
	}
	for _, node := range c.nodes {
		if err := waitFor(3*startTimeout, func() error { return clusterReady(node) }); err != nil {
			t.Fatalf("testredis: cluster node %s: %v", node.Addr(), err)
		}
	}
	return c
}

// join does what redis-cli --cluster create does for masters only: distinct config
// epochs, contiguous slot ranges, and a MEET from the first node to the others.
func (c *Cluster) join(ctx context.Context) error {
	perNode := clusterSlots / len(c.nodes)
	for i, node := range c.nodes {
		client := node.Client()
		if err := client.Do(ctx, "CLUSTER", "SET-CONFIG-EPOCH", i+1).Err(); err != nil {
			return fmt.Errorf("CLUSTER SET-CONFIG-EPOCH on %s: %w", node.Addr(), err)
		}
		first := i * perNode
		last := first + perNode - 1
		if i == len(c.nodes)-1 {
			last = clusterSlots - 1
		}
		if err := client.ClusterAddSlotsRange(ctx, first, last).Err(); err != nil {
			return fmt.Errorf("CLUSTER ADDSLOTS %d-%d on %s: %w", first, last, node.Addr(), err)
		}
	}

	first := c.nodes[0].Client()
	for _, node := range c.nodes[1:] {
		// The bus port is not port+10000 here, so MEET names it.
		err := first.Do(ctx, "CLUSTER", "MEET", "127.0.0.1", node.Port(), node.busPort).Err()
		if err != nil {
			return fmt.Errorf("CLUSTER MEET %s: %w", node.Addr(), err)
		}
	}
	return nil
}

func clusterReady(node *Server) error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	info, err := node.Client().ClusterInfo(ctx).Result()
	if err != nil {
		return err
	}
	fields := map[string]string{}
	for _, line := range strings.Split(info, "\r\n") {
		if name, value, ok := strings.Cut(line, ":"); ok {
			fields[name] = value
		}
	}
	if fields["cluster_state"] != "ok" {
		return fmt.Errorf("cluster_state is %q", fields["cluster_state"])
	}
	if fields["cluster_known_nodes"] != strconv.Itoa(clusterMasters) {
		return fmt.Errorf("reports %s known nodes, expected %d", fields["cluster_known_nodes"], clusterMasters)
	}
	if fields["cluster_slots_ok"] != strconv.Itoa(clusterSlots) {
		return fmt.Errorf("%s slots ok, expected %d", fields["cluster_slots_ok"], clusterSlots)
	}
	return nil
}

// Addrs returns the host:port of every node.
func (c *Cluster) Addrs() []string {
	addrs := make([]string, 0, len(c.nodes))
	for _, node := range c.nodes {
		addrs = append(addrs, node.Addr())
	}
	return addrs
}

// Nodes returns the three masters.
func (c *Cluster) Nodes() []*Server { return c.nodes }

// ClusterOptions returns new go-redis options for a client of the whole cluster.
func (c *Cluster) ClusterOptions() *redis.ClusterOptions {
	return &redis.ClusterOptions{
		Addrs:       c.Addrs(),
		Password:    c.cfg.password,
		DialTimeout: time.Second,
		ReadTimeout: 2 * time.Second,
	}
}

// Client returns a cluster client for assertions, closed when the test ends.
func (c *Cluster) Client() *redis.ClusterClient {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.client == nil {
		c.client = redis.NewClusterClient(c.ClusterOptions())
	}
	return c.client
}

func (c *Cluster) stop() {
	c.mu.Lock()
	client := c.client
	c.client = nil
	c.mu.Unlock()
	if client != nil {
		_ = client.Close()
	}
}

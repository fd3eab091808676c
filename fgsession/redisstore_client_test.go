package fgsession

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/fortigate-session-exporter/fortigate_session_exporter/internal/testredis"
)

func TestRedisClientConfigErrors(t *testing.T) {
	for name, cfg := range map[string]RedisConfig{
		"no address":             {},
		"empty address":          {Addrs: []string{" "}},
		"sentinel and cluster":   {Addrs: []string{"127.0.0.1:26379"}, MasterName: "m", Cluster: true},
		"cluster with db":        {Addrs: []string{"127.0.0.1:7000"}, Cluster: true, DB: 2},
		"two addrs, single mode": {Addrs: []string{"127.0.0.1:7000", "127.0.0.1:7001"}},
		"negative db":            {Addrs: []string{"127.0.0.1:7000"}, DB: -1},
	} {
		client, err := NewRedisClient(cfg)
		if err == nil {
			_ = client.Close()
			t.Errorf("%s: no error", name)
		}
	}
}

func TestRedisClientDefaults(t *testing.T) {
	client, err := NewRedisClient(RedisConfig{Addrs: []string{"127.0.0.1:7000"}})
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	opts := client.(*redis.Client).Options()

	if opts.DialTimeout != 500*time.Millisecond {
		t.Errorf("DialTimeout = %v, expected 500ms", opts.DialTimeout)
	}
	if opts.ReadTimeout != 300*time.Millisecond || opts.WriteTimeout != 300*time.Millisecond {
		t.Errorf("ReadTimeout/WriteTimeout = %v/%v, expected 300ms", opts.ReadTimeout, opts.WriteTimeout)
	}
	if opts.MaxRetries != 1 {
		t.Errorf("MaxRetries = %d, expected 1", opts.MaxRetries)
	}
	if !opts.ContextTimeoutEnabled {
		t.Error("ContextTimeoutEnabled = false")
	}
	if opts.DialerRetries != 1 {
		t.Errorf("DialerRetries = %d, expected 1", opts.DialerRetries)
	}

	client, err = NewRedisClient(RedisConfig{Addrs: []string{"127.0.0.1:7000"}, MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	// go-redis takes -1 as "no retries" and stores it as 0 once the client is built.
	if n := client.(*redis.Client).Options().MaxRetries; n != 0 {
		t.Errorf("MaxRetries for a negative setting = %d, expected 0 (no retries)", n)
	}
}

func TestRedisClientConfigHidesPasswords(t *testing.T) {
	cfg := RedisConfig{
		Addrs: []string{"127.0.0.1:26379"}, MasterName: "m",
		Username: "exporter", Password: "data-Secret-71", SentinelPassword: "sentinel-Secret-72",
	}
	var logs bytes.Buffer
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("redis", "config", cfg)

	for name, text := range map[string]string{
		"%v":   fmt.Sprintf("%v", cfg),
		"%+v":  fmt.Sprintf("%+v", cfg),
		"%#v":  fmt.Sprintf("%#v", cfg),
		"slog": logs.String(),
	} {
		if strings.Contains(text, "Secret") {
			t.Errorf("%s shows a password: %s", name, text)
		}
		if !strings.Contains(text, "exporter") {
			t.Errorf("%s lacks the username: %s", name, text)
		}
	}
}

func TestRedisClientAuthentication(t *testing.T) {
	srv := testredis.Start(t, testredis.WithPassword("default-pw"), testredis.WithACLUser("exporter", "user-pw"))
	ctx := redisTestContext(t)

	for name, tc := range map[string]struct {
		username, password string
		ok                 bool
	}{
		"default user":   {password: "default-pw", ok: true},
		"ACL user":       {username: "exporter", password: "user-pw", ok: true},
		"wrong password": {username: "exporter", password: "nope", ok: false},
		"no password":    {ok: false},
	} {
		client, err := NewRedisClient(RedisConfig{
			Addrs: []string{srv.Addr()}, Username: tc.username, Password: tc.password,
		})
		if err != nil {
			t.Fatal(err)
		}
		store := NewRedisStore(client, RedisStoreOptions{})
		err = store.Ping(ctx)
		_ = store.Close()
		if tc.ok && err != nil {
			t.Errorf("%s: Ping: %v", name, err)
		}
		if !tc.ok && err == nil {
			t.Errorf("%s: Ping succeeded", name)
		}
		if err != nil && strings.Contains(err.Error(), tc.password) && tc.password != "" {
			t.Errorf("%s: error shows the password: %v", name, err)
		}
	}
}

func TestRedisClientTLSAndDB(t *testing.T) {
	srv := testredis.Start(t, testredis.WithTLS())
	client, err := NewRedisClient(RedisConfig{Addrs: []string{srv.Addr()}, TLS: srv.TLSConfig(), DB: 3})
	if err != nil {
		t.Fatal(err)
	}
	store := NewRedisStore(client, RedisStoreOptions{})
	defer store.Close()
	ctx := redisTestContext(t)

	putLocked(t, store, "abc", "token-a", redisTestRecord("r1"))
	if rec, err := store.Get(ctx, "abc"); rec == nil || err != nil {
		t.Errorf("Get over TLS = %v, %v", rec, err)
	}
	opts := srv.Options()
	opts.DB = 3
	db3 := redis.NewClient(opts)
	defer db3.Close()
	exists, err := db3.Exists(ctx, store.Key("abc", kindSession)).Result()
	if err != nil {
		t.Fatal(err)
	}
	if exists != 1 {
		t.Error("record is not in database 3")
	}
}

func TestRedisStoreSentinelFailover(t *testing.T) {
	sentinel := testredis.StartSentinel(t, testredis.WithPassword("data-pw"), testredis.WithSentinelPassword("sentinel-pw"))
	client, err := NewRedisClient(RedisConfig{
		Addrs:            sentinel.SentinelAddrs(),
		MasterName:       sentinel.MasterName(),
		Password:         "data-pw",
		SentinelPassword: "sentinel-pw",
	})
	if err != nil {
		t.Fatal(err)
	}
	store := NewRedisStore(client, RedisStoreOptions{})
	defer store.Close()
	ctx := redisTestContext(t)

	want := redisTestRecord("r1")
	putLocked(t, store, "abc", "token-a", want)
	// Replication is asynchronous: wait until the replica has the record.
	master := sentinel.Servers()[0].Client()
	if n, err := master.Do(ctx, "WAIT", 1, 2000).Int(); err != nil || n != 1 {
		t.Fatalf("WAIT for the replica = %d, %v", n, err)
	}

	newMaster := sentinel.Failover()
	began := time.Now()
	var lastErr error
	for time.Since(began) < 10*time.Second {
		opCtx, cancel := context.WithTimeout(ctx, time.Second)
		_, lastErr = store.Put(opCtx, "abc", "token-a", redisTestRecord("r2"), time.Minute)
		cancel()
		if lastErr == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if lastErr != nil {
		t.Fatalf("Put after failover to %s: still failing after 10s: %v", newMaster, lastErr)
	}
	t.Logf("store worked again %v after the failover finished", time.Since(began).Round(time.Millisecond))

	got, err := store.Get(ctx, "abc")
	if err != nil {
		t.Fatal(err)
	}
	if got == nil || got.ID != "r2" || got.Generation != 2 {
		t.Errorf("Get after failover = %+v, expected record r2 with generation 2", got)
	}
}

func TestRedisStoreCluster(t *testing.T) {
	cluster := testredis.StartCluster(t)
	client, err := NewRedisClient(RedisConfig{Addrs: cluster.Addrs(), Cluster: true})
	if err != nil {
		t.Fatal(err)
	}
	store := NewRedisStore(client, RedisStoreOptions{Sealer: sealTestSealer(t, sealTestKey(1))})
	defer store.Close()
	ctx := redisTestContext(t)
	raw := cluster.Client()

	// StartCluster gives node i the slots from i*5461 on.
	nodesUsed := map[int64]bool{}
	for i := range 12 {
		id := fmt.Sprintf("%x", i*7919)

		var slots []int64
		for _, kind := range []string{kindSession, kindLock, kindBackoff} {
			slot, err := raw.ClusterKeySlot(ctx, store.Key(id, kind)).Result()
			if err != nil {
				t.Fatal(err)
			}
			slots = append(slots, slot)
		}
		if slots[0] != slots[1] || slots[0] != slots[2] {
			t.Errorf("id %s: keys in slots %v, expected one slot", id, slots)
		}
		nodesUsed[min(slots[0]/5461, 2)] = true

		want := redisTestRecord("r-" + id)
		if gen := putLocked(t, store, id, "token-a", want); gen != 1 {
			t.Errorf("id %s: Put returned generation %d, expected 1", id, gen)
		}
		got, err := store.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		checkRecord(t, got, want, 1)
		if _, err := store.Put(ctx, id, "token-b", redisTestRecord("x"), time.Minute); err != ErrLockLost {
			t.Errorf("id %s: Put with another token: err = %v, expected ErrLockLost", id, err)
		}
		if err := store.SetBackoff(ctx, id, Backoff{Failures: 1, Until: time.Now().Add(time.Minute)}); err != nil {
			t.Errorf("id %s: SetBackoff: %v", id, err)
		}
		if deleted, err := store.Delete(ctx, id, "r-"+id); err != nil || !deleted {
			t.Errorf("id %s: Delete = %v, %v, expected true, nil", id, deleted, err)
		}
		if stored, err := store.PutIfAbsent(ctx, id, redisTestRecord("r2"), time.Minute); err != nil || !stored {
			t.Errorf("id %s: PutIfAbsent = %v, %v, expected true, nil", id, stored, err)
		}
		if err := store.Unlock(ctx, id, "token-a"); err != nil {
			t.Errorf("id %s: Unlock: %v", id, err)
		}
	}
	if len(nodesUsed) < 2 {
		t.Errorf("the ids landed on %d node(s), so the test did not cross nodes", len(nodesUsed))
	}
	if err := store.Ping(ctx); err != nil {
		t.Errorf("Ping: %v", err)
	}
}

package testredis

import (
	"context"
	"net"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestStartServesCommands(t *testing.T) {
	srv := Start(t)
	ctx := testContext(t)

	host, _, err := net.SplitHostPort(srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	if host != "127.0.0.1" {
		t.Errorf("host = %q, expected 127.0.0.1", host)
	}
	if srv.Port() == 6379 {
		t.Errorf("server took the default port 6379")
	}
	if err := srv.Client().Set(ctx, "k", "v", 0).Err(); err != nil {
		t.Fatalf("SET: %v", err)
	}
	if got := srv.Client().Get(ctx, "k").Val(); got != "v" {
		t.Errorf("GET k = %q, expected v", got)
	}
	save, err := srv.Client().ConfigGet(ctx, "save").Result()
	if err != nil {
		t.Fatal(err)
	}
	if save["save"] != "" {
		t.Errorf("save = %q, expected no RDB snapshots", save["save"])
	}
}

func TestKillAndRestart(t *testing.T) {
	srv := Start(t)
	ctx := testContext(t)
	client := srv.Client()
	if err := client.Set(ctx, "k", "v", 0).Err(); err != nil {
		t.Fatal(err)
	}

	srv.Kill()
	if err := client.Ping(ctx).Err(); err == nil {
		t.Fatal("PING after Kill succeeded")
	}

	srv.Restart()
	if err := client.Ping(ctx).Err(); err != nil {
		t.Fatalf("PING after Restart: %v", err)
	}
	if n := client.DBSize(ctx).Val(); n != 0 {
		t.Errorf("DBSIZE after Restart = %d, expected an empty data set", n)
	}
}

func TestPauseBlocksUntilResume(t *testing.T) {
	srv := Start(t)
	client := srv.Client()
	if err := client.Ping(testContext(t)).Err(); err != nil {
		t.Fatal(err)
	}

	srv.Pause()
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	err := client.Ping(ctx).Err()
	srv.Resume()
	if err == nil {
		t.Fatal("PING to a paused server succeeded")
	}

	if err := client.Ping(testContext(t)).Err(); err != nil {
		t.Errorf("PING after Resume: %v", err)
	}
}

func TestPasswordAndACLUser(t *testing.T) {
	srv := Start(t, WithPassword(`pa ss"word`), WithACLUser("exporter", "s3cret"))
	ctx := testContext(t)

	if err := srv.Client().Ping(ctx).Err(); err != nil {
		t.Fatalf("PING with the default user's password: %v", err)
	}

	opts := srv.Options()
	opts.Password = ""
	noAuth := redis.NewClient(opts)
	defer noAuth.Close()
	if err := noAuth.Ping(ctx).Err(); err == nil || !strings.Contains(err.Error(), "NOAUTH") {
		t.Errorf("PING without a password: err = %v, expected NOAUTH", err)
	}

	opts = srv.Options()
	opts.Username, opts.Password = "exporter", "s3cret"
	user := redis.NewClient(opts)
	defer user.Close()
	if err := user.Set(ctx, "k", "v", 0).Err(); err != nil {
		t.Errorf("SET as ACL user: %v", err)
	}
	whoami, err := user.Do(ctx, "ACL", "WHOAMI").Text()
	if err != nil {
		t.Fatal(err)
	}
	if whoami != "exporter" {
		t.Errorf("ACL WHOAMI = %q, expected exporter", whoami)
	}
}

func TestTLSOnly(t *testing.T) {
	srv := Start(t, WithTLS())
	ctx := testContext(t)

	if err := srv.Client().Ping(ctx).Err(); err != nil {
		t.Fatalf("PING over TLS: %v", err)
	}

	opts := srv.Options()
	opts.TLSConfig = nil
	opts.MaxRetries = -1
	opts.ReadTimeout = 500 * time.Millisecond
	plain := redis.NewClient(opts)
	defer plain.Close()
	if err := plain.Ping(ctx).Err(); err == nil {
		t.Error("PING without TLS succeeded on the TLS port")
	}
}

func TestSentinelFailover(t *testing.T) {
	sentinel := StartSentinel(t, WithMasterName("fortigate"))
	ctx := testContext(t)

	if got := sentinel.MasterName(); got != "fortigate" {
		t.Errorf("MasterName = %q, expected fortigate", got)
	}
	if n := len(sentinel.SentinelAddrs()); n != 3 {
		t.Errorf("%d sentinels, expected 3", n)
	}
	first := sentinel.MasterAddr()
	if first != sentinel.Servers()[0].Addr() {
		t.Errorf("master = %s, expected the first server %s", first, sentinel.Servers()[0].Addr())
	}
	if err := sentinel.Client().Set(ctx, "k", "v", 0).Err(); err != nil {
		t.Fatalf("SET through Sentinel: %v", err)
	}

	second := sentinel.Failover()
	if second != sentinel.Servers()[1].Addr() {
		t.Errorf("new master = %s, expected the replica %s", second, sentinel.Servers()[1].Addr())
	}
	err := waitFor(10*time.Second, func() error {
		return sentinel.Client().Set(ctx, "k2", "v", 0).Err()
	})
	if err != nil {
		t.Errorf("SET after failover: %v", err)
	}
	if got := sentinel.Servers()[1].Client().Get(ctx, "k").Val(); got != "v" {
		t.Errorf("GET k on the new master = %q, expected the replicated v", got)
	}
}

func TestSentinelPasswords(t *testing.T) {
	sentinel := StartSentinel(t, WithPassword("datapw"), WithSentinelPassword("sentinelpw"))
	ctx := testContext(t)
	if err := sentinel.Client().Set(ctx, "k", "v", 0).Err(); err != nil {
		t.Fatalf("SET through password-protected Sentinel: %v", err)
	}
}

func TestClusterServesAllSlots(t *testing.T) {
	cluster := StartCluster(t)
	ctx := testContext(t)
	client := cluster.Client()

	if n := len(cluster.Nodes()); n != 3 {
		t.Fatalf("%d nodes, expected 3", n)
	}
	var mu sync.Mutex
	masters := map[string]bool{}
	for i := range 50 {
		key := "key" + string(rune('a'+i%26)) + strings.Repeat("x", i)
		if err := client.Set(ctx, key, "v", 0).Err(); err != nil {
			t.Fatalf("SET %s: %v", key, err)
		}
	}
	err := client.ForEachMaster(ctx, func(ctx context.Context, node *redis.Client) error {
		n, err := node.DBSize(ctx).Result()
		if err != nil {
			return err
		}
		if n > 0 {
			mu.Lock()
			masters[node.Options().Addr] = true
			mu.Unlock()
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(masters) != 3 {
		t.Errorf("keys landed on %d masters, expected 3", len(masters))
	}
}

// recordingTB is a testing.TB that records whether a helper skips or fails the test.
type recordingTB struct {
	testing.TB
	skipped, failed bool
	message         string
}

func (r *recordingTB) Skip(args ...any) {
	r.skipped = true
	r.message = toString(args)
	runtime.Goexit()
}

func (r *recordingTB) Fatal(args ...any) {
	r.failed = true
	r.message = toString(args)
	runtime.Goexit()
}

func toString(args []any) string {
	var b strings.Builder
	for _, a := range args {
		if s, ok := a.(string); ok {
			b.WriteString(s)
		}
	}
	return b.String()
}

func TestMissingBinary(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	for _, tc := range []struct {
		ci       string
		wantSkip bool
	}{
		{ci: "", wantSkip: true},
		{ci: "false", wantSkip: true},
		{ci: "true", wantSkip: false},
	} {
		t.Setenv("CI", tc.ci)
		rec := &recordingTB{TB: t}
		done := make(chan struct{})
		go func() {
			defer close(done)
			Start(rec)
		}()
		<-done

		if rec.skipped != tc.wantSkip {
			t.Errorf("CI=%q: skipped = %v, expected %v", tc.ci, rec.skipped, tc.wantSkip)
		}
		if rec.failed == tc.wantSkip {
			t.Errorf("CI=%q: failed = %v, expected %v", tc.ci, rec.failed, !tc.wantSkip)
		}
		if !strings.Contains(rec.message, InstallCommand) {
			t.Errorf("CI=%q: message %q does not contain %q", tc.ci, rec.message, InstallCommand)
		}
	}
}

func TestQuoteConfigString(t *testing.T) {
	for in, expected := range map[string]string{
		"plain":    `"plain"`,
		`a"b`:      `"a\"b"`,
		`a\b`:      `"a\\b"`,
		"new\nln":  `"new\x0aln"`,
		"sp ace":   `"sp ace"`,
		"\xffbyte": `"\xffbyte"`,
	} {
		if got := quote(in); got != expected {
			t.Errorf("quote(%q) = %s, expected %s", in, got, expected)
		}
	}
}

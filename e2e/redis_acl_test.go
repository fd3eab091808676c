package e2e

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/fortigate-session-exporter/fortigate_session_exporter/internal/testredis"
)

// redisACL is the minimal Redis ACL rule the exporter needs, as the README
// documents it: its key prefix only, and the commands the store sends itself
// or from its Lua scripts.
const redisACL = "on >acl-Pass-123 resetkeys ~fortigate_session_exporter:* resetchannels " +
	"-@all +ping +get +set +del +hmget +evalsha +eval " +
	"+hget +hset +hdel +hexists +pexpire +pttl +type"

func TestMinimalRedisACL(t *testing.T) {
	redis := testredis.Start(t, testredis.WithConfig("user fgse "+redisACL))
	s := startSim(t)
	targets := writeTargets(t, s, "")
	args := []string{"--config.file=" + targets, "--redis.addr=" + redis.Addr(), "--redis.username=fgse"}
	env := []string{"REDIS_PASSWORD=acl-Pass-123"}
	replicas := []*exporter{
		startExporter(t, "exporter-acl-0", args, env),
		startExporter(t, "exporter-acl-1", args, env),
	}
	for round := 0; round < 3; round++ {
		for _, e := range replicas {
			_, families, err := scrape(context.Background(), e, "/probe?target=fw")
			if err != nil {
				t.Fatal(err)
			}
			if up, _ := value(families, "fortigate_up", ""); up != 1 {
				t.Fatalf("%s: fortigate_up = %v, want 1", e.name, up)
			}
		}
	}
	s.ExpireSessions(t)
	for _, e := range replicas {
		if _, _, err := scrape(context.Background(), e, "/probe?target=fw"); err != nil {
			t.Fatal(err)
		}
		_, families, err := scrape(context.Background(), e, "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		if v, _ := value(families, "fortigate_redis_up", ""); v != 1 {
			t.Errorf("%s: fortigate_redis_up = %v, want 1 with the minimal ACL", e.name, v)
		}
		for labels, v := range families["fortigate_redis_errors_total"].values {
			if v != 0 {
				t.Errorf("%s: fortigate_redis_errors_total{%s} = %v, want 0 (a command the ACL forbids?)", e.name, labels, v)
			}
		}
		if strings.Contains(e.Output(), "NOPERM") {
			t.Errorf("%s logged a NOPERM error:\n%s", e.name, lastLines(e.Output(), 10))
		}
	}
	if got := s.Stats(t).Logins; got != 2 {
		t.Errorf("simulator counted %d logins, want 2 (one, and one after the expiry)", got)
	}
}

func TestWrongRedisPasswordStopsStartup(t *testing.T) {
	redis := testredis.Start(t, testredis.WithPassword("right-Pass-1"))
	s := startSim(t)
	args := []string{"--config.file=" + writeTargets(t, s, ""), "--redis.addr=" + redis.Addr(),
		"--web.listen-address=127.0.0.1:0"}
	cmd := exec.Command(exporterBin, args...)
	cmd.Env = append(os.Environ(), "REDIS_PASSWORD=wrong-Pass-2")
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("exporter started with a wrong Redis password:\n%s", out)
	}
	if !strings.Contains(string(out), "redis rejected the exporter's credentials") {
		t.Errorf("start-up error does not say Redis rejected the credentials:\n%s", out)
	}
	if strings.Contains(string(out), "wrong-Pass-2") {
		t.Errorf("start-up output contains the Redis password:\n%s", out)
	}
	if got := s.Stats(t).Logins; got != 0 {
		t.Errorf("simulator counted %d logins, want 0", got)
	}
}

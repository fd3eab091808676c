package e2e

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/fortigate-session-exporter/fortigate_session_exporter/internal/testredis"
)

// sessionSecrets reads every session record the exporters stored in Redis
// (unsealed) and returns the credential values in them: session keys, cookie
// values and CSRF tokens.
func sessionSecrets(t *testing.T, redis *testredis.Server) []string {
	t.Helper()
	ctx := context.Background()
	client := redis.Client()
	keys, err := client.Keys(ctx, "*").Result()
	if err != nil {
		t.Fatal(err)
	}
	var raw []string
	for _, key := range keys {
		switch client.Type(ctx, key).Val() {
		case "string":
			raw = append(raw, client.Get(ctx, key).Val())
		case "hash":
			for _, v := range client.HGetAll(ctx, key).Val() {
				raw = append(raw, v)
			}
		}
	}
	var secrets []string
	for _, value := range raw {
		var rec struct {
			SessionKey string `json:"session_key"`
			CSRFToken  string `json:"csrf_token"`
			Cookies    []struct {
				Value string `json:"value"`
			} `json:"cookies"`
		}
		if json.Unmarshal([]byte(value), &rec) != nil {
			continue
		}
		for _, s := range []string{rec.SessionKey, rec.CSRFToken} {
			if len(s) >= 8 {
				secrets = append(secrets, s)
			}
		}
		for _, c := range rec.Cookies {
			if len(c.Value) >= 8 {
				secrets = append(secrets, c.Value)
			}
		}
	}
	return secrets
}

func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return string(body)
}

func TestSecretsStayOutOfOutput(t *testing.T) {
	redis := testredis.Start(t)
	s := startSim(t)
	good := startExporter(t, "exporter-good",
		[]string{"--config.file=" + writeTargets(t, s, ""), "--redis.addr=" + redis.Addr()}, nil)

	var pages []string
	collect := func(e *exporter) {
		for _, path := range []string{"/probe?target=fw", "/metrics", "/session?target=fw", "/"} {
			pages = append(pages, get(t, e.URL+path))
		}
	}
	collect(good)
	secrets := sessionSecrets(t, redis)
	if len(secrets) == 0 {
		t.Fatal("found no session record in Redis; the test would check nothing")
	}
	s.ExpireSessions(t)
	collect(good)
	secrets = append(secrets, sessionSecrets(t, redis)...)

	// A wrong password: its rejection is logged and shown, the password is not.
	wrong := "Wr0ng-Pass-" + s.Password
	bad := startExporter(t, "exporter-bad", nil, []string{
		"FORTIGATE_HOST=" + s.URL, "FORTIGATE_USERNAME=admin",
		"FORTIGATE_PASSWORD=" + wrong, "FORTIGATE_CA_FILE=" + s.CAFile,
	})
	collect(bad)
	time.Sleep(100 * time.Millisecond)
	if !strings.Contains(bad.Output(), "bad_credentials") {
		t.Errorf("the rejected login is not logged with its reason:\n%s", lastLines(bad.Output(), 20))
	}

	secrets = append(secrets, s.Password, wrong)
	outputs := map[string]string{
		"exporter-good log": good.Output(),
		"exporter-bad log":  bad.Output(),
		"HTTP pages":        strings.Join(pages, "\n"),
	}
	for where, text := range outputs {
		for _, secret := range secrets {
			if strings.Contains(text, secret) {
				t.Errorf("%s contains a secret (%d characters, starting %q)", where, len(secret), secret[:3])
			}
		}
	}
}

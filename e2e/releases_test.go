package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fortigate-session-exporter/fortigate_session_exporter/internal/testredis"
)

func TestEveryReleaseOneLogin(t *testing.T) {
	redis := testredis.Start(t)
	for i, release := range []string{"6.4.15", "7.0.17", "7.2.10", "7.4.8", "7.6.3", "7.6.4"} {
		t.Run(release, func(t *testing.T) {
			s := startSim(t, "--fortios-version="+release)
			targets := writeTargets(t, s, "    login_method: auto\n")
			args := []string{"--config.file=" + targets, "--redis.addr=" + redis.Addr(),
				fmt.Sprintf("--redis.key-prefix=release%d:", i)}
			replicas := startReplicas(t, 2, args)
			for round := 0; round < 10; round++ {
				for _, e := range replicas {
					_, families, err := scrape(context.Background(), e, "/probe?target=fw")
					if err != nil {
						t.Fatalf("round %d, %s: %v", round, e.name, err)
					}
					if up, _ := value(families, "fortigate_up", ""); up != 1 {
						t.Fatalf("round %d, %s: fortigate_up = %v, want 1", round, e.name, up)
					}
					if ok, _ := value(families, "fortigate_scrape_collector_success", "collector=system_status"); ok != 1 {
						t.Errorf("round %d, %s: system_status collector failed", round, e.name)
					}
				}
			}
			if got := s.Stats(t).Logins; got != 1 {
				t.Errorf("simulator of %s counted %d logins for 2 replicas × 10 scrapes, want 1", release, got)
			}
		})
	}
}

func TestTokenStaysInTheHeader(t *testing.T) {
	token := "e2eTokenValue0123456789abcdefXYZ"
	dir := t.TempDir()
	tokenFile := filepath.Join(dir, "token")
	if err := os.WriteFile(tokenFile, []byte(token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// FortiOS 7.6.4 with rest-api-key-url-query disabled (its default)
	// rejects a request that carries the token in the URL.
	s := startSim(t, "--fortios-version=7.6.4", "--token-file="+tokenFile, "--log.level=debug")
	yml := fmt.Sprintf("targets:\n  - name: fw\n    url: %s\n    token_file: %s\n    tls:\n      ca_file: %s\n",
		s.URL, tokenFile, s.CAFile)
	targets := filepath.Join(dir, "targets.yml")
	if err := os.WriteFile(targets, []byte(yml), 0o600); err != nil {
		t.Fatal(err)
	}
	e := startExporter(t, "exporter-token", []string{"--config.file=" + targets}, nil)

	body, families, err := scrape(context.Background(), e, "/probe?target=fw")
	if err != nil {
		t.Fatal(err)
	}
	if up, _ := value(families, "fortigate_up", ""); up != 1 {
		t.Fatalf("fortigate_up = %v, want 1", up)
	}
	if got := s.Stats(t).Logins; got != 0 {
		t.Errorf("simulator counted %d logins for a token target, want 0", got)
	}
	pages := body + get(t, e.URL+"/session?target=fw") + get(t, e.URL+"/metrics")
	for where, text := range map[string]string{"exporter log": e.Output(), "pages": pages, "simulator log": s.Output()} {
		if strings.Contains(text, token) {
			t.Errorf("the token appears in the %s", where)
		}
	}
	if strings.Contains(s.Output(), "access_token") {
		t.Errorf("the simulator saw an access_token query parameter:\n%s", lastLines(s.Output(), 10))
	}
}

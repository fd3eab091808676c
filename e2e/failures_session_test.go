package e2e

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/fortigate-session-exporter/fortigate_session_exporter/fgsession"
	"github.com/fortigate-session-exporter/fortigate_session_exporter/internal/testredis"
)

// Failure tests of the session record itself: rotation at its TTL, sealing
// in Redis, and the source address a FortiGate binds a session to.

func TestRotationBoundsLiveSessions(t *testing.T) {
	const (
		ttl      = 10 * time.Second
		duration = 35 * time.Second
	)
	redis := testredis.Start(t)
	s := startSim(t)
	targets := writeTargets(t, s, "")
	exporters := startExporters(t, 3, []string{"--config.file=" + targets, "--redis.addr=" + redis.Addr(),
		"--session.ttl=" + ttl.String(), "--session.logout-grace=3s"})

	var tally roundTally
	maxActive := 0
	start := time.Now()
	for round := 1; time.Since(start) < duration; round++ {
		tally.expectUp(scrapeRound(exporters, probePath, 10*time.Second, 1), 1)
		maxActive = max(maxActive, s.Stats(t).ActiveSessions)
		time.Sleep(time.Until(start.Add(time.Duration(round) * time.Second)))
	}
	tally.report(t, "scrapes with a 10s session TTL")

	stats := s.Stats(t)
	t.Logf("simulator: %d logins, %d logouts, peak %d sessions", stats.Logins, stats.Logouts, stats.PeakSessions)
	if stats.Logins < 3 || stats.Logins > 5 {
		t.Errorf("simulator counted %d logins in %v with a %v TTL, want 3 to 5", stats.Logins, duration, ttl)
	}
	if maxActive > 2 {
		t.Errorf("simulator had up to %d live sessions, want at most 2 (the new and the replaced one)", maxActive)
	}
	if stats.PeakSessions > 2 {
		t.Errorf("simulator peak_sessions = %d, want at most 2", stats.PeakSessions)
	}
	if stats.Logouts < stats.Logins-2 {
		t.Errorf("simulator counted %d logouts for %d logins, want at least %d (each replaced session "+
			"logged out after the grace period)", stats.Logouts, stats.Logins, stats.Logins-2)
	}
	rotations := sumMetric(t, exporters, "fortigate_session_relogins_total", "reason=rotation,target=fw")
	if int(rotations) != stats.Logins-1 {
		t.Errorf("fortigate_session_relogins_total{reason=rotation} summed over replicas = %v, want %d "+
			"(every login after the first)", rotations, stats.Logins-1)
	}
}

// recordSecrets returns the credential values of rec that are long enough to
// search for: the session key, the CSRF token and the cookie values.
func recordSecrets(rec fgsession.Record) []string {
	var secrets []string
	for _, v := range []string{rec.SessionKey, rec.CSRFToken} {
		if len(v) >= 8 {
			secrets = append(secrets, v)
		}
	}
	for _, c := range rec.Cookies {
		if len(c.Value) >= 8 {
			secrets = append(secrets, c.Value)
		}
	}
	return secrets
}

func TestSealedRecordsHideCredentials(t *testing.T) {
	redis := testredis.Start(t)
	s := startSim(t)
	targets := writeTargets(t, s, "")
	keyFile := writeKeyFile(t)
	base := []string{"--config.file=" + targets, "--redis.addr=" + redis.Addr()}
	sealed := startExporters(t, 2, append(base, "--redis.encryption-key-file="+keyFile))

	var tally roundTally
	tally.expectUp(scrapeRound(sealed, probePath, 10*time.Second, 5), 1)
	tally.report(t, "scrapes of two replicas with one encryption key")
	if got := s.Stats(t).Logins; got != 1 {
		t.Errorf("simulator counted %d logins for two replicas with one key, want 1", got)
	}

	// Open the record as the exporter does, to learn the credentials it contains.
	// The store binds a sealed record to its Redis key and record ID, joined
	// by a NUL byte.
	key := redisKey(t, s, "", "session")
	fields := redis.Client().HGetAll(context.Background(), key).Val()
	data := fields["data"]
	if !strings.HasPrefix(data, "FGS1") {
		t.Fatalf("session record %s is not sealed: its data field starts %q", key, data[:min(len(data), 4)])
	}
	sealer, err := fgsession.LoadSealer(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	plaintext, err := sealer.Open([]byte(data), []byte(key+"\x00"+fields["rid"]))
	if err != nil {
		t.Fatalf("opening the sealed record with the exporters' key: %v", err)
	}
	var rec fgsession.Record
	if err := json.Unmarshal(plaintext, &rec); err != nil {
		t.Fatalf("decoding the opened record: %v", err)
	}
	secrets := recordSecrets(rec)
	if len(secrets) == 0 {
		t.Fatal("the opened record contains no session key, CSRF token or cookie; the test would check nothing")
	}
	for _, v := range redisValues(t, redis.Client()) {
		for _, secret := range secrets {
			if strings.Contains(v, secret) {
				t.Errorf("a Redis value contains a credential of the session in plain text "+
					"(%d characters, starting %q)", len(secret), secret[:3])
			}
		}
	}

	// A replica with another key cannot open the record: it counts it as
	// unreadable and logs in itself.
	other := startExporter(t, "exporter-other-key",
		append(base, "--redis.encryption-key-file="+writeKeyFile(t)), nil)
	const unknownKey = "reason=unknown_key,record=session"
	before := metric(t, other, "fortigate_session_records_unreadable_total", unknownKey)
	var otherTally roundTally
	otherTally.expectUp(scrapeRound([]*exporter{other}, probePath, 10*time.Second, 1), 1)
	otherTally.report(t, "scrape of the replica with another key")
	after := metric(t, other, "fortigate_session_records_unreadable_total", unknownKey)
	if after <= before {
		t.Errorf("fortigate_session_records_unreadable_total{%s} went from %v to %v, want it to grow",
			unknownKey, before, after)
	}
	if got := s.Stats(t).Logins; got != 2 {
		t.Errorf("simulator counted %d logins after the replica with another key scraped, want 2", got)
	}
}

func TestSealingRolloutKeepsOldReplicasScraping(t *testing.T) {
	const scrapeTimeout = 3 * time.Second
	redis := testredis.Start(t)
	s := startSim(t)
	targets := writeTargets(t, s, "")
	base := []string{"--config.file=" + targets, "--redis.addr=" + redis.Addr()}
	old := startExporters(t, 2, base)
	var tally roundTally
	tally.expectUp(scrapeRound(old, probePath, 10*time.Second, 1), 1)
	tally.report(t, "scrapes of two replicas without an encryption key")

	// The first replica with sealing turned on cannot read the plain record,
	// so it logs in and stores a sealed one.
	upgraded := startExporter(t, "exporter-sealed",
		append(base, "--redis.encryption-key-file="+writeKeyFile(t)), nil)
	var upgradedTally roundTally
	upgradedTally.expectUp(scrapeRound([]*exporter{upgraded}, probePath, 10*time.Second, 1), 1)
	upgradedTally.report(t, "scrape of the replica with sealing")
	if got := s.Stats(t).Logins; got != 2 {
		t.Errorf("simulator counted %d logins after the sealed replica scraped, want 2", got)
	}

	// The replicas without a key cannot read the sealed record either. They
	// must go on with their kept session or log in, not wait for a record
	// until the scrape deadline.
	time.Sleep(recheckWait)
	var oldTally roundTally
	results := scrapeRound(old, probePath, scrapeTimeout, 1)
	oldTally.expectUp(results, 1)
	oldTally.expectWithin(results, 2*time.Second)
	oldTally.report(t, "scrapes of the replicas without a key after a sealed record was stored")
	if got := metric(t, old[0], "fortigate_session_records_unreadable_total", "reason=no_key,record=session"); got == 0 {
		t.Errorf("%s: fortigate_session_records_unreadable_total{reason=no_key} = 0, want at least 1", old[0].name)
	}
}

// writeSourceTargets writes a targets file for s with the given source
// address and session group ("" for none).
func writeSourceTargets(t *testing.T, s *sim, source, group string) string {
	t.Helper()
	extra := "    source_address: " + source + "\n"
	if group != "" {
		extra += "    session_group: " + group + "\n"
	}
	return writeTargets(t, s, extra)
}

// scrapeInTurn scrapes each exporter in turn, three rounds with the 1 s
// record reuse passed between them, so each round reads the shared record.
func scrapeInTurn(exporters []*exporter) *roundTally {
	var tally roundTally
	for range 3 {
		for _, e := range exporters {
			tally.expectUp(scrapeRound([]*exporter{e}, probePath, 10*time.Second, 1), 1)
		}
		time.Sleep(recheckWait)
	}
	return &tally
}

func TestSourceAddressSameGroupEndsSession(t *testing.T) {
	redis := testredis.Start(t)
	s := startSim(t, "--bind-source-ip")
	var exporters []*exporter
	for _, source := range []string{"127.0.0.1", "127.0.0.2"} {
		targets := writeSourceTargets(t, s, source, "")
		exporters = append(exporters, startExporter(t, "exporter-"+source,
			[]string{"--config.file=" + targets, "--redis.addr=" + redis.Addr()}, nil))
	}

	scrapeInTurn(exporters)

	stats := s.Stats(t)
	t.Logf("simulator: %d logins, %d source address violations", stats.Logins, stats.SourceIPViolations)
	if stats.SourceIPViolations == 0 {
		t.Error("simulator ended no session for a source address change, want at least 1 " +
			"with one session shared from 127.0.0.1 and 127.0.0.2")
	}
	if stats.Logins < 2 {
		t.Errorf("simulator counted %d logins, want at least 2 (a new login after the session was ended)",
			stats.Logins)
	}
	if got := sumMetric(t, exporters, "fortigate_session_relogins_total", "reason=unauthorized,target=fw"); got == 0 {
		t.Error("fortigate_session_relogins_total{reason=unauthorized} is 0 on both replicas, want at least 1")
	}
}

func TestSourceAddressSeparateGroups(t *testing.T) {
	redis := testredis.Start(t)
	s := startSim(t, "--bind-source-ip")
	var exporters []*exporter
	for source, group := range map[string]string{"127.0.0.1": "nat-a", "127.0.0.2": "nat-b"} {
		targets := writeSourceTargets(t, s, source, group)
		exporters = append(exporters, startExporter(t, "exporter-"+group,
			[]string{"--config.file=" + targets, "--redis.addr=" + redis.Addr()}, nil))
	}

	scrapeInTurn(exporters).report(t, "scrapes with one session group per source address")

	stats := s.Stats(t)
	if stats.Logins != 2 {
		t.Errorf("simulator counted %d logins, want 2 (one per session group)", stats.Logins)
	}
	if stats.SourceIPViolations != 0 {
		t.Errorf("simulator ended %d sessions for a source address change, want 0", stats.SourceIPViolations)
	}
	if stats.ExpiredSessions != 0 {
		t.Errorf("simulator ended %d sessions, want 0", stats.ExpiredSessions)
	}
	if got := sumMetric(t, exporters, "fortigate_session_relogins_total", "reason=unauthorized,target=fw"); got != 0 {
		t.Errorf("fortigate_session_relogins_total{reason=unauthorized} summed over replicas = %v, want 0", got)
	}
	for _, group := range []string{"nat-a", "nat-b"} {
		key := redisKey(t, s, group, "session")
		if !redis.Client().HExists(context.Background(), key, "data").Val() {
			t.Errorf("Redis has no session record for group %s at %s", group, key)
		}
	}
}

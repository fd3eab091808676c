package e2e

import (
	"testing"
	"time"

	"github.com/fortigate-session-exporter/fortigate_session_exporter/internal/testredis"
)

func TestScratchBackoffRace(t *testing.T) {
	redis := testredis.Start(t)
	s := startSim(t, "--lockout-threshold=-1")
	targets := writeTargetsWithPassword(t, s, "Wr0ng-"+s.Password, "")
	exporters := startExporters(t, 10, []string{"--config.file=" + targets,
		"--redis.addr=" + redis.Addr(), "--session.login-backoff=500ms"})
	start := time.Now()
	for time.Since(start) < 20*time.Second {
		scrapeRound(exporters, probePath, 10*time.Second, 3)
		time.Sleep(20 * time.Millisecond)
	}
	t.Logf("failed logins %d (schedule 0, .5, 1.5, 3.5, 7.5, 15.5 gives 6)", s.Stats(t).FailedLogins)
}

func TestScratchSealPingPong(t *testing.T) {
	redis := testredis.Start(t)
	s := startSim(t)
	targets := writeTargets(t, s, "")
	base := []string{"--config.file=" + targets, "--redis.addr=" + redis.Addr()}
	a := startExporters(t, 2, append(base, "--redis.encryption-key-file="+writeKeyFile(t)))
	b := startExporter(t, "other", append(base, "--redis.encryption-key-file="+writeKeyFile(t)), nil)
	all := append(a, b)
	for i := 0; i < 10; i++ {
		scrapeRound(all, probePath, 10*time.Second, 1)
		time.Sleep(recheckWait)
	}
	st := s.Stats(t)
	t.Logf("after 10 rounds: logins %d active %d logouts %d", st.Logins, st.ActiveSessions, st.Logouts)
}

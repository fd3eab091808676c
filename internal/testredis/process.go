package testredis

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"time"
)

// process is one started redis-server or redis-sentinel.
type process struct {
	cmd  *exec.Cmd
	done chan struct{} // closed when the process has exited and was reaped
}

func startProcess(binary string, args []string, dir string) (*process, error) {
	cmd := exec.Command(binary, args...)
	cmd.Dir = dir
	// The servers log to a file, so their console output is discarded.
	cmd.Stdout = nil
	cmd.Stderr = nil
	killWithParent(cmd)
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &process{cmd: cmd, done: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// kill sends SIGKILL, which also ends a process stopped by SIGSTOP, and waits for it.
func (p *process) kill() {
	if !p.exited() {
		_ = p.cmd.Process.Kill()
	}
	<-p.done
}

// waitListening waits until addr accepts TCP connections, or returns an error with
// the end of logFile when the process exits or startTimeout passes first.
func waitListening(p *process, addr, logFile string) error {
	deadline := time.Now().Add(startTimeout)
	for time.Now().Before(deadline) {
		if p.exited() {
			return fmt.Errorf("exited during start-up: %s", tail(logFile, 5))
		}
		conn, err := net.DialTimeout("tcp", addr, 100*time.Millisecond)
		if err == nil {
			_ = conn.Close()
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("not listening on %s after %v: %s", addr, startTimeout, tail(logFile, 5))
}

// waitFor calls check until it returns nil or timeout passes, and returns the last error.
func waitFor(timeout time.Duration, check func() error) error {
	deadline := time.Now().Add(timeout)
	for {
		err := check()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("still failing after %v: %w", timeout, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// tail returns the last n lines of the file at path, for error messages.
func tail(path string, n int) string {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return "(no log file)"
	}
	if err != nil {
		return err.Error()
	}
	defer f.Close()

	var lines []string
	scanner := bufio.NewScanner(f)
	for scanner.Scan() {
		lines = append(lines, scanner.Text())
		if len(lines) > n {
			lines = lines[1:]
		}
	}
	return strings.Join(lines, "\n")
}

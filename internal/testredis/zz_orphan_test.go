package testredis

import (
	"fmt"
	"os"
	"testing"
)

func TestZZOrphan(t *testing.T) {
	srv := Start(t)
	fmt.Printf("PID %d\n", srv.proc.cmd.Process.Pid)
	os.Exit(3)
}

package testredis

import (
	"os/exec"
	"syscall"
)

// killWithParent makes the kernel send SIGKILL to the server when the test binary
// dies without running its cleanups, such as on a panic timeout or a kill. Linux
// sends it when the thread that started the child exits, and the Go runtime keeps
// its threads for the life of the process, except threads of goroutines that exit
// while locked with runtime.LockOSThread.
func killWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}

//go:build !linux

package testredis

import "os/exec"

// killWithParent does nothing outside Linux, so there a test binary that dies
// without running its cleanups leaves its servers running.
func killWithParent(*exec.Cmd) {}

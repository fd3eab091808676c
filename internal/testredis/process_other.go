//go:build !linux

package testredis

import "os/exec"

// killWithParent does nothing outside Linux: a test binary that dies without its
// cleanups leaves its servers running there.
func killWithParent(*exec.Cmd) {}

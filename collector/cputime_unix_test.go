//go:build unix

package collector

import (
	"syscall"
	"time"
)

// processCPUTime returns the user and system CPU time of the test process so
// far, or false when the system does not report it.
func processCPUTime() (time.Duration, bool) {
	var usage syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &usage); err != nil {
		return 0, false
	}
	return time.Duration(usage.Utime.Nano() + usage.Stime.Nano()), true
}

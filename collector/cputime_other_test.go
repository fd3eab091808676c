//go:build !unix

package collector

import "time"

// processCPUTime reports no CPU time outside Unix systems.
func processCPUTime() (time.Duration, bool) { return 0, false }

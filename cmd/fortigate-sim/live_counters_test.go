package main

import (
	"io"
	"os"
	"path/filepath"
	"testing"
)

func TestLiveCountersFlag(t *testing.T) {
	pw := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(pw, []byte("secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args []string
		want bool
	}{
		{nil, true},
		{[]string{"--live-counters"}, true},
		{[]string{"--no-live-counters"}, false},
	}
	for _, tt := range tests {
		c, err := parseFlags(append([]string{"--password-file=" + pw}, tt.args...), io.Discard, io.Discard)
		if err != nil {
			t.Fatalf("%v: %v", tt.args, err)
		}
		if c.opts.LiveCounters != tt.want {
			t.Errorf("%v: LiveCounters %v, expected %v", tt.args, c.opts.LiveCounters, tt.want)
		}
	}
}

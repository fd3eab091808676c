package collector

import (
	"io/fs"
	"strings"
	"testing"

	"github.com/fortigate-session-exporter/fortigate_session_exporter/fixtures"
)

// addFixtureSeeds adds the fixture files of endpoint from every release line,
// the scope=global variant included, to the seed corpus of f.
func addFixtureSeeds(f *testing.F, endpoint string) {
	f.Helper()
	added := 0
	err := fs.WalkDir(fixtures.FS(), "fortios", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		_, rest, _ := strings.Cut(strings.TrimPrefix(path, "fortios/"), "/")
		name := strings.TrimSuffix(strings.TrimSuffix(rest, ".json"), ".global")
		if name != endpoint {
			return nil
		}
		data, err := fs.ReadFile(fixtures.FS(), path)
		if err != nil {
			return err
		}
		f.Add(data)
		added++
		return nil
	})
	if err != nil {
		f.Fatalf("read fixtures of %s: %v", endpoint, err)
	}
	if added == 0 {
		f.Fatalf("no fixture file of %s found", endpoint)
	}
}

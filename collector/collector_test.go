package collector

import (
	"slices"
	"strings"
	"testing"

	"github.com/alecthomas/kingpin/v2"
	"github.com/prometheus/client_golang/prometheus"
)

// defaultCollectors are the names of the collectors that are on by default.
var defaultCollectors = func() []string {
	var names []string
	for _, r := range registrations {
		if r.defaultEnabled {
			names = append(names, r.name)
		}
	}
	return names
}()

// allExcept returns defaultCollectors without the given names.
func allExcept(names ...string) []string {
	return slices.DeleteFunc(slices.Clone(defaultCollectors), func(name string) bool {
		return slices.Contains(names, name)
	})
}

// resetFlags puts every collector back to its default state after a test that
// parsed collector flags.
func resetFlags(t *testing.T) {
	t.Cleanup(func() {
		for _, r := range registrations {
			r.enabled = r.defaultEnabled
		}
	})
}

func TestNames(t *testing.T) {
	got := Names()
	if !slices.IsSorted(got) {
		t.Errorf("Names() = %q, want them sorted", got)
	}
	for _, want := range []string{
		"system_ha_statistics", "system_interface", "system_resource_usage", "system_status",
	} {
		if !slices.Contains(got, want) {
			t.Errorf("Names() = %q, want it to contain %q", got, want)
		}
	}
}

func TestSelect(t *testing.T) {
	tests := []struct {
		name    string
		include []string
		exclude []string
		want    []string
		wantErr string
	}{
		{name: "defaults", want: defaultCollectors},
		{
			name:    "include replaces the set",
			include: []string{"system_status", "system_interface", "system_status"},
			want:    []string{"system_interface", "system_status"},
		},
		{
			name:    "exclude removes from the defaults",
			exclude: []string{"system_ha_statistics"},
			want:    allExcept("system_ha_statistics"),
		},
		{
			name:    "exclude removes from the include list",
			include: []string{"system_status", "system_interface"},
			exclude: []string{"system_status"},
			want:    []string{"system_interface"},
		},
		{
			name:    "unknown include",
			include: []string{"system_sensors"},
			wantErr: `unknown collector "system_sensors" in the include list, valid collectors are ` +
				strings.Join(Names(), ", "),
		},
		{
			name:    "unknown exclude",
			exclude: []string{"vpn"},
			wantErr: `unknown collector "vpn" in the exclude list`,
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Select(tt.include, tt.exclude)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Select() error = %v, want it to contain %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Select() error = %v", err)
			}
			if !slices.Equal(got, tt.want) {
				t.Fatalf("Select() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestRegisterFlags(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{name: "defaults", want: defaultCollectors},
		{
			name: "negated flag",
			args: []string{"--no-collector.system_interface"},
			want: allExcept("system_interface"),
		},
		{
			name: "explicitly enabled",
			args: []string{"--collector.system_status"},
			want: defaultCollectors,
		},
		{
			name: "two negated flags",
			args: []string{"--no-collector.system_status", "--no-collector.system_ha_statistics"},
			want: allExcept("system_status", "system_ha_statistics"),
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resetFlags(t)
			app := kingpin.New("test", "")
			RegisterFlags(app)
			if _, err := app.Parse(tt.args); err != nil {
				t.Fatalf("Parse(%q) error = %v", tt.args, err)
			}

			got, err := Select(nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) {
				t.Fatalf("Select() after %q = %q, want %q", tt.args, got, tt.want)
			}
		})
	}
}

func TestRegisterFlagsIncludeOverridesFlags(t *testing.T) {
	resetFlags(t)
	app := kingpin.New("test", "")
	RegisterFlags(app)
	if _, err := app.Parse([]string{"--no-collector.system_status"}); err != nil {
		t.Fatal(err)
	}

	got, err := Select([]string{"system_status"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, []string{"system_status"}) {
		t.Fatalf("Select() = %q, want the include list to win over the flag", got)
	}
}

func TestRegisterFlagsHelpNamesEndpoints(t *testing.T) {
	resetFlags(t)
	app := kingpin.New("test", "")
	RegisterFlags(app)

	flag := app.GetFlag("collector.system_interface")
	if flag == nil {
		t.Fatal("flag --collector.system_interface is missing")
	}
	if got := flag.Model().Help; !strings.Contains(got, "monitor/system/interface") {
		t.Fatalf("help = %q, want it to name the endpoint", got)
	}
}

// Every collector's metrics must have distinct names, follow the naming rules
// that METRICS.md promises, and use the type their name implies.
func TestMetricDefinitions(t *testing.T) {
	seen := map[string]string{}
	for _, doc := range MetricDocs() {
		if owner, ok := seen[doc.Name]; ok {
			t.Errorf("metric %s is defined by %s and %s", doc.Name, owner, doc.Collector)
		}
		seen[doc.Name] = doc.Collector

		if !strings.HasPrefix(doc.Name, namespace+"_") {
			t.Errorf("metric %s lacks the %s_ prefix", doc.Name, namespace)
		}
		if isCounter := doc.Type == "counter"; isCounter != strings.HasSuffix(doc.Name, "_total") {
			t.Errorf("metric %s is a %s, and only counters end in _total", doc.Name, doc.Type)
		}
		if strings.HasSuffix(doc.Name, "_ratio") && doc.Unit != "ratio" {
			t.Errorf("metric %s has unit %q, want ratio", doc.Name, doc.Unit)
		}
		isSelf := doc.Collector == "scrape" || doc.Collector == "exporter"
		if !isSelf && doc.Endpoint == "" {
			t.Errorf("metric %s of collector %s names no endpoint", doc.Name, doc.Collector)
		}
		if doc.Help == "" {
			t.Errorf("metric %s has no help text", doc.Name)
		}
	}
}

func TestMetricTypesMatchValueTypes(t *testing.T) {
	for _, r := range registrations {
		for _, m := range r.collector.metrics() {
			if m.valueType != prometheus.GaugeValue && m.valueType != prometheus.CounterValue {
				t.Errorf("metric %s has value type %v, want gauge or counter", m.name, m.valueType)
			}
		}
	}
}

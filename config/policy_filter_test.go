package config

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestLoadPolicyFilter(t *testing.T) {
	dir := fixtureDir(t)
	path := writeFile(t, dir, "targets.yml", `targets:
  - name: fw1
    url: fw1.example.com
    username: monitor
    password_file: password.txt
    policy_filter:
      ids: [0, 7, 10-20, " 30 - 40 "]
      names: ["^vpn-", "-dmz$"]
  - name: fw2
    url: fw2.example.com
    username: monitor
    password_file: password.txt
`)
	cfg, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}

	filter := cfg.Target("fw1").PolicyFilter
	if filter == nil {
		t.Fatal("fw1 has no policy filter")
	}
	want := []PolicyIDRange{{0, 0}, {7, 7}, {10, 20}, {30, 40}}
	if len(filter.IDs) != len(want) {
		t.Fatalf("IDs %v, want %v", filter.IDs, want)
	}
	for i := range want {
		if filter.IDs[i] != want[i] {
			t.Errorf("IDs[%d] = %v, want %v", i, filter.IDs[i], want[i])
		}
	}
	if len(filter.Names) != 2 {
		t.Fatalf("%d name patterns, want 2", len(filter.Names))
	}
	if !filter.Names[0].MatchString("vpn-branch") || filter.Names[0].MatchString("lan-vpn-") {
		t.Errorf("names[0] %q does not match as an RE2 expression anchored by ^", filter.Names[0])
	}
	if !filter.Names[1].MatchString("web-dmz") {
		t.Errorf("names[1] %q does not match web-dmz", filter.Names[1])
	}
	if f := cfg.Target("fw2").PolicyFilter; f != nil {
		t.Errorf("fw2 without policy_filter has filter %+v, want nil", f)
	}

	out, err := json.Marshal(cfg.Target("fw1"))
	if err != nil {
		t.Fatal(err)
	}
	const wantJSON = `"policy_filter":{"ids":[0,7,"10-20","30-40"],"names":["^vpn-","-dmz$"]}`
	if !strings.Contains(string(out), wantJSON) {
		t.Errorf("JSON %s does not contain %s", out, wantJSON)
	}
	if out, _ := json.Marshal(cfg.Target("fw2")); strings.Contains(string(out), "policy_filter") {
		t.Errorf("JSON of a target without a filter has policy_filter: %s", out)
	}
}

func TestLoadPolicyFilterErrors(t *testing.T) {
	// Each YAML is the policy_filter block of target fw1, which starts on
	// line 6 of the file.
	const head = "targets:\n  - name: fw1\n    url: fw1\n    username: monitor\n" +
		"    password_file: password.txt\n"
	tests := []struct {
		name string
		yaml string
		want []string
	}{
		{
			name: "empty filter",
			yaml: head + "    policy_filter: {}\n",
			want: []string{`targets.yml:6: target "fw1": policy_filter selects no policy`},
		},
		{
			name: "empty lists",
			yaml: head + "    policy_filter: {ids: [], names: []}\n",
			want: []string{`targets.yml:6: target "fw1": policy_filter selects no policy`},
		},
		{
			name: "id not a number",
			yaml: head + "    policy_filter:\n      ids:\n        - 1\n        - web\n",
			want: []string{`targets.yml:9: target "fw1": policy_filter.ids[1] "web" is invalid`,
				"from 0 to 4294967295"},
		},
		{
			name: "negative id",
			yaml: head + "    policy_filter:\n      ids:\n        - -5\n",
			want: []string{`targets.yml:8: target "fw1": policy_filter.ids[0] "-5" is invalid`},
		},
		{
			name: "fractional id",
			yaml: head + "    policy_filter:\n      ids: [1.5]\n",
			want: []string{`policy_filter.ids[0] "1.5" is invalid`},
		},
		{
			name: "id above 32 bits",
			yaml: head + "    policy_filter:\n      ids: [4294967296]\n",
			want: []string{`policy_filter.ids[0] "4294967296" is invalid`},
		},
		{
			name: "range with a missing end",
			yaml: head + "    policy_filter:\n      ids: [10-]\n",
			want: []string{`policy_filter.ids[0] "10-" is invalid`},
		},
		{
			name: "range of three parts",
			yaml: head + "    policy_filter:\n      ids: [1-2-3]\n",
			want: []string{`policy_filter.ids[0] "1-2-3" is invalid`},
		},
		{
			name: "reversed range",
			yaml: head + "    policy_filter:\n      ids:\n        - 20-10\n",
			want: []string{`targets.yml:8: target "fw1": policy_filter.ids[0] "20-10" is invalid`,
				"lower policy ID first, as in 10-20"},
		},
		{
			name: "id inside a range",
			yaml: head + "    policy_filter:\n      ids:\n        - 10-20\n        - 15\n",
			want: []string{`targets.yml:9: target "fw1": policy_filter.ids[1] 15 overlaps ` +
				`policy_filter.ids entry 10-20`},
		},
		{
			name: "id listed twice",
			yaml: head + "    policy_filter:\n      ids: [3, 3]\n",
			want: []string{"policy_filter.ids[1] 3 overlaps policy_filter.ids entry 3"},
		},
		{
			name: "empty name pattern",
			yaml: head + "    policy_filter:\n      names:\n        - ''\n",
			want: []string{`targets.yml:8: target "fw1": policy_filter.names[0] is empty`},
		},
		{
			name: "invalid name pattern",
			yaml: head + "    policy_filter:\n      names:\n        - ^vpn-\n        - 'web(['\n",
			want: []string{`targets.yml:9: target "fw1": policy_filter.names[1] "web([" is not a valid ` +
				`regular expression`},
		},
		{
			name: "name pattern listed twice",
			yaml: head + "    policy_filter:\n      names: [^vpn-, ^vpn-]\n",
			want: []string{`policy_filter.names[1] "^vpn-" is listed twice`},
		},
		{
			name: "unknown key",
			yaml: head + "    policy_filter:\n      id: [1]\n",
			want: []string{`targets.yml:7: unknown key "id" in policy_filter (valid keys: ids, names)`},
		},
		{
			name: "ids not a list",
			yaml: head + "    policy_filter:\n      ids: 5\n",
			want: []string{"targets.yml:7: cannot unmarshal"},
		},
		{
			name: "filter in defaults",
			yaml: "defaults:\n  policy_filter: {ids: [1]}\n" + head,
			want: []string{"targets.yml:2: defaults: policy_filter cannot be set in defaults"},
		},
		{
			name: "errors of several entries",
			yaml: head + "    policy_filter:\n      ids: [x]\n      names: ['(']\n",
			want: []string{`targets.yml:7: target "fw1": policy_filter.ids[0] "x" is invalid`,
				`targets.yml:8: target "fw1": policy_filter.names[0] "(" is not a valid`},
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := fixtureDir(t)
			path := writeFile(t, dir, "targets.yml", tt.yaml)

			cfg, err := Load(path)
			if err == nil {
				t.Fatalf("Load returned no error and %d targets", len(cfg.Targets))
			}
			msg := strings.ReplaceAll(err.Error(), path, "targets.yml")
			for _, want := range tt.want {
				if !strings.Contains(msg, want) {
					t.Errorf("error does not contain %q:\n%s", want, msg)
				}
			}
		})
	}
}

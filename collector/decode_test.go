package collector

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestNumberDecoding(t *testing.T) {
	tests := []struct {
		raw     string
		want    float64
		wantOK  bool
		wantErr string
	}{
		{raw: `12`, want: 12, wantOK: true},
		{raw: `"12"`, want: 12, wantOK: true},
		{raw: `" 12 "`, want: 12, wantOK: true},
		{raw: `"1000.00"`, want: 1000, wantOK: true},
		{raw: `1000.0`, want: 1000, wantOK: true},
		{raw: `-1`, want: -1, wantOK: true},
		{raw: `6.47e17`, want: 6.47e17, wantOK: true},
		// 2^63 + 1 rounds to the nearest float64, which keeps the magnitude.
		{raw: `9223372036854775809`, want: 9223372036854775808, wantOK: true},
		{raw: `18446744073709551615`, want: 18446744073709551615, wantOK: true},
		{raw: `null`},
		{raw: `""`},
		{raw: `"n/a"`, wantErr: `got string "n/a", expected a number`},
		{raw: `"NaN"`, wantErr: `got string "NaN", expected a number`},
		{raw: `"Inf"`, wantErr: `got string "Inf", expected a number`},
		{raw: `1e400`, wantErr: `got number 1e400, expected a number`},
		{raw: `true`, wantErr: `got boolean true, expected a number`},
		{raw: `{}`, wantErr: `got object, expected a number`},
		{raw: `[]`, wantErr: `got array, expected a number`},
	}

	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			var got struct {
				Value number `json:"value"`
			}
			err := json.Unmarshal([]byte(`{"value":`+tt.raw+`}`), &got)
			if tt.wantErr != "" {
				wrapped := newDecodeError("test/endpoint", "results", err)
				if err == nil || !strings.Contains(wrapped.Error(), "field results.value: "+tt.wantErr) {
					t.Fatalf("error = %v, want it to contain %q", wrapped, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("error = %v", err)
			}
			if got.Value.ok != tt.wantOK {
				t.Fatalf("ok = %v, want %v", got.Value.ok, tt.wantOK)
			}
			if got.Value.value != tt.want {
				t.Fatalf("value = %v, want %v", got.Value.value, tt.want)
			}
		})
	}
}

func TestNumberMissingField(t *testing.T) {
	var got struct {
		Value number `json:"value"`
	}
	if err := json.Unmarshal([]byte(`{"other":1}`), &got); err != nil {
		t.Fatal(err)
	}
	if got.Value.ok {
		t.Fatal("a missing field decoded as present")
	}
}

func TestTextDecoding(t *testing.T) {
	tests := []struct {
		raw     string
		want    string
		wantErr bool
	}{
		{raw: `"v7.4.8"`, want: "v7.4.8"},
		{raw: `2795`, want: "2795"},
		{raw: `true`, want: "true"},
		{raw: `null`, want: ""},
		{raw: `"\u00e9t\u00e9"`, want: "été"},
		{raw: `{"a":1}`, wantErr: true},
		{raw: `["a"]`, wantErr: true},
	}

	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			var got text
			err := json.Unmarshal([]byte(tt.raw), &got)
			if (err != nil) != tt.wantErr {
				t.Fatalf("error = %v, want error %v", err, tt.wantErr)
			}
			if !tt.wantErr && string(got) != tt.want {
				t.Fatalf("text = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestFlagDecoding(t *testing.T) {
	tests := []struct {
		raw     string
		want    flag
		wantErr bool
	}{
		{raw: `true`, want: flag{value: true, ok: true}},
		{raw: `false`, want: flag{value: false, ok: true}},
		{raw: `1`, want: flag{value: true, ok: true}},
		{raw: `0`, want: flag{value: false, ok: true}},
		{raw: `"TRUE"`, want: flag{value: true, ok: true}},
		{raw: `"0"`, want: flag{value: false, ok: true}},
		{raw: `null`, want: flag{}},
		{raw: `""`, want: flag{}},
		{raw: `2`, wantErr: true},
		{raw: `"up"`, wantErr: true},
		{raw: `[]`, wantErr: true},
	}

	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			var got flag
			err := json.Unmarshal([]byte(tt.raw), &got)
			if (err != nil) != tt.wantErr {
				t.Fatalf("error = %v, want error %v", err, tt.wantErr)
			}
			if !tt.wantErr && got != tt.want {
				t.Fatalf("flag = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestListDecoding(t *testing.T) {
	tests := []struct {
		raw     string
		want    int
		wantErr bool
	}{
		{raw: `[{"current":1},{"current":2}]`, want: 2},
		{raw: `{"current":1}`, want: 1},
		{raw: `{}`, want: 0},
		{raw: `{ }`, want: 0},
		{raw: `[]`, want: 0},
		{raw: `null`, want: 0},
		{raw: `"cpu"`, wantErr: true},
		{raw: `7`, wantErr: true},
	}

	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			var got list[usageSample]
			err := json.Unmarshal([]byte(tt.raw), &got)
			if (err != nil) != tt.wantErr {
				t.Fatalf("error = %v, want error %v", err, tt.wantErr)
			}
			if len(got) != tt.want {
				t.Fatalf("len = %d, want %d", len(got), tt.want)
			}
		})
	}
}

func TestDecodeEnvelopes(t *testing.T) {
	tests := []struct {
		name      string
		body      string
		wantVDOMs []string
		wantErr   string
	}{
		{name: "object", body: `{"vdom":"root","results":{}}`, wantVDOMs: []string{"root"}},
		{
			name:      "array of per-VDOM envelopes",
			body:      ` [{"vdom":"root","results":{}},{"vdom":"dmz","results":[]}] `,
			wantVDOMs: []string{"root", "dmz"},
		},
		{name: "empty array", body: `[]`, wantVDOMs: []string{}},
		{name: "empty body", body: "  \n", wantErr: "decode test/endpoint reply: empty body"},
		{
			name:    "HTML login page",
			body:    `<html><body>login</body></html>`,
			wantErr: `decode test/endpoint reply: body is not a JSON object or array (first byte '<')`,
		},
		{
			name:    "truncated",
			body:    `[{"vdom":"root","results":{"a":`,
			wantErr: `decode test/endpoint reply: invalid JSON at byte offset`,
		},
		{
			name:    "error envelope",
			body:    `{"status":"error","http_status":404,"vdom":"root"}`,
			wantErr: `decode test/endpoint reply: field status: FortiOS reported an error for VDOM "root"`,
		},
		{
			name:    "envelope field of the wrong type",
			body:    `[{"vdom":["root"]}]`,
			wantErr: `decode test/endpoint reply: field vdom: got array, expected a string`,
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decodeEnvelopes("test/endpoint", []byte(tt.body))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want it to contain %q", err, tt.wantErr)
				}
				var decodeErr *decodeError
				if !errors.As(err, &decodeErr) {
					t.Fatalf("error %T is not a *decodeError", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("error = %v", err)
			}
			vdoms := []string{}
			for _, env := range got {
				vdoms = append(vdoms, string(env.VDOM))
			}
			if strings.Join(vdoms, ",") != strings.Join(tt.wantVDOMs, ",") {
				t.Fatalf("VDOMs = %q, want %q", vdoms, tt.wantVDOMs)
			}
		})
	}
}

func TestDecodeObjectShapes(t *testing.T) {
	type payload struct {
		Hostname text `json:"hostname"`
	}
	tests := []struct {
		name    string
		raw     string
		want    string
		wantErr string
	}{
		{name: "object", raw: `{"hostname":"fw"}`, want: "fw"},
		{name: "one-element array", raw: `[{"hostname":"fw"}]`, want: "fw"},
		{name: "missing", raw: ``},
		{name: "null", raw: `null`},
		{name: "empty object", raw: `{}`},
		{name: "empty array", raw: `[]`},
		{name: "longer array", raw: `[{},{}]`, wantErr: "got an array of 2 elements, expected an object"},
		{name: "number", raw: `5`, wantErr: "field results: got number 5, expected an object"},
		{
			name:    "field in a one-element array",
			raw:     `[{"hostname":{}}]`,
			wantErr: "field results[0].hostname: got object, expected a string",
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got payload
			err := decodeObject("test/endpoint", json.RawMessage(tt.raw), &got)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want it to contain %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("error = %v", err)
			}
			if string(got.Hostname) != tt.want {
				t.Fatalf("hostname = %q, want %q", got.Hostname, tt.want)
			}
		})
	}
}

func TestDecodeMapShapes(t *testing.T) {
	type entry struct {
		Name text `json:"name"`
	}
	tests := []struct {
		name     string
		raw      string
		wantKeys []string
		wantErr  string
	}{
		{name: "object sorted by key", raw: `{"b":{"name":"b"},"a":{"name":"a"}}`, wantKeys: []string{"a", "b"}},
		{name: "array", raw: `[{"name":"x"},{"name":"y"}]`, wantKeys: []string{"", ""}},
		{name: "empty array", raw: `[]`, wantKeys: []string{}},
		{name: "empty object", raw: `{}`, wantKeys: []string{}},
		{name: "string", raw: `"none"`, wantErr: `field results: got string "none", expected an object`},
		{
			name:    "array element of the wrong type",
			raw:     `[{"name":"x"},{"name":{}}]`,
			wantErr: `field results[1].name: got object, expected a string`,
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decodeMap[entry]("test/endpoint", json.RawMessage(tt.raw))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want it to contain %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("error = %v", err)
			}
			keys := []string{}
			for _, e := range got {
				keys = append(keys, e.key)
			}
			if strings.Join(keys, ",") != strings.Join(tt.wantKeys, ",") || len(keys) != len(tt.wantKeys) {
				t.Fatalf("keys = %q, want %q", keys, tt.wantKeys)
			}
		})
	}
}

func TestDescribeJSONCutsLongStrings(t *testing.T) {
	got := describeJSON([]byte(`"` + strings.Repeat("x", 100) + `"`))
	if len(got) > 60 {
		t.Fatalf("describeJSON kept %d bytes: %q", len(got), got)
	}
}

package collector

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// This file turns the reply of a custom endpoint into rows and rows into
// samples. A row is one JSON object: an element of a results array, a value
// of a results object keyed by name (with key_label), or the results object
// itself. Fields are found by dotted paths.

// customRow is one row of a custom endpoint reply.
type customRow struct {
	// path locates the row in the reply for messages, such as
	// "[1].results[3]" in the second envelope of a vdom=* reply.
	path   string
	vdom   string
	key    string
	fields map[string]json.RawMessage
}

// fieldPath is a dotted path to a field inside a row, such as "current.users".
type fieldPath struct {
	text  string
	parts []string
}

func parseFieldPath(text string) (fieldPath, error) {
	parts := strings.Split(text, ".")
	for _, part := range parts {
		if part == "" {
			return fieldPath{}, fmt.Errorf("field path %q has an empty part", text)
		}
	}
	return fieldPath{text: text, parts: parts}, nil
}

// decodeRows decodes a reply into its rows, in envelope order. The rows of a
// results object keyed by name are sorted by key.
func (e *CustomEndpoint) decodeRows(body []byte) ([]customRow, error) {
	envelopes, err := decodeEnvelopes(e.path, body)
	if err != nil {
		return nil, err
	}
	array := bytes.HasPrefix(bytes.TrimSpace(body), []byte("["))

	var rows []customRow
	for i, env := range envelopes {
		prefix := "results"
		if array {
			prefix = fmt.Sprintf("[%d].results", i)
		}
		envRows, err := e.resultRows(prefix, env.Results)
		if err != nil {
			return nil, err
		}
		for j := range envRows {
			envRows[j].vdom = string(env.VDOM)
		}
		rows = append(rows, envRows...)
	}
	return rows, nil
}

// resultRows decodes the results of one envelope, found at path in the reply.
func (e *CustomEndpoint) resultRows(path string, raw json.RawMessage) ([]customRow, error) {
	if isEmptyValue(raw) {
		return nil, nil
	}
	raw = bytes.TrimSpace(raw)

	var rows []customRow
	var err error
	switch {
	case raw[0] == '[':
		var items []json.RawMessage
		if err := json.Unmarshal(raw, &items); err != nil {
			return nil, newDecodeError(e.path, path, err)
		}
		for i, item := range items {
			if rows, err = e.appendRow(rows, fmt.Sprintf("%s[%d]", path, i), "", item); err != nil {
				return nil, err
			}
		}
	case raw[0] == '{' && e.keyLabel != "":
		var items map[string]json.RawMessage
		if err := json.Unmarshal(raw, &items); err != nil {
			return nil, newDecodeError(e.path, path, err)
		}
		for _, key := range slices.Sorted(maps.Keys(items)) {
			if rows, err = e.appendRow(rows, path+"."+key, key, items[key]); err != nil {
				return nil, err
			}
		}
	case raw[0] == '{':
		return e.appendRow(nil, path, "", raw)
	default:
		return nil, &decodeError{
			endpoint: e.path,
			field:    path,
			err:      fmt.Errorf("got %s, expected an object or an array", describeJSON(raw)),
		}
	}
	return rows, nil
}

// appendRow appends the row in raw, found at path, unless raw is null. A row
// that is not an object is an error.
func (e *CustomEndpoint) appendRow(
	rows []customRow, path, key string, raw json.RawMessage,
) ([]customRow, error) {
	raw = bytes.TrimSpace(raw)
	row := customRow{path: path, key: key, fields: map[string]json.RawMessage{}}
	switch {
	case len(raw) == 0 || string(raw) == "null":
		return rows, nil
	case isEmptyValue(raw):
		// FortiOS sends [] for some empty objects. Such a row has no fields.
	case raw[0] == '{':
		if err := json.Unmarshal(raw, &row.fields); err != nil {
			return nil, newDecodeError(e.path, path, err)
		}
	default:
		return nil, &decodeError{
			endpoint: e.path,
			field:    path,
			err:      fmt.Errorf("got %s, expected an object", describeJSON(raw)),
		}
	}
	return append(rows, row), nil
}

// lookup returns the raw value of the field at p, or nil when the row lacks
// it or a parent field is null or empty. A parent field that is not an object
// is an error.
func (p fieldPath) lookup(fields map[string]json.RawMessage) (json.RawMessage, error) {
	current := fields
	for i, part := range p.parts {
		raw, ok := current[part]
		raw = bytes.TrimSpace(raw)
		if !ok || len(raw) == 0 || string(raw) == "null" {
			return nil, nil
		}
		if i == len(p.parts)-1 {
			return raw, nil
		}
		if isEmptyValue(raw) {
			return nil, nil
		}
		if raw[0] != '{' {
			return nil, fmt.Errorf("%s is %s, expected an object",
				strings.Join(p.parts[:i+1], "."), describeJSON(raw))
		}
		current = nil
		if err := json.Unmarshal(raw, &current); err != nil {
			return nil, err
		}
	}
	return nil, nil
}

// skippedRows counts the rows that lacked a metric's value field.
type skippedRows struct {
	count int
	// first is the path of the first skipped row.
	first string
}

// emit sends one sample of m per row. A row without the value field sends no
// sample and is counted in the returned skippedRows. A value that is not a
// number or a boolean is an error naming the endpoint, metric and field, and
// the other rows are still sent.
func (e *CustomEndpoint) emit(out *sink, m *customMetric, rows []customRow) (skippedRows, error) {
	var skipped skippedRows
	var firstErr error
	fail := func(row customRow, field string, err error) {
		if firstErr == nil {
			firstErr = fmt.Errorf("custom endpoint %s: metric %s: %w",
				e.name, m.name, newDecodeError(e.path, row.path+"."+field, err))
		}
	}

	for _, row := range rows {
		raw, err := m.value.lookup(row.fields)
		if err != nil {
			fail(row, m.value.text, err)
			continue
		}
		value, ok, err := customValue(raw)
		if err != nil {
			fail(row, m.value.text, err)
			continue
		}
		if !ok {
			if skipped.count == 0 {
				skipped.first = row.path
			}
			skipped.count++
			continue
		}

		labelValues := make([]string, 0, len(m.labels)+2)
		if e.perVDOM {
			labelValues = append(labelValues, row.vdom)
		}
		if e.keyLabel != "" {
			labelValues = append(labelValues, row.key)
		}
		valid := true
		for _, field := range m.labels {
			label, err := customLabelValue(field, row.fields)
			if err != nil {
				fail(row, field.text, err)
				valid = false
				break
			}
			labelValues = append(labelValues, label)
		}
		if valid {
			out.add(m.metric, value*m.scale, labelValues...)
		}
	}
	return skipped, firstErr
}

// customValue reads a sample value: a number, a number in a string, or a
// boolean (also in a string) as 1 or 0. ok is false for a missing field, null
// and "".
func customValue(raw json.RawMessage) (value float64, ok bool, err error) {
	literal := string(raw)
	if len(raw) > 0 && raw[0] == '"' {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			literal = strings.ToLower(strings.TrimSpace(s))
		}
	}
	switch literal {
	case "":
		return 0, false, nil
	case "true":
		return 1, true, nil
	case "false":
		return 0, true, nil
	}
	var n number
	if err := n.UnmarshalJSON(raw); err != nil {
		return 0, false, err
	}
	return n.value, n.ok, nil
}

// customLabelValue reads a label value: a string, or the literal of a number
// or boolean. A missing field gives "".
func customLabelValue(field fieldPath, fields map[string]json.RawMessage) (string, error) {
	raw, err := field.lookup(fields)
	if err != nil || raw == nil {
		return "", err
	}
	var t text
	if err := t.UnmarshalJSON(raw); err != nil {
		return "", err
	}
	return string(t), nil
}

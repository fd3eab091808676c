package collector

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// This file holds the decoders that every collector shares. They accept the
// shape changes FortiOS is known for: one envelope or an array of per-VDOM
// envelopes, results as an object or an array, numbers as strings, floats where
// integers were, counters above 2^53, missing fields and empty results. A reply
// that still does not fit is a *decodeError naming the endpoint and the field.

// decodeError is a FortiOS reply that does not have the expected shape.
type decodeError struct {
	endpoint string
	// field is the JSON path of the value, such as "results.wan1.tx_bytes". It is
	// empty when the body as a whole is invalid.
	field string
	err   error
}

func (e *decodeError) Error() string {
	if e.field == "" {
		return fmt.Sprintf("decode %s reply: %v", e.endpoint, e.err)
	}
	return fmt.Sprintf("decode %s reply: field %s: %v", e.endpoint, e.field, e.err)
}

func (e *decodeError) Unwrap() error { return e.err }

// newDecodeError turns an encoding/json error for the value at path into a
// *decodeError. The field path that encoding/json reports is appended to path.
func newDecodeError(endpoint, path string, err error) error {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr):
		field := joinPath(path, typeErr.Field)
		return &decodeError{
			endpoint: endpoint,
			field:    field,
			err:      fmt.Errorf("got %s, expected %s", typeErr.Value, jsonKind(typeErr.Type)),
		}
	case errors.As(err, &syntaxErr):
		return &decodeError{
			endpoint: endpoint,
			field:    path,
			err:      fmt.Errorf("invalid JSON at byte offset %d: %w", syntaxErr.Offset, err),
		}
	default:
		return &decodeError{endpoint: endpoint, field: path, err: err}
	}
}

func joinPath(path, field string) string {
	switch {
	case path == "":
		return field
	case field == "":
		return path
	case strings.HasPrefix(field, "["):
		return path + field
	default:
		return path + "." + field
	}
}

// jsonKind names the JSON kind a Go type is decoded from, for error messages.
func jsonKind(t reflect.Type) string {
	if t == nil {
		return "another type"
	}
	switch t.Kind() {
	case reflect.Float32, reflect.Float64, reflect.Int, reflect.Int8, reflect.Int16,
		reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8, reflect.Uint16,
		reflect.Uint32, reflect.Uint64:
		return "a number"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Struct, reflect.Map:
		return "an object"
	default:
		return t.String()
	}
}

// describeJSON names the kind of a raw JSON value for error messages. Strings are
// quoted and cut at 40 bytes so that an error never carries a whole reply.
func describeJSON(raw []byte) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "nothing"
	}
	switch raw[0] {
	case '"':
		var s string
		if json.Unmarshal(raw, &s) == nil {
			if len(s) > 40 {
				s = s[:40] + "..."
			}
			return "string " + strconv.Quote(s)
		}
		return "string"
	case '{':
		return "object"
	case '[':
		return "array"
	case 't', 'f':
		return "boolean " + string(raw)
	case 'n':
		return "null"
	default:
		if len(raw) > 40 {
			raw = append(raw[:40:40], "..."...)
		}
		return "number " + string(raw)
	}
}

func typeError(raw []byte, want reflect.Type) error {
	return &json.UnmarshalTypeError{Value: describeJSON(raw), Type: want}
}

var (
	float64Type = reflect.TypeFor[float64]()
	stringType  = reflect.TypeFor[string]()
	boolType    = reflect.TypeFor[bool]()
)

// number is a FortiOS numeric field. FortiOS sends numbers as JSON numbers, as
// strings ("12", "1000.00") and as integers above 2^53 (64-bit counters), so the
// literal is parsed as float64: such counters lose their lowest digits but never
// their magnitude. ok is false when the field is missing, null or "".
type number struct {
	value float64
	ok    bool
}

func (n *number) UnmarshalJSON(raw []byte) error {
	*n = number{}
	switch {
	case len(raw) == 0:
		return typeError(raw, float64Type)
	case string(raw) == "null":
		return nil
	case raw[0] == '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return err
		}
		s = strings.TrimSpace(s)
		if s == "" {
			return nil
		}
		value, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(value) || math.IsInf(value, 0) {
			return typeError(raw, float64Type)
		}
		*n = number{value: value, ok: true}
		return nil
	case raw[0] == '-' || (raw[0] >= '0' && raw[0] <= '9'):
		value, err := strconv.ParseFloat(string(raw), 64)
		if err != nil {
			// Only a literal beyond the float64 range gets here.
			return typeError(raw, float64Type)
		}
		*n = number{value: value, ok: true}
		return nil
	default:
		return typeError(raw, float64Type)
	}
}

// text is a FortiOS string field that may also arrive as a number or a boolean.
// A number keeps its literal, so a build of 2795 becomes "2795". Null and a
// missing field give "".
type text string

func (t *text) UnmarshalJSON(raw []byte) error {
	switch {
	case len(raw) == 0:
		return typeError(raw, stringType)
	case string(raw) == "null":
		*t = ""
		return nil
	case raw[0] == '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return err
		}
		*t = text(s)
		return nil
	case raw[0] == '{' || raw[0] == '[':
		return typeError(raw, stringType)
	default:
		*t = text(raw)
		return nil
	}
}

// flag is a FortiOS boolean field. Besides true and false it accepts the numbers
// 0 and 1 and the same four as strings. ok is false when the field is missing or
// null.
type flag struct {
	value bool
	ok    bool
}

func (f *flag) UnmarshalJSON(raw []byte) error {
	*f = flag{}
	literal := string(raw)
	if len(raw) > 0 && raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return err
		}
		literal = strings.ToLower(strings.TrimSpace(s))
	}
	switch {
	case len(raw) == 0:
		return typeError(raw, boolType)
	case literal == "null" || literal == "":
		return nil
	case literal == "true" || literal == "1":
		*f = flag{value: true, ok: true}
	case literal == "false" || literal == "0":
		*f = flag{value: false, ok: true}
	default:
		return typeError(raw, boolType)
	}
	return nil
}

// list is a JSON array that FortiOS may also send as a single object, as an
// empty object, or as null.
type list[T any] []T

func (l *list[T]) UnmarshalJSON(raw []byte) error {
	*l = nil
	switch {
	case len(raw) == 0:
		return typeError(raw, reflect.TypeFor[[]T]())
	case string(raw) == "null":
		return nil
	case raw[0] == '[':
		var items []T
		if err := json.Unmarshal(raw, &items); err != nil {
			return err
		}
		*l = items
		return nil
	case raw[0] == '{':
		if isEmptyObject(raw) {
			return nil
		}
		var item T
		if err := json.Unmarshal(raw, &item); err != nil {
			return err
		}
		*l = list[T]{item}
		return nil
	default:
		return typeError(raw, reflect.TypeFor[[]T]())
	}
}

func isEmptyObject(raw []byte) bool {
	trimmed := bytes.TrimSpace(raw)
	if len(trimmed) < 2 || trimmed[0] != '{' {
		return false
	}
	return len(bytes.TrimSpace(trimmed[1:len(trimmed)-1])) == 0
}

func isEmptyValue(raw []byte) bool {
	trimmed := bytes.TrimSpace(raw)
	switch string(trimmed) {
	case "", "null", "[]", "{}":
		return true
	}
	if len(trimmed) >= 2 && (trimmed[0] == '[' || trimmed[0] == '{') {
		return len(bytes.TrimSpace(trimmed[1:len(trimmed)-1])) == 0
	}
	return false
}

// envelope is one FortiOS monitor reply. Serial, version and build describe the
// device and are repeated in every per-VDOM envelope.
type envelope struct {
	VDOM    text            `json:"vdom"`
	Status  text            `json:"status"`
	Serial  text            `json:"serial"`
	Version text            `json:"version"`
	Build   text            `json:"build"`
	Results json.RawMessage `json:"results"`
}

// decodeEnvelopes decodes a monitor reply into its envelopes. A request with
// vdom=* or vdom=a,b gets a JSON array with one envelope per VDOM, and any other
// request gets a single object. An envelope whose status is "error" is an error.
func decodeEnvelopes(endpoint string, body []byte) ([]envelope, error) {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return nil, &decodeError{endpoint: endpoint, err: errors.New("empty body")}
	}

	var envelopes []envelope
	switch body[0] {
	case '[':
		if err := json.Unmarshal(body, &envelopes); err != nil {
			return nil, newDecodeError(endpoint, "", err)
		}
	case '{':
		var single envelope
		if err := json.Unmarshal(body, &single); err != nil {
			return nil, newDecodeError(endpoint, "", err)
		}
		envelopes = []envelope{single}
	default:
		return nil, &decodeError{
			endpoint: endpoint,
			err:      fmt.Errorf("body is not a JSON object or array (first byte %q)", body[0]),
		}
	}

	for i, env := range envelopes {
		if strings.EqualFold(string(env.Status), "error") {
			field := "status"
			if body[0] == '[' {
				field = fmt.Sprintf("[%d].status", i)
			}
			return nil, &decodeError{
				endpoint: endpoint,
				field:    field,
				err:      fmt.Errorf("FortiOS reported an error for VDOM %q", env.VDOM),
			}
		}
	}
	return envelopes, nil
}

// decodeObject decodes results that should be one object into v. An array of one
// element is taken as that element. Missing, null and empty results leave v
// unchanged.
func decodeObject(endpoint string, raw json.RawMessage, v any) error {
	const path = "results"
	if isEmptyValue(raw) {
		return nil
	}
	raw = bytes.TrimSpace(raw)

	switch raw[0] {
	case '{':
		if err := json.Unmarshal(raw, v); err != nil {
			return newDecodeError(endpoint, path, err)
		}
		return nil
	case '[':
		var items []json.RawMessage
		if err := json.Unmarshal(raw, &items); err != nil {
			return newDecodeError(endpoint, path, err)
		}
		if len(items) != 1 {
			return &decodeError{
				endpoint: endpoint,
				field:    path,
				err:      fmt.Errorf("got an array of %d elements, expected an object", len(items)),
			}
		}
		if err := json.Unmarshal(items[0], v); err != nil {
			return newDecodeError(endpoint, path+"[0]", err)
		}
		return nil
	default:
		return &decodeError{
			endpoint: endpoint,
			field:    path,
			err:      fmt.Errorf("got %s, expected an object", describeJSON(raw)),
		}
	}
}

// decodeList decodes results that should be an array of T. A single non-empty
// object is taken as a one-element array.
func decodeList[T any](endpoint string, raw json.RawMessage) ([]T, error) {
	const path = "results"
	if isEmptyValue(raw) {
		return nil, nil
	}
	raw = bytes.TrimSpace(raw)

	switch raw[0] {
	case '[':
		// One pass decodes a valid array. Only an array that fails is decoded
		// again element by element, so that the error names the element.
		var out []T
		if err := json.Unmarshal(raw, &out); err == nil {
			return out, nil
		}
		var items []json.RawMessage
		if err := json.Unmarshal(raw, &items); err != nil {
			return nil, newDecodeError(endpoint, path, err)
		}
		out = make([]T, len(items))
		for i, item := range items {
			if err := json.Unmarshal(item, &out[i]); err != nil {
				return nil, newDecodeError(endpoint, fmt.Sprintf("%s[%d]", path, i), err)
			}
		}
		return out, nil
	case '{':
		var item T
		if err := json.Unmarshal(raw, &item); err != nil {
			return nil, newDecodeError(endpoint, path, err)
		}
		return []T{item}, nil
	default:
		return nil, &decodeError{
			endpoint: endpoint,
			field:    path,
			err:      fmt.Errorf("got %s, expected an array", describeJSON(raw)),
		}
	}
}

// keyed is one entry of results that FortiOS sends as an object keyed by name.
type keyed[T any] struct {
	key   string
	value T
}

// decodeMap decodes results that FortiOS sends as an object keyed by name, such
// as system/interface. An array is taken as entries without keys. Entries come
// back sorted by key, then in array order.
func decodeMap[T any](endpoint string, raw json.RawMessage) ([]keyed[T], error) {
	const path = "results"
	if isEmptyValue(raw) {
		return nil, nil
	}
	raw = bytes.TrimSpace(raw)

	switch raw[0] {
	case '{':
		// As in decodeList, only an object that fails is decoded again, to name
		// the entry in the error.
		var values map[string]T
		if err := json.Unmarshal(raw, &values); err == nil {
			return sortedEntries(values), nil
		}
		var items map[string]json.RawMessage
		if err := json.Unmarshal(raw, &items); err != nil {
			return nil, newDecodeError(endpoint, path, err)
		}
		keys := make([]string, 0, len(items))
		for key := range items {
			keys = append(keys, key)
		}
		slices.Sort(keys)

		out := make([]keyed[T], len(keys))
		for i, key := range keys {
			out[i].key = key
			if err := json.Unmarshal(items[key], &out[i].value); err != nil {
				return nil, newDecodeError(endpoint, path+"."+key, err)
			}
		}
		return out, nil
	case '[':
		values, err := decodeList[T](endpoint, raw)
		if err != nil {
			return nil, err
		}
		out := make([]keyed[T], len(values))
		for i, value := range values {
			out[i].value = value
		}
		return out, nil
	default:
		return nil, &decodeError{
			endpoint: endpoint,
			field:    path,
			err:      fmt.Errorf("got %s, expected an object", describeJSON(raw)),
		}
	}
}

// sortedEntries returns the entries of values sorted by key.
func sortedEntries[T any](values map[string]T) []keyed[T] {
	out := make([]keyed[T], 0, len(values))
	for key, value := range values {
		out = append(out, keyed[T]{key: key, value: value})
	}
	slices.SortFunc(out, func(a, b keyed[T]) int { return strings.Compare(a.key, b.key) })
	return out
}

package collector

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
)

// This file holds decode helpers for values nested inside results, which the
// shared helpers in decode.go do not cover.

// nestedMap is a JSON object keyed by name inside results, such as the support
// contracts of license/status or the ports of a managed switch. Entries are
// sorted by key. Null, {} and [] (which FortiOS sends for some empty
// collections) give no entries. A type error inside an entry names its key.
type nestedMap[T any] []keyed[T]

func (m *nestedMap[T]) UnmarshalJSON(raw []byte) error {
	*m = nil
	if isEmptyValue(raw) {
		return nil
	}
	if trimmed := bytes.TrimSpace(raw); trimmed[0] != '{' {
		return typeError(raw, reflect.TypeFor[map[string]T]())
	}

	var items map[string]json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return err
	}
	keys := make([]string, 0, len(items))
	for key := range items {
		keys = append(keys, key)
	}
	slices.Sort(keys)

	out := make(nestedMap[T], len(keys))
	for i, key := range keys {
		out[i].key = key
		if err := json.Unmarshal(items[key], &out[i].value); err != nil {
			var typeErr *json.UnmarshalTypeError
			if errors.As(err, &typeErr) {
				typeErr.Field = joinPath(key, typeErr.Field)
			}
			return err
		}
	}
	*m = out
	return nil
}

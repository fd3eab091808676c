package config

import (
	"encoding/json"
	"fmt"
	"log/slog"
)

const redacted = "<secret>"

// Secret is a password or API token. Printing it with fmt, encoding/json,
// yaml.v3 or slog produces "<secret>", and only Reveal returns the value.
type Secret string

// Reveal returns the secret value, for the code that sends it to the FortiGate.
func (s Secret) Reveal() string { return string(s) }

// String returns "<secret>".
func (s Secret) String() string { return redacted }

// Format prints "<secret>" for every verb, %#v and %x included, so a Secret
// inside a struct does not leak through fmt.
func (s Secret) Format(f fmt.State, verb rune) {
	_, _ = f.Write([]byte(redacted))
}

// LogValue keeps slog handlers from logging the value.
func (s Secret) LogValue() slog.Value { return slog.StringValue(redacted) }

// MarshalJSON encodes the secret as "<secret>".
func (s Secret) MarshalJSON() ([]byte, error) { return json.Marshal(redacted) }

// MarshalYAML encodes the secret as "<secret>".
func (s Secret) MarshalYAML() (any, error) { return redacted, nil }

// MarshalText encodes the secret as "<secret>", for encoders that use
// encoding.TextMarshaler.
func (s Secret) MarshalText() ([]byte, error) { return []byte(redacted), nil }

package fgsession

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSealerRoundTrip(t *testing.T) {
	sealer := sealTestSealer(t, sealTestKey(1))
	plaintext := []byte(`{"id":"r1","session_key":"secret"}`)
	ad := []byte("prefix:{abc}:session\x00r1")

	sealed := sealer.Seal(plaintext, ad)
	if !isSealed(sealed) {
		t.Fatalf("sealed record does not start with %q", sealMagic)
	}
	if bytes.Contains(sealed, []byte("secret")) {
		t.Error("sealed record contains the plaintext")
	}
	opened, err := sealer.Open(sealed, ad)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(opened, plaintext) {
		t.Errorf("Open = %q, expected %q", opened, plaintext)
	}
	if again := sealer.Seal(plaintext, ad); bytes.Equal(again, sealed) {
		t.Error("two seals of one plaintext are equal, so the nonce is not random")
	}
}

func TestSealerOpenErrors(t *testing.T) {
	sealer := sealTestSealer(t, sealTestKey(1))
	ad := []byte("key\x00r1")
	sealed := sealer.Seal([]byte("{}"), ad)
	otherKey := sealTestSealer(t, sealTestKey(2)).Seal([]byte("{}"), ad)

	for name, tc := range map[string]struct {
		value, ad []byte
		want      error
	}{
		"JSON":               {value: []byte(`{"id":"r1"}`), ad: ad, want: errNotSealed},
		"empty":              {value: nil, ad: ad, want: errNotSealed},
		"header only":        {value: sealed[:sealHeaderLen], ad: ad, want: errOpenFailed},
		"other key":          {value: otherKey, ad: ad, want: errUnknownKey},
		"other associated":   {value: sealed, ad: []byte("key\x00r2"), want: errOpenFailed},
		"flipped ciphertext": {value: flipLastByte(sealed), ad: ad, want: errOpenFailed},
		"flipped key id":     {value: flipByte(sealed, len(sealMagic)), ad: ad, want: errUnknownKey},
	} {
		_, err := sealer.Open(tc.value, tc.ad)
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: err = %v, expected %v", name, err, tc.want)
		}
	}
}

func flipByte(b []byte, i int) []byte {
	out := bytes.Clone(b)
	out[i] ^= 0x01
	return out
}

func TestSealerRotation(t *testing.T) {
	oldSealer := sealTestSealer(t, sealTestKey(1))
	rotated := sealTestSealer(t, sealTestKey(2), sealTestKey(1))
	ad := []byte("ad")

	opened, err := rotated.Open(oldSealer.Seal([]byte("old"), ad), ad)
	if err != nil || string(opened) != "old" {
		t.Errorf("rotated sealer Open of an old record = %q, %v", opened, err)
	}
	if _, err := oldSealer.Open(rotated.Seal([]byte("new"), ad), ad); !errors.Is(err, errUnknownKey) {
		t.Errorf("rotated sealer seals with the old key: err = %v, expected errUnknownKey", err)
	}
	if rotated.KeyID() == oldSealer.KeyID() {
		t.Error("KeyID is the previous key's id, expected the primary's")
	}
	if len(rotated.KeyID()) != 8 {
		t.Errorf("KeyID = %q, expected 8 hexadecimal characters", rotated.KeyID())
	}
}

func TestSealerKeySize(t *testing.T) {
	if _, err := NewSealer(make([]byte, 16)); err == nil {
		t.Error("NewSealer with a 16-byte key: no error")
	}
	if _, err := NewSealer(sealTestKey(1), make([]byte, 31)); err == nil {
		t.Error("NewSealer with a 31-byte previous key: no error")
	}
	if _, err := NewSealer(sealTestKey(1), sealTestKey(1)); err != nil {
		t.Errorf("NewSealer with the same key twice: %v", err)
	}
}

func TestSealKeyFileForms(t *testing.T) {
	key := sealTestKey(0xa5)
	key[0], key[31] = 0x00, 0xff
	// A raw key may end in a newline byte, which must not be trimmed.
	rawWithNewline := append(bytes.Repeat([]byte{0x9c}, 31), '\n')

	for name, tc := range map[string]struct {
		content string
		want    []byte
	}{
		"raw":                 {content: string(key), want: key},
		"raw ending in 0x0a":  {content: string(rawWithNewline), want: rawWithNewline},
		"hex":                 {content: hex.EncodeToString(key), want: key},
		"hex with newline":    {content: hex.EncodeToString(key) + "\n", want: key},
		"upper-case hex":      {content: strings.ToUpper(hex.EncodeToString(key)), want: key},
		"base64":              {content: base64.StdEncoding.EncodeToString(key) + "\n", want: key},
		"base64 without pad":  {content: base64.RawStdEncoding.EncodeToString(key), want: key},
		"URL-safe base64":     {content: base64.URLEncoding.EncodeToString(key), want: key},
		"base64 with spacing": {content: "  " + base64.StdEncoding.EncodeToString(key) + " \r\n", want: key},
	} {
		got, err := ParseSealKey([]byte(tc.content))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if !bytes.Equal(got, tc.want) {
			t.Errorf("%s: decoded another key", name)
		}
	}
}

func TestSealKeyFileRejected(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{
		"empty":              "",
		"white space":        " \n",
		"short hex":          strings.Repeat("ab", 16),
		"hex with bad digit": strings.Repeat("ab", 31) + "zz",
		"base64 of 16 bytes": base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 16)),
		"passphrase":         "correct horse battery staple pass\n",
		"33 raw bytes":       string(bytes.Repeat([]byte{0x9c}, 33)),
		"32 characters":      strings.Repeat("Q", 32),
	} {
		path := filepath.Join(dir, strings.ReplaceAll(name, " ", "_"))
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := LoadSealer(path)
		if err == nil {
			t.Errorf("%s: no error", name)
			continue
		}
		msg := err.Error()
		if !strings.Contains(msg, path) {
			t.Errorf("%s: error %q does not name the file", name, msg)
		}
		if !strings.Contains(msg, "64 hexadecimal characters") {
			t.Errorf("%s: error %q does not give the expected form", name, msg)
		}
		if trimmed := strings.TrimSpace(content); len(trimmed) > 3 && strings.Contains(msg, trimmed) {
			t.Errorf("%s: error %q shows the file content", name, msg)
		}
	}

	if _, err := LoadSealer(filepath.Join(dir, "missing")); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Errorf("missing file: err = %v, expected one naming the file", err)
	}
}

func TestSealerLoadWithPreviousKey(t *testing.T) {
	dir := t.TempDir()
	current := filepath.Join(dir, "current.key")
	previous := filepath.Join(dir, "previous.key")
	if err := os.WriteFile(current, []byte(hex.EncodeToString(sealTestKey(2))+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(previous, sealTestKey(1), 0o600); err != nil {
		t.Fatal(err)
	}
	sealer, err := LoadSealer(current, previous)
	if err != nil {
		t.Fatal(err)
	}
	ad := []byte("ad")
	if _, err := sealer.Open(sealTestSealer(t, sealTestKey(1)).Seal([]byte("x"), ad), ad); err != nil {
		t.Errorf("Open of a record sealed with the previous key: %v", err)
	}
	if sealer.KeyID() != sealTestSealer(t, sealTestKey(2)).KeyID() {
		t.Error("LoadSealer does not seal with the key of the first file")
	}
}

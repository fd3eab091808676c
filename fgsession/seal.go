package fgsession

// Sealing of session records in Redis (--redis.encryption-key-file). A sealed record
// is useless to anyone who can read Redis but lacks the key, so a Redis dump or a
// MONITOR session does not hand out a FortiGate admin session.
//
// Sealed format, binary:
//
//	"FGS1" | key id (4 bytes) | nonce (12 bytes) | AES-256-GCM ciphertext and tag
//
// The key id is the first 4 bytes of SHA-256 over the raw key. It picks the key to
// open with when several are configured, and reveals nothing useful about the key.
// The associated data is the header ("FGS1" and the key id) followed by what the
// caller passes, which the Redis store sets to the full Redis key and the record ID.
// A record copied to another key, or given another record ID, therefore fails to
// open.

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
)

// SealKeySize is the key size of AES-256 in bytes.
const SealKeySize = 32

const (
	sealMagic     = "FGS1"
	sealKeyIDSize = 4
	sealHeaderLen = len(sealMagic) + sealKeyIDSize
)

var (
	errNotSealed  = errors.New("value is not a sealed record")
	errUnknownKey = errors.New("record is sealed with an unknown key")
	errOpenFailed = errors.New("sealed record failed authentication (wrong key, other Redis key or corrupt)")
)

// Sealer seals session records with AES-256-GCM. It seals with its primary key and
// opens records sealed with the primary key or with any previous key, so a key can be
// rotated without dropping the stored session. A Sealer is safe for concurrent use.
type Sealer struct {
	primaryID [sealKeyIDSize]byte
	aeads     map[[sealKeyIDSize]byte]cipher.AEAD
}

// NewSealer returns a Sealer that seals with key and also opens records sealed with
// any of previous. Every key must be SealKeySize bytes.
func NewSealer(key []byte, previous ...[]byte) (*Sealer, error) {
	s := &Sealer{aeads: map[[sealKeyIDSize]byte]cipher.AEAD{}}
	digests := map[[sealKeyIDSize]byte][sha256.Size]byte{}
	for i, k := range append([][]byte{key}, previous...) {
		if len(k) != SealKeySize {
			return nil, fmt.Errorf("encryption key %d is %d bytes, expected %d", i+1, len(k), SealKeySize)
		}
		digest := sha256.Sum256(k)
		id := sealKeyID(k)
		if seen, dup := digests[id]; dup {
			if seen == digest {
				continue // the same key given twice
			}
			// A 1 in 2^32 chance, but Open could not tell the two keys apart.
			return nil, fmt.Errorf("encryption key %d has the key id %x of an earlier key, generate a new key", i+1, id)
		}
		digests[id] = digest
		block, err := aes.NewCipher(k)
		if err != nil {
			return nil, err
		}
		aead, err := cipher.NewGCMWithRandomNonce(block)
		if err != nil {
			return nil, err
		}
		s.aeads[id] = aead
		if i == 0 {
			s.primaryID = id
		}
	}
	return s, nil
}

// LoadSealer reads the primary key from keyFile and previous keys from previousFiles.
// See ParseSealKey for the accepted file contents.
func LoadSealer(keyFile string, previousFiles ...string) (*Sealer, error) {
	var keys [][]byte
	for _, path := range append([]string{keyFile}, previousFiles...) {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("read encryption key file: %w", err)
		}
		key, err := ParseSealKey(data)
		if err != nil {
			return nil, fmt.Errorf("encryption key file %q: %w", path, err)
		}
		keys = append(keys, key)
	}
	return NewSealer(keys[0], keys[1:]...)
}

// ParseSealKey decodes the content of a key file. It accepts exactly 32 random
// bytes used as they are, or, with surrounding white space ignored, 64 hexadecimal
// characters or the standard or URL-safe base64 of 32 bytes with or without
// padding. A file made with "openssl rand 32", "openssl rand -hex 32" or
// "openssl rand -base64 32" works. The error never contains the content.
//
// 32 bytes that are all printable text, such as a passphrase or the output of
// "openssl rand -hex 16", are rejected, because they hold far less than 256 bits
// of randomness. A random key looks like that with a chance of about 1 in 10^13.
func ParseSealKey(data []byte) ([]byte, error) {
	if len(data) == SealKeySize {
		if isText(data) {
			return nil, errors.New("invalid key: 32 bytes of text, expected 32 random bytes, " +
				"64 hexadecimal characters or base64 of 32 bytes (for example from \"openssl rand -hex 32\")")
		}
		return bytes.Clone(data), nil
	}

	text := bytes.TrimSpace(data)
	if len(text) == 0 {
		return nil, errors.New("key file is empty, expected 32 raw bytes, 64 hexadecimal characters or base64 of 32 bytes")
	}
	if len(text) == 2*SealKeySize {
		if key, err := hex.DecodeString(string(text)); err == nil {
			return key, nil
		}
	}
	for _, enc := range []*base64.Encoding{
		base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding,
	} {
		key, err := enc.DecodeString(string(text))
		if err == nil && len(key) == SealKeySize {
			return key, nil
		}
	}
	return nil, fmt.Errorf("invalid key of %d bytes: expected 32 raw bytes, 64 hexadecimal characters "+
		"or base64 of 32 bytes (for example from \"openssl rand -hex 32\")", len(data))
}

// isText reports whether data consists of printable ASCII and white space only.
func isText(data []byte) bool {
	for _, c := range data {
		if (c < 0x20 || c > 0x7e) && c != '\t' && c != '\n' && c != '\r' {
			return false
		}
	}
	return true
}

// KeyID returns the id of the primary key as 8 hexadecimal characters, for logs.
func (s *Sealer) KeyID() string { return hex.EncodeToString(s.primaryID[:]) }

// Seal encrypts plaintext with the primary key and a random nonce, bound to
// associatedData, and returns the sealed record.
func (s *Sealer) Seal(plaintext, associatedData []byte) []byte {
	header := make([]byte, 0, sealHeaderLen+s.aeads[s.primaryID].Overhead()+len(plaintext))
	header = append(header, sealMagic...)
	header = append(header, s.primaryID[:]...)
	ad := append(header[:sealHeaderLen:sealHeaderLen], associatedData...)
	return s.aeads[s.primaryID].Seal(header, nil, plaintext, ad)
}

// Open decrypts a record made by Seal with the same associatedData. It returns
// errNotSealed, errUnknownKey or errOpenFailed when it cannot.
func (s *Sealer) Open(sealed, associatedData []byte) ([]byte, error) {
	if !isSealed(sealed) {
		return nil, errNotSealed
	}
	var id [sealKeyIDSize]byte
	copy(id[:], sealed[len(sealMagic):sealHeaderLen])
	aead, ok := s.aeads[id]
	if !ok {
		return nil, fmt.Errorf("%w (key id %x)", errUnknownKey, id)
	}

	ad := append(bytes.Clone(sealed[:sealHeaderLen]), associatedData...)
	plaintext, err := aead.Open(nil, nil, sealed[sealHeaderLen:], ad)
	if err != nil {
		return nil, errOpenFailed
	}
	return plaintext, nil
}

// isSealed reports whether value starts like a sealed record. A JSON record starts
// with '{', so the two never mix up.
func isSealed(value []byte) bool {
	return len(value) >= sealHeaderLen && string(value[:len(sealMagic)]) == sealMagic
}

func sealKeyID(key []byte) [sealKeyIDSize]byte {
	sum := sha256.Sum256(key)
	var id [sealKeyIDSize]byte
	copy(id[:], sum[:])
	return id
}

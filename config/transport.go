package config

import (
	"crypto/tls"
	"fmt"
	"net"
)

// TLSConfig builds the client TLS configuration for connecting to t: TLS 1.2
// or later, the certificates of TLS.CAFile as the only roots when it is set,
// and TLS.ServerName as the name to verify. Each call returns a new value.
func (t *Target) TLSConfig() (*tls.Config, error) {
	cfg := &tls.Config{
		MinVersion:         tls.VersionTLS12,
		ServerName:         t.TLS.ServerName,
		InsecureSkipVerify: t.TLS.InsecureSkipVerify,
	}
	if t.TLS.CAFile == "" {
		return cfg, nil
	}

	// A Target built by Load or Env.Target has the pool already. Others, such
	// as targets written in tests, read the file here.
	roots := t.TLS.roots
	if roots == nil {
		var err error
		roots, err = loadRoots(t.TLS.CAFile)
		if err != nil {
			return nil, fmt.Errorf("target %q: tls.ca_file: %w", t.Name, err)
		}
	}
	cfg.RootCAs = roots
	return cfg, nil
}

// LocalAddr returns SourceAddress as the LocalAddr of a net.Dialer, or nil
// when no source address is configured.
func (t *Target) LocalAddr() net.Addr {
	if !t.SourceAddress.IsValid() {
		return nil
	}
	return &net.TCPAddr{IP: t.SourceAddress.AsSlice(), Zone: t.SourceAddress.Zone()}
}

package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/fortigate-session-exporter/fortigate_session_exporter/fgsession"
)

// newStore returns the Redis session store configured by the flags, with the
// collector of its metrics, or nil and nil when no Redis is configured.
func newStore(f *cliFlags, logger *slog.Logger) (fgsession.Store, prometheus.Collector, error) {
	addrs := f.redisAddrs
	if len(addrs) == 0 && f.redisHost != "" {
		addrs = []string{net.JoinHostPort(f.redisHost, f.redisPort)}
	}
	if len(addrs) == 0 {
		if f.redisEncryptionKeyFile != "" {
			return nil, nil, fmt.Errorf("--redis.encryption-key-file is set but no Redis is configured: set REDIS_HOST or --redis.addr")
		}
		return nil, nil, nil
	}

	password := f.redisPassword
	if f.redisPasswordFile != "" {
		data, err := os.ReadFile(f.redisPasswordFile)
		if err != nil {
			return nil, nil, fmt.Errorf("REDIS_PASSWORD_FILE %q: %w", f.redisPasswordFile, err)
		}
		password = strings.TrimRight(string(data), "\r\n")
	}
	var tlsConfig *tls.Config
	if f.redisTLS || f.redisTLSCAFile != "" {
		tlsConfig = &tls.Config{MinVersion: tls.VersionTLS12, ServerName: f.redisTLSServerName,
			InsecureSkipVerify: f.redisTLSInsecure}
		if f.redisTLSCAFile != "" {
			pem, err := os.ReadFile(f.redisTLSCAFile)
			if err != nil {
				return nil, nil, fmt.Errorf("--redis.tls-ca-file %q: %w", f.redisTLSCAFile, err)
			}
			pool := x509.NewCertPool()
			if !pool.AppendCertsFromPEM(pem) {
				return nil, nil, fmt.Errorf("--redis.tls-ca-file %q holds no PEM certificate", f.redisTLSCAFile)
			}
			tlsConfig.RootCAs = pool
		}
	}

	redis.SetLogger(redisLogger{logger: logger.With("component", "go-redis")})
	client, err := fgsession.NewRedisClient(fgsession.RedisConfig{
		Addrs:            addrs,
		MasterName:       f.redisSentinelMaster,
		SentinelPassword: f.redisSentinelPassword,
		Username:         f.redisUsername,
		Password:         password,
		DB:               f.redisDB,
		TLS:              tlsConfig,
		Cluster:          f.redisCluster,
		ReadTimeout:      f.redisTimeout,
		WriteTimeout:     f.redisTimeout,
	})
	if err != nil {
		return nil, nil, err
	}
	var sealer *fgsession.Sealer
	if f.redisEncryptionKeyFile != "" {
		sealer, err = fgsession.LoadSealer(f.redisEncryptionKeyFile)
		if err != nil {
			return nil, nil, err
		}
	}
	store := fgsession.NewRedisStore(client, fgsession.RedisStoreOptions{
		KeyPrefix: f.redisKeyPrefix,
		Sealer:    sealer,
		Logger:    logger.With("component", "redis"),
	})
	logger.Info("sharing sessions through redis", "addrs", strings.Join(addrs, ","),
		"sentinel_master", f.redisSentinelMaster, "cluster", f.redisCluster, "sealed", sealer != nil)
	return store, store, nil
}

// redisLogger sends go-redis's own messages, such as failed dials while Redis
// is down, to the exporter's log at debug level. The manager already logs
// each outage once at warning level and counts every failed call.
type redisLogger struct{ logger *slog.Logger }

func (l redisLogger) Printf(ctx context.Context, format string, v ...any) {
	l.logger.DebugContext(ctx, fmt.Sprintf(format, v...))
}

package fgsession

import (
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// Defaults of RedisConfig. A scrape spends most of its deadline on FortiOS, so a
// Redis call must fail fast. When Redis does not reply, one command with one retry
// gives up after about 2 × (DialTimeout + ReadTimeout), an estimate that ignores
// go-redis's short retry back-off, or at the context deadline if that comes first.
const (
	DefaultRedisDialTimeout  = 500 * time.Millisecond
	DefaultRedisReadTimeout  = 300 * time.Millisecond
	DefaultRedisWriteTimeout = 300 * time.Millisecond
	DefaultRedisPoolTimeout  = 500 * time.Millisecond
	DefaultRedisMaxRetries   = 1
)

// RedisConfig holds the connection settings of the Redis session store.
type RedisConfig struct {
	// Addrs holds one host:port for a single node, the Sentinels' addresses with
	// MasterName, or seed nodes with Cluster.
	Addrs []string
	// MasterName is the Sentinel master name. Setting it selects Sentinel mode.
	MasterName string
	// SentinelUsername and SentinelPassword authenticate to the Sentinels.
	SentinelUsername string
	SentinelPassword string
	// Username (an ACL user, empty for the default user) and Password authenticate
	// to the data nodes.
	Username string
	Password string
	// DB is the database number. Redis Cluster has only database 0.
	DB int
	// TLS, when set, makes every connection, to Sentinels too, use TLS.
	TLS *tls.Config
	// Cluster selects Redis Cluster mode.
	Cluster bool

	// Zero durations take the Default* constants above.
	DialTimeout  time.Duration
	ReadTimeout  time.Duration
	WriteTimeout time.Duration
	PoolTimeout  time.Duration
	// MaxRetries is the number of retries of a failed command: 0 takes
	// DefaultRedisMaxRetries, a negative value disables retries.
	MaxRetries int
}

// NewRedisClient returns a go-redis client for cfg: a Sentinel (failover) client when
// MasterName is set, a Cluster client when Cluster is set, otherwise a single-node
// client. The client honours context deadlines (ContextTimeoutEnabled). It connects
// lazily, so an unreachable Redis is no error here. Use RedisStore.Ping to check.
func NewRedisClient(cfg RedisConfig) (redis.UniversalClient, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}

	opts := &redis.UniversalOptions{
		Addrs:            cfg.Addrs,
		MasterName:       cfg.MasterName,
		SentinelUsername: cfg.SentinelUsername,
		SentinelPassword: cfg.SentinelPassword,
		Username:         cfg.Username,
		Password:         cfg.Password,
		DB:               cfg.DB,
		TLSConfig:        cfg.TLS,

		DialTimeout:  orDefault(cfg.DialTimeout, DefaultRedisDialTimeout),
		ReadTimeout:  orDefault(cfg.ReadTimeout, DefaultRedisReadTimeout),
		WriteTimeout: orDefault(cfg.WriteTimeout, DefaultRedisWriteTimeout),
		PoolTimeout:  orDefault(cfg.PoolTimeout, DefaultRedisPoolTimeout),
		MaxRetries:   cfg.MaxRetries,
		// go-redis 9.23 dials up to 5 times per connection by default. The command
		// retries above already cover a failed dial, so one attempt each is enough.
		DialerRetries: 1,

		ContextTimeoutEnabled: true,
	}
	switch {
	case cfg.MaxRetries == 0:
		opts.MaxRetries = DefaultRedisMaxRetries
	case cfg.MaxRetries < 0:
		opts.MaxRetries = -1 // go-redis: -1 disables retries, 0 would mean 3
	}

	// The constructors are picked here rather than by redis.NewUniversalClient,
	// which takes two or more addresses as a Cluster.
	switch {
	case cfg.MasterName != "":
		return redis.NewFailoverClient(opts.Failover()), nil
	case cfg.Cluster:
		return redis.NewClusterClient(opts.Cluster()), nil
	default:
		return redis.NewClient(opts.Simple()), nil
	}
}

func (cfg RedisConfig) validate() error {
	if len(cfg.Addrs) == 0 {
		return errors.New("invalid Redis configuration: no address")
	}
	for _, addr := range cfg.Addrs {
		if strings.TrimSpace(addr) == "" {
			return errors.New("invalid Redis configuration: empty address")
		}
	}
	if cfg.MasterName != "" && cfg.Cluster {
		return errors.New("invalid Redis configuration: a Sentinel master name and Cluster mode exclude each other")
	}
	if cfg.Cluster && cfg.DB != 0 {
		return fmt.Errorf("invalid Redis configuration: database %d, Redis Cluster has only database 0", cfg.DB)
	}
	if cfg.MasterName == "" && !cfg.Cluster && len(cfg.Addrs) > 1 {
		return fmt.Errorf("invalid Redis configuration: %d addresses given, "+
			"more than one needs Cluster mode or a Sentinel master name", len(cfg.Addrs))
	}
	if cfg.DB < 0 {
		return fmt.Errorf("invalid Redis configuration: database %d is negative", cfg.DB)
	}
	return nil
}

// String describes cfg for logs and messages without the passwords.
func (cfg RedisConfig) String() string {
	mode := "single node"
	switch {
	case cfg.MasterName != "":
		mode = fmt.Sprintf("sentinel master %q", cfg.MasterName)
	case cfg.Cluster:
		mode = "cluster"
	}
	return fmt.Sprintf("redis %s at %s (db %d, user %q, password %s, tls %t)",
		mode, strings.Join(cfg.Addrs, ","), cfg.DB, cfg.Username, redacted(cfg.Password), cfg.TLS != nil)
}

// LogValue implements slog.LogValuer, so a logged RedisConfig never shows a password.
func (cfg RedisConfig) LogValue() slog.Value {
	return slog.GroupValue(
		slog.Any("addrs", cfg.Addrs),
		slog.String("master_name", cfg.MasterName),
		slog.Bool("cluster", cfg.Cluster),
		slog.Int("db", cfg.DB),
		slog.String("username", cfg.Username),
		slog.String("password", redacted(cfg.Password)),
		slog.String("sentinel_username", cfg.SentinelUsername),
		slog.String("sentinel_password", redacted(cfg.SentinelPassword)),
		slog.Bool("tls", cfg.TLS != nil),
	)
}

// GoString keeps %#v from printing the passwords.
func (cfg RedisConfig) GoString() string { return cfg.String() }

func redacted(secret string) string {
	if secret == "" {
		return "none"
	}
	return "<redacted>"
}

func orDefault(d, fallback time.Duration) time.Duration {
	if d == 0 {
		return fallback
	}
	return d
}

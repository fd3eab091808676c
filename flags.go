package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/alecthomas/kingpin/v2"

	"github.com/fortigate-session-exporter/fortigate_session_exporter/config"
	"github.com/fortigate-session-exporter/fortigate_session_exporter/fgsession"
)

// cliFlags holds every flag except the web, log and collector flags, which
// their packages register.
type cliFlags struct {
	configFile string
	env        config.Env
	password   string
	token      string

	redisHost, redisPort   string
	redisAddrs             []string
	redisUsername          string
	redisPassword          string
	redisPasswordFile      string
	redisDB                int
	redisSentinelMaster    string
	redisSentinelPassword  string
	redisCluster           bool
	redisTLS               bool
	redisTLSCAFile         string
	redisTLSServerName     string
	redisTLSInsecure       bool
	redisKeyPrefix         string
	redisFallback          string
	redisEncryptionKeyFile string
	redisTimeout           time.Duration

	sessionTTL      time.Duration
	loginBackoff    time.Duration
	loginBackoffMax time.Duration
	logoutGrace     time.Duration
	lockTTL         time.Duration
	replicaID       string

	scrapeTimeoutOffset    time.Duration
	scrapeDefaultTimeout   time.Duration
	scrapeCollectorTimeout time.Duration
}

func registerFlags(app *kingpin.Application) *cliFlags {
	f := &cliFlags{}
	app.Flag("config.file", "Targets file (YAML) for many FortiGates, served on /probe?target=NAME.").
		PlaceHolder("FILE").StringVar(&f.configFile)

	app.Flag("fortigate.host", "FortiGate of the single target \"default\": a URL or host[:port] (HTTPS).").
		Envar(config.EnvHost).StringVar(&f.env.Host)
	app.Flag("fortigate.username", "Admin username of the default target.").
		Envar(config.EnvUsername).StringVar(&f.env.Username)
	app.Flag("fortigate.password", "Admin password of the default target. Prefer --fortigate.password-file, "+
		"because a flag value shows in the process list.").
		Envar(config.EnvPassword).StringVar(&f.password)
	app.Flag("fortigate.token", "REST API admin token of the default target, instead of a password. "+
		"Prefer --fortigate.token-file.").
		Envar(config.EnvToken).StringVar(&f.token)
	app.Flag("fortigate.password-file", "File holding the admin password of the default target "+
		"(default /run/secrets/fortigate_password when it exists).").
		Envar(config.EnvPasswordFile).StringVar(&f.env.PasswordFile)
	app.Flag("fortigate.token-file", "File holding a REST API admin token for the default target, instead of a password.").
		Envar(config.EnvTokenFile).StringVar(&f.env.TokenFile)
	app.Flag("fortigate.login-method", "Login method of the default target: auto, api, logincheck or token.").
		Envar(config.EnvLoginMethod).StringVar(&f.env.LoginMethod)
	app.Flag("fortigate.session-ttl", "Session lifetime of the default target in minutes.").
		Envar(config.EnvSessionTTL).Default("30").
		SetValue(&intValue{setting: config.EnvSessionTTL + " (--fortigate.session-ttl)", value: &f.env.SessionTTLMinutes})
	app.Flag("fortigate.session-group", "Session group of the default target; replicas with different "+
		"source addresses need different groups.").
		Envar(config.EnvSessionGroup).StringVar(&f.env.SessionGroup)
	app.Flag("fortigate.source-address", "Local IP address to connect to the default target from.").
		Envar(config.EnvSourceAddress).StringVar(&f.env.SourceAddress)
	app.Flag("fortigate.ca-file", "PEM file of the CA (or self-signed certificate) of the default target.").
		Envar(config.EnvCAFile).StringVar(&f.env.CAFile)
	app.Flag("fortigate.server-name", "TLS server name to verify for the default target.").
		Envar(config.EnvServerName).StringVar(&f.env.ServerName)
	app.Flag("fortigate.insecure-skip-verify", "Do not verify the default target's TLS certificate.").
		Envar(config.EnvInsecureSkipVerify).
		SetValue(&boolValue{setting: config.EnvInsecureSkipVerify + " (--fortigate.insecure-skip-verify)",
			value: &f.env.InsecureSkipVerify})

	app.Flag("redis.host", "Redis host that stores the shared session. Without any Redis setting the "+
		"exporter keeps its session in memory (one replica).").
		Envar("REDIS_HOST").StringVar(&f.redisHost)
	app.Flag("redis.port", "Redis port.").Envar("REDIS_PORT").Default("6379").
		SetValue(&portValue{setting: "REDIS_PORT (--redis.port)", value: &f.redisPort})
	app.Flag("redis.addr", "Redis address host:port; repeat for Sentinel or Cluster nodes. Overrides --redis.host.").
		StringsVar(&f.redisAddrs)
	app.Flag("redis.username", "Redis ACL user.").Envar("REDIS_USERNAME").StringVar(&f.redisUsername)
	app.Flag("redis.password", "Redis password. Prefer --redis.password-file.").
		Envar("REDIS_PASSWORD").StringVar(&f.redisPassword)
	app.Flag("redis.password-file", "File holding the Redis password.").
		Envar("REDIS_PASSWORD_FILE").StringVar(&f.redisPasswordFile)
	app.Flag("redis.db", "Redis database number.").Envar("REDIS_DB").Default("0").
		SetValue(&intValue{setting: "REDIS_DB (--redis.db)", value: &f.redisDB})
	app.Flag("redis.sentinel-master", "Sentinel master name; the --redis.addr values are then sentinels.").
		StringVar(&f.redisSentinelMaster)
	app.Flag("redis.sentinel-password", "Password of the sentinels, when they require one.").
		Envar("REDIS_SENTINEL_PASSWORD").StringVar(&f.redisSentinelPassword)
	app.Flag("redis.cluster", "Connect to a Redis Cluster through the --redis.addr nodes.").BoolVar(&f.redisCluster)
	app.Flag("redis.tls", "Connect to Redis over TLS.").BoolVar(&f.redisTLS)
	app.Flag("redis.tls-ca-file", "PEM file of the CA that signed the Redis server certificate.").
		StringVar(&f.redisTLSCAFile)
	app.Flag("redis.tls-server-name", "TLS server name to verify for Redis.").StringVar(&f.redisTLSServerName)
	app.Flag("redis.tls-insecure-skip-verify", "Do not verify the Redis TLS certificate.").BoolVar(&f.redisTLSInsecure)
	app.Flag("redis.key-prefix", "Prefix of every Redis key the exporter writes.").
		Default("fortigate_session_exporter:").StringVar(&f.redisKeyPrefix)
	app.Flag("redis.fallback", "While Redis is unreachable: local keeps scraping with a per-process session; "+
		"fail fails the scrapes.").Default(fgsession.FallbackLocal).
		EnumVar(&f.redisFallback, fgsession.FallbackLocal, fgsession.FallbackFail)
	app.Flag("redis.encryption-key-file", "File with a 32-byte AES-256 key that seals session records in Redis.").
		StringVar(&f.redisEncryptionKeyFile)
	app.Flag("redis.timeout", "Maximum time of one Redis call.").Default("500ms").DurationVar(&f.redisTimeout)

	app.Flag("session.ttl", "Age at which the shared session is replaced by one new login. "+
		"Default: FORTIGATE_SESSION_TTL minutes, 30m; a target's session_ttl wins.").DurationVar(&f.sessionTTL)
	app.Flag("session.login-backoff", "Back-off after the first rejected login; doubles per further rejection.").
		Default("60s").DurationVar(&f.loginBackoff)
	app.Flag("session.login-backoff-max", "Maximum login back-off.").Default("15m").DurationVar(&f.loginBackoffMax)
	app.Flag("session.logout-grace", "How long a replaced session stays logged in before its logout.").
		Default("30s").DurationVar(&f.logoutGrace)
	app.Flag("session.lock-ttl", "Lifetime of the login lock; a crashed holder delays other replicas at most this long.").
		Default("5s").DurationVar(&f.lockTTL)
	app.Flag("session.replica-id", "Name of this replica in session records (default hostname-pid).").
		StringVar(&f.replicaID)

	app.Flag("scrape.timeout-offset", "Subtracted from Prometheus's X-Prometheus-Scrape-Timeout-Seconds.").
		Default("500ms").DurationVar(&f.scrapeTimeoutOffset)
	app.Flag("scrape.default-timeout", "Scrape deadline when Prometheus sends no timeout header.").
		Default("10s").DurationVar(&f.scrapeDefaultTimeout)
	app.Flag("scrape.collector-timeout", "Maximum time of one collector; a slower one fails alone. 0 means the scrape deadline only.").
		Default("0s").DurationVar(&f.scrapeCollectorTimeout)
	return f
}

// intValue is a kingpin flag value whose parse error names the setting, which
// kingpin's own IntVar does not.
type intValue struct {
	setting string
	value   *int
}

func (v *intValue) Set(s string) error {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return fmt.Errorf("%s %q is not a whole number", v.setting, s)
	}
	*v.value = n
	return nil
}

func (v *intValue) String() string { return strconv.Itoa(*v.value) }

// boolValue is a kingpin boolean flag value whose parse error names the setting.
type boolValue struct {
	setting string
	value   *bool
}

func (v *boolValue) Set(s string) error {
	b, err := strconv.ParseBool(strings.TrimSpace(s))
	if err != nil {
		return fmt.Errorf("%s %q is not a boolean: use true or false", v.setting, s)
	}
	*v.value = b
	return nil
}

func (v *boolValue) String() string   { return strconv.FormatBool(*v.value) }
func (v *boolValue) IsBoolFlag() bool { return true }

// portValue is a TCP port flag value, checked when it is parsed.
type portValue struct {
	setting string
	value   *string
}

func (v *portValue) Set(s string) error {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 1 || n > 65535 {
		return fmt.Errorf("%s %q is not a port number between 1 and 65535", v.setting, s)
	}
	*v.value = strconv.Itoa(n)
	return nil
}

func (v *portValue) String() string { return *v.value }

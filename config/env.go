package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"
)

// Environment variables of the single-target mode. main binds each to the flag
// of the same meaning, and error messages name them.
const (
	EnvHost               = "FORTIGATE_HOST"
	EnvUsername           = "FORTIGATE_USERNAME"
	EnvPassword           = "FORTIGATE_PASSWORD"
	EnvPasswordFile       = "FORTIGATE_PASSWORD_FILE"
	EnvToken              = "FORTIGATE_TOKEN"
	EnvTokenFile          = "FORTIGATE_TOKEN_FILE"
	EnvLoginMethod        = "FORTIGATE_LOGIN_METHOD"
	EnvSessionTTL         = "FORTIGATE_SESSION_TTL"
	EnvSessionGroup       = "FORTIGATE_SESSION_GROUP"
	EnvSourceAddress      = "FORTIGATE_SOURCE_ADDRESS"
	EnvCAFile             = "FORTIGATE_CA_FILE"
	EnvServerName         = "FORTIGATE_SERVER_NAME"
	EnvInsecureSkipVerify = "FORTIGATE_INSECURE_SKIP_VERIFY"
)

// DefaultSecretPasswordFile is the path at which Docker mounts a secret named
// fortigate_password. Env.Target reads it when no password, password file or
// token is set.
const DefaultSecretPasswordFile = "/run/secrets/fortigate_password"

// envSettingNames maps the YAML keys of a target to the environment
// variables that set them in single-target mode.
var envSettingNames = map[string]string{
	"url":                      EnvHost,
	"username":                 EnvUsername,
	"password":                 EnvPassword,
	"password_file":            EnvPasswordFile,
	"token":                    EnvToken,
	"token_file":               EnvTokenFile,
	"login_method":             EnvLoginMethod,
	"session_ttl":              EnvSessionTTL,
	"session_group":            EnvSessionGroup,
	"source_address":           EnvSourceAddress,
	"tls.ca_file":              EnvCAFile,
	"tls.server_name":          EnvServerName,
	"tls.insecure_skip_verify": EnvInsecureSkipVerify,
}

// Env is the single-target configuration that main reads from flags and
// environment variables. A set Host makes a target named "default".
type Env struct {
	// Host is FORTIGATE_HOST: a URL, or a host[:port] that gets https://.
	Host string
	// Username is FORTIGATE_USERNAME.
	Username string
	// Password is FORTIGATE_PASSWORD.
	Password Secret
	// PasswordFile is FORTIGATE_PASSWORD_FILE.
	PasswordFile string
	// SecretPasswordFile is read as the password file when it exists and none
	// of Password, PasswordFile, Token and TokenFile is set. Empty means
	// DefaultSecretPasswordFile.
	SecretPasswordFile string
	// Token is FORTIGATE_TOKEN, a REST API admin token.
	Token Secret
	// TokenFile is FORTIGATE_TOKEN_FILE.
	TokenFile string
	// LoginMethod is FORTIGATE_LOGIN_METHOD. Empty means auto, or token when a
	// token is set.
	LoginMethod string
	// SessionTTLMinutes is FORTIGATE_SESSION_TTL in minutes. Zero means the
	// default of 30.
	SessionTTLMinutes int
	// SessionGroup is FORTIGATE_SESSION_GROUP.
	SessionGroup string
	// SourceAddress is FORTIGATE_SOURCE_ADDRESS, the local IP to connect from.
	SourceAddress string
	// CAFile is FORTIGATE_CA_FILE.
	CAFile string
	// ServerName is FORTIGATE_SERVER_NAME.
	ServerName string
	// InsecureSkipVerify is FORTIGATE_INSECURE_SKIP_VERIFY.
	InsecureSkipVerify bool
}

// Target builds and validates the target named "default". It returns nil and
// no error when Host is empty and no other FortiGate credential is set.
// Relative paths are relative to the working directory.
func (e Env) Target() (*Target, error) {
	if e.Host == "" {
		return nil, e.checkUnused()
	}
	if e.SessionTTLMinutes < 0 {
		return nil, fmt.Errorf("%s %d is negative: set the session lifetime in minutes, "+
			"such as 30", EnvSessionTTL, e.SessionTTLMinutes)
	}
	// 480 minutes is FortiOS's longest admintimeout; a shared session older
	// than a day gains nothing and a larger number overflows time.Duration.
	if e.SessionTTLMinutes > 24*60 {
		return nil, fmt.Errorf("%s %d is above the maximum of 1440 minutes (one day): "+
			"set the session lifetime in minutes, such as 30", EnvSessionTTL, e.SessionTTLMinutes)
	}

	settingName := func(key string) string { return envSettingNames[key] }
	hasToken := e.Token != "" || e.TokenFile != ""
	passwordFile := e.PasswordFile
	if !hasToken && e.Password == "" && e.PasswordFile == "" {
		path, err := e.secretPasswordFile()
		if err != nil {
			return nil, err
		}
		passwordFile = path
		settingName = func(key string) string {
			if key == "password_file" {
				return "secret password file"
			}
			return envSettingNames[key]
		}
	}
	if !hasToken && e.Username == "" {
		return nil, fmt.Errorf("%s is required when %s is set (or %s for a REST API token)",
			EnvUsername, EnvHost, EnvTokenFile)
	}

	ttl := time.Duration(e.SessionTTLMinutes) * time.Minute
	fields := targetFields{
		Name:         DefaultTargetName,
		URL:          e.Host,
		Username:     e.Username,
		Password:     e.Password,
		PasswordFile: passwordFile,
		Token:        e.Token,
		TokenFile:    e.TokenFile,
		LoginMethod:  e.LoginMethod,
		TLS: tlsFields{
			CAFile:             e.CAFile,
			ServerName:         e.ServerName,
			InsecureSkipVerify: &e.InsecureSkipVerify,
		},
		SessionTTL:    &ttl,
		SessionGroup:  e.SessionGroup,
		SourceAddress: e.SourceAddress,
	}

	b := builder{settingName: settingName}
	target := b.build(fields)
	if len(b.errs) > 0 {
		errs := make([]error, 0, len(b.errs))
		for _, fe := range b.errs {
			errs = append(errs, errors.New(fe.msg))
		}
		return nil, errors.Join(errs...)
	}
	return target, nil
}

// secretPasswordFile returns the path of the secret password file, or an
// error saying that a password is required when that file does not exist.
func (e Env) secretPasswordFile() (string, error) {
	path := e.SecretPasswordFile
	if path == "" {
		path = DefaultSecretPasswordFile
	}

	_, err := os.Stat(path)
	switch {
	case err == nil:
		return path, nil
	case errors.Is(err, fs.ErrNotExist):
		return "", fmt.Errorf("%s or %s is required when %s is set "+
			"(%s does not exist; for a REST API token set %s)",
			EnvPassword, EnvPasswordFile, EnvHost, path, EnvTokenFile)
	default:
		return "", fmt.Errorf("%s and %s are unset and the secret password file "+
			"cannot be used: %w", EnvPassword, EnvPasswordFile, err)
	}
}

// checkUnused returns an error when a credential is set without Host, which
// is a misconfiguration that would otherwise be silently ignored.
func (e Env) checkUnused() error {
	unused := []struct {
		name string
		set  bool
	}{
		{EnvUsername, e.Username != ""},
		{EnvPassword, e.Password != ""},
		{EnvPasswordFile, e.PasswordFile != ""},
		{EnvToken, e.Token != ""},
		{EnvTokenFile, e.TokenFile != ""},
	}
	for _, u := range unused {
		if u.set {
			return fmt.Errorf("%s is set but %s is not: set %s to the FortiGate's "+
				"address, or unset %s", u.name, EnvHost, EnvHost, u.name)
		}
	}
	return nil
}

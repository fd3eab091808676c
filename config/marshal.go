package config

import (
	"encoding/json"
	"time"
)

// targetView is a Target in the schema of the targets file, for JSON and YAML
// output. Secrets are redacted by Secret, and a password read from a file
// shows only the file.
type targetView struct {
	Name          string          `json:"name" yaml:"name"`
	URL           string          `json:"url" yaml:"url"`
	AllowHTTP     bool            `json:"allow_http,omitempty" yaml:"allow_http,omitempty"`
	Username      string          `json:"username,omitempty" yaml:"username,omitempty"`
	Password      Secret          `json:"password,omitempty" yaml:"password,omitempty"`
	PasswordFile  string          `json:"password_file,omitempty" yaml:"password_file,omitempty"`
	Token         Secret          `json:"token,omitempty" yaml:"token,omitempty"`
	TokenFile     string          `json:"token_file,omitempty" yaml:"token_file,omitempty"`
	LoginMethod   LoginMethod     `json:"login_method" yaml:"login_method"`
	TLS           tlsView         `json:"tls,omitzero" yaml:"tls,omitempty"`
	VDOMs         []string        `json:"vdoms,omitempty" yaml:"vdoms,omitempty"`
	Collectors    collectorFields `json:"collectors,omitzero" yaml:"collectors,omitempty"`
	Timeout       string          `json:"timeout,omitempty" yaml:"timeout,omitempty"`
	SessionTTL    string          `json:"session_ttl" yaml:"session_ttl"`
	SessionGroup  string          `json:"session_group,omitempty" yaml:"session_group,omitempty"`
	SourceAddress string          `json:"source_address,omitempty" yaml:"source_address,omitempty"`
	MaxParallel   int             `json:"max_parallel" yaml:"max_parallel"`

	CustomEndpoints []customEndpointView `json:"custom_endpoints,omitempty" yaml:"custom_endpoints,omitempty"`
	PolicyFilter    *policyFilterView    `json:"policy_filter,omitempty" yaml:"policy_filter,omitempty"`
}

// policyFilterView is a PolicyFilter as the targets file writes it: an ID as a
// number, a range as a string such as "10-20".
type policyFilterView struct {
	IDs   []any    `json:"ids,omitempty" yaml:"ids,omitempty"`
	Names []string `json:"names,omitempty" yaml:"names,omitempty"`
}

func (f *PolicyFilter) view() *policyFilterView {
	if f == nil {
		return nil
	}
	v := &policyFilterView{}
	for _, r := range f.IDs {
		if r.First == r.Last {
			v.IDs = append(v.IDs, r.First)
		} else {
			v.IDs = append(v.IDs, r.String())
		}
	}
	for _, re := range f.Names {
		v.Names = append(v.Names, re.String())
	}
	return v
}

type tlsView struct {
	CAFile             string `json:"ca_file,omitempty" yaml:"ca_file,omitempty"`
	ServerName         string `json:"server_name,omitempty" yaml:"server_name,omitempty"`
	InsecureSkipVerify bool   `json:"insecure_skip_verify,omitempty" yaml:"insecure_skip_verify,omitempty"`
}

func (t Target) view() targetView {
	v := targetView{
		Name:         t.Name,
		Username:     t.Username,
		PasswordFile: t.PasswordFile,
		TokenFile:    t.TokenFile,
		LoginMethod:  t.LoginMethod,
		TLS: tlsView{
			CAFile:             t.TLS.CAFile,
			ServerName:         t.TLS.ServerName,
			InsecureSkipVerify: t.TLS.InsecureSkipVerify,
		},
		VDOMs:        t.VDOMs,
		Collectors:   collectorFields{Include: t.Collectors.Include, Exclude: t.Collectors.Exclude},
		Timeout:      formatDuration(t.Timeout),
		SessionTTL:   formatDuration(t.SessionTTL),
		SessionGroup: t.SessionGroup,
		MaxParallel:  t.MaxParallel,

		CustomEndpoints: customEndpointViews(t.CustomEndpoints),
		PolicyFilter:    t.PolicyFilter.view(),
	}
	if t.URL != nil {
		v.URL = t.URL.String()
		v.AllowHTTP = t.URL.Scheme == "http"
	}
	if t.PasswordFile == "" {
		v.Password = t.Password
	}
	if t.TokenFile == "" {
		v.Token = t.Token
	}
	if t.SourceAddress.IsValid() {
		v.SourceAddress = t.SourceAddress.String()
	}
	return v
}

func formatDuration(d time.Duration) string {
	if d == 0 {
		return ""
	}
	return d.String()
}

// MarshalJSON encodes t with the keys of the targets file and secrets redacted.
func (t Target) MarshalJSON() ([]byte, error) { return json.Marshal(t.view()) }

// MarshalYAML encodes t with the keys of the targets file and secrets redacted.
func (t Target) MarshalYAML() (any, error) { return t.view(), nil }

package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// fileConfig is the schema of the targets file.
type fileConfig struct {
	// Defaults applies to every target that does not set a value itself.
	Defaults targetFields   `yaml:"defaults"`
	Targets  []targetFields `yaml:"targets"`
}

// targetFields is one target (or the defaults block) as written in the file.
// Pointers tell an unset value from an explicit zero, so a target can
// override a default with false, 0 or 0s.
type targetFields struct {
	Name          string          `yaml:"name"`
	URL           string          `yaml:"url"`
	AllowHTTP     *bool           `yaml:"allow_http"`
	Username      string          `yaml:"username"`
	Password      Secret          `yaml:"password"`
	PasswordFile  string          `yaml:"password_file"`
	Token         Secret          `yaml:"token"`
	TokenFile     string          `yaml:"token_file"`
	LoginMethod   string          `yaml:"login_method"`
	TLS           tlsFields       `yaml:"tls"`
	VDOMs         []string        `yaml:"vdoms"`
	Collectors    collectorFields `yaml:"collectors"`
	Timeout       *time.Duration  `yaml:"timeout"`
	SessionTTL    *time.Duration  `yaml:"session_ttl"`
	SessionGroup  string          `yaml:"session_group"`
	SourceAddress string          `yaml:"source_address"`
	MaxParallel   *int            `yaml:"max_parallel"`
	// CustomEndpoints of a target replace those of the defaults block.
	CustomEndpoints []customEndpointFields `yaml:"custom_endpoints"`
	// PolicyFilter is per target only, because policy IDs differ between
	// devices.
	PolicyFilter *policyFilterFields `yaml:"policy_filter"`
}

type tlsFields struct {
	CAFile             string `yaml:"ca_file"`
	ServerName         string `yaml:"server_name"`
	InsecureSkipVerify *bool  `yaml:"insecure_skip_verify"`
}

type collectorFields struct {
	Include []string `json:"include,omitempty" yaml:"include,omitempty"`
	Exclude []string `json:"exclude,omitempty" yaml:"exclude,omitempty"`
}

// hasCredentials reports whether f sets any authentication key. A target that
// sets one takes none of the credentials from the defaults block.
func (f *targetFields) hasCredentials() bool {
	return f.Username != "" || f.Password != "" || f.PasswordFile != "" ||
		f.Token != "" || f.TokenFile != ""
}

// withDefaults returns f with every unset value taken from d. Credentials are
// inherited as one group, and d.LoginMethod only applies to targets whose
// credentials are a username and password, so a token target never inherits
// a session login method.
func (f targetFields) withDefaults(d targetFields) targetFields {
	if !f.hasCredentials() {
		f.Username = d.Username
		f.Password = d.Password
		f.PasswordFile = d.PasswordFile
		f.Token = d.Token
		f.TokenFile = d.TokenFile
	}
	if f.LoginMethod == "" && f.Token == "" && f.TokenFile == "" {
		f.LoginMethod = d.LoginMethod
	}

	if f.AllowHTTP == nil {
		f.AllowHTTP = d.AllowHTTP
	}
	if f.TLS.CAFile == "" {
		f.TLS.CAFile = d.TLS.CAFile
	}
	if f.TLS.ServerName == "" {
		f.TLS.ServerName = d.TLS.ServerName
	}
	if f.TLS.InsecureSkipVerify == nil {
		f.TLS.InsecureSkipVerify = d.TLS.InsecureSkipVerify
	}

	if f.VDOMs == nil {
		f.VDOMs = d.VDOMs
	}
	if f.Collectors.Include == nil {
		f.Collectors.Include = d.Collectors.Include
	}
	if f.Collectors.Exclude == nil {
		f.Collectors.Exclude = d.Collectors.Exclude
	}

	if f.Timeout == nil {
		f.Timeout = d.Timeout
	}
	if f.SessionTTL == nil {
		f.SessionTTL = d.SessionTTL
	}
	if f.SessionGroup == "" {
		f.SessionGroup = d.SessionGroup
	}
	if f.SourceAddress == "" {
		f.SourceAddress = d.SourceAddress
	}
	if f.MaxParallel == nil {
		f.MaxParallel = d.MaxParallel
	}
	if f.CustomEndpoints == nil {
		f.CustomEndpoints = d.CustomEndpoints
	}
	return f
}

// Load reads and validates the targets file at path. Unknown keys are errors.
// Relative password_file, token_file and tls.ca_file paths are resolved
// against the directory of path. Every problem found is returned, joined, each
// prefixed with path and line number.
func Load(path string) (*Config, error) {
	data, err := readLimited(path, MaxFileSize)
	if err != nil {
		return nil, err
	}

	doc, err := parseDocument(path, data)
	if err != nil {
		return nil, err
	}

	if err := rejectTags(path, doc); err != nil {
		return nil, err
	}

	var file fileConfig
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&file); err != nil {
		return nil, decodeError(path, err)
	}

	baseDir, err := filepath.Abs(filepath.Dir(path))
	if err != nil {
		return nil, fmt.Errorf("resolve directory of config file %s: %w", path, err)
	}
	return buildConfig(path, baseDir, doc, &file)
}

// parseDocument parses data into a node tree, which Load uses only to find
// the line of a key for error messages.
func parseDocument(path string, data []byte) (*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))

	var doc yaml.Node
	err := dec.Decode(&doc)
	if errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: file is empty: define at least one target under targets", path)
	}
	if err != nil {
		return nil, decodeError(path, err)
	}

	var next yaml.Node
	if err := dec.Decode(&next); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s:%d: a second YAML document is not supported: "+
			"put every target in one targets list", path, next.Line)
	}

	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s:%d: the top level must be a mapping with the keys "+
			"defaults and targets", path, doc.Line)
	}
	return doc.Content[0], nil
}

// rejectTags returns an error for the first node with an explicit YAML tag
// other than !!str. yaml.v3 puts the full value of a scalar whose tag does not
// resolve (such as `password: !!int VALUE`) into its error message, so such a
// node could otherwise print a secret. The schema needs no tags.
func rejectTags(path string, node *yaml.Node) error {
	if node.Style&yaml.TaggedStyle != 0 && node.Tag != "!!str" {
		return fmt.Errorf("%s:%d: YAML tag %s is not supported: remove it", path, node.Line, node.Tag)
	}
	for _, child := range node.Content {
		if err := rejectTags(path, child); err != nil {
			return err
		}
	}
	return nil
}

var (
	yamlLinePrefix   = regexp.MustCompile(`^(?:yaml: )?line (\d+): `)
	unknownFieldText = regexp.MustCompile(`^field (\S+) not found in type config\.(\w+)$`)
)

// schemaTypes maps the schema's Go types to the words used in messages.
var schemaTypes = map[string]struct {
	place  string
	fields reflect.Type
}{
	"fileConfig":           {"the top level", reflect.TypeFor[fileConfig]()},
	"targetFields":         {"a target", reflect.TypeFor[targetFields]()},
	"tlsFields":            {"tls", reflect.TypeFor[tlsFields]()},
	"collectorFields":      {"collectors", reflect.TypeFor[collectorFields]()},
	"customEndpointFields": {"a custom endpoint", reflect.TypeFor[customEndpointFields]()},
	"customMetricFields":   {"a custom endpoint metric", reflect.TypeFor[customMetricFields]()},
	"policyFilterFields":   {"policy_filter", reflect.TypeFor[policyFilterFields]()},
}

// typeNames replaces Go type names in yaml.v3 messages with the words of the
// file's schema. Longer names come first because the replacer tries its
// arguments in order.
var typeNames = strings.NewReplacer(
	"[]config.targetFields", "a list of targets",
	"config.targetFields", "a target",
	"config.fileConfig", "the top level",
	"config.tlsFields", "tls",
	"config.collectorFields", "collectors",
	"[]config.customEndpointFields", "a list of custom endpoints",
	"config.customEndpointFields", "a custom endpoint",
	"[]config.customMetricFields", "a list of metrics",
	"config.customMetricFields", "a custom endpoint metric",
	"config.policyFilterFields", "policy_filter",
	"config.Secret", "a string",
	"time.Duration", "a duration such as 30s or 5m",
)

// decodeError rewrites a yaml.v3 error into "path:line: message" lines and
// names unknown keys with the keys that are valid in their place. yaml.v3
// includes a scalar's value only when it cannot be converted to a non-string
// type, and secrets decode into strings, so no secret reaches these messages.
func decodeError(path string, err error) error {
	var typeErr *yaml.TypeError
	if !errors.As(err, &typeErr) {
		return fmt.Errorf("%s", locate(path, err.Error()))
	}

	errs := make([]error, 0, len(typeErr.Errors))
	for _, msg := range typeErr.Errors {
		errs = append(errs, errors.New(locate(path, msg)))
	}
	return errors.Join(errs...)
}

// locate turns "line N: message" into "path:N: message".
func locate(path, msg string) string {
	line := 0
	if m := yamlLinePrefix.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = msg[len(m[0]):]
	}
	msg = strings.TrimPrefix(msg, "yaml: ")

	if m := unknownFieldText.FindStringSubmatch(msg); m != nil {
		if schema, ok := schemaTypes[m[2]]; ok {
			msg = fmt.Sprintf("unknown key %q in %s (valid keys: %s)",
				m[1], schema.place, strings.Join(yamlKeys(schema.fields), ", "))
		}
	}
	msg = typeNames.Replace(msg)

	if line == 0 {
		return fmt.Sprintf("%s: %s", path, msg)
	}
	return fmt.Sprintf("%s:%d: %s", path, line, msg)
}

// yamlKeys lists the YAML keys of struct type t in declaration order.
func yamlKeys(t reflect.Type) []string {
	keys := make([]string, 0, t.NumField())
	for field := range t.Fields() {
		name, _, _ := strings.Cut(field.Tag.Get("yaml"), ",")
		if name != "" && name != "-" {
			keys = append(keys, name)
		}
	}
	return keys
}

// buildConfig validates every target of file. doc is the top-level mapping,
// used for line numbers.
func buildConfig(path, baseDir string, doc *yaml.Node, file *fileConfig) (*Config, error) {
	_, defaultsNode := mappingValue(doc, "defaults")
	_, targetsNode := mappingValue(doc, "targets")

	var errs []error
	if file.Defaults.Name != "" || file.Defaults.URL != "" {
		key := "name"
		if file.Defaults.URL != "" {
			key = "url"
		}
		errs = append(errs, fmt.Errorf("%s:%d: defaults: %s cannot be set in defaults, "+
			"only in each target", path, keyLine(defaultsNode, key), key))
	}
	if file.Defaults.PolicyFilter != nil {
		errs = append(errs, fmt.Errorf("%s:%d: defaults: policy_filter cannot be set in defaults, "+
			"only in each target, because policy IDs differ between devices",
			path, keyLine(defaultsNode, "policy_filter")))
	}
	if len(file.Targets) == 0 {
		errs = append(errs, fmt.Errorf("%s: no targets: add at least one entry under targets", path))
	}

	cfg := &Config{Targets: make([]Target, 0, len(file.Targets))}
	firstLine := make(map[string]int, len(file.Targets))
	for i, fields := range file.Targets {
		var node *yaml.Node
		if targetsNode != nil && i < len(targetsNode.Content) {
			node = targetsNode.Content[i]
		}
		label := fmt.Sprintf("targets[%d]", i)
		if fields.Name != "" {
			label = fmt.Sprintf("target %q", fields.Name)
		}

		b := builder{baseDir: baseDir, settingName: fileSettingName}
		target := b.build(fields.withDefaults(file.Defaults))
		for _, fe := range b.errs {
			line := keyLine(node, fe.key)
			if line == 0 {
				line = keyLine(defaultsNode, fe.key)
			}
			if line == 0 && node != nil {
				line = node.Line
			}
			errs = append(errs, fmt.Errorf("%s:%d: %s: %s", path, line, label, fe.msg))
		}
		if len(b.errs) > 0 {
			continue
		}

		if first, ok := firstLine[target.Name]; ok {
			errs = append(errs, fmt.Errorf("%s:%d: %s: duplicate name, first used on line %d: "+
				"target names must be unique", path, keyLine(node, "name"), label, first))
			continue
		}
		firstLine[target.Name] = keyLine(node, "name")
		cfg.Targets = append(cfg.Targets, *target)
	}

	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return cfg, nil
}

// mappingValue returns the key and value nodes of key in mapping m, or nils.
func mappingValue(m *yaml.Node, key string) (*yaml.Node, *yaml.Node) {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i], m.Content[i+1]
		}
	}
	return nil, nil
}

// keyLine returns the line of a dotted key such as "tls.ca_file" inside
// mapping m, or 0 when m does not contain it. A part may index a list, as in
// "custom_endpoints[0].metrics[1].type", and a key that ends in an index
// returns the line of that list item.
func keyLine(m *yaml.Node, dotted string) int {
	line := 0
	for part := range strings.SplitSeq(dotted, ".") {
		name, index, hasIndex := splitIndex(part)
		keyNode, value := mappingValue(m, name)
		if keyNode == nil {
			return 0
		}
		line, m = keyNode.Line, value
		if hasIndex {
			if m == nil || m.Kind != yaml.SequenceNode || index >= len(m.Content) {
				return 0
			}
			m = m.Content[index]
			line = m.Line
		}
	}
	return line
}

// fileSettingName names a setting in messages about the targets file.
func fileSettingName(key string) string { return key }

// validLoginMethods lists login_method values in the order messages show them.
var validLoginMethods = []LoginMethod{LoginAuto, LoginAPI, LoginLogincheck, LoginToken}

func parseLoginMethod(s string) (LoginMethod, bool) {
	m := LoginMethod(s)
	return m, slices.Contains(validLoginMethods, m)
}

// MaxFileSize bounds a targets file. A file of thousands of targets is well
// under 1 MiB; a larger one is a mistake that would cost seconds and much
// memory on every reload.
const MaxFileSize = 8 << 20

func readLimited(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read config file: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read config file: %w", err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("config file %s is larger than %d MiB: split it or remove unused targets",
			path, limit>>20)
	}
	return data, nil
}

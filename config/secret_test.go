package config

import "testing"

func TestSecretMethods(t *testing.T) {
	secret := Secret(testPassword)
	if got := secret.Reveal(); got != testPassword {
		t.Errorf("Reveal = %q, want the value", got)
	}
	if got := secret.String(); got != redacted {
		t.Errorf("String = %q, want %q", got, redacted)
	}
	if got := secret.LogValue().String(); got != redacted {
		t.Errorf("LogValue = %q, want %q", got, redacted)
	}
	yamlValue, err := secret.MarshalYAML()
	if err != nil || yamlValue != redacted {
		t.Errorf("MarshalYAML = %v, %v; want %q", yamlValue, err, redacted)
	}
}

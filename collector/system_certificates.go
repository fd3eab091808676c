package collector

import (
	"context"
	"net/url"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/fortigate-session-exporter/fortigate_session_exporter/fgsession"
)

// The system_certificates collector reads GET
// /api/v2/monitor/system/available-certificates twice: with scope=global for
// the certificates of the global scope, and with vdom=* for those of each VDOM.
// A per-VDOM reply lists the global certificates again (range "global"), so
// they are sent once, with an empty vdom label. valid_from and valid_to are in
// seconds since the Unix epoch, and q_ref counts the configuration objects that
// use the certificate.
//
// A VDOM admin has no global scope, and FortiOS rejects its scope=global
// request with 403. The collector then reads the per-VDOM reply alone, which
// repeats the global certificates (range "global").

const certificatesEndpoint = "system/available-certificates"

type certificatesCollector struct {
	info       *metric
	validFrom  *metric
	validTo    *metric
	references *metric
}

func newCertificatesCollector() *certificatesCollector {
	const ep = certificatesEndpoint
	gauge := prometheus.GaugeValue
	return &certificatesCollector{
		info: newMetric(namespace+"_certificate_info", gauge, "", ep,
			"Certificate with its source (factory, user, ...), type (local, local-ca, remote-ca, "+
				"...) and status (valid, expired, ...), always 1. vdom is empty for certificates "+
				"of the global scope.",
			"name", "vdom", "source", "type", "status"),
		validFrom: newMetric(namespace+"_certificate_valid_from_seconds", gauge, "seconds", ep,
			"Start of the certificate's validity (notBefore), in seconds since the Unix epoch.",
			"name", "vdom"),
		validTo: newMetric(namespace+"_certificate_valid_to_seconds", gauge, "seconds", ep,
			"End of the certificate's validity (notAfter), in seconds since the Unix epoch.",
			"name", "vdom"),
		references: newMetric(namespace+"_certificate_cmdb_references", gauge, "", ep,
			"Number of configuration objects that use the certificate.",
			"name", "vdom"),
	}
}

func (c *certificatesCollector) metrics() []*metric {
	return []*metric{c.info, c.validFrom, c.validTo, c.references}
}

type certificate struct {
	Name       text   `json:"name"`
	Source     text   `json:"source"`
	Range      text   `json:"range"`
	Type       text   `json:"type"`
	Status     text   `json:"status"`
	ValidFrom  number `json:"valid_from"`
	ValidTo    number `json:"valid_to"`
	References number `json:"q_ref"`
}

// scopedCertificate is a certificate with the VDOM it belongs to, empty for the
// global scope.
type scopedCertificate struct {
	vdom string
	cert certificate
}

// parseCertificates decodes a system/available-certificates reply with one
// envelope (scope=global) or one per VDOM (vdom=*). When global is true every
// certificate belongs to the global scope. Otherwise a certificate belongs to
// the VDOM of its envelope unless its range is "global".
func parseCertificates(body []byte, global bool) ([]scopedCertificate, error) {
	envelopes, err := decodeEnvelopes(certificatesEndpoint, body)
	if err != nil {
		return nil, err
	}

	var out []scopedCertificate
	for _, env := range envelopes {
		certs, err := decodeList[certificate](certificatesEndpoint, env.Results)
		if err != nil {
			return nil, err
		}
		for _, cert := range certs {
			vdom := string(env.VDOM)
			if global || cert.Range == "global" {
				vdom = ""
			}
			out = append(out, scopedCertificate{vdom: vdom, cert: cert})
		}
	}
	return out, nil
}

func (c *certificatesCollector) Update(ctx context.Context, t *Target, ch chan<- prometheus.Metric) error {
	body, err := t.API.Monitor(ctx, certificatesEndpoint, url.Values{"scope": {"global"}})
	var global []scopedCertificate
	switch {
	case fgsession.IsForbidden(err):
		// The per-VDOM request below fails as well when the 403 has
		// another cause than the admin's scope.
	case err != nil:
		return err
	default:
		if global, err = parseCertificates(body, true); err != nil {
			return err
		}
	}

	body, err = t.API.Monitor(ctx, certificatesEndpoint, url.Values{"vdom": {vdomQuery(t)}})
	if err != nil {
		return err
	}
	perVDOM, err := parseCertificates(body, false)
	if err != nil {
		return err
	}

	out := sink{ch: ch}
	// Every global certificate is repeated in each per-VDOM envelope, so only
	// its first appearance is sent.
	seen := map[scopedKey]bool{}
	for _, sc := range append(global, perVDOM...) {
		key := scopedKey{vdom: sc.vdom, name: string(sc.cert.Name)}
		if seen[key] {
			continue
		}
		seen[key] = true
		c.emit(&out, sc)
	}
	return out.err
}

// scopedKey identifies a named object within a VDOM, or within the global
// scope when vdom is empty.
type scopedKey struct {
	vdom string
	name string
}

func (c *certificatesCollector) emit(out *sink, sc scopedCertificate) {
	cert := sc.cert
	labels := []string{string(cert.Name), sc.vdom}
	out.add(c.info, 1, string(cert.Name), sc.vdom,
		string(cert.Source), string(cert.Type), string(cert.Status))
	out.number(c.validFrom, cert.ValidFrom, labels...)
	out.number(c.validTo, cert.ValidTo, labels...)
	out.number(c.references, cert.References, labels...)
}

package enterpriseadmintest

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
)

// DefaultCipherSuites are the cipher suites the vendor's documentation
// lists as configured by default, in OpenSSL format; the fake's ingress
// starts with them, joined with colons as OpenSSL cipher lists are (the
// separator the server uses is not documented).
var DefaultCipherSuites = []string{
	"ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256",
	"ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-RSA-AES256-GCM-SHA384",
	"ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE-RSA-CHACHA20-POLY1305",
}

// httpsProtocols are the protocol names the documentation lists.
var httpsProtocols = []string{"TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"}

// seedIngress is the configuration every fake starts with: the documented
// members, serving the seeded identity certificate, and hstsEnabled, a
// member the ingress pages do not list (the deployment's manager has an
// HSTS switch among its TLS properties), so clients are seen to keep what
// they do not know.
func seedIngress() map[string]json.RawMessage {
	return map[string]json.RawMessage{
		"cipherSuites":             mustRaw(strings.Join(DefaultCipherSuites, ":")),
		"httpsProtocols":           mustRaw("TLSv1.2"),
		"tlsSecretName":            mustRaw(""),
		"isTlsSecretSystemManaged": mustRaw(true),
		"identityCertificateName":  mustRaw(SeedCertificateName),
		"hstsEnabled":              mustRaw(false),
	}
}

func mustRaw(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// IngressPath is the path of the ingress security configuration; its
// update operation is IngressPath()+"/update".
func (s *Server) IngressPath() string {
	return "/" + s.webContext + "/admin/security/ingress"
}

// IngressConfig returns the ingress configuration as it is now (not as a
// delayed read would show it), as a JSON object.
func (s *Server) IngressConfig() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, _ := json.Marshal(s.ingress)
	return b
}

// SetIngressConfig replaces the ingress configuration with a JSON object,
// unchecked (to start a test from a configuration the server might hold).
func (s *Server) SetIngressConfig(config []byte) error {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(config, &m); err != nil {
		return fmt.Errorf("enterpriseadmintest: ingress configuration: %w", err)
	}
	if m == nil {
		return fmt.Errorf("enterpriseadmintest: ingress configuration is null, not a JSON object")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ingress, s.ingressPrev, s.ingressLagLeft = m, nil, 0
	return nil
}

// IngressUpdates returns every ingressSecurityConfig the update operation
// received, accepted or not, as sent.
func (s *Server) IngressUpdates() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.ingressUpdates)
}

// DelayIngressUpdates makes the next reads reads of the ingress
// configuration after each accepted update still show the configuration
// before it, as a deployment that applies the update late might (the
// vendor documents no such delay: it models the worst case). A large
// reads models an update the server accepts but never applies.
func (s *Server) DelayIngressUpdates(reads int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ingressLag = max(reads, 0)
}

func (s *Server) getIngress(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	shown := s.ingress
	if s.ingressLagLeft > 0 && s.ingressPrev != nil {
		s.ingressLagLeft--
		shown = s.ingressPrev
	}
	b, _ := json.Marshal(shown)
	s.mu.Unlock()
	writeJSON(w, string(b))
}

// updateIngress replaces the configuration with the ingressSecurityConfig
// object. Members left out are gone afterwards: the documentation does not
// say they keep their value, and the fake takes the harsher reading.
func (s *Server) updateIngress(w http.ResponseWriter, r *http.Request) {
	text := bodyValue(r, "ingressSecurityConfig")
	s.mu.Lock()
	s.ingressUpdates = append(s.ingressUpdates, text)
	s.mu.Unlock()
	if text == "" {
		writeJSON(w, statusError(400, "ingressSecurityConfig is required."))
		return
	}
	var next map[string]json.RawMessage
	if err := json.Unmarshal([]byte(text), &next); err != nil || next == nil {
		writeJSON(w, statusError(400, "ingressSecurityConfig is not a valid JSON object."))
		return
	}
	var cfg struct {
		HTTPSProtocols          *string `json:"httpsProtocols"`
		TLSSecretName           string  `json:"tlsSecretName"`
		IsTLSSecretSystemManage *bool   `json:"isTlsSecretSystemManaged"`
		IdentityCertificateName string  `json:"identityCertificateName"`
	}
	if err := json.Unmarshal([]byte(text), &cfg); err != nil {
		writeJSON(w, statusError(400, "ingressSecurityConfig has a member of the wrong type: "+err.Error()))
		return
	}
	if cfg.HTTPSProtocols != nil {
		for p := range strings.SplitSeq(*cfg.HTTPSProtocols, ",") {
			if !slices.Contains(httpsProtocols, strings.TrimSpace(p)) {
				writeJSON(w, statusError(400, fmt.Sprintf("'%s' is not a supported HTTPS protocol.", strings.TrimSpace(p))))
				return
			}
		}
	}
	if cfg.IsTLSSecretSystemManage != nil && !*cfg.IsTLSSecretSystemManage && cfg.TLSSecretName == "" {
		writeJSON(w, statusError(400, "tlsSecretName is required when isTlsSecretSystemManaged is false."))
		return
	}
	if cfg.IdentityCertificateName != "" && !slices.Contains(s.identity.names(), cfg.IdentityCertificateName) {
		writeJSON(w, statusError(400, fmt.Sprintf("The identity certificate '%s' does not exist.", cfg.IdentityCertificateName)))
		return
	}
	s.mu.Lock()
	s.ingressPrev, s.ingress = s.ingress, maps.Clone(next)
	s.ingressLagLeft = s.ingressLag
	s.mu.Unlock()
	writeJSON(w, bodySuccess)
}

// servedName is the identity certificate a configuration makes the
// controller serve: the one identityCertificateName names, unless
// isTlsSecretSystemManaged is false, when the vendor's ingress page says
// the certificate in the user-defined TLS secret (tlsSecretName) serves
// and no identity certificate does ("").
func servedName(cfg map[string]json.RawMessage) string {
	var managed any
	if json.Unmarshal(cfg["isTlsSecretSystemManaged"], &managed) == nil {
		switch v := managed.(type) {
		case bool:
			if !v {
				return ""
			}
		case string:
			if strings.EqualFold(v, "false") {
				return ""
			}
		}
	}
	var name string
	_ = json.Unmarshal(cfg["identityCertificateName"], &name)
	return name
}

// ServedIdentityCertificate is the name of the identity certificate the
// ingress controller serves with the configuration as it is now: the one
// identityCertificateName names, or "" when isTlsSecretSystemManaged is
// false and the user-defined TLS secret serves instead (see
// ServedTLSSecret).
func (s *Server) ServedIdentityCertificate() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return servedName(s.ingress)
}

// ServedTLSSecret is the user-defined TLS secret the controller serves
// (tlsSecretName), or "" when the system-managed secret serves the
// identity certificate.
func (s *Server) ServedTLSSecret() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if servedName(s.ingress) != "" {
		return ""
	}
	var name string
	_ = json.Unmarshal(s.ingress["tlsSecretName"], &name)
	return name
}

// servedByIngress reports whether the identity certificate id is the one
// the ingress serves, or served before an update that reads do not show
// yet. A certificate only named while a user-defined TLS secret serves is
// not served.
func (s *Server) servedByIngress(id string) bool {
	rec, ok := s.identity.get(id)
	if !ok {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	served := func(cfg map[string]json.RawMessage) bool {
		name := servedName(cfg)
		return name != "" && name == rec.name
	}
	return served(s.ingress) || (s.ingressLagLeft > 0 && s.ingressPrev != nil && served(s.ingressPrev))
}

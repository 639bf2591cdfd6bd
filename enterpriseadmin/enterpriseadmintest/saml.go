package enterpriseadmintest

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// SampleSAMLConfig is the SAML configuration of the vendor's saml page
// sample (and of the update-saml-configuration page's samlSecurityConfig):
// SAML enabled with the identity certificate "samlcert", the name of the
// seeded certificate (SeedCertificateName), which the vendor's pages say a
// SAML certificate must have. Give it to SetSAMLConfig.
const SampleSAMLConfig = `{"enabled":true,"identityCertificateName":"samlcert"}`

// seedSAML is the configuration every fake starts with: SAML not
// configured (enabled false, no certificate), so that tests may rotate
// away from and delete the seeded certificate; SetSAMLConfig with
// SampleSAMLConfig models the vendor's sample deployment. The vendor's page
// says only that a configured SAML reads enabled true with the
// certificate's name; how an unconfigured one reads is a guess.
func seedSAML() map[string]json.RawMessage {
	return map[string]json.RawMessage{"enabled": mustRaw(false), "identityCertificateName": mustRaw("")}
}

// SAMLPath is the path of the SAML configuration.
func (s *Server) SAMLPath() string {
	return "/" + s.webContext + "/admin/security/saml"
}

// SAMLConfig returns the SAML configuration as a JSON object.
func (s *Server) SAMLConfig() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, _ := json.Marshal(s.saml)
	return b
}

// SetSAMLConfig replaces the SAML configuration with a JSON object,
// unchecked (e.g. SampleSAMLConfig).
func (s *Server) SetSAMLConfig(config []byte) error {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(config, &m); err != nil {
		return fmt.Errorf("enterpriseadmintest: SAML configuration: %w", err)
	}
	if m == nil {
		return fmt.Errorf("enterpriseadmintest: SAML configuration is null, not a JSON object")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.saml = m
	return nil
}

func (s *Server) getSAML(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, string(s.SAMLConfig()))
}

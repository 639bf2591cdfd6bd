package czertainly

import (
	"bytes"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// CertificateState is a certificate's lifecycle state.
type CertificateState string

// The states Core gives a certificate.
const (
	CertificateStateRequested       CertificateState = "requested"
	CertificateStateRejected        CertificateState = "rejected"
	CertificateStatePendingApproval CertificateState = "pending_approval"
	CertificateStatePendingIssue    CertificateState = "pending_issue"
	CertificateStatePendingRevoke   CertificateState = "pending_revoke"
	CertificateStateFailed          CertificateState = "failed"
	CertificateStateIssued          CertificateState = "issued"
	CertificateStateRevoked         CertificateState = "revoked"
)

// ValidationStatus is the outcome of Core's last validation of a
// certificate.
type ValidationStatus string

// The validation statuses.
const (
	ValidationStatusNotChecked ValidationStatus = "not_checked"
	ValidationStatusFailed     ValidationStatus = "failed"
	ValidationStatusInactive   ValidationStatus = "inactive"
	ValidationStatusInvalid    ValidationStatus = "invalid"
	ValidationStatusValid      ValidationStatus = "valid"
	ValidationStatusRevoked    ValidationStatus = "revoked"
	ValidationStatusExpiring   ValidationStatus = "expiring"
	ValidationStatusExpired    ValidationStatus = "expired"
)

// RAProfileRef names the RA profile a certificate belongs to.
type RAProfileRef struct {
	UUID                  string `json:"uuid"`
	Name                  string `json:"name"`
	Enabled               bool   `json:"enabled"`
	AuthorityInstanceUUID string `json:"authorityInstanceUuid,omitempty"`
}

// Group is a group of the inventory.
type Group struct {
	UUID        string `json:"uuid"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	Email       string `json:"email,omitempty"`
}

// Certificate is an entry of the certificate inventory, as a search lists
// it.
type Certificate struct {
	UUID                  string           `json:"uuid"`
	CommonName            string           `json:"commonName"`
	SerialNumber          string           `json:"serialNumber,omitempty"`
	IssuerCommonName      string           `json:"issuerCommonName,omitempty"`
	IssuerDN              string           `json:"issuerDn,omitempty"`
	SubjectDN             string           `json:"subjectDn"`
	NotBefore             time.Time        `json:"notBefore,omitzero"`
	NotAfter              time.Time        `json:"notAfter,omitzero"`
	PublicKeyAlgorithm    string           `json:"publicKeyAlgorithm"`
	SignatureAlgorithm    string           `json:"signatureAlgorithm,omitempty"`
	HybridCertificate     bool             `json:"hybridCertificate"`
	KeySize               int              `json:"keySize"`
	State                 CertificateState `json:"state"`
	ValidationStatus      ValidationStatus `json:"validationStatus"`
	RAProfile             *RAProfileRef    `json:"raProfile,omitempty"`
	Fingerprint           string           `json:"fingerprint,omitempty"`
	Groups                []Group          `json:"groups,omitempty"`
	Owner                 string           `json:"owner,omitempty"`
	OwnerUUID             string           `json:"ownerUuid,omitempty"`
	CertificateType       string           `json:"certificateType"`
	IssuerSerialNumber    string           `json:"issuerSerialNumber,omitempty"`
	ComplianceStatus      string           `json:"complianceStatus"`
	IssuerCertificateUUID string           `json:"issuerCertificateUuid,omitempty"`
	PrivateKeyAvailable   bool             `json:"privateKeyAvailability"`
	TrustedCA             *bool            `json:"trustedCa,omitempty"`
	Archived              bool             `json:"archived,omitempty"`
}

// CertificateDetail is one certificate with its content and attributes.
type CertificateDetail struct {
	Certificate
	ExtendedKeyUsage        []string            `json:"extendedKeyUsage,omitempty"`
	KeyUsage                []string            `json:"keyUsage,omitempty"`
	SubjectType             string              `json:"subjectType,omitempty"`
	CertificateContent      string              `json:"certificateContent,omitempty"`
	SubjectAlternativeNames map[string]any      `json:"subjectAlternativeNames,omitempty"`
	SourceCertificateUUID   string              `json:"sourceCertificateUuid,omitempty"`
	CustomAttributes        []ResponseAttribute `json:"customAttributes,omitempty"`
	IssueAttributes         []ResponseAttribute `json:"issueAttributes,omitempty"`
	RevokeAttributes        []ResponseAttribute `json:"revokeAttributes,omitempty"`
}

// X509 parses the certificate's content (base64 DER). It fails for a
// certificate that has none yet (requested, pending).
func (d *CertificateDetail) X509() (*x509.Certificate, error) {
	return parseBase64Cert(d.CertificateContent)
}

func parseBase64Cert(s string) (*x509.Certificate, error) {
	if strings.TrimSpace(s) == "" {
		return nil, fmt.Errorf("certificate has no content")
	}
	der, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil {
		return nil, fmt.Errorf("certificate content is not base64: %w", err)
	}
	return x509.ParseCertificate(der)
}

// RequestAttribute is an attribute sent with a request (issue, revoke and
// custom attributes). Content is the attribute's content items as Core
// defines them for its content type, e.g. [{"data": "value"}].
type RequestAttribute struct {
	UUID        string           `json:"uuid"`
	Name        string           `json:"name"`
	ContentType string           `json:"contentType"`
	Version     string           `json:"version"`
	Content     []map[string]any `json:"content,omitempty"`
}

// ResponseAttribute is an attribute as Core returns it.
type ResponseAttribute struct {
	UUID        string           `json:"uuid"`
	Name        string           `json:"name"`
	Label       string           `json:"label,omitempty"`
	Type        string           `json:"type,omitempty"`
	ContentType string           `json:"contentType"`
	Version     string           `json:"version,omitempty"`
	Content     []map[string]any `json:"content,omitempty"`
}

// AttributeDefinition describes an attribute an RA profile's authority
// takes for an issue or a revocation, as Core serialises its
// BaseAttribute (CZERTAINLY-Interfaces at 804df038): Version is the
// definition's version number (2 or 3; an int in DataAttributeV2.java:47
// and DataAttributeV3.java:48), SchemaVersion the "v3" a version 3
// definition adds (DataAttributeV3.java:105). The vendor's 2.17.0
// documents give version as an integer; a string holding a number is
// accepted too. Content is the default content of a data attribute, the
// content of an info attribute, or, for a group attribute, the
// definitions it groups.
type AttributeDefinition struct {
	UUID          string           `json:"uuid"`
	Name          string           `json:"name"`
	Type          string           `json:"type"`
	ContentType   string           `json:"contentType,omitempty"`
	Description   string           `json:"description,omitempty"`
	Version       int              `json:"version,omitempty"`
	SchemaVersion string           `json:"schemaVersion,omitempty"`
	Properties    map[string]any   `json:"properties,omitempty"`
	Content       []map[string]any `json:"content,omitempty"`
	Constraints   []map[string]any `json:"constraints,omitempty"`
	Callback      map[string]any   `json:"attributeCallback,omitempty"`
}

// UnmarshalJSON accepts version as a number or as a string holding one,
// and schemaVersion as "v3" or 3.
func (d *AttributeDefinition) UnmarshalJSON(b []byte) error {
	type plain AttributeDefinition
	var w struct {
		plain
		Version       json.RawMessage `json:"version"`
		SchemaVersion json.RawMessage `json:"schemaVersion"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*d = AttributeDefinition(w.plain)
	v, err := flexNumber(w.Version)
	if err != nil {
		return fmt.Errorf("attribute %q: version: %w", d.Name, err)
	}
	d.Version = v
	sv := strings.Trim(string(bytes.TrimSpace(w.SchemaVersion)), `"`)
	if sv != "" && sv != "null" {
		if !strings.HasPrefix(sv, "v") {
			sv = "v" + sv
		}
		d.SchemaVersion = sv
	}
	return nil
}

// flexNumber reads a JSON number, a string holding one (an optional "v"
// prefix allowed), or nothing (0).
func flexNumber(raw json.RawMessage) (int, error) {
	s := strings.TrimSpace(string(raw))
	if s == "" || s == "null" {
		return 0, nil
	}
	s = strings.TrimPrefix(strings.Trim(s, `"`), "v")
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("%s is not a version number", raw)
	}
	return n, nil
}

package adminv1

import (
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"time"
)

// Role is an administrator's role.
type Role string

// The roles the server knows.
const (
	RoleAdministrator      Role = "administrator"
	RoleSuperAdministrator Role = "superAdministrator"
)

// Valid reports whether r is one of the roles the server accepts.
func (r Role) Valid() bool { return r == RoleAdministrator || r == RoleSuperAdministrator }

// CertificateStatus is the platform's view of a certificate.
type CertificateStatus string

// Certificate statuses.
const (
	CertificateStatusValid    CertificateStatus = "valid"
	CertificateStatusRevoked  CertificateStatus = "revoked"
	CertificateStatusExpired  CertificateStatus = "expired"
	CertificateStatusUnknown  CertificateStatus = "unknown"
	CertificateStatusExpiring CertificateStatus = "expiring"
	CertificateStatusNew      CertificateStatus = "new"
	CertificateStatusInvalid  CertificateStatus = "invalid"
)

// ComplianceStatus is the result of compliance checks.
type ComplianceStatus string

// Compliance statuses.
const (
	ComplianceStatusOK            ComplianceStatus = "ok"
	ComplianceStatusNotOK         ComplianceStatus = "nok"
	ComplianceStatusNotApplicable ComplianceStatus = "na"
)

// CertificateType is the kind of certificate.
type CertificateType string

// Certificate types.
const (
	CertificateTypeX509 CertificateType = "X509"
	CertificateTypeSSH  CertificateType = "SSH"
)

// AttributeType is the content type of a connector attribute.
type AttributeType string

// Attribute types.
const (
	AttributeTypeString     AttributeType = "STRING"
	AttributeTypeInteger    AttributeType = "INTEGER"
	AttributeTypeSecret     AttributeType = "SECRET"
	AttributeTypeFile       AttributeType = "FILE"
	AttributeTypeBoolean    AttributeType = "BOOLEAN"
	AttributeTypeCredential AttributeType = "CREDENTIAL"
	AttributeTypeDate       AttributeType = "DATE"
	AttributeTypeFloat      AttributeType = "FLOAT"
	AttributeTypeJSON       AttributeType = "JSON"
	AttributeTypeText       AttributeType = "TEXT"
	AttributeTypeTime       AttributeType = "TIME"
	AttributeTypeDateTime   AttributeType = "DATETIME"
)

// Admin is an administrator of the platform.
//
// Identifiers in answers are kept as the server sent them, without UUID
// parsing: the vendor's own samples hold values such as
// "7b55ge1c-844f-11dc-a8a3-0242ac120002" that are not valid UUIDs. Pass
// UUID back to the other calls as it is.
type Admin struct {
	UUID     string `json:"uuid"`
	Username string `json:"username"`
	Name     string `json:"name"`
	Surname  string `json:"surname"`
	Email    string `json:"email"`
	Role     Role   `json:"role"`
	// Description is empty when the administrator has none (the server
	// then leaves the member out).
	Description  string      `json:"description,omitempty"`
	Enabled      bool        `json:"enabled"`
	SerialNumber string      `json:"serialNumber"` // of the administrator's certificate, in hex
	Certificate  Certificate `json:"certificate"`
}

// Certificate is a certificate of the platform's inventory.
type Certificate struct {
	UUID               string            `json:"uuid"`
	CommonName         string            `json:"commonName"`
	SerialNumber       string            `json:"serialNumber"`
	IssuerCommonName   string            `json:"issuerCommonName"`
	IssuerSerialNumber string            `json:"issuerSerialNumber,omitempty"`
	Content            string            `json:"certificateContent"` // Base64 DER; see X509
	IssuerDN           string            `json:"issuerDn"`
	SubjectDN          string            `json:"subjectDn"`
	NotBefore          time.Time         `json:"notBefore"`
	NotAfter           time.Time         `json:"notAfter"`
	PublicKeyAlgorithm string            `json:"publicKeyAlgorithm"`
	SignatureAlgorithm string            `json:"signatureAlgorithm"`
	KeySize            int               `json:"keySize"`
	ExtendedKeyUsage   []string          `json:"extendedKeyUsage,omitempty"`
	KeyUsage           []string          `json:"keyUsage"`
	BasicConstraints   string            `json:"basicConstraints"`
	Meta               map[string]any    `json:"meta,omitempty"`
	Status             CertificateStatus `json:"status"`
	RAProfile          *RAProfile        `json:"raProfile,omitempty"`
	Fingerprint        string            `json:"fingerprint"` // SHA-256
	// SubjectAlternativeNames maps each name type to its values.
	SubjectAlternativeNames map[string]any              `json:"subjectAlternativeNames,omitempty"`
	Locations               []Location                  `json:"locations,omitempty"`
	Group                   *Group                      `json:"group,omitempty"`
	Owner                   string                      `json:"owner,omitempty"`
	Type                    CertificateType             `json:"certificateType,omitempty"`
	ValidationResult        map[string]ValidationResult `json:"certificateValidationResult,omitempty"`
	NonCompliantRules       []ComplianceRule            `json:"nonCompliantRules,omitempty"`
	ComplianceStatus        ComplianceStatus            `json:"complianceStatus,omitempty"`
}

// X509 decodes Content.
func (c Certificate) X509() (*x509.Certificate, error) {
	der, err := base64.StdEncoding.DecodeString(c.Content)
	if err != nil {
		return nil, fmt.Errorf("czertainly: certificate %s: content is not Base64: %w", c.UUID, err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("czertainly: certificate %s: %w", c.UUID, err)
	}
	return cert, nil
}

// RAProfile is the RA profile a certificate was issued through.
type RAProfile struct {
	UUID    string `json:"uuid"`
	Name    string `json:"name"`
	Enabled bool   `json:"enabled"`
}

// Group is the group a certificate belongs to.
type Group struct {
	UUID        string `json:"uuid"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
}

// Location is a place (a server, a key store) a certificate is deployed to.
type Location struct {
	UUID                   string                `json:"uuid"`
	Name                   string                `json:"name"`
	Description            string                `json:"description,omitempty"`
	EntityInstanceUUID     string                `json:"entityInstanceUuid"`
	EntityInstanceName     string                `json:"entityInstanceName"`
	Attributes             []Attribute           `json:"attributes"`
	Enabled                bool                  `json:"enabled"`
	SupportMultipleEntries bool                  `json:"supportMultipleEntries"`
	SupportKeyManagement   bool                  `json:"supportKeyManagement"`
	Certificates           []LocationCertificate `json:"certificates"`
	Metadata               map[string]any        `json:"metadata,omitempty"`
}

// LocationCertificate is a certificate deployed to a location.
type LocationCertificate struct {
	CertificateUUID string         `json:"certificateUuid"`
	CommonName      string         `json:"commonName"`
	SerialNumber    string         `json:"serialNumber"`
	Metadata        map[string]any `json:"metadata"`
	PushAttributes  []Attribute    `json:"pushAttributes,omitempty"`
	CSRAttributes   []Attribute    `json:"csrAttributes,omitempty"`
	WithKey         bool           `json:"withKey"`
}

// Attribute is a connector attribute. Label and Type are set on the
// attributes a connector describes, not on the ones a request applied.
type Attribute struct {
	UUID    string        `json:"uuid,omitempty"`
	Name    string        `json:"name"`
	Label   string        `json:"label,omitempty"`
	Type    AttributeType `json:"type,omitempty"`
	Content any           `json:"content,omitempty"`
}

// ValidationResult is the outcome of one certificate validation check.
type ValidationResult struct {
	Status  string `json:"status"`
	Message string `json:"message"`
}

// ComplianceRule is a compliance rule the certificate does not meet.
type ComplianceRule struct {
	ConnectorName   string           `json:"connectorName"`
	RuleName        string           `json:"ruleName"`
	RuleDescription string           `json:"ruleDescription"`
	Status          ComplianceStatus `json:"status"`
	Attributes      []Attribute      `json:"attributes,omitempty"`
}

package czertainly

import (
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"net/http"
	"strings"

	"github.com/google/uuid"

	"github.com/certadmin/certadmin-go/czertainly/czertainlyapi"
	"github.com/certadmin/certadmin-go/internal/apierror"
	"github.com/certadmin/certadmin-go/internal/transport"
)

// RAProfile is a registration authority profile: the door to one
// authority (CA) through which certificates are issued, renewed and
// revoked.
type RAProfile struct {
	UUID                  string   `json:"uuid"`
	Name                  string   `json:"name"`
	Description           string   `json:"description,omitempty"`
	AuthorityInstanceUUID string   `json:"authorityInstanceUuid,omitempty"`
	AuthorityInstanceName string   `json:"authorityInstanceName,omitempty"`
	LegacyAuthority       bool     `json:"legacyAuthority,omitempty"`
	Enabled               bool     `json:"enabled"`
	EnabledProtocols      []string `json:"enabledProtocols,omitempty"`
}

// ListRAProfiles returns the RA profiles; enabled, when not nil, keeps
// only the enabled (or disabled) ones.
func (c *Client) ListRAProfiles(ctx context.Context, enabled *bool, opts ...CallOption) ([]RAProfile, error) {
	const op = "czertainly.ListRAProfiles"
	req, err := czertainlyapi.NewListRaProfilesRequest(c.server, &czertainlyapi.ListRaProfilesParams{Enabled: enabled})
	var out []RAProfile
	if err := c.t.JSON(ctx, transport.Call{Op: op, Request: req, BuildErr: err, Settings: callSettings(opts)}, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// GetRAProfile returns one RA profile. authorityUUID may be empty: Core
// finds the profile by its own UUID then.
func (c *Client) GetRAProfile(ctx context.Context, authorityUUID, raProfileUUID string, opts ...CallOption) (*RAProfile, error) {
	const op = "czertainly.GetRAProfile"
	ra, err := parseUUID(op, "RA profile UUID", raProfileUUID)
	if err != nil {
		return nil, err
	}
	var out RAProfile
	if authorityUUID == "" {
		req, err := czertainlyapi.NewGetRaProfileWithoutAuthorityRequest(c.server, ra)
		if err := c.t.JSON(ctx, transport.Call{Op: op, Request: req, BuildErr: err, Settings: callSettings(opts)}, &out); err != nil {
			return nil, err
		}
		return &out, nil
	}
	auth, err := parseUUID(op, "authority UUID", authorityUUID)
	if err != nil {
		return nil, err
	}
	req, err := czertainlyapi.NewGetRaProfileRequest(c.server, auth, ra)
	if err := c.t.JSON(ctx, transport.Call{Op: op, Request: req, BuildErr: err, Settings: callSettings(opts)}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// ListRAProfileApprovalProfiles returns the approval profiles associated
// with an RA profile: a non-empty answer means its operations wait for an
// approval.
func (c *Client) ListRAProfileApprovalProfiles(ctx context.Context, authorityUUID, raProfileUUID string, opts ...CallOption) ([]ApprovalProfile, error) {
	const op = "czertainly.ListRAProfileApprovalProfiles"
	auth, ra, err := profileIDs(op, authorityUUID, raProfileUUID)
	if err != nil {
		return nil, err
	}
	req, err := czertainlyapi.NewGetAssociatedApprovalProfilesRequest(c.server, auth, ra)
	var out []ApprovalProfile
	if err := c.t.JSON(ctx, transport.Call{Op: op, Request: req, BuildErr: err, Settings: callSettings(opts)}, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// Profile addresses an RA profile of an authority, the target of every
// client operation.
type Profile struct {
	AuthorityUUID string
	RAProfileUUID string
}

// ProfileOf is the profile a certificate belongs to, or false when it has
// none (an uploaded or discovered certificate).
func ProfileOf(crt Certificate) (Profile, bool) {
	if crt.RAProfile == nil || crt.RAProfile.UUID == "" || crt.RAProfile.AuthorityInstanceUUID == "" {
		return Profile{}, false
	}
	return Profile{AuthorityUUID: crt.RAProfile.AuthorityInstanceUUID, RAProfileUUID: crt.RAProfile.UUID}, true
}

func profileIDs(op, authorityUUID, raProfileUUID string) (uuid.UUID, uuid.UUID, error) {
	auth, err := parseUUID(op, "authority UUID", authorityUUID)
	if err != nil {
		return uuid.UUID{}, uuid.UUID{}, err
	}
	ra, err := parseUUID(op, "RA profile UUID", raProfileUUID)
	if err != nil {
		return uuid.UUID{}, uuid.UUID{}, err
	}
	return auth, ra, nil
}

// Submitted is Core's answer to an issue, renew or rekey: the new
// certificate's UUID. The certificate itself is issued in the background
// (Enroll and WaitForCertificate wait for it); CertificateData is empty
// until then.
type Submitted struct {
	UUID            string `json:"uuid"`
	CertificateData string `json:"certificateData,omitempty"`
}

// IssueInput is what IssueCertificate sends.
type IssueInput struct {
	Profile
	// CSR is the PKCS#10 request, DER or PEM (required).
	CSR []byte
	// Attributes are the authority's issue attributes
	// (ListIssueAttributes); CustomAttributes the platform's own.
	Attributes       []RequestAttribute
	CustomAttributes []RequestAttribute
}

// csrBase64 checks a PKCS#10 request (DER or PEM) and returns it as Core
// wants it: base64 DER.
func csrBase64(op string, csr []byte) (string, *x509.CertificateRequest, error) {
	if len(strings.TrimSpace(string(csr))) == 0 {
		return "", nil, apierror.Invalid(op, "the CSR is empty")
	}
	der := csr
	if block, _ := pem.Decode(csr); block != nil {
		if block.Type != "CERTIFICATE REQUEST" && block.Type != "NEW CERTIFICATE REQUEST" {
			return "", nil, apierror.Invalid(op, "PEM block is %q, not CERTIFICATE REQUEST", block.Type)
		}
		der = block.Bytes
	}
	parsed, err := x509.ParseCertificateRequest(der)
	if err != nil {
		return "", nil, apierror.Invalid(op, "the CSR is not a PKCS#10 request: %v", err)
	}
	if err := parsed.CheckSignature(); err != nil {
		return "", nil, apierror.Invalid(op, "the CSR's signature does not verify: %v", err)
	}
	return base64.StdEncoding.EncodeToString(der), parsed, nil
}

// IssueCertificate submits a CSR to the RA profile. Core answers at once
// with the new certificate's UUID; see Enroll for the whole workflow. It is
// never repeated once it may have reached the server: a lost answer or a
// server error is an *UnknownOutcomeError (ErrOutcomeUnknown).
func (c *Client) IssueCertificate(ctx context.Context, in IssueInput, opts ...CallOption) (*Submitted, error) {
	const op = "czertainly.IssueCertificate"
	auth, ra, err := profileIDs(op, in.AuthorityUUID, in.RAProfileUUID)
	if err != nil {
		return nil, err
	}
	csr, _, err := csrBase64(op, in.CSR)
	if err != nil {
		return nil, err
	}
	attrs, err := wireAttributes(op, in.Attributes)
	if err != nil {
		return nil, err
	}
	body := czertainlyapi.ClientCertificateSignRequestDto{Request: csr, Attributes: attrs}
	format := czertainlyapi.CertificateRequestFormat("pkcs10")
	body.Format = &format
	if len(in.CustomAttributes) > 0 {
		custom, err := wireAttributes(op, in.CustomAttributes)
		if err != nil {
			return nil, err
		}
		body.CustomAttributes = &custom
	}
	req, err := czertainlyapi.NewIssueCertificateRequest(c.server, auth, ra, body)
	return c.submitted(ctx, op, "", req, err, opts)
}

// submitted sends an issue, renew or rekey once. A lost answer, a server
// error and an accepted answer that names no certificate are an
// *UnknownOutcomeError (ErrOutcomeUnknown): Core may have created the new
// certificate. certificateUUID is the certificate the call is about (""
// for an issue).
func (c *Client) submitted(ctx context.Context, op, certificateUUID string, req *http.Request, buildErr error, opts []CallOption) (*Submitted, error) {
	var out Submitted
	if err := c.t.JSON(ctx, transport.Call{Op: op, Request: req, BuildErr: buildErr, Settings: callSettings(opts)}, &out); err != nil {
		return nil, maybeUnknown(op, certificateUUID, err)
	}
	if out.UUID == "" {
		return nil, maybeUnknown(op, certificateUUID, &apierror.Error{Op: op, Kind: apierror.ErrUnexpectedResponse, Message: "Core's answer names no certificate UUID"})
	}
	return &out, nil
}

// IssueRequestedCertificate asks the authority to issue a certificate that
// is in state requested (one submitted earlier, e.g. whose issue was
// rejected by compliance or never sent).
func (c *Client) IssueRequestedCertificate(ctx context.Context, p Profile, certificateUUID string, opts ...CallOption) (*Submitted, error) {
	const op = "czertainly.IssueRequestedCertificate"
	auth, ra, err := profileIDs(op, p.AuthorityUUID, p.RAProfileUUID)
	if err != nil {
		return nil, err
	}
	id, err := parseUUID(op, "certificate UUID", certificateUUID)
	if err != nil {
		return nil, err
	}
	req, err := czertainlyapi.NewIssueRequestedCertificateRequest(c.server, auth, ra, id)
	return c.submitted(ctx, op, certificateUUID, req, err, opts)
}

// RenewInput is what RenewCertificate sends.
type RenewInput struct {
	Profile
	CertificateUUID string
	// CSR, when set, is a new request for the same key; without it Core
	// reuses the certificate's stored request.
	CSR []byte
	// ReplaceInLocations pushes the renewed certificate to the locations
	// the old one is in.
	ReplaceInLocations bool
}

// RenewCertificate renews a certificate in state issued through its RA
// profile; the answer names the new certificate. It is never repeated
// once it may have reached the server (an *UnknownOutcomeError when the
// outcome is not known).
func (c *Client) RenewCertificate(ctx context.Context, in RenewInput, opts ...CallOption) (*Submitted, error) {
	const op = "czertainly.RenewCertificate"
	auth, ra, err := profileIDs(op, in.AuthorityUUID, in.RAProfileUUID)
	if err != nil {
		return nil, err
	}
	id, err := parseUUID(op, "certificate UUID", in.CertificateUUID)
	if err != nil {
		return nil, err
	}
	var body czertainlyapi.ClientCertificateRenewRequestDto
	if in.CSR != nil {
		csr, _, err := csrBase64(op, in.CSR)
		if err != nil {
			return nil, err
		}
		format := czertainlyapi.CertificateRequestFormat("pkcs10")
		body.Request, body.Format = &csr, &format
	}
	if in.ReplaceInLocations {
		body.ReplaceInLocations = &in.ReplaceInLocations
	}
	req, err := czertainlyapi.NewRenewCertificateRequest(c.server, auth, ra, id, body)
	return c.submitted(ctx, op, in.CertificateUUID, req, err, opts)
}

// RekeyInput is what RekeyCertificate sends.
type RekeyInput struct {
	Profile
	CertificateUUID string
	// CSR is the request for the new key (required).
	CSR                []byte
	ReplaceInLocations bool
}

// RekeyCertificate replaces a certificate with one for a new key. It is
// never repeated once it may have reached the server (an
// *UnknownOutcomeError when the outcome is not known).
func (c *Client) RekeyCertificate(ctx context.Context, in RekeyInput, opts ...CallOption) (*Submitted, error) {
	const op = "czertainly.RekeyCertificate"
	auth, ra, err := profileIDs(op, in.AuthorityUUID, in.RAProfileUUID)
	if err != nil {
		return nil, err
	}
	id, err := parseUUID(op, "certificate UUID", in.CertificateUUID)
	if err != nil {
		return nil, err
	}
	csr, _, err := csrBase64(op, in.CSR)
	if err != nil {
		return nil, err
	}
	format := czertainlyapi.CertificateRequestFormat("pkcs10")
	body := czertainlyapi.ClientCertificateRekeyRequestDto{Request: &csr, Format: &format}
	if in.ReplaceInLocations {
		body.ReplaceInLocations = &in.ReplaceInLocations
	}
	req, err := czertainlyapi.NewRekeyCertificateRequest(c.server, auth, ra, id, body)
	return c.submitted(ctx, op, in.CertificateUUID, req, err, opts)
}

// RevocationReason is an RFC 5280 reason code in Core's spelling.
type RevocationReason string

// The revocation reasons Core accepts.
const (
	RevocationReasonUnspecified          RevocationReason = "unspecified"
	RevocationReasonKeyCompromise        RevocationReason = "keyCompromise"
	RevocationReasonCACompromise         RevocationReason = "cACompromise"
	RevocationReasonAffiliationChanged   RevocationReason = "affiliationChanged"
	RevocationReasonSuperseded           RevocationReason = "superseded"
	RevocationReasonCessationOfOperation RevocationReason = "cessationOfOperation"
	RevocationReasonCertificateHold      RevocationReason = "certificateHold"
	RevocationReasonPrivilegeWithdrawn   RevocationReason = "privilegeWithdrawn"
	RevocationReasonAACompromise         RevocationReason = "aACompromise"
)

// Valid reports whether r is one of the reasons Core accepts.
func (r RevocationReason) Valid() bool {
	switch r {
	case RevocationReasonUnspecified, RevocationReasonKeyCompromise, RevocationReasonCACompromise,
		RevocationReasonAffiliationChanged, RevocationReasonSuperseded, RevocationReasonCessationOfOperation,
		RevocationReasonCertificateHold, RevocationReasonPrivilegeWithdrawn, RevocationReasonAACompromise:
		return true
	}
	return false
}

// RevokeInput is what RevokeCertificate sends.
type RevokeInput struct {
	Profile
	CertificateUUID string
	// Reason defaults to unspecified, as in Core.
	Reason RevocationReason
	// Attributes are the authority's revoke attributes
	// (ListRevokeAttributes).
	Attributes []RequestAttribute
	// DestroyKey destroys the certificate's key held by the platform.
	DestroyKey bool
}

// RevokeCertificate asks the authority to revoke a certificate. Core only
// accepts the request: its 204 comes before anything is revoked
// (ClientOperationServiceImpl.java:737-753 at cad4432a). Right after it
// the certificate is still issued; where the RA profile has an approval
// profile it turns pending_approval until the approvers decide; the
// authority's refusal puts it back to issued with a failed revoke event
// in its history. Use WaitForRevocation to learn the outcome. It is never
// repeated once it may have reached the server.
func (c *Client) RevokeCertificate(ctx context.Context, in RevokeInput, opts ...CallOption) error {
	const op = "czertainly.RevokeCertificate"
	auth, ra, err := profileIDs(op, in.AuthorityUUID, in.RAProfileUUID)
	if err != nil {
		return err
	}
	id, err := parseUUID(op, "certificate UUID", in.CertificateUUID)
	if err != nil {
		return err
	}
	reason := in.Reason
	if reason == "" {
		reason = RevocationReasonUnspecified
	}
	if !reason.Valid() {
		return apierror.Invalid(op, "revocation reason %q is not one Core accepts", in.Reason)
	}
	attrs, err := wireAttributes(op, in.Attributes)
	if err != nil {
		return err
	}
	r := czertainlyapi.CertificateRevocationReason(reason)
	body := czertainlyapi.ClientCertificateRevocationDto{Reason: &r, Attributes: attrs}
	if in.DestroyKey {
		body.DestroyKey = &in.DestroyKey
	}
	req, err := czertainlyapi.NewRevokeCertificateRequest(c.server, auth, ra, id, body)
	err = c.t.NoContent(ctx, transport.Call{Op: op, Request: req, BuildErr: err, Settings: callSettings(opts)})
	return maybeUnknown(op, in.CertificateUUID, err)
}

// ListIssueAttributes returns the attributes the RA profile's authority
// takes for an issue.
func (c *Client) ListIssueAttributes(ctx context.Context, p Profile, opts ...CallOption) ([]AttributeDefinition, error) {
	const op = "czertainly.ListIssueAttributes"
	auth, ra, err := profileIDs(op, p.AuthorityUUID, p.RAProfileUUID)
	if err != nil {
		return nil, err
	}
	req, err := czertainlyapi.NewListIssueCertificateAttributesRequest(c.server, auth, ra)
	var out []AttributeDefinition
	if err := c.t.JSON(ctx, transport.Call{Op: op, Request: req, BuildErr: err, Settings: callSettings(opts)}, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// ListRevokeAttributes returns the attributes the RA profile's authority
// takes for a revocation.
func (c *Client) ListRevokeAttributes(ctx context.Context, p Profile, opts ...CallOption) ([]AttributeDefinition, error) {
	const op = "czertainly.ListRevokeAttributes"
	auth, ra, err := profileIDs(op, p.AuthorityUUID, p.RAProfileUUID)
	if err != nil {
		return nil, err
	}
	req, err := czertainlyapi.NewListRevokeCertificateAttributesRequest(c.server, auth, ra)
	var out []AttributeDefinition
	if err := c.t.JSON(ctx, transport.Call{Op: op, Request: req, BuildErr: err, Settings: callSettings(opts)}, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// ValidateIssueAttributes asks Core whether attrs are acceptable issue
// attributes; a refusal is an ErrValidation error listing the problems.
func (c *Client) ValidateIssueAttributes(ctx context.Context, p Profile, attrs []RequestAttribute, opts ...CallOption) error {
	return c.validateAttributes(ctx, "czertainly.ValidateIssueAttributes", p, attrs, true, opts)
}

// ValidateRevokeAttributes is ValidateIssueAttributes for revocations.
func (c *Client) ValidateRevokeAttributes(ctx context.Context, p Profile, attrs []RequestAttribute, opts ...CallOption) error {
	return c.validateAttributes(ctx, "czertainly.ValidateRevokeAttributes", p, attrs, false, opts)
}

func (c *Client) validateAttributes(ctx context.Context, op string, p Profile, attrs []RequestAttribute, issue bool, opts []CallOption) error {
	auth, ra, err := profileIDs(op, p.AuthorityUUID, p.RAProfileUUID)
	if err != nil {
		return err
	}
	w, err := wireAttributes(op, attrs)
	if err != nil {
		return err
	}
	build := czertainlyapi.NewValidateRevokeCertificateAttributesRequest
	if issue {
		build = czertainlyapi.NewValidateIssueCertificateAttributesRequest
	}
	req, err := build(c.server, auth, ra, w)
	return c.t.NoContent(ctx, transport.Call{Op: op, Request: req, BuildErr: err, Settings: callSettings(opts)})
}

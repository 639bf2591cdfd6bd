package czertainlytest

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"

	czertainly "github.com/certadmin/certadmin-go/czertainly"
)

type userKey struct{}

func withUser(ctx context.Context, u *user) context.Context {
	return context.WithValue(ctx, userKey{}, u)
}

func userOf(r *http.Request) *user { u, _ := r.Context().Value(userKey{}).(*user); return u }

// pkcs7 is a certificates-only PKCS#7 SignedData.
func pkcs7(certs []*x509.Certificate) []byte {
	var raw []byte
	for _, c := range certs {
		raw = append(raw, c.Raw...)
	}
	type contentInfo struct {
		ContentType asn1.ObjectIdentifier
	}
	signed := struct {
		Version          int
		DigestAlgorithms asn1.RawValue
		ContentInfo      contentInfo
		Certificates     asn1.RawValue
		SignerInfos      asn1.RawValue
	}{
		Version:          1,
		DigestAlgorithms: asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSet, IsCompound: true},
		ContentInfo:      contentInfo{ContentType: asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}},
		Certificates:     asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: raw},
		SignerInfos:      asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSet, IsCompound: true},
	}
	inner, _ := asn1.Marshal(signed)
	outer, _ := asn1.Marshal(struct {
		ContentType asn1.ObjectIdentifier
		Content     asn1.RawValue
	}{asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}, asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: inner}})
	return outer
}

func profileDTO(p *raProfile) czertainly.RAProfile {
	return czertainly.RAProfile{UUID: p.uuid, Name: p.name, Description: "czertainlytest profile", AuthorityInstanceUUID: AuthorityUUID,
		AuthorityInstanceName: "czertainlytest authority", Enabled: true, EnabledProtocols: []string{}}
}

func (s *Server) listProfiles(w http.ResponseWriter, r *http.Request) {
	out := []czertainly.RAProfile{}
	if r.URL.Query().Get("enabled") != "false" {
		for i := range raProfiles {
			out = append(out, profileDTO(&raProfiles[i]))
		}
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) findProfile(w http.ResponseWriter, r *http.Request) *raProfile {
	if r.PathValue("authorityUuid") != "" {
		auth, ok := pathUUID(w, r, "authorityUuid")
		if !ok {
			return nil
		}
		if auth != AuthorityUUID {
			message(w, http.StatusNotFound, "Authority Instance with UUID %s not found", auth)
			return nil
		}
	}
	id, ok := pathUUID(w, r, "raProfileUuid")
	if !ok {
		return nil
	}
	p := profileByUUID(id)
	if p == nil {
		message(w, http.StatusNotFound, "RA Profile with UUID %s not found", id)
	}
	return p
}

func (s *Server) getProfile(w http.ResponseWriter, r *http.Request) {
	if p := s.findProfile(w, r); p != nil {
		writeJSON(w, http.StatusOK, profileDTO(p))
	}
}

func (s *Server) approvalProfileDTO() czertainly.ApprovalProfile {
	return czertainly.ApprovalProfile{UUID: ApprovalProfileUUID, Name: "one approver", Version: 1, Expiry: 24, NumberOfSteps: 1, Associations: 1}
}

func (s *Server) profileApprovalProfiles(w http.ResponseWriter, r *http.Request) {
	p := s.findProfile(w, r)
	if p == nil {
		return
	}
	out := []czertainly.ApprovalProfile{}
	if p.approval {
		out = append(out, s.approvalProfileDTO())
	}
	writeJSON(w, http.StatusOK, out)
}

// connector names what reaches the authority's connector in a client
// operation, for WithConnectorDown.
type connector int

const (
	noConnector connector = iota
	submitsToCA           // issue, renew, rekey: the failure is wrapped in 400
	readsFromCA           // attributes, revoke's attribute check: 503
)

// withProfile resolves the authority and RA profile of a client
// operation.
func (s *Server) withProfile(f func(http.ResponseWriter, *http.Request, *raProfile)) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		if p := s.findProfile(w, r); p != nil {
			f(w, r, p)
		}
	}
}

// connectorFails answers as Core does when the connector cannot be reached
// (see WithConnectorDown) and reports whether it did.
func (s *Server) connectorFails(w http.ResponseWriter, kind connector, wrap string) bool {
	if s.connectorDown == 0 || kind == noConnector {
		return false
	}
	s.connectorDown--
	const cause = "Connector communication error: czertainlytest authority connector is not reachable"
	if kind == submitsToCA {
		// CertificateOperationException: ExceptionHandlingAdvice.java:420-425.
		message(w, http.StatusBadRequest, "%s: %s", wrap, cause)
		return true
	}
	// ConnectorCommunicationException: ExceptionHandlingAdvice.java:288-302.
	message(w, http.StatusServiceUnavailable, "%s", cause)
	return true
}

// parseCSR reads a CSR as Core's CertificateRequestUtils does
// (CertificateRequestUtils.java:173-216 at cad4432a): the PEM armour and
// line breaks are cut, the rest is base64-decoded and parsed; if that is
// not a CSR, the decoded bytes are read as text and decoded once more. So
// PEM, base64 of the DER and base64 of the PEM all work.
func parseCSR(s string) ([]byte, bool) {
	normalize := func(t string) string {
		for _, cut := range []string{"-----BEGIN CERTIFICATE REQUEST-----", "-----BEGIN NEW CERTIFICATE REQUEST-----", "\r", "\n",
			"-----END CERTIFICATE REQUEST-----", "-----END NEW CERTIFICATE REQUEST-----"} {
			t = strings.ReplaceAll(t, cut, "")
		}
		return t
	}
	parse := func(der []byte) bool {
		csr, err := x509.ParseCertificateRequest(der)
		return err == nil && csr.CheckSignature() == nil
	}
	der, err := base64.StdEncoding.DecodeString(normalize(s))
	if err != nil {
		return nil, false
	}
	if parse(der) {
		return der, true
	}
	der, err = base64.StdEncoding.DecodeString(normalize(string(der)))
	if err != nil || !parse(der) {
		return nil, false
	}
	return der, true
}

func (s *Server) issue(w http.ResponseWriter, r *http.Request, p *raProfile) {
	var req struct {
		Request    string `json:"request"`
		Attributes []any  `json:"attributes"`
	}
	if !decode(w, r, &req) {
		return
	}
	if req.Request == "" {
		// ClientOperationServiceImpl.java:188-190.
		validation(w, "Cannot submit certificate request without specifying key or uploaded request content")
		return
	}
	// Everything that goes wrong while the request is submitted comes back
	// as one 400 (ClientOperationServiceImpl.java:231-238).
	const wrap = "Failed to submit certificate request"
	csr, ok := parseCSR(req.Request)
	if !ok {
		message(w, http.StatusBadRequest, "%s: %s", wrap, "cannot parse the certificate request")
		return
	}
	if s.connectorFails(w, submitsToCA, wrap) {
		return
	}
	u := userOf(r)
	c := s.submit(p, csr, "", "", u, u)
	writeJSON(w, http.StatusOK, czertainly.Submitted{UUID: c.uuid, CertificateData: ""})
}

func (s *Server) opCertificate(w http.ResponseWriter, r *http.Request, p *raProfile, action string) *certificate {
	id, ok := pathUUID(w, r, "certificateUuid")
	if !ok {
		return nil
	}
	c := s.certs[id]
	if c == nil {
		message(w, http.StatusNotFound, "Certificate with UUID %s not found", id)
		return nil
	}
	s.advance(c)
	if action == "issue" {
		return c
	}
	// validateOldCertificateForOperation: ClientOperationServiceImpl.java:812-826.
	switch {
	case c.archived:
		validation(w, "Cannot perform operation "+action+" on archived certificate.")
		return nil
	case c.state != czertainly.CertificateStateIssued:
		validation(w, "Cannot perform operation "+action+" on certificate in state "+string(c.state)+".")
		return nil
	case c.profile == nil || c.profile.uuid != p.uuid:
		validation(w, "Cannot perform operation "+action+" on certificate. Existing Certificate RA profile is different than RA profile of request.")
		return nil
	}
	return c
}

func (s *Server) issueRequested(w http.ResponseWriter, r *http.Request, p *raProfile) {
	c := s.opCertificate(w, r, p, "issue")
	if c == nil {
		return
	}
	if c.state != czertainly.CertificateStateRequested {
		validation(w, "Cannot issue requested certificate with status "+string(c.state)+".")
		return
	}
	c.pollsLeft = 0
	writeJSON(w, http.StatusOK, czertainly.Submitted{UUID: c.uuid})
}

func (s *Server) renew(w http.ResponseWriter, r *http.Request, p *raProfile) {
	var req struct {
		Request *string `json:"request"`
	}
	if !decode(w, r, &req) {
		return
	}
	old := s.opCertificate(w, r, p, "renew")
	if old == nil {
		return
	}
	const wrap = "Failed to submit certificate request for certificate renewal"
	csr := old.csr
	if req.Request != nil {
		der, ok := parseCSR(*req.Request)
		if !ok {
			message(w, http.StatusBadRequest, "%s: cannot parse the certificate request", wrap)
			return
		}
		parsed, _ := x509.ParseCertificateRequest(der)
		// ClientOperationServiceImpl.java:1054-1075.
		if old.x509 != nil && !samePublicKey(parsed, old.x509) {
			validation(w, "Unable to validate the public key of CSR and certificate. Error: Public key of certificate and CSR does not match")
			return
		}
		csr = der
	}
	if csr == nil {
		validation(w, "CSR does not available for the existing certificate")
		return
	}
	if s.connectorFails(w, submitsToCA, wrap) {
		return
	}
	c := s.submit(p, csr, old.uuid, "renew", old.owner, userOf(r))
	writeJSON(w, http.StatusOK, czertainly.Submitted{UUID: c.uuid})
}

func samePublicKey(csr *x509.CertificateRequest, crt *x509.Certificate) bool {
	a, err1 := x509.MarshalPKIXPublicKey(csr.PublicKey)
	b, err2 := x509.MarshalPKIXPublicKey(crt.PublicKey)
	return err1 == nil && err2 == nil && bytes.Equal(a, b)
}

func (s *Server) rekey(w http.ResponseWriter, r *http.Request, p *raProfile) {
	var req struct {
		Request *string `json:"request"`
	}
	if !decode(w, r, &req) {
		return
	}
	old := s.opCertificate(w, r, p, "rekey")
	if old == nil {
		return
	}
	if req.Request == nil {
		validation(w, "Token Profile cannot be empty for creating new CSR")
		return
	}
	const wrap = "Failed to submit certificate request for certificate rekey"
	der, ok := parseCSR(*req.Request)
	if !ok {
		message(w, http.StatusBadRequest, "%s: cannot parse the certificate request", wrap)
		return
	}
	parsed, _ := x509.ParseCertificateRequest(der)
	// ClientOperationServiceImpl.java:563 and 1054-1075: a new key…
	if samePublicKey(parsed, old.x509) {
		validation(w, "Unable to validate the public key of CSR and certificate. Error: Public key of certificate and CSR are same")
		return
	}
	// …and the same subject, compared in a normalised form
	// (ClientOperationServiceImpl.java:1108-1125).
	if !bytes.Equal(parsed.RawSubject, old.x509.RawSubject) && parsed.Subject.String() != old.x509.Subject.String() {
		validation(w, "Unable to validate the Subject DN of CSR and certificate. Error: Subject DN of certificate and CSR does not match")
		return
	}
	if s.connectorFails(w, submitsToCA, wrap) {
		return
	}
	c := s.submit(p, der, old.uuid, "rekey", old.owner, userOf(r))
	writeJSON(w, http.StatusOK, czertainly.Submitted{UUID: c.uuid})
}

var revocationReasons = map[czertainly.RevocationReason]bool{
	"unspecified": true, "keyCompromise": true, "cACompromise": true, "affiliationChanged": true, "superseded": true,
	"cessationOfOperation": true, "certificateHold": true, "privilegeWithdrawn": true, "aACompromise": true,
}

// revoke checks the request and answers 204; the revocation itself is an
// action Core handles later (ClientOperationServiceImpl.java:737-753): on
// an approval profile it creates an approval and the certificate becomes
// pending_approval, otherwise the authority revokes it.
func (s *Server) revoke(w http.ResponseWriter, r *http.Request, p *raProfile) {
	var req struct {
		Reason     *czertainly.RevocationReason `json:"reason"`
		Attributes []attributeValue             `json:"attributes"`
	}
	if !decode(w, r, &req) {
		return
	}
	if req.Reason != nil && !revocationReasons[*req.Reason] {
		message(w, http.StatusBadRequest, "Unable to read HTTP message")
		return
	}
	c := s.opCertificate(w, r, p, "revoke")
	if c == nil {
		return
	}
	// mergeAndValidateRevokeAttributes asks the connector (line 741).
	if s.connectorFails(w, readsFromCA, "") {
		return
	}
	if msgs := checkAttributes(revokeAttributes, req.Attributes); len(msgs) > 0 {
		validation(w, msgs...)
		return
	}
	reason := czertainly.RevocationReasonUnspecified
	if req.Reason != nil {
		reason = *req.Reason
	}
	requester := userOf(r).uuid
	s.later(func() {
		if s.certs[c.uuid] == nil || c.state != czertainly.CertificateStateIssued {
			return
		}
		if c.profile != nil && c.profile.approval {
			c.revokeReason = string(reason)
			s.requestApproval(c, "revoke", requester)
			return
		}
		s.revokeNow(c, string(reason))
	})
	noContent(w)
}

// attributeDefinition is a DataAttributeV2 as Core sends it: version is an
// integer (CZERTAINLY-Interfaces DataAttributeV2.java:47).
type attributeDefinition struct {
	UUID        string         `json:"uuid"`
	Name        string         `json:"name"`
	Description string         `json:"description"`
	Version     int            `json:"version"`
	Type        string         `json:"type"`
	ContentType string         `json:"contentType"`
	Properties  map[string]any `json:"properties"`
}

// attributeValue is a RequestAttribute. Its version is the code "v2" or
// "v3" (AttributeVersion.java:13-14,34-35), which the fake does not look at.
type attributeValue struct {
	UUID        string          `json:"uuid"`
	Name        string          `json:"name"`
	ContentType string          `json:"contentType"`
	Version     json.RawMessage `json:"version"`
	Content     []any           `json:"content"`
}

// The fake authority's attributes: one optional data attribute for issue
// and one for revoke, so that clients decode and send them.
var (
	issueAttributes = []attributeDefinition{{UUID: "5d0b8e2a-7c1f-4e3a-9b6d-2f4a8c1e0d31", Name: "data_certificateComment", Version: 2, Type: "data",
		Description: "Comment the authority stores with the certificate", ContentType: "string",
		Properties: map[string]any{"label": "Comment", "visible": true, "required": false, "readOnly": false, "list": false, "multiSelect": false, "extensibleList": false}}}
	revokeAttributes = []attributeDefinition{{UUID: "5d0b8e2a-7c1f-4e3a-9b6d-2f4a8c1e0d32", Name: "data_revocationComment", Version: 2, Type: "data",
		Description: "Comment the authority stores with the revocation", ContentType: "string",
		Properties: map[string]any{"label": "Revocation comment", "visible": true, "required": false, "readOnly": false, "list": false, "multiSelect": false, "extensibleList": false}}}
)

func checkAttributes(defs []attributeDefinition, attrs []attributeValue) []string {
	var msgs []string
	for _, a := range attrs {
		known := false
		for _, d := range defs {
			known = known || d.Name == a.Name
		}
		if !known {
			msgs = append(msgs, "Attribute "+a.Name+" is not defined by the authority")
		}
	}
	return msgs
}

func (s *Server) attributes(defs []attributeDefinition) func(http.ResponseWriter, *http.Request, *raProfile) {
	return func(w http.ResponseWriter, r *http.Request, p *raProfile) {
		if s.connectorFails(w, readsFromCA, "") {
			return
		}
		writeJSON(w, http.StatusOK, defs)
	}
}

func (s *Server) validateAttributes(defs []attributeDefinition) func(http.ResponseWriter, *http.Request, *raProfile) {
	return func(w http.ResponseWriter, r *http.Request, p *raProfile) {
		var attrs []attributeValue
		if !decode(w, r, &attrs) {
			return
		}
		if s.connectorFails(w, readsFromCA, "") {
			return
		}
		if msgs := checkAttributes(defs, attrs); len(msgs) > 0 {
			validation(w, msgs...)
			return
		}
		w.WriteHeader(http.StatusOK)
	}
}

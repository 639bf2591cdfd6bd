package czertainlytest

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"encoding/pem"
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

// withProfile resolves the authority and RA profile of a client
// operation, and fails it as Core does when the connector is down.
func (s *Server) withProfile(f func(http.ResponseWriter, *http.Request, *raProfile)) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		p := s.findProfile(w, r)
		if p == nil {
			return
		}
		if s.connectorDown > 0 {
			s.connectorDown--
			message(w, http.StatusServiceUnavailable, "Connector communication error: czertainlytest authority connector is not reachable")
			return
		}
		f(w, r, p)
	}
}

// parseCSR reads Core's CSR: base64 DER, PEM armour tolerated.
func parseCSR(s string) ([]byte, bool) {
	s = strings.TrimSpace(s)
	if block, _ := pem.Decode([]byte(s)); block != nil {
		s = base64.StdEncoding.EncodeToString(block.Bytes)
	}
	der, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, false
	}
	csr, err := x509.ParseCertificateRequest(der)
	if err != nil || csr.CheckSignature() != nil {
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
	csr, ok := parseCSR(req.Request)
	if !ok {
		message(w, http.StatusBadRequest, "Failed to submit certificate request: cannot parse the certificate request")
		return
	}
	c := s.submit(p, csr, "", userOf(r))
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
	csr := old.csr
	if req.Request != nil {
		der, ok := parseCSR(*req.Request)
		if !ok {
			message(w, http.StatusBadRequest, "Failed to submit certificate request for certificate renewal: cannot parse the certificate request")
			return
		}
		parsed, _ := x509.ParseCertificateRequest(der)
		if old.x509 != nil && !samePublicKey(parsed, old.x509) {
			validation(w, "Public key of certificate and CSR does not match")
			return
		}
		csr = der
	}
	if csr == nil {
		validation(w, "CSR does not available for the existing certificate")
		return
	}
	c := s.submit(p, csr, old.uuid, old.owner)
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
	der, ok := parseCSR(*req.Request)
	if !ok {
		message(w, http.StatusBadRequest, "Failed to submit certificate request for certificate rekey: cannot parse the certificate request")
		return
	}
	parsed, _ := x509.ParseCertificateRequest(der)
	if samePublicKey(parsed, old.x509) {
		validation(w, "Rekey operation not permitted. Cannot use same key to rekey certificate")
		return
	}
	c := s.submit(p, der, old.uuid, old.owner)
	writeJSON(w, http.StatusOK, czertainly.Submitted{UUID: c.uuid})
}

var revocationReasons = map[czertainly.RevocationReason]bool{
	"unspecified": true, "keyCompromise": true, "cACompromise": true, "affiliationChanged": true, "superseded": true,
	"cessationOfOperation": true, "certificateHold": true, "privilegeWithdrawn": true, "aACompromise": true,
}

func (s *Server) revoke(w http.ResponseWriter, r *http.Request, p *raProfile) {
	var req struct {
		Reason *czertainly.RevocationReason `json:"reason"`
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
	reason := czertainly.RevocationReasonUnspecified
	if req.Reason != nil {
		reason = *req.Reason
	}
	c.state = czertainly.CertificateStateRevoked
	s.event(c, "Revoke Certificate", "SUCCESS", "Certificate revoked. Reason: "+string(reason))
	noContent(w)
}

func (s *Server) attributes(w http.ResponseWriter, r *http.Request, p *raProfile) {
	writeJSON(w, http.StatusOK, []czertainly.AttributeDefinition{})
}

func (s *Server) validateAttributes(w http.ResponseWriter, r *http.Request, p *raProfile) {
	var attrs []czertainly.RequestAttribute
	if !decode(w, r, &attrs) {
		return
	}
	if len(attrs) > 0 {
		// The fake's authority defines no attributes.
		var msgs []string
		for _, a := range attrs {
			msgs = append(msgs, "Attribute "+a.Name+" is not defined by the authority")
		}
		validation(w, msgs...)
		return
	}
	w.WriteHeader(http.StatusOK)
}

package czertainlytest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"crypto/x509"

	"github.com/google/uuid"

	czertainly "github.com/certadmin/certadmin-go/czertainly"
	"github.com/certadmin/certadmin-go/internal/fakeserver"
)

// Core's error answers.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"message":"encode"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func message(w http.ResponseWriter, status int, format string, args ...any) {
	writeJSON(w, status, map[string]string{"message": fmt.Sprintf(format, args...)})
}

// validation answers 422 with a list of messages, as Core's
// ValidationException handler does.
func validation(w http.ResponseWriter, msgs ...string) {
	writeJSON(w, http.StatusUnprocessableEntity, msgs)
}

func noContent(w http.ResponseWriter) { w.WriteHeader(http.StatusNoContent) }

// decode reads a JSON body; a body Jackson cannot read is Core's 400.
func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := json.NewDecoder(r.Body).Decode(v); err != nil {
		message(w, http.StatusBadRequest, "Unable to read HTTP message")
		return false
	}
	return true
}

// pathUUID parses a path UUID as Core's SecuredUUID does: 400 otherwise.
func pathUUID(w http.ResponseWriter, r *http.Request, name string) (string, bool) {
	v := r.PathValue(name)
	if _, err := uuid.Parse(v); err != nil {
		message(w, http.StatusBadRequest, "Invalid UUID string: %s", v)
		return "", false
	}
	return v, true
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	h := func(pattern string, f func(http.ResponseWriter, *http.Request)) { mux.HandleFunc(pattern, s.locked(f)) }
	// certificates
	h("POST /api/v1/certificates", s.listCertificates)
	h("GET /api/v1/certificates/search", s.searchFields)
	h("POST /api/v1/certificates/upload", s.upload)
	h("POST /api/v1/certificates/delete", s.bulkDelete)
	h("PATCH /api/v1/certificates/archive", s.bulkArchive(true))
	h("PATCH /api/v1/certificates/unarchive", s.bulkArchive(false))
	h("GET /api/v1/certificates/{uuid}", s.withCert(s.getCertificate))
	h("DELETE /api/v1/certificates/{uuid}", s.withCert(s.deleteCertificate))
	h("PATCH /api/v1/certificates/{uuid}", s.withCert(s.updateCertificate))
	h("PATCH /api/v1/certificates/{uuid}/archive", s.withCert(func(w http.ResponseWriter, r *http.Request, c *certificate) { c.archived = true; noContent(w) }))
	h("PATCH /api/v1/certificates/{uuid}/unarchive", s.withCert(func(w http.ResponseWriter, r *http.Request, c *certificate) { c.archived = false; noContent(w) }))
	// Spring binds the format and encoding before the handler looks the
	// certificate up.
	h("GET /api/v1/certificates/{uuid}/{format}", formatFirst(s.withCert(s.download)))
	// A literal segment wins over {format} in Spring as in net/http, so
	// approvals and relations are not read as a download format.
	h("GET /api/v1/certificates/{uuid}/approvals", s.withCert(s.certificateApprovals))
	h("GET /api/v1/certificates/{uuid}/relations", s.withCert(s.certificateRelations))
	h("PATCH /api/v1/certificates", s.bulkUpdate)
	h("GET /api/v1/certificates/{uuid}/chain", s.withCert(s.chain))
	h("GET /api/v1/certificates/{uuid}/chain/{format}", formatFirst(s.withCert(s.downloadChain)))
	h("GET /api/v1/certificates/{uuid}/history", s.withCert(func(w http.ResponseWriter, r *http.Request, c *certificate) {
		writeJSON(w, http.StatusOK, c.history)
	}))
	h("GET /api/v1/certificates/{uuid}/validate", s.withCert(s.validate))
	h("GET /api/v1/certificates/{uuid}/locations", s.withCert(func(w http.ResponseWriter, r *http.Request, c *certificate) {
		writeJSON(w, http.StatusOK, []czertainly.Location{})
	}))
	// RA profiles
	h("GET /api/v1/raProfiles", s.listProfiles)
	h("GET /api/v1/raProfiles/{raProfileUuid}", s.getProfile)
	h("GET /api/v1/authorities/{authorityUuid}/raProfiles/{raProfileUuid}", s.getProfile)
	h("GET /api/v1/authorities/{authorityUuid}/raProfiles/{raProfileUuid}/approvalProfiles", s.profileApprovalProfiles)
	// client operations v2
	const ops = "/api/v2/operations/authorities/{authorityUuid}/raProfiles/{raProfileUuid}"
	h("POST "+ops+"/certificates", s.withProfile(s.issue))
	h("POST "+ops+"/certificates/{certificateUuid}/issue", s.withProfile(s.issueRequested))
	h("POST "+ops+"/certificates/{certificateUuid}/renew", s.withProfile(s.renew))
	h("POST "+ops+"/certificates/{certificateUuid}/rekey", s.withProfile(s.rekey))
	h("POST "+ops+"/certificates/{certificateUuid}/revoke", s.withProfile(s.revoke))
	h("GET "+ops+"/attributes/issue", s.withProfile(s.attributes(issueAttributes)))
	h("GET "+ops+"/attributes/revoke", s.withProfile(s.attributes(revokeAttributes)))
	h("POST "+ops+"/attributes/issue/validate", s.withProfile(s.validateAttributes(issueAttributes)))
	h("POST "+ops+"/attributes/revoke/validate", s.withProfile(s.validateAttributes(revokeAttributes)))
	// approvals
	h("GET /api/v1/approvals", s.listApprovals(false))
	h("GET /api/v1/approvals/user", s.listApprovals(true))
	h("GET /api/v1/approvals/{uuid}", s.getApproval)
	h("PATCH /api/v1/approvals/{uuid}/approve", s.approveOverride(true))
	h("PATCH /api/v1/approvals/{uuid}/reject", s.approveOverride(false))
	h("PATCH /api/v1/approvals/{uuid}/approveRecipient", s.decideAsRecipient(true))
	h("PATCH /api/v1/approvals/{uuid}/rejectRecipient", s.decideAsRecipient(false))
	h("GET /api/v1/approvalProfiles", s.listApprovalProfiles)
	h("GET /api/v1/approvalProfiles/{uuid}", s.getApprovalProfile)
	s.userRoutes(h)
	s.readRoutes(h)
	routed := fakeserver.Route(mux, func(w http.ResponseWriter, r *http.Request, status int) {
		if status == http.StatusMethodNotAllowed {
			// Spring's HttpRequestMethodNotSupportedException: 400.
			message(w, http.StatusBadRequest, "Request method '%s' is not supported", r.Method)
			return
		}
		message(w, http.StatusNotFound, "No endpoint %s %s.", r.Method, r.URL.Path)
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.tick()
		if r.Method == http.MethodGet && (r.URL.Path == "/api/v1/health/liveness" || r.URL.Path == "/api/v1/health/readiness") {
			// The probes need no caller (AuthHelper.java:61 at cad4432a).
			writeJSON(w, http.StatusOK, map[string]string{"status": "UP"})
			return
		}
		s.mu.Lock()
		u := s.authenticate(r)
		s.mu.Unlock()
		if u == nil {
			// Core's entry point answers an anonymous call with a bare 401.
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		routed.ServeHTTP(w, r.WithContext(withUser(r.Context(), u)))
	})
}

func formatFirst(next func(http.ResponseWriter, *http.Request)) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		if _, _, ok := checkFormat(w, r); ok {
			next(w, r)
		}
	}
}

// locked runs a handler under the server's lock: the fake is a tiny
// database and every request is one transaction.
func (s *Server) locked(f func(http.ResponseWriter, *http.Request)) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		f(w, r)
	}
}

func (s *Server) withCert(f func(http.ResponseWriter, *http.Request, *certificate)) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		id, ok := pathUUID(w, r, "uuid")
		if !ok {
			return
		}
		c := s.certs[id]
		if c == nil {
			message(w, http.StatusNotFound, "Certificate with UUID %s not found", id)
			return
		}
		s.advance(c)
		f(w, r, c)
	}
}

// ---------------------------------------------------------------- search

type searchRequest struct {
	Filters         []czertainly.SearchFilter `json:"filters"`
	ItemsPerPage    *int                      `json:"itemsPerPage"`
	PageNumber      *int                      `json:"pageNumber"`
	IncludeArchived bool                      `json:"includeArchived"`
}

var durationDays = regexp.MustCompile(`^P(\d+)D$`)

func (s *Server) matches(c *certificate, f czertainly.SearchFilter) (bool, error) {
	if f.FieldSource != czertainly.FilterFieldSourceProperty {
		return false, fmt.Errorf("the fake searches property fields only, not %s", f.FieldSource)
	}
	d := s.dto(c)
	str := func() string { return fmt.Sprint(f.Value) }
	values := func() []string {
		if l, ok := f.Value.([]any); ok {
			out := make([]string, len(l))
			for i, v := range l {
				out[i] = fmt.Sprint(v)
			}
			return out
		}
		return []string{str()}
	}
	text := func(field string) (bool, error) {
		switch f.Condition {
		case czertainly.FilterConditionEquals:
			return slices.Contains(values(), field), nil
		case czertainly.FilterConditionNotEquals:
			return !slices.Contains(values(), field), nil
		case czertainly.FilterConditionContains:
			return strings.Contains(field, str()), nil
		case czertainly.FilterConditionNotContains:
			return !strings.Contains(field, str()), nil
		case czertainly.FilterConditionStartsWith:
			return strings.HasPrefix(field, str()), nil
		case czertainly.FilterConditionEndsWith:
			return strings.HasSuffix(field, str()), nil
		case czertainly.FilterConditionEmpty:
			return field == "", nil
		case czertainly.FilterConditionNotEmpty:
			return field != "", nil
		}
		return false, fmt.Errorf("condition %s does not apply to this field", f.Condition)
	}
	switch f.FieldIdentifier {
	case "SUCCEEDING_CERTIFICATES", "PRECEDING_CERTIFICATES":
		// A list field over the certificate's relations
		// (FilterField.java:78-79): EQUALS matches a certificate with a
		// successor (predecessor) of one of the relation types, NOT_EQUALS
		// one with none of them, EMPTY one with no such relation at all.
		var types []string
		for _, rel := range s.relations(c, f.FieldIdentifier == "SUCCEEDING_CERTIFICATES") {
			types = append(types, rel.kind)
		}
		hit := false
		for _, v := range values() {
			hit = hit || slices.Contains(types, v)
		}
		switch f.Condition {
		case czertainly.FilterConditionEquals:
			return hit, nil
		case czertainly.FilterConditionNotEquals:
			return !hit, nil
		case czertainly.FilterConditionEmpty:
			return len(types) == 0, nil
		case czertainly.FilterConditionNotEmpty:
			return len(types) > 0, nil
		}
		return false, fmt.Errorf("condition %s does not apply to %s", f.Condition, f.FieldIdentifier)
	case czertainly.FieldCommonName:
		return text(d.CommonName)
	case czertainly.FieldState:
		return text(string(d.State))
	case czertainly.FieldFingerprint:
		return text(d.Fingerprint)
	case czertainly.FieldRAProfile:
		name := ""
		if d.RAProfile != nil {
			name = d.RAProfile.Name
		}
		return text(name)
	case czertainly.FieldNotAfter:
		if d.NotAfter.IsZero() {
			return false, nil
		}
		now := s.clock()
		switch f.Condition {
		case czertainly.FilterConditionInNext, czertainly.FilterConditionInPast:
			m := durationDays.FindStringSubmatch(str())
			if m == nil {
				return false, vendorMessage(fmt.Sprintf("Cannot parse value %s to a Duration", str()))
			}
			n, _ := strconv.Atoi(m[1])
			span := time.Duration(n) * 24 * time.Hour
			if f.Condition == czertainly.FilterConditionInNext {
				return !d.NotAfter.Before(now) && !d.NotAfter.After(now.Add(span)), nil
			}
			return !d.NotAfter.After(now) && !d.NotAfter.Before(now.Add(-span)), nil
		}
		t, err := time.Parse(time.RFC3339, str())
		if err != nil {
			return false, vendorMessage(fmt.Sprintf("Text '%s' could not be parsed", str()))
		}
		switch f.Condition {
		case czertainly.FilterConditionGreater:
			return d.NotAfter.After(t), nil
		case czertainly.FilterConditionGreaterOrEqual:
			return !d.NotAfter.Before(t), nil
		case czertainly.FilterConditionLesser:
			return d.NotAfter.Before(t), nil
		case czertainly.FilterConditionLesserOrEqual:
			return !d.NotAfter.After(t), nil
		}
		return false, fmt.Errorf("condition %s does not apply to %s", f.Condition, f.FieldIdentifier)
	}
	return false, vendorMessage("No enum constant com.czertainly.core.enums.FilterField." + f.FieldIdentifier)
}

// newestFirst lists the inventory as Core orders a search.
func (s *Server) newestFirst() []*certificate {
	out := make([]*certificate, 0, len(s.order))
	for _, id := range s.order {
		out = append(out, s.certs[id])
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].created.After(out[j].created) })
	return out
}

func (s *Server) listCertificates(w http.ResponseWriter, r *http.Request) {
	var req searchRequest
	if !decode(w, r, &req) {
		return
	}
	items, page := 10, 1
	if req.ItemsPerPage != nil {
		items = *req.ItemsPerPage
	}
	if req.PageNumber != nil {
		page = *req.PageNumber
	}
	if items < 1 || items > 1000 || page < 1 {
		message(w, http.StatusBadRequest, "Validation error: itemsPerPage must be between 1 and 1000, pageNumber at least 1")
		return
	}
	// Only the asked page is kept: a large inventory (generated
	// certificates) costs the fake one page per request.
	from, to := (page-1)*items, page*items
	var hits []czertainly.Certificate
	total := 0
	consider := func(c *certificate) bool {
		if c.archived && !req.IncludeArchived {
			return true
		}
		for _, f := range req.Filters {
			m, err := s.matches(c, f)
			if err != nil {
				message(w, http.StatusBadRequest, "%v", err)
				return false
			}
			if !m {
				return true
			}
		}
		if total >= from && total < to {
			hits = append(hits, s.dto(c))
		}
		total++
		return true
	}
	for _, c := range s.newestFirst() {
		s.advance(c)
		if !consider(c) {
			return
		}
	}
	// Without filters, generated certificates outside the page only count.
	n, i := s.generatedCount(), 0
	if len(req.Filters) == 0 && total < from {
		i = min(from-total, n)
		total += i
	}
	for ; i < n; i++ {
		if len(req.Filters) == 0 && total >= to {
			total += n - i
			break
		}
		if !consider(s.generatedAt(i)) {
			return
		}
	}
	writeJSON(w, http.StatusOK, czertainly.CertificatePage{Certificates: append([]czertainly.Certificate{}, hits...),
		ItemsPerPage: items, PageNumber: page, TotalItems: int64(total), TotalPages: (total + items - 1) / items})
}

func (s *Server) searchFields(w http.ResponseWriter, r *http.Request) {
	text := []czertainly.FilterCondition{"EQUALS", "NOT_EQUALS", "CONTAINS", "NOT_CONTAINS", "STARTS_WITH", "ENDS_WITH", "EMPTY", "NOT_EMPTY"}
	list := []czertainly.FilterCondition{"EQUALS", "NOT_EQUALS", "EMPTY", "NOT_EMPTY"}
	date := []czertainly.FilterCondition{"EQUALS", "NOT_EQUALS", "GREATER", "GREATER_OR_EQUAL", "LESSER", "LESSER_OR_EQUAL", "EMPTY", "NOT_EMPTY", "IN_NEXT", "IN_PAST"}
	var states []any
	for _, st := range []czertainly.CertificateState{"requested", "rejected", "pending_approval", "pending_issue", "pending_revoke", "failed", "issued", "revoked"} {
		states = append(states, string(st))
	}
	writeJSON(w, http.StatusOK, []czertainly.SearchFieldGroup{{FilterFieldSource: czertainly.FilterFieldSourceProperty, SearchFieldData: []czertainly.SearchField{
		{FieldIdentifier: czertainly.FieldCommonName, FieldLabel: "Common Name", Type: "string", Conditions: text},
		{FieldIdentifier: czertainly.FieldFingerprint, FieldLabel: "Fingerprint", Type: "string", Conditions: text},
		{FieldIdentifier: czertainly.FieldState, FieldLabel: "State", Type: "list", Conditions: list, Value: states, MultiValue: true, PlatformEnum: "CertificateState"},
		{FieldIdentifier: czertainly.FieldRAProfile, FieldLabel: "RA Profile", Type: "list", Conditions: list, Value: []any{RAProfileName, ApprovalRAProfileName}, MultiValue: true},
		{FieldIdentifier: czertainly.FieldNotAfter, FieldLabel: "Expires At", Type: "datetime", Conditions: date},
		{FieldIdentifier: "SUCCEEDING_CERTIFICATES", FieldLabel: "Succeeding Certificates", Type: "list", Conditions: list, Value: relationTypes, MultiValue: true, PlatformEnum: "CertificateRelationType"},
		{FieldIdentifier: "PRECEDING_CERTIFICATES", FieldLabel: "Preceding Certificates", Type: "list", Conditions: list, Value: relationTypes, MultiValue: true, PlatformEnum: "CertificateRelationType"},
	}}})
}

// ------------------------------------------------------------ one entry

func (s *Server) getCertificate(w http.ResponseWriter, r *http.Request, c *certificate) {
	writeJSON(w, http.StatusOK, s.detail(c))
}

// deleteCertificate refuses a certificate a user signs in with
// (CertificateServiceImpl.java:484-488 at cad4432a).
func (s *Server) deleteCertificate(w http.ResponseWriter, r *http.Request, c *certificate) {
	if u := s.certUser(c); u != nil {
		s.event(c, "Delete Certificate", "FAILED", "Certificate is currently used by some user")
		validation(w, fmt.Sprintf("Could not delete certificate %s with UUID %s: Certificate is used by some user.", s.dto(c).CommonName, c.uuid))
		return
	}
	s.remove(c.uuid)
	noContent(w)
}

// certUser is the user whose login certificate c is.
func (s *Server) certUser(c *certificate) *user {
	for _, u := range s.users {
		if u.certUUID == c.uuid {
			return u
		}
	}
	return nil
}

func (s *Server) remove(id string) {
	delete(s.certs, id)
	s.order = slices.DeleteFunc(s.order, func(x string) bool { return x == id })
}

// updateCertificate is Core's PATCH of one certificate
// (CertificateServiceImpl.java:511-526): each field present is applied in
// turn; "" clears the RA profile or the owner; every group must exist
// (404 otherwise, ResourceObjectAssociationServiceImpl.java:246).
func (s *Server) updateCertificate(w http.ResponseWriter, r *http.Request, c *certificate) {
	var req certificateUpdate
	if !decode(w, r, &req) {
		return
	}
	if err := s.applyUpdate(c, req.RAProfileUUID, req.GroupUUIDs, req.OwnerUUID); err != nil {
		message(w, http.StatusNotFound, "%v", err)
		return
	}
	if req.TrustedCA != nil {
		if c.x509 == nil || !c.x509.IsCA {
			validation(w, "Trying to mark certificate as trusted CA when certificate is not CA.")
			return
		}
		c.trustedCA = req.TrustedCA
	}
	noContent(w)
}

type certificateUpdate struct {
	GroupUUIDs    *[]string `json:"groupUuids"`
	OwnerUUID     *string   `json:"ownerUuid"`
	RAProfileUUID *string   `json:"raProfileUuid"`
	TrustedCA     *bool     `json:"trustedCa"`
}

// notFound is Core's NotFoundException(Class, id) message
// (CZERTAINLY-Interfaces NotFoundException.java:19-24).
func notFound(kind, id string) error {
	return vendorMessage(fmt.Sprintf("Object of type '%s' identified by %s is not found.", kind, id))
}

// applyUpdate sets the RA profile, groups and owner of c in Core's order;
// a step that fails leaves the steps before it done, as Core commits them.
func (s *Server) applyUpdate(c *certificate, profile *string, groups *[]string, owner *string) error {
	if profile != nil {
		if *profile == "" {
			c.profile = nil
		} else {
			p := profileByUUID(*profile)
			if p == nil {
				return notFound("RaProfile", *profile)
			}
			c.profile = p
		}
	}
	if groups != nil {
		for _, g := range *groups {
			if s.groups[g] == nil {
				return notFound("Group", g)
			}
		}
		c.groups = slices.Compact(slices.Sorted(slices.Values(*groups)))
	}
	if owner != nil {
		if *owner == "" {
			c.owner = nil
		} else {
			u := s.users[*owner]
			if u == nil {
				return vendorMessage(fmt.Sprintf("User with UUID %s not found", *owner))
			}
			c.owner = u
		}
	}
	return nil
}

// bulkUpdate is PATCH /v1/certificates: Core answers 204 and updates each
// certificate later, one transaction each, skipping a certificate whose
// update fails (CertificateControllerImpl.java:92-99,
// CertificateServiceImpl.java:540-578). A filter without UUIDs is 501.
func (s *Server) bulkUpdate(w http.ResponseWriter, r *http.Request) {
	var req struct {
		certificateUpdate
		CertificateUUIDs []string `json:"certificateUuids"`
		Filters          []any    `json:"filters"`
	}
	if !decode(w, r, &req) {
		return
	}
	if len(req.Filters) > 0 && len(req.CertificateUUIDs) == 0 {
		message(w, http.StatusNotImplemented, "Bulk updating of certificates by filters is not supported.")
		return
	}
	for _, id := range req.CertificateUUIDs {
		if _, err := uuid.Parse(id); err != nil {
			message(w, http.StatusBadRequest, "Invalid UUID string: %s", id)
			return
		}
	}
	s.later(func() {
		for _, id := range req.CertificateUUIDs {
			c := s.certs[id]
			if c == nil {
				continue // a notification to the user, not an answer
			}
			// The bulk path applies groups, then owner, then RA profile
			// (CertificateServiceImpl.java:580-586); an owner of "" is
			// ignored there (line 551-553).
			owner := req.OwnerUUID
			if owner != nil && *owner == "" {
				owner = nil
			}
			before := *c
			if err := s.applyUpdate(c, nil, req.GroupUUIDs, owner); err == nil {
				if err := s.applyUpdate(c, req.RAProfileUUID, nil, nil); err != nil {
					*c = before
				}
			} else {
				*c = before // the transaction of this certificate rolls back
			}
		}
	})
	noContent(w)
}

func checkFormat(w http.ResponseWriter, r *http.Request) (czertainly.CertificateFormat, czertainly.CertificateEncoding, bool) {
	f, e := czertainly.CertificateFormat(r.PathValue("format")), czertainly.CertificateEncoding(r.URL.Query().Get("encoding"))
	if f != czertainly.CertificateFormatRaw && f != czertainly.CertificateFormatPKCS7 {
		message(w, http.StatusBadRequest, "Failed to convert value of type 'java.lang.String' to required type 'CertificateFormat'")
		return "", "", false
	}
	if e != czertainly.CertificateEncodingPEM && e != czertainly.CertificateEncodingDER {
		message(w, http.StatusBadRequest, "Required request parameter 'encoding' is not present")
		return "", "", false
	}
	return f, e, true
}

func (s *Server) download(w http.ResponseWriter, r *http.Request, c *certificate) {
	f, e, ok := checkFormat(w, r)
	if !ok {
		return
	}
	if c.x509 == nil {
		validation(w, "Cannot download certificate, the certificate is not issued.")
		return
	}
	content, err := encodeCerts([]*x509.Certificate{c.x509}, f, e)
	if err != nil {
		validation(w, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, czertainly.Download{Format: f, Encoding: e, Content: content})
}

// encodeCerts is Core's download content: base64 of the PEM text, of the
// DER (raw, one certificate) or of a certificates-only PKCS#7.
func encodeCerts(certs []*x509.Certificate, f czertainly.CertificateFormat, e czertainly.CertificateEncoding) (string, error) {
	if f == czertainly.CertificateFormatRaw {
		if e == czertainly.CertificateEncodingDER {
			if len(certs) != 1 {
				return "", vendorMessage("DER encoding of raw format is unsupported for certificate chain.")
			}
			return base64.StdEncoding.EncodeToString(certs[0].Raw), nil
		}
		var b []byte
		for _, c := range certs {
			b = append(b, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
		}
		return base64.StdEncoding.EncodeToString(b), nil
	}
	der := pkcs7(certs)
	if e == czertainly.CertificateEncodingPEM {
		return base64.StdEncoding.EncodeToString(pem.EncodeToMemory(&pem.Block{Type: "PKCS7", Bytes: der})), nil
	}
	return base64.StdEncoding.EncodeToString(der), nil
}

// chainOf is the issuers of c up to the fake's root.
func (s *Server) chainOf(c *certificate, withEnd bool) []*certificate {
	var out []*certificate
	if withEnd {
		out = append(out, c)
	}
	if c.x509 != nil && !c.x509.Equal(s.ca.cert) {
		if root := s.certs[s.caUUID()]; root != nil {
			out = append(out, root)
		}
	}
	return out
}

func (s *Server) chain(w http.ResponseWriter, r *http.Request, c *certificate) {
	withEnd := r.URL.Query().Get("withEndCertificate") == "true"
	var out czertainly.Chain
	out.Certificates = []czertainly.CertificateDetail{}
	for _, x := range s.chainOf(c, withEnd) {
		out.Certificates = append(out.Certificates, s.detail(x))
	}
	out.CompleteChain = c.x509 != nil
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) downloadChain(w http.ResponseWriter, r *http.Request, c *certificate) {
	f, e, ok := checkFormat(w, r)
	if !ok {
		return
	}
	if c.x509 == nil {
		validation(w, "Cannot download certificate chain, the end certificate is not issued.")
		return
	}
	var certs []*x509.Certificate
	for _, x := range s.chainOf(c, r.URL.Query().Get("withEndCertificate") == "true") {
		certs = append(certs, x.x509)
	}
	if f == czertainly.CertificateFormatRaw && e == czertainly.CertificateEncodingDER {
		validation(w, "DER encoding of raw format is unsupported for certificate chain.")
		return
	}
	content, err := encodeCerts(certs, f, e)
	if err != nil {
		validation(w, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, czertainly.Download{Format: f, Encoding: e, Content: content, CompleteChain: true})
}

func (s *Server) validate(w http.ResponseWriter, r *http.Request, c *certificate) {
	d := s.dto(c)
	writeJSON(w, http.StatusOK, czertainly.ValidationResult{ResultStatus: d.ValidationStatus,
		ValidationChecks: map[string]any{}, ValidationTimestamp: s.clock().UTC().Truncate(time.Millisecond)})
}

func (s *Server) upload(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Certificate string `json:"certificate"`
	}
	if !decode(w, r, &req) {
		return
	}
	text := strings.TrimSpace(req.Certificate)
	der, err := base64.StdEncoding.DecodeString(text)
	if block, _ := pem.Decode([]byte(text)); block != nil {
		der, err = block.Bytes, nil
	}
	var crt *x509.Certificate
	if err == nil {
		crt, err = x509.ParseCertificate(der)
	}
	if err != nil {
		message(w, http.StatusBadRequest, "Certificate error occurred: could not parse certificate")
		return
	}
	fp := fingerprint(crt.Raw)
	for _, c := range s.certs {
		if c.x509 != nil && fingerprint(c.x509.Raw) == fp {
			message(w, http.StatusConflict, "Certificate already exists with fingerprint %s", fp)
			return
		}
	}
	c := s.addIssued(crt, nil, nil, s.clock())
	writeJSON(w, http.StatusCreated, map[string]string{"uuid": c.uuid})
}

// bulkDelete is Core's background bulk delete: the answer is always
// SUCCESS with no failed items (CertificateControllerImpl.java:118-127),
// the deletion runs later (CertificateServiceImpl.java:589 is @Async), and
// what it cannot find is skipped with a notification
// (CertificateServiceImpl.java:632-639). Filters without UUIDs are 501.
func (s *Server) bulkDelete(w http.ResponseWriter, r *http.Request) {
	var req struct {
		UUIDs   []string `json:"uuids"`
		Filters []any    `json:"filters"`
	}
	if !decode(w, r, &req) {
		return
	}
	if len(req.Filters) > 0 && len(req.UUIDs) == 0 {
		message(w, http.StatusNotImplemented, "Bulk delete of certificates by filters is not supported.")
		return
	}
	ids := append([]string(nil), req.UUIDs...)
	s.later(func() {
		for _, id := range ids {
			// The batch path has no login-certificate check
			// (CertificateServiceImpl.java:628-666).
			if s.certs[id] != nil {
				s.remove(id)
			}
		}
	})
	writeJSON(w, http.StatusOK, map[string]any{"status": "SUCCESS", "failedItem": 0, "message": "Initiated bulk delete Certificates. Please refresh after some time"})
}

func (s *Server) bulkArchive(archive bool) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		var ids []string
		if !decode(w, r, &ids) {
			return
		}
		for _, id := range ids {
			if c := s.certs[id]; c != nil {
				c.archived = archive // unknown UUIDs are skipped, as in Core
			}
		}
		noContent(w)
	}
}

// vendorMessage is an error whose text is the message Core answers with,
// spelled as Core spells it.
type vendorMessage string

func (m vendorMessage) Error() string { return string(m) }

var relationTypes = []any{"renewal", "rekey", "replacement", "pending"}

// relation is one CertificateRelation seen from one of its certificates.
type relation struct {
	other *certificate
	kind  string
}

// relations lists the successors (or predecessors) of c with their
// relation type: pending until the successor is issued, then renewal
// (same subject, issuer and key), rekey (new key) or replacement
// (CertificateServiceImpl.java:1801-1804, 1986-1994).
func (s *Server) relations(c *certificate, successors bool) []relation {
	kind := func(succ, pred *certificate) string {
		switch {
		case succ.x509 == nil:
			return "pending"
		case pred.x509 == nil || !bytes.Equal(succ.x509.RawSubject, pred.x509.RawSubject) || !bytes.Equal(succ.x509.RawIssuer, pred.x509.RawIssuer):
			return "replacement"
		case bytes.Equal(succ.x509.RawSubjectPublicKeyInfo, pred.x509.RawSubjectPublicKeyInfo):
			return "renewal"
		}
		return "rekey"
	}
	var out []relation
	if successors {
		for _, id := range s.order {
			// A successor that failed or was rejected loses its relation
			// (ClientOperationServiceImpl.java:344-356).
			if o := s.certs[id]; o.source == c.uuid && o.state != czertainly.CertificateStateFailed && o.state != czertainly.CertificateStateRejected {
				out = append(out, relation{o, kind(o, c)})
			}
		}
	} else if p := s.certs[c.source]; p != nil {
		out = append(out, relation{p, kind(c, p)})
	}
	return out
}

// certificateRelations is GET /v1/certificates/{uuid}/relations
// (CertificateServiceImpl.java:1906-1923).
func (s *Server) certificateRelations(w http.ResponseWriter, r *http.Request, c *certificate) {
	simple := func(rel relation) map[string]any {
		d := s.dto(rel.other)
		out := map[string]any{"uuid": d.UUID, "certificateType": "X.509", "state": d.State, "relationType": rel.kind,
			"commonName": d.CommonName, "subjectDn": d.SubjectDN, "publicKeyAlgorithm": d.PublicKeyAlgorithm}
		if d.Fingerprint != "" {
			out["fingerprint"], out["serialNumber"], out["issuerDn"], out["issuerCommonName"] = d.Fingerprint, d.SerialNumber, d.IssuerDN, d.IssuerCommonName
			out["signatureAlgorithm"] = d.SignatureAlgorithm
			out["notBefore"], out["notAfter"] = d.NotBefore, d.NotAfter
		}
		return out
	}
	succ, pred := []map[string]any{}, []map[string]any{}
	for _, rel := range s.relations(c, true) {
		succ = append(succ, simple(rel))
	}
	for _, rel := range s.relations(c, false) {
		pred = append(pred, simple(rel))
	}
	writeJSON(w, http.StatusOK, map[string]any{"certificateUuid": c.uuid, "successorCertificates": succ, "predecessorCertificates": pred})
}

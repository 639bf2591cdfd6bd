package adminv1test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/certadmin/certadmin-go/czertainly/adminv1/adminv1api"
	"github.com/certadmin/certadmin-go/internal/fakeserver"
)

// What the vendor's server answers, and where that is decided in its
// source (CZERTAINLY-Core, releases 2.0.2 to 2.4.0, the 1.x Administrator
// API):
//
//   - Tomcat maps nothing outside the servlet context path /api: its own
//     HTML 404 page.
//   - Spring Security (config/SecurityConfig.java) lets no request through
//     without the certificate of an enabled administrator whose certificate
//     is not revoked, expired or invalid (auth/AdminDetailsService.java):
//     403 with Spring Boot's error body. Behind a proxy a certificate
//     header that does not decode or verify is refused with 403 and a line
//     of text (config/CertificateHeaderVerificationFilter.java).
//   - No route: Spring Boot's error body with 404. A route with another
//     method or Content-Type, or a failure nothing else handles: 500 with
//     {"message":"Internal server error."} from the catch-all handler of
//     api/ExceptionHandlingAdvice.java. A body that is not the expected
//     JSON: 400 "Unable to read HTTP message".
//   - AdminServiceImpl is @Secured for super administrators: any other
//     administrator gets 403.
//   - The service itself: see create, edit and bulk below.
const (
	msgInternal    = "Internal server error."
	msgNotReadable = "Unable to read HTTP message"
)

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	p := BasePath + "/v1/admins"
	mux.HandleFunc("GET "+p, s.service(s.list))
	mux.HandleFunc("POST "+p, s.consumesJSON(s.create))
	mux.HandleFunc("DELETE "+p, s.consumesJSON(s.bulk(s.deleteLocked)))
	mux.HandleFunc("PUT "+p+"/enable", s.consumesJSON(s.bulk(s.setEnabledLocked(true))))
	mux.HandleFunc("PUT "+p+"/disable", s.consumesJSON(s.bulk(s.setEnabledLocked(false))))
	mux.HandleFunc("GET "+p+"/{uuid}", s.service(s.get))
	mux.HandleFunc("POST "+p+"/{uuid}", s.consumesJSON(s.edit))
	mux.HandleFunc("DELETE "+p+"/{uuid}", s.single(s.deleteLocked))
	mux.HandleFunc("PUT "+p+"/{uuid}/enable", s.consumesJSON(s.single(s.setEnabledLocked(true))))
	mux.HandleFunc("PUT "+p+"/{uuid}/disable", s.consumesJSON(s.single(s.setEnabledLocked(false))))
	api := s.authenticate(fakeserver.Route(mux, noRoute))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != BasePath && !strings.HasPrefix(r.URL.Path, BasePath+"/") {
			writeTomcatNotFound(w)
			return
		}
		api.ServeHTTP(w, r)
	})
}

// noRoute answers what the mux does not route: Spring Boot's 404 for an
// unknown path; for a known path with another method, the 500 the
// server's catch-all exception handler gives (it sees the framework's
// HttpRequestMethodNotSupportedException before the framework's own 405).
func noRoute(w http.ResponseWriter, r *http.Request, status int) {
	if status == http.StatusMethodNotAllowed {
		w.Header().Del("Allow")
		writeMessage(w, http.StatusInternalServerError, msgInternal)
		return
	}
	writeSpringError(w, r, http.StatusNotFound)
}

// consumesJSON refuses a request whose Content-Type is not JSON, as the
// routes declared consumes=application/json do; the catch-all handler
// turns the framework's HttpMediaTypeNotSupportedException into 500.
func (s *Server) consumesJSON(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if err != nil || mt != "application/json" {
			writeMessage(w, http.StatusInternalServerError, msgInternal)
			return
		}
		next(w, r)
	}
}

type principal struct{ super bool }

type principalKey struct{}

// authenticate is Spring Security's x509 login: the administrator is the
// one whose certificate serial number (lower-case hex) matches, and it
// must be enabled with a certificate that is not revoked, expired or
// invalid.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cert, status, text := s.clientCertificate(r)
		switch {
		case status == http.StatusForbidden:
			w.Header().Set("Content-Type", "text/plain;charset=ISO-8859-1")
			w.WriteHeader(status)
			_, _ = io.WriteString(w, text+"\n")
			return
		case status != 0:
			writeSpringError(w, r, status)
			return
		}
		var super, ok bool
		if cert != nil {
			super, ok = s.signIn(cert.SerialNumber.Text(16))
		}
		if !ok {
			writeSpringError(w, r, http.StatusForbidden)
			return
		}
		r = r.WithContext(context.WithValue(r.Context(), principalKey{}, principal{super: super}))
		next.ServeHTTP(w, r)
	})
}

// signIn finds the administrator a certificate serial number belongs to:
// whether it may sign in and whether it is a super administrator.
func (s *Server) signIn(serial string) (super, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range s.order {
		a := s.admins[id]
		if a.SerialNumber != serial {
			continue
		}
		switch a.Certificate.Status {
		case adminv1api.CertificateDtoStatusRevoked, adminv1api.CertificateDtoStatusExpired, adminv1api.CertificateDtoStatusInvalid:
			return false, false
		}
		return a.Role == adminv1api.AdminDtoRoleSuperAdministrator, a.Enabled
	}
	return false, false
}

// clientCertificate is the certificate of the request: with
// WithCertificateHeader a header that is present wins over the handshake,
// as the server's header filter replaces the request's certificate. A
// header that does not decode or verify is refused with 403 and a line of
// text (status 403); one that is not valid URL encoding fails the filter
// with an exception nothing catches (status 500).
func (s *Server) clientCertificate(r *http.Request) (*x509.Certificate, int, string) {
	if v := strings.TrimSpace(r.Header.Get(s.header)); s.header != "" && v != "" {
		decoded, err := url.QueryUnescape(v)
		if err != nil {
			return nil, http.StatusInternalServerError, ""
		}
		decoded = strings.NewReplacer("-----BEGIN CERTIFICATE-----", "", "-----END CERTIFICATE-----", "", "\r", "", "\n", "").Replace(decoded)
		der, err := base64.StdEncoding.DecodeString(decoded)
		if err != nil {
			return nil, http.StatusForbidden, "Fail to decode certificate in header"
		}
		cert, err := x509.ParseCertificate(der)
		if err != nil {
			return nil, http.StatusForbidden, "Fail to decode certificate in header"
		}
		if _, err := cert.Verify(x509.VerifyOptions{Roots: s.CA.Pool(), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err != nil {
			return nil, http.StatusForbidden, "Certificate in header is invalid"
		}
		return cert, 0, ""
	}
	if r.TLS != nil && len(r.TLS.PeerCertificates) > 0 {
		return r.TLS.PeerCertificates[0], 0, ""
	}
	return nil, 0, ""
}

// service runs h for a super administrator only: AdminServiceImpl is
// @Secured({"ROLE_SUPERADMINISTRATOR"}), so any other administrator is
// refused with 403.
func (s *Server) service(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if p, _ := r.Context().Value(principalKey{}).(principal); !p.super {
			writeSpringError(w, r, http.StatusForbidden)
			return
		}
		h(w, r)
	}
}

func (s *Server) list(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	out := make([]adminv1api.AdminDto, 0, len(s.order))
	for _, id := range s.order {
		out = append(out, *s.admins[id])
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) get(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("uuid")
	s.mu.Lock()
	a, ok := s.admins[id]
	var out adminv1api.AdminDto
	if ok {
		out = *a
	}
	s.mu.Unlock()
	if !ok {
		writeMessage(w, http.StatusNotFound, notFound("Admin", id))
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// adminRequest is the body of create and edit as the server reads it:
// every member may be absent (nil), which the server tells from blank.
type adminRequest struct {
	AdminCertificate *string `json:"adminCertificate"`
	CertificateUUID  *string `json:"certificateUuid"`
	Username         *string `json:"username"`
	Name             *string `json:"name"`
	Surname          *string `json:"surname"`
	Email            *string `json:"email"`
	Role             *string `json:"role"`
	Enabled          *bool   `json:"enabled"`
	Description      *string `json:"description"`
}

// readJSON decodes the request body into v; false (after answering 400, as
// the server's handler for HttpMessageNotReadableException does) when it is
// not JSON of that shape or names an unknown role.
func readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	body, err := io.ReadAll(r.Body)
	if err == nil {
		err = json.Unmarshal(body, v)
	}
	if req, ok := v.(*adminRequest); ok && err == nil && req.Role != nil &&
		*req.Role != string(adminv1api.AdminDtoRoleAdministrator) && *req.Role != string(adminv1api.AdminDtoRoleSuperAdministrator) {
		err = errors.New("unknown role")
	}
	if err != nil {
		writeMessage(w, http.StatusBadRequest, msgNotReadable)
		return false
	}
	return true
}

// blank is commons-lang StringUtils.isBlank: absent, empty or white space.
func blank(p *string) bool { return p == nil || strings.TrimSpace(*p) == "" }

// empty is the edit's own test (isEmpty): absent or "".
func empty(p *string) bool { return p == nil || *p == "" }

// validation answers the ValidationException the server raises for a
// blank field: 422 with an empty list, since ValidationException(String)
// keeps its text out of the list the handler sends.
func validation(w http.ResponseWriter) { writeJSON(w, http.StatusUnprocessableEntity, []string{}) }

// create is AdminServiceImpl.addAdmin and createAdmin of Core 2.0.2 to
// 2.3.0: the checks run in the server's order, and an uploaded
// certificate whose serial number the inventory already holds is refused
// with 400. (Core 2.4.0 changed createAdmin to reuse such a certificate,
// but inverted the test, so there an upload of a new certificate fails
// with 500; the fake keeps the earlier behaviour.)
func (s *Server) create(w http.ResponseWriter, r *http.Request) {
	var in adminRequest
	if !readJSON(w, r, &in) {
		return
	}
	s.service(func(w http.ResponseWriter, r *http.Request) {
		if blank(in.Username) || blank(in.Name) || blank(in.Surname) || blank(in.Email) {
			validation(w)
			return
		}
		role := adminv1api.AdminDtoRoleAdministrator
		if in.Role != nil {
			role = adminv1api.AdminDtoRole(*in.Role)
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		for _, a := range s.admins {
			if a.Username == *in.Username {
				writeMessage(w, http.StatusBadRequest, alreadyExists("Admin", *in.Username))
				return
			}
		}
		var serial string
		if !blank(in.AdminCertificate) {
			cert, err := parseContent(*in.AdminCertificate)
			if err != nil {
				writeMessage(w, http.StatusInternalServerError, msgInternal)
				return
			}
			serial = cert.SerialNumber.Text(16)
		} else {
			c, ok := s.inventory[derefOr(in.CertificateUUID, "null")]
			if !ok {
				writeMessage(w, http.StatusNotFound, notFound("Certificate", derefOr(in.CertificateUUID, "null")))
				return
			}
			serial = c.SerialNumber
		}
		if s.adminWithSerialLocked(serial) != "" {
			writeMessage(w, http.StatusBadRequest, alreadyExists("Admin", serial))
			return
		}
		var cert adminv1api.CertificateDto
		if !blank(in.CertificateUUID) {
			c, ok := s.inventory[*in.CertificateUUID]
			if !ok {
				writeMessage(w, http.StatusNotFound, notFound("Certificate", *in.CertificateUUID))
				return
			}
			cert = c
		} else {
			var status int
			if cert, status = s.uploadLocked(w, derefOr(in.AdminCertificate, "")); status != 0 {
				return
			}
		}
		a := &adminv1api.AdminDto{
			Uuid: uuid.NewString(), Username: *in.Username, Name: *in.Name, Surname: *in.Surname, Email: *in.Email,
			Role: role, Description: in.Description, Enabled: in.Enabled != nil && *in.Enabled,
			SerialNumber: cert.SerialNumber, Certificate: cert,
		}
		s.store(a)
		w.Header().Set("Location", "https://"+r.Host+r.URL.Path+"/"+a.Uuid)
		writeJSON(w, http.StatusCreated, adminv1api.UuidDto{Uuid: a.Uuid})
	})(w, r)
}

// edit is AdminServiceImpl.editAdmin and updateAdmin, the same from
// December 2021 until the API was removed. It is not a patch: name,
// surname, email and description become what was sent (an absent
// description clears it), a blank name, surname or email is a 422, and
// role is kept when absent. The certificate is kept unless
// adminCertificate or certificateUuid is non-empty; then certificateUuid
// must be present, or the server fails with 500 (it reads it without a
// null check): non-empty, it names an inventory certificate, "" selects
// the uploaded adminCertificate, which the inventory must not hold yet.
func (s *Server) edit(w http.ResponseWriter, r *http.Request) {
	var in adminRequest
	if !readJSON(w, r, &in) {
		return
	}
	s.service(func(w http.ResponseWriter, r *http.Request) {
		if blank(in.Name) || blank(in.Surname) || blank(in.Email) {
			validation(w)
			return
		}
		id := r.PathValue("uuid")
		s.mu.Lock()
		defer s.mu.Unlock()
		a, ok := s.admins[id]
		if !ok {
			writeMessage(w, http.StatusNotFound, notFound("Admin", id))
			return
		}
		if in.AdminCertificate != nil {
			cert, err := parseContent(*in.AdminCertificate)
			if err != nil {
				writeMessage(w, http.StatusInternalServerError, msgInternal)
				return
			}
			serial := cert.SerialNumber.Text(16)
			if other := s.adminWithSerialLocked(serial); a.SerialNumber != serial && other != "" {
				writeMessage(w, http.StatusBadRequest, alreadyExists("Admin", serial))
				return
			}
		}
		b := *a
		if !empty(in.AdminCertificate) || !empty(in.CertificateUUID) {
			if in.CertificateUUID == nil {
				writeMessage(w, http.StatusInternalServerError, msgInternal)
				return
			}
			var cert adminv1api.CertificateDto
			if *in.CertificateUUID != "" {
				c, ok := s.inventory[*in.CertificateUUID]
				if !ok {
					writeMessage(w, http.StatusNotFound, notFound("Certificate", *in.CertificateUUID))
					return
				}
				cert = c
			} else {
				var status int
				if cert, status = s.uploadLocked(w, *in.AdminCertificate); status != 0 {
					return
				}
			}
			b.Certificate, b.SerialNumber = cert, cert.SerialNumber
		}
		b.Name, b.Surname, b.Email = *in.Name, *in.Surname, *in.Email
		b.Description = in.Description
		if in.Role != nil {
			b.Role = adminv1api.AdminDtoRole(*in.Role)
		}
		s.admins[id] = &b
		writeJSON(w, http.StatusOK, b)
	})(w, r)
}

// uploadLocked adds an uploaded certificate to the inventory: refused with
// 400 when the inventory holds one of the same serial number already.
// status is 0 on success, else the status already answered.
func (s *Server) uploadLocked(w http.ResponseWriter, content string) (adminv1api.CertificateDto, int) {
	cert, err := parseContent(content)
	if err != nil {
		writeMessage(w, http.StatusInternalServerError, msgInternal)
		return adminv1api.CertificateDto{}, http.StatusInternalServerError
	}
	serial := cert.SerialNumber.Text(16)
	for _, c := range s.inventory {
		if strings.EqualFold(c.SerialNumber, serial) {
			writeMessage(w, http.StatusBadRequest, alreadyExists("Certificate", serial))
			return adminv1api.CertificateDto{}, http.StatusBadRequest
		}
	}
	dto := certificateDto(cert)
	s.inventory[dto.Uuid] = dto
	return dto, 0
}

// parseContent reads adminCertificate as the server does: Base64 (padding
// optional), then a DER or PEM certificate.
func parseContent(content string) (*x509.Certificate, error) {
	data, err := base64.StdEncoding.DecodeString(content)
	if err != nil {
		data, err = base64.RawStdEncoding.DecodeString(content)
	}
	if err != nil {
		return nil, err
	}
	if block, _ := pem.Decode(data); block != nil && block.Type == "CERTIFICATE" {
		data = block.Bytes
	}
	return x509.ParseCertificate(data)
}

func (s *Server) adminWithSerialLocked(serial string) string {
	for _, id := range s.order {
		if s.admins[id].SerialNumber == serial {
			return id
		}
	}
	return ""
}

type change func(id string) bool

func (s *Server) deleteLocked(id string) bool {
	if _, ok := s.admins[id]; !ok {
		return false
	}
	delete(s.admins, id)
	for i, v := range s.order {
		if v == id {
			s.order = append(s.order[:i], s.order[i+1:]...)
			break
		}
	}
	return true
}

func (s *Server) setEnabledLocked(enabled bool) change {
	return func(id string) bool {
		a, ok := s.admins[id]
		if !ok {
			return false
		}
		b := *a
		b.Enabled = enabled
		s.admins[id] = &b
		return true
	}
}

// single applies fn to the administrator in the path and answers 204 (the
// vendor document says 200 for enable and disable; the server's methods
// are @ResponseStatus(NO_CONTENT)), or 404 when there is none.
func (s *Server) single(fn change) http.HandlerFunc {
	return s.service(func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("uuid")
		s.mu.Lock()
		ok := fn(id)
		s.mu.Unlock()
		if !ok {
			writeMessage(w, http.StatusNotFound, notFound("Admin", id))
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}

// bulk applies fn to every administrator in the body, as the server's
// bulk methods do: an unknown UUID is skipped (the server logs a warning)
// and the answer is 204 all the same.
func (s *Server) bulk(fn change) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var ids []string
		if !readJSON(w, r, &ids) {
			return
		}
		s.service(func(w http.ResponseWriter, _ *http.Request) {
			s.mu.Lock()
			for _, id := range ids {
				if !fn(id) {
					s.skipped = append(s.skipped, id)
				}
			}
			s.mu.Unlock()
			w.WriteHeader(http.StatusNoContent)
		})(w, r)
	}
}

func notFound(kind, id string) string {
	return fmt.Sprintf("Object of type '%s' identified by %s was not found or is not enabled.", kind, id)
}

func alreadyExists(kind, id string) string {
	return fmt.Sprintf("Object of type '%s' identified by %s already exists.", kind, id)
}

func derefOr(p *string, fallback string) string {
	if p == nil {
		return fallback
	}
	return *p
}

// certificateDto describes cert the way the platform's inventory does.
func certificateDto(cert *x509.Certificate) adminv1api.CertificateDto {
	typ := adminv1api.CertificateDtoCertificateTypeX509
	status := adminv1api.CertificateDtoStatusValid
	if time.Now().After(cert.NotAfter) {
		status = adminv1api.CertificateDtoStatusExpired
	}
	return adminv1api.CertificateDto{
		Uuid:               uuid.NewString(),
		CommonName:         cert.Subject.CommonName,
		SerialNumber:       cert.SerialNumber.Text(16),
		IssuerCommonName:   cert.Issuer.CommonName,
		CertificateContent: base64.StdEncoding.EncodeToString(cert.Raw),
		IssuerDn:           cert.Issuer.String(),
		SubjectDn:          cert.Subject.String(),
		NotBefore:          cert.NotBefore.UTC(),
		NotAfter:           cert.NotAfter.UTC(),
		PublicKeyAlgorithm: cert.PublicKeyAlgorithm.String(),
		SignatureAlgorithm: cert.SignatureAlgorithm.String(),
		KeySize:            keySize(cert),
		KeyUsage:           []string{},
		BasicConstraints:   basicConstraints(cert),
		Status:             status,
		Fingerprint:        fingerprint(cert),
		CertificateType:    &typ,
	}
}

func keySize(cert *x509.Certificate) int32 {
	switch k := cert.PublicKey.(type) {
	case *rsa.PublicKey:
		return int32(k.N.BitLen()) // #nosec G115 -- an RSA modulus is far below 2^31 bits
	case *ecdsa.PublicKey:
		return int32(k.Curve.Params().BitSize) // #nosec G115 -- a curve size is a few hundred bits
	}
	return 0
}

func basicConstraints(cert *x509.Certificate) string {
	if cert.IsCA {
		return "Subject Type=CA"
	}
	return "Subject Type=End Entity"
}

func fingerprint(cert *x509.Certificate) string {
	sum := sha256.Sum256(cert.Raw)
	return hex.EncodeToString(sum[:])
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(v); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// writeMessage answers with the application's ErrorMessageDto.
func writeMessage(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, adminv1api.ErrorMessageDto{Message: msg})
}

// writeSpringError answers with Spring Boot's default error body (which
// leaves the message out unless the server is told to include it), as
// the framework does for requests the application never sees.
func writeSpringError(w http.ResponseWriter, r *http.Request, status int) {
	writeJSON(w, status, map[string]any{
		"timestamp": time.Now().UTC().Format("2006-01-02T15:04:05.000-07:00"),
		"status":    status,
		"error":     http.StatusText(status),
		"path":      r.URL.Path,
	})
}

// tomcatNotFound is what Tomcat answers for a path outside every web
// application (no servlet context maps it).
const tomcatNotFound = `<!doctype html><html lang="en"><head><title>HTTP Status 404 – Not Found</title></head>` +
	`<body><h1>HTTP Status 404 – Not Found</h1></body></html>`

func writeTomcatNotFound(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/html;charset=utf-8")
	w.Header().Set("Content-Language", "en")
	w.WriteHeader(http.StatusNotFound)
	_, _ = io.WriteString(w, tomcatNotFound)
}

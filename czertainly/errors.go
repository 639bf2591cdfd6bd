package czertainly

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/certadmin/certadmin-go/internal/apierror"
)

// ErrNoAdminAPI matches a 404 that means the server has no Administrator
// API at the base URL: a CZERTAINLY 2.x server (which replaced it with
// users and roles) or a base URL without the /api context path. It also
// matches ErrNotFound.
var ErrNoAdminAPI = errors.New("no CZERTAINLY 1.x Administrator API at this URL")

const (
	hintNoAdminAPI = "the Administrator API exists in CZERTAINLY 1.x only (2.x manages users under /v1/users); " +
		"also check that the base URL includes the /api context path"
	hintForbidden = "the server wants the client certificate of an enabled super administrator (looked up by serial number) " +
		"that is neither revoked, expired nor invalid; check that one is presented at all (a client offers none " +
		"that was not issued by a CA the server names)"
	hintBlank      = "the server answers 422 without messages when the username, name, surname or email is blank"
	hintClientCert = "the server requires a client certificate it trusts: use WithClientCertificate, " +
		"WithClientCertificateFiles or, behind a TLS-terminating proxy, WithCertificateHeader"
)

// decodeError maps both error shapes of the server into e: the
// {"message": …} envelope (400, 404, 500) and the bare array of messages of
// a 422. Spring's own error body (403, an unmapped path) is read too.
func decodeError(e *apierror.Error, body []byte) {
	trimmed := bytes.TrimSpace(body)
	switch {
	case bytes.HasPrefix(trimmed, []byte("[")):
		var msgs []string
		if json.Unmarshal(trimmed, &msgs) == nil {
			e.Details = msgs
		}
	case bytes.HasPrefix(trimmed, []byte("{")):
		var m struct {
			Message string `json:"message"`
			Error   string `json:"error"`
			Path    string `json:"path"`
		}
		if json.Unmarshal(trimmed, &m) != nil {
			return
		}
		if m.Path == "" && m.Error == "" {
			e.Message = m.Message
			return
		}
		// Spring's default body: not the application's answer, so a 404 here
		// means the path itself is unknown.
		e.Message = m.Message
		if e.Message == "" || e.Message == "No message available" {
			e.Message = m.Error
		}
		if e.StatusCode == http.StatusNotFound {
			e.Kind = ErrNoAdminAPI
		}
	}
}

// annotate adds what the SDK knows about a failure's usual cause.
func annotate(e *apierror.Error) {
	switch {
	case e.StatusCode == http.StatusNotFound && (e.Message == "" || e.Op == opListAdmins):
		// The application answers a missing administrator with a message;
		// a bare 404, or one on the list itself, means the API is absent.
		e.Kind = ErrNoAdminAPI
		e.Hint = hintNoAdminAPI
	case errors.Is(e.Kind, ErrNoAdminAPI):
		e.Hint = hintNoAdminAPI
	case e.StatusCode == http.StatusForbidden || e.StatusCode == http.StatusUnauthorized:
		e.Hint = hintForbidden
	case e.StatusCode == http.StatusUnprocessableEntity && len(e.Details) == 0:
		e.Hint = hintBlank
	case e.StatusCode == 0 && e.Err != nil && isClientCertRejection(e.Err):
		e.Hint = hintClientCert
	}
}

// isClientCertRejection reports a TLS alert by which the server refused
// the handshake for want of an acceptable client certificate.
func isClientCertRejection(err error) bool {
	msg := err.Error()
	for _, alert := range []string{"certificate required", "bad certificate", "unknown certificate authority", "handshake failure"} {
		if strings.Contains(msg, "remote error: tls: "+alert) {
			return true
		}
	}
	return false
}

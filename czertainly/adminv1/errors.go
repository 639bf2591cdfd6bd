package adminv1

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/certadmin/certadmin-go/internal/apierror"
)

// ErrNoAdminAPI matches a 404 that means the server has no Administrator
// API at the base URL: a CZERTAINLY 2.x server (which replaced it with
// users and roles) or a base URL without the /api context path. It also
// matches ErrNotFound.
var ErrNoAdminAPI = errors.New("no CZERTAINLY 1.x Administrator API at this URL")

// ErrTLSRequired matches the answer of a TLS server to a plain http://
// request: the base URL names the server's HTTPS port with the http
// scheme.
var ErrTLSRequired = errors.New("the server wants TLS: use an https:// base URL")

const (
	hintNoAdminAPI = "the Administrator API exists in CZERTAINLY 1.x only (2.x manages users under /v1/users); " +
		"also check that the base URL includes the /api context path"
	hintForbidden = "the server wants the client certificate of an enabled super administrator (looked up by serial number) " +
		"that is neither revoked, expired nor invalid; check that one is presented at all (a client presents " +
		"no certificate of a CA other than those the server names in the handshake)"
	hintBlank = "the server answers 422 without messages when the username, name, surname or email is blank"
	hintTLS   = "the base URL says http:// but the server speaks TLS on that port; use https:// " +
		"(with the platform's CA in WithRootCAs or WithRootCAFile)"
	hintNoContextPath = "the base URL has no /api context path: give it as the platform's URL plus /api, " +
		"e.g. https://czertainly.example.com/api"
	hintHTMLPage = "the server answered with an HTML page; check that the base URL includes the /api context path " +
		"and that no login page (a single-sign-on proxy) stands in front of the API"
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

// tlsAnswers are what TLS servers answer to a plain HTTP request on
// their port: Go's, Tomcat's (the vendor's server runs on embedded Tomcat)
// and nginx's (a TLS-terminating proxy).
var tlsAnswers = []string{
	"Client sent an HTTP request to an HTTPS server",
	"This combination of host and port requires TLS",
	"The plain HTTP request was sent to HTTPS port",
}

// plainHTTPToTLS reports an answer (or a failed exchange) that shows the
// server at an http:// URL wants TLS.
func plainHTTPToTLS(e *apierror.Error) bool {
	if !strings.HasPrefix(e.URL, "http://") {
		return false
	}
	if e.StatusCode == http.StatusBadRequest {
		for _, a := range tlsAnswers {
			if strings.Contains(e.Body, a) {
				return true
			}
		}
		return false
	}
	// A server that answers with a TLS alert record instead: the client
	// reads bytes 0x15 0x03 where a status line should be.
	return e.StatusCode == 0 && e.Err != nil && strings.Contains(e.Err.Error(), `malformed HTTP response "\x15\x03`)
}

// annotate adds what the SDK knows about a failure's usual cause.
func annotate(e *apierror.Error) {
	if plainHTTPToTLS(e) {
		// The server closes the connection after its answer, which the
		// client may see as a reset while it reads the body: not a
		// truncated answer but the end of the only one there is.
		e.Kind, e.Err, e.Hint = ErrTLSRequired, nil, hintTLS
		e.Message = "the server refused a plain HTTP request"
		return
	}
	switch {
	case e.StatusCode == http.StatusNotFound && (e.Message == "" || e.Op == opListAdmins || errors.Is(e.Kind, ErrNoAdminAPI)):
		// The application answers a missing administrator with a message;
		// a bare 404 (Tomcat's HTML page outside the context path, Spring's
		// body for an unknown path), or one on the list itself, means the
		// API is absent.
		e.Kind = ErrNoAdminAPI
		e.Hint = hintNoAdminAPI
		if !hasContextPath(e.URL) {
			e.Hint = hintNoContextPath
		}
	case e.StatusCode == http.StatusOK && errors.Is(e.Kind, apierror.ErrHTMLResponse):
		// An HTML page where the API answers JSON: a web front end or a
		// login page, often because the base URL misses /api.
		e.Hint = hintHTMLPage
	case e.StatusCode == http.StatusForbidden || e.StatusCode == http.StatusUnauthorized:
		e.Hint = hintForbidden
	case e.StatusCode == http.StatusUnprocessableEntity && len(e.Details) == 0:
		e.Hint = hintBlank
	case e.StatusCode == 0 && e.Err != nil && isClientCertRejection(e.Err):
		e.Hint = hintClientCert
	}
}

// hasContextPath reports whether a request URL has a path before
// /v1/admins, as the servlet context path /api is.
func hasContextPath(rawURL string) bool {
	u, err := url.Parse(rawURL)
	if err != nil {
		return true
	}
	return !strings.HasPrefix(u.Path, "/v1/admins")
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

package czertainly

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/certadmin/certadmin-go/internal/apierror"
	"github.com/certadmin/certadmin-go/internal/pager"
	"github.com/certadmin/certadmin-go/internal/transport"
)

// Sentinels for errors.Is that only this package has. An *Error matches
// one of them as its Kind.
var (
	// ErrValidation: Core refused the request as invalid (422, with the
	// list of problems in Error.Details), e.g. an operation on a
	// certificate in the wrong state.
	ErrValidation = errors.New("request refused by validation (422)")
	// ErrConflict: the object already exists: a 409 from Core
	// (AlreadyExistException), or the 400 with code ENTITY_NOT_UNIQUE
	// that Core passes on from its Auth service for a user or role name
	// that is taken.
	ErrConflict = errors.New("object already exists")
	// ErrConnector: the authority's connector failed or could not be
	// reached: a 502 or 503 from an operation that calls a connector, a
	// 400 naming the connector, or the 400 with which Core refuses an
	// issue, renew or rekey it could not submit ("Failed to submit
	// certificate request…"; the message says why).
	ErrConnector = errors.New("connector failed")
	// ErrPagingMismatch is matched by the error that ends a paged list
	// when a page brings nothing new (only items of the previous page, or
	// the same items as an earlier page): the server (or a proxy) is not
	// paging by the pageNumber asked for. The list stops there, before
	// yielding any of that page, instead of fetching the same page again.
	ErrPagingMismatch = errPagingMismatch()
)

// Markers of Core's answers that name a cause the status does not.
const (
	// codeNotUnique is the code of the Auth service's
	// EntityNotUniqueException (CZERTAINLY-Auth
	// Common/Exceptions/EntityNotUniqueException.cs:8), which Core passes
	// on as a 400 application/problem+json (ExceptionHandlingAdvice.java
	// :445-453 at cad4432a).
	codeNotUnique = "ENTITY_NOT_UNIQUE"
	// submitFailed begins the message of the CertificateOperationException
	// with which the v2 issue, renew and rekey wrap whatever stopped the
	// submission, a connector's failure among them
	// (ClientOperationServiceImpl.java:237, 436, 582; answered 400 by
	// ExceptionHandlingAdvice.java:420).
	submitFailed = "Failed to submit certificate request"
	// connectorRelated is what Core appends to the message of a connector
	// exception it answers 400, 502 or 503 (ExceptionHandlingAdvice.java
	// :224-300).
	connectorRelated = "Error is related to connector"
)

// decodeError fills the vendor fields from Core's three error shapes:
// {"message": …} (ErrorMessageDto, most statuses), a JSON array of
// messages (a 422 from a ValidationException) and
// {"statusCode", "code", "message"} (AuthenticationServiceExceptionDto, a
// 403 as application/problem+json). Anything else stays in the excerpt.
func decodeError(e *apierror.Error, body []byte) {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return
	}
	if trimmed[0] == '[' {
		var msgs []string
		if json.Unmarshal(trimmed, &msgs) == nil && len(msgs) > 0 {
			e.Message = msgs[0]
			e.Details = append(e.Details, msgs...)
		}
		return
	}
	var env struct {
		Message string `json:"message"`
		Code    string `json:"code"`
	}
	if json.Unmarshal(trimmed, &env) == nil {
		e.Message, e.Code = env.Message, env.Code
	}
}

// coreErrorMembers are the members of the error bodies Core and the
// Spring framework under it write: ErrorMessageDto ("message", most
// handlers of ExceptionHandlingAdvice.java at cad4432a),
// AuthenticationServiceExceptionDto ("statusCode", "code", "message":
// :364-385, :445-453, CZERTAINLY-Interfaces at 804df038
// model/common/AuthenticationServiceExceptionDto.java), an RFC 9457
// problem detail ("type", "title", "status", "detail", "instance", with
// "code" or "errors" as extension members) and Spring Boot's default
// error body ("timestamp", "status", "error", "path", "message", "trace",
// "exception", "errors", "requestId").
var coreErrorMembers = []string{"message", "statusCode", "code", "type", "title", "status", "detail", "instance",
	"timestamp", "error", "path", "trace", "exception", "errors", "requestId"}

// errorInBody is the transport's check of every JSON answer with a success
// status: one of Core's error bodies there (a proxy or a gateway that
// rewrote the status) is Core's error, not an answer; a page read from it
// would be an empty page. A body is an error only when it is made of the
// error members alone and has the members that mark one of the shapes, so
// an answer with members of its own (a bulk operation's {"status",
// "failedItem", "message"}) or with only a status ("status": "UP") stays
// an answer.
func errorInBody(body []byte) *transport.BodyError {
	m, ok := transport.OnlyMembers(body, coreErrorMembers...)
	if !ok {
		return nil
	}
	str := func(name string) string { s, _ := transport.MemberString(m, name); return s }
	message, hasMessage := transport.MemberString(m, "message")
	status := transport.MemberNumber(m, "status")
	switch {
	case hasMessage && len(m) == 1: // ErrorMessageDto
		return &transport.BodyError{Message: message}
	case transport.MemberNumber(m, "statuscode") && (hasMessage || str("code") != ""): // AuthenticationServiceExceptionDto
		return &transport.BodyError{Code: str("code"), Message: message}
	case status && (str("detail") != "" || str("title") != ""): // problem detail
		msg := str("detail")
		if msg == "" {
			msg = str("title")
		}
		return &transport.BodyError{Code: str("code"), Message: msg}
	case status && str("error") != "" && m["timestamp"] != nil: // Spring Boot's default
		msg := message
		if msg == "" {
			msg = str("error")
		}
		var details []string
		if p := str("path"); p != "" {
			details = append(details, "path: "+p)
		}
		return &transport.BodyError{Message: msg, Details: details}
	}
	return nil
}

// Hints for statuses Core gives for a known cause.
const (
	hintUnauthorized = "Core answers 401 when no credentials reached it or they were not accepted: check the client certificate (mutual TLS to the ingress, or WithCertificateHeader behind your own proxy) or the bearer token"
	hintConnector    = "the authority's connector failed or could not be reached; the operation may be retried once the connector is back"
	hintSubmit       = "Core could not submit the request to the authority (most often its connector failed); nothing was issued, and the message says why"
	hint404API       = "a 404 on every call means the URL is not a 2.x Core API: the platform serves it under /api (the 1.x Administrator API was removed in 2.5.0)"
)

// annotate names the package's own kinds and adds advice.
func annotate(e *apierror.Error) {
	switch e.StatusCode {
	case http.StatusUnprocessableEntity:
		if e.Kind == nil {
			e.Kind = ErrValidation
		}
	case http.StatusConflict:
		if e.Kind == nil {
			e.Kind = ErrConflict
		}
	case http.StatusBadRequest:
		switch {
		case e.Kind != nil:
		case e.Code == codeNotUnique:
			e.Kind = ErrConflict
		case strings.HasPrefix(e.Message, submitFailed):
			// The submission runs in one transaction that is rolled back
			// on failure (ClientOperationServiceImpl.java:231-238), so no
			// certificate was created.
			e.Kind, e.Hint = ErrConnector, hintSubmit
		case strings.Contains(e.Message, connectorRelated):
			e.Kind, e.Hint = ErrConnector, hintConnector
		}
	case http.StatusBadGateway, http.StatusServiceUnavailable:
		if e.Kind == nil && e.Message != "" {
			// Core's own connector errors carry a message; a proxy's 502
			// page does not.
			e.Kind = ErrConnector
			e.Hint = hintConnector
		}
	case http.StatusUnauthorized:
		e.Hint = hintUnauthorized
	case http.StatusNotFound:
		if e.Message == "" {
			e.Hint = hint404API
		}
	}
}

// errPagingMismatch is the shared pager's sentinel, behind a function so
// that go doc shows no internal package.
func errPagingMismatch() error { return pager.ErrPagingMismatch }

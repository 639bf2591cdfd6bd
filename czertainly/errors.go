package czertainly

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/certadmin/certadmin-go/internal/apierror"
)

// Sentinels for errors.Is that only this package has. An *Error matches
// one of them as its Kind.
var (
	// ErrValidation: Core refused the request as invalid (422, with the
	// list of problems in Error.Details), e.g. an operation on a
	// certificate in the wrong state.
	ErrValidation = errors.New("request refused by validation (422)")
	// ErrConflict: the object already exists (409).
	ErrConflict = errors.New("object already exists (409)")
	// ErrConnector: the authority's connector failed or could not be
	// reached (502, 503 from an operation that calls a connector).
	ErrConnector = errors.New("connector failed")
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

// Hints for statuses Core gives for a known cause.
const (
	hintUnauthorized = "Core answers 401 when no credentials reached it or they were not accepted: check the client certificate (mutual TLS to the ingress, or WithCertificateHeader behind your own proxy) or the bearer token"
	hintConnector    = "the authority's connector failed or could not be reached; the operation may be retried once the connector is back"
	hint404API       = "a 404 on every call means the URL is not a 2.x Core API: the platform serves it under /api (the 1.x Administrator API was removed in 2.0.0)"
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

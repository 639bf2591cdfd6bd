package enterpriseadmin

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/certadmin/certadmin-go/internal/apierror"
	"github.com/certadmin/certadmin-go/internal/transport"
)

// envelope holds both error shapes of the API:
//
//	{"error":{"code":498,"message":"Invalid token.","details":[…]}}
//	{"status":"error","messages":["Token Expired."],"code":498}
//
// Codes are numbers in every documented sample; a string is accepted too.
type envelope struct {
	Error *struct {
		Code        json.RawMessage `json:"code"`
		MessageCode string          `json:"messageCode"`
		Message     string          `json:"message"`
		Details     []string        `json:"details"`
	} `json:"error"`
	Status   string          `json:"status"`
	Messages []string        `json:"messages"`
	Code     json.RawMessage `json:"code"`
}

// vendorFault is what an error body says.
type vendorFault struct {
	code, messageKey, message string
	details                   []string
}

// parseFault reports the error in body, if it is one of the two error shapes.
func parseFault(body []byte) (vendorFault, bool) {
	body = bytes.TrimSpace(body)
	if len(body) == 0 || body[0] != '{' {
		return vendorFault{}, false
	}
	var env envelope
	if json.Unmarshal(body, &env) != nil {
		return vendorFault{}, false
	}
	switch {
	case env.Error != nil:
		return vendorFault{code: codeText(env.Error.Code), messageKey: env.Error.MessageCode, message: env.Error.Message, details: env.Error.Details}, true
	case env.Status == "error" || env.Status == "failed":
		f := vendorFault{code: codeText(env.Code)}
		if len(env.Messages) > 0 {
			f.message, f.details = env.Messages[0], env.Messages[1:]
		}
		return f, true
	}
	return vendorFault{}, false
}

func codeText(raw json.RawMessage) string {
	s := strings.TrimSpace(string(raw))
	if s == "null" {
		return ""
	}
	return strings.Trim(s, `"`)
}

// decodeError is the transport's ErrorDecoder for non-2xx answers (proxies
// and some servers send the same bodies with a 4xx/5xx status).
func decodeError(e *apierror.Error, body []byte) {
	if f, ok := parseFault(body); ok {
		e.Code, e.MessageKey, e.Message, e.Details = f.code, f.messageKey, f.message, f.details
		if e.Err == nil {
			e.Err = statusSentinel(f)
		}
	}
}

// bodyError returns the typed error for an error reported inside a 2xx body.
func bodyError(t *transport.Client, op string, resp *http.Response, body []byte) error {
	f, ok := parseFault(body)
	if !ok {
		return nil
	}
	e := t.VendorError(op, resp, body, f.code, f.message, f.details...)
	e.MessageKey = f.messageKey
	e.Err = statusSentinel(f)
	return e
}

// statusSentinel maps the HTTP-like codes the API puts in its bodies to the
// shared sentinels, so errors.Is(err, ErrNotFound) works although the HTTP
// status was 200.
func statusSentinel(f vendorFault) error {
	switch {
	case f.code == "401" || f.code == "498" || f.code == "499" || f.messageKey == "GWM_0003":
		return apierror.ErrUnauthorized
	case f.code == "403":
		return apierror.ErrForbidden
	case f.code == "404":
		return apierror.ErrNotFound
	}
	return nil
}

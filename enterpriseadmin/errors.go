package enterpriseadmin

import (
	"bytes"
	"encoding/json"

	"github.com/certadmin/certadmin-go/internal/apierror"
	"github.com/certadmin/certadmin-go/internal/transport"
)

// envelope holds both error shapes of the API:
//
//	{"error":{"code":498,"message":"Invalid token.","details":[…]}}
//	{"status":"error","messages":["Token Expired."],"code":498}
//
// Codes are numbers in every documented sample; a string is accepted too.
// Every member is kept raw and read leniently: a member of an unexpected
// type (details as one string, a numeric message) must not hide the error.
type envelope struct {
	Error    json.RawMessage `json:"error"`
	Status   json.RawMessage `json:"status"`
	Messages json.RawMessage `json:"messages"`
	Code     json.RawMessage `json:"code"`
}

// errorMember is the object of the {"error":…} shape.
type errorMember struct {
	Code        json.RawMessage `json:"code"`
	MessageCode json.RawMessage `json:"messageCode"`
	Message     json.RawMessage `json:"message"`
	Details     json.RawMessage `json:"details"`
}

// vendorFault is what an error body says.
type vendorFault struct {
	code, messageKey, message string
	details                   []string
}

// parseFault reports the error in body, if it is one of the two error
// shapes: an "error" member holding an object, or a "status" of "error" or
// "failed".
func parseFault(body []byte) (vendorFault, bool) {
	body = bytes.TrimSpace(body)
	if len(body) == 0 || body[0] != '{' {
		return vendorFault{}, false
	}
	// Both shapes spell "error" (the member or the status) or "failed";
	// without either word, and without escapes that could hide one, the
	// body is no error and is not decoded a second time.
	if !bytes.Contains(body, []byte("error")) && !bytes.Contains(body, []byte("failed")) && !bytes.Contains(body, []byte(`\u`)) {
		return vendorFault{}, false
	}
	var env envelope
	if json.Unmarshal(body, &env) != nil {
		return vendorFault{}, false
	}
	if e := bytes.TrimSpace(env.Error); len(e) > 0 && e[0] == '{' {
		var m errorMember
		if json.Unmarshal(e, &m) != nil {
			return vendorFault{}, true // cannot happen: an object decodes into raw members
		}
		return vendorFault{code: text(m.Code), messageKey: text(m.MessageCode), message: text(m.Message), details: texts(m.Details)}, true
	}
	var status string
	if json.Unmarshal(env.Status, &status) == nil && (status == "error" || status == "failed") {
		f := vendorFault{code: text(env.Code)}
		if msgs := texts(env.Messages); len(msgs) > 0 {
			f.message, f.details = msgs[0], msgs[1:]
		}
		return f, true
	}
	return vendorFault{}, false
}

// text reads a member as text: a string as its value, null or nothing as
// "", anything else (a number code, an object) as its JSON.
func text(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	raw = bytes.TrimSpace(raw)
	if string(raw) == "null" {
		return ""
	}
	return string(raw)
}

// texts reads a member that should be a list of strings: each element as
// text; a lone value other than null or "" is a list of one.
func texts(raw json.RawMessage) []string {
	var list []json.RawMessage
	if json.Unmarshal(raw, &list) != nil {
		if s := text(raw); s != "" {
			return []string{s}
		}
		return nil
	}
	out := make([]string, 0, len(list))
	for _, r := range list {
		out = append(out, text(r))
	}
	return out
}

// decodeError is the transport's DecodeError for non-2xx answers (proxies
// and some servers send the same bodies with a 4xx/5xx status).
func decodeError(e *apierror.Error, body []byte) {
	if f, ok := parseFault(body); ok {
		e.Code, e.MessageKey, e.Message, e.Details = f.code, f.messageKey, f.message, f.details
		if e.Err == nil {
			e.Err = statusSentinel(f)
		}
	}
}

// errorInBody is the transport's check of every JSON answer with a 2xx
// status for the two error shapes the API sends with HTTP 200.
func errorInBody(body []byte) *transport.BodyError {
	f, ok := parseFault(body)
	if !ok {
		return nil
	}
	return &transport.BodyError{Code: f.code, MessageKey: f.messageKey, Message: f.message, Details: f.details}
}

// annotate gives an error reported inside a body the sentinel its code
// stands for, so errors.Is(err, ErrNotFound) works although the HTTP
// status was 200.
func annotate(e *apierror.Error) {
	if e.Err == nil && (e.Code != "" || e.MessageKey != "") {
		e.Err = statusSentinel(vendorFault{code: e.Code, messageKey: e.MessageKey})
	}
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

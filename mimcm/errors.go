package mimcm

import (
	"encoding/json"
	"errors"
	"net/http"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/certadmin/certadmin-go/internal/apierror"
	"github.com/certadmin/certadmin-go/internal/transport"
)

// disabledHint explains the usual cause of a 404: the API is off by default.
const disabledHint = "the CM REST API answers 404 to every call while it is disabled: " +
	"set Clm.WebApi.Enabled to true in the CM web.config, and check the base URL"

// webAPIError is the error body ASP.NET Web API writes. The vendor's
// documentation does not describe the CM API's error body, so every field
// is optional.
type webAPIError struct {
	Message          string `json:"Message"`
	MessageDetail    string `json:"MessageDetail"`
	ExceptionMessage string `json:"ExceptionMessage"`
	ExceptionType    string `json:"ExceptionType"`
	// CorrelationID is read in case a server sends the ID in a field of its
	// own rather than in the message (encoding/json matches the name in any
	// letter case).
	CorrelationID string `json:"CorrelationId"`
}

// webAPIErrorMembers are the members ASP.NET Web API's error object
// (HttpError) may carry: the message, the details it adds when error
// details are on, and the model state of a refused request. An object made
// of these members only is an error, whatever the status it came with; no
// answer of the API has an item made of them (every item carries its own
// members: Uuid, Thumbprint, Name, ...).
var webAPIErrorMembers = []string{"Message", "MessageDetail", "ExceptionMessage", "ExceptionType", "StackTrace",
	"InnerException", "ModelState", "CorrelationId"}

// errorInBody is the transport's check of every JSON answer with a success
// status: Web API's error object there (a handler or a proxy that sent the
// error with 200) is the server's error, not an answer; read as a list it
// would be a list of one empty item. The object needs its Message, which
// Web API always writes.
func errorInBody(body []byte) *transport.BodyError {
	if answerByFirstMember(body) {
		return nil
	}
	members, ok := transport.OnlyMembers(body, webAPIErrorMembers...)
	if !ok {
		return nil
	}
	if _, ok := transport.MemberString(members, "message"); !ok {
		return nil
	}
	var e apierror.Error
	decodeError(&e, body)
	return &transport.BodyError{Code: e.Code, Message: e.Message, Details: e.Details}
}

// answerByFirstMember reports, without allocating, what OnlyMembers would
// conclude on most answers after building a decoder and reading two
// tokens: body is a JSON object whose first member's name is not among
// webAPIErrorMembers, so it is no error object. It says true only where
// that is certain: the name is printable ASCII without escapes (so its
// bytes are the name OnlyMembers compares), and a name outside the list
// makes OnlyMembers refuse the object whatever follows. Everything else
// (an escape, other bytes, an empty object, not an object at all) is left
// to OnlyMembers. errorInBody runs on every JSON answer.
func answerByFirstMember(body []byte) bool {
	i := skipSpace(body, 0)
	// OnlyMembers also skips a byte-order mark before the object.
	if len(body)-i >= 3 && body[i] == 0xef && body[i+1] == 0xbb && body[i+2] == 0xbf {
		i = skipSpace(body, i+3)
	}
	if i >= len(body) || body[i] != '{' {
		return false
	}
	i = skipSpace(body, i+1)
	if i >= len(body) || body[i] != '"' {
		return false
	}
	start := i + 1
	for i = start; i < len(body) && body[i] != '"'; i++ {
		if c := body[i]; c < 0x20 || c >= 0x7f || c == '\\' {
			return false
		}
	}
	if i >= len(body) {
		return false
	}
	name := body[start:i]
	for _, m := range webAPIErrorMembers {
		if asciiEqualFold(name, m) {
			return false
		}
	}
	return true
}

// skipSpace returns the index of the first byte at or after i that is not
// JSON white space (or white space OnlyMembers trims).
func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n') {
		i++
	}
	return i
}

// asciiEqualFold is strings.EqualFold for a name of printable ASCII.
func asciiEqualFold(name []byte, s string) bool {
	if len(name) != len(s) {
		return false
	}
	for i, c := range name {
		d := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if 'A' <= d && d <= 'Z' {
			d += 'a' - 'A'
		}
		if c != d {
			return false
		}
	}
	return true
}

// maxPlainText is the longest plain-text error body kept as the message.
const maxPlainText = 512

// decodeError fills e from an error body: a Web API error object, a JSON
// string, or short plain text. Where a 5xx answer carries a correlation ID
// outside the message (a field of its own, or plain text too long or too
// odd to keep), it is added to Details as "Correlation ID: …" so that
// CorrelationID finds it.
func decodeError(e *apierror.Error, body []byte) {
	var obj webAPIError
	var str string
	var extra string // where else a correlation ID may be
	switch {
	case json.Unmarshal(body, &obj) == nil:
		e.Message = obj.Message
		for _, d := range []string{obj.MessageDetail, obj.ExceptionMessage} {
			if d != "" && d != obj.Message {
				e.Details = append(e.Details, d)
			}
		}
		e.Code = obj.ExceptionType
		if id := strings.TrimSpace(obj.CorrelationID); id != "" {
			extra = "Correlation ID: " + id
		}
	case json.Unmarshal(body, &str) == nil:
		e.Message = str
	default:
		text := strings.TrimSpace(string(body))
		if len(text) <= maxPlainText && !strings.ContainsAny(text, "<{") {
			e.Message = text
		} else {
			extra = text
		}
	}
	if e.StatusCode >= 500 && extra != "" && correlationID(e) == "" {
		if id := labelledID(extra); id != "" {
			e.Details = append(e.Details, "Correlation ID: "+id)
		}
	}
}

// annotate adds advice to a failed call's error: for a 404, that the API
// may be disabled; for a 5xx, the correlation ID to look up. It runs after
// the transport has masked secrets in the message and details.
func annotate(e *apierror.Error) {
	if e.Hint != "" {
		return
	}
	switch {
	case e.StatusCode == http.StatusNotFound:
		e.Hint = disabledHint
	case e.StatusCode >= 500:
		if id := correlationID(e); id != "" {
			e.Hint = "the server logged the failure under correlation ID " + id + " (search the CM server's event log for it)"
		}
	}
}

// maxCorrelationID caps the correlation ID taken from a message.
const maxCorrelationID = 128

var (
	// correlationLabel is "correlation ID" in the spellings a message may
	// use ("Correlation ID:", "correlationId=", "correlation-id is"),
	// followed by the separator before the ID.
	correlationLabel = regexp.MustCompile(`(?i)correlation[ _-]?id(?:entifier)?\b[ \t]*(?:is\b)?[ \t"']*[:=#]?[ \t\r\n]*`)
	guidRE           = regexp.MustCompile(`(?i)\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b`)
)

// labelledID returns the ID printed after the first "correlation ID"
// label in text that has one, or "". The ID is the run of text up to the
// next white space, without the punctuation that ends a sentence or
// closes a bracket opened before the label, and without quotes around it;
// it is cut to maxCorrelationID bytes.
func labelledID(text string) string {
	for {
		loc := correlationLabel.FindStringIndex(text)
		if loc == nil {
			return ""
		}
		rest := text[loc[1]:]
		token := rest
		if i := strings.IndexFunc(rest, isSpace); i >= 0 {
			token = rest[:i]
		}
		if id := trimID(token); id != "" {
			return capID(id)
		}
		text = rest // a label with nothing after it: look for another
	}
}

func isSpace(r rune) bool { return r == ' ' || r == '\t' || r == '\r' || r == '\n' }

// trimID removes what surrounds an ID in a sentence: quotes, a trailing
// full stop or comma, and a closing bracket whose opening one is not part
// of the ID.
func trimID(s string) string {
	for {
		before := s
		s = strings.Trim(s, "\"'`")
		s = strings.TrimRight(s, ".,;:!?")
		for _, p := range [][2]string{{"(", ")"}, {"[", "]"}, {"{", "}"}, {"<", ">"}} {
			open, closing := strings.Count(s, p[0]), strings.Count(s, p[1])
			if strings.HasSuffix(s, p[1]) && closing > open {
				s = s[:len(s)-1]
			}
			if strings.HasPrefix(s, p[0]) && open > closing {
				s = s[1:]
			}
		}
		if s == before {
			return s
		}
	}
}

// capID cuts id before a byte that is not UTF-8 text and to
// maxCorrelationID bytes, without splitting a character.
func capID(id string) string {
	for i, r := range id {
		if r == utf8.RuneError && !strings.HasPrefix(id[i:], "\uFFFD") {
			id = id[:i]
			break
		}
	}
	if len(id) <= maxCorrelationID {
		return id
	}
	cut := maxCorrelationID
	for cut > 0 && !utf8.RuneStart(id[cut]) {
		cut--
	}
	return id[:cut]
}

// correlationID finds the correlation ID in the message and details of e:
// the text after a "correlation ID" label, else a GUID that stands alone
// in one of them (the server's wording is not documented).
func correlationID(e *apierror.Error) string {
	texts := append([]string{e.Message}, e.Details...)
	for _, t := range texts {
		if id := labelledID(t); id != "" {
			return id
		}
	}
	for _, t := range texts {
		if ids := guidRE.FindAllString(t, 2); len(ids) == 1 {
			return ids[0]
		}
	}
	return ""
}

// CorrelationID returns the correlation ID of a failed call's 5xx answer,
// or "" when err is no such error or the answer names no ID. MIM CM writes
// an unhandled exception to the server's event log under a correlation ID
// and puts the ID in the error message of its 500 answer; an administrator
// finds the failure's details by searching the event log for it.
//
// The ID is returned as the server printed it, whatever its form (a GUID,
// a GUID in braces, a trace identifier): the text after "Correlation ID"
// (any letter case, "CorrelationId", "correlation-id", with or without a
// colon) up to the next white space, without surrounding quotes or the
// sentence's closing punctuation, at most 128 bytes. Where the message has
// no such label but holds exactly one GUID, that GUID is taken.
func CorrelationID(err error) string {
	var e *apierror.Error
	if !errors.As(err, &e) || e.StatusCode < 500 {
		return ""
	}
	return correlationID(e)
}

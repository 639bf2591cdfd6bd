package mimcm

import (
	"encoding/json"
	"errors"
	"net/http"
	"regexp"
	"strings"

	"github.com/certadmin/certadmin-go/internal/apierror"
)

// disabledHint explains the usual cause of a 404: the API is off by default.
const disabledHint = "the CM REST API answers 404 to every call while it is disabled: " +
	"set Clm.WebApi.Enabled to true in the CM web.config, and check the base URL"

// webAPIError is the error body ASP.NET Web API writes. Microsoft does not
// document the CM API's error body, so every field is optional.
type webAPIError struct {
	Message          string `json:"Message"`
	MessageDetail    string `json:"MessageDetail"`
	ExceptionMessage string `json:"ExceptionMessage"`
	ExceptionType    string `json:"ExceptionType"`
}

// decodeError fills e from an error body: a Web API error object, a JSON
// string, or short plain text. A 500's correlation ID stays in Message and
// is pointed out in Hint.
func decodeError(e *apierror.Error, body []byte) {
	var obj webAPIError
	var str string
	switch {
	case json.Unmarshal(body, &obj) == nil:
		e.Message = obj.Message
		for _, d := range []string{obj.MessageDetail, obj.ExceptionMessage} {
			if d != "" && d != obj.Message {
				e.Details = append(e.Details, d)
			}
		}
		e.Code = obj.ExceptionType
	case json.Unmarshal(body, &str) == nil:
		e.Message = str
	default:
		if text := strings.TrimSpace(string(body)); len(text) <= 512 && !strings.ContainsAny(text, "<{") {
			e.Message = text
		}
	}
	if e.StatusCode >= 500 {
		if id := correlationID(e); id != "" {
			e.Hint = "the server logged the failure under correlation ID " + id
		}
	}
}

// annotate adds the hint for a 404 (API disabled) to a failed call's error.
func annotate(e *apierror.Error) {
	if e.StatusCode == http.StatusNotFound && e.Hint == "" {
		e.Hint = disabledHint
	}
}

var (
	correlationRE = regexp.MustCompile(`(?i)correlation\s*id\W{0,5}([0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12})`)
	guidRE        = regexp.MustCompile(`(?i)\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b`)
)

func correlationID(e *apierror.Error) string {
	texts := append([]string{e.Message}, e.Details...)
	for _, t := range texts {
		if m := correlationRE.FindStringSubmatch(t); m != nil {
			return m[1]
		}
	}
	// The wording of the message is not documented; a lone GUID in a 500's
	// message is taken as the correlation ID.
	for _, t := range texts {
		if ids := guidRE.FindAllString(t, 2); len(ids) == 1 {
			return ids[0]
		}
	}
	return ""
}

// CorrelationID returns the correlation ID a 500 answer carried, or "" when
// err is not such an error. Administrators find the failure in the CM
// server's event log under it.
func CorrelationID(err error) string {
	var e *apierror.Error
	if !errors.As(err, &e) || e.StatusCode < 500 {
		return ""
	}
	return correlationID(e)
}

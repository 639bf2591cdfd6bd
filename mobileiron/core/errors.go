package core

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/certadmin/certadmin-go/internal/apierror"
	"github.com/certadmin/certadmin-go/internal/poll"
	"github.com/certadmin/certadmin-go/mobileiron/core/internal/jsonfix"
)

// Error is the error of every failed call: match it with errors.As to read
// the status code, Core's message key and localized message.
type Error = apierror.Error

// Sentinels for errors.Is.
var (
	ErrUnauthorized       = apierror.ErrUnauthorized
	ErrForbidden          = apierror.ErrForbidden
	ErrNotFound           = apierror.ErrNotFound
	ErrRateLimited        = apierror.ErrRateLimited
	ErrServer             = apierror.ErrServer
	ErrHTMLResponse       = apierror.ErrHTMLResponse
	ErrUnexpectedResponse = apierror.ErrUnexpectedResponse
	ErrTruncated          = apierror.ErrTruncated
	ErrRetryAfterTooLong  = apierror.ErrRetryAfterTooLong
	ErrVendor             = apierror.ErrVendor
	ErrInvalidInput       = apierror.ErrInvalidInput

	// ErrExportFailed: the server reported that an export ended with
	// status "fail".
	ErrExportFailed = errors.New("export failed on the server")
	// ErrExportInProgress: an export was already running and the call was
	// told (FailIfExportRunning) not to wait for it.
	ErrExportInProgress = errors.New("an export is already in progress")
	// ErrExportTimeout: the export did not finish within WithExportTimeout.
	ErrExportTimeout = poll.ErrTimeout
	// ErrAPIVersionGone: Core answered 410 Gone, which it does for calls to
	// the retired V1 API.
	ErrAPIVersionGone = errors.New("API version retired (410)")
)

// hintGone is the advice attached to a 410 answer.
const hintGone = "Core answers 410 for the retired V1 API; use the v2 API (this package's methods, or paths under /api/v2)"

// wireMessage is one entry of Core's messages container.
type wireMessage struct {
	Type              string `json:"type"`
	MessageKey        string `json:"messageKey"`
	LocalizedMessage  string `json:"localizedMessage"`
	MessageParameters []any  `json:"messageParameters"`
}

// decodeError fills the vendor fields from Core's messages container. The
// error body of Core is not documented; it is assumed to be the same
// container the successes use, and anything else is left to the excerpt.
func decodeError(e *apierror.Error, body []byte) {
	var env struct {
		Messages []wireMessage `json:"messages"`
	}
	if jsonfix.Unmarshal(body, &env) != nil || len(env.Messages) == 0 {
		return
	}
	first := 0
	for i, m := range env.Messages {
		if strings.EqualFold(m.Type, "error") {
			first = i
			break
		}
	}
	e.MessageKey = env.Messages[first].MessageKey
	e.Message = env.Messages[first].LocalizedMessage
	for i, m := range env.Messages {
		if i != first && m.LocalizedMessage != "" {
			e.Details = append(e.Details, m.LocalizedMessage)
		}
	}
}

// annotate adds the advice for answers Core gives for a known cause.
func annotate(err error) error {
	var e *apierror.Error
	if errors.As(err, &e) && e.StatusCode == http.StatusGone {
		e.Hint = hintGone
		if e.Kind == nil {
			e.Kind = ErrAPIVersionGone
		}
	}
	return err
}

// decode checks resp, decodes its JSON body into out and turns an entry of
// type Error in the messages container of a 2xx answer into an error.
// Bodies shaped like the samples of Ivanti's documentation (non-breaking
// spaces as indentation, elided entries) decode too.
func (c *Client) decode(op string, resp *http.Response, err error, out any) error {
	body, err := c.t.JSONBody(op, resp, err, nil)
	if err != nil {
		return annotate(err)
	}
	if err := jsonfix.Unmarshal(body, out); err != nil {
		e := c.t.ResponseError(op, resp, body)
		e.Kind, e.Err = apierror.ErrUnexpectedResponse, fmt.Errorf("malformed JSON: %w", err)
		return e
	}
	var env struct {
		Messages []wireMessage `json:"messages"`
	}
	_ = jsonfix.Unmarshal(body, &env) // a mismatch here only means there are no messages to check
	for _, m := range env.Messages {
		if strings.EqualFold(m.Type, "error") {
			e := c.t.VendorError(op, resp, body, "", m.LocalizedMessage)
			e.MessageKey = apierror.Excerpt([]byte(m.MessageKey))
			return e
		}
	}
	return nil
}

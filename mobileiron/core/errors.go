package core

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/certadmin/certadmin-go/internal/apierror"
	"github.com/certadmin/certadmin-go/internal/poll"
	"github.com/certadmin/certadmin-go/internal/transport"
)

// Sentinels for errors.Is that only this package has.
var (
	// ErrExportFailed: the server reported that an export ended with
	// status "fail".
	ErrExportFailed = errors.New("export failed on the server")
	// ErrExportInProgress: an export was already running and the call was
	// told (FailIfExportRunning) not to wait for it.
	ErrExportInProgress = errors.New("an export is already in progress")
	// ErrExportTimeout: the export did not finish within WithWaitTimeout.
	ErrExportTimeout = errExportTimeout()
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
// container the successes use, and anything else (including JSON that does
// not parse strictly) is left to the excerpt.
func decodeError(e *apierror.Error, body []byte) {
	var env struct {
		Messages []wireMessage `json:"messages"`
	}
	if json.Unmarshal(body, &env) != nil || len(env.Messages) == 0 {
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
func annotate(e *apierror.Error) {
	if e.StatusCode == http.StatusGone {
		e.Hint = hintGone
		if e.Kind == nil {
			e.Kind = ErrAPIVersionGone
		}
	}
}

// errorInBody finds an entry of type Error in the messages container of a
// success answer.
func errorInBody(body []byte) *transport.BodyError {
	if !bytes.Contains(body, []byte(`"messages"`)) {
		return nil
	}
	var env struct {
		Messages []wireMessage `json:"messages"`
	}
	_ = json.Unmarshal(body, &env) // a body that does not parse has no messages to check; the decoder refuses it
	for _, m := range env.Messages {
		if strings.EqualFold(m.Type, "error") {
			return &transport.BodyError{MessageKey: m.MessageKey, Message: m.LocalizedMessage}
		}
	}
	return nil
}

// errExportTimeout is the shared poller's sentinel, behind a function so
// that go doc shows no internal package.
func errExportTimeout() error { return poll.ErrTimeout }

package cloud

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/certadmin/certadmin-go/internal/apierror"
	"github.com/certadmin/certadmin-go/internal/form"
	"github.com/certadmin/certadmin-go/internal/transport"
	"github.com/certadmin/certadmin-go/internal/workflow"
	"github.com/certadmin/certadmin-go/mobileiron/cloud/cloudapi"
)

//go:generate go run ../../internal/cmd/gensurface -kind client -workflow -pkg cloud -vendor "MobileIron Cloud" -o surface.gen.go
//go:generate go run ../../internal/cmd/genops -spec ../../openapi/mobileiron-cloud.yaml -pkg cloud -o operations.gen.go

// Client calls the MobileIron Cloud v1 user API of one tenant. It is safe
// for concurrent use.
type Client struct {
	t          *transport.Client
	raw        *cloudapi.Client
	server     string
	importWait workflow.Settings
}

// WithBasicAuth sets the Tenant Admin credentials, sent as HTTP basic
// authentication with every request (the API does not ask for them first).
func WithBasicAuth(user, password string) Option {
	return clientOption(transport.WithBasicAuth(user, password))
}

// settings are the options only this package has, kept beside the shared
// configuration (client-wide) or the call settings (one call).
type settings struct {
	clearUnshown []string // WithClearUnshown
}

// Default rhythm of ImportLDAPUser's status checks (WithPollInterval,
// WithWaitTimeout), the one the vendor's documentation suggests: the first
// check 15 s after the import request, then one every 15 s, giving up
// after 90 s.
const (
	DefaultPollInterval = 15 * time.Second
	DefaultWaitTimeout  = 90 * time.Second
)

var defaultWait = workflow.Settings{PollInterval: DefaultPollInterval, DelayFirst: true, WaitTimeout: DefaultWaitTimeout}

// WithPollInterval sets the wait before ImportLDAPUser's first status
// check and between checks (default DefaultPollInterval).
func WithPollInterval(d time.Duration) ClientOrCallOption {
	return workflowOption(workflow.PollInterval(d))
}

// WithWaitTimeout bounds ImportLDAPUser's wait, counted from the import
// request (default DefaultWaitTimeout; 0 leaves it to the context).
func WithWaitTimeout(d time.Duration) ClientOrCallOption {
	return workflowOption(workflow.WaitTimeout(d))
}

// WithProgress makes ImportLDAPUser call fn with every status it reads
// while the import runs.
func WithProgress(fn func(ImportStatus)) ClientOrCallOption {
	return workflowOption(workflow.Progress(fn))
}

// NewClient returns a client for the tenant at baseURL, an absolute
// http(s) URL such as "https://na1.mobileiron.com" (the /api/v1 paths are
// added per call; a URL that already holds /api/v1 is refused with
// ErrInvalidInput).
func NewClient(baseURL string, opts ...Option) (*Client, error) {
	const op = "cloud.NewClient"
	cfg := newConfig(opts)
	u, err := transport.CheckBaseURL(op, baseURL, cfg)
	if err != nil {
		return nil, err
	}
	// The calls add /api/v1: a base URL already ending in it would send
	// /api/v1/api/v1/... and get a bare 404.
	if err := transport.RefuseAPIPath(op, baseURL, u, "/api/v1"); err != nil {
		return nil, err
	}
	wait, err := workflow.ForClient(op, cfg, defaultWait)
	if err != nil {
		return nil, err
	}
	t, err := transport.New(cfg, transport.Rules{DecodeError: decodeError, ErrorInBody: errorInBody, Operations: operations})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	raw, err := cloudapi.NewClient(u.String(), cloudapi.WithHTTPClient(t.RawDoer()))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	return &Client{t: t, raw: raw, server: raw.Server, importWait: wait}, nil
}

// Raw returns the client generated from the OpenAPI document, for calls the
// methods of Client do not cover. Its requests get the client's
// credentials, retries (as the spec allows the operation: its x-repeat,
// else its method) and logging, but its answers are handed over unchecked;
// send requests through Do to get the HTML and error-in-body checks,
// redaction and typed errors.
func (c *Client) Raw() *cloudapi.Client { return c.raw }

// envelope is the {errors, result} wrapper of every answer. The errors
// member is checked by errorInBody before the result is decoded.
type envelope[T any] struct {
	Result T `json:"result"`
}

// result sends call and returns the result member of its answer.
func result[T any](c *Client, ctx context.Context, call transport.Call) (T, error) {
	var env envelope[T]
	err := c.t.JSON(ctx, call, &env)
	return env.Result, err
}

// action sends call through c.t.JSON (the transport checks the status,
// the body's size and shape and the errors member, then decodes it) and
// requires the answer's result to be 1, Cloud's mark of success.
func (c *Client) action(ctx context.Context, call transport.Call) error {
	n, err := result[*int64](c, ctx, call)
	if err != nil {
		return err
	}
	if n == nil || *n != 1 {
		got := "null"
		if n != nil {
			got = fmt.Sprint(*n)
		}
		return unexpected(call.Op, "result is "+got+", want 1")
	}
	return nil
}

// decodeError reads the errors envelope of a non-2xx answer.
func decodeError(e *apierror.Error, body []byte) {
	var env cloudapi.ErrorResponse
	if json.Unmarshal(body, &env) != nil || env.Errors == nil {
		return
	}
	e.Code, e.Message, e.Details = describe(env.Errors)
}

// errorInBody reports the errors envelope of a success answer: a non-null
// errors member is a failure whatever the status.
func errorInBody(body []byte) *transport.BodyError {
	var env struct {
		Errors json.RawMessage `json:"errors"`
	}
	if json.Unmarshal(body, &env) != nil || len(env.Errors) == 0 || string(env.Errors) == "null" {
		return nil
	}
	var errs cloudapi.Errors
	if json.Unmarshal(env.Errors, &errs) != nil {
		return &transport.BodyError{Message: "the errors member is set but is not the documented object"}
	}
	code, msg, details := describe(&errs)
	return &transport.BodyError{Code: code, Message: msg, Details: details}
}

// describe turns the errors member into a code, a message and the further
// messages: the first global error leads, then field errors.
func describe(errs *cloudapi.Errors) (code, message string, details []string) {
	var all [][2]string
	if errs.GlobalErrors != nil {
		for _, g := range *errs.GlobalErrors {
			all = append(all, [2]string{deref(g.Code), deref(g.Message)})
		}
	}
	if errs.FieldErrors != nil {
		for _, f := range *errs.FieldErrors {
			msg := deref(f.Message)
			if fld := deref(f.Field); fld != "" {
				msg = fld + ": " + msg
			}
			all = append(all, [2]string{deref(f.Code), msg})
		}
	}
	if len(all) == 0 {
		return "", "the errors member is set but lists no error", nil
	}
	for _, d := range all[1:] {
		details = append(details, strings.TrimPrefix(d[0]+": "+d[1], ": "))
	}
	return all[0][0], all[0][1], details
}

// formBody encodes v with the shared indexed form encoder.
func formBody(op string, v any) (*strings.Reader, error) {
	vals, err := form.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	return vals.Reader(), nil
}

func deref[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}

func ptr[T any](v T) *T { return &v }

// msTime converts nullable milliseconds since the epoch; null is the zero time.
func msTime(ms *int64) time.Time {
	if ms == nil {
		return time.Time{}
	}
	return epoch(*ms)
}

// unexpected is the error for a 2xx answer that does not say what the
// documentation promises (a null result, a non-numeric key). msg may quote
// the answer, so it is capped like every message taken from a body.
func unexpected(op, msg string) error {
	return &apierror.Error{Op: op, Kind: apierror.ErrUnexpectedResponse, Message: apierror.Excerpt([]byte(msg))}
}

func msDuration(ms int64) time.Duration { return time.Duration(ms) * time.Millisecond }

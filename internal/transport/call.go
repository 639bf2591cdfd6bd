package transport

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"time"

	"github.com/certadmin/certadmin-go/internal/apierror"
	"github.com/certadmin/certadmin-go/internal/redact"
)

// Repeat says whether a call may be sent again after it may have reached
// the server. It is a fact of the vendor's spec: genops reads it from each
// operation of openapi/<vendor>.yaml (its method, or x-repeat: never |
// read-only) into the vendor's Operations table, and the transport finds
// the operation of every request it sends there (Rules.Operations). The
// rules live in retry.go.
type Repeat uint8

const (
	// ByMethod repeats GET, HEAD, PUT, DELETE and OPTIONS and never
	// anything else (the default).
	ByMethod Repeat = iota
	// ReadOnly marks a POST that only reads (a search, a status check), so
	// it may be repeated like a GET.
	ReadOnly
	// Never marks a call that must not be repeated whatever its method:
	// creates, uploads, revokes, imports, token requests, a PUT that creates.
	// It is resent only when the connection was refused before it reached
	// the server.
	Never
)

// Call is one operation: the request a generated request builder made,
// with what the shared call path needs to send, check and decode it.
type Call struct {
	// Op names the operation in errors ("core.SearchCertificates").
	Op string
	// Request is the request to send (its context is replaced by the
	// call's). BuildErr is the request builder's error: when set, nothing
	// is sent and it is returned as an invalid-input error.
	Request  *http.Request
	BuildErr error
	// Secrets the request carries in its body (an account password, a
	// PKCS#12 password): masked wherever the server echoes them.
	Secrets []string
	// NoCredentials sends the call without the client's Authenticator: a
	// token request, which carries its own credentials in its body.
	NoCredentials bool
	// OK lists the statuses that mean success (default: any 2xx).
	OK []int
	// AnyContentType lets Stream copy a JSON answer too; by default a
	// download answered with JSON is the vendor's error, not the file.
	AnyContentType bool
	// Settings are the caller's per-call options (nil: none).
	Settings *CallSettings
}

// CallSettings are the per-call options a vendor package's CallOption
// values set.
type CallSettings struct {
	// Header is added to the request (after the client's headers, so it
	// replaces a client header of the same name).
	Header http.Header
	// Retry replaces the client's retry policy for this call.
	Retry *RetryPolicy
	// MaxAttempts, when positive, replaces the policy's MaxAttempts.
	MaxAttempts int
	// Secrets are masked like credentials in this call's errors and logs:
	// a workflow sets the secrets its calls carry or may see echoed (a
	// PFX password) on every call it makes.
	Secrets []string
	// Timeout replaces the client's per-attempt header timeout when
	// HasTimeout is set (then 0 disables it; without HasTimeout the
	// client's applies). A timeout other than the client's is bounded by a
	// timer per attempt, not by the client's headerWatch.
	Timeout    time.Duration
	HasTimeout bool

	ext map[reflect.Type]any
}

// CallExtension returns the vendor settings of type T kept in s, creating
// them on first use (see Extension).
func CallExtension[T any](s *CallSettings) *T {
	t := reflect.TypeFor[T]()
	if s.ext == nil {
		s.ext = map[reflect.Type]any{}
	}
	if v, ok := s.ext[t]; ok {
		return v.(*T)
	}
	v := new(T)
	s.ext[t] = v
	return v
}

// LookupCallExtension returns the vendor settings of type T in s, or nil
// when no option set them.
func LookupCallExtension[T any](s *CallSettings) *T {
	if s == nil || s.ext == nil {
		return nil
	}
	v, _ := s.ext[reflect.TypeFor[T]()].(*T)
	return v
}

// SetHeader adds a header to the call.
func (s *CallSettings) SetHeader(name, value string) {
	if s.Header == nil {
		s.Header = http.Header{}
	}
	s.Header.Add(name, value)
}

// policy is the retry policy of a call: the client's, replaced or changed
// by the call's options. ok is false when the call changes nothing.
func (s *CallSettings) policy(client RetryPolicy) (p RetryPolicy, ok bool) {
	if s == nil || (s.Retry == nil && s.MaxAttempts <= 0) {
		return client, false
	}
	p = client
	if s.Retry != nil {
		p = *s.Retry
	}
	if s.MaxAttempts > 0 {
		p.MaxAttempts = s.MaxAttempts
	}
	return p, true
}

// send runs call through the retry loop and returns the raw response.
func (c *Client) send(ctx context.Context, call *Call) (*http.Response, error) {
	if call.BuildErr != nil {
		return nil, &apierror.Error{Op: call.Op, Kind: apierror.ErrInvalidInput, Message: "build request: " + call.BuildErr.Error(), Err: call.BuildErr}
	}
	if call.Request == nil {
		return nil, apierror.Invalid(call.Op, "no request")
	}
	if ctx.Err() != nil {
		return nil, withOp(call.Op, apierror.WithCause(ctx, ctx.Err()))
	}
	if err := CheckCallSettings(call.Op, call.Settings); err != nil {
		return nil, err
	}
	if len(call.Secrets) > 0 {
		ctx = WithSecrets(ctx, call.Secrets...)
	}
	if s := call.Settings; s != nil && len(s.Secrets) > 0 {
		ctx = WithSecrets(ctx, s.Secrets...)
	}
	resp, err := c.do(ctx, call.Request, call)
	if err != nil {
		return nil, c.failed(call.Op, err)
	}
	return resp, nil
}

// JSON sends call, checks the answer and decodes its JSON body into dst
// (dst nil: the body is checked and discarded). A body that is HTML,
// empty, malformed, too large or carries the vendor's error envelope is a
// typed error.
func (c *Client) JSON(ctx context.Context, call Call, dst any) error {
	_, err := c.JSONBody(ctx, call, dst)
	return err
}

// JSONBody is JSON that also returns the raw body, for answers a wrapper
// reads twice (a list with fields kept raw).
func (c *Client) JSONBody(ctx context.Context, call Call, dst any) ([]byte, error) {
	resp, err := c.send(ctx, &call)
	if err != nil {
		return nil, err
	}
	body, err := c.readJSON(&call, resp, dst)
	if err != nil {
		return nil, c.failed(call.Op, err)
	}
	return body, nil
}

// NoContent sends call and checks its status; any body is read away (up
// to a small cap) and ignored unless it is an error.
func (c *Client) NoContent(ctx context.Context, call Call) error {
	resp, err := c.send(ctx, &call)
	if err != nil {
		return err
	}
	if err := c.checkBodyless(&call, resp); err != nil {
		return c.failed(call.Op, err)
	}
	return nil
}

// Stream sends call and copies the body to w without holding it in
// memory. A body shorter than its Content-Length, a dropped connection, an
// HTML page or a JSON error envelope in place of the file are typed
// errors; the bytes already written must then not be taken as the file.
func (c *Client) Stream(ctx context.Context, call Call, w io.Writer) (int64, error) {
	resp, err := c.send(ctx, &call)
	if err != nil {
		return 0, err
	}
	n, err := c.stream(&call, resp, w)
	if err != nil {
		return n, c.failed(call.Op, err)
	}
	return n, nil
}

// Decode sends call and hands the checked body to read, for wrappers that
// decode a large answer as a stream. The body read hands over is capped
// like a JSON answer (Config.MaxJSONBody, after decompression): a read
// past the cap fails with an ErrResponseTooLarge error, whatever the
// answer declared. read must not keep the reader; the body is closed when
// it returns. Rules.ErrorInBody is not called here: read must recognise
// the vendor's error inside a 200 itself (readPage in stream.go does).
func (c *Client) Decode(ctx context.Context, call Call, read func(resp *http.Response, body io.Reader) error) error {
	resp, err := c.send(ctx, &call)
	if err != nil {
		return err
	}
	resp, err = c.check(&call, resp)
	if err != nil {
		return c.failed(call.Op, err)
	}
	defer resp.Body.Close()
	body, err := sniffHTML(resp)
	if err != nil {
		return c.failed(call.Op, c.htmlError(&call, resp, err))
	}
	limit := c.cfg.maxJSONBody()
	if resp.ContentLength > limit {
		return c.failed(call.Op, c.tooLarge(&call, resp, nil, fmt.Errorf("body of %d bytes is larger than the %d-byte limit", resp.ContentLength, limit)))
	}
	body = &cappedReader{r: body, left: limit}
	if err := read(resp, body); err != nil {
		var ae *apierror.Error
		switch {
		case !errors.As(err, &ae):
			err = c.unexpected(&call, resp, nil, err)
		case ae.StatusCode == 0 && ae.Method == "":
			// The reader's verdict on the body: give it the answer's
			// context and mask what it quotes.
			ae.StatusCode = resp.StatusCode
			if resp.Request != nil {
				ae.Method, ae.URL = resp.Request.Method, redact.URL(resp.Request.URL)
			}
			c.redactError(ae, resp.Request, []byte(ae.Body))
		}
		return c.failed(call.Op, err)
	}
	return nil
}

// Do is the checked escape hatch vendor packages export as Client.Do: v
// nil checks the status only, an io.Writer receives the body as a stream,
// anything else is a pointer the JSON body is decoded into.
func (c *Client) Do(ctx context.Context, call Call, v any) error {
	if call.Request != nil {
		// The caller's request: attempts set headers on it, so send a copy.
		call.Request = call.Request.Clone(call.Request.Context())
	}
	switch dst := v.(type) {
	case nil:
		return c.NoContent(ctx, call)
	case io.Writer:
		// The caller asked for the bytes, whatever they are.
		call.AnyContentType = true
		_, err := c.Stream(ctx, call, dst)
		return err
	default:
		return c.JSON(ctx, call, dst)
	}
}

// failed names the operation on err and lets the vendor annotate it.
func (c *Client) failed(op string, err error) error {
	err = withOp(op, err)
	var ae *apierror.Error
	if c.rules.Annotate != nil && errors.As(err, &ae) {
		c.rules.Annotate(ae)
	}
	return err
}

// RawDoer is what the generated clients returned by the vendor packages'
// Raw methods send through: credentials, retries (as Rules.Operations
// allows the operation: its x-repeat, else its method), TLS and logging,
// but no answer checks (the generated client hands the caller the
// response as it came). Client.Do is the checked way.
func (c *Client) RawDoer() *RawDoer { return &RawDoer{c: c} }

// RawDoer sends a generated client's requests through the stack
// unchecked; see Client.RawDoer.
type RawDoer struct{ c *Client }

// Do sends a copy of req: attempts set headers on the request they send.
func (d *RawDoer) Do(req *http.Request) (*http.Response, error) {
	return d.c.do(req.Context(), req.Clone(req.Context()), &Call{Op: "raw"})
}

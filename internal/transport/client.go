package transport

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-retryablehttp"

	"github.com/certadmin/certadmin-go/internal/apierror"
	"github.com/certadmin/certadmin-go/internal/redact"
)

// Client is the shared HTTP stack: vendor clients send every call through
// its call path (JSON, NoContent, Stream, Decode, Do).
type Client struct {
	cfg   *Config
	rules Rules
	base  http.RoundTripper
	retry *retryablehttp.Client
	inner *http.Client
	// attempts is inner's round tripper.
	attempts *attemptTransport
}

// New builds a Client from cfg (see NewConfig) and the vendor's rules.
func New(cfg *Config, rules Rules) (*Client, error) {
	base, err := baseTransport(cfg)
	if err != nil {
		return nil, err
	}
	if cfg.Retry.MaxAttempts < 1 {
		cfg.Retry.MaxAttempts = 1
	}
	c := &Client{cfg: cfg, rules: rules, base: base}
	jar := cfg.CookieJar
	if jar == nil && cfg.HTTPClient != nil {
		jar = cfg.HTTPClient.Jar
	}
	c.attempts = newAttemptTransport(c, base)
	c.inner = &http.Client{
		Transport: c.attempts,
		Jar:       jar,
		// Credentials are added below the http.Client on every hop, so a
		// redirect to another host or scheme must not be followed.
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= 10 || req.URL.Host != via[0].URL.Host || req.URL.Scheme != via[0].URL.Scheme {
				return http.ErrUseLastResponse
			}
			return nil
		},
	}
	c.retry = c.retryClient(cfg.Retry)
	return c, nil
}

// Config returns the settings the client was built with.
func (c *Client) Config() *Config { return c.cfg }

// CloseIdleConnections closes the idle connections of the client's own
// pool (and of a caller's transport that supports it). Calls still in
// flight finish; later calls open new connections.
func (c *Client) CloseIdleConnections() {
	// Not through c.inner: retryablehttp closes the inner client's idle
	// connections after every failed call, which must stay a no-op.
	if ci, ok := c.base.(interface{ CloseIdleConnections() }); ok {
		ci.CloseIdleConnections()
	}
	if w := c.attempts.watch; w != nil {
		w.stopIdle()
	}
}

// callState travels in the request context through the retry loop. It is
// that context itself (the call's context, with Value answering stateKey),
// so carrying it costs no context.WithValue of its own.
type callState struct {
	context.Context
	repeatable bool
	// settings and noCredentials are the call's (Call.Settings,
	// Call.NoCredentials): copied, not a pointer to the Call, so the
	// caller's Call stays on its stack.
	settings      *CallSettings
	noCredentials bool
	// attempts counts round trips (a redirect hop is one), for the log.
	attempts atomic.Int32
	// cookie is the request's own Cookie header, restored before each
	// retry: http.Client adds the jar's cookies to the request it is
	// given, and attempts share one header map.
	cookie []string
	// tries counts the retry engine's attempts (judgeAttempt's calls).
	tries int
	// retryAfter is the last answer's Retry-After, parsed once per attempt.
	retryAfter    time.Duration
	hasRetryAfter bool
	// sentToken is the token a TokenAuth put on the last attempt;
	// renewed is set once a refusal of it has been answered with a new
	// token (a call renews its credential once). See authenticate.
	sentToken string
	renewed   bool
	// body is the first attempt's attemptBody, so a call answered at the
	// first attempt allocates none; a later attempt allocates its own, so
	// no body is ever reused (see attemptTransport.RoundTrip).
	body     attemptBody
	bodyUsed bool
	// attempt and attemptReq are the first attempt's context and request
	// under a header timeout; a later attempt allocates its own
	// (nextAttempt), since a late hook or goroutine of an earlier one may
	// still hold them.
	attempt     attemptCtx
	attemptReq  http.Request
	attemptUsed bool
	// rreq is the retry engine's request for a call without a body (a
	// GET), which needs no rewinding; see do.
	rreq retryablehttp.Request
}

// nextAttempt is the context and the request copy of the next attempt
// under a header timeout: the state's own for the first, new ones for each
// later attempt.
func (st *callState) nextAttempt() (*attemptCtx, *http.Request) {
	if !st.attemptUsed {
		st.attemptUsed = true
		return &st.attempt, &st.attemptReq
	}
	return new(attemptCtx), new(http.Request)
}

type stateKey struct{}

// Value answers stateKey with the state and anything else from the call's
// context.
func (st *callState) Value(key any) any {
	if key == (stateKey{}) {
		return st
	}
	return st.Context.Value(key)
}

// stateFrom returns the call's state. Every request do sends carries one;
// a request without it (none is sent that way) gets a fresh state whose
// repeatable is false, so it is never repeated.
func stateFrom(ctx context.Context) *callState {
	if st, ok := ctx.Value(stateKey{}).(*callState); ok {
		return st
	}
	return &callState{}
}

// do sends req with retries, auth and logging. Errors are *apierror.Error
// values with a redacted URL, wrapping the cause (context errors included).
//
// The path from here to the wire, in order:
//
//  1. rc.Do (go-retryablehttp) runs the attempts. Each attempt goes
//     through c.inner, an http.Client whose Transport is
//     attemptTransport.RoundTrip (below): headers, the Authenticator
//     (authenticate, auth.go), the header timeout (headerwatch.go), the base transport
//     (the wire), the debug log.
//  2. After each attempt the engine calls judgeAttempt (retry.go), which
//     asks the TokenAuth whether the server refused the token
//     (credentialRenewed) and decides with shouldRetry; retryWait says
//     how long to sleep.
//  3. The last answer comes back here unchecked, even when it is the
//     last of several 503s (errorHandler, retry.go, hands it back rather
//     than an error); the caller (JSON, NoContent, Stream, Decode)
//     checks and decodes it (response.go).
//
// What the attempts of one call share travels in st (callState), in the
// request context: the engine offers no other channel to its hooks.
func (c *Client) do(ctx context.Context, req *http.Request, call *Call) (*http.Response, error) {
	st := &callState{Context: ctx, repeatable: safeToRepeat(c.repeatOf(call, req), req.Method), settings: call.Settings, noCredentials: call.NoCredentials, cookie: req.Header["Cookie"]}
	// The call's state goes on the request in place, not on a copy:
	// the call path owns every request it sends (the escape hatches
	// clone a caller's first; see attemptTransport.RoundTrip), and the
	// copy WithContext makes stays on the stack.
	*req = *req.WithContext(st)
	rreq := &st.rreq
	if req.Body == nil || req.Body == http.NoBody {
		// Nothing to rewind between attempts: the engine's request is
		// the request itself (what FromRequest builds for a nil body),
		// kept in st instead of allocated.
		rreq.Request = req
	} else {
		var err error
		if rreq, err = retryablehttp.FromRequest(req); err != nil {
			return nil, c.transportError(req, err)
		}
	}
	rc := c.retry
	if p, changed := call.Settings.policy(c.cfg.Retry); changed {
		rc = c.retryClient(p)
	}
	resp, err := rc.Do(rreq)
	if err != nil {
		return nil, c.transportError(req, apierror.WithCause(ctx, err))
	}
	return resp, nil
}

// repeatOf is whether req may be sent again: the spec's answer for the
// operation it is (Rules.Operations: its method, or its x-repeat), by
// method when it matches none; the vendor's rule (Rules.Repeat) can only
// veto it, with Never.
func (c *Client) repeatOf(call *Call, req *http.Request) Repeat {
	if c.rules.Repeat != nil && c.rules.Repeat(req) == Never {
		return Never
	}
	if op, ok := c.operationOf(call, req); ok {
		return op.Repeat
	}
	return ByMethod
}

func (c *Client) transportError(req *http.Request, err error) error {
	var ae *apierror.Error
	if errors.As(err, &ae) {
		// An authenticator's or the retry rules' own typed error: hand it
		// back itself, not inside the HTTP client's *url.Error text.
		if ae.Method == "" {
			ae.Method, ae.URL = req.Method, redact.URL(req.URL)
		}
		return ae
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return &apierror.Error{Method: req.Method, URL: redact.URL(req.URL), Err: sanitizeErr(err, secretsOf(c.cfg.Auth, req))}
}

// sanitizeErr keeps err matchable (errors.Is/As) but masks secrets in its text.
func sanitizeErr(err error, secrets []string) error {
	msg := err.Error()
	if clean := redact.String(msg, secrets...); clean != msg {
		return &maskedError{msg: clean, err: err}
	}
	return err
}

type maskedError struct {
	msg string
	err error
}

func (m *maskedError) Error() string { return m.msg }
func (m *maskedError) Unwrap() error { return m.err }

// attemptTransport runs once per attempt, below the retry loop: auth,
// headers, the header timeout and the debug log.
type attemptTransport struct {
	c    *Client
	base http.RoundTripper
	// watch bounds the wait for headers of the attempts that use the
	// client's Timeout (nil when it is 0); see headerWatch.
	watch *headerWatch
	// traceConns: base is an *http.Transport (the SDK's own or a clone
	// of the caller's) or a ConnectionTracer, whose connections a client
	// trace reports, so the wait starts once the attempt has one
	// (attemptCtx.gotConn).
	traceConns bool
	userAgent  []string
}

// errAttemptTimeout is returned when a response's headers did not arrive
// within Config.Timeout.
var errAttemptTimeout = &timeoutError{}

type timeoutError struct{}

func (*timeoutError) Error() string   { return "no response within the per-request timeout" }
func (*timeoutError) Timeout() bool   { return true }
func (*timeoutError) Temporary() bool { return true }

type authError struct{ err error }

func (a *authError) Error() string { return "authentication: " + a.err.Error() }
func (a *authError) Unwrap() error { return a.err }

// RoundTrip sets the attempt's headers on req itself: the call path owns
// every request it sends (the escape hatches clone a caller's request
// first), attempts run one after another, and a previous attempt's
// headers were written before its answer came. Copying the request for
// each attempt cost a fifth of a small call's allocations.
func (t *attemptTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	cfg := t.c.cfg
	st := stateFrom(req.Context())
	attempt := st.attempts.Add(1)
	// The clock is read for the log only: a client without a logger
	// reads none.
	var start time.Time
	if cfg.Logger != nil {
		start = time.Now()
	}

	h := req.Header
	for k, vs := range cfg.Headers {
		h[k] = vs // shared, never written to
	}
	timeout, ownTimer := cfg.Timeout, false
	if s := st.settings; s != nil {
		for k, vs := range s.Header {
			h[k] = vs
		}
		if s.HasTimeout && s.Timeout != cfg.Timeout {
			timeout, ownTimer = s.Timeout, true
		}
	}
	if t.userAgent != nil {
		h["User-Agent"] = t.userAgent
	}
	if headerValue(h, "Accept-Encoding") == "" && headerValue(h, "Range") == "" && req.Method != http.MethodHead {
		h["Accept-Encoding"] = acceptGzipValue
	}
	if cfg.Auth != nil {
		// Also a call without the client's credentials carries its own
		// (a token request's password).
		if err := t.c.plainHTTPAllowed(req.URL); err != nil {
			return nil, err
		}
		if !st.noCredentials {
			authed, err := authenticate(cfg.Auth, req, st)
			if err != nil {
				return nil, &authError{err: err}
			}
			req = authed
		}
	}
	out := req
	var (
		timer *time.Timer
		actx  *attemptCtx
	)
	if timeout > 0 {
		var outReq *http.Request
		actx, outReq = st.nextAttempt()
		// The request's own context: the call's state, or what the
		// Authenticator made of it.
		parent := req.Context()
		switch {
		case ownTimer:
			// A call with a timeout of its own: a timer for this attempt.
			actx.start(parent, nil)
			timer = time.AfterFunc(timeout, actx.timerFired)
		case !t.traceConns:
			// A round tripper that is neither an *http.Transport nor a
			// ConnectionTracer reports no connections: the wait starts
			// now.
			actx.start(parent, t.watch)
			t.watch.join(&actx.watched, actx)
		default:
			actx.trace.GotConn = actx.gotConn
			if clientTraceKey != nil && httptrace.ContextClientTrace(parent) == nil {
				actx.traced = true // Value answers the trace's key
			} else {
				// The caller's context has a client trace of its own (or
				// the key is unknown): WithClientTrace runs both. It goes
				// below the attempt's context, so that net/http's still
				// registers through attemptCtx.AfterFunc.
				parent = httptrace.WithClientTrace(parent, &actx.trace)
			}
			actx.start(parent, t.watch)
		}
		// The copy WithContext makes stays on the stack; the attempt's
		// request is the state's (or a new one for a later attempt).
		*outReq = *req.WithContext(actx)
		out = outReq
		defer func() {
			if out == nil { // the attempt failed: nothing will read a body
				actx.end()
			}
		}()
	}
	resp, err := t.base.RoundTrip(out)
	timedOut := (timer != nil && !timer.Stop()) || (actx != nil && actx.watch != nil && t.watch.leave(&actx.watched))
	if timedOut {
		// A response that raced the timeout would fail mid-body.
		if resp != nil {
			_ = resp.Body.Close()
			resp = nil
		}
		err = errAttemptTimeout
	}
	if cfg.Logger != nil {
		t.log(out, resp, err, int(attempt), time.Since(start))
	}
	if err != nil {
		out = nil
		return nil, err
	}
	if rc, ok := cfg.Auth.(ResponseChecker); ok {
		if err := rc.CheckResponse(out, resp); err != nil {
			_ = resp.Body.Close()
			out = nil // the deferred clean-up ends the attempt's context
			return nil, &authError{err: err}
		}
	}
	body := &st.body
	if st.bodyUsed {
		body = new(attemptBody)
	}
	st.bodyUsed = true
	*body = attemptBody{ReadCloser: resp.Body, attempt: actx, call: st, want: resp.ContentLength}
	resp.Body = body
	inflate(resp, cfg.maxExpansion())
	return resp, nil
}

var acceptGzipValue = []string{"gzip"}

// headerValue is h.Get for a key already in canonical form (the
// constants of the call path). h.Get canonicalises its key on every call,
// the work this saves on every attempt; for a canonical key both find the
// same entry, and both miss a header stored under a non-canonical key.
func headerValue(h http.Header, canonicalKey string) string {
	if v := h[canonicalKey]; len(v) > 0 {
		return v[0]
	}
	return ""
}

func (t *attemptTransport) log(req *http.Request, resp *http.Response, err error, attempt int, d time.Duration) {
	l := t.c.cfg.Logger
	if l == nil || !l.Enabled(req.Context(), slog.LevelDebug) {
		return
	}
	attrs := []slog.Attr{
		slog.String("method", req.Method),
		slog.String("url", redact.URL(req.URL)),
		slog.Int("attempt", attempt),
		slog.Duration("duration", d),
		// Whether the call may be sent again (the spec's answer from
		// Rules.Operations, else the method, and the vendor's rule): the
		// fact the proof suite reads to tell reads from writes.
		slog.Bool("repeatable", stateFrom(req.Context()).repeatable),
	}
	if resp != nil {
		attrs = append(attrs, slog.Int("status", resp.StatusCode))
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", redact.String(err.Error(), secretsOf(t.c.cfg.Auth, req)...)))
	}
	l.LogAttrs(req.Context(), slog.LevelDebug, "certadmin http attempt", attrs...)
}

// attemptBody releases the attempt's context when the body is closed (it
// stops watching the call's context; the attempt's does not end) and turns
// a body that stops early into apierror.ErrTruncated.
type attemptBody struct {
	io.ReadCloser
	// attempt, when set, is the attempt's context: once the body is done
	// with, it stops watching the call's context (attemptCtx.release).
	attempt *attemptCtx
	// call is the call's context: a read that fails once it has ended
	// failed because the caller gave up, whatever cause it gave.
	call   context.Context
	want   int64
	got    int64
	failed bool // a read failed or the body ended: nothing to drain
}

func (b *attemptBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.got += int64(n)
	if err != nil {
		b.failed = true
	}
	if err != nil && err != io.EOF {
		if b.call != nil && b.call.Err() != nil {
			// The caller's context ended: its own error, with the
			// caller's cause, not the read's nor a truncated answer. The
			// read's says less: the attempt's context reports a passed
			// deadline as Canceled (attemptCtx), and net/http gives
			// the caller's cause over HTTP/1 but context.Canceled over
			// HTTP/2.
			return n, apierror.WithCause(b.call, b.call.Err())
		}
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return n, err
		}
		return n, &apierror.Error{Kind: apierror.ErrTruncated, Message: fmt.Sprintf("read %d of %s bytes", b.got, lengthText(b.want)), Err: err}
	}
	return n, err
}

func lengthText(n int64) string {
	if n < 0 {
		return "unknown"
	}
	return fmt.Sprint(n)
}

// drainLimit is how much of an unread body Close reads away so the
// connection can be reused: a decoder that stops at the closing brace leaves
// a newline or the end of a chunked body, and discarding the connection for
// that costs a new (TLS) handshake on the next call.
const drainLimit = 4 << 10

func (b *attemptBody) Close() error {
	if !b.failed {
		_, _ = io.CopyN(io.Discard, b.ReadCloser, drainLimit)
	}
	err := b.ReadCloser.Close()
	if b.attempt != nil {
		b.attempt.release()
	}
	return err
}

func newAttemptTransport(c *Client, base http.RoundTripper) *attemptTransport {
	t := &attemptTransport{c: c, base: base}
	if c.cfg.Timeout > 0 {
		t.watch = newHeaderWatch(c.cfg.Timeout)
		_, isHTTP := base.(*http.Transport)
		_, tracer := base.(ConnectionTracer)
		t.traceConns = isHTTP || tracer
	}
	if c.cfg.UserAgent != "" {
		t.userAgent = []string{c.cfg.UserAgent}
	}
	return t
}

// HTTPTransport returns a fresh *http.Transport as the SDK would send
// over for cfg: a clone of the caller's with the TLS defaults applied (one
// that turns verification off refused), or the SDK's pooled default. A
// vendor that runs its own connections (NTLM's handshake per connection)
// starts from it instead of rebuilding these rules. A caller's round
// tripper that is not an *http.Transport is an error.
func HTTPTransport(cfg *Config) (*http.Transport, error) {
	rt, err := baseTransport(cfg)
	if err != nil {
		return nil, err
	}
	ht, ok := rt.(*http.Transport)
	if !ok {
		return nil, errors.New("transport: the given round tripper is not an *http.Transport")
	}
	return ht, nil
}

// baseTransport is the caller's round tripper or a pooled default with
// verified TLS. A caller's *http.Transport is cloned and gets the SDK's TLS
// defaults (TLS 1.2 at least, verification on); one that turns
// verification off itself is refused, since only WithInsecureSkipVerify
// may do that. Any other round tripper owns its TLS.
func baseTransport(cfg *Config) (http.RoundTripper, error) {
	rt := cfg.Transport
	if rt == nil && cfg.HTTPClient != nil {
		rt = cfg.HTTPClient.Transport
	}
	tlsWanted := cfg.TLS.RootCAs != nil || len(cfg.TLS.Certificates) > 0 || cfg.TLS.InsecureSkipVerify
	if rt != nil {
		ht, ok := rt.(*http.Transport)
		if !ok {
			if tlsWanted {
				return nil, errors.New("transport: TLS options need an *http.Transport; configure TLS on the custom round tripper instead")
			}
			return rt, nil
		}
		if ht.TLSClientConfig != nil && ht.TLSClientConfig.InsecureSkipVerify && !cfg.TLS.InsecureSkipVerify {
			return nil, errors.New("transport: the given *http.Transport turns off certificate verification; use WithInsecureSkipVerify to say so explicitly")
		}
		ht = ht.Clone()
		ht.TLSClientConfig = tlsConfig(cfg.TLS, ht.TLSClientConfig)
		return ht, nil
	}
	dialer := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}
	return &http.Transport{
		Proxy:               http.ProxyFromEnvironment,
		DialContext:         dialer.DialContext,
		ForceAttemptHTTP2:   true,
		MaxIdleConns:        100,
		MaxIdleConnsPerHost: 64,
		// As many connections as stay idle: a burst of calls queues for a
		// connection instead of dialling ones the pool cannot keep.
		MaxConnsPerHost:       64,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
		TLSClientConfig:       tlsConfig(cfg.TLS, nil),
		// The attempt transport asks for gzip and inflates it, bounded.
		DisableCompression: true,
	}, nil
}

func tlsConfig(s TLSSettings, base *tls.Config) *tls.Config {
	var tc *tls.Config
	if base != nil {
		tc = base.Clone()
	} else {
		tc = &tls.Config{}
	}
	tc.MinVersion = max(s.MinVersion, tls.VersionTLS12, tc.MinVersion)
	if s.RootCAs != nil {
		tc.RootCAs = s.RootCAs
	}
	if len(s.Certificates) > 0 {
		tc.Certificates = append(tc.Certificates, s.Certificates...)
	}
	if s.InsecureSkipVerify {
		tc.InsecureSkipVerify = true // #nosec G402 -- only through WithInsecureSkipVerify
	}
	return tc
}

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
	"net/url"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-retryablehttp"

	"github.com/certadmin/certadmin-go/internal/apierror"
	"github.com/certadmin/certadmin-go/internal/redact"
)

// Client is the shared HTTP stack. It implements the HttpRequestDoer
// interface that oapi-codegen clients take.
type Client struct {
	cfg   *Config
	retry *retryablehttp.Client
	inner *http.Client
}

// New builds a Client from cfg (see NewConfig).
func New(cfg *Config) (*Client, error) {
	base, err := baseTransport(cfg)
	if err != nil {
		return nil, err
	}
	if cfg.Retry.MaxAttempts < 1 {
		cfg.Retry.MaxAttempts = 1
	}
	c := &Client{cfg: cfg}
	jar := cfg.CookieJar
	if jar == nil && cfg.HTTPClient != nil {
		jar = cfg.HTTPClient.Jar
	}
	c.inner = &http.Client{
		Transport: &attemptTransport{c: c, base: base},
		Jar:       jar,
		// Credentials are added below the http.Client on every hop, so a
		// redirect to another host must not be followed.
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= 10 || req.URL.Host != via[0].URL.Host || req.URL.Scheme != via[0].URL.Scheme {
				return http.ErrUseLastResponse
			}
			return nil
		},
	}
	c.retry = &retryablehttp.Client{
		HTTPClient:   c.inner,
		Logger:       nil, // the default logs full URLs to stderr; the attempt transport logs instead
		RetryWaitMin: cfg.Retry.BaseDelay,
		RetryWaitMax: cfg.Retry.MaxDelay,
		RetryMax:     cfg.Retry.MaxAttempts - 1,
		CheckRetry:   c.checkRetry,
		Backoff:      c.backoff,
		ErrorHandler: errorHandler,
	}
	return c, nil
}

// Config returns the settings the client was built with.
func (c *Client) Config() *Config { return c.cfg }

// HTTPClient returns a plain *http.Client whose every request goes through
// the SDK stack, for code that wants net/http's API.
func (c *Client) HTTPClient() *http.Client {
	return &http.Client{Transport: roundTripperFunc(c.Do)}
}

type roundTripperFunc func(*http.Request) (*http.Response, error)

func (f roundTripperFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// callState travels in the request context through the retry loop.
type callState struct {
	safe     bool
	attempts atomic.Int32
}

type stateKey struct{}

func stateFrom(ctx context.Context) *callState {
	if st, ok := ctx.Value(stateKey{}).(*callState); ok {
		return st
	}
	return &callState{}
}

// Do sends req with retries, auth and logging. Errors are *apierror.Error
// values with a redacted URL, wrapping the cause (context errors included).
func (c *Client) Do(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	st := &callState{safe: safeToRepeat(ctx, req.Method)}
	req = req.WithContext(context.WithValue(ctx, stateKey{}, st))
	rreq, err := retryablehttp.FromRequest(req)
	if err != nil {
		return nil, c.transportError(req, err)
	}
	resp, err := c.retry.Do(rreq)
	if err != nil {
		return nil, c.transportError(req, err)
	}
	return resp, nil
}

func (c *Client) transportError(req *http.Request, err error) error {
	var ae *apierror.Error
	if errors.As(err, &ae) {
		return err
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

// errorHandler replaces retryablehttp's default, which drops the last
// response: a retryable status that ran out of attempts is returned as a
// response so the vendor's error body can be decoded.
func errorHandler(resp *http.Response, err error, attempts int) (*http.Response, error) {
	if err == nil && resp != nil {
		return resp, nil
	}
	if resp != nil {
		_ = resp.Body.Close()
	}
	var ae *apierror.Error
	if errors.As(err, &ae) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return nil, err
	}
	if attempts > 1 {
		return nil, fmt.Errorf("giving up after %d attempts: %w", attempts, err)
	}
	return nil, err
}

// attemptTransport runs once per attempt, below the retry loop: auth,
// headers, the header timeout and the debug log.
type attemptTransport struct {
	c    *Client
	base http.RoundTripper
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

func (t *attemptTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	cfg := t.c.cfg
	st := stateFrom(req.Context())
	attempt := st.attempts.Add(1)
	start := time.Now()

	ctx, cancel := context.WithCancelCause(req.Context())
	out := req.Clone(ctx)
	for k, vs := range cfg.Headers {
		out.Header[k] = append([]string(nil), vs...)
	}
	if cfg.UserAgent != "" {
		out.Header.Set("User-Agent", cfg.UserAgent)
	}
	if cfg.Auth != nil {
		if err := cfg.Auth.Authenticate(out); err != nil {
			cancel(nil)
			return nil, &authError{err: err}
		}
	}
	var timer *time.Timer
	if cfg.Timeout > 0 {
		timer = time.AfterFunc(cfg.Timeout, func() { cancel(errAttemptTimeout) })
	}
	resp, err := t.base.RoundTrip(out)
	if timer != nil && !timer.Stop() {
		// The timeout fired; a response that raced it would fail mid-body.
		if resp != nil {
			_ = resp.Body.Close()
			resp = nil
		}
		err = errAttemptTimeout
	}
	t.log(out, resp, err, int(attempt), time.Since(start))
	if err != nil {
		cancel(nil)
		return nil, err
	}
	resp.Body = &attemptBody{ReadCloser: resp.Body, cancel: cancel, want: resp.ContentLength}
	return resp, nil
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
	}
	if resp != nil {
		attrs = append(attrs, slog.Int("status", resp.StatusCode))
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", redact.String(err.Error(), secretsOf(t.c.cfg.Auth, req)...)))
	}
	l.LogAttrs(req.Context(), slog.LevelDebug, "certadmin http attempt", attrs...)
}

// attemptBody ends the attempt's context when the body is closed and turns
// a body that stops early into apierror.ErrTruncated.
type attemptBody struct {
	io.ReadCloser
	cancel context.CancelCauseFunc
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
	b.cancel(nil)
	return err
}

// baseTransport is the caller's round tripper or a pooled default with verified TLS.
func baseTransport(cfg *Config) (http.RoundTripper, error) {
	rt := cfg.Transport
	if rt == nil && cfg.HTTPClient != nil {
		rt = cfg.HTTPClient.Transport
	}
	tlsWanted := cfg.TLS.RootCAs != nil || len(cfg.TLS.Certificates) > 0 || cfg.TLS.InsecureSkipVerify
	if rt != nil {
		if !tlsWanted {
			return rt, nil
		}
		ht, ok := rt.(*http.Transport)
		if !ok {
			return nil, errors.New("transport: TLS options need an *http.Transport; configure TLS on the custom round tripper instead")
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

package cloud

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/certadmin/certadmin-go/internal/apierror"
	"github.com/certadmin/certadmin-go/internal/form"
	"github.com/certadmin/certadmin-go/internal/transport"
	"github.com/certadmin/certadmin-go/mobileiron/cloud/cloudapi"
)

// Option configures a Client.
type Option = transport.Option

// RetryPolicy says when and how long to wait between attempts.
type RetryPolicy = transport.RetryPolicy

// Error is the error every call returns for a failed request; match it with
// errors.As. Code and Message hold the vendor's error code and text.
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
	// ErrVendor: the errors envelope reported a failure (Code holds its code).
	ErrVendor = apierror.ErrVendor
	// ErrInvalidInput: the input was rejected before anything was sent.
	ErrInvalidInput = apierror.ErrInvalidInput
)

// WithBasicAuth sets the Tenant Admin credentials, sent on every request.
func WithBasicAuth(user, password string) Option { return transport.WithBasicAuth(user, password) }

// WithHTTPClient uses hc's transport below the SDK's retry and auth layers
// (proxies, custom dialers).
func WithHTTPClient(hc *http.Client) Option { return transport.WithHTTPClient(hc) }

// WithLogger logs each HTTP attempt at debug level, with credentials masked.
func WithLogger(l *slog.Logger) Option { return transport.WithLogger(l) }

// WithRetry replaces the retry policy.
func WithRetry(p RetryPolicy) Option { return transport.WithRetry(p) }

// WithMaxAttempts sets how many attempts a retryable call gets (1 disables retries).
func WithMaxAttempts(n int) Option { return transport.WithMaxAttempts(n) }

// WithTimeout bounds each attempt until the response headers arrive.
func WithTimeout(d time.Duration) Option { return transport.WithTimeout(d) }

// WithRootCAs trusts pool instead of the system roots.
func WithRootCAs(pool *x509.CertPool) Option { return transport.WithRootCAs(pool) }

// WithInsecureSkipVerify turns off server certificate checks; for lab
// servers only, never in production.
func WithInsecureSkipVerify() Option { return transport.WithInsecureSkipVerify() }

// WithUserAgent replaces the User-Agent header.
func WithUserAgent(ua string) Option { return transport.WithUserAgent(ua) }

// settings are the options specific to this package.
type settings struct {
	importWait    ImportWait
	importWaitSet bool
}

// ImportWait is the rhythm of ImportLDAPUser's status checks.
type ImportWait struct {
	// InitialDelay before the first status check.
	InitialDelay time.Duration
	// Interval between later checks.
	Interval time.Duration
	// Timeout is the overall limit, counted from the import request.
	Timeout time.Duration
}

// DefaultImportWait is the seed's choreography: first check after 15 s,
// then every 15 s, giving up after 90 s.
var DefaultImportWait = ImportWait{InitialDelay: 15 * time.Second, Interval: 15 * time.Second, Timeout: 90 * time.Second}

// WithImportWait replaces DefaultImportWait for ImportLDAPUser.
func WithImportWait(w ImportWait) Option {
	return func(c *transport.Config) {
		s := transport.Extension[settings](c)
		s.importWait, s.importWaitSet = w, true
	}
}

// Client calls the MobileIron Cloud v1 user API. It is safe for concurrent use.
type Client struct {
	t          *transport.Client
	raw        *cloudapi.Client
	importWait ImportWait
}

// NewClient returns a client for the tenant at baseURL (e.g.
// https://na1.mobileiron.com).
func NewClient(baseURL string, opts ...Option) (*Client, error) {
	cfg := transport.NewConfig(opts...)
	cfg.DecodeError = decodeError
	t, err := transport.New(cfg)
	if err != nil {
		return nil, fmt.Errorf("cloud.NewClient: %w", err)
	}
	raw, err := cloudapi.NewClient(baseURL, cloudapi.WithHTTPClient(t))
	if err != nil {
		return nil, fmt.Errorf("cloud.NewClient: %w", err)
	}
	c := &Client{t: t, raw: raw, importWait: DefaultImportWait}
	if s := transport.Extension[settings](cfg); s.importWaitSet {
		c.importWait = s.importWait
	}
	return c, nil
}

// Raw returns the generated client, for calls this package does not wrap.
// It shares the SDK's transport (auth, retries, TLS).
func (c *Client) Raw() *cloudapi.Client { return c.raw }

// envelope is the {errors, result} wrapper of every answer.
type envelope[T any] struct {
	Errors *cloudapi.Errors `json:"errors"`
	Result T                `json:"result"`
}

// result decodes resp's envelope and returns its result; a non-null errors
// member is an error even with HTTP 200.
func result[T any](c *Client, op string, resp *http.Response, err error) (T, error) {
	var env envelope[T]
	body, err := c.t.JSONBody(op, resp, err, &env)
	if err != nil {
		return env.Result, err
	}
	if env.Errors != nil {
		code, msg, details := describe(env.Errors)
		return env.Result, c.t.VendorError(op, resp, body, code, msg, details...)
	}
	return env.Result, nil
}

// action decodes an answer whose result is 1 on success.
func (c *Client) action(op string, resp *http.Response, err error) error {
	n, err := result[*int64](c, op, resp, err)
	if err != nil {
		return err
	}
	if n == nil || *n != 1 {
		got := "null"
		if n != nil {
			got = fmt.Sprint(*n)
		}
		return unexpected(op, "result is "+got+", want 1")
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

// notRepeated marks calls that must not be sent twice (creates, invites,
// imports): they are POSTs, which the transport already never repeats once
// sent; the mark keeps that true should a method change.
func notRepeated(ctx context.Context) context.Context { return transport.NotIdempotent(ctx) }

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

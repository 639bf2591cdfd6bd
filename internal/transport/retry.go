package transport

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/certadmin/certadmin-go/internal/apierror"
	"github.com/certadmin/certadmin-go/internal/redact"
)

// RetryPolicy says when and how long to wait between attempts.
type RetryPolicy struct {
	// MaxAttempts counts the first attempt too; 1 disables retries. Default 4.
	MaxAttempts int
	// BaseDelay and MaxDelay bound the exponential backoff with full jitter.
	BaseDelay time.Duration
	MaxDelay  time.Duration
	// MaxRetryAfter caps a server's Retry-After; a longer request fails at
	// once with apierror.ErrRetryAfterTooLong instead of sleeping.
	MaxRetryAfter time.Duration
}

// DefaultRetryPolicy: 4 attempts, 200 ms doubling to 10 s, Retry-After up to 60 s.
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{MaxAttempts: 4, BaseDelay: 200 * time.Millisecond, MaxDelay: 10 * time.Second, MaxRetryAfter: 60 * time.Second}
}

type readOnlyKey struct{}

// ReadOnly marks ctx's calls as safe to repeat even though they use POST
// (searches, status checks, exports that only read). Wrappers mark them;
// everything else that is not GET, HEAD, PUT or DELETE is never retried once
// it may have reached the server.
func ReadOnly(ctx context.Context) context.Context {
	return context.WithValue(ctx, readOnlyKey{}, true)
}

type notIdempotentKey struct{}

// NotIdempotent marks ctx's calls as unsafe to repeat whatever their method
// (a PUT that creates, a DELETE of a one-shot job).
func NotIdempotent(ctx context.Context) context.Context {
	return context.WithValue(ctx, notIdempotentKey{}, true)
}

// safeToRepeat reports whether a request may be sent again after it may
// have reached the server.
func safeToRepeat(ctx context.Context, method string) bool {
	if v, _ := ctx.Value(notIdempotentKey{}).(bool); v {
		return false
	}
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete, http.MethodOptions:
		return true
	}
	v, _ := ctx.Value(readOnlyKey{}).(bool)
	return v
}

// neverSent reports whether err proves the request did not reach the server
// (no connection was made), so even a create may be tried again.
func neverSent(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return true
	}
	return errors.Is(err, syscall.ECONNREFUSED)
}

// permanent reports errors that a retry cannot fix: certificate and TLS
// handshake failures, an authenticator's own failure.
func permanent(err error) bool {
	var unknown x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var invalid x509.CertificateInvalidError
	var verify *tls.CertificateVerificationError
	var alert tls.AlertError
	var record tls.RecordHeaderError
	var authErr *authError
	// A TLS alert from the server (e.g. "certificate required" when no
	// client certificate was presented) arrives as a "remote error".
	var op *net.OpError
	remoteAlert := errors.As(err, &op) && op.Op == "remote error"
	return remoteAlert || errors.As(err, &unknown) || errors.As(err, &hostname) || errors.As(err, &invalid) ||
		errors.As(err, &verify) || errors.As(err, &alert) || errors.As(err, &record) || errors.As(err, &authErr)
}

// checkRetry is the CheckRetry of the retryablehttp client.
func (c *Client) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return false, ctxErr
	}
	st := stateFrom(ctx)
	if err != nil {
		if permanent(err) {
			return false, nil
		}
		if neverSent(err) {
			return true, nil
		}
		return st.safe, nil
	}
	if !st.safe {
		return false, nil
	}
	switch resp.StatusCode {
	case http.StatusTooManyRequests, http.StatusServiceUnavailable:
		if d, ok := parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok && d > c.cfg.Retry.MaxRetryAfter {
			return false, &apierror.Error{
				Method: resp.Request.Method, URL: redact.URL(resp.Request.URL), StatusCode: resp.StatusCode,
				Kind: apierror.ErrRetryAfterTooLong, RetryAfter: d,
			}
		}
		return true, nil
	case http.StatusBadGateway, http.StatusGatewayTimeout, http.StatusInternalServerError:
		return true, nil
	}
	return false, nil
}

// backoff honours Retry-After, else waits with exponential backoff and full jitter.
func (c *Client) backoff(_, _ time.Duration, attempt int, resp *http.Response) time.Duration {
	if resp != nil {
		if d, ok := parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
			return min(d, c.cfg.Retry.MaxRetryAfter)
		}
	}
	return jitterBackoff(c.cfg.Retry.BaseDelay, c.cfg.Retry.MaxDelay, attempt)
}

func jitterBackoff(base, maxDelay time.Duration, attempt int) time.Duration {
	if base <= 0 {
		return 0
	}
	ceiling := base
	for i := 0; i < attempt && ceiling < maxDelay; i++ {
		ceiling *= 2
	}
	ceiling = min(ceiling, maxDelay)
	if ceiling <= 0 {
		return 0
	}
	return rand.N(ceiling + 1)
}

// ParseRetryAfter reads a Retry-After value in seconds or HTTP-date form,
// relative to now. A date in the past means zero.
func ParseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	return parseRetryAfter(v, now)
}

func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		const maxSecs = int64(1<<63-1) / int64(time.Second)
		return time.Duration(min(secs, maxSecs)) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return max(t.Sub(now), 0), true
}

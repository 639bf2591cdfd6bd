package transport

// Every retry rule of the SDK is in this file: which calls may be repeated,
// which answers and errors are retried, how long to wait, Retry-After, and
// the one repeat after a server refused a token (re-authentication).
//
// go-retryablehttp runs the loop. After each attempt it calls CheckRetry
// (here: Client.judgeAttempt, which gathers the attempt's facts into an
// attemptOutcome and asks the plain function shouldRetry), then Backoff
// (here: retryWait) for how long to sleep. The two hooks share the facts
// of the last attempt through the call's callState, carried in the request
// context: that is the only channel the engine offers between them.

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/hashicorp/go-retryablehttp"

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
	// RetryableStatuses are the answers a repeatable call is retried on
	// (nil: DefaultRetryableStatuses).
	RetryableStatuses []int
}

// DefaultRetryableStatuses: rate limiting and the server errors a proxy or
// a restarting server gives.
var DefaultRetryableStatuses = []int{
	http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusBadGateway,
	http.StatusServiceUnavailable, http.StatusGatewayTimeout,
}

// DefaultRetryPolicy: 4 attempts, 200 ms doubling to 10 s, Retry-After up
// to 60 s, on DefaultRetryableStatuses.
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{MaxAttempts: 4, BaseDelay: 200 * time.Millisecond, MaxDelay: 10 * time.Second, MaxRetryAfter: 60 * time.Second}
}

func (p RetryPolicy) retryable(status int) bool {
	if p.RetryableStatuses == nil {
		return slices.Contains(DefaultRetryableStatuses, status)
	}
	return slices.Contains(p.RetryableStatuses, status)
}

// safeToRepeat reports whether a request may be sent again after it may
// have reached the server.
func safeToRepeat(r Repeat, method string) bool {
	switch r {
	case Never:
		return false
	case ReadOnly:
		return true
	}
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete, http.MethodOptions:
		return true
	}
	return false
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
// handshake failures, an authenticator's own failure, credentials refused
// over plain HTTP.
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
	return remoteAlert || errors.Is(err, ErrPlainHTTP) || errors.As(err, &unknown) || errors.As(err, &hostname) ||
		errors.As(err, &invalid) || errors.As(err, &verify) || errors.As(err, &alert) || errors.As(err, &record) ||
		errors.As(err, &authErr)
}

// retryClient is the retry loop for policy p. The client's default policy
// has one, built in New; a call with its own policy gets its own.
func (c *Client) retryClient(p RetryPolicy) *retryablehttp.Client {
	p.MaxAttempts = max(p.MaxAttempts, 1)
	return &retryablehttp.Client{
		HTTPClient:   c.inner,
		Logger:       nil, // the default logs full URLs to stderr; the attempt transport logs instead
		RetryWaitMin: p.BaseDelay,
		RetryWaitMax: p.MaxDelay,
		// retryablehttp counts retries, not attempts: RetryMax n allows
		// n+1 attempts, one more than the policy's. shouldRetry holds
		// every call to p.MaxAttempts attempts, counting the repeat after
		// a refused token like any attempt (a refusal at the first
		// attempt leaves MaxAttempts-2 ordinary retries), except that the
		// repeat goes even when the refusal came at the last attempt: the
		// spare is for that case.
		RetryMax: p.MaxAttempts,
		CheckRetry: func(ctx context.Context, resp *http.Response, err error) (bool, error) {
			return c.judgeAttempt(p, ctx, resp, err)
		},
		Backoff: func(_, _ time.Duration, attempt int, resp *http.Response) time.Duration {
			var st *callState
			if resp != nil && resp.Request != nil {
				st = stateFrom(resp.Request.Context())
			}
			return retryWait(p, attempt, st)
		},
		ErrorHandler: errorHandler,
		PrepareRetry: prepareRetry,
	}
}

// prepareRetry undoes what the previous attempt added to the shared
// header map that must not pile up: the jar's cookies.
func prepareRetry(req *http.Request) error {
	st := stateFrom(req.Context())
	if st.cookie == nil {
		req.Header.Del("Cookie")
	} else {
		req.Header["Cookie"] = st.cookie
	}
	return nil
}

// attemptOutcome is everything the retry rules look at after one attempt.
type attemptOutcome struct {
	attempt    int  // 1 for the first, counting a repeat after a refused token
	repeatable bool // the call may be sent again after it may have reached the server
	err        error
	resp       *http.Response // nil when err is set
	// retryAfter is resp's Retry-After, when it has one.
	retryAfter    time.Duration
	hasRetryAfter bool
	// renewed: the server refused the attempt's token and the
	// authenticator has a new one (see credentialRenewed).
	renewed bool
}

// judgeAttempt is the engine's CheckRetry: it gathers the attempt's facts,
// records them in the call's state for retryWait, and asks shouldRetry.
func (c *Client) judgeAttempt(p RetryPolicy, ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return false, ctxErr
	}
	st := stateFrom(ctx)
	st.tries++
	o := attemptOutcome{attempt: st.tries, repeatable: st.repeatable, err: err, resp: resp}
	if err == nil {
		if p.retryable(resp.StatusCode) {
			// Only an answer that may be retried is waited on (retryWait)
			// or refused for a too long wait (shouldRetry); the others,
			// a success first, need neither the header nor the clock.
			o.retryAfter, o.hasRetryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
		}
		o.renewed = c.cfg.Auth != nil && credentialRenewed(c.cfg.Auth, resp, st, &c.rules)
	}
	st.retryAfter, st.hasRetryAfter = o.retryAfter, o.hasRetryAfter
	if o.renewed {
		// The repeat goes at once, whatever Retry-After says.
		st.retryAfter, st.hasRetryAfter = 0, true
	}
	return shouldRetry(p, o)
}

// shouldRetry decides whether an attempt's outcome is tried again. A
// non-nil error ends the call with that error.
func shouldRetry(p RetryPolicy, o attemptOutcome) (bool, error) {
	if o.renewed {
		// The server refused the token, so it did not act on the
		// request: repeat it once with the new token, whatever its method.
		return true, nil
	}
	left := o.attempt < p.MaxAttempts // an attempt of the policy is left
	if o.err != nil {
		if permanent(o.err) {
			return false, nil
		}
		if neverSent(o.err) {
			return left, nil
		}
		// Anything else (a connection reset or closed mid-answer, an
		// attempt timeout) may have reached the server: only a call that
		// is safe to repeat goes again.
		return o.repeatable && left, nil
	}
	if !o.repeatable || !p.retryable(o.resp.StatusCode) {
		return false, nil
	}
	if o.hasRetryAfter && o.retryAfter > p.MaxRetryAfter {
		// Also on the last attempt: the caller learns how long the
		// server asked to wait.
		return false, &apierror.Error{
			Method: o.resp.Request.Method, URL: redact.URL(o.resp.Request.URL), StatusCode: o.resp.StatusCode,
			Kind: apierror.ErrRetryAfterTooLong, RetryAfter: o.retryAfter,
		}
	}
	return left, nil
}

// retryWait is the engine's Backoff: the Retry-After judgeAttempt recorded
// for the last answer (none after a refused token), else exponential
// backoff with full jitter. st is nil when the attempt got no answer.
func retryWait(p RetryPolicy, attempt int, st *callState) time.Duration {
	if st != nil && st.hasRetryAfter {
		return min(st.retryAfter, p.MaxRetryAfter)
	}
	return jitterBackoff(p.BaseDelay, p.MaxDelay, attempt)
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

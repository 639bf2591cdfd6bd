// Package apierror defines the one error type every certadmin-go client
// returns for a failed API call, and the sentinels callers match with
// errors.Is. Each vendor package declares its own Error type with the same
// fields (generated, so go doc shows them) that errors.As fills from this
// one, and re-exports the sentinels, so users never import this package.
package apierror

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"time"
)

// Sentinels for errors.Is. An *Error matches the sentinel that fits its
// status code (see Error.Is); the transport returns the others directly or
// wrapped.
var (
	ErrUnauthorized = errors.New("unauthorized (401)")
	ErrForbidden    = errors.New("forbidden (403)")
	ErrNotFound     = errors.New("not found (404)")
	ErrRateLimited  = errors.New("rate limited (429)")
	ErrServer       = errors.New("server error (5xx)")

	// ErrHTMLResponse: the server answered with an HTML page (a login page,
	// a proxy error) where the API promises JSON or CSV.
	ErrHTMLResponse = errors.New("server answered with an HTML page, not an API response")
	// ErrUnexpectedResponse: the body could not be decoded as the operation's
	// documented response (malformed or empty JSON, wrong content type).
	ErrUnexpectedResponse = errors.New("unexpected response")
	// ErrTruncated: a body ended before its declared length, or the
	// connection dropped mid-download.
	ErrTruncated = errors.New("response body truncated")
	// ErrRetryAfterTooLong: the server asked to wait longer than the
	// configured maximum; Error.RetryAfter holds the requested delay.
	ErrRetryAfterTooLong = errors.New("server asked to retry later than allowed")
	// ErrVendor: the server reported an error inside a successful (2xx)
	// response body.
	ErrVendor = errors.New("error reported in response body")
	// ErrInvalidInput: input was rejected locally; no request was sent.
	ErrInvalidInput = errors.New("invalid input")
	// ErrResponseTooLarge: an answer was larger than the client accepts
	// (a JSON body over the cap, a gzip body inflating too far).
	ErrResponseTooLarge = errors.New("response too large")
)

// MaxBodyExcerpt caps Error.Body, so a 2 MiB error page never ends up in
// a log line.
const MaxBodyExcerpt = 1024

// Error is a failed API call. Every field is safe to log: URLs and bodies
// are redacted before they are stored.
type Error struct {
	// Op is the SDK operation, e.g. "core.ExportCertificates".
	Op string
	// Method and URL of the request; the URL is redacted.
	Method string
	URL    string
	// StatusCode is the HTTP status (0 when no response arrived).
	StatusCode int
	// Code is the vendor's error code ("LDAP_USER_IMPORT-100", "498").
	Code string
	// MessageKey is the vendor's message key where it has one (MobileIron Core).
	MessageKey string
	// Message is the vendor's human-readable message.
	Message string
	// Details holds further vendor messages (field errors, 422 lists, details arrays).
	Details []string
	// Body is a redacted excerpt of the response body, at most MaxBodyExcerpt bytes.
	Body string
	// RetryAfter is the delay the server asked for, when it asked for one.
	RetryAfter time.Duration
	// Hint is advice the SDK adds for a known cause (e.g. "the API is disabled on the server").
	Hint string
	// Kind is a sentinel the error also matches (ErrHTMLResponse, ErrVendor, …), beside the status sentinel.
	Kind error
	// Err is an underlying cause (a decode error, a network error), if any.
	Err error
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.Op != "" {
		b.WriteString(e.Op)
		b.WriteString(": ")
	}
	if e.Method != "" {
		fmt.Fprintf(&b, "%s %s: ", e.Method, e.URL)
	}
	switch {
	case e.StatusCode != 0:
		fmt.Fprintf(&b, "%d %s", e.StatusCode, http.StatusText(e.StatusCode))
	case e.Kind != nil:
		b.WriteString(e.Kind.Error())
	default:
		b.WriteString("request failed")
	}
	if e.StatusCode != 0 && e.Kind != nil {
		fmt.Fprintf(&b, ": %v", e.Kind)
	}
	if e.Code != "" {
		fmt.Fprintf(&b, " [code %s]", e.Code)
	}
	if e.MessageKey != "" {
		fmt.Fprintf(&b, " [%s]", e.MessageKey)
	}
	if e.Message != "" {
		fmt.Fprintf(&b, ": %s", e.Message)
	}
	if len(e.Details) > 0 {
		fmt.Fprintf(&b, " (%s)", strings.Join(e.Details, "; "))
	}
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, " (retry after %s)", e.RetryAfter)
	}
	if e.Hint != "" {
		fmt.Fprintf(&b, "; %s", e.Hint)
	}
	if e.Err != nil {
		fmt.Fprintf(&b, ": %v", e.Err)
	}
	return b.String()
}

// Unwrap exposes the underlying cause.
func (e *Error) Unwrap() error { return e.Err }

// views convert an *Error to a vendor package's own error type (core.Error,
// …), which has the same fields; see RegisterView.
var views []view

type view struct {
	pkg     string
	convert func(target any, e *Error) bool
}

// RegisterView lets errors.As fill a vendor package's error type from an
// *Error. Vendor packages call it from init (generated code), so users match
// *core.Error while the shared stack builds one type. pkg is the package
// name, which is also the prefix of its operations' names ("core" for
// "core.ExportCertificates"): a view fills only errors of its own package's
// operations, so errors.As(err, &mimcmErr) fails for an error of the Cloud
// client.
func RegisterView(pkg string, convert func(target any, e *Error) bool) {
	views = append(views, view{pkg, convert})
}

// As lets errors.As match the registered error type of the vendor package
// whose operation failed (see RegisterView). An error without an
// operation name belongs to no package and matches every vendor's type.
func (e *Error) As(target any) bool {
	pkg, _, named := strings.Cut(e.Op, ".")
	for _, v := range views {
		if named && v.pkg != pkg {
			continue
		}
		if v.convert(target, e) {
			return true
		}
	}
	return false
}

// Is matches the sentinel for the status code and the error's Kind.
func (e *Error) Is(target error) bool {
	if e.Kind != nil && target == e.Kind {
		return true
	}
	switch target {
	case ErrUnauthorized:
		return e.StatusCode == http.StatusUnauthorized
	case ErrForbidden:
		return e.StatusCode == http.StatusForbidden
	case ErrNotFound:
		return e.StatusCode == http.StatusNotFound
	case ErrRateLimited:
		return e.StatusCode == http.StatusTooManyRequests
	case ErrServer:
		return e.StatusCode >= 500 && e.StatusCode <= 599
	}
	return false
}

// Invalid returns an ErrInvalidInput error for op; it is returned before any
// request is sent.
func Invalid(op, format string, args ...any) error {
	return &Error{Op: op, Kind: ErrInvalidInput, Message: fmt.Sprintf(format, args...)}
}

// TruncationMark ends an excerpt that was cut.
const TruncationMark = "…[truncated]"

// Excerpt trims b to MaxBodyExcerpt bytes, marking the cut.
func Excerpt(b []byte) string {
	if len(b) <= MaxBodyExcerpt {
		return string(b)
	}
	return string(b[:MaxBodyExcerpt]) + TruncationMark
}

// WithCause adds to err, the failure of work whose context may have
// ended, the cause the caller gave for ending it
// (context.WithCancelCause, WithTimeoutCause): the retry engine, net/http
// and a wait report only context.Canceled or DeadlineExceeded, and a
// caller who named a cause looks for it with errors.Is. err keeps
// matching what it matched; its text ends with the cause's. err is
// returned as it is when ctx has not ended, has no cause of its own, or
// err already carries it.
//
// The cause matches by identity only (errors.Is(err, cause)): the rest of
// its chain stays out of errors.As and of the SDK's sentinels. A group
// cancelled with its first failure (errgroup.WithContext) hands another
// call's *Error as the cause; reached through the chain, it would read as
// this call's own answer (a 500 where the call was never sent), and the
// call path would stamp this call's operation into the caller's value.
// context.Cause(ctx) gives the cause whole.
func WithCause(ctx context.Context, err error) error {
	ctxErr := ctx.Err()
	if ctxErr == nil {
		return err
	}
	cause := context.Cause(ctx)
	if cause == nil || cause == ctxErr || errors.Is(err, cause) { //nolint:errorlint // without a cause of its own, Cause is the very Err
		return err
	}
	return &causedError{err: err, cause: cause}
}

// causedError is err with the caller's cause for ending its context (see
// WithCause).
type causedError struct{ err, cause error }

func (e *causedError) Error() string { return e.err.Error() + ": " + e.cause.Error() }
func (e *causedError) Unwrap() error { return e.err }

// Is matches the cause itself, nothing it wraps. A target of a type that
// cannot be compared is never the cause (comparing it would panic).
func (e *causedError) Is(target error) bool {
	return target != nil && reflect.TypeOf(target).Comparable() && target == e.cause //nolint:errorlint // identity is the point
}

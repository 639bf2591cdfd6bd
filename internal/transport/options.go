package transport

import (
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/certadmin/certadmin-go/internal/apierror"
)

// An option cannot return an error, so one given something it cannot use
// (a nil TokenSource, a nil *http.Client) records the problem with Refuse,
// and CheckOptions, which CheckBaseURL runs first in every vendor's
// NewClient, turns it into an ErrInvalidInput error. A client is either
// built with every option usable or not built at all: no option is
// discovered broken by the first call (a panic) or by every call.

// refusals are the problems options recorded in a Config.
type refusals struct{ msgs []string }

// Refuse records that an option of c was given something it cannot use;
// the client's NewClient then fails with ErrInvalidInput and this message
// (which names the option, e.g. "WithTokenSource: nil TokenSource").
func Refuse(c *Config, format string, args ...any) {
	r := Extension[refusals](c)
	r.msgs = append(r.msgs, fmt.Sprintf(format, args...))
}

// RefuseCall records that a per-call option was given something it cannot
// use; the call then fails with ErrInvalidInput before anything is sent.
func RefuseCall(s *CallSettings, format string, args ...any) {
	r := CallExtension[refusals](s)
	r.msgs = append(r.msgs, fmt.Sprintf(format, args...))
}

// CallMaxAttempts is WithMaxAttempts for one call; n below 1 is refused.
func CallMaxAttempts(n int) func(*CallSettings) {
	return func(s *CallSettings) {
		if n < 1 {
			RefuseCall(s, "WithMaxAttempts: %d attempts (1 disables retries)", n)
			return
		}
		s.MaxAttempts = n
	}
}

// ErrSignInGivenTwice is wrapped by the ErrInvalidInput error of a client
// given two sign-in options (a fake's NewClient then drops its own).
var ErrSignInGivenTwice = errors.New("two sign-in options given; choose one")

// signIn names the sign-in options given to one client, in order.
type signIn struct{ options []string }

// SetAuth installs the Authenticator of a sign-in option (WithBasicAuth,
// WithToken, a vendor's own). A second sign-in option makes NewClient fail
// with ErrInvalidInput: which of the two the caller meant would be a
// guess, and the later one silently winning hides a mistake. A nil a is
// refused too.
func SetAuth(c *Config, option string, a Authenticator) {
	s := Extension[signIn](c)
	s.options = append(s.options, option)
	if IsNil(a) {
		Refuse(c, "%s: nothing to sign in with", option)
	}
	c.Auth = a
}

// CheckOptions reports the first option of cfg that cannot be used: one
// that recorded a refusal, or a common option out of range (a negative
// duration or attempt count, a status that is no HTTP status, a header
// name that is not one, a client certificate without its certificate).
func CheckOptions(op string, cfg *Config) error {
	if r := Extension[refusals](cfg); len(r.msgs) > 0 {
		return apierror.Invalid(op, "%s", r.msgs[0])
	}
	if s := Extension[signIn](cfg); len(s.options) > 1 {
		return &apierror.Error{Op: op, Kind: apierror.ErrInvalidInput, Message: s.options[0] + " and " + s.options[1], Err: ErrSignInGivenTwice}
	}
	if cfg.HTTPClient != nil && cfg.Transport != nil {
		return apierror.Invalid(op, "WithHTTPClient and WithTransport both given: each sets the round tripper beneath the SDK; choose one")
	}
	if msg := checkPolicy(cfg.Retry); msg != "" {
		return apierror.Invalid(op, "WithRetry/WithMaxAttempts: %s", msg)
	}
	if cfg.Timeout < 0 {
		return apierror.Invalid(op, "WithTimeout: %v is negative (0 disables the timeout)", cfg.Timeout)
	}
	for name := range cfg.Headers {
		if !validHeaderName(name) {
			return apierror.Invalid(op, "WithHeader: %q is not a header name", name)
		}
	}
	for i, cert := range cfg.TLS.Certificates {
		if len(cert.Certificate) == 0 || cert.PrivateKey == nil {
			return apierror.Invalid(op, "WithClientCertificate: certificate %d has no certificate or no private key", i+1)
		}
	}
	if cfg.MaxJSONBody < 0 || cfg.MaxExpansion < 0 {
		return apierror.Invalid(op, "negative response size limit")
	}
	return nil
}

// CheckCallSettings checks the per-call options of one call, as
// CheckOptions checks the client's; the call is refused before anything
// is sent.
func CheckCallSettings(op string, s *CallSettings) error {
	if s == nil {
		return nil
	}
	if s.Retry != nil {
		if msg := checkPolicy(*s.Retry); msg != "" {
			return apierror.Invalid(op, "WithRetry: %s", msg)
		}
	}
	if r := LookupCallExtension[refusals](s); r != nil && len(r.msgs) > 0 {
		return apierror.Invalid(op, "%s", r.msgs[0])
	}
	if s.MaxAttempts < 0 {
		return apierror.Invalid(op, "WithMaxAttempts: %d is negative", s.MaxAttempts)
	}
	if s.HasTimeout && s.Timeout < 0 {
		return apierror.Invalid(op, "WithTimeout: %v is negative (0 disables the timeout)", s.Timeout)
	}
	for name := range s.Header {
		if !validHeaderName(name) {
			return apierror.Invalid(op, "WithHeader: %q is not a header name", name)
		}
	}
	return nil
}

// checkPolicy says what is wrong with p, or "". MaxAttempts 0 is taken as
// 1, as it always was.
func checkPolicy(p RetryPolicy) string {
	switch {
	case p.MaxAttempts < 0:
		return fmt.Sprintf("MaxAttempts %d is negative", p.MaxAttempts)
	case p.BaseDelay < 0, p.MaxDelay < 0, p.MaxRetryAfter < 0:
		return fmt.Sprintf("negative delay (BaseDelay %v, MaxDelay %v, MaxRetryAfter %v)", p.BaseDelay, p.MaxDelay, p.MaxRetryAfter)
	}
	for _, s := range p.RetryableStatuses {
		if s < 100 || s > 599 {
			return fmt.Sprintf("RetryableStatuses holds %d, which is no HTTP status", s)
		}
	}
	return ""
}

// validHeaderName reports whether name is an HTTP field name (an RFC 9110
// token).
func validHeaderName(name string) bool {
	if name == "" {
		return false
	}
	for _, r := range name {
		alnum := r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
		if !alnum && !strings.ContainsRune("!#$%&'*+-.^_`|~", r) {
			return false
		}
	}
	return true
}

// IsNil reports whether v is nil, also a nil pointer, func, map, slice,
// channel or interface held in an interface value (an option given a
// (*http.Transport)(nil) cannot use it any more than a nil).
func IsNil(v any) bool {
	if v == nil {
		return true
	}
	switch rv := reflect.ValueOf(v); rv.Kind() {
	case reflect.Pointer, reflect.Func, reflect.Map, reflect.Interface, reflect.Slice, reflect.Chan, reflect.UnsafePointer:
		return rv.IsNil()
	}
	return false
}

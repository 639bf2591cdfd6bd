package transport

import (
	"context"
	"encoding/base64"
	"net/http"
	"slices"
	"sync"
	"time"
)

// Authenticator adds credentials to one attempt of a request. The transport
// calls it below the retry loop, so every attempt (and a refreshed token)
// carries current credentials. req is a clone private to the attempt.
type Authenticator interface {
	Authenticate(req *http.Request) error
}

// SecretHolder is implemented by authenticators that know their secrets, so
// the transport can mask them wherever a server echoes them back.
type SecretHolder interface {
	Secrets() []string
}

// ResponseChecker is implemented by authenticators that verify the
// server's answer to an attempt (Kerberos mutual authentication). The
// transport calls it for every answer; an error fails the attempt, as
// an Authenticate error does, and is not retried.
type ResponseChecker interface {
	CheckResponse(req *http.Request, resp *http.Response) error
}

// AuthenticatorFunc adapts a function to Authenticator.
type AuthenticatorFunc func(req *http.Request) error

// Authenticate calls f.
func (f AuthenticatorFunc) Authenticate(req *http.Request) error { return f(req) }

type basicAuth struct {
	header   string
	value    []string // shared by every request, never written to
	password string
}

// BasicAuth is preemptive HTTP basic authentication.
func BasicAuth(username, password string) Authenticator {
	h := "Basic " + base64.StdEncoding.EncodeToString([]byte(username+":"+password))
	return &basicAuth{header: h, value: []string{h}, password: password}
}

func (b *basicAuth) Authenticate(req *http.Request) error {
	req.Header["Authorization"] = b.value
	return nil
}

func (b *basicAuth) Secrets() []string { return []string{b.password, b.header[len("Basic "):]} }

// TokenSource supplies a bearer-style token. Implementations may cache and
// refresh; Token is called once per attempt.
type TokenSource interface {
	Token(ctx context.Context) (string, error)
}

// StaticToken is a TokenSource that always returns the same token.
type StaticToken string

// Token returns t.
func (t StaticToken) Token(context.Context) (string, error) { return string(t), nil }

// HeaderToken sends a token from ts in header as prefix+token on every
// attempt, e.g. ("Authorization", "Bearer ") or ("X-Esri-Authorization", "Bearer ").
//
// Its Secrets are the tokens it has sent recently, not only the newest: a
// slow call that sent an older token may fail after the source has rotated,
// and its error must not show that token.
func HeaderToken(ts TokenSource, header, prefix string) Authenticator {
	return &headerToken{ts: ts, header: header, prefix: prefix, now: time.Now}
}

// How many sent tokens a headerToken remembers: every one sent within
// tokenRetention, and the last minSentTokens distinct ones however old (a
// long download may report an error late), but never more than
// maxSentTokens, so a source that hands out a new token for every attempt
// does not grow the list without bound.
const (
	minSentTokens  = 32
	maxSentTokens  = 256
	tokenRetention = 30 * time.Minute
)

type headerToken struct {
	ts             TokenSource
	header, prefix string
	now            func() time.Time

	mu   sync.Mutex
	sent []sentToken // distinct tokens, least recently sent first
}

type sentToken struct {
	token string
	at    time.Time // when it was last sent
}

func (h *headerToken) Authenticate(req *http.Request) error {
	tok, err := h.ts.Token(req.Context())
	if err != nil {
		return err
	}
	h.remember(tok)
	req.Header.Set(h.header, h.prefix+tok)
	return nil
}

// remember records that tok is being sent now and forgets the tokens
// outside the bounds.
func (h *headerToken) remember(tok string) {
	if tok == "" {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	// Read the clock under the lock, so sent stays in order of time.
	now := h.now()
	// Look from the newest end: a token is mostly sent again and again
	// until it is rotated.
	for i := len(h.sent) - 1; i >= 0; i-- {
		if h.sent[i].token == tok {
			h.sent = slices.Delete(h.sent, i, i+1)
			break
		}
	}
	h.sent = append(h.sent, sentToken{token: tok, at: now})
	drop := 0
	for n := len(h.sent); n > minSentTokens && (n > maxSentTokens || now.Sub(h.sent[drop].at) > tokenRetention); n-- {
		drop++
	}
	h.sent = slices.Delete(h.sent, 0, drop)
}

// Secrets returns the remembered tokens, newest first, and those of the
// source.
func (h *headerToken) Secrets() []string {
	h.mu.Lock()
	out := make([]string, 0, len(h.sent)+1)
	for i := len(h.sent) - 1; i >= 0; i-- {
		out = append(out, h.sent[i].token)
	}
	h.mu.Unlock()
	if s, ok := h.ts.(SecretHolder); ok {
		out = append(out, s.Secrets()...)
	}
	return out
}

type secretsKey struct{}

// WithSecrets returns a context whose calls carry these secrets in their
// body (an account password, a PKCS#12 password): wherever a server echoes
// them back, in an error body or message, they are masked like credentials.
func WithSecrets(ctx context.Context, secrets ...string) context.Context {
	prev, _ := ctx.Value(secretsKey{}).([]string)
	return context.WithValue(ctx, secretsKey{}, append(append([]string(nil), prev...), secrets...))
}

// secretsOf lists the secrets the authenticator declares and those the
// request's context carries.
func secretsOf(a Authenticator, req *http.Request) []string {
	var out []string
	if s, ok := a.(SecretHolder); ok {
		out = s.Secrets()
	}
	if req != nil {
		if extra, ok := req.Context().Value(secretsKey{}).([]string); ok {
			out = append(out, extra...)
		}
	}
	return out
}

package enterpriseadmin

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/certadmin/certadmin-go/enterpriseadmin/enterpriseadminapi"
	"github.com/certadmin/certadmin-go/internal/apierror"
	"github.com/certadmin/certadmin-go/internal/form"
	"github.com/certadmin/certadmin-go/internal/redact"
	"github.com/certadmin/certadmin-go/internal/transport"
)

// issuedToken is a session token and what the server said about it.
type issuedToken struct {
	value    string
	expires  time.Time // zero when unknown (a token from a TokenSource)
	obtained time.Time
	ssl      bool
}

// tokenAuth is the transport.Authenticator for the ArcGIS token rules. The
// transport calls Authenticate on every attempt, on a clone of the request
// private to that attempt, so the token placed there is always the current
// one and the caller's request is never changed.
//
// GET and HEAD carry the token in the X-Esri-Authorization header (or, in
// legacy mode, the token query parameter); every other method carries it in
// the body, as the Administrator API requires for POSTs. Every request sends
// the referer the token was generated for.
type tokenAuth struct {
	generate func(ctx context.Context) (issuedToken, error) // nil with a TokenSource
	source   TokenSource                                    // nil with credentials
	password string
	referer  string
	legacy   bool
	margin   time.Duration
	now      func() time.Time

	mu      sync.Mutex
	current *issuedToken
	flight  *tokenFlight
	seen    []string // recent tokens, masked wherever a server echoes them
}

// newTokenAuth checks the credential options and returns the
// authenticator they ask for (nil for none). The generator is set once
// the client exists, since generateToken goes through its transport.
func newTokenAuth(op string, s *settings) (*tokenAuth, error) {
	switch {
	case s.sourceSet && s.source == nil:
		return nil, apierror.Invalid(op, "WithToken needs a TokenSource (StaticToken for a fixed token)")
	case s.sourceSet && s.source == StaticToken(""):
		return nil, apierror.Invalid(op, "WithToken was given an empty token")
	case s.credentials && s.username == "":
		return nil, apierror.Invalid(op, "WithCredentials needs a user name")
	case s.credentials && s.password == "":
		return nil, apierror.Invalid(op, "WithCredentials needs a password")
	case s.expiration < 0:
		return nil, apierror.Invalid(op, "token expiration %v is negative", s.expiration)
	case s.margin < 0:
		return nil, apierror.Invalid(op, "refresh margin %v is negative", s.margin)
	case !s.credentials && !s.sourceSet:
		return nil, nil
	}
	if s.expiration == 0 {
		s.expiration = DefaultTokenExpiration
	}
	if s.margin == 0 {
		s.margin = DefaultRefreshMargin
	}
	if s.now == nil {
		s.now = time.Now
	}
	a := &tokenAuth{password: s.password, referer: s.referer, legacy: s.legacyQuery, margin: s.margin, now: s.now}
	if s.sourceSet {
		a.source = s.source
		if st, ok := s.source.(StaticToken); ok {
			a.remember(string(st))
		}
	}
	return a, nil
}

// opGenerateToken names the token request in errors.
const opGenerateToken = "enterpriseadmin.GenerateToken"

// noTokenKey marks the context of the generateToken request, which
// carries the credentials in its body and no token.
type noTokenKey struct{}

// tokenGenerator returns the generateToken call. It goes through the
// client's own transport (same connections, logging and redaction) with
// the authenticator told to leave it alone, and is never repeated once it
// may have reached the server.
func (c *Client) tokenGenerator(s *settings) func(context.Context) (issuedToken, error) {
	minutes := max(int(s.expiration/time.Minute), 1)
	username, password, referer, now := s.username, s.password, c.auth.referer, s.now
	return func(ctx context.Context) (issuedToken, error) {
		var v form.Values
		v.Add("username", username)
		v.Add("password", password)
		v.Add("client", "referer")
		v.Add("referer", referer)
		v.Add("expiration", strconv.Itoa(minutes))
		v.Add("f", jsonFormat)
		req, err := enterpriseadminapi.NewGenerateTokenRequestWithBody(c.server, c.webContext, form.ContentType, v.Reader())
		obtained := now()
		var out enterpriseadminapi.IssuedToken
		err = c.t.JSON(context.WithValue(ctx, noTokenKey{}, true), transport.Call{
			Op: opGenerateToken, Request: req, BuildErr: err, Repeat: transport.Never, Secrets: []string{password},
		}, &out)
		if err != nil {
			return issuedToken{}, err
		}
		if out.Token == nil || *out.Token == "" {
			e := &apierror.Error{Op: opGenerateToken, Kind: apierror.ErrUnexpectedResponse, Message: "generateToken answered without a token"}
			if req != nil {
				e.Method, e.URL = req.Method, redact.URL(req.URL)
			}
			return issuedToken{}, e
		}
		tok := issuedToken{value: *out.Token, obtained: obtained, ssl: out.Ssl != nil && *out.Ssl}
		if out.Expires != nil && *out.Expires > 0 {
			tok.expires = time.UnixMilli(*out.Expires)
		}
		return tok, nil
	}
}

// tokenFailure is why no token could be had: generateToken failed, or the
// TokenSource did.
type tokenFailure struct {
	err    error
	source bool
}

func (f *tokenFailure) Error() string { return f.err.Error() }
func (f *tokenFailure) Unwrap() error { return f.err }

// typed is the error of the attempt that needed the token: ErrUnauthorized,
// with the failure as its cause and the vendor's code when there is one.
// It is new for every attempt, so the transport can name the calling
// operation on it while other callers hold the same failure.
func (f *tokenFailure) typed() *apierror.Error {
	e := &apierror.Error{Kind: apierror.ErrUnauthorized, Message: "could not get a session token from generateToken", Err: f}
	if f.source {
		e.Message = "the TokenSource gave no token"
	}
	var cause *apierror.Error
	if errors.As(f.err, &cause) {
		e.Code = cause.Code
	}
	return e
}

// isTokenFailure reports whether err is a call that failed for want of a
// token.
func isTokenFailure(err error) bool {
	var tf *tokenFailure
	return errors.As(err, &tf)
}

// tokenFailureOf returns, for a call that failed for want of a token, the
// typed error the authenticator gave (the transport hands it back wrapped
// in the HTTP client's *url.Error); any other error as it is.
func tokenFailureOf(err error) error {
	if err == nil || !isTokenFailure(err) {
		return err
	}
	var ae *apierror.Error
	if errors.As(err, &ae) {
		return ae
	}
	return err
}

// tokenFlight is one generateToken call shared by every caller that needs a
// token while it runs.
type tokenFlight struct {
	done chan struct{}
	tok  issuedToken
	err  error
}

// refreshTimeout bounds a shared generateToken call, which outlives the
// context of the caller that started it.
const refreshTimeout = 2 * time.Minute

// maxSeenTokens is how many past tokens stay on the redaction list.
const maxSeenTokens = 8

// usedToken records which token an attempt carried, so a 498 answer
// invalidates that token and not a newer one another caller already fetched.
type usedToken struct {
	mu    sync.Mutex
	value string
}

type usedTokenKey struct{}

func withUsedToken(ctx context.Context) (context.Context, *usedToken) {
	u := &usedToken{}
	return context.WithValue(ctx, usedTokenKey{}, u), u
}

func (u *usedToken) get() string {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.value
}

func (a *tokenAuth) Authenticate(req *http.Request) error {
	if req.Context().Value(noTokenKey{}) != nil {
		return nil
	}
	tok, err := a.token(req.Context())
	if err != nil {
		var tf *tokenFailure
		if errors.As(err, &tf) {
			return tf.typed()
		}
		return err
	}
	if tok.ssl && req.URL.Scheme != "https" {
		return &apierror.Error{Kind: transport.ErrPlainHTTP,
			Message: "the server issued the token for HTTPS only (ssl: true); refusing to send it over " + req.URL.Scheme}
	}
	if u, ok := req.Context().Value(usedTokenKey{}).(*usedToken); ok {
		u.mu.Lock()
		u.value = tok.value
		u.mu.Unlock()
	}
	if a.referer != "" {
		req.Header.Set("Referer", a.referer)
	}
	switch req.Method {
	case http.MethodGet, http.MethodHead:
		if a.legacy {
			q := req.URL.Query()
			q.Set("token", tok.value)
			req.URL.RawQuery = q.Encode()
			return nil
		}
		req.Header.Set("X-Esri-Authorization", "Bearer "+tok.value)
		return nil
	}
	return putTokenInBody(req, tok.value)
}

// putTokenInBody adds a token field to a form or multipart body and fixes
// the length to match.
func putTokenInBody(req *http.Request, token string) error {
	var body []byte
	if req.Body != nil && req.Body != http.NoBody {
		b, err := io.ReadAll(req.Body)
		_ = req.Body.Close()
		if err != nil {
			return fmt.Errorf("read request body to add the token: %w", err)
		}
		body = b
	}
	mt, params, _ := mime.ParseMediaType(req.Header.Get("Content-Type"))
	switch {
	case mt == "multipart/form-data" && params["boundary"] != "":
		// A leading part keeps the rest of the body byte for byte.
		var b bytes.Buffer
		fmt.Fprintf(&b, "--%s\r\nContent-Disposition: form-data; name=\"token\"\r\n\r\n%s\r\n", params["boundary"], token)
		b.Write(body)
		body = b.Bytes()
	case mt == "application/x-www-form-urlencoded" || len(body) == 0:
		field := "token=" + url.QueryEscape(token)
		if len(body) > 0 {
			field = "&" + field
		}
		body = append(body, field...)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	default:
		return fmt.Errorf("cannot add the token to a %q request body", mt)
	}
	req.Body = io.NopCloser(bytes.NewReader(body))
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	req.ContentLength = int64(len(body))
	return nil
}

// token returns a usable token: the TokenSource's, or the cached one,
// generating a new one when none is cached or the cached one is about to
// expire. Concurrent callers share one generateToken call. A failure to
// get a token is a *tokenFailure; the caller's context ending is its error.
func (a *tokenAuth) token(ctx context.Context) (issuedToken, error) {
	if a.source != nil {
		v, err := a.source.Token(ctx)
		if err != nil {
			if ctxErr := ctx.Err(); ctxErr != nil {
				return issuedToken{}, ctxErr
			}
			return issuedToken{}, &tokenFailure{err: err, source: true}
		}
		if v == "" {
			return issuedToken{}, &tokenFailure{err: errors.New("empty token"), source: true}
		}
		a.mu.Lock()
		a.remember(v)
		a.mu.Unlock()
		return issuedToken{value: v}, nil
	}
	a.mu.Lock()
	if a.current != nil && a.fresh(*a.current) {
		tok := *a.current
		a.mu.Unlock()
		return tok, nil
	}
	if a.generate == nil {
		a.mu.Unlock()
		return issuedToken{}, &tokenFailure{err: errors.New("no token available and no credentials configured to generate one")}
	}
	f := a.flight
	if f == nil {
		f = &tokenFlight{done: make(chan struct{})}
		a.flight = f
		go a.refresh(context.WithoutCancel(ctx), f)
	}
	a.mu.Unlock()
	select {
	case <-f.done:
		if f.err != nil {
			return issuedToken{}, &tokenFailure{err: f.err}
		}
		return f.tok, nil
	case <-ctx.Done():
		return issuedToken{}, ctx.Err()
	}
}

func (a *tokenAuth) refresh(ctx context.Context, f *tokenFlight) {
	ctx, cancel := context.WithTimeout(ctx, refreshTimeout)
	defer cancel()
	tok, err := a.generate(ctx)
	a.mu.Lock()
	if err == nil {
		a.current = &tok
		a.remember(tok.value)
	}
	a.flight = nil
	a.mu.Unlock()
	f.tok, f.err = tok, err
	close(f.done)
}

// fresh reports whether tok can be sent now: not within the refresh margin
// of its expiry. The margin shrinks to half the token's lifetime, so a
// server that caps tokens at a few minutes does not cause a generateToken
// call per request.
func (a *tokenAuth) fresh(tok issuedToken) bool {
	if tok.expires.IsZero() {
		return true
	}
	margin := a.margin
	if life := tok.expires.Sub(tok.obtained); life/2 < margin {
		margin = life / 2
	}
	return a.now().Before(tok.expires.Add(-margin))
}

// invalidate drops the cached token if it is still the one a rejected
// request carried, and reports whether a new token can be generated.
func (a *tokenAuth) invalidate(used string) bool {
	if a.generate == nil {
		return false
	}
	a.mu.Lock()
	if a.current != nil && a.current.value == used {
		a.current = nil
	}
	a.mu.Unlock()
	return true
}

// remember adds tok to the redaction list; needs a.mu.
func (a *tokenAuth) remember(tok string) {
	if n := len(a.seen); n > 0 && a.seen[n-1] == tok {
		return
	}
	a.seen = append(a.seen, tok)
	if len(a.seen) > maxSeenTokens {
		a.seen = a.seen[len(a.seen)-maxSeenTokens:]
	}
}

// Secrets lets the transport mask the password and tokens wherever a
// server echoes them back.
func (a *tokenAuth) Secrets() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := append([]string(nil), a.seen...)
	if a.password != "" {
		out = append(out, a.password)
	}
	return out
}

var _ transport.SecretHolder = (*tokenAuth)(nil)

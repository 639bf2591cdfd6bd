package transport

import (
	"context"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/certadmin/certadmin-go/internal/apierror"
)

// Authenticator adds credentials to one attempt of a request. The
// transport calls it below the retry loop, once per attempt (and per
// redirect hop), so every attempt carries current credentials.
//
// req is the call's own request, never the caller's (the escape hatches
// clone a caller's request first), and every attempt of the call shares
// it: go-retryablehttp hands each attempt a shallow copy with a fresh
// body, but the Header map and the URL are the same objects each time.
// So Authenticate sets headers (Set, never Add) and must not change
// req.URL or req.Body. A credential that goes in the query or the body is
// placed by a TokenAuth, whose Place gets a copy private to the attempt.
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
// refresh (TokenCache does); Token is called once per attempt.
type TokenSource interface {
	Token(ctx context.Context) (string, error)
}

// StaticToken is a TokenSource that always returns the same token.
type StaticToken string

// Token returns t.
func (t StaticToken) Token(context.Context) (string, error) { return string(t), nil }

// HeaderToken sends a token from ts in header as prefix+token on every
// attempt, e.g. ("Authorization", "Bearer ") or ("X-Esri-Authorization",
// "Bearer "). When ts is Renewable (a TokenCache), a 401 answer to an
// attempt that carried a token drops that token and the attempt is made
// once more with a new one.
func HeaderToken(ts TokenSource, header, prefix string) Authenticator {
	a := &TokenAuth{Source: ts, Place: SetHeaderToken(header, prefix)}
	if _, ok := ts.(Renewable); ok {
		a.Rejected = func(status int, _ func() *BodyError) bool {
			return status == http.StatusUnauthorized
		}
	}
	return a
}

// SetHeaderToken is a TokenAuth.Place that sends the token in header as
// prefix+token.
func SetHeaderToken(header, prefix string) func(req *http.Request, token string) (*http.Request, error) {
	return func(req *http.Request, token string) (*http.Request, error) {
		req.Header.Set(header, prefix+token)
		return req, nil
	}
}

// TokenAuth is the one Authenticator for tokens, whichever vendor and
// wherever the token goes. On every attempt it asks Source for a token
// (a TokenCache refreshes it before expiry, sharing one fetch between
// concurrent callers) and Place puts it on the request.
//
// After the answer, the retry rules ask Rejected whether the server
// refused the token. If so, and Source is Renewable, the token the attempt
// carried is invalidated and the attempt made once more with a new token,
// whatever the call's Repeat (repeatOf): a server that refused the credential did not
// act on the request. A second refusal is the call's answer.
//
// Its Secrets are the tokens it has sent recently, not only the newest: a
// slow call that sent an older token may fail after the source has rotated,
// and its error must not show that token.
type TokenAuth struct {
	// Source supplies the token for each attempt. A *TokenCache also says
	// whether the token is for HTTPS only.
	Source TokenSource
	// Origin names where the tokens come from ("generateToken"), in the
	// error of an attempt that could not get one (default "the
	// TokenSource").
	Origin string
	// Place puts token on the attempt's request and returns the request to
	// send. It may set headers on req (they are set anew on every
	// attempt); to change the URL or the body it must work on a copy
	// (AttemptCopy), since req's URL and body are shared with the call's
	// other attempts.
	Place func(req *http.Request, token string) (*http.Request, error)
	// Rejected reports whether an answer says the token was refused,
	// from its status and the vendor's error it carries. fault returns
	// that error as the client's Rules read it (ErrorInBody for a 2xx
	// answer, DecodeError for any other) from a body of at most
	// MaxRejectionBody bytes, or nil when the answer carries none or is
	// longer; the body stays readable for the call. The JSON a 2xx answer
	// holds is then not read for the vendor's error a second time. nil
	// Rejected: no answer is a refusal.
	Rejected func(status int, fault func() *BodyError) bool
	// Mask lists further secrets to mask (the password the fetch sends).
	Mask []string

	now  func() time.Time // nil: time.Now
	mu   sync.Mutex
	sent []sentToken // distinct tokens, least recently sent first
}

// MaxRejectionBody is how much of an answer TokenAuth.Rejected may see: a
// refusal is a short error envelope, so a longer body is none.
const MaxRejectionBody = 4 << 10

// How many sent tokens a TokenAuth remembers: every one sent within
// tokenRetention, and the last minSentTokens distinct ones however old (a
// long download may report an error late), but never more than
// maxSentTokens, so a source that hands out a new token for every attempt
// does not grow the list without bound.
const (
	minSentTokens  = 32
	maxSentTokens  = 256
	tokenRetention = 30 * time.Minute
)

type sentToken struct {
	token string
	at    time.Time // when it was last sent
}

// NoTokenError is the cause of an attempt that was not sent because no
// token could be had: the token source or its fetch failed with Err. The
// attempt's error is ErrUnauthorized, with this as its cause.
type NoTokenError struct{ Err error }

func (e *NoTokenError) Error() string { return e.Err.Error() }
func (e *NoTokenError) Unwrap() error { return e.Err }

// Authenticate places a token on req itself; it serves callers outside
// the transport. The transport calls authenticateAttempt, which may send
// a copy.
func (a *TokenAuth) Authenticate(req *http.Request) error {
	out, _, err := a.authenticateAttempt(req)
	if err == nil && out != req {
		*req = *out
	}
	return err
}

// authenticateAttempt returns the request the attempt sends and the token
// it carries.
func (a *TokenAuth) authenticateAttempt(req *http.Request) (*http.Request, string, error) {
	ctx := req.Context()
	var tok Token
	var err error
	if c, ok := a.Source.(*TokenCache); ok {
		tok, err = c.Get(ctx)
	} else {
		tok.Value, err = a.Source.Token(ctx)
		if err == nil && tok.Value == "" {
			err = errors.New("empty token")
		}
	}
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, "", ctxErr
		}
		return nil, "", a.noToken(err)
	}
	if tok.HTTPSOnly && req.URL.Scheme != "https" {
		return nil, "", &apierror.Error{Kind: ErrPlainHTTP,
			Message: "the token was issued for HTTPS only; refusing to send it over " + req.URL.Scheme}
	}
	a.remember(tok.Value)
	out, err := a.Place(req, tok.Value)
	if err != nil {
		return nil, "", err
	}
	return out, tok.Value, nil
}

// noToken is the error of an attempt that could not get a token:
// ErrUnauthorized, caused by the source's failure, with the vendor's code
// when the failure has one. It is new for every attempt, so each caller's
// operation can be named on it while others share the same failure.
func (a *TokenAuth) noToken(err error) *apierror.Error {
	origin := a.Origin
	if origin == "" {
		origin = "the TokenSource"
	}
	e := &apierror.Error{Kind: apierror.ErrUnauthorized, Message: "could not get a token from " + origin, Err: &NoTokenError{Err: err}}
	var cause *apierror.Error
	if errors.As(err, &cause) {
		e.Code = cause.Code
	}
	return e
}

// renewIfRejected is asked by the retry rules about an answer to an
// attempt that carried sent: when Rejected says the token was refused, the
// token is invalidated; it reports whether a new one can be had.
func (a *TokenAuth) renewIfRejected(resp *http.Response, sent string, rules *Rules) bool {
	r, ok := a.Source.(Renewable)
	if a.Rejected == nil || !ok || sent == "" {
		return false
	}
	var fault *BodyError
	read := false
	rejected := a.Rejected(resp.StatusCode, func() *BodyError {
		if !read {
			read, fault = true, answerFault(resp, rules)
		}
		// A copy: the verdict stays with the answer, whose readers
		// report it, whatever Rejected does with what it is given.
		return fault.clone()
	})
	if !rejected {
		return false
	}
	return r.Invalidate(sent)
}

// answerFault is the vendor's error resp carries, as rules read it: from
// the whole body, read ahead when it is at most MaxRejectionBody bytes
// long (nil when it is longer or carries none). A 2xx answer's verdict
// stays with its body, so that reading the answer (Client.errorInBody)
// does not judge the same bytes again; it is asked of any body, blank
// too, as stream asks. Any other answer is read as the call's error reads
// it (readVendorError): an HTML page or an empty body carries none.
func answerFault(resp *http.Response, rules *Rules) *BodyError {
	body := peekBody(resp, MaxRejectionBody)
	if body == nil {
		return nil
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		var be *BodyError
		if rules.ErrorInBody != nil {
			be = rules.ErrorInBody(body)
		}
		if rb, ok := resp.Body.(*replayBody); ok && rb.whole {
			rb.fault, rb.judged = be, true
		}
		return be
	}
	e := apierror.Error{StatusCode: resp.StatusCode}
	if rules.readVendorError(&e, resp.Header.Get("Content-Type"), body) {
		return nil
	}
	if e.Code == "" && e.MessageKey == "" && e.Message == "" && len(e.Details) == 0 {
		return nil
	}
	return &BodyError{Code: e.Code, MessageKey: e.MessageKey, Message: e.Message, Details: e.Details}
}

// AttemptCopy returns a shallow copy of req with its own URL, for a
// TokenAuth.Place that puts the token in the query or the body: the copy's
// URL and Body can be replaced without touching the request the call's
// other attempts share. The Header map stays shared.
func AttemptCopy(req *http.Request) *http.Request {
	out := new(http.Request)
	*out = *req
	u := *req.URL
	out.URL = &u
	return out
}

// IsNoToken reports whether err is a call that failed because no token
// could be had (see NoTokenError), as opposed to a server refusing one.
func IsNoToken(err error) bool {
	var nt *NoTokenError
	return errors.As(err, &nt)
}

// remember records that tok is being sent now and forgets the tokens
// outside the bounds.
func (a *TokenAuth) remember(tok string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	// Read the clock under the lock, so sent stays in order of time.
	now := time.Now()
	if a.now != nil {
		now = a.now()
	}
	// Look from the newest end: a token is mostly sent again and again
	// until it is rotated.
	for i := len(a.sent) - 1; i >= 0; i-- {
		if a.sent[i].token == tok {
			a.sent = slices.Delete(a.sent, i, i+1)
			break
		}
	}
	a.sent = append(a.sent, sentToken{token: tok, at: now})
	drop := 0
	for n := len(a.sent); n > minSentTokens && (n > maxSentTokens || now.Sub(a.sent[drop].at) > tokenRetention); n-- {
		drop++
	}
	a.sent = slices.Delete(a.sent, 0, drop)
}

// Secrets returns the remembered tokens, newest first, those of the
// source, and Mask.
func (a *TokenAuth) Secrets() []string {
	a.mu.Lock()
	out := make([]string, 0, len(a.sent)+1+len(a.Mask))
	for i := len(a.sent) - 1; i >= 0; i-- {
		out = append(out, a.sent[i].token)
	}
	a.mu.Unlock()
	if s, ok := a.Source.(SecretHolder); ok {
		out = append(out, s.Secrets()...)
	}
	return append(out, a.Mask...)
}

// authenticate adds the client's credentials to one attempt and returns
// the request to send. A TokenAuth records the token the attempt carried
// in st, so that a refusal invalidates that token and no newer one.
func authenticate(auth Authenticator, req *http.Request, st *callState) (*http.Request, error) {
	st.sentToken = ""
	if ta, ok := auth.(*TokenAuth); ok {
		out, tok, err := ta.authenticateAttempt(req)
		st.sentToken = tok
		return out, err
	}
	return req, auth.Authenticate(req)
}

// credentialRenewed is the retry rules' question to the authenticator
// about an answer: did the server refuse the credential the attempt
// carried, and can a new one be had? judgeAttempt asks it after every
// answered attempt, but it renews at most once per call: the first refusal
// spends the call's one renewal, whatever its outcome, and later ones are
// the caller's ErrUnauthorized.
func credentialRenewed(auth Authenticator, resp *http.Response, st *callState, rules *Rules) bool {
	ta, ok := auth.(*TokenAuth)
	if !ok || st.renewed || st.sentToken == "" {
		return false
	}
	if ta.renewIfRejected(resp, st.sentToken, rules) {
		st.renewed = true
		return true
	}
	return false
}

// peekBody returns resp's whole body when it is at most limit bytes long,
// else nil; either way resp.Body still reads from the start. A body of
// unknown length is read into a pooled buffer (this runs on every answer
// of a client whose token can be renewed), so the bytes returned are valid
// only until the body is closed.
func peekBody(resp *http.Response, limit int) []byte {
	if resp.Body == nil || resp.Body == http.NoBody || resp.ContentLength > int64(limit) {
		return nil
	}
	var buf []byte
	var pooled *[]byte
	if resp.ContentLength >= 0 {
		// A buffer of the body's own size, which a JSON answer then keeps
		// as its body (readJSON) instead of copying it. One byte more
		// tells a body longer than declared.
		buf = make([]byte, 0, resp.ContentLength+1)
	} else {
		pooled, _ = peekBuffers.Get().(*[]byte)
		if pooled == nil || cap(*pooled) < limit+1 {
			b := make([]byte, max(limit+1, MaxRejectionBody+1))
			pooled = &b
		}
		buf = (*pooled)[: 0 : limit+1]
	}
	// fill, not io.ReadFull: the body's own error tells an answer that
	// ended (io.EOF) from one cut short (io.ErrUnexpectedEOF).
	buf, err := fill(resp.Body, buf)
	whole := len(buf) <= limit && errors.Is(err, io.EOF)
	resp.Body = &replayBody{head: buf, rest: resp.Body, err: err, pooled: pooled, whole: whole}
	if whole || (errors.Is(err, io.ErrUnexpectedEOF) && len(buf) <= limit) {
		return buf
	}
	return nil
}

// peekBuffers holds the buffers peekBody reads ahead into.
var peekBuffers sync.Pool

// replayBody is a body whose first bytes were read ahead: it gives them
// again, then the rest.
type replayBody struct {
	head   []byte
	rest   io.ReadCloser
	err    error   // what reading ahead ended with
	pooled *[]byte // head's buffer, back to peekBuffers on Close
	// whole: head is the whole body, which ended cleanly.
	whole bool
	// judged: the body is whole, of a 2xx answer, and fault is what
	// Rules.ErrorInBody said of it (answerFault).
	judged bool
	fault  *BodyError
}

func (b *replayBody) Read(p []byte) (int, error) {
	if len(b.head) > 0 {
		n := copy(p, b.head)
		b.head = b.head[n:]
		return n, nil
	}
	if b.err != nil && !errors.Is(b.err, io.ErrUnexpectedEOF) && !errors.Is(b.err, io.EOF) {
		return 0, b.err
	}
	return b.rest.Read(p)
}

func (b *replayBody) Close() error {
	b.head = nil
	if b.pooled != nil {
		peekBuffers.Put(b.pooled)
		b.pooled = nil
	}
	return b.rest.Close()
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

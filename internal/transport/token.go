package transport

import (
	"context"
	"errors"
	"reflect"
	"sync"
	"time"

	"github.com/certadmin/certadmin-go/internal/apierror"
)

// Token is a credential a TokenCache hands out, with what its issuer said
// about it.
type Token struct {
	Value string
	// Expiry is when the issuer stops accepting the token; zero when it
	// did not say (the token is kept until a server rejects it).
	Expiry time.Time
	// HTTPSOnly: the issuer restricted the token to HTTPS. TokenAuth
	// refuses to send it over plain http, whatever WithInsecurePlainHTTP
	// says.
	HTTPSOnly bool
}

// FetchToken gets a new token from its issuer (a token endpoint, an
// identity provider).
type FetchToken func(ctx context.Context) (Token, error)

// DefaultFetchTimeout bounds one fetch of a TokenCache. The fetch is
// shared by every caller waiting for it, so it does not end with the
// context of the caller that started it.
const DefaultFetchTimeout = 2 * time.Minute

// TokenCache is the SDK's one token cache: it hands the same token to
// every caller until the token is due, then fetches a new one.
//
//   - Single flight: concurrent callers that need a new token share one
//     fetch. No lock is held while the fetch runs.
//   - A token is due RefreshMargin before its expiry (at most half its
//     lifetime, so a short-lived token is not fetched for every call).
//     The caller that finds it due fetches a new one and waits for it;
//     callers that arrive during that fetch keep using the old token
//     while it is still valid, and only callers without a valid token
//     wait.
//   - Invalidate drops a token a server rejected, once: a caller holding
//     an older token cannot drop a newer one another caller fetched.
//
// It is a TokenSource, so it can stand wherever one is taken.
type TokenCache struct {
	fetch  FetchToken
	margin time.Duration
	now    func() time.Time
	// timeout bounds each fetch (DefaultFetchTimeout).
	timeout time.Duration
	// joined, when set, is called each time a caller starts waiting for a
	// fetch; tests count waiters with it instead of sleeping.
	joined func()

	mu      sync.Mutex
	current *cachedToken // nil: none yet, or dropped by Invalidate
	flight  *tokenFlight // the fetch under way, if any
}

type cachedToken struct {
	Token
	obtained time.Time // when the fetch that got it started
}

// tokenFlight is one fetch, shared by every caller waiting for it.
type tokenFlight struct {
	done chan struct{}
	tok  cachedToken
	err  error
}

// NewTokenCache returns a cache that gets its tokens from fetch and
// replaces each margin before its expiry. now is the clock (nil:
// time.Now).
func NewTokenCache(fetch FetchToken, margin time.Duration, now func() time.Time) *TokenCache {
	if now == nil {
		now = time.Now
	}
	return &TokenCache{fetch: fetch, margin: max(margin, 0), now: now, timeout: DefaultFetchTimeout}
}

// Token returns the value of a usable token (see Get).
func (c *TokenCache) Token(ctx context.Context) (string, error) {
	t, err := c.Get(ctx)
	return t.Value, err
}

// Get returns a usable token, fetching one when none is cached or the
// cached one is due. A fetch's failure is returned to every caller that
// waited for it; the next caller fetches again. When ctx ends while the
// caller waits, Get returns ctx's error and the fetch goes on for the
// others.
func (c *TokenCache) Get(ctx context.Context) (Token, error) {
	c.mu.Lock()
	now := c.now()
	cur := c.current
	if cur != nil && !c.due(cur, now) {
		c.mu.Unlock()
		return cur.Token, nil
	}
	f := c.flight
	if f != nil && cur != nil && now.Before(cur.Expiry) {
		// Someone is already replacing a token that is due but still
		// valid: use it meanwhile.
		c.mu.Unlock()
		return cur.Token, nil
	}
	if f == nil {
		f = &tokenFlight{done: make(chan struct{})}
		c.flight = f
		go c.run(context.WithoutCancel(ctx), f)
	}
	joined := c.joined
	c.mu.Unlock()
	if joined != nil {
		joined()
	}
	select {
	case <-f.done:
	case <-ctx.Done():
		return Token{}, apierror.WithCause(ctx, ctx.Err())
	}
	if f.err != nil {
		if cur != nil && c.now().Before(cur.Expiry) {
			// The refresh of a token that is due failed, but the token
			// itself is still valid: the next caller tries again.
			return cur.Token, nil
		}
		return Token{}, f.err
	}
	return f.tok.Token, nil
}

// run is one fetch; it publishes its token before waking the waiters.
func (c *TokenCache) run(ctx context.Context, f *tokenFlight) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	obtained := c.now()
	tok, err := c.fetch(ctx)
	if err == nil && tok.Value == "" {
		err = errors.New("the token issuer returned an empty token")
	}
	c.mu.Lock()
	if err == nil {
		f.tok = cachedToken{Token: tok, obtained: obtained}
		c.current = &f.tok
	}
	c.flight = nil
	f.err = err
	c.mu.Unlock()
	close(f.done)
}

// due reports whether t should be replaced at now: it expired or is within
// the refresh margin of its expiry, the margin being at most half the
// token's lifetime. A token without expiry is never due.
func (c *TokenCache) due(t *cachedToken, now time.Time) bool {
	if t.Expiry.IsZero() {
		return false
	}
	margin := min(c.margin, t.Expiry.Sub(t.obtained)/2)
	return !now.Before(t.Expiry.Add(-max(margin, 0)))
}

// Invalidate drops the cached token if it is still that value, the token a
// server rejected, so the next Get fetches a new one. It reports true: the
// cache can always fetch again.
func (c *TokenCache) Invalidate(value string) bool {
	c.mu.Lock()
	if c.current != nil && c.current.Value == value {
		c.current = nil
	}
	c.mu.Unlock()
	return true
}

// Secrets returns the cached token, so errors and logs mask it.
func (c *TokenCache) Secrets() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.current == nil {
		return nil
	}
	return []string{c.current.Value}
}

// Renewable is a TokenSource that can drop a token a server rejected, so
// that its next Token call gives a new one (TokenCache is one). Invalidate
// reports whether a new token can be had; a source that cannot renew
// makes a rejected call fail at once.
type Renewable interface {
	Invalidate(token string) bool
}

// CheckTokenSource reports what is wrong with a token source given to a
// client option: nil (also a nil pointer or func inside the interface),
// an empty fixed token (a StaticToken type holding ""), or a TokenCache
// without a fetch function. Options record the problem with Refuse, so
// NewClient fails with ErrInvalidInput instead of the first call
// panicking.
func CheckTokenSource(ts TokenSource) error {
	if IsNil(ts) {
		return errors.New("nil TokenSource")
	}
	if v := reflect.ValueOf(ts); v.Kind() == reflect.String && v.Len() == 0 {
		return errors.New("empty token")
	}
	if c, ok := ts.(*TokenCache); ok && c.fetch == nil {
		return errors.New("the refreshing token source has no fetch function")
	}
	return nil
}

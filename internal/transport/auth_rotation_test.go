package transport

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/certadmin/certadmin-go/internal/apierror"
)

// newTokens hands out a new token on every call, as a source that
// refreshes for each attempt does.
type newTokens struct{ n atomic.Int64 }

func (s *newTokens) Token(context.Context) (string, error) {
	return fmt.Sprintf("rotated-token-%04d", s.n.Add(1)), nil
}

// fakeClock is a settable clock for TokenAuth.now and TokenCache.now.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func newHeaderToken(t *testing.T, ts TokenSource, clock *fakeClock) *TokenAuth {
	t.Helper()
	h, ok := HeaderToken(ts, "Authorization", "Bearer ").(*TokenAuth)
	if !ok {
		t.Fatal("HeaderToken does not return a *TokenAuth")
	}
	if clock != nil {
		h.now = clock.Now
	}
	return h
}

// send authenticates one attempt and returns the token it carried. It
// may run in any goroutine, so it reports with Error, not Fatal.
func send(t *testing.T, a Authenticator) string {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, "https://example.com/api", nil)
	if err == nil {
		err = a.Authenticate(req)
	}
	if err != nil {
		t.Error(err)
		return ""
	}
	return strings.TrimPrefix(req.Header.Get("Authorization"), "Bearer ")
}

func missing(secrets, tokens []string) []string {
	var out []string
	for _, tok := range tokens {
		if !slices.Contains(secrets, tok) {
			out = append(out, tok)
		}
	}
	return out
}

// TestHeaderTokenKeepsEveryTokenSentConcurrently: calls that rotate the
// token while others are still running must each find their own token
// among the secrets, whichever finished last.
func TestHeaderTokenKeepsEveryTokenSentConcurrently(t *testing.T) {
	h := newHeaderToken(t, &newTokens{}, nil)
	const goroutines, perGoroutine = 8, 25 // 200 tokens: past minSentTokens, within maxSentTokens
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		sent []string
	)
	for range goroutines {
		wg.Go(func() {
			for range perGoroutine {
				tok := send(t, h)
				// A call's error is masked while other calls rotate on.
				if secrets := h.Secrets(); !slices.Contains(secrets, tok) {
					t.Errorf("token %s of a running call is not among the secrets", tok)
				}
				mu.Lock()
				sent = append(sent, tok)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	secrets := h.Secrets()
	if len(sent) != goroutines*perGoroutine {
		t.Fatalf("sent %d tokens, want %d", len(sent), goroutines*perGoroutine)
	}
	if m := missing(secrets, sent); len(m) > 0 {
		t.Fatalf("%d of %d tokens sent are not among the secrets: %q", len(m), len(sent), m)
	}
}

// TestHeaderTokenForgetsTokensPastTheBound: memory stays bounded. A token
// older than tokenRetention goes once minSentTokens newer ones were sent;
// past maxSentTokens the oldest goes whatever its age.
func TestHeaderTokenForgetsTokensPastTheBound(t *testing.T) {
	t.Run("older than the retention", func(t *testing.T) {
		clock := &fakeClock{now: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
		h := newHeaderToken(t, &newTokens{}, clock)
		var old []string
		for range minSentTokens + 8 {
			old = append(old, send(t, h))
		}
		if m := missing(h.Secrets(), old); len(m) > 0 {
			t.Fatalf("tokens within the retention were dropped: %q", m)
		}
		clock.Advance(tokenRetention + time.Second)
		newest := send(t, h)
		secrets := h.Secrets()
		if len(secrets) != minSentTokens {
			t.Fatalf("%d secrets, want the last %d tokens", len(secrets), minSentTokens)
		}
		kept := append(old[len(old)-minSentTokens+1:], newest)
		if m := missing(secrets, kept); len(m) > 0 {
			t.Fatalf("the last %d tokens must stay however old; missing %q", minSentTokens, m)
		}
		for _, tok := range old[:len(old)-minSentTokens+1] {
			if slices.Contains(secrets, tok) {
				t.Fatalf("token %s, older than the retention and not among the last %d, was kept", tok, minSentTokens)
			}
		}
	})
	t.Run("more than the maximum", func(t *testing.T) {
		clock := &fakeClock{now: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
		h := newHeaderToken(t, &newTokens{}, clock)
		var sent []string
		for range maxSentTokens + 10 {
			sent = append(sent, send(t, h))
		}
		secrets := h.Secrets()
		if len(secrets) != maxSentTokens {
			t.Fatalf("%d secrets, want at most %d", len(secrets), maxSentTokens)
		}
		if m := missing(secrets, sent[10:]); len(m) > 0 {
			t.Fatalf("the newest %d tokens must stay; missing %q", maxSentTokens, m)
		}
		for _, tok := range sent[:10] {
			if slices.Contains(secrets, tok) {
				t.Fatalf("token %s past the maximum was kept", tok)
			}
		}
	})
	t.Run("a token sent again counts as new", func(t *testing.T) {
		clock := &fakeClock{now: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
		static := &switchableToken{tok: "long-lived-token"}
		h := newHeaderToken(t, static, clock)
		send(t, h)
		for i := range minSentTokens + 5 {
			static.set(fmt.Sprintf("other-token-%02d", i))
			send(t, h)
		}
		static.set("long-lived-token")
		send(t, h)
		if secrets := h.Secrets(); len(secrets) != minSentTokens+5+1 || len(slices.Compact(slices.Sorted(slices.Values(secrets)))) != len(secrets) {
			t.Fatalf("want each of the %d distinct tokens sent once, got %q", minSentTokens+5+1, secrets)
		}
		clock.Advance(tokenRetention + time.Second)
		static.set("after-a-while")
		send(t, h)
		secrets := h.Secrets()
		if !slices.Contains(secrets, "long-lived-token") {
			t.Fatalf("a token sent again was dropped by the age of its first send: %q", secrets)
		}
		if n := len(secrets); n != minSentTokens {
			t.Fatalf("%d secrets, want %d", n, minSentTokens)
		}
	})
	t.Run("an empty token is refused, not sent", func(t *testing.T) {
		h := newHeaderToken(t, StaticToken(""), nil)
		req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, "https://example.com/api", nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := h.Authenticate(req); !errors.Is(err, apierror.ErrUnauthorized) || !IsNoToken(err) {
			t.Fatalf("err = %v, want ErrUnauthorized for want of a token", err)
		}
		if v := req.Header.Get("Authorization"); v != "" {
			t.Fatalf("sent Authorization %q", v)
		}
		if secrets := h.Secrets(); len(secrets) != 0 {
			t.Fatalf("secrets %q, want none", secrets)
		}
	})
}

type switchableToken struct {
	mu  sync.Mutex
	tok string
}

func (s *switchableToken) set(tok string) {
	s.mu.Lock()
	s.tok = tok
	s.mu.Unlock()
}

func (s *switchableToken) Token(context.Context) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tok, nil
}

// TestSlowCallErrorMasksTheTokenItSent: a call still waiting on the server
// when a faster call has rotated the token fails with its own, older token
// echoed back. Its error must mask that token too.
func TestSlowCallErrorMasksTheTokenItSent(t *testing.T) {
	seen := make(chan string, 2)
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		seen <- tok
		if r.URL.Path == "/slow" {
			<-release
		}
		// The bare token, with no scheme or name before it that would
		// give it away to the rules for free text.
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = io.WriteString(w, `{"message":"rejected `+tok+` at 12:00"}`)
	}))
	defer srv.Close()
	c, err := New(NewConfig(WithAuth(HeaderToken(&newTokens{}, "Authorization", "Bearer "))), Rules{})
	if err != nil {
		t.Fatal(err)
	}
	call := func(path string) error {
		req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, srv.URL+path, nil)
		if err != nil {
			return err
		}
		return c.NoContent(context.Background(), Call{Op: "test.Get", Request: req})
	}
	slow := make(chan error, 1)
	go func() { slow <- call("/slow") }()
	slowToken := <-seen
	fastErr := call("/fast")
	fastToken := <-seen
	close(release)
	slowErr := <-slow
	if slowToken == fastToken {
		t.Fatalf("both calls sent %s; the token did not rotate", slowToken)
	}
	for _, tc := range []struct {
		err   error
		token string
	}{{fastErr, fastToken}, {slowErr, slowToken}} {
		var ae *apierror.Error
		if !errors.As(tc.err, &ae) {
			t.Fatalf("err = %v, want an *apierror.Error", tc.err)
		}
		if !strings.Contains(ae.Body, "rejected") {
			t.Fatalf("body %q lacks the answer", ae.Body)
		}
		for _, text := range []string{tc.err.Error(), ae.Body, ae.Message} {
			if strings.Contains(text, tc.token) {
				t.Errorf("%q shows the token %s its call sent", text, tc.token)
			}
		}
	}
}

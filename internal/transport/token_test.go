package transport

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/certadmin/certadmin-go/internal/apierror"
)

// blockingIssuer is a fetch that counts its calls, reports each start on
// started and waits for a value on release before answering token-<n>,
// valid for life from the clock's time.
type blockingIssuer struct {
	clock   *fakeClock
	life    time.Duration
	calls   atomic.Int32
	started chan int
	release chan error
}

func newBlockingIssuer(clock *fakeClock, life time.Duration) *blockingIssuer {
	return &blockingIssuer{clock: clock, life: life, started: make(chan int, 16), release: make(chan error, 16)}
}

func (b *blockingIssuer) fetch(ctx context.Context) (Token, error) {
	n := int(b.calls.Add(1))
	b.started <- n
	select {
	case err := <-b.release:
		if err != nil {
			return Token{}, err
		}
	case <-ctx.Done():
		return Token{}, ctx.Err()
	}
	return Token{Value: fmt.Sprintf("token-%d", n), Expiry: b.clock.Now().Add(b.life)}, nil
}

// newCountingCache is a cache on b with a hook that reports every caller
// that starts waiting for a fetch.
func newCountingCache(b *blockingIssuer, margin time.Duration) (*TokenCache, chan struct{}) {
	c := NewTokenCache(b.fetch, margin, b.clock.Now)
	waiting := make(chan struct{}, 64)
	c.joined = func() { waiting <- struct{}{} }
	return c, waiting
}

// getAll runs n concurrent Gets and returns their tokens once all are
// done.
func getAll(t *testing.T, c *TokenCache, n int) <-chan []string {
	out := make(chan []string, 1)
	go func() {
		var wg sync.WaitGroup
		toks := make([]string, n)
		for i := range n {
			wg.Go(func() {
				tok, err := c.Get(context.Background())
				if err != nil {
					t.Error(err)
				}
				toks[i] = tok.Value
			})
		}
		wg.Wait()
		out <- toks
	}()
	return out
}

func allEqual(t *testing.T, toks []string, want string) {
	t.Helper()
	for i, tok := range toks {
		if tok != want {
			t.Fatalf("caller %d got %q, want %q", i, tok, want)
		}
	}
}

// TestTokenCacheConcurrentCallersShareOneFetch: N callers without a usable
// token (none yet, then an expired one) all wait for one fetch. The fetch
// is held until every caller is waiting, so none of them can have found a
// token cached by an earlier fetch.
func TestTokenCacheConcurrentCallersShareOneFetch(t *testing.T) {
	const n = 12
	clock := &fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	b := newBlockingIssuer(clock, time.Hour)
	c, waiting := newCountingCache(b, 5*time.Minute)
	for round, want := range []string{"token-1", "token-2"} {
		done := getAll(t, c, n)
		for range n {
			<-waiting
		}
		b.release <- nil
		allEqual(t, <-done, want)
		if got := int(b.calls.Load()); got != round+1 {
			t.Fatalf("round %d: %d fetches, want %d", round, got, round+1)
		}
		clock.Advance(time.Hour + time.Second) // expired
	}
}

// TestTokenCacheBlockedFetchDoesNotBlockValidTokenHolders: the caller that
// finds the token due (inside the margin, not expired) fetches a new one
// and waits for it; while that fetch hangs, other callers go on with the
// still valid token and never wait. Before, the refreshing source held its
// mutex across the fetch, so every caller waited for it.
func TestTokenCacheBlockedFetchDoesNotBlockValidTokenHolders(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	b := newBlockingIssuer(clock, 10*time.Minute)
	c, waiting := newCountingCache(b, time.Minute)
	first := getAll(t, c, 1)
	<-b.started
	<-waiting
	b.release <- nil
	allEqual(t, <-first, "token-1")

	clock.Advance(9*time.Minute + 30*time.Second) // due, still valid
	refresher := getAll(t, c, 1)
	// The refresher waits on fetch 2, which hangs until released.
	if n := <-b.started; n != 2 {
		t.Fatalf("fetch %d started, want 2", n)
	}
	<-waiting
	allEqual(t, <-getAll(t, c, 8), "token-1") // returned while fetch 2 hangs
	if got := b.calls.Load(); got != 2 {
		t.Fatalf("%d fetches while one hangs, want 2", got)
	}
	b.release <- nil
	allEqual(t, <-refresher, "token-2")
	allEqual(t, <-getAll(t, c, 4), "token-2")
	if got := b.calls.Load(); got != 2 {
		t.Fatalf("%d fetches, want 2", got)
	}
}

// TestTokenCacheInvalidatesOnlyTheRejectedToken: a refusal of an older
// token does not drop the current one; a refusal of the current one drops
// it once, and the next caller fetches.
func TestTokenCacheInvalidatesOnlyTheRejectedToken(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	var calls atomic.Int32
	c := NewTokenCache(func(context.Context) (Token, error) {
		return Token{Value: fmt.Sprintf("token-%d", calls.Add(1))}, nil
	}, time.Minute, clock.Now)
	ctx := context.Background()
	get := func() string {
		tok, err := c.Token(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	if tok := get(); tok != "token-1" {
		t.Fatalf("got %q", tok)
	}
	c.Invalidate("token-0")
	if tok := get(); tok != "token-1" || calls.Load() != 1 {
		t.Fatalf("an older token's refusal dropped the current one: %q after %d fetches", tok, calls.Load())
	}
	if !c.Invalidate("token-1") {
		t.Fatal("a cache must be able to fetch again")
	}
	if tok := get(); tok != "token-2" {
		t.Fatalf("got %q after invalidating token-1", tok)
	}
	c.Invalidate("token-1") // a slow caller's late report
	if tok := get(); tok != "token-2" || calls.Load() != 2 {
		t.Fatalf("a second refusal of token-1 dropped token-2: %q after %d fetches", tok, calls.Load())
	}
	if s := c.Secrets(); len(s) != 1 || s[0] != "token-2" {
		t.Fatalf("secrets %q", s)
	}
}

// TestTokenCacheFailureReachesEveryWaiterOnce: a failed fetch is the
// answer of every caller that waited for it; the next caller fetches again.
func TestTokenCacheFailureReachesEveryWaiterOnce(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	b := newBlockingIssuer(clock, time.Hour)
	c, waiting := newCountingCache(b, time.Minute)
	const n = 5
	errs := make(chan error, n)
	for range n {
		go func() { _, err := c.Get(context.Background()); errs <- err }()
	}
	for range n {
		<-waiting
	}
	b.release <- errors.New("issuer down")
	for range n {
		if err := <-errs; err == nil || err.Error() != "issuer down" {
			t.Fatalf("err = %v", err)
		}
	}
	next := getAll(t, c, 1)
	<-waiting
	b.release <- nil
	allEqual(t, <-next, "token-2")
	if got := b.calls.Load(); got != 2 {
		t.Fatalf("%d fetches, want 2", got)
	}
}

// TestTokenCacheWaiterCanGiveUp: a caller whose context ends stops
// waiting; the shared fetch goes on and serves the next caller.
func TestTokenCacheWaiterCanGiveUp(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	b := newBlockingIssuer(clock, time.Hour)
	c, waiting := newCountingCache(b, time.Minute)
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { _, err := c.Get(ctx); errc <- err }()
	<-waiting
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	b.release <- nil
	allEqual(t, <-getAll(t, c, 1), "token-1")
	if got := b.calls.Load(); got != 1 {
		t.Fatalf("%d fetches, want 1", got)
	}
}

// refusingServer accepts only the token it is told to, and answers any
// other with HTTP 200 and a body saying the token was refused (as ArcGIS
// does). It records every request's token and body.
type refusingServer struct {
	mu     sync.Mutex
	accept string
	seen   []string // "<method> <query> <body>"
}

func (s *refusingServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	q, _ := url.ParseQuery(string(body))
	tok := q.Get("token")
	s.mu.Lock()
	s.seen = append(s.seen, r.Method+" "+r.URL.RawQuery+" "+string(body))
	ok := tok == s.accept
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if !ok {
		_, _ = io.WriteString(w, `{"error":{"code":498,"message":"Invalid token."}}`)
		return
	}
	_, _ = io.WriteString(w, `{"status":"success"}`)
}

func bodyTokenAuth(src TokenSource) *TokenAuth {
	return &TokenAuth{
		Source: src,
		Place: func(req *http.Request, token string) (*http.Request, error) {
			out := AttemptCopy(req)
			b, err := io.ReadAll(out.Body)
			if err != nil {
				return nil, err
			}
			nb := string(b) + "&token=" + token
			out.Body = io.NopCloser(strings.NewReader(nb))
			out.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(nb)), nil }
			out.ContentLength = int64(len(nb))
			return out, nil
		},
		Rejected: func(_ int, fault func() *BodyError) bool {
			f := fault()
			return f != nil && f.Code == "498"
		},
	}
}

// TestRefusedTokenIsRenewedOnceInsideTheRetryLoop: an answer that refuses
// the token (inside a 200 body) drops it and repeats the attempt once with
// a new one, for a call that is never repeated otherwise and with retries
// off. A token refused again is the call's answer.
func TestRefusedTokenIsRenewedOnceInsideTheRetryLoop(t *testing.T) {
	srv := &refusingServer{accept: "token-2"}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	var fetches atomic.Int32
	cache := NewTokenCache(func(context.Context) (Token, error) {
		return Token{Value: fmt.Sprintf("token-%d", fetches.Add(1))}, nil
	}, time.Minute, nil)
	c, err := New(NewConfig(WithAuth(bodyTokenAuth(cache)), WithMaxAttempts(1)), Rules{
		ErrorInBody: func(body []byte) *BodyError {
			if strings.Contains(string(body), `"error"`) {
				return &BodyError{Code: "498"}
			}
			return nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	call := func() error {
		req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, hs.URL+"/create", strings.NewReader("f=json"))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return c.JSON(context.Background(), Call{Op: "test.Create", Request: req}, nil)
	}
	if err := call(); err != nil {
		t.Fatalf("call: %v", err)
	}
	want := []string{"POST  f=json&token=token-1", "POST  f=json&token=token-2"}
	srv.mu.Lock()
	got := srv.seen
	srv.mu.Unlock()
	if strings.Join(got, "|") != strings.Join(want, "|") || fetches.Load() != 2 {
		t.Fatalf("requests %q after %d fetches, want %q after 2", got, fetches.Load(), want)
	}
	srv.mu.Lock()
	srv.accept, srv.seen = "none", nil
	srv.mu.Unlock()
	err = call()
	var ae *apierror.Error
	if !errors.As(err, &ae) || ae.Code != "498" {
		t.Fatalf("err = %v, want the refusal", err)
	}
	srv.mu.Lock()
	n := len(srv.seen)
	srv.mu.Unlock()
	if n != 2 || fetches.Load() != 3 {
		t.Fatalf("%d requests after %d fetches, want 2 after 3 (one renewal per call)", n, fetches.Load())
	}
}

// TestTokenInBodyIsAddedOncePerAttempt: attempts of a retried call each
// start from the call's own request; the token placed on one attempt's
// copy is not in the next attempt's body, nor in the request after the
// call.
func TestTokenInBodyIsAddedOncePerAttempt(t *testing.T) {
	var mu sync.Mutex
	var bodies []string
	var hits atomic.Int32
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies = append(bodies, string(b))
		mu.Unlock()
		if hits.Add(1) < 3 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{}`)
	}))
	defer hs.Close()
	c, err := New(NewConfig(WithAuth(bodyTokenAuth(StaticToken("tok"))),
		WithRetry(RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond, MaxRetryAfter: time.Second})),
		Rules{Operations: NewOperations([]Operation{{ID: "search", Method: "POST", Path: "/search", Repeat: ReadOnly}})})
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, hs.URL+"/search", strings.NewReader("q=1"))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.JSON(context.Background(), Call{Op: "test.Search", Request: req}, nil); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if want := "q=1&token=tok|q=1&token=tok|q=1&token=tok"; strings.Join(bodies, "|") != want {
		t.Fatalf("bodies %q, want %q", bodies, want)
	}
	if req.ContentLength != 3 {
		t.Fatalf("the call's request was changed: ContentLength %d", req.ContentLength)
	}
}

// TestShouldRetryIsAPlainFunction: the retry decision reads only its
// inputs. A refused token is repeated once whatever the call's Repeat and
// the attempts left; a too-long Retry-After is reported on the last
// attempt too.
func TestShouldRetryIsAPlainFunction(t *testing.T) {
	p := RetryPolicy{MaxAttempts: 2, MaxRetryAfter: time.Second}
	req, _ := http.NewRequest(http.MethodGet, "https://example.com/x", nil)
	answer := func(status int) *http.Response { return &http.Response{StatusCode: status, Request: req} }
	for _, tc := range []struct {
		name    string
		o       attemptOutcome
		retry   bool
		tooLong bool
	}{
		{"503, safe, attempt left", attemptOutcome{attempt: 1, repeatable: true, resp: answer(503)}, true, false},
		{"503, safe, no attempt left", attemptOutcome{attempt: 2, repeatable: true, resp: answer(503)}, false, false},
		{"503, not safe", attemptOutcome{attempt: 1, resp: answer(503)}, false, false},
		{"404", attemptOutcome{attempt: 1, repeatable: true, resp: answer(404)}, false, false},
		{"refused token, not safe, no attempt left", attemptOutcome{attempt: 2, resp: answer(200), renewed: true}, true, false},
		{"Retry-After too long, last attempt", attemptOutcome{attempt: 2, repeatable: true, resp: answer(503), retryAfter: time.Hour, hasRetryAfter: true}, false, true},
		{"connection refused, not safe", attemptOutcome{attempt: 1, err: &url.Error{Op: "Get", Err: syscallRefused()}}, true, false},
		{"connection refused, no attempt left", attemptOutcome{attempt: 2, err: &url.Error{Op: "Get", Err: syscallRefused()}}, false, false},
		{"reset, not safe", attemptOutcome{attempt: 1, err: io.ErrUnexpectedEOF}, false, false},
		{"reset, safe", attemptOutcome{attempt: 1, repeatable: true, err: io.ErrUnexpectedEOF}, true, false},
	} {
		retry, err := shouldRetry(p, tc.o)
		if retry != tc.retry || errors.Is(err, apierror.ErrRetryAfterTooLong) != tc.tooLong {
			t.Errorf("%s: shouldRetry = %v, %v; want %v, too long %v", tc.name, retry, err, tc.retry, tc.tooLong)
		}
	}
}

func syscallRefused() error { return syscall.ECONNREFUSED }

// TestAnswerIsJudgedOnce: a client whose token can be refused inside a
// 200 reads the answer's vendor error once, when the retry rules ask
// Rejected, and every reader of the answer (a JSON answer, one whose body
// is not wanted) keeps that verdict instead of asking Rules.ErrorInBody
// again, with a declared length or without one (chunked); the body a JSON
// call returns is the answer byte for byte. A body cut short of its
// Content-Length is still a truncated answer.
func TestAnswerIsJudgedOnce(t *testing.T) {
	const answer = `{"status":"success","name":"x"}`
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/chunked":
			w.(http.Flusher).Flush() // no Content-Length
		case "/short":
			w.Header().Set("Content-Length", "100")
		}
		_, _ = io.WriteString(w, answer)
	}))
	defer hs.Close()
	var judged atomic.Int32
	cache := NewTokenCache(func(context.Context) (Token, error) { return Token{Value: "token-1"}, nil }, time.Minute, nil)
	auth := bodyTokenAuth(cache)
	c, err := New(NewConfig(WithAuth(auth), WithMaxAttempts(1)), Rules{
		ErrorInBody: func(body []byte) *BodyError {
			judged.Add(1)
			if strings.Contains(string(body), `"error"`) {
				return &BodyError{Code: "498"}
			}
			return nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	call := func(path string) ([]byte, error) {
		req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, hs.URL+path, strings.NewReader("f=json"))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		var out struct{ Name string }
		body, err := c.JSONBody(context.Background(), Call{Op: "test.Get", Request: req}, &out)
		if err == nil && out.Name != "x" {
			t.Errorf("%s: decoded %+v", path, out)
		}
		return body, err
	}
	for _, path := range []string{"/sized", "/chunked"} {
		judged.Store(0)
		body, err := call(path)
		if err != nil || string(body) != answer {
			t.Fatalf("%s: body %q, err %v; want the answer", path, body, err)
		}
		if n := judged.Load(); n != 1 {
			t.Errorf("%s: ErrorInBody called %d times for one answer, want 1", path, n)
		}
	}
	judged.Store(0)
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, hs.URL+"/sized", strings.NewReader("f=json"))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if err := c.NoContent(context.Background(), Call{Op: "test.Delete", Request: req}); err != nil {
		t.Fatalf("NoContent: %v", err)
	}
	if n := judged.Load(); n != 1 {
		t.Errorf("NoContent: ErrorInBody called %d times for one answer, want 1", n)
	}
	if _, err := call("/short"); !errors.Is(err, apierror.ErrTruncated) {
		t.Errorf("short body: err %v, want ErrTruncated", err)
	}
}

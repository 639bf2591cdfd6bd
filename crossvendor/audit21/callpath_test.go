//go:build audit

package audit21

import (
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"net/http/httptest"
	neturl "net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/certadmin/certadmin-go/czertainly"
	"github.com/certadmin/certadmin-go/enterpriseadmin"
	"github.com/certadmin/certadmin-go/internal/transport"
	"github.com/certadmin/certadmin-go/mimcm"
)

// Issue: "Contracts match the code. The Authenticator doc says the request
// 'is a clone private to the attempt', yet attempts share one *http.Request."
// The contract now reads: req is the call's own request, never the caller's;
// every attempt shares its Header map and URL. Checked on the transport
// itself: three attempts of one GET (503, 503, 200) see the same Header map
// and URL objects, and the request is not the one the wrapper built.
func TestAuthenticatorContractMatchesAttempts(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) < 3 {
			w.WriteHeader(503)
			return
		}
		w.WriteHeader(204)
	}))
	defer srv.Close()
	type seen struct {
		req    *http.Request
		header uintptr
		u      *neturl.URL
	}
	var mu sync.Mutex
	var attempts []seen
	auth := transport.AuthenticatorFunc(func(req *http.Request) error {
		mu.Lock()
		defer mu.Unlock()
		attempts = append(attempts, seen{req: req, header: mapID(req.Header), u: req.URL})
		req.Header.Set("Authorization", "x")
		return nil
	})
	cfg := transport.NewConfig(transport.WithAuth(auth), transport.WithRetry(transport.RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond, MaxRetryAfter: time.Second}))
	c, err := transport.New(cfg, transport.Rules{})
	if err != nil {
		t.Fatal(err)
	}
	built, _ := http.NewRequest("GET", srv.URL+"/x", nil)
	if err := c.NoContent(context.Background(), transport.Call{Op: "audit21.Get", Request: built}); err != nil {
		t.Fatal(err)
	}
	if len(attempts) != 3 {
		t.Fatalf("%d attempts authenticated, want 3", len(attempts))
	}
	for i, a := range attempts[1:] {
		if a.header != attempts[0].header {
			t.Errorf("attempt %d has another Header map: the contract says they share one", i+2)
		}
		if a.u != attempts[0].u {
			t.Errorf("attempt %d has another URL: the contract says they share one", i+2)
		}
	}
	doc := readFile(t, "internal/transport/auth.go")
	if strings.Contains(doc, "clone private to the attempt") {
		t.Errorf("internal/transport/auth.go still says the request is a clone private to the attempt")
	}
}

func mapID(h http.Header) uintptr {
	return uintptr(reflectPointer(h))
}

// Issue (same contract): "req is the call's own request, never the caller's".
// A request handed to Do keeps its headers: the credentials go on the call's
// copy, not on the caller's Header map.
func TestDoLeavesCallersRequestAlone(t *testing.T) {
	var got atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.Store(r.Header.Get("Authorization"))
		w.WriteHeader(204)
	}))
	defer srv.Close()
	c, err := mimcm.NewClient(srv.URL, mimcm.WithBasicAuth("u", "p"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	req, _ := http.NewRequest("GET", srv.URL+"/CertificateManagement/api/v1.0/profiletemplates", nil)
	before := req.URL.String()
	if err := c.Do(context.Background(), req, nil); err != nil {
		t.Fatal(err)
	}
	if s, _ := got.Load().(string); !strings.HasPrefix(s, "Basic ") {
		t.Fatalf("server saw Authorization %q", s)
	}
	if h := req.Header.Get("Authorization"); h != "" {
		t.Errorf("the caller's request now carries Authorization %q", h)
	}
	if req.URL.String() != before {
		t.Errorf("the caller's URL changed: %s", req.URL)
	}
}

// Issue: "enterpriseadmin then rewrites that request's body and URL, which
// works only because retryablehttp rewinds the body." With the token in the
// query (WithLegacyTokenQuery) and a token that changes between attempts,
// each attempt of a retried GET carries exactly its own token once.
func TestEnterpriseAdminTokenPlacementPerAttempt(t *testing.T) {
	var mu sync.Mutex
	var queries []string
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		queries = append(queries, r.URL.RawQuery)
		mu.Unlock()
		if n.Add(1) == 1 {
			w.WriteHeader(503)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"id":"x","name":"x"}`))
	}))
	defer srv.Close()
	var k atomic.Int32
	ts := tokenFunc(func(context.Context) (string, error) { return fmt.Sprintf("tok%d", k.Add(1)), nil })
	c, err := enterpriseadmin.NewClient(srv.URL+"/arcgis", enterpriseadmin.WithToken(ts), enterpriseadmin.WithLegacyTokenQuery(),
		enterpriseadmin.WithRetry(enterpriseadmin.RetryPolicy{MaxAttempts: 2, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond, MaxRetryAfter: time.Second}))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.GetIdentityCertificate(context.Background(), "x")
	if len(queries) != 2 {
		t.Fatalf("%d attempts, want 2: %v", len(queries), queries)
	}
	for i, q := range queries {
		want := fmt.Sprintf("token=tok%d", i+1)
		if strings.Count(q, "token=") != 1 || !strings.Contains(q, want) {
			t.Errorf("attempt %d query %q, want exactly %s", i+1, q, want)
		}
	}
}

type tokenFunc func(context.Context) (string, error)

func (f tokenFunc) Token(ctx context.Context) (string, error) { return f(ctx) }

// Issue: "One mechanism for re-authentication. enterpriseadmin keeps a
// second retry loop, for tokens the server rejects (498/499), outside the
// transport, and talks to it through context keys. Move it into the shared
// mechanism." Static: enterpriseadmin's code sets and reads no context
// values. Behaviour: a token refused with 498 costs exactly one more
// generateToken and one more attempt, also for a call that is never repeated
// (an import), and a second refusal ends the call.
func TestEnterpriseAdminReauthIsTheTransports(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(repoRoot(t), "enterpriseadmin", "*.go"))
	for _, fn := range files {
		if strings.HasSuffix(fn, "_test.go") {
			continue
		}
		b, _ := os.ReadFile(fn)
		for _, bad := range []string{"context.WithValue", ".Value("} {
			if strings.Contains(string(b), bad) {
				t.Errorf("%s uses %s: state through context keys", filepath.Base(fn), bad)
			}
		}
	}
	var gen, calls atomic.Int32
	refuse := atomic.Int32{}
	refuse.Store(1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if strings.HasSuffix(r.URL.Path, "/generateToken") {
			g := gen.Add(1)
			fmt.Fprintf(w, `{"token":"t%d","expires":%d,"ssl":false}`, g, time.Now().Add(time.Hour).UnixMilli())
			return
		}
		calls.Add(1)
		if refuse.Add(-1) >= 0 {
			w.Write([]byte(`{"error":{"code":498,"message":"Invalid token.","details":[]}}`))
			return
		}
		w.Write([]byte(`{"id":"x","name":"x"}`))
	}))
	defer srv.Close()
	c, err := enterpriseadmin.NewClient(srv.URL+"/arcgis", enterpriseadmin.WithCredentials("u", "p"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.GetIdentityCertificate(context.Background(), "x"); err != nil {
		t.Fatalf("after one refusal: %v", err)
	}
	if gen.Load() != 2 || calls.Load() != 2 {
		t.Errorf("one 498: %d generateToken and %d calls, want 2 and 2", gen.Load(), calls.Load())
	}
	// Two refusals in a row: the second is the answer.
	gen.Store(0)
	calls.Store(0)
	refuse.Store(2)
	_, err = c.GetIdentityCertificate(context.Background(), "x")
	if err == nil || !enterpriseadmin.IsTokenError(err) {
		t.Errorf("two 498s: %v, want a token error", err)
	}
	if calls.Load() != 2 {
		t.Errorf("two 498s: %d calls, want 2 (one repeat)", calls.Load())
	}
}

// Issue: "Retry decisions are plain functions that take their inputs
// explicitly, wherever the engine allows." In internal/transport/retry.go
// the decision functions (shouldRetry, retryWait, safeToRepeat and the other
// package-level helpers) take no context and reach no call state through
// one; only the engine's adapters (judgeAttempt, prepareRetry, retryClient,
// errorHandler) may.
func TestRetryDecisionsArePlainFunctions(t *testing.T) {
	fn := filepath.Join(repoRoot(t), "internal", "transport", "retry.go")
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, fn, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	adapters := map[string]bool{"judgeAttempt": true, "prepareRetry": true, "retryClient": true, "errorHandler": true}
	found := map[string]bool{}
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || adapters[fd.Name.Name] {
			continue
		}
		found[fd.Name.Name] = true
		for _, p := range fd.Type.Params.List {
			if sel, ok := p.Type.(*ast.SelectorExpr); ok && sel.Sel.Name == "Context" {
				t.Errorf("%s takes a context.Context", fd.Name.Name)
			}
		}
		ast.Inspect(fd.Body, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			switch fun := call.Fun.(type) {
			case *ast.Ident:
				if fun.Name == "stateFrom" {
					t.Errorf("%s reads the call state from a context (%s)", fd.Name.Name, fset.Position(call.Pos()))
				}
			case *ast.SelectorExpr:
				if fun.Sel.Name == "Value" || fun.Sel.Name == "Context" {
					t.Errorf("%s calls .%s() (%s)", fd.Name.Name, fun.Sel.Name, fset.Position(call.Pos()))
				}
			}
			return true
		})
	}
	for _, want := range []string{"shouldRetry", "retryWait"} {
		if !found[want] {
			t.Errorf("no plain function %s in retry.go", want)
		}
	}
}

// Issue: "Token sources: there are three token caches … czertainly's
// refreshing source, which holds its mutex across the network fetch. Keep
// one, shared." czertainly's refreshing source is the transport's cache;
// concurrent callers share one fetch; a caller whose context ends is not held
// behind another caller's fetch.
func TestTokenCacheIsOneAndShared(t *testing.T) {
	release := make(chan struct{})
	var fetches atomic.Int32
	ts := czertainly.NewRefreshingTokenSource(func(ctx context.Context) (string, time.Time, error) {
		fetches.Add(1)
		<-release
		return "tok", time.Now().Add(time.Hour), nil
	})
	if got := fmt.Sprintf("%T", ts); got != "*transport.TokenCache" {
		t.Errorf("czertainly.NewRefreshingTokenSource is a %s, not the shared *transport.TokenCache", got)
	}
	var wg sync.WaitGroup
	results := make(chan string, 4)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v, _ := ts.Token(context.Background())
			results <- v
		}()
	}
	// Wait for the first fetch to start.
	for fetches.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	done := make(chan error, 1)
	go func() { _, err := ts.Token(ctx); done <- err }()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled caller during a fetch: %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Errorf("a cancelled caller is held behind another caller's fetch (a lock held across the fetch)")
	}
	close(release)
	wg.Wait()
	close(results)
	for v := range results {
		if v != "tok" {
			t.Errorf("a caller got %q", v)
		}
	}
	if fetches.Load() != 1 {
		t.Errorf("%d fetches for concurrent callers, want 1", fetches.Load())
	}
}

// Issue: "enterpriseadmin then rewrites that request's body and URL, which
// works only because retryablehttp rewinds the body" and "One mechanism for
// re-authentication". A POST that is never repeated (a delete), whose token
// is refused (498), is sent once more by the shared mechanism, and each
// attempt's body carries its own token exactly once.
func TestEnterpriseAdminPOSTBodyTokenPerAttempt(t *testing.T) {
	var mu sync.Mutex
	var bodies []string
	var gen, calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if strings.HasSuffix(r.URL.Path, "/generateToken") {
			fmt.Fprintf(w, `{"token":"tok%d","expires":%d,"ssl":false}`, gen.Add(1), time.Now().Add(time.Hour).UnixMilli())
			return
		}
		r.ParseForm()
		mu.Lock()
		bodies = append(bodies, r.PostForm.Encode())
		mu.Unlock()
		if calls.Add(1) == 1 {
			w.Write([]byte(`{"error":{"code":498,"message":"Invalid token.","details":[]}}`))
			return
		}
		w.Write([]byte(`{"status":"success"}`))
	}))
	defer srv.Close()
	c, err := enterpriseadmin.NewClient(srv.URL+"/arcgis", enterpriseadmin.WithCredentials("u", "p"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.DeleteIdentityCertificate(context.Background(), "x"); err != nil {
		t.Fatalf("delete after one refused token: %v", err)
	}
	if len(bodies) != 2 {
		t.Fatalf("%d attempts, want 2: %v", len(bodies), bodies)
	}
	for i, b := range bodies {
		v, _ := neturl.ParseQuery(b)
		if got := v["token"]; len(got) != 1 || got[0] != fmt.Sprintf("tok%d", i+1) {
			t.Errorf("attempt %d body tokens %v, want exactly [tok%d]", i+1, got, i+1)
		}
	}
}

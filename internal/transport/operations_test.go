package transport_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/certadmin/certadmin-go/internal/transport"
)

var testOps = transport.NewOperations([]transport.Operation{
	{ID: "listUsers", Method: "GET", Path: "/v1/users"},
	{ID: "createUser", Method: "POST", Path: "/v1/users"},
	{ID: "identifyUser", Method: "POST", Path: "/v1/users/identify", Repeat: transport.ReadOnly},
	{ID: "getUser", Method: "GET", Path: "/v1/users/{userUuid}"},
	{ID: "deleteUser", Method: "DELETE", Path: "/v1/users/{userUuid}", Repeat: transport.Never},
	{ID: "getSearchable", Method: "GET", Path: "/v1/certificates/search"},
	{ID: "getCertificate", Method: "GET", Path: "/v1/certificates/{uuid}"},
	{ID: "download", Method: "GET", Path: "/v1/certificates/{uuid}/{format}"},
	{ID: "chain", Method: "GET", Path: "/v1/certificates/{uuid}/chain"},
	{ID: "enableAll", Method: "PUT", Path: "/v1/admins/enable"},
	{ID: "enableOne", Method: "PUT", Path: "/v1/admins/{uuid}/enable"},
	{ID: "ctxSelf", Method: "GET", Path: "/{context}/sharing/rest/community/self"},
	// Two templates no rule can order: /a/{x}/c and /a/b/{y} both match
	// /a/b/c with three segments and two literals.
	{ID: "ambOne", Method: "GET", Path: "/a/{x}/c"},
	{ID: "ambTwo", Method: "GET", Path: "/a/b/{y}"},
})

func TestOperationsLookup(t *testing.T) {
	for _, tc := range []struct {
		method, path string
		want         string // operation ID, or "" for an error
		err          error
	}{
		{"GET", "/api/v1/users", "listUsers", nil},
		{"POST", "/api/v1/users", "createUser", nil},
		{"get", "/v1/users", "listUsers", nil}, // method case does not matter
		{"GET", "/v1/users/", "listUsers", nil},
		{"GET", "/api/v1/users?page=2", "listUsers", nil},
		// Prefixes of any depth before the template (base URLs carry them).
		{"GET", "/deep/proxy/prefix/api/v1/users/0b5c-11", "getUser", nil},
		// A literal beats a parameter at the same depth.
		{"POST", "/api/v1/users/identify", "identifyUser", nil},
		{"GET", "/api/v1/users/identify", "getUser", nil}, // GET has no identify: the parameter matches
		{"GET", "/api/v1/certificates/search", "getSearchable", nil},
		{"GET", "/api/v1/certificates/u1", "getCertificate", nil},
		{"GET", "/api/v1/certificates/u1/chain", "chain", nil},
		{"GET", "/api/v1/certificates/u1/pem", "download", nil},
		// The longer template that matches wins; the shorter one does not
		// match a path whose segments disagree.
		{"PUT", "/api/v1/admins/enable", "enableAll", nil},
		{"PUT", "/api/v1/admins/u1/enable", "enableOne", nil},
		// A parameter in the first segment of the template matches the web
		// context (an ArcGIS /arcgis or /portal).
		{"GET", "/portal/sharing/rest/community/self", "ctxSelf", nil},
		// An escaped slash stays inside one segment.
		{"GET", "/api/v1/users/a%2Fb", "getUser", nil},
		// Wrong method, unknown path, too short, an empty parameter.
		{"DELETE", "/api/v1/users", "", transport.ErrNoOperation},
		{"PATCH", "/api/v1/users/u1", "", transport.ErrNoOperation},
		{"GET", "/api/v2/nothing", "", transport.ErrNoOperation},
		{"GET", "/sharing/rest/community/self", "", transport.ErrNoOperation},
		{"GET", "/", "", transport.ErrNoOperation},
		{"GET", "/x/a/b/c", "", transport.ErrAmbiguousOperation},
	} {
		op, err := testOps.Lookup(tc.method, tc.path)
		if tc.err != nil {
			if !errors.Is(err, tc.err) {
				t.Errorf("%s %s: got %q, %v; want error %v", tc.method, tc.path, op.ID, err, tc.err)
			}
			continue
		}
		if err != nil || op.ID != tc.want {
			t.Errorf("%s %s: got %q, %v; want %q", tc.method, tc.path, op.ID, err, tc.want)
		}
	}
}

// TestOperationsLookupAgreesWithTheRule checks the indexed Lookup against
// a plain reading of its documented rule (every template of the method
// tried against the end of the path; more segments, then more literals,
// win; a tie is ambiguous) on random paths built from the templates' own
// segments, parameters, prefixes and trailing slashes.
func TestOperationsLookupAgreesWithTheRule(t *testing.T) {
	ops := append(testOps.All(),
		transport.Operation{ID: "paramsOnly", Method: "GET", Path: "/{a}/{b}/{c}/{d}"},
		transport.Operation{ID: "deepParams", Method: "GET", Path: "/v1/deep/{a}/{b}/{c}"},
		transport.Operation{ID: "root", Method: "GET", Path: "/"},
	)
	table := transport.NewOperations(ops)
	var words []string
	for _, op := range ops {
		for _, s := range strings.Split(strings.Trim(op.Path, "/"), "/") {
			if !strings.HasPrefix(s, "{") {
				words = append(words, s)
			}
		}
	}
	words = append(words, "u1", "x", "a%2Fb", "")
	rng := rand.New(rand.NewPCG(21, 1))
	matched, ambiguous, none := 0, 0, 0
	for range 20000 {
		var b strings.Builder
		for range rng.IntN(4) {
			b.WriteString("/" + words[rng.IntN(len(words))])
		}
		// Half the paths end in an instance of a template (a word for
		// each parameter), half in random words.
		if rng.IntN(2) == 0 {
			for _, s := range strings.Split(strings.Trim(ops[rng.IntN(len(ops))].Path, "/"), "/") {
				if strings.HasPrefix(s, "{") {
					s = words[rng.IntN(len(words))]
				}
				b.WriteString("/" + s)
			}
		} else {
			for range rng.IntN(4) {
				b.WriteString("/" + words[rng.IntN(len(words))])
			}
		}
		if rng.IntN(8) == 0 {
			b.WriteString("/")
		}
		path := b.String()
		method := []string{"GET", "POST", "PUT", "DELETE", "get"}[rng.IntN(5)]
		want, wantErr := lookupByTheRule(ops, method, path)
		got, err := table.Lookup(method, path)
		switch {
		case wantErr != nil:
			if !errors.Is(err, wantErr) {
				t.Fatalf("%s %q: got %q, %v; the rule says %v", method, path, got.ID, err, wantErr)
			}
			if errors.Is(wantErr, transport.ErrAmbiguousOperation) {
				ambiguous++
			} else {
				none++
			}
		case err != nil || got.ID != want:
			t.Fatalf("%s %q: got %q, %v; the rule says %q", method, path, got.ID, err, want)
		default:
			matched++
		}
	}
	// The paths must exercise every outcome, or the comparison says little.
	if matched < 1000 || ambiguous == 0 || none < 1000 {
		t.Fatalf("random paths: %d matched, %d ambiguous, %d matched none", matched, ambiguous, none)
	}
}

// lookupByTheRule is Operations.Lookup's documented rule, written plainly.
func lookupByTheRule(ops []transport.Operation, method, path string) (string, error) {
	segments := func(p string) []string { return strings.Split(strings.Trim(p, "/"), "/") }
	pathSegs := strings.Split(strings.TrimRight(path, "/"), "/")[1:]
	if path == "" {
		pathSegs = nil
	}
	best, bestSegs, bestLiterals, tie := "", -1, -1, false
	for _, op := range ops {
		if op.Method != strings.ToUpper(method) {
			continue
		}
		tmpl := segments(op.Path)
		if len(tmpl) > len(pathSegs) {
			continue
		}
		tail := pathSegs[len(pathSegs)-len(tmpl):]
		literals, ok := 0, true
		for i, s := range tmpl {
			switch {
			case s == "" || strings.HasPrefix(s, "{"):
				ok = ok && tail[i] != ""
				if s == "" {
					literals++ // the root template's one segment counts as a literal
				}
			default:
				ok = ok && tail[i] == s
				literals++
			}
		}
		if !ok {
			continue
		}
		switch {
		case len(tmpl) > bestSegs || (len(tmpl) == bestSegs && literals > bestLiterals):
			best, bestSegs, bestLiterals, tie = op.ID, len(tmpl), literals, false
		case len(tmpl) == bestSegs && literals == bestLiterals:
			tie = true
		}
	}
	switch {
	case bestSegs < 0:
		return "", transport.ErrNoOperation
	case tie:
		return "", transport.ErrAmbiguousOperation
	}
	return best, nil
}

func TestOperationsRepeat(t *testing.T) {
	for _, tc := range []struct {
		method, path string
		want         transport.Repeat
	}{
		{"POST", "/api/v1/users/identify", transport.ReadOnly},
		{"DELETE", "/api/v1/users/u1", transport.Never},
		{"GET", "/api/v1/users/u1", transport.ByMethod},
		{"POST", "/api/v1/nothing", transport.ByMethod}, // unmatched: the method decides
		{"GET", "/x/a/b/c", transport.ByMethod},         // ambiguous: the method decides
	} {
		req := httptest.NewRequest(tc.method, "http://h"+tc.path, nil)
		if got := testOps.Repeat(req); got != tc.want {
			t.Errorf("%s %s: %v, want %v", tc.method, tc.path, got, tc.want)
		}
	}
	var none *transport.Operations
	if got := none.Repeat(httptest.NewRequest("POST", "http://h/x", nil)); got != transport.ByMethod {
		t.Errorf("nil table: %v, want ByMethod", got)
	}
	if all := testOps.All(); len(all) != 14 || all[0].ID != "listUsers" || all[13].ID != "ambTwo" {
		t.Errorf("All: %d operations, out of order or lost", len(all))
	}
}

// The spec's x-repeat decides for every request of a client whose Rules
// carry the table: a DELETE the spec marks never is sent once on a 503, a
// POST it marks read-only is retried, and the vendor's Rules.Repeat still
// makes a call stricter.
func TestOperationsDecideTheTransportsRepeat(t *testing.T) {
	s := &script{statuses: []int{503}}
	srv := httptest.NewServer(s)
	defer srv.Close()
	c := newClientWithRules(t, transport.Rules{Operations: testOps})
	count := func(name string, c *transport.Client, method, path string, want int32) {
		t.Helper()
		before := s.hits.Load()
		req, err := http.NewRequest(method, srv.URL+path, strings.NewReader("{}"))
		if err != nil {
			t.Fatal(err)
		}
		_ = c.Do(context.Background(), transport.Call{Op: "t.Do", Request: req}, nil)
		if n := s.hits.Load() - before; n != want {
			t.Errorf("%s: %d requests, want %d", name, n, want)
		}
	}
	count("DELETE never", c, "DELETE", "/api/v1/users/u1", 1)
	count("POST read-only", c, "POST", "/api/v1/users/identify", 4)
	count("POST create", c, "POST", "/api/v1/users", 1)
	count("GET", c, "GET", "/api/v1/users/u1", 4)
	count("PUT unmatched", c, "PUT", "/api/elsewhere", 4)
	strict := newClientWithRules(t, transport.Rules{Operations: testOps, Repeat: func(*http.Request) transport.Repeat { return transport.Never }})
	count("read-only POST under a never rule", strict, "POST", "/api/v1/users/identify", 1)
}

type fakeM struct{ run func() }

func (m fakeM) Run() int { m.run(); return 0 }

// A request the spec does not describe is reported, and fails the test
// binary that watches (a vendor package's TestMain); a described one is
// not.
func TestRunWatchingOperationsFailsOnAnUndescribedRequest(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(204) }))
	defer srv.Close()
	c := newClientWithRules(t, transport.Rules{Operations: testOps})
	send := func(method, path string) func() {
		return func() {
			req, err := http.NewRequest(method, srv.URL+path, nil)
			if err != nil {
				t.Fatal(err)
			}
			_ = c.Do(context.Background(), transport.Call{Op: "t.Send", Request: req}, nil)
		}
	}
	if code := transport.RunWatchingOperations(fakeM{send("GET", "/api/v1/users/u1")}); code != 0 {
		t.Errorf("a described request: exit %d, want 0", code)
	}
	if code := transport.RunWatchingOperations(fakeM{send("GET", "/api/v1/nothing")}); code != 1 {
		t.Errorf("an undescribed request: exit %d, want 1", code)
	}
	report := transport.WatchOperations()
	send("GET", "/x/a/b/c")()
	send("GET", "/x/a/b/c")()
	bad := report()
	if len(bad) != 1 || !strings.Contains(bad[0], "t.Send: GET /x/a/b/c: several operations") || !strings.Contains(bad[0], "(2 times)") {
		t.Errorf("report = %q, want the ambiguous request once, twice seen", bad)
	}
	send("GET", "/api/v1/nothing")() // after report: no longer watched
	if bad := report(); len(bad) != 1 {
		t.Errorf("report after stopping = %q, want it unchanged", bad)
	}
}

package transport

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// Operation is one operation of a vendor's OpenAPI document, as
// internal/cmd/genops writes it into the vendor package's
// operations.gen.go: the spec is the one place that says whether an
// operation may be sent again (its method, or its x-repeat extension).
type Operation struct {
	// ID is the spec's operationId.
	ID string
	// Method is the HTTP method in upper case.
	Method string
	// Path is the spec's path template, "/v1/users/{userUuid}".
	Path string
	// Repeat is ByMethod unless the spec's x-repeat says otherwise
	// (read-only: ReadOnly, never: Never).
	Repeat Repeat
}

// Errors of Operations.Lookup.
var (
	// ErrNoOperation: no operation of the table has the request's method
	// and a path template matching the end of its path.
	ErrNoOperation = errors.New("no operation of the spec matches the request")
	// ErrAmbiguousOperation: two operations match equally well.
	ErrAmbiguousOperation = errors.New("several operations of the spec match the request")
)

// Operations is a vendor's operation table, built once from generated
// data. It finds the operation an outgoing request is an instance of.
type Operations struct {
	all      []Operation
	byMethod map[string]*methodTemplates
}

type template struct {
	op       Operation
	segs     []string // the template's segments; "" is a path parameter
	literals int
}

// methodTemplates are one method's templates, indexed so that Lookup
// tries only those that can match: a template matches a path only if its
// last literal segment, anchor.depth segments from the template's end,
// equals the path's segment as far from the path's end. Looking up the
// path's last few segments finds them; without the index a lookup tried
// every template of the method, which for the 73 operations of the
// largest spec cost 0.7 µs on every request.
type methodTemplates struct {
	byAnchor map[anchor][]template
	// unanchored are the templates without a literal segment, tried for
	// every path.
	unanchored []template
	// depths is one more than the deepest anchor: how many of the
	// path's last segments Lookup reads.
	depths int
}

type anchor struct {
	depth int // segments between the literal and the template's end
	seg   string
}

// NewOperations builds the table. It panics on a malformed entry (an empty
// method, a path not starting with "/"): the data is generated, so that is
// a generator bug found by the first test that builds a client.
func NewOperations(ops []Operation) *Operations {
	t := &Operations{all: append([]Operation(nil), ops...), byMethod: map[string]*methodTemplates{}}
	for _, op := range ops {
		if op.Method == "" || !strings.HasPrefix(op.Path, "/") {
			panic(fmt.Sprintf("transport.NewOperations: malformed operation %+v", op))
		}
		tp := template{op: op}
		for _, s := range strings.Split(strings.Trim(op.Path, "/"), "/") {
			if strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") {
				s = ""
			} else {
				tp.literals++
			}
			tp.segs = append(tp.segs, s)
		}
		m := strings.ToUpper(op.Method)
		mt := t.byMethod[m]
		if mt == nil {
			mt = &methodTemplates{byAnchor: map[anchor][]template{}}
			t.byMethod[m] = mt
		}
		mt.add(tp)
	}
	return t
}

func (mt *methodTemplates) add(tp template) {
	for i := len(tp.segs) - 1; i >= 0; i-- {
		if s := tp.segs[i]; s != "" {
			a := anchor{depth: len(tp.segs) - 1 - i, seg: s}
			mt.byAnchor[a] = append(mt.byAnchor[a], tp)
			mt.depths = max(mt.depths, a.depth+1)
			return
		}
	}
	mt.unanchored = append(mt.unanchored, tp)
}

// All returns the table's operations in the generated order.
func (t *Operations) All() []Operation { return append([]Operation(nil), t.all...) }

// Lookup returns the operation a request with method and (escaped) path is
// an instance of. A template matches the end of the path, segment by
// segment, a path parameter matching any one non-empty segment, because
// base URLs carry prefixes the spec does not know ("/arcgis",
// "/api" behind a proxy). Of several matches the one with more segments
// wins (it explains more of the path), then the one with more literal
// segments ("/certificates/search" over "/certificates/{uuid}", as
// OpenAPI prefers concrete paths); a tie beyond that is
// ErrAmbiguousOperation. No match is ErrNoOperation.
func (t *Operations) Lookup(method, path string) (Operation, error) {
	if i := strings.IndexAny(path, "?#"); i >= 0 {
		path = path[:i]
	}
	var best *template
	ambiguous := false
	// consider keeps the best match; the order templates come in does
	// not change the outcome.
	consider := func(tps []template) {
		for i := range tps {
			tp := &tps[i]
			if !tp.matches(path) {
				continue
			}
			switch {
			case best == nil || len(tp.segs) > len(best.segs) || (len(tp.segs) == len(best.segs) && tp.literals > best.literals):
				best, ambiguous = tp, false
			case len(tp.segs) == len(best.segs) && tp.literals == best.literals:
				ambiguous = true
			}
		}
	}
	mt := t.byMethod[method]
	if mt == nil {
		mt = t.byMethod[strings.ToUpper(method)]
	}
	if mt != nil {
		rest := strings.TrimRight(path, "/")
		for depth := 0; depth < mt.depths; depth++ {
			j := strings.LastIndexByte(rest, '/')
			if j < 0 {
				break // the path has no segment this deep
			}
			consider(mt.byAnchor[anchor{depth: depth, seg: rest[j+1:]}])
			rest = rest[:j]
		}
		consider(mt.unanchored)
	}
	switch {
	case best == nil:
		return Operation{}, fmt.Errorf("%s %s: %w", method, path, ErrNoOperation)
	case ambiguous:
		return Operation{}, fmt.Errorf("%s %s: %w", method, path, ErrAmbiguousOperation)
	}
	return best.op, nil
}

// matches reports whether the template matches the last len(tp.segs)
// segments of path, reading path from its end (no allocation: it runs for
// every request).
func (tp *template) matches(path string) bool {
	path = strings.TrimRight(path, "/")
	for i := len(tp.segs) - 1; i >= 0; i-- {
		j := strings.LastIndexByte(path, '/')
		if j < 0 {
			return false // the path has fewer segments than the template
		}
		seg := path[j+1:]
		path = path[:j]
		if s := tp.segs[i]; s == "" {
			if seg == "" {
				return false
			}
		} else if s != seg {
			return false
		}
	}
	return true
}

// Repeat is the spec's answer to whether req may be sent again: the
// Repeat of the operation it matches, ByMethod when it matches none (a
// request sent through Do to a path the spec does not describe) or
// several: the answer the transport's own lookup (Client.repeatOf) gives
// before the vendor's veto, for tools and tests that hold only the table.
func (t *Operations) Repeat(req *http.Request) Repeat {
	if t == nil {
		return ByMethod
	}
	op, err := t.Lookup(req.Method, req.URL.EscapedPath())
	if err != nil {
		return ByMethod
	}
	return op.Repeat
}

// watch, when set, records the requests of clients with an operations
// table that match no operation or several (see WatchOperations).
var watch atomic.Pointer[operationWatch]

type operationWatch struct {
	mu  sync.Mutex
	bad map[string]int
}

// WatchOperations starts recording, for every client whose Rules carry an
// operations table, each request that matches no operation of it or
// several: a wrapper sending what its spec does not describe, so that the
// spec's x-repeat would not apply to it. It is for tests: a vendor
// package's TestMain calls it through RunWatchingOperations. report stops
// the recording and returns one line per distinct miss.
func WatchOperations() (report func() []string) {
	w := &operationWatch{bad: map[string]int{}}
	watch.Store(w)
	return func() []string {
		watch.CompareAndSwap(w, nil)
		w.mu.Lock()
		defer w.mu.Unlock()
		out := make([]string, 0, len(w.bad))
		for k, n := range w.bad {
			out = append(out, fmt.Sprintf("%s (%d times)", k, n))
		}
		slices.Sort(out)
		return out
	}
}

// RunWatchingOperations runs a test binary's tests (m is the *testing.M)
// under WatchOperations and fails it when a request matched no operation
// of its client's spec, or several. A vendor package's TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(transport.RunWatchingOperations(m)) }
func RunWatchingOperations(m interface{ Run() int }) int {
	report := WatchOperations()
	code := m.Run()
	if bad := report(); len(bad) > 0 {
		fmt.Fprintln(os.Stderr, "requests no operation of the spec describes (add the operation to openapi/<vendor>.yaml, or fix the request):")
		for _, b := range bad {
			fmt.Fprintln(os.Stderr, "\t"+b)
		}
		if code == 0 {
			code = 1
		}
	}
	return code
}

// operationOf returns the spec's operation of req (ok false when the
// client has no table or the request matches none or several, which a
// watch records).
func (c *Client) operationOf(call *Call, req *http.Request) (Operation, bool) {
	if c.rules.Operations == nil {
		return Operation{}, false
	}
	op, err := c.rules.Operations.Lookup(req.Method, req.URL.EscapedPath())
	if err != nil {
		if w := watch.Load(); w != nil {
			w.mu.Lock()
			w.bad[call.Op+": "+err.Error()]++
			w.mu.Unlock()
		}
		return Operation{}, false
	}
	return op, true
}

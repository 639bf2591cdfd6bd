package transport

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
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
	byMethod map[string][]template
}

type template struct {
	op       Operation
	segs     []string // the template's segments; "" is a path parameter
	literals int
}

// NewOperations builds the table. It panics on a malformed entry (an empty
// method, a path not starting with "/"): the data is generated, so that is
// a generator bug found by the first test that builds a client.
func NewOperations(ops []Operation) *Operations {
	t := &Operations{all: append([]Operation(nil), ops...), byMethod: map[string][]template{}}
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
		t.byMethod[m] = append(t.byMethod[m], tp)
	}
	return t
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
	segs := strings.Split(strings.Trim(path, "/"), "/")
	var best *template
	ambiguous := false
	tps := t.byMethod[strings.ToUpper(method)]
	for i := range tps {
		tp := &tps[i]
		if !tp.matches(segs) {
			continue
		}
		switch {
		case best == nil || len(tp.segs) > len(best.segs) || (len(tp.segs) == len(best.segs) && tp.literals > best.literals):
			best, ambiguous = tp, false
		case len(tp.segs) == len(best.segs) && tp.literals == best.literals:
			ambiguous = true
		}
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
// segments of path.
func (tp *template) matches(path []string) bool {
	if len(tp.segs) > len(path) {
		return false
	}
	tail := path[len(path)-len(tp.segs):]
	for i, s := range tp.segs {
		if s == "" {
			if tail[i] == "" {
				return false
			}
			continue
		}
		if s != tail[i] {
			return false
		}
	}
	return true
}

// Repeat is the spec's answer to whether req may be sent again: the
// Repeat of the operation it matches, ByMethod when it matches none (a
// request sent through Do to a path the spec does not describe) or
// several. It has the signature of Rules.Repeat; the transport calls it
// for every request of a client whose Rules carry the table.
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

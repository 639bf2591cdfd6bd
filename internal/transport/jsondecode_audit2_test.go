//lint:file-ignore U1000 unexported fields and embeddings are there on purpose: encoding/json ignores or reaches them

package transport

// A second fresh audit of UnmarshalJSON (jsondecode.go), after 7e4a121
// (then, presetPointer walked a per-type list of the struct fields from
// which an interface can be reached) and b086122 (the Cloud page reader
// decodes through UnmarshalJSON). The contract: for every body and
// destination, the destination's content and the error (presence, type,
// text) are exactly encoding/json's. The sections headed "found" failed
// then; UnmarshalJSON now gives the v2 decoder only fresh destinations
// and makes them fresh again after it fails.
//
// Every probe decodes the same body into two identical destinations, one
// with decodeJSON (the production path: cross-check off) and one with
// json.Unmarshal, and FAILS when they differ, also after an error
// (encoding/json's content after an error is part of its result, as
// TestDecodeJSONPrefilledAfterError holds).

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
)

// a2Diff compares decodeJSON with json.Unmarshal on body, each into its
// own fresh() destination, including the destination after an error.
func a2Diff(body string, fresh func() any) string {
	got, want := fresh(), fresh()
	gotErr, wantErr := decodeJSON([]byte(body), got, false), json.Unmarshal([]byte(body), want)
	if msg := describeDiff(got, want, gotErr, wantErr); msg != "" {
		return msg
	}
	if gotErr != nil && !reflect.DeepEqual(got, want) {
		return fmt.Sprintf("both fail with %q, but UnmarshalJSON leaves %s where encoding/json leaves %s", gotErr, a2Show(got), a2Show(want))
	}
	return ""
}

// a2Show prints a destination (a pointer) one level deep.
func a2Show(v any) string {
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Pointer && !rv.IsNil() {
		rv = rv.Elem()
	}
	s := fmt.Sprintf("%#v", rv.Interface())
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

// a2Case is the probes' case, as decodeCase; a2Run also compares what
// each decoder leaves in the destination after an error.
type a2Case = decodeCase

func a2Run(t *testing.T, cases []a2Case) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if msg := a2Diff(c.body, c.fresh); msg != "" {
				t.Errorf("body %s into %T: %s", c.body, c.fresh(), msg)
			}
		})
	}
}

// ---- types ----

// a2V is the smallest struct with an interface member.
type a2V struct {
	V any `json:"v"`
}

type a2v struct { // unexported, for embedding
	V any `json:"v"`
}

type a2EmbVal struct{ a2V }
type a2EmbPtr struct{ *a2V }
type a2EmbUnexpVal struct{ a2v }
type a2EmbUnexpPtr struct{ *a2v }

type a2Node struct {
	Next *a2Node `json:"next"`
	V    any     `json:"v"`
}

type a2Tree struct {
	Kids []a2Tree `json:"kids"`
	V    any      `json:"v"`
}

// a2Mutual reaches an interface only through a2Back and back.
type a2Mutual struct {
	B a2Back `json:"b"`
	V any    `json:"v"`
}
type a2Back struct {
	M *a2Mutual `json:"m"`
}

type a2NumStringer struct {
	N json.Number `json:"n"`
}

func (*a2NumStringer) String() string { return "n" }

type a2ValStringer struct{ X int }

func (a2ValStringer) String() string { return "v" }

type a2PtrStringer struct{ X int }

func (*a2PtrStringer) String() string { return "p" }

type a2StringerHolder struct {
	S fmt.Stringer `json:"s"`
	I int          `json:"i"`
}

// a2Counter counts the calls of its UnmarshalJSON.
type a2Counter int

func (c *a2Counter) UnmarshalJSON([]byte) error { *c++; return nil }

// a2Once refuses to be decoded twice into (a "set once" value).
type a2Once struct{ S string }

func (o *a2Once) UnmarshalJSON(b []byte) error {
	if o.S != "" {
		return errors.New("a2Once: already set to " + o.S)
	}
	o.S = string(b)
	return nil
}

func a2Num() *json.Number { var n json.Number; return &n }

// ---- found: interfaces in a slice's capacity ----

// encoding/json decodes the n-th element of a JSON array into the slice's
// n-th element even when n is past the slice's length but within its
// capacity (decode.go: SetLen(i+1), then d.value(v.Index(i)), nothing
// zeroed), so an interface there that holds a pointer is decoded into.
// presetPointer walked only v.Len() elements, so such a destination took
// the v2 path, which filled the *json.Number with "A"; a slice with spare
// capacity is no fresh destination now.
func TestAudit2SliceCapacityInterfaceHoldingPointer(t *testing.T) {
	a2Run(t, []a2Case{
		{"[]any len 0 cap 1", `["A"]`, func() any { s := []any{a2Num()}[:0]; return &s }},
		{"[]any len 1 cap 2", `[1,"A"]`, func() any { s := []any{nil, a2Num()}[:1]; return &s }},
		{"[]a2V len 0 cap 1", `[{"v":"A"}]`, func() any { s := []a2V{{V: a2Num()}}[:0]; return &s }},
		{"struct field []any", `{"l":["A"]}`, func() any {
			return &struct {
				L []any `json:"l"`
			}{L: []any{a2Num()}[:0]}
		}},
	})
}

// ---- found: a non-empty interface holding a non-pointer, after an error ----

// The v2 decoder (with v1's merge semantics) sets an interface holding a
// non-pointer to nil before it finds that a non-empty interface cannot be
// decoded into; encoding/json leaves it as it was and reports the same
// error. encoding/json's re-decode then runs on the nil interface.
func TestAudit2NonEmptyInterfaceHoldingValueAfterError(t *testing.T) {
	a2Run(t, []a2Case{
		{"member holds a value", `{"s":"x"}`, func() any { return &a2StringerHolder{S: a2ValStringer{1}} }},
		{"member holds a value, object", `{"s":{"X":2}}`, func() any { return &a2StringerHolder{S: a2ValStringer{1}} }},
		{"member holds a nil pointer", `{"s":{"X":2}}`, func() any { return &a2StringerHolder{S: (*a2PtrStringer)(nil)} }},
		{"top-level *fmt.Stringer", `{}`, func() any { var s fmt.Stringer = a2ValStringer{1}; return &s }},
	})
}

// ---- found: an error encoding/json stops at ----

// encoding/json stops decoding at an error that is not an
// *UnmarshalTypeError (a method's error: time.Time, uuid.UUID, any
// UnmarshalJSON or UnmarshalText), so what follows stays as it was. The v2
// decoder with v1 options keeps going past such errors, and
// decodeJSON's re-decode by encoding/json into the same destination does
// not undo what the v2 decoder wrote after the error.
func TestAudit2AbortingErrorLeavesTheRestUndecoded(t *testing.T) {
	type withTime struct {
		T time.Time `json:"t"`
		I int       `json:"i"`
	}
	type withUUID struct {
		U    uuid.UUID `json:"u"`
		Name string    `json:"name"`
	}
	type withJSONErr struct {
		J jsonErr `json:"j"`
		I int     `json:"i"`
	}
	type withText struct {
		T textPtr `json:"t"`
		I int     `json:"i"`
	}
	type withUpper struct {
		C upperText `json:"c"`
		I int       `json:"i"`
	}
	type times struct {
		TS []time.Time `json:"ts"`
	}
	a2Run(t, []a2Case{
		{"time.Time", `{"t":"nope","i":5}`, func() any { return new(withTime) }},
		{"uuid.UUID", `{"u":"nope","name":"x"}`, func() any { return new(withUUID) }},
		{"UnmarshalJSON error", `{"j":1,"i":5}`, func() any { return new(withJSONErr) }},
		{"UnmarshalText error", `{"t":"bad","i":5}`, func() any { return new(withText) }},
		{"wrapped error", `{"c":1,"i":5}`, func() any { return new(withUpper) }},
		{"in a slice", `{"ts":["nope","2024-01-02T03:04:05Z"]}`, func() any { return new(times) }},
	})
}

// ---- found: methods run twice ----

// When the v2 decoder fails (here on a member of the wrong type), the
// body is decoded again by encoding/json into the same destination, so an
// UnmarshalJSON method already called runs a second time on what its
// first call left: a counter counts two, a set-once value fails with its
// own error instead of encoding/json's *UnmarshalTypeError.
func TestAudit2MethodsRunOnce(t *testing.T) {
	type counted struct {
		C a2Counter `json:"c"`
		I int       `json:"i"`
	}
	type once struct {
		O a2Once `json:"o"`
		I int    `json:"i"`
	}
	a2Run(t, []a2Case{
		{"counter", `{"c":1,"i":"x"}`, func() any { return new(counted) }},
		{"set once", `{"o":1,"i":"x"}`, func() any { return new(once) }},
	})
}

// ---- found: a destination whose pointers share (a hang) ----

// The audit found that presetPointer, the walk that looked for an
// interface holding a pointer, followed every path through a
// destination's pointers: a value whose pointers share their target (a
// DAG) of depth d has 2^d paths, and a 25-deep one took 1.4 s. Nothing
// walks a destination now (a non-fresh one goes straight to
// encoding/json), so a 64-deep one, 2^64 paths, decodes at once; a walk
// brought back would make this test hang until go test's timeout.
func TestAudit2SharedPointersDoNotBlowUp(t *testing.T) {
	type dag struct {
		A, B *dag
		V    any
	}
	var n *dag
	for range 64 {
		n = &dag{A: n, B: n}
	}
	want := *n
	wantErr := json.Unmarshal([]byte(`{"V":1}`), &want)
	got := *n
	gotErr := decodeJSON([]byte(`{"V":1}`), &got, false)
	if msg := describeDiff(&got, &want, gotErr, wantErr); msg != "" {
		t.Error(msg)
	}
}

// ---- interfaces holding pointers at every depth ----

// Each destination has an interface, somewhere, holding a *json.Number,
// and the body sends "A" there: encoding/json decodes into the Number and
// fails ("invalid number literal"), the v2 decoder would fill it with "A"
// and succeed. So each case fails as soon as such a destination reaches
// the v2 decoder. The last cases are controls where encoding/json does not reach
// the interface (maps, json:"-", unexported, a value in the interface).
func TestAudit2InterfaceHoldingPointerAtEveryDepth(t *testing.T) {
	a2Run(t, []a2Case{
		{"member", `{"v":"A"}`, func() any { return &a2V{V: a2Num()} }},
		{"embedded value", `{"v":"A"}`, func() any { return &a2EmbVal{a2V{V: a2Num()}} }},
		{"embedded pointer", `{"v":"A"}`, func() any { return &a2EmbPtr{&a2V{V: a2Num()}} }},
		{"embedded unexported value", `{"v":"A"}`, func() any { return &a2EmbUnexpVal{a2v{V: a2Num()}} }},
		{"embedded unexported pointer", `{"v":"A"}`, func() any { return &a2EmbUnexpPtr{&a2v{V: a2Num()}} }},
		{"anonymous struct member", `{"in":{"v":"A"}}`, func() any {
			x := new(struct {
				In struct {
					V any `json:"v"`
				} `json:"in"`
			})
			x.In.V = a2Num()
			return x
		}},
		{"array of structs", `{"arr":[{},{"v":"A"}]}`, func() any {
			x := new(struct {
				Arr [2]a2V `json:"arr"`
			})
			x.Arr[1].V = a2Num()
			return x
		}},
		{"slice of structs", `{"sl":[{},{"v":"A"}]}`, func() any {
			return &struct {
				Sl []a2V `json:"sl"`
			}{Sl: []a2V{{}, {V: a2Num()}}}
		}},
		{"slice of pointers", `[null,{"v":"A"}]`, func() any { s := []*a2V{nil, {V: a2Num()}}; return &s }},
		{"array of arrays", `[[1,2],[3,"A"]]`, func() any { var a [2][2]any; a[1][1] = a2Num(); return &a }},
		{"pointer to pointer member", `{"p":{"v":"A"}}`, func() any {
			p := &a2V{V: a2Num()}
			return &struct {
				P **a2V `json:"p"`
			}{P: &p}
		}},
		{"interface holds pointer to pointer", `{"v":"A"}`, func() any { n := a2Num(); return &a2V{V: &n} }},
		{"interface holds pointer to pointer, null", `{"v":null}`, func() any { n := a2Num(); return &a2V{V: &n} }},
		{"non-empty interface holds pointer", `{"s":{"n":"A"}}`, func() any { return &a2StringerHolder{S: &a2NumStringer{}} }},
		{"recursive, 3 deep", `{"next":{"next":{"v":"A"}}}`, func() any {
			return &a2Node{Next: &a2Node{Next: &a2Node{V: a2Num()}}}
		}},
		{"recursive, cycle", `{"next":{"next":{"v":"A"}}}`, func() any { n := &a2Node{V: a2Num()}; n.Next = n; return n }},
		{"recursive through a slice", `{"kids":[{"kids":[{},{"v":"A"}]}]}`, func() any {
			return &a2Tree{Kids: []a2Tree{{Kids: []a2Tree{{}, {V: a2Num()}}}}}
		}},
		{"mutually recursive", `{"b":{"m":{"v":"A"}}}`, func() any { return &a2Mutual{B: a2Back{M: &a2Mutual{V: a2Num()}}} }},
		{"top-level *any", `"A"`, func() any { var a any = a2Num(); return &a }},
		{"top-level **any", `"A"`, func() any { var a any = a2Num(); pa := &a; return &pa }},
		{"top-level *[]any", `["A"]`, func() any { s := []any{a2Num()}; return &s }},
		// Controls: encoding/json does not decode into these interfaces.
		{"map value (fresh in both)", `{"k":{"v":"A"}}`, func() any { m := map[string]a2V{"k": {V: a2Num()}}; return &m }},
		{"map of pointers (fresh in both)", `{"k":{"v":"A"}}`, func() any { m := map[string]*a2V{"k": {V: a2Num()}}; return &m }},
		{"json:\"-\" member", `{"v":"A","skip":"A"}`, func() any {
			return &struct {
				V    any `json:"v"`
				Skip any `json:"-"`
			}{Skip: a2Num()}
		}},
		{"unexported member", `{"v":"A","hidden":"A"}`, func() any {
			return &struct {
				V      any `json:"v"`
				hidden any
			}{hidden: a2Num()}
		}},
		{"interface holds a value", `{"v":"A"}`, func() any { return &a2V{V: a2ValStringer{1}} }},
		{"interface holds a nil pointer", `{"v":"A"}`, func() any { return &a2V{V: (*json.Number)(nil)} }},
	})
}

// ---- (run with -race): concurrent first use of types ----

// Goroutines decode concurrently into destinations of types none has seen
// (so planFor builds and stores their plans, interfaceFields included,
// while others read them), half of them holding a *json.Number; every
// result must be encoding/json's.
func TestAudit2ConcurrentFirstUse(t *testing.T) {
	type c1 struct{ a2V }
	type c2 struct{ *a2V }
	type c3 struct {
		L []a2V `json:"l"`
	}
	type c4 struct {
		N a2Node `json:"n"`
	}
	cases := []a2Case{
		{"c1", `{"v":"A"}`, func() any { return &c1{a2V{V: a2Num()}} }},
		{"c1 fresh", `{"v":"A"}`, func() any { return new(c1) }},
		{"c2", `{"v":"A"}`, func() any { return &c2{&a2V{V: a2Num()}} }},
		{"c3", `{"l":[{"v":"A"}]}`, func() any { return &c3{L: []a2V{{V: a2Num()}}} }},
		{"c3 fresh", `{"l":[{"v":"A"}]}`, func() any { return new(c3) }},
		{"c4", `{"n":{"next":{"v":"A"}}}`, func() any { return &c4{N: a2Node{Next: &a2Node{V: a2Num()}}} }},
	}
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				c := cases[(g+i)%len(cases)]
				if msg := a2Diff(c.body, c.fresh); msg != "" {
					select {
					case errs <- c.name + ": " + msg:
					default:
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

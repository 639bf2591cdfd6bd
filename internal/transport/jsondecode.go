package transport

import (
	"encoding/json"
	"flag"
	"fmt"
	"reflect"
	"sync"
	"testing"

	jsonv2 "github.com/go-json-experiment/json"
	jsonv1 "github.com/go-json-experiment/json/v1"
)

// v1Options make the v2 decoder of github.com/go-json-experiment/json
// decode as encoding/json does: the rules for names, nulls, numbers,
// duplicate names, invalid UTF-8 and Unmarshaler methods the vendors'
// models rely on.
var v1Options = jsonv1.DefaultOptionsV1()

// unmarshalJSON decodes body into dst with encoding/json's result and
// encoding/json's error.
//
// Why not json.Unmarshal: on a small answer (one certificate record) it
// takes 2.6 µs and 11 allocations where the v2 decoder with v1Options
// takes 1.6 µs and 2, a few percent of a whole small call on loopback.
// Why it stays exact: a type the two decode differently (v2Decodes) is
// left to encoding/json; when the v2 decoder fails, which a real
// server's answer rarely makes it do, encoding/json decodes the body
// again into dst, and its error (or, should the two ever disagree, its
// result) is the answer, so the caller never sees the v2 decoder's
// error. FuzzUnmarshalJSONIsEncodingJSON compares the two on the kinds of
// member the models hold, and in test binaries crossCheck holds every
// successful decode of every vendor's tests to encoding/json's.
func unmarshalJSON(body []byte, dst any) error {
	if !v2Decodes(reflect.TypeOf(dst)) {
		return json.Unmarshal(body, dst)
	}
	if err := jsonv2.Unmarshal(body, dst, v1Options); err != nil {
		return json.Unmarshal(body, dst)
	}
	if crossChecking() {
		return crossCheck(body, dst)
	}
	return nil
}

// v2Decodes reports whether the v2 decoder with v1Options decodes into t
// exactly as encoding/json does. It does not where t holds a json.Number:
// the v2 decoder takes any string for one ("A"), where encoding/json
// refuses what is not a number (FuzzUnmarshalJSONIsEncodingJSON found it).
// Such a type is decoded by encoding/json alone. Answers are cached by
// type; a vendor decodes a handful.
func v2Decodes(t reflect.Type) bool {
	if t == nil {
		return false
	}
	if ok, found := v2DecodesCache.Load(t); found {
		return ok.(bool)
	}
	ok := !holdsType(t, numberType, map[reflect.Type]bool{})
	v2DecodesCache.Store(t, ok)
	return ok
}

var (
	v2DecodesCache sync.Map // reflect.Type -> bool
	numberType     = reflect.TypeFor[json.Number]()
)

// holdsType reports whether a value of t can hold a value of want: as
// itself, an element, a key, a field or through a pointer.
func holdsType(t, want reflect.Type, seen map[reflect.Type]bool) bool {
	if t == want {
		return true
	}
	if seen[t] {
		return false
	}
	seen[t] = true
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Array:
		return holdsType(t.Elem(), want, seen)
	case reflect.Map:
		return holdsType(t.Key(), want, seen) || holdsType(t.Elem(), want, seen)
	case reflect.Struct:
		for i := range t.NumField() {
			if holdsType(t.Field(i).Type, want, seen) {
				return true
			}
		}
	}
	return false
}

// crossChecking is true in test binaries that run no benchmark: every
// vendor package's tests, fakes and samples then check that the v2
// decoder with v1Options agrees with encoding/json on every answer they
// decode through the call path. A benchmark measures the call as users
// run it. crossCheckOff turns it off for a test that compares the two
// itself.
func crossChecking() bool { return !crossCheckOff && crossCheckTests() }

var (
	crossCheckOff   bool
	crossCheckTests = sync.OnceValue(func() bool {
		if !testing.Testing() {
			return false
		}
		bench := flag.Lookup("test.bench") // parsed by the time a call runs
		return bench == nil || bench.Value.String() == ""
	})
)

// crossCheck decodes body afresh with each decoder and reports where they
// disagree.
func crossCheck(body []byte, dst any) error {
	t := reflect.TypeOf(dst)
	if t == nil || t.Kind() != reflect.Pointer {
		return nil
	}
	v1, v2 := reflect.New(t.Elem()).Interface(), reflect.New(t.Elem()).Interface()
	err1, err2 := json.Unmarshal(body, v1), jsonv2.Unmarshal(body, v2, v1Options)
	if (err1 == nil) != (err2 == nil) || !reflect.DeepEqual(v1, v2) {
		return fmt.Errorf("transport: the v2 decoder (err %w) and encoding/json (err %w) disagree on a %v answer", err2, err1, t.Elem())
	}
	return nil
}

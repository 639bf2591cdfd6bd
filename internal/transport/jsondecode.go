package transport

import (
	"bytes"
	"encoding"
	"encoding/json"
	"flag"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
	"unsafe"

	jsonv2 "github.com/go-json-experiment/json"
	jsonv1 "github.com/go-json-experiment/json/v1"
)

// v1Options make the v2 decoder of github.com/go-json-experiment/json
// decode as encoding/json does: the rules for names, nulls, numbers,
// duplicate names, invalid UTF-8 and Unmarshaler methods the vendors'
// models rely on. A time.Time is handed to its own UnmarshalJSON with the
// raw bytes, as encoding/json does: the v2 decoder's own reading of a
// time unescapes the string first, and so took "…05\u005a" as "…05Z",
// which encoding/json refuses.
var v1Options = jsonv2.JoinOptions(jsonv1.DefaultOptionsV1(),
	jsonv2.WithUnmarshalers(jsonv2.UnmarshalFunc(func(b []byte, t *time.Time) error { return t.UnmarshalJSON(b) })))

// UnmarshalJSON decodes body into dst with encoding/json's result and
// encoding/json's error; the call path decodes every JSON answer with it,
// and a vendor decoding an answer's parts may too.
//
// Why not json.Unmarshal: on a small answer (one certificate record) it
// takes 2.6 µs and 11 allocations where the v2 decoder with v1Options
// takes 1.6 µs and 2, a few percent of a whole small call on loopback.
// Why it stays exact:
//   - the v2 decoder only ever fills a fresh destination: a pointer to a
//     zero value or to an empty map, as the call path's answers are.
//     What a destination already holds (an interface holding a pointer,
//     a slice's spare capacity, an interface of a non-empty type holding
//     a value) is decoded into by encoding/json in ways the v2 decoder
//     does not follow, so anything else goes to encoding/json;
//   - a type the two decode differently even when fresh is left to
//     encoding/json too (v2Decodes);
//   - when the v2 decoder fails, which a real server's answer rarely makes
//     it do, dst is made fresh again and encoding/json decodes the body
//     into it, so its error, and what it leaves in dst, are the answer:
//     encoding/json stops at some errors the v2 decoder goes past, and a
//     method the v2 decoder ran on a part of dst must not have run twice;
//   - FuzzUnmarshalJSONIsEncodingJSON and the probes of
//     jsondecode_probes_test.go and jsondecode_audit2_test.go compare the
//     two on every kind of member and destination, crossvendor's
//     TestVendorTypesDecodeAsEncodingJSON on every vendor model, and in
//     test binaries crossCheck holds every successful decode of every
//     vendor's tests to encoding/json's.
func UnmarshalJSON(body []byte, dst any) error { return decodeJSON(body, dst, crossChecking()) }

// decodeJSON is UnmarshalJSON, with the test binary's cross-check when
// check is set.
func decodeJSON(body []byte, dst any, check bool) error {
	v := reflect.ValueOf(dst)
	if !fresh(v) || !v2DecodesCached(v.Type()) {
		return json.Unmarshal(body, dst)
	}
	if err := jsonv2.Unmarshal(body, dst, v1Options); err != nil {
		makeFresh(v)
		return json.Unmarshal(body, dst)
	}
	if check {
		return crossCheck(body, dst)
	}
	return nil
}

// fresh reports whether v is a non-nil pointer to a zero value or to an
// empty map: a destination that holds nothing the decoders could decode
// into differently.
//
// A zero value is one whose memory is all zero bytes (nil pointers,
// slices, maps and interfaces, +0 numbers): reading the bytes costs a
// memory compare, where reflect.Value.IsZero visits each field of a struct
// holding a slice or a map, which for a page of Cloud accounts added a
// fifth to the page's decoding. A padding byte that is not zero, should
// one ever be, only sends the value to encoding/json.
func fresh(v reflect.Value) bool {
	if v.Kind() != reflect.Pointer || v.IsNil() {
		return false
	}
	e := v.Elem()
	if e.Kind() == reflect.Map {
		return e.Len() == 0
	}
	return allZero(unsafe.Slice((*byte)(v.UnsafePointer()), e.Type().Size()))
}

// zeros is what allZero compares memory with, a block at a time.
var zeros [512]byte

func allZero(b []byte) bool {
	for len(b) > 0 {
		n := min(len(b), len(zeros))
		if !bytes.Equal(b[:n], zeros[:n]) {
			return false
		}
		b = b[n:]
	}
	return true
}

// makeFresh undoes what a failed v2 decode wrote into v, which fresh
// accepted: the map is emptied (it is the caller's, and was empty), any
// other value zeroed.
func makeFresh(v reflect.Value) {
	if e := v.Elem(); e.Kind() == reflect.Map && !e.IsNil() {
		e.Clear()
		return
	}
	v.Elem().SetZero()
}

// v2DecodesCached is v2Decodes of t, worked out once per type.
func v2DecodesCached(t reflect.Type) bool {
	if t == nil {
		return false
	}
	if ok, found := planCache.Load(t); found {
		return ok.(bool)
	}
	ok := v2Decodes(t, map[reflect.Type]bool{})
	planCache.Store(t, ok)
	return ok
}

var (
	planCache     sync.Map // reflect.Type -> bool; a vendor decodes a handful
	numberType    = reflect.TypeFor[json.Number]()
	textUnmarshal = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// v2Decodes reports whether nothing a value of t can hold, as itself, an
// element, a key, a field or through a pointer, is decoded differently by
// the two decoders into a fresh value. These are (found by
// FuzzUnmarshalJSONIsEncodingJSON and a fresh audit):
//   - a json.Number, which the v2 decoder fills from any string ("A");
//   - a field tagged ",string", where the v2 decoder takes "+1", "NaN"
//     and "Infinity" as numbers and hands a method the quoted string;
//   - a map whose key is neither a string, an integer nor a
//     TextUnmarshaler (map[float64]T, map[any]T), which encoding/json
//     refuses and the v2 decoder fills.
func v2Decodes(t reflect.Type, seen map[reflect.Type]bool) bool {
	if t == numberType {
		return false
	}
	if seen[t] {
		return true
	}
	seen[t] = true
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Array:
		return v2Decodes(t.Elem(), seen)
	case reflect.Map:
		return keyDecodes(t.Key()) && v2Decodes(t.Key(), seen) && v2Decodes(t.Elem(), seen)
	case reflect.Struct:
		for i := range t.NumField() {
			f := t.Field(i)
			if hasStringOption(f.Tag.Get("json")) || !v2Decodes(f.Type, seen) {
				return false
			}
		}
	}
	return true
}

func keyDecodes(k reflect.Type) bool {
	if reflect.PointerTo(k).Implements(textUnmarshal) {
		return true
	}
	switch k.Kind() {
	case reflect.String, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return true
	}
	return false
}

func hasStringOption(tag string) bool {
	_, opts, _ := strings.Cut(tag, ",")
	for opts != "" {
		var opt string
		opt, opts, _ = strings.Cut(opts, ",")
		if opt == "string" {
			return true
		}
	}
	return false
}

// crossChecking is true in test binaries that run no benchmark: every
// vendor package's tests, fakes and samples then check that the v2
// decoder with v1Options agrees with encoding/json on every answer they
// decode through the call path. A benchmark measures the call as users
// run it.
var crossChecking = sync.OnceValue(func() bool {
	if !testing.Testing() {
		return false
	}
	bench := flag.Lookup("test.bench") // parsed by the time a call runs
	return bench == nil || bench.Value.String() == ""
})

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
		return fmt.Errorf("transport: the v2 decoder (error: %s) and encoding/json (error: %s) disagree on a %v answer", errText(err2), errText(err1), t.Elem())
	}
	return nil
}

func errText(err error) string {
	if err == nil {
		return "none"
	}
	return err.Error()
}

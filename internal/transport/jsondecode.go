package transport

import (
	"encoding"
	"encoding/json"
	"flag"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

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
//   - a destination the two decode differently is left to encoding/json
//     (v2Decodes, presetPointer);
//   - when the v2 decoder fails, which a real server's answer rarely makes
//     it do, encoding/json decodes the body again into dst, and its error
//     (or, should the two ever disagree, its result) is the answer: the
//     caller never sees the v2 decoder's error;
//   - FuzzUnmarshalJSONIsEncodingJSON and the probes of
//     jsondecode_probes_test.go compare the two on every kind of member,
//     crossvendor's TestVendorTypesDecodeAsEncodingJSON on every vendor
//     model, and in test binaries crossCheck holds every successful
//     decode of every vendor's tests to encoding/json's.
func UnmarshalJSON(body []byte, dst any) error { return decodeJSON(body, dst, crossChecking()) }

// decodeJSON is UnmarshalJSON, with the test binary's cross-check when
// check is set.
func decodeJSON(body []byte, dst any, check bool) error {
	plan := planFor(reflect.TypeOf(dst))
	if !plan.v2 || plan.reachesInterface && presetPointer(reflect.ValueOf(dst), 0) {
		return json.Unmarshal(body, dst)
	}
	if err := jsonv2.Unmarshal(body, dst, v1Options); err != nil {
		return json.Unmarshal(body, dst)
	}
	if check {
		return crossCheck(body, dst)
	}
	return nil
}

// decodePlan is what UnmarshalJSON knows of a destination type.
type decodePlan struct {
	// v2: the v2 decoder with v1Options decodes into the type as
	// encoding/json does (v2Decodes).
	v2 bool
	// reachesInterface: an interface can be reached from the type through
	// pointers, struct fields, slices and arrays, where encoding/json
	// decodes into what a value already holds (presetPointer).
	reachesInterface bool
	// interfaceFields are, for a struct, the fields from which one can be
	// reached: the only ones presetPointer walks.
	interfaceFields []int
}

func planFor(t reflect.Type) decodePlan {
	if t == nil {
		return decodePlan{}
	}
	if p, found := planCache.Load(t); found {
		return p.(decodePlan)
	}
	p := decodePlan{v2: v2Decodes(t, map[reflect.Type]bool{}), reachesInterface: reachesInterface(t, map[reflect.Type]bool{})}
	if p.reachesInterface && t.Kind() == reflect.Struct {
		for i := range t.NumField() {
			if reachesInterface(t.Field(i).Type, map[reflect.Type]bool{}) {
				p.interfaceFields = append(p.interfaceFields, i)
			}
		}
	}
	planCache.Store(t, p)
	return p
}

var (
	planCache     sync.Map // reflect.Type -> decodePlan; a vendor decodes a handful
	numberType    = reflect.TypeFor[json.Number]()
	textUnmarshal = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// v2Decodes reports whether nothing a value of t can hold, as itself, an
// element, a key, a field or through a pointer, is decoded differently by
// the two decoders. These are (found by FuzzUnmarshalJSONIsEncodingJSON
// and a fresh audit):
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

// reachesInterface reports whether an interface can be reached from t
// through pointers, struct fields, slices and arrays. Not through maps:
// both decoders decode a map's element into a fresh value.
func reachesInterface(t reflect.Type, seen map[reflect.Type]bool) bool {
	if seen[t] {
		return false
	}
	seen[t] = true
	switch t.Kind() {
	case reflect.Interface:
		return true
	case reflect.Pointer, reflect.Slice, reflect.Array:
		return reachesInterface(t.Elem(), seen)
	case reflect.Struct:
		for i := range t.NumField() {
			if reachesInterface(t.Field(i).Type, seen) {
				return true
			}
		}
	}
	return false
}

// presetPointer reports whether v holds an interface that already holds
// a pointer: encoding/json then decodes into what it points to, whose
// type the destination's does not show (a *json.Number in an any). Such
// a destination is left to encoding/json. A fresh destination holds none,
// and costs a walk of its zero fields; one nested deeper than any answer
// is left to encoding/json too.
func presetPointer(v reflect.Value, depth int) bool {
	if depth > 1000 {
		return true
	}
	switch v.Kind() {
	case reflect.Interface:
		if v.IsNil() {
			return false
		}
		e := v.Elem()
		return e.Kind() == reflect.Pointer && !e.IsNil()
	case reflect.Pointer:
		return !v.IsNil() && presetPointer(v.Elem(), depth+1)
	case reflect.Struct:
		for _, i := range planFor(v.Type()).interfaceFields {
			if presetPointer(v.Field(i), depth+1) {
				return true
			}
		}
	case reflect.Slice, reflect.Array:
		if !planFor(v.Type().Elem()).reachesInterface {
			return false
		}
		for i := range v.Len() {
			if presetPointer(v.Index(i), depth+1) {
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

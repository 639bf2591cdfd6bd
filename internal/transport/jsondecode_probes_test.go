//lint:file-ignore SA5008 the probes decode into deliberately odd tags (",string" on every kind, "-,"), as a caller's type may have them
//lint:file-ignore U1000 unexported fields and embeddings are there to be ignored by both decoders

package transport

// Probes of UnmarshalJSON (jsondecode.go), from a fresh audit of the
// change that brought in the v2 decoder; four of them found the
// disagreements v2Decodes, the fresh-destination rule and v1Options's time.Time
// unmarshaler now handle. Every probe compares decodeJSON with
// encoding/json's json.Unmarshal on the same body and
// an identical destination, and FAILS when they differ in result, error
// presence, error text or error type. A failing probe's message also says
// whether the test-binary cross-check (crossCheck) reports the difference.

import (
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	openapi_types "github.com/oapi-codegen/runtime/types"
)

// decodeDiff decodes body into a fresh destination with UnmarshalJSON (the
// production path: cross-check off) and into another with json.Unmarshal
// and describes the difference ("" when they agree).
func decodeDiff(body []byte, fresh func() any) string {
	got, want := fresh(), fresh()
	gotErr, wantErr := decodeJSON(body, got, false), json.Unmarshal(body, want)
	return describeDiff(got, want, gotErr, wantErr)
}

func describeDiff(got, want any, gotErr, wantErr error) string {
	switch {
	case (gotErr == nil) != (wantErr == nil):
		if gotErr == nil {
			return fmt.Sprintf("UnmarshalJSON: no error, value %s; encoding/json: %v", show(got), wantErr)
		}
		return fmt.Sprintf("UnmarshalJSON: %v; encoding/json: no error, value %s", gotErr, show(want))
	case gotErr != nil && (gotErr.Error() != wantErr.Error() || reflect.TypeOf(gotErr) != reflect.TypeOf(wantErr)):
		return fmt.Sprintf("UnmarshalJSON: %T %q; encoding/json: %T %q", gotErr, gotErr, wantErr, wantErr)
	case gotErr == nil && !reflect.DeepEqual(got, want):
		return fmt.Sprintf("UnmarshalJSON decoded %s; encoding/json %s", show(got), show(want))
	}
	return ""
}

func show(v any) string {
	rv := reflect.ValueOf(v)
	for rv.IsValid() && rv.Kind() == reflect.Pointer && !rv.IsNil() {
		rv = rv.Elem()
	}
	if !rv.IsValid() {
		return "<nil>"
	}
	s := fmt.Sprintf("%#v", rv.Interface())
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

// crossCheckCatches reports whether UnmarshalJSON with the test binary's
// cross-check on returns an error for body (i.e. the cross-check would
// flag the disagreement in a vendor test), and what it returned.
func crossCheckCatches(body []byte, fresh func() any) (bool, error) {
	if !crossChecking() {
		return false, errors.New("cross-check is off in this binary")
	}
	dst := fresh()
	err := decodeJSON(body, dst, true)
	if err == nil {
		return false, nil
	}
	want := json.Unmarshal(body, fresh())
	// The cross-check caught it when its error is not encoding/json's own.
	return want == nil || err.Error() != want.Error(), err
}

type decodeCase struct {
	name  string
	body  string
	fresh func() any
}

func runDecodeCases(t *testing.T, cases []decodeCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if msg := decodeDiff([]byte(c.body), c.fresh); msg != "" {
				caught, err := crossCheckCatches([]byte(c.body), c.fresh)
				t.Errorf("body %q into %T: %s\n\tcross-check in test binaries reports it: %v (%v)", c.body, c.fresh(), msg, caught, err)
			}
		})
	}
}

// bodiesInto makes one case per body for one destination.
func bodiesInto(prefix string, fresh func() any, bodies ...string) []decodeCase {
	var cs []decodeCase
	for _, b := range bodies {
		cs = append(cs, decodeCase{name: prefix + "/" + b, body: b, fresh: fresh})
	}
	return cs
}

var numberBodies = []string{
	`0`, `-0`, `-0.0`, `0.0`, `1`, `-1`, `1.0`, `1e2`, `1E+2`, `1e-2`, `0.1`, `255`, `256`, `-128`, `-129`,
	`9223372036854775807`, `9223372036854775808`, `-9223372036854775808`, `-9223372036854775809`,
	`18446744073709551615`, `18446744073709551616`, `1e400`, `-1e400`, `1e-400`, `3.4028235e38`, `3.5e38`,
	`1.7976931348623157e308`, `1.8e308`, `4.9e-324`, `2e-324`, `00`, `01`, `1.`, `.1`, `+1`, `-`, `1e`, `0x10`,
	`"1"`, `true`, `null`, `[]`, `{}`, ` 1 `, `1 2`, `123456789012345678901234567890`,
}

func TestDecodeJSONNumbers(t *testing.T) {
	var cs []decodeCase
	for _, d := range []struct {
		name  string
		fresh func() any
	}{
		{"int", func() any { return new(int) }},
		{"int8", func() any { return new(int8) }},
		{"int64", func() any { return new(int64) }},
		{"uint", func() any { return new(uint) }},
		{"uint8", func() any { return new(uint8) }},
		{"uint64", func() any { return new(uint64) }},
		{"float32", func() any { return new(float32) }},
		{"float64", func() any { return new(float64) }},
		{"any", func() any { return new(any) }},
		{"*int", func() any { return new(*int) }},
		{"*float64", func() any { return new(*float64) }},
		{"[]any", func() any { return new([]any) }},
		{"map[string]any", func() any { return new(map[string]any) }},
		{"time.Duration", func() any { return new(time.Duration) }},
	} {
		cs = append(cs, bodiesInto(d.name, d.fresh, numberBodies...)...)
		// The same numbers as members of an object and elements of an array.
		for _, b := range numberBodies {
			cs = append(cs, decodeCase{name: d.name + "/member/" + b, body: `{"v":` + b + `}`, fresh: func() any {
				return reflect.New(reflect.StructOf([]reflect.StructField{{Name: "V", Type: reflect.TypeOf(d.fresh()).Elem(), Tag: `json:"v"`}})).Interface()
			}})
			cs = append(cs, decodeCase{name: d.name + "/elem/" + b, body: `[` + b + `]`, fresh: func() any {
				return reflect.New(reflect.SliceOf(reflect.TypeOf(d.fresh()).Elem())).Interface()
			}})
		}
	}
	runDecodeCases(t, cs)
}

var stringBodies = []string{
	`"abc"`, `""`, `"AQID"`, `"AQI="`, `"AQI"`, `"AQ=="`, `"AQ="`, `"AQ\nID"`, `"AQ\r\nID"`, "\"AQ\r\nID\"", `"A Q I D"`, `"AQ==ID"`,
	`"-_8="`, `"+/8="`, `"AQID\u003d"`, `[1,2,3]`, `[256]`, `[-1]`, `[]`, `null`, `"\ud800"`, `"\ud800\udc00"`, `"\udc00"`, `"\ud800x"`,
	`"\ud800\u0041"`, "\"\xff\"", "\"\xed\xa0\x80\"", "\"a\xc0\xafb\"", `"\u0000"`, ` "x" `, `"\/"`, `1`, `true`, `{}`, `"\x"`, "\"a\tb\"",
}

func TestDecodeJSONStringsAndBytes(t *testing.T) {
	type bytesNamed []byte
	type u8 uint8
	var cs []decodeCase
	for _, d := range []struct {
		name  string
		fresh func() any
	}{
		{"string", func() any { return new(string) }},
		{"*string", func() any { return new(*string) }},
		{"[]byte", func() any { return new([]byte) }},
		{"bytesNamed", func() any { return new(bytesNamed) }},
		{"[]u8", func() any { return new([]u8) }},
		{"[4]byte", func() any { return new([4]byte) }},
		{"[3]byte", func() any { return new([3]byte) }},
		{"RawMessage", func() any { return new(json.RawMessage) }},
		{"*RawMessage", func() any { return new(*json.RawMessage) }},
		{"any", func() any { return new(any) }},
		{"bool", func() any { return new(bool) }},
	} {
		cs = append(cs, bodiesInto(d.name, d.fresh, stringBodies...)...)
		for _, b := range stringBodies {
			cs = append(cs, decodeCase{name: d.name + "/member/" + b, body: `{"v":` + b + `}`, fresh: func() any {
				return reflect.New(reflect.StructOf([]reflect.StructField{{Name: "V", Type: reflect.TypeOf(d.fresh()).Elem(), Tag: `json:"v"`}})).Interface()
			}})
			cs = append(cs, decodeCase{name: d.name + "/mapval/" + b, body: `{"k":` + b + `}`, fresh: func() any {
				return reflect.New(reflect.MapOf(reflect.TypeFor[string](), reflect.TypeOf(d.fresh()).Elem())).Interface()
			}})
		}
	}
	runDecodeCases(t, cs)
}

func TestDecodeJSONRawMessageWhiteSpace(t *testing.T) {
	type holder struct {
		R  json.RawMessage  `json:"r"`
		P  *json.RawMessage `json:"p"`
		RS []json.RawMessage
	}
	bodies := []string{
		` {"a" : 1} `, "\t[1 , 2]\n", ` "x" `, ` null `, ` 1e2 `, `{"r": {"a" : [ 1 ]} , "p" : [ ] , "RS": [ 1 , {"b" : 2} ]}`,
		`{"r": null, "p": null}`, `{"r": "\u00e9\ud800"}`, "{\"r\": \"\xff\"}",
	}
	var cs []decodeCase
	cs = append(cs, bodiesInto("RawMessage", func() any { return new(json.RawMessage) }, bodies...)...)
	cs = append(cs, bodiesInto("*RawMessage", func() any { return new(*json.RawMessage) }, bodies...)...)
	cs = append(cs, bodiesInto("holder", func() any { return new(holder) }, bodies...)...)
	cs = append(cs, bodiesInto("map[string]RawMessage", func() any { return new(map[string]json.RawMessage) }, bodies...)...)
	runDecodeCases(t, cs)
}

// ---- ,string ----

type stringTagged struct {
	I   int            `json:"i,string"`
	I8  int8           `json:"i8,string"`
	U   uint           `json:"u,string"`
	F   float64        `json:"f,string"`
	F32 float32        `json:"f32,string"`
	B   bool           `json:"b,string"`
	S   string         `json:"s,string"`
	PI  *int           `json:"pi,string"`
	PS  *string        `json:"ps,string"`
	PPI **int          `json:"ppi,string"`
	A   any            `json:"a,string"`
	SL  []int          `json:"sl,string"`
	NI  namedInt       `json:"ni,string"`
	T   time.Time      `json:"t,string"`
	D   time.Duration  `json:"d,string"`
	M   map[string]int `json:"m,string"`
	UT  upperText      `json:"ut,string"`
}

type namedInt int

func TestDecodeJSONStringOption(t *testing.T) {
	values := []string{
		`"42"`, `42`, `"null"`, `null`, `" 42"`, `"42 "`, `"0x10"`, `"1e2"`, `"\"x\""`, `"x"`, `"NaN"`, `"Infinity"`, `"-Infinity"`,
		`"true"`, `"false"`, `"-0"`, `"\u0034\u0032"`, `"\"\\u0041\""`, `"\"a"`, `""`, `"1.5"`, `"256"`, `"-1"`, `"1e400"`, `"\"\""`,
		`"\"x\" "`, `" \"x\""`, `"[1]"`, `"{}"`, `true`, `[1]`, `{}`, `"\"2024-01-02T03:04:05Z\""`, `"2024-01-02T03:04:05Z"`, `"01"`, `"+1"`,
		`"1_000"`, `"\t1"`, `"Null"`, `"nul"`, `"null "`, `"\"null\""`,
	}
	var cs []decodeCase
	for _, k := range []string{"i", "i8", "u", "f", "f32", "b", "s", "pi", "ps", "ppi", "a", "sl", "ni", "t", "d", "m", "ut"} {
		for _, v := range values {
			cs = append(cs, decodeCase{name: k + "/" + v, body: `{"` + k + `":` + v + `}`, fresh: func() any { return new(stringTagged) }})
		}
	}
	runDecodeCases(t, cs)
}

// ---- names: tags, case folding ----

type tagged struct {
	Name    string `json:"name"`
	Dash    int    `json:"-"`
	DashCom int    `json:"-,"`
	Omit    string `json:"omit,omitempty"`
	Zero    string `json:",omitzero"`
	Skip    string `json:"skip"`
	K       string `json:"k"`
	Under   string `json:"a_b"`
	AB      string `json:"ab"`
	Kelvin  string `json:"\u212a2"`
	Long    string `json:"ſtatus"`
	Untag   int
	unexp   int
	Upper   string `json:"UPPER"`
	Unicode string `json:"éA"`
}

func TestDecodeJSONNames(t *testing.T) {
	bodies := []string{
		`{"name":"a","Dash":1,"-":2,"omit":"o","Zero":"z"}`,
		`{"NAME":"a","nAmE":"b"}`, `{"name":"a","NAME":"b"}`, `{"NAME":"b","name":"a"}`,
		`{"ſkip":"long s","\u017fkip":"esc"}`, `{"SKIP":"x","ſkip":"y"}`,
		`{"K":"kelvin"}`, `{"\u212a":"kelvin esc"}`, `{"k2":"x"}`, `{"K2":"x"}`,
		`{"status":"s"}`, `{"STATUS":"s"}`, `{"ſtatus":"s"}`,
		`{"a_b":"1","ab":"2"}`, `{"A_B":"1"}`, `{"aB":"2"}`, `{"a-b":"3"}`, `{"AB":"4"}`, `{"a__b":"5"}`,
		`{"untag":1}`, `{"UNTAG":2}`, `{"unexp":3}`, `{"upper":"u"}`, `{"éa":"e"}`, `{"ÉA":"e"}`, `{"Éa":"e"}`,
		"{\"n\xffame\":\"inv\"}", "{\"name\xff\":\"inv\"}", `{"nam\u0065":"esc"}`, `{"name\u0000":"nul"}`,
		`{"name":"a","name":"b"}`, `{"name":1}`, `{"name":"a","Dash":"x"}`, `{"-":"x"}`, `{"Untag":1.5}`,
	}
	runDecodeCases(t, bodiesInto("tagged", func() any { return new(tagged) }, bodies...))
}

// ---- embedded structs ----

type EmbA struct{ X, Y int }
type EmbB struct {
	X int
	Z int `json:"z"`
}
type embUnexp struct{ U int }
type EmbTagged struct {
	Y int `json:"Y"`
}

type embeds struct {
	*EmbA
	EmbB
	*embUnexp
	W int
}

type embedsConflict struct {
	EmbA
	EmbB // X conflicts with EmbA.X at the same depth: ignored
}

type embedsTagDominates struct {
	EmbA
	EmbTagged // Y tagged wins over EmbA.Y
}

type embedsValueUnexp struct {
	embUnexp
	*EmbB
}

func TestDecodeJSONEmbedded(t *testing.T) {
	bodies := []string{`{"X":1,"Y":2,"z":3,"U":4,"W":5}`, `{"U":4}`, `{"Y":2}`, `{"X":1}`, `{"EmbA":{"X":1}}`, `{"x":1,"u":2}`, `{"U":null}`, `{"z":"bad","U":1}`, `{}`}
	var cs []decodeCase
	cs = append(cs, bodiesInto("embeds", func() any { return new(embeds) }, bodies...)...)
	cs = append(cs, bodiesInto("embedsConflict", func() any { return new(embedsConflict) }, bodies...)...)
	cs = append(cs, bodiesInto("embedsTagDominates", func() any { return new(embedsTagDominates) }, bodies...)...)
	cs = append(cs, bodiesInto("embedsValueUnexp", func() any { return new(embedsValueUnexp) }, bodies...)...)
	runDecodeCases(t, cs)
}

// ---- methods ----

type textPtr struct{ s string }

func (p *textPtr) UnmarshalText(b []byte) error {
	if string(b) == "bad" {
		return errors.New("textPtr: bad")
	}
	p.s = "T(" + string(b) + ")"
	return nil
}

type textVal string

func (v textVal) UnmarshalText(b []byte) error { return nil } // value receiver: cannot store

type jsonVal map[string]int

func (v jsonVal) UnmarshalJSON(b []byte) error { // value receiver: cannot store; refuses "bad"
	if string(b) == `"bad"` {
		return errors.New("jsonVal: bad")
	}
	if v != nil {
		v["called"]++
	}
	return nil
}

type both struct{ s string }

func (p *both) UnmarshalJSON(b []byte) error { p.s = "J(" + string(b) + ")"; return nil }
func (p *both) UnmarshalText(b []byte) error { p.s = "T(" + string(b) + ")"; return nil }

type jsonErr struct{}

func (*jsonErr) UnmarshalJSON(b []byte) error { return errors.New("jsonErr: " + string(b)) }

type textKey struct{ k string }

func (k *textKey) UnmarshalText(b []byte) error {
	if string(b) == "bad" {
		return errors.New("textKey: bad")
	}
	k.k = strings.ToUpper(string(b))
	return nil
}

type strTextKey string

func (k *strTextKey) UnmarshalText(b []byte) error {
	*k = strTextKey("<" + string(b) + ">")
	return nil
}

type intTextKey int

func (k *intTextKey) UnmarshalText(b []byte) error { *k = intTextKey(len(b)); return nil }

type methods struct {
	TP   textPtr             `json:"tp"`
	PTP  *textPtr            `json:"ptp"`
	TV   textVal             `json:"tv"`
	JV   jsonVal             `json:"jv"`
	B    both                `json:"b"`
	PB   *both               `json:"pb"`
	UT   upperText           `json:"ut"`
	PUT  *upperText          `json:"put"`
	JE   *jsonErr            `json:"je"`
	UUID uuid.UUID           `json:"uuid"`
	PU   *uuid.UUID          `json:"pu"`
	Date openapi_types.Date  `json:"date"`
	PD   *openapi_types.Date `json:"pd"`
	Mail openapi_types.Email `json:"mail"`
	T    time.Time           `json:"t"`
	PT   *time.Time          `json:"pt"`
	TK   map[textKey]int     `json:"tk"`
	STK  map[strTextKey]int  `json:"stk"`
	ITK  map[intTextKey]int  `json:"itk"`
	SL   []textPtr           `json:"sl"`
	ANY  any                 `json:"any"`
}

func TestDecodeJSONMethods(t *testing.T) {
	var cs []decodeCase
	vals := []string{`"x"`, `"bad"`, `1`, `null`, `{}`, `[]`, `true`, `"\u0041"`, `{"a":1}`, `"2024-01-02"`, `"0b5c01a0-0000-4000-8000-000000000001"`, `"a@b.c"`, `"2024-01-02T03:04:05Z"`, `""`}
	for _, k := range []string{"tp", "ptp", "tv", "jv", "b", "pb", "ut", "put", "je", "uuid", "pu", "date", "pd", "mail", "t", "pt", "sl", "any"} {
		for _, v := range vals {
			cs = append(cs, decodeCase{name: k + "/" + v, body: `{"` + k + `":` + v + `}`, fresh: func() any { return new(methods) }})
		}
	}
	for _, k := range []string{"tk", "stk", "itk"} {
		for _, v := range []string{`{"a":1}`, `{"bad":1}`, `{"":1}`, `{"\u00e9":1}`, `{"a":1,"A":2}`, `null`, `[]`} {
			cs = append(cs, decodeCase{name: k + "/" + v, body: `{"` + k + `":` + v + `}`, fresh: func() any { return new(methods) }})
		}
	}
	cs = append(cs, bodiesInto("jsonVal", func() any { return new(jsonVal) }, `{"a":1}`, `null`, `1`)...)
	cs = append(cs, bodiesInto("textPtr", func() any { return new(textPtr) }, `"a"`, `null`, `1`, `"bad"`)...)
	cs = append(cs, bodiesInto("[]textPtr", func() any { return new([]textPtr) }, `["a",null]`, `[1]`, `null`)...)
	runDecodeCases(t, cs)
}

// ---- time.Time and the generated scalars ----

func TestDecodeJSONTime(t *testing.T) {
	bodies := []string{
		`"2024-01-02T03:04:05Z"`, `"2024-01-02T03:04:05+02:00"`, `"2024-01-02T03:04:05\u002b02:00"`, `"2024-01-02T03:04:05\u005a"`,
		`"\u0032024-01-02T03:04:05Z"`, `"2024-01-02T03:04:05.123456789Z"`, `"2024-01-02T03:04:05,123Z"`, `"2024-01-02t03:04:05z"`,
		`"2024-01-02 03:04:05Z"`, `"2024-01-02T24:00:00Z"`, `"2024-01-02T03:04:05+24:00"`, `"2024-01-02T03:04:05+23:60"`,
		`"2024-01-02T3:04:05Z"`, `"2024-01-02T03:04:05"`, `""`, `"null"`, `null`, `12`, `"2024-01-02"`, `"2024-02-30T03:04:05Z"`,
		`"2024-01-02T03:04:05.Z"`, `"+2024-01-02T03:04:05Z"`, `"2024-01-02T03:04:05.1234567891Z"`, `"\u00322024"`, `"2024-01-02T03:04:05\/"`,
	}
	var cs []decodeCase
	cs = append(cs, bodiesInto("time.Time", func() any { return new(time.Time) }, bodies...)...)
	cs = append(cs, bodiesInto("*time.Time", func() any { return new(*time.Time) }, bodies...)...)
	for _, b := range bodies {
		cs = append(cs, decodeCase{name: "member/" + b, body: `{"t":` + b + `}`, fresh: func() any {
			return new(struct {
				T time.Time `json:"t"`
			})
		}})
	}
	dates := []string{`"2024-01-02"`, `"2024-01-02T00:00:00Z"`, `"\u0032024-01-02"`, `null`, `1`, `"2024-13-01"`, `""`}
	cs = append(cs, bodiesInto("Date", func() any { return new(openapi_types.Date) }, dates...)...)
	uuids := []string{`"0b5c01a0-0000-4000-8000-000000000001"`, `"\u0030b5c01a0-0000-4000-8000-000000000001"`, `"{0b5c01a0-0000-4000-8000-000000000001}"`,
		`"urn:uuid:0b5c01a0-0000-4000-8000-000000000001"`, `"0b5c01a000004000800000000000001"`, `"0B5C01A0-0000-4000-8000-000000000001"`, `null`, `1`, `""`, `"x"`}
	cs = append(cs, bodiesInto("UUID", func() any { return new(uuid.UUID) }, uuids...)...)
	for _, b := range uuids {
		cs = append(cs, decodeCase{name: "uuidmember/" + b, body: `{"u":` + b + `}`, fresh: func() any {
			return new(struct {
				U uuid.UUID `json:"u"`
			})
		}})
	}
	runDecodeCases(t, cs)
}

// ---- maps ----

func TestDecodeJSONMapKeys(t *testing.T) {
	keys := []string{`"1"`, `"01"`, `"-0"`, `"+1"`, `" 1"`, `"1 "`, `"1.0"`, `"1e2"`, `"255"`, `"256"`, `"-1"`, `"-129"`, `"9223372036854775808"`,
		`"18446744073709551616"`, `"0x1"`, `"1_0"`, `""`, `"\u0031"`, `"true"`, `"x"`}
	var cs []decodeCase
	for _, d := range []struct {
		name  string
		fresh func() any
	}{
		{"map[int]string", func() any { return new(map[int]string) }},
		{"map[int8]string", func() any { return new(map[int8]string) }},
		{"map[uint8]string", func() any { return new(map[uint8]string) }},
		{"map[uint64]string", func() any { return new(map[uint64]string) }},
		{"map[namedInt]string", func() any { return new(map[namedInt]string) }},
		{"map[float64]string", func() any { return new(map[float64]string) }},
		{"map[bool]string", func() any { return new(map[bool]string) }},
		{"map[string]string", func() any { return new(map[string]string) }},
		{"map[textKey]string", func() any { return new(map[textKey]string) }},
		{"map[[2]int]string", func() any { return new(map[[2]int]string) }},
		{"map[any]string", func() any { return new(map[any]string) }},
	} {
		for _, k := range keys {
			cs = append(cs, decodeCase{name: d.name + "/" + k, body: `{` + k + `:"v"}`, fresh: d.fresh})
		}
		cs = append(cs, decodeCase{name: d.name + "/dup", body: `{"1":"a","1":"b","01":"c"}`, fresh: d.fresh})
	}
	runDecodeCases(t, cs)
}

// ---- arrays, nulls, duplicates, trailing data, empty body ----

func TestDecodeJSONArraysNullsDuplicates(t *testing.T) {
	type inner struct{ A, B int }
	type outer struct {
		In       inner          `json:"in"`
		PIn      *inner         `json:"pin"`
		M        map[string]int `json:"m"`
		S        []int          `json:"s"`
		Arr      [2]int         `json:"arr"`
		Str      string         `json:"str"`
		I        int            `json:"i"`
		Iface    any            `json:"iface"`
		Stringer fmt.Stringer   `json:"stringer"`
	}
	var cs []decodeCase
	cs = append(cs, bodiesInto("[2]int", func() any { return new([2]int) }, `[1]`, `[1,2,3]`, `[]`, `null`, `{}`, `"ab"`, `[1,"x",3]`, `[1,2,"x"]`, `[[1]]`)...)
	cs = append(cs, bodiesInto("[0]int", func() any { return new([0]int) }, `[1]`, `[]`, `null`)...)
	cs = append(cs, bodiesInto("outer", func() any { return new(outer) },
		`{"in":{"A":1},"in":{"B":2}}`, `{"pin":{"A":1},"pin":{"B":2}}`, `{"m":{"a":1},"m":{"b":2}}`, `{"s":[1,2],"s":[3]}`,
		`{"arr":[1,2],"arr":[3]}`, `{"in":null,"pin":null,"m":null,"s":null,"arr":null,"str":null,"i":null,"iface":null}`,
		`{"iface":{"a":1},"iface":[1]}`, `{"stringer":null}`, `{"stringer":"x"}`, `{"stringer":{}}`, `{"in":1}`, `{"in":[]}`, `{"s":{}}`,
		`{"m":{"a":"x","b":2}}`, `{"s":[1,"x",3]}`, `{"i":"x","str":"after"}`, `{"in":{"A":"x","B":2}}`)...)
	cs = append(cs, bodiesInto("any", func() any { return new(any) }, `{"a":1} x`, `{}{}`, `{} `, `1 2`, `[] ]`, ``, ` `, "\n", `nul`, `n`, `{"a":1,}`, `[1,]`, `{'a':1}`,
		"\ufeff{}", "{}\x00", `"\u12"`, `[1e400]`, `{"a":-0}`, `-0`, `-0.0`, `1E400`, `{"a":1,"a":{"b":2}}`)...)
	runDecodeCases(t, cs)
}

// ---- deep nesting ----

func TestDecodeJSONDeepNesting(t *testing.T) {
	var cs []decodeCase
	for _, n := range []int{9999, 10000, 10001, 10002, 20000} {
		arr := strings.Repeat("[", n) + strings.Repeat("]", n)
		obj := strings.Repeat(`{"a":`, n) + "1" + strings.Repeat("}", n)
		unterminated := strings.Repeat("[", n)
		cs = append(cs, decodeCase{name: fmt.Sprintf("any/arr%d", n), body: arr, fresh: func() any { return new(any) }})
		cs = append(cs, decodeCase{name: fmt.Sprintf("any/obj%d", n), body: obj, fresh: func() any { return new(any) }})
		cs = append(cs, decodeCase{name: fmt.Sprintf("any/open%d", n), body: unterminated, fresh: func() any { return new(any) }})
		cs = append(cs, decodeCase{name: fmt.Sprintf("RawMessage/arr%d", n), body: arr, fresh: func() any { return new(json.RawMessage) }})
		cs = append(cs, decodeCase{name: fmt.Sprintf("struct/arr%d", n), body: `{"x":` + arr + `}`, fresh: func() any {
			return new(struct {
				Y int `json:"y"`
			})
		}})
		cs = append(cs, decodeCase{name: fmt.Sprintf("int/arr%d", n), body: arr, fresh: func() any { return new(int) }})
	}
	runDecodeCases(t, cs)
}

// ---- destinations that are not a fresh pointer ----

func TestDecodeJSONBadDestinations(t *testing.T) {
	body := []byte(`{"a":1}`)
	for _, d := range []struct {
		name string
		dst  func() any
	}{
		{"nil", func() any { return nil }},
		{"non-pointer struct", func() any { return struct{ A int }{} }},
		{"non-pointer map", func() any { return map[string]int{} }},
		{"typed nil pointer", func() any { return (*struct{ A int })(nil) }},
		{"pointer to nil map", func() any { var m map[string]int; return &m }},
		{"**struct nil", func() any { var p *struct{ A int }; return &p }},
		{"non-pointer slice", func() any { return []int{} }},
		{"string", func() any { return "x" }},
	} {
		t.Run(d.name, func(t *testing.T) {
			got, want := d.dst(), d.dst()
			var gotErr, wantErr error
			func() {
				defer func() {
					if r := recover(); r != nil {
						gotErr = fmt.Errorf("panic: %v", r)
					}
				}()
				gotErr = decodeJSON(body, got, false)
			}()
			wantErr = json.Unmarshal(body, want)
			if msg := describeDiff(got, want, gotErr, wantErr); msg != "" {
				t.Error(msg)
			}
			// And with the cross-check on, as in a vendor test.
			var ccErr error
			func() {
				defer func() {
					if r := recover(); r != nil {
						ccErr = fmt.Errorf("panic: %v", r)
					}
				}()
				ccErr = decodeJSON(body, d.dst(), true)
			}()
			if (ccErr == nil) != (wantErr == nil) || (ccErr != nil && ccErr.Error() != wantErr.Error()) {
				t.Errorf("with the cross-check on: %v; encoding/json: %v", ccErr, wantErr)
			}
		})
	}
}

// ---- pre-filled destinations ----

type prefilled struct {
	I    int               `json:"i"`
	S    string            `json:"s"`
	P    *int              `json:"p"`
	Sl   []int             `json:"sl"`
	SlS  []inner2          `json:"sls"`
	M    map[string]int    `json:"m"`
	MS   map[string]inner2 `json:"ms"`
	Arr  [3]int            `json:"arr"`
	In   inner2            `json:"in"`
	PIn  *inner2           `json:"pin"`
	Any  any               `json:"any"`
	AnyP any               `json:"anyp"`
	AnyV any               `json:"anyv"`
	AnyN any               `json:"anyn"`
	Raw  json.RawMessage   `json:"raw"`
	T    time.Time         `json:"t"`
	UT   upperText         `json:"ut"`
	U    uuid.UUID         `json:"u"`
	B    []byte            `json:"b"`
}

type inner2 struct{ A, B int }

func newPrefilled() any {
	n := 7
	sl := make([]int, 2, 10)
	sl[0], sl[1] = 1, 2
	sls := make([]inner2, 1, 4)[:4]
	for i := range sls {
		sls[i] = inner2{A: 10 + i, B: 20 + i}
	}
	sls = sls[:1]
	b := make([]byte, 2, 8)
	b[0], b[1] = 'q', 'r'
	return &prefilled{
		I: 1, S: "s", P: &n, Sl: sl, SlS: sls,
		M:   map[string]int{"old": 1},
		MS:  map[string]inner2{"k": {A: 1, B: 2}},
		Arr: [3]int{9, 9, 9}, In: inner2{A: 1, B: 2}, PIn: &inner2{A: 3, B: 4},
		Any: map[string]any{"old": true}, AnyP: &inner2{A: 5, B: 6}, AnyV: inner2{A: 7, B: 8}, AnyN: &n,
		Raw: json.RawMessage(`"old"`), T: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), UT: "pre", U: uuid.MustParse("0b5c01a0-0000-4000-8000-000000000001"),
		B: b,
	}
}

func TestDecodeJSONPrefilled(t *testing.T) {
	bodies := []string{
		`{}`, `null`,
		`{"i":null,"s":null,"p":null,"sl":null,"m":null,"arr":null,"in":null,"pin":null,"any":null,"anyp":null,"raw":null,"t":null,"ut":null,"u":null,"b":null}`,
		`{"sl":[5]}`, `{"sls":[{"A":1},{"B":2},{}]}`, `{"m":{"new":2}}`, `{"ms":{"k":{"A":9}}}`, `{"arr":[1]}`, `{"in":{"B":9}}`, `{"pin":{"B":9}}`,
		`{"any":{"new":1}}`, `{"anyp":{"B":9}}`, `{"anyp":[1]}`, `{"anyp":"x"}`, `{"anyv":{"B":9}}`, `{"anyn":3}`, `{"anyn":"x"}`, `{"anyn":{}}`,
		`{"raw":[1]}`, `{"b":"AQID"}`, `{"b":[1,2]}`, `{"b":""}`,
		// a v1 type error later in the body
		`{"sl":[5],"i":"x"}`, `{"m":{"new":2},"i":"x","s":"after"}`, `{"anyp":{"B":9,"A":"x"}}`, `{"sls":[{"A":1,"B":"x"},{"B":2}]}`,
		`{"in":{"B":9},"arr":[1,"x"],"s":"after"}`,
	}
	runDecodeCases(t, bodiesInto("prefilled", newPrefilled, bodies...))
}

// The contract on a pre-filled destination also covers its content after an
// error (encoding/json keeps decoding past a type error): compare the
// destinations even when both fail.
func TestDecodeJSONPrefilledAfterError(t *testing.T) {
	bodies := []string{
		`{"sl":[5],"i":"x","s":"after"}`, `{"m":{"new":2},"i":"x","s":"after"}`, `{"anyp":{"B":9,"A":"x"}}`,
		`{"sls":[{"A":1,"B":"x"},{"B":2}]}`, `{"in":{"B":9},"arr":[1,"x"],"s":"after"}`, `{"i":"x","sl":[1]}`,
		`{"sl":[1,2,3],"i":1,"x":}`, `{"m":{"a":1},"i":1}x`,
	}
	for _, b := range bodies {
		t.Run(b, func(t *testing.T) {
			got, want := newPrefilled(), newPrefilled()
			gotErr, wantErr := decodeJSON([]byte(b), got, false), json.Unmarshal([]byte(b), want)
			if msg := describeDiff(got, want, gotErr, wantErr); msg != "" {
				t.Fatal(msg)
			}
			if gotErr != nil && !reflect.DeepEqual(got, want) {
				t.Errorf("after the error %q the destination holds %s; after encoding/json's it holds %s", gotErr, show(got), show(want))
			}
		})
	}
}

// An interface member holding a pointer to a json.Number (or a type that
// holds one) makes encoding/json decode into that pointer, but v2Decodes
// looks only at the static type.
func TestDecodeJSONInterfaceHoldingNumber(t *testing.T) {
	type holder struct {
		V any `json:"v"`
	}
	fresh := func() any { var n json.Number; return &holder{V: &n} }
	freshTop := func() any { var n json.Number; var a any = &n; return &a }
	var cs []decodeCase
	for _, b := range []string{`"A"`, `"12"`, `12`, `"1e2"`, `null`, `"01"`, `true`} {
		cs = append(cs, decodeCase{name: "member/" + b, body: `{"v":` + b + `}`, fresh: fresh})
		cs = append(cs, decodeCase{name: "top/" + b, body: b, fresh: freshTop})
	}
	runDecodeCases(t, cs)
}

// ---- type cache concurrency ----

func TestDecodeJSONTypeCacheConcurrent(t *testing.T) {
	types := []reflect.Type{
		reflect.TypeFor[*decodeModel](), reflect.TypeFor[*numberHolder](), reflect.TypeFor[*map[string]json.Number](),
		reflect.TypeFor[*prefilled](), reflect.TypeFor[*[]numberHolder](),
	}
	want := []bool{true, false, false, true, false}
	var wg sync.WaitGroup
	errs := make(chan string, 1000)
	for g := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				j := (g + i) % len(types)
				if got := v2DecodesCached(types[j]); got != want[j] {
					errs <- fmt.Sprintf("v2Decodes(%v) = %v", types[j], got)
				}
				x := reflect.New(types[j].Elem()).Interface()
				_ = UnmarshalJSON([]byte(`{"number":"A","id":"x"}`), x)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

var _ encoding.TextUnmarshaler = (*textPtr)(nil)

// reflect.DeepEqual takes -0 for +0, so a sign difference would pass both
// decodeDiff and crossCheck: compare the sign bits of the decoded floats.
func TestDecodeJSONNegativeZeroSign(t *testing.T) {
	type holder struct {
		F   float64        `json:"f"`
		F32 float32        `json:"f32"`
		A   any            `json:"a"`
		S   []any          `json:"s"`
		M   map[string]any `json:"m"`
	}
	signs := func(h *holder) string {
		var b strings.Builder
		fmt.Fprint(&b, math.Signbit(h.F), math.Signbit(float64(h.F32)))
		if f, ok := h.A.(float64); ok {
			fmt.Fprint(&b, math.Signbit(f))
		}
		for _, v := range h.S {
			if f, ok := v.(float64); ok {
				fmt.Fprint(&b, math.Signbit(f))
			}
		}
		if f, ok := h.M["z"].(float64); ok {
			fmt.Fprint(&b, math.Signbit(f))
		}
		return b.String()
	}
	for _, z := range []string{`-0`, `-0.0`, `-0e5`, `-1e-400`, `0`, `-0E-0`} {
		body := []byte(`{"f":` + z + `,"f32":` + z + `,"a":` + z + `,"s":[` + z + `],"m":{"z":` + z + `}}`)
		var got, want holder
		gotErr, wantErr := decodeJSON(body, &got, false), json.Unmarshal(body, &want)
		if (gotErr == nil) != (wantErr == nil) {
			t.Errorf("%s: %v, encoding/json %v", body, gotErr, wantErr)
			continue
		}
		if g, w := signs(&got), signs(&want); g != w {
			t.Errorf("%s: sign bits %s, encoding/json's %s", body, g, w)
		}
	}
}

// More shapes: fields whose names fold together, an interface holding a
// pointer to a type with UnmarshalJSON or to a struct with a Number, a
// struct embedding time.Time (promoted UnmarshalJSON), a named time type,
// map keys that are times.
func TestDecodeJSONMoreShapes(t *testing.T) {
	type foldPair struct {
		A int `json:"name"`
		B int `json:"NAME"`
		C int `json:"Na_me"`
	}
	type embTime struct {
		time.Time
		X int `json:"x"`
	}
	type namedTime time.Time
	type numHolder struct {
		N json.Number `json:"n"`
	}
	var cs []decodeCase
	cs = append(cs, bodiesInto("foldPair", func() any { return new(foldPair) }, `{"Name":1}`, `{"NAME":1,"name":2}`, `{"na_me":3}`, `{"NA_ME":3}`, `{"nAME":4}`)...)
	cs = append(cs, bodiesInto("embTime", func() any { return new(embTime) }, `"2024-01-02T03:04:05Z"`, `"2024-01-02T03:04:05\u005a"`, `{"x":1}`, `null`)...)
	cs = append(cs, bodiesInto("namedTime", func() any { return new(namedTime) }, `"2024-01-02T03:04:05Z"`, `{}`, `null`)...)
	cs = append(cs, bodiesInto("map[time.Time]int", func() any { return new(map[time.Time]int) },
		`{"2024-01-02T03:04:05Z":1}`, `{"2024-01-02T03:04:05\u005a":1}`, `{"x":1}`)...)
	cs = append(cs, bodiesInto("any=&upperText", func() any { u := upperText("pre"); var a any = &u; return &a }, `"x"`, `1`, `null`)...)
	cs = append(cs, bodiesInto("any=&numHolder", func() any { var a any = &numHolder{}; return &a }, `{"n":"A"}`, `{"n":1}`, `{"n":"1"}`)...)
	cs = append(cs, bodiesInto("[]any{&Number}", func() any { var n json.Number; s := []any{&n}; return &s }, `["A"]`, `[1]`)...)
	runDecodeCases(t, cs)
}

// crossCheck reports a disagreement with fmt.Errorf("... (err %w) ... (err
// %w) ...", err2, err1); err2 is nil whenever encoding/json alone fails,
// which prints "%!w(<nil>)" into the error a vendor test sees.
func TestDecodeJSONCrossCheckMessage(t *testing.T) {
	err := crossCheck([]byte(`{"i":"+1"}`), new(stringTagged))
	if err == nil {
		t.Skip("no disagreement to report")
	}
	if strings.Contains(err.Error(), "%!") {
		t.Errorf("cross-check error text has a formatting error: %q", err)
	}
}

// fuzzShape has the members of the probes above that agreed (no
// time.Time, no ",string", no map key the v2 decoder takes more freely, no
// json.Number), so that the fuzzer looks for differences of other kinds.
type fuzzShape struct {
	*EmbA
	EmbB
	Name  string              `json:"name"`
	Skip  string              `json:"skip"`
	K     string              `json:"k"`
	AB    string              `json:"a_b"`
	I8    int8                `json:"i8"`
	U8    uint8               `json:"u8"`
	U     uint                `json:"u"`
	I     int64               `json:"i"`
	F32   float32             `json:"f32"`
	F     float64             `json:"f"`
	B     bool                `json:"b"`
	P     *int                `json:"p"`
	PP    **string            `json:"pp"`
	Bytes []byte              `json:"bytes"`
	Arr   [2]int              `json:"arr"`
	BArr  [3]byte             `json:"barr"`
	Raw   json.RawMessage     `json:"raw"`
	PRaw  *json.RawMessage    `json:"praw"`
	Any   any                 `json:"any"`
	AnyP  any                 `json:"anyp"`
	MI    map[int]string      `json:"mi"`
	MU8   map[uint8]string    `json:"mu8"`
	MTK   map[textKey]int     `json:"mtk"`
	MS    map[string][]any    `json:"ms"`
	TP    textPtr             `json:"tp"`
	UT    upperText           `json:"ut"`
	PUT   *upperText          `json:"put"`
	UUID  uuid.UUID           `json:"uuid"`
	Date  *openapi_types.Date `json:"date"`
	Nest  []fuzzShape         `json:"nest"`
	Str   fmt.Stringer        `json:"str"`
}

func fuzzDestinations() []func() any {
	return []func() any{
		func() any { return new(fuzzShape) },
		func() any {
			return &fuzzShape{AnyP: &inner2{A: 1}, Arr: [2]int{7, 7}, MI: map[int]string{9: "x"}, EmbA: &EmbA{X: 3}}
		},
		func() any { return new([]fuzzShape) },
		func() any { return new(any) },
		func() any { return new(json.RawMessage) },
		func() any { return new(map[string]fuzzShape) },
	}
}

func FuzzDecodeJSONShapes(f *testing.F) {
	for _, s := range decodeSeeds {
		f.Add([]byte(s))
	}
	for _, s := range []string{
		`{"X":1,"Y":2,"z":3,"name":"n","ſkip":"s","K":"k","A_B":"ab","i8":-128,"u8":255,"u":1,"i":-1,"f32":1.5,"f":-0,"b":true,"p":1,"pp":"s"}`,
		`{"bytes":"AQID","arr":[1,2,3],"barr":[1,2],"raw":{"a" : 1},"praw":null,"any":[1,{"b":null}],"anyp":{"A":2},"mi":{"-1":"x"},"mu8":{"255":"y"}}`,
		`{"mtk":{"a":1},"ms":{"a":[1,"x",null]},"tp":"t","ut":"u","put":null,"uuid":"0b5c01a0-0000-4000-8000-000000000001","date":"2024-01-02","nest":[{"name":"x"}],"str":null}`,
		`[{"name":"\ud800"},{"NAME":"\u00e9"}]`, "{\"name\":\"\xff\"}", `{"a":{"name":1}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, fresh := range fuzzDestinations() {
			if msg := decodeDiff(body, fresh); msg != "" {
				t.Fatalf("%q into %T: %s", body, fresh(), msg)
			}
		}
	})
}

type embInt int
type EmbInt int

type oddEmbeds struct {
	embInt
	EmbInt
	fmt.Stringer
	*EmbA
	Ch  chan int     `json:"ch"`
	Fn  func()       `json:"fn"`
	Cpx complex128   `json:"cpx"`
	Ign chan int     `json:"-"`
	U   uintptr      `json:"u"`
	MP  map[*int]int `json:"mp"`
}

// Embedded non-struct and interface types and members of kinds JSON has no
// form for: the v2 decoder must not succeed, panic or decode differently
// where encoding/json does not.
func TestDecodeJSONOddTypes(t *testing.T) {
	bodies := []string{`{}`, `{"embInt":1}`, `{"EmbInt":2}`, `{"Stringer":null}`, `{"Stringer":"x"}`, `{"X":1}`, `{"ch":null}`, `{"ch":1}`,
		`{"fn":null}`, `{"cpx":1}`, `{"cpx":null}`, `{"u":5}`, `{"mp":{}}`, `{"mp":{"1":1}}`, `null`, `[]`}
	var cs []decodeCase
	cs = append(cs, bodiesInto("oddEmbeds", func() any { return new(oddEmbeds) }, bodies...)...)
	for _, c := range cs {
		t.Run(c.name, func(t *testing.T) {
			var msg string
			func() {
				defer func() {
					if r := recover(); r != nil {
						msg = fmt.Sprintf("panic: %v", r)
					}
				}()
				msg = decodeDiff([]byte(c.body), c.fresh)
			}()
			if msg != "" {
				t.Errorf("body %q into %T: %s", c.body, c.fresh(), msg)
			}
		})
	}
}

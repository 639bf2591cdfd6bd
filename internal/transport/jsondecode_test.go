package transport

import (
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/google/uuid"
)

// decodeModel has a member of each kind the vendors' models hold: what
// the generated clients decode, and the legacy behaviours encoding/json
// has for them (",string", case-insensitive names, RawMessage, Number,
// fixed arrays, embedded structs, text and JSON unmarshalers).
type decodeModel struct {
	decodeEmbedded
	ID      int64             `json:"id"`
	Name    string            `json:"name"`
	Ptr     *string           `json:"ptr,omitempty"`
	Ratio   float64           `json:"ratio"`
	On      bool              `json:"on"`
	Tags    []string          `json:"tags"`
	Members map[string]any    `json:"members"`
	Counts  map[string]int    `json:"counts"`
	Raw     json.RawMessage   `json:"raw"`
	Any     any               `json:"any"`
	When    time.Time         `json:"when"`
	Small   uint8             `json:"small"`
	Pair    [2]int            `json:"pair"`
	UUID    uuid.UUID         `json:"uuid"`
	Custom  upperText         `json:"custom"`
	Nested  *decodeModel      `json:"nested"`
	List    []decodeEmbedded  `json:"list"`
	ByID    map[int]string    `json:"byId"`
	Extra   map[string]*int64 `json:"extra"`
}

type decodeEmbedded struct {
	Kind string `json:"kind"`
}

// upperText has its own UnmarshalJSON, as the generated unions and
// dates do.
type upperText string

func (u *upperText) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("upperText: %w", err)
	}
	*u = upperText("<" + s + ">")
	return nil
}

// decodeDestinations are fresh destinations of each shape an answer is
// decoded into.
func decodeDestinations() []func() any {
	return []func() any{
		func() any { return new(decodeModel) },
		func() any { return new([]decodeModel) },
		func() any { return new(map[string]any) },
		func() any { return new(any) },
		func() any { return new(smallAnswer) },
		func() any { return new(numberHolder) },
		func() any { return new(quotedMembers) },
		func() any { return new(map[float64]string) },
	}
}

// quotedMembers has a ",string" member, which v2Decodes leaves to
// encoding/json.
type quotedMembers struct {
	Quoted int     `json:"quoted,string"`
	Ratio  float64 `json:"ratio,string"`
}

// numberHolder holds a json.Number deep down, which v2Decodes leaves to
// encoding/json.
type numberHolder struct {
	Numbers map[string][]*json.Number `json:"numbers"`
	Number  json.Number               `json:"number"`
}

// Only a type that can hold a json.Number is left to encoding/json: the
// fuzz target compares the v2 decoder on every other destination.
func TestV2DecodesAllButNumbers(t *testing.T) {
	type recursive struct {
		Next *recursive           `json:"next"`
		More map[string]recursive `json:"more"`
	}
	for _, tc := range []struct {
		v    any
		want bool
	}{
		{new(decodeModel), true},
		{new([]decodeModel), true},
		{new(smallAnswer), true},
		{new(recursive), true},
		{new(any), true},
		{new(numberHolder), false},
		{new(quotedMembers), false},
		{new(struct{ S []quotedMembers }), false},
		{new(map[float64]string), false},
		{new(map[any]string), false},
		{new(map[uuid.UUID]int), true},
		{new(map[int8]int), true},
		{new(struct {
			T time.Time `json:"t,omitempty"`
		}), true},
		{new(json.Number), false},
		{new(map[json.Number]int), false},
		{new([]struct{ N [2]json.Number }), false},
		{nil, false},
	} {
		if got := v2DecodesCached(reflect.TypeOf(tc.v)); got != tc.want {
			t.Errorf("v2Decodes(%T) = %v, want %v", tc.v, got, tc.want)
		}
	}
}

type smallAnswer struct {
	Results []struct {
		ID                int    `json:"id"`
		CeSettingName     string `json:"ceSettingName"`
		CertificateStatus string `json:"certificateStatus"`
	} `json:"results"`
	ResultCount int `json:"resultCount"`
}

var decodeSeeds = []string{
	`{"results":[{"id":2,"serialNumber":102,"type":"Centralized","trash":true,"ceSettingName":"LocalCE","certificateStatus":"ACTIVE","ceId":8}],"resultCount":1}`,
	`{"id":7,"NAME":"upper","name":"lower","ptr":"p","ratio":1e3,"on":true,"tags":["a",null],"members":{"a":[1,{"b":null}]},"counts":{"x":1},"raw":{"k": [1, 2]},"any":1.5,"when":"2024-01-02T03:04:05+02:00","number":12345678901234567890,"numbers":{"a":[1,"2",null]},"small":255,"quoted":"42","pair":[1,2,3],"uuid":"0b5c01a0-0000-4000-8000-000000000001","custom":"x","kind":"k","nested":{"id":1,"nested":null},"list":[{"kind":"a"}],"byId":{"1":"one"},"extra":{"a":null,"b":3}}`,
	`{"id":"7"}`,
	`{"id":1.5}`,
	`{"small":256}`,
	`{"quoted":42}`,
	`{"quoted":"x"}`,
	`{"when":"yesterday"}`,
	`{"uuid":"nope"}`,
	`{"custom":1}`,
	`{"tags":"a"}`,
	`{"nested":{"nested":{"id":true}}}`,
	`{"id":1,"id":2}`,
	`{"name":"\ud800"}`,
	"{\"name\":\"\xff\"}",
	`{"byId":{"x":"y"}}`,
	`[{"id":1},{"id":"2"},{"id":3}]`,
	`{"id":1} trailing`,
	`{"id":1`,
	`{"ſkipped":1,"ſtatus":"x","NaMe":"folded"}`,
	`null`,
	`[]`,
	` {"members":{}} `,
	`"text"`,
	`{"pair":[1]}`,
	`{"extra":{"a":"1"}}`,
	`{"number":"A"}`,
	`{"quoted":"+1","ratio":"NaN"}`,
	`{"1.5":"x"}`,
	`{"when":"2024-01-02T03:04:05\u005a"}`,
	`{"numbers":{"a":["x"]}}`,
	``,
}

// Every answer decodes through the call path as encoding/json decodes
// it: the same value, or the same error, word for word.
func TestUnmarshalJSONIsEncodingJSON(t *testing.T) {
	for _, body := range decodeSeeds {
		for _, fresh := range decodeDestinations() {
			if msg := compareDecoders([]byte(body), fresh); msg != "" {
				t.Errorf("%s into %T: %s", body, fresh(), msg)
			}
		}
	}
}

func FuzzUnmarshalJSONIsEncodingJSON(f *testing.F) {
	for _, s := range decodeSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, fresh := range decodeDestinations() {
			if msg := compareDecoders(body, fresh); msg != "" {
				t.Fatalf("%q into %T: %s", body, fresh(), msg)
			}
		}
	})
}

// compareDecoders decodes body with decodeJSON and with
// json.Unmarshal into fresh values and says how they differ ("" when
// they agree). The cross-check of the test binary is off here: this
// compares what production code returns.
func compareDecoders(body []byte, fresh func() any) string {
	got, want := fresh(), fresh()
	gotErr, wantErr := decodeJSON(body, got, false), json.Unmarshal(body, want)
	switch {
	case (gotErr == nil) != (wantErr == nil):
		return fmt.Sprintf("error %v, encoding/json's %v", gotErr, wantErr)
	case gotErr != nil && (gotErr.Error() != wantErr.Error() || reflect.TypeOf(gotErr) != reflect.TypeOf(wantErr)):
		return fmt.Sprintf("error %T %q, encoding/json's %T %q", gotErr, gotErr, wantErr, wantErr)
	case gotErr == nil && !reflect.DeepEqual(got, want):
		return fmt.Sprintf("decoded %+v, encoding/json %+v", got, want)
	}
	return ""
}

// drifting decodes differently each time: a stand-in for a disagreement
// between the decoders, which the cross-check must report.
type drifting struct{ n int }

var driftCount int

func (d *drifting) UnmarshalJSON([]byte) error {
	driftCount++
	d.n = driftCount
	return nil
}

func TestCrossCheckReportsADisagreement(t *testing.T) {
	// On in a test binary unless it runs benchmarks.
	benchmarking := flag.Lookup("test.bench").Value.String() != ""
	if crossChecking() == benchmarking {
		t.Fatalf("cross-check on = %v in a test binary with -test.bench=%q", crossChecking(), flag.Lookup("test.bench").Value)
	}
	if err := crossCheck([]byte(`{}`), new(drifting)); err == nil {
		t.Fatal("a disagreement passed the cross-check")
	}
	if err := UnmarshalJSON([]byte(`{}`), new(drifting)); (err != nil) != crossChecking() {
		t.Fatalf("UnmarshalJSON of a disagreement: %v, with the cross-check on = %v", err, crossChecking())
	}
	if err := crossCheck([]byte(`{"id":1}`), new(decodeModel)); err != nil {
		t.Fatalf("agreeing decoders reported: %v", err)
	}
}

// TestFreshDestination pins which destinations the v2 decoder may fill:
// a pointer to a value whose memory is all zero, or to an empty map.
// Anything a destination holds (a slice's spare capacity, a -0 float, an
// interface holding anything) sends it to encoding/json.
func TestFreshDestination(t *testing.T) {
	type big struct {
		A    [600]byte // longer than one block of zeros
		S    []string
		M    map[string]int
		I    any
		F    float64
		Next *big
	}
	spare := make([]int, 0, 1)
	withLast := big{}
	withLast.A[599] = 1
	negZero := big{F: math.Copysign(0, -1)}
	for _, tc := range []struct {
		name string
		dst  any
		want bool
	}{
		{"zero struct", new(big), true},
		{"empty map", &map[string]int{}, true},
		{"nil map", new(map[string]int), true},
		{"nil slice", new([]int), true},
		{"not a pointer", big{}, false},
		{"nil pointer", (*big)(nil), false},
		{"nil", nil, false},
		{"slice with spare capacity", &spare, false},
		{"map with a member", &map[string]int{"a": 1}, false},
		{"last byte of a long array", &withLast, false},
		{"-0", &negZero, false},
		{"interface holding a value", &big{I: 0}, false},
		{"pointer", &big{Next: new(big)}, false},
	} {
		if got := fresh(reflect.ValueOf(tc.dst)); got != tc.want {
			t.Errorf("%s: fresh = %v, want %v", tc.name, got, tc.want)
		}
	}
}

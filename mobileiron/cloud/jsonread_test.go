package cloud

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/certadmin/certadmin-go/internal/apierror"
)

func newJSONReader(in io.Reader, max int) *jsonReader {
	r := new(jsonReader)
	r.reset(in, max)
	return r
}

// walk reads the value at r's position with the reader's own structure
// parsing for every object and array, and skip for everything else.
func walk(r *jsonReader) error {
	c, err := r.peek()
	if err != nil {
		return err
	}
	switch c {
	case '{':
		return r.object(func([]byte) error { return walk(r) })
	case '[':
		return r.array(func() error { return walk(r) })
	}
	return r.skip()
}

// readAll walks one JSON text and checks that nothing follows it.
func readAll(r *jsonReader) error {
	if err := walk(r); err != nil {
		return err
	}
	return r.end()
}

var readerSeeds = []string{
	``, ` `, `{}`, `[]`, `null`, `1`, `"x"`, ` {"a" : [1, -2.5e3, "b\"]}", {"c": null}, true, false] } `,
	`{"a":1,}`, `{"a":1 "b":2}`, `{"a" 1}`, `{,}`, `[1,]`, `[,1]`, `[1 2]`, `{"a":[}]}`, `{"a":{]}`,
	`{"a":1}}`, `{"a":1} x`, `{"a":1}{}`, `{"a":nul}`, `{"a":tru}`, `{"a":01}`, `{"a":-}`, `{"a":1.}`,
	"{\"a\x01\":1}", "{\"a\":\"\x01\"}", `{"a\u0062":"\ud800"}`, `{"a\":1}`, `{"a":"\q"}`, `{"a":1`, `{"a":"x`, `{"a`,
	"\xef\xbb\xbf{}", "{\"\xff\":\"\xff\"}", `{"a":{"b":{"c":[[[[]]]]}}}`, `[null,nul]`, `{"a":1e999}`,
	`{"a":1,"a":{"b":2,"b":[]}}`, "[\"\\ud800\\u0041\", \"\xed\xa0\x80\"]", strings.Repeat("[", 10000) + strings.Repeat("]", 10000),
	strings.Repeat("[", 10001) + strings.Repeat("]", 10001),
}

// FuzzJSONReader: the reader accepts a text exactly when encoding/json
// finds it valid, whether the input comes at once or a byte at a time,
// and whatever the bound on one value (a value past it is
// ErrResponseTooLarge, nothing else).
func FuzzJSONReader(f *testing.F) {
	for _, s := range readerSeeds {
		f.Add([]byte(s), uint16(0))
		f.Add([]byte(s), uint16(3))
	}
	f.Fuzz(func(t *testing.T, text []byte, bound uint16) {
		valid := json.Valid(text)
		if err := readAll(newJSONReader(bytes.NewReader(text), 1<<20)); (err == nil) != valid {
			t.Fatalf("%q: reader says %v, encoding/json valid=%v", text, err, valid)
		}
		if err := readAll(newJSONReader(iotest.OneByteReader(bytes.NewReader(text)), 1<<20)); (err == nil) != valid {
			t.Fatalf("%q a byte at a time: reader says %v, encoding/json valid=%v", text, err, valid)
		}
		err := readAll(newJSONReader(iotest.HalfReader(bytes.NewReader(text)), int(bound)%64))
		if errors.Is(err, apierror.ErrResponseTooLarge) {
			return
		}
		if (err == nil) != valid {
			t.Fatalf("%q with a bound of %d: reader says %v, encoding/json valid=%v", text, int(bound)%64, err, valid)
		}
	})
}

func TestJSONReaderSeeds(t *testing.T) {
	for _, s := range readerSeeds {
		err := readAll(newJSONReader(strings.NewReader(s), 1<<20))
		if (err == nil) != json.Valid([]byte(s)) {
			t.Errorf("%q: %v", s, err)
		}
	}
}

// The bound on one value: a value of max bytes is read, one of max+1 is
// ErrResponseTooLarge, and the decoder is never fed more than max+slack
// bytes past the last token or value it returned.
func TestJSONReaderValueBound(t *testing.T) {
	const max = 100
	for _, tc := range []struct {
		size int
		ok   bool
	}{{max, true}, {max + 1, false}, {max + slack, false}, {10 * max, false}} {
		value := `"` + strings.Repeat("x", tc.size-2) + `"`
		text := `{"a":` + value + `,"b":` + value + `}`
		r := newJSONReader(iotest.HalfReader(strings.NewReader(text)), max)
		err := readAll(r)
		if tc.ok && err != nil || !tc.ok && !errors.Is(err, apierror.ErrResponseTooLarge) {
			t.Errorf("value of %d bytes under a bound of %d: %v", tc.size, max, err)
		}
		if r.in.peak > max+slack {
			t.Errorf("value of %d bytes: the decoder held %d bytes", tc.size, r.in.peak)
		}
	}
}

// One huge value costs a few times the bound, not its size: the bytes
// allocated reading a value of 100 times the bound stay under 8 bounds.
func TestJSONReaderValueMemory(t *testing.T) {
	const max = 64 << 10
	text := []byte(`{"a":"` + strings.Repeat("x", 100*max) + `"}`)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	err := readAll(newJSONReader(bytes.NewReader(text), max))
	runtime.ReadMemStats(&after)
	if !errors.Is(err, apierror.ErrResponseTooLarge) {
		t.Fatalf("a value of %d bytes under a bound of %d: %v", len(text), max, err)
	}
	if n := after.TotalAlloc - before.TotalAlloc; n > 8*max {
		t.Errorf("reading a value of %d bytes allocated %d bytes, bound %d", len(text), n, max)
	}
}

// A read error other than the end of input is returned as it came (the
// transport's ErrTruncated for a body cut short), at any point.
func TestJSONReaderKeepsReadError(t *testing.T) {
	text := `{"a":[1,2,{"b":"c"}],"d":"e"} `
	cut := &apierror.Error{Kind: apierror.ErrTruncated}
	for n := range len(text) + 1 {
		r := newJSONReader(io.MultiReader(strings.NewReader(text[:n]), iotest.ErrReader(cut)), 1<<20)
		if err := readAll(r); err != cut { //nolint:errorlint // the very error, not one wrapping it
			t.Errorf("cut after %d bytes: %v", n, err)
		}
		// The error coming with the last bytes, which jsontext sets aside.
		r = newJSONReader(&dataErrReader{text[:n], cut}, 1<<20)
		if err := readAll(r); err != cut { //nolint:errorlint // the very error, not one wrapping it
			t.Errorf("cut after %d bytes, with them: %v", n, err)
		}
	}
	// A reader that never delivers: jsontext would ask for ever.
	if err := readAll(newJSONReader(&dataErrReader{}, 1<<20)); !errors.Is(err, io.ErrNoProgress) {
		t.Errorf("a reader returning nothing: %v", err)
	}
}

// dataErrReader returns b and err in one Read, then nothing.
type dataErrReader struct {
	b   string
	err error
}

func (r *dataErrReader) Read(p []byte) (int, error) {
	n := copy(p, r.b)
	r.b = r.b[n:]
	if len(r.b) > 0 {
		return n, nil
	}
	return n, r.err
}

// The walk itself allocates nothing: a reader read afresh keeps its
// buffers.
func TestJSONReaderWalkAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts differ under the race detector")
	}
	text := []byte(`{"errors":null,"result":{"totalCount":2,"searchResults":[{"id":1,"uid":"a@example.com"},{"id":2}],` +
		`"offset":0,"queryTime":3,"facetedResults":{"A":{"b":1}},"totalUnfilteredResultCount":7}}`)
	var br bytes.Reader
	r := new(jsonReader)
	allocs := testing.AllocsPerRun(50, func() {
		br.Reset(text)
		r.reset(&br, 1<<20)
		if err := readAll(r); err != nil {
			t.Fatal(err)
		}
	})
	if allocs > 0 {
		t.Errorf("%v allocations per walk, want none", allocs)
	}
}

// checkFacets reads v as the page reader reads facetedResults it drops.
func checkFacets(v []byte) error {
	r := newJSONReader(bytes.NewReader(v), len(v))
	if err := (&pageReader{r: r}).skipFacets(); err != nil {
		return err
	}
	return r.end()
}

// FuzzCheckFacets: checkFacets accepts exactly what json.Unmarshal reads
// into AccountPage.Facets' type.
func FuzzCheckFacets(f *testing.F) {
	for _, s := range []string{
		`null`, `{}`, `{"A":null}`, `{"A":{}}`, `{"A":{"b":1,"c":-2,"d":null}}`, `{"A":{"b":1.5}}`, `{"A":{"b":1e2}}`,
		`{"A":{"b":"1"}}`, `{"A":{"b":true}}`, `{"A":{"b":[]}}`, `{"A":[]}`, `{"A":1}`, `[]`, `1`, `"x"`,
		`{"A":{"b":9223372036854775807}}`, `{"A":{"b":9223372036854775808}}`, `{"A":{"b":-0}}`, `{"A":{"b":01}}`,
		`{"ACCOUNTGROUP":{"All Users":1},"TERMSACCEPTED":{"false":0,"true":1}}`, `{"A":{"b":1}`, `{"a\u0041":{"\"":2}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, v []byte) {
		if !json.Valid(v) {
			if checkFacets(v) == nil {
				t.Fatalf("%q is not JSON and passed", v)
			}
			return
		}
		var m map[string]map[string]int64
		want := json.Unmarshal(v, &m)
		if got := checkFacets(v); (got == nil) != (want == nil) {
			t.Fatalf("%q: checkFacets %v, json.Unmarshal %v", v, got, want)
		}
	})
}

// A listing answer is one JSON object: anything but white space after it
// fails the page, as it fails every other answer's decoding.
func TestReadPageRefusesTrailingData(t *testing.T) {
	page := `{"errors":null,"result":{"totalCount":1,"offset":0,"searchResults":[{"id":1,"uid":"a@example.com"}]}}`
	for _, tail := range []string{"", " ", "\r\n\t "} {
		if p, err := readPage(strings.NewReader(page+tail), pageRead{rows: 2, expect: 2}); err != nil || len(p.Accounts) != 1 {
			t.Errorf("tail %q: %v", tail, err)
		}
	}
	for _, tail := range []string{"x", "{}", page, `,{"id":2}`, "\x00", "]"} {
		if _, err := readPage(strings.NewReader(page+tail), pageRead{rows: 2, expect: 2}); err == nil {
			t.Errorf("tail %q passed", tail)
		}
	}
}

// The listing reader that drops facets (ListAccounts, the UID lookups)
// reads the same accounts and totals as the one that keeps them
// (ListAccountsPage), and fails where it fails.
func checkFacetsDropped(t *testing.T, body []byte, rows int) {
	t.Helper()
	kept, errKept := readPage(bytes.NewReader(body), pageRead{rows: rows, expect: rows, facets: true})
	dropped, errDropped := readPage(bytes.NewReader(body), pageRead{rows: rows, expect: 1})
	if (errKept == nil) != (errDropped == nil) {
		t.Fatalf("%q: with facets %v, without %v", body, errKept, errDropped)
	}
	if errKept != nil {
		return
	}
	kept.Facets = nil
	if !reflect.DeepEqual(kept, dropped) {
		t.Fatalf("%q: with facets %+v, without %+v", body, kept, dropped)
	}
}

package cloud

// The page reader (jsonread.go, stream.go) against encoding/json and its
// own contract, first written as a fresh review's probes of the reader's
// move to the v2 decoder. Nothing is timed.

import (
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/certadmin/certadmin-go/internal/apierror"
)

const readerBody = `{"errors":null,"result":{"totalCount":2,"offset":0,"searchResults":[` +
	`{"id":1,"uid":"a","registrationPin":{"pin":"1","createdAt":5},"groups":["g"]},` +
	`{"id":"two","uid":"b","groups":["x",2],"actionExceptionCodes":[[1],{"a":null}]}]}}`

// A body cut short by the transport (ErrTruncated) anywhere, including
// inside an account, is the transport's error itself, as the previous
// reader returned it.
func TestPageReaderTruncatedInsideAccount(t *testing.T) {
	cut := &apierror.Error{Kind: apierror.ErrTruncated}
	for n := range len(readerBody) {
		for _, keepRaw := range []bool{false, true} {
			opt := pageRead{rows: 2, expect: 2, keepRaw: keepRaw}
			_, err := readPage(io.MultiReader(strings.NewReader(readerBody[:n]), iotest.ErrReader(cut)), opt)
			if err != cut { //nolint:errorlint // the very error
				t.Errorf("keepRaw=%v, cut after %d bytes: %v", keepRaw, n, err)
			}
			_, err = readPage(&dataErrReader{readerBody[:n], cut}, opt)
			if err != cut { //nolint:errorlint // the very error
				t.Errorf("keepRaw=%v, cut after %d bytes, with them: %v", keepRaw, n, err)
			}
		}
	}
}

// A body that simply ends inside an account is io.ErrUnexpectedEOF (the
// doc of jsonReader.fail: "the input's end before the text's as
// io.ErrUnexpectedEOF"), as it is when it ends between accounts.
func TestPageReaderBodyEndsInsideAccount(t *testing.T) {
	start := strings.Index(readerBody, `{"id":"two"`)
	for _, n := range []int{start - 1, start + 1, start + 10, len(readerBody) - 5} {
		for _, keepRaw := range []bool{false, true} {
			_, err := readPage(strings.NewReader(readerBody[:n]), pageRead{rows: 2, expect: 2, keepRaw: keepRaw})
			if !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Errorf("keepRaw=%v, body ends after %d bytes (%q): %v", keepRaw, n, readerBody[max(0, n-8):n], err)
			}
		}
	}
}

// Syntax errors inside an account (after a type error, or alone) fail the
// page as malformed JSON, never a kept account.
func TestPageReaderSyntaxErrorInsideAccount(t *testing.T) {
	for _, acct := range []string{
		`{"id":"x","uid":}`, `{"id":"x","groups":[1,]}`, `{"registrationPin":{"createdAt":"x"},"uid":"a" "b":1}`,
		`{"id":1,"uid":"a\q"}`, "{\"id\":1,\"uid\":\"a\x01\"}", `{"id":01}`, `{"id":"x","uid":nul}`,
	} {
		for _, keepRaw := range []bool{false, true} {
			page, err := readPage(strings.NewReader(readerPage(acct)), pageRead{rows: 1, expect: 1, keepRaw: keepRaw})
			if err == nil || !strings.HasPrefix(err.Error(), "malformed JSON") {
				t.Errorf("keepRaw=%v %q: page %v, err %v", keepRaw, acct, page, err)
			}
		}
	}
}

// Non-objects in searchResults are kept as encoding/json keeps them, and
// the accounts after them are read.
func TestPageReaderNonObjectAccountsThenGood(t *testing.T) {
	list := `[[1,{"a":2}], "x", 3, null, {"id":"x","uid":"u"}, {"id":7,"groups":["a"]}]`
	var want []Account
	if err := json.Unmarshal([]byte(list), &want); err != nil {
		t.Fatal(err)
	}
	body := `{"errors":null,"result":{"totalCount":6,"offset":0,"searchResults":` + list + `}}`
	for _, keepRaw := range []bool{false, true} {
		page, err := readPage(strings.NewReader(body), pageRead{rows: 6, expect: 6, keepRaw: keepRaw})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(page.Accounts, want) {
			t.Errorf("keepRaw=%v:\n got %+v\nwant %+v", keepRaw, page.Accounts, want)
		}
	}
}

// Nesting: the previous reader accepted an account exactly when jsontext
// accepted the whole body (depth at most 10000 from the body's root).
func TestPageReaderDeepActionExceptionCodes(t *testing.T) {
	// Body root, result, searchResults, the account: 4 levels above.
	for _, n := range []int{9990, 9996} {
		acct := `{"id":1,"actionExceptionCodes":` + strings.Repeat("[", n) + strings.Repeat("]", n) + `}`
		for _, keepRaw := range []bool{false, true} {
			page, err := readPage(strings.NewReader(readerPage(acct)), pageRead{rows: 1, expect: 1, keepRaw: keepRaw})
			if err != nil {
				t.Errorf("depth %d, keepRaw=%v: %v", n+4, keepRaw, err)
				continue
			}
			if got := len(page.Accounts[0].ActionExceptionCodes); got != 2*n {
				t.Errorf("depth %d, keepRaw=%v: %d bytes of codes", n+4, keepRaw, got)
			}
		}
	}
	n := 9997
	acct := `{"id":1,"actionExceptionCodes":` + strings.Repeat("[", n) + strings.Repeat("]", n) + `}`
	if _, err := readPage(strings.NewReader(readerPage(acct)), pageRead{rows: 1, expect: 1}); err == nil {
		t.Errorf("depth %d passed", n+4)
	}
}

// Pooled readers: a page that failed mid-account (syntax error after a
// type error, a value too large, a body cut short) leaves nothing in the
// reader the next listing would see.
func TestPageReaderPooledReaderAfterErrors(t *testing.T) {
	good := readerBody
	want, err := readPage(strings.NewReader(good), pageRead{rows: 2, expect: 2})
	if err != nil {
		t.Fatal(err)
	}
	bad := []io.Reader{
		strings.NewReader(readerPage(`{"id":"x","registrationPin":{"createdAt":"y","pin":`)),
		strings.NewReader(readerPage(`{"id":"x","registrationPin":{"createdAt":"y"},"uid":}`)),
		strings.NewReader(readerPage(`{"ID":"x","uid":"` + strings.Repeat("u", 2<<20) + `"}`)),
		io.MultiReader(strings.NewReader(good[:100]), iotest.ErrReader(&apierror.Error{Kind: apierror.ErrTruncated})),
		strings.NewReader(`{"errors":{"globalErrors":[{"code":1}]},"result":null}`),
	}
	for i, in := range bad {
		if _, err := readPage(in, pageRead{rows: 1, expect: 1}); err == nil {
			t.Fatalf("bad body %d passed", i)
		}
		got, err := readPage(strings.NewReader(good), pageRead{rows: 2, expect: 2})
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("after bad body %d: %+v, %v", i, got, err)
		}
	}
}

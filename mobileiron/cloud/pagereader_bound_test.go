package cloud

// The page reader (jsonread.go, stream.go) against encoding/json and its
// own contract, first written as a fresh review's probes of the reader's
// move to the v2 decoder. Nothing is timed.

import (
	"errors"
	"strings"
	"testing"

	"github.com/certadmin/certadmin-go/internal/apierror"
	"github.com/certadmin/certadmin-go/internal/transport"
)

// readerAccount is an account of exactly size bytes of JSON, with
// prefix members (e.g. a type error) before a long uid.
func readerAccount(prefix string, size int) string {
	head := `{` + prefix + `"uid":"`
	return head + strings.Repeat("x", size-len(head)-2) + `"}`
}

func readerTwoAccounts(sep, second string) string {
	return `{"errors":null,"result":{"totalCount":2,"offset":0,"searchResults":[{"id":1}` + sep + second + `]}}`
}

// An account of exactly the per-value bound is read (len(value) <= max,
// as value() and the previous reader had it), whatever the separator and
// white space before it (which the doc counts against slack, not max).
func TestPageReaderAccountOfExactlyTheBound(t *testing.T) {
	const max = transport.DefaultMaxJSONValue
	acct := readerAccount(`"id":2,`, max)
	if len(acct) != max {
		t.Fatalf("built %d bytes", len(acct))
	}
	for _, sep := range []string{",", ", ", ",\n    ", ",\r\n" + strings.Repeat(" ", slack-4)} {
		for _, keepRaw := range []bool{false, true} {
			page, err := readPage(strings.NewReader(readerTwoAccounts(sep, acct)), pageRead{rows: 2, expect: 2, keepRaw: keepRaw})
			if err != nil {
				t.Errorf("separator %q, keepRaw=%v: an account of exactly %d bytes failed: %v", sep, keepRaw, max, err)
				continue
			}
			if len(page.Accounts) != 2 || page.Accounts[1].ID != 2 {
				t.Errorf("separator %q, keepRaw=%v: %d accounts", sep, keepRaw, len(page.Accounts))
			}
		}
	}
}

// An account longer than the bound fails as ErrResponseTooLarge, also
// when one of its members has the wrong type (which keeps the account of
// a well-sized value).
func TestPageReaderTooLargeAccountWithTypeError(t *testing.T) {
	const max = transport.DefaultMaxJSONValue
	for _, size := range []int{max + 1, max + slack/2} {
		acct := readerAccount(`"id":"two",`, size)
		for _, keepRaw := range []bool{false, true} {
			page, err := readPage(strings.NewReader(readerTwoAccounts(",", acct)), pageRead{rows: 2, expect: 2, keepRaw: keepRaw})
			if !errors.Is(err, apierror.ErrResponseTooLarge) {
				n := -1
				if page != nil {
					n = len(page.Accounts)
				}
				t.Errorf("an account of %d bytes (bound %d) with a type error, keepRaw=%v: err %v, %d accounts", size, max, keepRaw, err, n)
			}
		}
	}
}

// Without a type error the same sizes fail as too large (control).
func TestPageReaderTooLargeAccountControl(t *testing.T) {
	const max = transport.DefaultMaxJSONValue
	for _, size := range []int{max + 1, max + slack/2, 3 * max} {
		acct := readerAccount(`"id":2,`, size)
		for _, keepRaw := range []bool{false, true} {
			_, err := readPage(strings.NewReader(readerTwoAccounts(",", acct)), pageRead{rows: 2, expect: 2, keepRaw: keepRaw})
			if !errors.Is(err, apierror.ErrResponseTooLarge) {
				t.Errorf("an account of %d bytes (bound %d), keepRaw=%v: %v", size, max, keepRaw, err)
			}
		}
	}
}

// A small account after a run of white space shorter than the bound: the
// run and the account together stay within max+slack, which the doc
// allows ("a run of more than slack bytes of it before a value of max
// bytes fails as too large").
func TestPageReaderSmallAccountAfterLongWhitespace(t *testing.T) {
	const max = transport.DefaultMaxJSONValue
	ws := strings.Repeat(" ", max-4) // with the comma and the account: max+5 bytes, within max+slack
	for _, keepRaw := range []bool{false, true} {
		page, err := readPage(strings.NewReader(readerTwoAccounts(","+ws, `{"id":2}`)), pageRead{rows: 2, expect: 2, keepRaw: keepRaw})
		if err != nil {
			t.Errorf("keepRaw=%v: an 8-byte account after %d bytes of white space: %v", keepRaw, len(ws), err)
			continue
		}
		if len(page.Accounts) != 2 {
			t.Errorf("keepRaw=%v: %d accounts", keepRaw, len(page.Accounts))
		}
	}
}

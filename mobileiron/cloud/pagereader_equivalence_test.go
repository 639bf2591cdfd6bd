package cloud

// The page reader (jsonread.go, stream.go) against encoding/json and its
// own contract, first written as a fresh review's probes of the reader's
// move to the v2 decoder. Nothing is timed.

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// readerPage wraps one account in a listing answer.
func readerPage(acct string) string {
	return `{"errors":null,"result":{"totalCount":1,"offset":0,"searchResults":[` + acct + `]}}`
}

// readerCompare reads acct in a page, from the stream and with keepRaw,
// and compares with what encoding/json gives through Account.UnmarshalJSON
// (the previous reader's semantics): same account, same Unreadable, same
// failure or not.
func readerCompare(t *testing.T, acct string) {
	t.Helper()
	var want Account
	wantErr := json.Unmarshal([]byte(acct), &want)
	for _, keepRaw := range []bool{false, true} {
		page, err := readPage(strings.NewReader(readerPage(acct)), pageRead{rows: 1, expect: 1, keepRaw: keepRaw})
		if (err == nil) != (wantErr == nil) {
			t.Errorf("keepRaw=%v %q: reader error %v, encoding/json error %v", keepRaw, acct, err, wantErr)
			continue
		}
		if err != nil {
			continue
		}
		if len(page.Accounts) != 1 {
			t.Errorf("keepRaw=%v %q: %d accounts", keepRaw, acct, len(page.Accounts))
			continue
		}
		got := page.Accounts[0]
		if !reflect.DeepEqual(got.Unreadable, want.Unreadable) {
			t.Errorf("keepRaw=%v %q: Unreadable %q, encoding/json names %q", keepRaw, acct, got.Unreadable, want.Unreadable)
		} else if !reflect.DeepEqual(got, want) {
			t.Errorf("keepRaw=%v %q:\n got %+v\nwant %+v", keepRaw, acct, got, want)
		}
	}
}

// Members named with another case than the wire tag: encoding/json names
// the member by its tag ("id"), the reader must too.
func TestPageReaderUnreadableCaseFoldedNames(t *testing.T) {
	for _, acct := range []string{
		`{"ID":"x"}`,
		`{"Uid":7}`,
		`{"GROUPS":["a",1]}`,
		`{"registrationPin":{"CreatedAt":"yesterday"}}`,
		`{"RegistrationPin":{"createdAt":"yesterday"}}`,
		`{"REGISTRATIONPIN":"x"}`,
		`{"createdat":"x"}`,
		`{"uſername":1}`,
		`{"\u0049d":"x"}`,
	} {
		readerCompare(t, acct)
	}
}

// Everything else the brief lists: duplicates, nulls, numbers, UTF-8,
// nested PIN errors, errors after a type error, non-object accounts.
func TestPageReaderDifferential(t *testing.T) {
	deep := strings.Repeat("[", 500) + strings.Repeat("]", 500)
	for _, acct := range []string{
		`{"id":1,"uid":"a"}`,
		`{"id":"x","uid":"u"}`,
		`{"id":"x","id":2}`,
		`{"id":2,"id":"x"}`,
		`{"id":2,"id":null}`,
		`{"id":1e999}`, `{"id":1E2}`, `{"id":1.0}`, `{"id":-0}`, `{"id":9223372036854775808}`, `{"id":-9223372036854775809}`,
		`{"inviteResendCount":99999999999999999999999}`, `{"createdAt":1e400,"uid":"u"}`,
		`{"edipi":123456789012345678901234567890,"gdprProfileId":1e999,"ldapServerId":-0.0e-5}`,
		`{"edipi":{"a":[1,2]},"mamWithOutMDM":[true , null]}`,
		`{"edipi":"\ud800","uid":"\ud800\u0041"}`,
		"{\"uid\":\"\xff\xfe\",\"displayName\":\"\xed\xa0\x80\"}",
		"{\"u\xffid\":\"x\",\"uid\":\"y\"}",
		`{"u\u0069d":"esc","\u0069d":3}`,
		`{"enabled":"true","passwordNeverExpire":"true","androidWorkDeviceAccountEnabled":"TRUE"}`,
		`{"enabled":null,"registrationPin":null,"groups":null,"actionExceptionCodes":null,"mamWithOutMDM":null}`,
		`{"registrationPin":{}}`,
		`{"registrationPin":{"pin":null,"createdAt":null}}`,
		`{"registrationPin":{"createdAt":"x","pin":"p"},"uid":"u"}`,
		`{"registrationPin":{"createdAt":1},"registrationPin":{"pin":"x"}}`,
		`{"registrationPin":{"createdAt":"x"},"registrationPin":5}`,
		`{"registrationPin":5,"registrationPin":{"createdAt":"x"}}`,
		`{"registrationPin":[{"pin":"1"}]}`,
		`{"groups":["a",1,"b"]}`,
		`{"groups":["a","b"],"groups":["c"]}`,
		`{"groups":["a","b"],"groups":[]}`,
		`{"groups":["a","b"],"groups":null}`,
		`{"groups":"a"}`,
		`{"groups":[["a"]]}`,
		`{"actionExceptionCodes": [1, 2 ] }`,
		`{"actionExceptionCodes":` + deep + `}`,
		`{"actionExceptionCodes":"x","actionExceptionCodes":{"a":1}}`,
		`{"passwordHistory":{},"accountSettings":null}`,
		`{"id":"x","uid":}`,
		`{"id":"x","uid":"a",}`,
		`{"id":"x" "uid":"a"}`,
		`{"id":1,"registrationPin":{"createdAt":"x",}}`,
		`1`, `"x"`, `[]`, `[1]`, `null`, `true`,
		`{"":1,"id~1":"x","id/":"y"}`,
		`{"locale":"\u0000","guid":"\\\/"}`,
	} {
		readerCompare(t, acct)
	}
}

// Type error in a second account after a good one: the second is kept
// and named, the first untouched.
func TestPageReaderTypeErrorSecondAccount(t *testing.T) {
	body := `{"errors":null,"result":{"totalCount":2,"offset":0,"searchResults":[{"id":1,"groups":["a"]} , {"id":2,"ID":"x","groups":[3]}]}}`
	page, err := readPage(strings.NewReader(body), pageRead{rows: 2, expect: 2})
	if err != nil {
		t.Fatal(err)
	}
	var want Account
	_ = json.Unmarshal([]byte(`{"id":2,"ID":"x","groups":[3]}`), &want)
	if !reflect.DeepEqual(page.Accounts[1], want) {
		t.Errorf("got %q, want %q", page.Accounts[1].Unreadable, want.Unreadable)
	}
}

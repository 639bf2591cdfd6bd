package cloud

// A second fresh audit of b086122: the page reader decodes each account
// (and the errors and facetedResults members) through
// transport.UnmarshalJSON. The contract: each account, with its
// Unreadable names, and the page's error are exactly what encoding/json
// gives on the same JSON (Account.UnmarshalJSON: json.Unmarshal into a
// wireAccount, then readAccount), in every mode of the reader (listing,
// chunked listing, kept raw JSON, UID lookup), and under concurrent use.
// Every probe compares with encoding/json and FAILS only where the two
// differ.

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/certadmin/certadmin-go/internal/apierror"
	"github.com/certadmin/certadmin-go/internal/fuzzcheck"
	"github.com/certadmin/certadmin-go/mobileiron/cloud/cloudapi"
)

// a2Accounts are the accounts of the probes' page, in an order that would
// carry one account's members into the next if the reader did not start
// each afresh: every other one is empty or sparse.
var a2Accounts = []string{
	`{"id":1,"uid":"a@x","groups":["g1","g2"],"registrationPin":{"pin":"1","createdAt":5},"actionExceptionCodes":[1, 2],"enabled":true,"edipi":"7"}`,
	`{"id":2}`,
	`{"id":"x","uid":"b@x","groups":["a",1,"c"],"enabled":true}`,
	`{}`,
	`{"ID":"y","uid":"case"}`,
	`{"GROUPS":[1],"Uid":"u2"}`,
	`{"registrationPin":{"createdAt":"x","pin":"p"},"uid":"after"}`,
	`{"registrationPin":{"used":"yes"}}`,
	`{"registrationPin":[]}`,
	`{"deviceCount":1.5,"inviteResendCount":"2"}`,
	`{"loginFailureCount":99999999999999999999}`,
	"{\"loc\u212aed\":\"x\",\"uid\":\"kelvin\"}",
	"{\"\u017fuperUser\":\"x\"}",
	`{"lo\u0063ked":"x"}`,
	`{"groups":{"a":1}}`,
	`{"groups":[{"a":1},"b"]}`,
	`{"mamWithOutMDM":{"x":[1, 2]},"edipi":12.50,"gdprProfileId":true,"ldapServerId":-0.0e-5}`,
	`{"passwordNeverExpire":"true","androidWorkDeviceAccountEnabled":1,"enabled":"true"}`,
	`{"createdAt":"2024-01-01","modifiedAt":1e3}`,
	`{"id":1,"id":"x","id":3}`,
	`{"uid":"\ud800x","displayName":"\u00e9\u0000","firstName":"\"q\""}`,
	`{"actionExceptionCodes":"x"}`,
	`{"actionExceptionCodes": null ,"passwordHistory":1}`,
	`{"id":-0,"createdAt":0,"modifiedAt":null,"groups":null,"registrationPin":null}`,
	`{"accountSettings":{},"passwordHistory":[],"guid":7}`,
	`{"id":5,"registrationPin":{"pin":1},"registrationPin":{"pin":"2"}}`,
	"{\"uid\":\"\xff\",\"\xffid\":1}",
}

// a2Body is a listing answer holding accounts.
func a2Body(accounts []string) string {
	return `{"errors":null,"result":{"totalCount":` + itoa(len(accounts)) + `,"offset":0,"searchResults":[` +
		strings.Join(accounts, " , ") + `],"queryTime":3}}`
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// a2Ref is each account as encoding/json reads it alone
// (Account.UnmarshalJSON), with that decode's *json.UnmarshalTypeError.
func a2Ref(t *testing.T, accounts []string) ([]Account, []*json.UnmarshalTypeError) {
	t.Helper()
	want := make([]Account, len(accounts))
	typeErrs := make([]*json.UnmarshalTypeError, len(accounts))
	for i, acct := range accounts {
		if err := json.Unmarshal([]byte(acct), &want[i]); err != nil {
			t.Fatalf("encoding/json refuses account %s: %v", acct, err)
		}
		var w wireAccount
		if err := json.Unmarshal([]byte(acct), &w); err != nil {
			if !errors.As(err, &typeErrs[i]) {
				t.Fatalf("encoding/json: %s: %v", acct, err)
			}
		}
	}
	return want, typeErrs
}

// A page of unusual accounts, read in every mode of the reader, gives
// each account exactly as encoding/json does, Unreadable naming the
// member of encoding/json's *UnmarshalTypeError (its Field).
func TestAudit2PageOfUnusualAccountsMatchesEncodingJSON(t *testing.T) {
	body := a2Body(a2Accounts)
	want, typeErrs := a2Ref(t, a2Accounts)
	n := len(a2Accounts)
	for _, mode := range []struct {
		name string
		read pageRead
	}{
		{"listing page", pageRead{rows: n, expect: n, facets: true}},
		{"raw kept", pageRead{rows: n, expect: 1, keepRaw: true}},
		{"chunked", pageRead{rows: n, expect: n, chunked: true}},
	} {
		t.Run(mode.name, func(t *testing.T) {
			page, err := readPage(strings.NewReader(body), mode.read)
			if err != nil {
				t.Fatal(err)
			}
			got := page.Accounts
			if mode.read.chunked {
				got = nil
				for _, a := range page.items {
					got = append(got, *a)
				}
			}
			if len(got) != n {
				t.Fatalf("%d accounts, want %d", len(got), n)
			}
			for i := range got {
				if typeErrs[i] != nil && !reflect.DeepEqual(got[i].Unreadable, []string{typeErrs[i].Field}) {
					t.Errorf("account %s: Unreadable %q, encoding/json's error names %q", a2Accounts[i], got[i].Unreadable, typeErrs[i].Field)
				}
				if !reflect.DeepEqual(got[i], want[i]) {
					t.Errorf("account %s:\n got %+v\nwant %+v", a2Accounts[i], got[i], want[i])
				}
				if mode.read.keepRaw && string(page.raw[i]) != a2Accounts[i] {
					t.Errorf("account %d: raw %q, want %q", i, page.raw[i], a2Accounts[i])
				}
			}
		})
	}
}

// The same through the client: a listing page and a UID lookup whose hit
// has a member of the wrong type, against encoding/json.
func TestAudit2ClientListingAndUIDLookup(t *testing.T) {
	accounts := []string{
		`{"id":1,"uid":"other@x","groups":["z"]}`,
		`{"id":"7","uid":"hit@x","groups":["a",2,"b"],"registrationPin":{"createdAt":"soon"},"enabled":true}`,
		`{"id":3,"uid":"HIT@x","deviceCount":"many"}`,
	}
	body := a2Body(accounts)
	want, _ := a2Ref(t, accounts)
	c := fuzzClient(t, fuzzcheck.CannedTransport{Status: http.StatusOK, ContentType: "application/json", Body: []byte(body)})
	ctx := context.Background()

	page, err := c.ListAccountsPage(ctx, ListOptions{PageSize: 3})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(page.Accounts, want) {
		t.Errorf("ListAccountsPage:\n got %+v\nwant %+v", page.Accounts, want)
	}

	a, err := c.GetAccountByUID(ctx, "hit@x")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(*a, want[1]) {
		t.Errorf("GetAccountByUID:\n got %+v\nwant %+v", *a, want[1])
	}
	a, raw, err := c.lookupUID(ctx, "cloud.Probe", "hit@x", nil, true)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(*a, want[1]) || string(raw) != accounts[1] {
		t.Errorf("lookupUID with raw:\n got %+v, %s\nwant %+v, %s", *a, raw, want[1], accounts[1])
	}

	var i int
	for a, err := range c.ListAccounts(ctx, ListOptions{PageSize: 3}) {
		if err != nil {
			t.Fatal(err)
		}
		if i >= len(want) || !reflect.DeepEqual(a, want[i]) {
			t.Errorf("ListAccounts account %d: %+v", i, a)
		}
		i++
	}
	if i != len(want) {
		t.Errorf("ListAccounts gave %d accounts, want %d", i, len(want))
	}
}

// The envelope's errors and facetedResults members are decoded into the
// same destination at each occurrence, as encoding/json decodes a
// repeated member into the same field: the reader's vendor error and
// facets must be those of encoding/json reading the whole page, and a
// member of the wrong type fails the page with encoding/json's own error
// for that member.
func TestAudit2EnvelopeMembersMatchEncodingJSON(t *testing.T) {
	type envelope struct {
		Errors *cloudapi.Errors `json:"errors"`
		Result *struct {
			Facets map[string]map[string]int64 `json:"facetedResults"`
		} `json:"result"`
	}
	for _, body := range []string{
		`{"errors":{"fieldErrors":[{"code":"a","field":"f"}]},"errors":{"fieldErrors":[{"message":"m"}]},"result":null}`,
		`{"errors":{"globalErrors":[{"code":"G1"},{"code":"G2","message":"m2"}]},"errors":{"globalErrors":[{"message":"m1"}],"fieldErrors":[]},"result":null}`,
		`{"errors":{"globalErrors":[{"code":"G1"}]},"errors":{"globalErrors":null},"errors":{"fieldErrors":[{"code":"F"}]},"result":null}`,
		`{"errors":{"globalErrors":[{"code":1,"message":"m"}]},"result":null}`,
		`{"errors":{"fieldErrors":{"code":"x"}},"result":null}`,
		`{"errors":null,"result":{"searchResults":[],"facetedResults":{"A":{"x":1}},"facetedResults":{"A":{"y":2},"B":{}}}}`,
		`{"errors":null,"result":{"searchResults":[],"facetedResults":{"A":{"x":1},"B":null},"facetedResults":{"B":{"z":3}}}}`,
		`{"errors":null,"result":{"searchResults":[],"facetedResults":{"A":{"x":"1"}}}}`,
		`{"errors":null,"result":{"searchResults":[],"facetedResults":{"A":{"x":1.5},"B":{"y":2}}}}`,
	} {
		t.Run(body, func(t *testing.T) {
			var ref envelope
			refErr := json.Unmarshal([]byte(body), &ref)
			page, err := readPage(strings.NewReader(body), pageRead{rows: 10, expect: 10, facets: true})
			switch {
			case refErr != nil:
				// The reader decodes the member alone (jsonReader.decode), so
				// encoding/json's error is that of the member decoded alone:
				// its path starts at the member ("GlobalError.globalErrors.code",
				// not "GlobalError.errors.globalErrors.code").
				var raw struct {
					Errors json.RawMessage `json:"errors"`
					Result *struct {
						Facets json.RawMessage `json:"facetedResults"`
					} `json:"result"`
				}
				if err := json.Unmarshal([]byte(body), &raw); err != nil {
					t.Fatal(err)
				}
				var memberErr error
				if !isNull(raw.Errors) {
					memberErr = json.Unmarshal(raw.Errors, new(*cloudapi.Errors))
				} else {
					memberErr = json.Unmarshal(raw.Result.Facets, new(map[string]map[string]int64))
				}
				var te *json.UnmarshalTypeError
				if err == nil || !errors.As(err, &te) || memberErr == nil || te.Error() != memberErr.Error() {
					t.Errorf("reader: %v; encoding/json on the member: %v", err, memberErr)
				}
			case ref.Errors != nil:
				code, msg, details := describe(ref.Errors)
				var ae *apierror.Error
				if !errors.As(err, &ae) || ae.Code != code || ae.Message != msg || !reflect.DeepEqual(ae.Details, details) {
					t.Errorf("reader: %v; encoding/json's errors member: code %q message %q details %q", err, code, msg, details)
				}
			default:
				if err != nil {
					t.Fatalf("reader: %v; encoding/json: no error", err)
				}
				if !reflect.DeepEqual(page.Facets, ref.Result.Facets) {
					t.Errorf("facets %v; encoding/json %v", page.Facets, ref.Result.Facets)
				}
			}
		})
	}
}

// Readers from the pool, used at once by several goroutines (run with
// -race), each give encoding/json's accounts.
func TestAudit2ConcurrentPages(t *testing.T) {
	body := a2Body(a2Accounts)
	want, _ := a2Ref(t, a2Accounts)
	var wg sync.WaitGroup
	errs := make(chan string, 16)
	for g := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 20 {
				read := pageRead{rows: len(want), expect: len(want), keepRaw: (g+i)%2 == 0}
				page, err := readPage(strings.NewReader(body), read)
				if err != nil || !reflect.DeepEqual(page.Accounts, want) {
					select {
					case errs <- "a concurrent read differs from encoding/json":
					default:
					}
					return
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

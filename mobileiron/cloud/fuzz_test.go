package cloud

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/certadmin/certadmin-go/internal/apierror"
	"github.com/certadmin/certadmin-go/internal/fuzzcheck"
	"github.com/certadmin/certadmin-go/mobileiron/cloud/cloudapi"
	"github.com/certadmin/certadmin-go/mobileiron/cloud/internal/lenient"
)

// The fuzz targets of this file feed arbitrary bodies to the decoders of
// MobileIron Cloud's answers: the streamed account page, the {errors,
// result} envelope of every other call, and the error decoder. The seed
// corpus is the vendor's samples in cloudtest/testdata, byte for byte and
// (where the documentation elided entries) repaired, plus a few hostile
// bodies; `go test` runs just those.

func fuzzClient(t *testing.T, rt fuzzcheck.CannedTransport) *Client {
	t.Helper()
	c, err := NewClient("https://na1.example.com", WithHTTPClient(&http.Client{Transport: rt}), WithMaxAttempts(1))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

var contentTypes = []string{"application/json", "application/json;charset=UTF-8", "text/plain", "text/html; charset=utf-8", ""}

// samples returns the vendor's samples: each file byte for byte and, when
// the documentation elided entries ("…"), also the repaired JSON.
func samples(f *testing.F, pattern string) [][]byte {
	var out [][]byte
	for _, b := range fuzzcheck.Samples(f, filepath.Join("cloudtest", "testdata", pattern)) {
		out = append(out, b)
		if !json.Valid(b) {
			var v any
			if lenient.Decode(b, &v) == nil {
				if fixed, err := json.Marshal(v); err == nil {
					out = append(out, fixed)
				}
			}
		}
	}
	return out
}

var hostileBodies = []string{
	``,
	`null`,
	`[]`,
	`{}`,
	`{"errors":null,"result":null}`,
	`{"errors":{},"result":1}`,
	`{"errors":{"globalErrors":null,"fieldErrors":[{"field":"uid","code":"c","message":"m"}]},"result":1}`,
	`{"errors":[],"result":1}`,
	`{"result":1,"errors":{"globalErrors":[{"code":"X"}]}}`,
	`{"errors":{"globalErrors":[{"code":"` + strings.Repeat("c", 3000) + `","message":"` + strings.Repeat("m", 3000) + `"}]},"result":null}`,
	`{"errors":{"globalErrors":[` + strings.Repeat(`{"code":"C","message":"m"},`, 40) + `{}]},"result":null}`,
	`{"errors":null,"result":{"searchResults":[{"id":1,"createdAt":-1,"registrationPin":{"createdAt":9223372036854775807}}],"totalCount":1}}`,
	`{"errors":null,"result":{"searchResults":[{"id":"1"}],"totalCount":1}}`,
	`{"errors":null,"result":{"searchResults":[{"ID":"x"},{"groups":["a",1]},{"registrationPin":{"CreatedAt":"y"}},{"u\u017fername":2}],"totalCount":4}}`,
	`{"errors":null,"result":{"searchResults":null,"totalCount":null,"offset":-1,"queryTime":9223372036854775807}}`,
	`{"errors":null,"result":{"totalCount":2,"searchResults":[{"id":1}],"searchResults":[{"id":2}]}}`,
	`{"errors":null,"result":{"TOTALCOUNT":2,"SearchResults":[{"id":1}]}}`,
	`{"errors":null,"result":{"searchResults":[{"id":1}]}} trailing`,
	`{"errors":null,"result":{"` + strings.Repeat("9", 3000) + `":"https://x"}}`,
	`{"errors":null,"result":{"12":"https://enroll","x` + strings.Repeat("k", 3000) + `":"y"}}`,
	`{"errors":null,"result":{"dmPartitions":{"1":{"name":"a"},"` + strings.Repeat("p", 3000) + `":{}}}}`,
	`{"errors":null,"result":{"facetedResults":{"A":{"b":1.5}}}}`,
	"<!DOCTYPE html><html><body>Sign in</body></html>",
	`{"errors":null,"result":{"searchResults":[{"id":1}`,
	"\xef\xbb\xbf{\"errors\":null,\"result\":1}",
	`{"requestId":5,"status":"COMPLETED","errors":{"globalErrors":[{"code":"LDAP_USER_IMPORT-100"}]}}`,
}

// errorsMember returns the errors member of an envelope as encoding/json
// reads it (matching the key without regard to case, the last one winning).
func errorsMember(body []byte) (raw json.RawMessage, ok bool) {
	var env struct {
		Errors json.RawMessage `json:"errors"`
	}
	if json.Unmarshal(body, &env) != nil {
		return nil, false
	}
	return env.Errors, true
}

func isNull(raw json.RawMessage) bool {
	s := bytes.TrimSpace(raw)
	return len(s) == 0 || string(s) == "null"
}

// FuzzDecodeError feeds a body to Cloud's error decoder, alone and through
// the transport for a non-2xx status: the status always survives, the
// vendor fields come only from an errors member, and the caps hold.
func FuzzDecodeError(f *testing.F) {
	for _, b := range samples(f, "*.json") {
		f.Add(b, uint16(0), uint8(0), uint8(0))
	}
	for _, s := range hostileBodies {
		f.Add([]byte(s), uint16(len(s)), uint8(len(s)), uint8(len(s)/7))
	}
	f.Fuzz(func(t *testing.T, body []byte, code uint16, which, ctype uint8) {
		status := 400 + int(code)%200

		e := &apierror.Error{Op: "cloud.Fuzz", StatusCode: status}
		decodeError(e, body)
		if e.StatusCode != status || e.Op != "cloud.Fuzz" || e.Kind != nil || e.Err != nil || e.MessageKey != "" {
			t.Fatalf("decodeError changed fields it does not own: %+v", e)
		}
		var env cloudapi.ErrorResponse
		if json.Unmarshal(body, &env) != nil || env.Errors == nil {
			if e.Code != "" || e.Message != "" || len(e.Details) > 0 {
				t.Fatalf("vendor fields %+v from a body without an errors member: %q", e, body)
			}
		} else {
			// describe: the first error leads, every further one is a detail;
			// an errors member that lists nothing still says so.
			n := len(deref(env.Errors.GlobalErrors)) + len(deref(env.Errors.FieldErrors))
			if e.Message == "" && n == 0 || len(e.Details) != max(n-1, 0) {
				t.Fatalf("%d listed errors gave message %q and %d details", n, e.Message, len(e.Details))
			}
		}

		contentType := contentTypes[int(ctype)%len(contentTypes)]
		c := fuzzClient(t, fuzzcheck.CannedTransport{Status: status, ContentType: contentType, Body: body})
		ctx := context.Background()
		var err error
		switch which % 4 {
		case 0:
			_, err = c.ListAccountsPage(ctx, ListOptions{})
		case 1:
			_, err = c.GetAccountMetadata(ctx)
		case 2:
			err = c.DeleteAccount(ctx, 7)
		default:
			_, err = c.GetLDAPImportStatus(ctx, 7)
		}
		if err == nil {
			t.Fatalf("status %d passed for success", status)
		}
		ae := fuzzcheck.CheckError(t, err)
		if ae.StatusCode != status {
			t.Fatalf("error %v carries status %d, want %d", err, ae.StatusCode, status)
		}
		if errors.Is(err, ErrServer) != (status >= 500) || errors.Is(err, ErrNotFound) != (status == http.StatusNotFound) {
			t.Fatalf("sentinels wrong for status %d: %v", status, err)
		}
	})
}

// refPage is the account page as encoding/json reads it in one piece: the
// reference the streamed decoder is compared with.
type refPage struct {
	Errors json.RawMessage `json:"errors"`
	Result *struct {
		// Each account is read alone, as Account's UnmarshalJSON does, so
		// that one with a member of the wrong type is compared too
		// (Unreadable included) instead of failing the whole page.
		SearchResults   []json.RawMessage           `json:"searchResults"`
		TotalCount      *int64                      `json:"totalCount"`
		Offset          *int64                      `json:"offset"`
		QueryTime       *int64                      `json:"queryTime"`
		TotalUnfiltered *int64                      `json:"totalUnfilteredResultCount"`
		Facets          map[string]map[string]int64 `json:"facetedResults"`
	} `json:"result"`
}

var pageKeys = []string{"errors", "result", "searchResults", "totalCount", "offset", "queryTime", "totalUnfilteredResultCount", "facetedResults"}

// plainKeys reports whether the members of the envelope and of its result
// are unique and spelled exactly as documented when they match a documented
// name without regard to case. Only for such bodies do the streamed
// decoder (exact names, every occurrence) and encoding/json (any case, the
// last occurrence) agree by design. resultKeys counts the result's members.
func plainKeys(body []byte) (ok bool, resultKeys int) {
	dec := json.NewDecoder(bytes.NewReader(body))
	var walk func(depth int) bool
	walk = func(depth int) bool {
		tok, err := dec.Token()
		if err != nil || tok != json.Delim('{') {
			return err == nil
		}
		seen := map[string]bool{}
		for dec.More() {
			tok, err := dec.Token()
			if err != nil {
				return false
			}
			key := tok.(string)
			for _, k := range pageKeys {
				if strings.EqualFold(key, k) && key != k {
					return false
				}
			}
			if seen[key] {
				return false
			}
			seen[key] = true
			if depth == 1 {
				resultKeys++
			}
			if depth == 0 && key == "result" {
				if !walk(1) {
					return false
				}
				continue
			}
			var skip json.RawMessage
			if dec.Decode(&skip) != nil {
				return false
			}
		}
		_, err = dec.Token()
		return err == nil
	}
	return walk(0), resultKeys
}

// FuzzDecodePage feeds a body to the streamed decoder of the account
// listing. Besides the general promises it must agree with encoding/json
// reading the same page in one piece: the same accounts, totals and
// facets, an errors member always an error, a non-empty result never one.
func FuzzDecodePage(f *testing.F) {
	for _, name := range []string{"get_all_accounts_response.json", "search_by_uid_response.json"} {
		for _, b := range samples(f, name) {
			f.Add(b, uint16(500))
		}
	}
	for _, s := range hostileBodies {
		f.Add([]byte(s), uint16(len(s)))
	}
	f.Fuzz(func(t *testing.T, body []byte, rows uint16) {
		c := fuzzClient(t, fuzzcheck.CannedTransport{Status: http.StatusOK, ContentType: "application/json", Body: body})
		size := 1 + int(rows)%MaxPageSize
		page, err := c.ListAccountsPage(context.Background(), ListOptions{PageSize: size})
		if (page == nil) == (err == nil) {
			t.Fatalf("page %v beside error %v", page, err)
		}
		checkFacetsDropped(t, body, size)
		if err != nil {
			if e := fuzzcheck.CheckError(t, err); e.StatusCode != http.StatusOK && e.StatusCode != 0 {
				t.Fatalf("200 answer gave error with status %d: %v", e.StatusCode, err)
			}
			if !errors.Is(err, ErrVendor) && !errors.Is(err, ErrUnexpectedResponse) && !errors.Is(err, ErrHTMLResponse) && !errors.Is(err, ErrPagingMismatch) {
				t.Fatalf("2xx page gave error %v", err)
			}
		}
		comparePage(t, body, size, page, err)
	})
}

// FuzzReadPage is FuzzDecodePage's comparison with encoding/json on the
// page reader alone, without the transport: many more bodies a second.
func FuzzReadPage(f *testing.F) {
	for _, name := range []string{"get_all_accounts_response.json", "search_by_uid_response.json"} {
		for _, b := range samples(f, name) {
			f.Add(b, uint16(500))
		}
	}
	for _, s := range hostileBodies {
		f.Add([]byte(s), uint16(len(s)))
	}
	f.Fuzz(func(t *testing.T, body []byte, rows uint16) {
		size := 1 + int(rows)%MaxPageSize
		page, err := readPage(bytes.NewReader(body), pageRead{rows: size, expect: size, facets: true})
		if (page == nil) == (err == nil) {
			t.Fatalf("page %v beside error %v", page, err)
		}
		checkFacetsDropped(t, body, size)
		if err == nil && !json.Valid(body) {
			t.Fatalf("a body that is not JSON passed: %q", body)
		}
		comparePage(t, body, size, page, err)
	})
}

// comparePage checks what the page reader made of body (page or err)
// against encoding/json reading it in one piece.
func comparePage(t *testing.T, body []byte, size int, page *AccountPage, err error) {
	t.Helper()
	var ref refPage
	if json.Unmarshal(body, &ref) != nil {
		return
	}
	plain, resultKeys := plainKeys(body)
	if !plain {
		return
	}
	if !isNull(ref.Errors) {
		if err == nil {
			t.Fatalf("a page with errors member %s passed for success", ref.Errors)
		}
		return
	}
	if ref.Result == nil || resultKeys == 0 {
		if err == nil {
			t.Fatalf("a page with a null or empty result passed for success: %q", body)
		}
		return
	}
	r := ref.Result
	// More accounts than the rows asked for is the one refusal of a
	// page encoding/json reads.
	if more := len(r.SearchResults) > size; more != errors.Is(err, ErrPagingMismatch) {
		t.Fatalf("%d accounts for %d rows gave %v", len(r.SearchResults), size, err)
	} else if more {
		return
	}
	if err != nil {
		t.Fatalf("a page encoding/json reads failed: %v\n%q", err, body)
	}
	if len(page.Accounts) != len(r.SearchResults) {
		t.Fatalf("%d accounts, encoding/json reads %d", len(page.Accounts), len(r.SearchResults))
	}
	for i, raw := range r.SearchResults {
		var w wireAccount
		want, werr := readAccount(&w, json.Unmarshal(raw, &w))
		if werr != nil {
			t.Fatalf("encoding/json failed account %d (%s): %v", i, raw, werr)
		}
		if !reflect.DeepEqual(page.Accounts[i], want) {
			t.Fatalf("account %d = %+v, encoding/json reads %+v", i, page.Accounts[i], want)
		}
		checkAccountTimes(t, page.Accounts[i], w)
	}
	wantTotal := -1
	if r.TotalCount != nil {
		wantTotal = int(*r.TotalCount)
	} else if bytes.Contains(body, []byte(`"totalCount"`)) {
		wantTotal = page.TotalCount // a null count: the streamed decoder reads it as 0
	}
	if page.TotalCount != wantTotal {
		t.Fatalf("total %d, encoding/json reads %d", page.TotalCount, wantTotal)
	}
	if r.Offset != nil && page.Offset != int(*r.Offset) || r.QueryTime != nil && page.QueryTime != msDuration(*r.QueryTime) {
		t.Fatalf("offset %d / query time %s disagree with %v / %v", page.Offset, page.QueryTime, r.Offset, r.QueryTime)
	}
	if len(r.Facets) > 0 && !reflect.DeepEqual(page.Facets, r.Facets) {
		t.Fatalf("facets %v, encoding/json reads %v", page.Facets, r.Facets)
	}
}

// checkAccountTimes asserts that a time is set exactly when the answer
// gave a non-zero number of milliseconds, and is that instant in UTC: a
// null or 0 never turns into 1970, a set date never into year 1.
func checkAccountTimes(t *testing.T, a Account, w wireAccount) {
	t.Helper()
	for _, p := range []struct {
		name string
		got  time.Time
		ms   int64
	}{
		{"createdAt", a.CreatedAt, w.CreatedAt}, {"modifiedAt", a.ModifiedAt, w.ModifiedAt},
		{"inviteLastSentAt", a.InviteLastSentAt, w.InviteLastSentAt}, {"loginSuccessAt", a.LoginSuccessAt, w.LoginSuccessAt},
		{"passwordExpiresAt", a.PasswordExpiresAt, w.PasswordExpiresAt},
	} {
		if p.got.IsZero() != (p.ms == 0) {
			t.Fatalf("%s: %d ms decoded to %v", p.name, p.ms, p.got)
		}
		if p.ms != 0 && (p.got.UnixMilli() != p.ms || p.got.Location() != time.UTC) {
			t.Fatalf("%s: %d ms decoded to %v", p.name, p.ms, p.got)
		}
	}
}

// resultOps are the calls that decode the {errors, result} envelope (and
// the LDAP status, which carries errors beside its own fields), each
// returning whether it produced a result.
var resultOps = []func(ctx context.Context, c *Client) (bool, error){
	func(ctx context.Context, c *Client) (bool, error) {
		m, err := c.GetAccountMetadata(ctx)
		return m != nil, err
	},
	func(ctx context.Context, c *Client) (bool, error) {
		m, err := c.CreateEnrollmentURLs(ctx, CreateEnrollmentURLsInput{AccountIDs: []int64{1, 2}, Lifetime: time.Hour})
		return m != nil, err
	},
	func(ctx context.Context, c *Client) (bool, error) {
		pins, err := c.GenerateRegistrationPINs(ctx, []int64{1})
		return pins != nil, err
	},
	func(ctx context.Context, c *Client) (bool, error) {
		_, err := c.CreateAccounts(ctx, CreateAccountsInput{Accounts: []NewLocalAccount{{EmailAddress: "a@example.com"}}}) // an empty result is a nil list
		return err == nil, err
	},
	func(ctx context.Context, c *Client) (bool, error) {
		_, err := c.CreateAccount(ctx, CreateAccountInput{EmailAddress: "a@example.com", Password: "Secret-1"})
		return err == nil, err
	},
	func(ctx context.Context, c *Client) (bool, error) {
		_, err := c.CheckDeleteViability(ctx, []int64{1})
		return err == nil, err
	},
	func(ctx context.Context, c *Client) (bool, error) {
		err := c.DeleteAccount(ctx, 1)
		return err == nil, err
	},
	func(ctx context.Context, c *Client) (bool, error) {
		err := c.InviteUsers(ctx, InviteUsersInput{AccountIDs: []int64{1}, Ownership: DeviceOwnershipCompany})
		return err == nil, err
	},
	func(ctx context.Context, c *Client) (bool, error) {
		err := c.ApplyCustomAttributes(ctx, ApplyCustomAttributesInput{AccountIDs: []int64{1}, Attributes: map[string][]string{"a": {"b"}}})
		return err == nil, err
	},
	func(ctx context.Context, c *Client) (bool, error) {
		err := c.UpdateRegistrationPolicy(ctx, PINOnlyPolicy())
		return err == nil, err
	},
	func(ctx context.Context, c *Client) (bool, error) {
		_, err := c.StartLDAPImport(ctx, ImportLDAPUserInput{UIDOrEmail: "jdoe"})
		return err == nil, err
	},
	func(ctx context.Context, c *Client) (bool, error) {
		st, err := c.GetLDAPImportStatus(ctx, 7)
		return st != nil && st.State != "" && err == nil, err
	},
}

// FuzzResult feeds a body to every call that decodes the {errors, result}
// envelope: no panic, a non-null errors member is always an error (the
// error inside a 200), an error is typed and capped.
func FuzzResult(f *testing.F) {
	for _, b := range samples(f, "*_response.json") {
		for op := range resultOps {
			f.Add(b, uint8(op))
		}
	}
	for _, b := range samples(f, "ldap_*.json") {
		f.Add(b, uint8(len(resultOps)-1))
	}
	for _, s := range hostileBodies {
		for op := range resultOps {
			f.Add([]byte(s), uint8(op))
		}
	}
	f.Fuzz(func(t *testing.T, body []byte, which uint8) {
		c := fuzzClient(t, fuzzcheck.CannedTransport{Status: http.StatusOK, ContentType: "application/json", Body: body})
		got, err := resultOps[int(which)%len(resultOps)](context.Background(), c)
		raw, isJSON := errorsMember(body)
		if err == nil {
			if !got {
				t.Fatal("no error and no result")
			}
			if !isJSON || !isNull(raw) {
				t.Fatalf("an answer with errors member %s passed for success", raw)
			}
			return
		}
		if e := fuzzcheck.CheckError(t, err); e.StatusCode != http.StatusOK && e.StatusCode != 0 {
			t.Fatalf("200 answer gave error with status %d: %v", e.StatusCode, err)
		}
		switch {
		case errors.Is(err, ErrVendor):
			if !isJSON || isNull(raw) {
				t.Fatalf("vendor error %v without an errors member: %q", err, body)
			}
		case errors.Is(err, ErrUnexpectedResponse), errors.Is(err, ErrHTMLResponse):
		default:
			t.Fatalf("2xx answer gave error %v", err)
		}
	})
}

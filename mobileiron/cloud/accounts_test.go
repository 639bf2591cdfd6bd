package cloud_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/certadmin/certadmin-go/mobileiron/cloud"
	"github.com/certadmin/certadmin-go/mobileiron/cloud/cloudapi"
	"github.com/certadmin/certadmin-go/mobileiron/cloud/cloudtest"
)

func ms(v int64) time.Time { return time.UnixMilli(v).UTC() }

// listSample is the Get All Accounts sample of the vendor's documentation, typed.
var listSample = cloud.Account{
	ID: 6150167, CreatedAt: ms(1442949222375), DisplayName: "r m", FirstName: "r", LastName: "m",
	UID: "[email protected]", EmailAddress: "[email protected]", AccountSource: cloud.AccountSourceLocal,
	InviteState: "Expired", AccountType: "USER", Enabled: true, Mutable: true, AndroidWorkUserStatus: "NONE",
	RegistrationPIN: &cloud.AccountPIN{}, Groups: []string{"All Users"},
	AccountSettings: "null", PasswordHistory: "{}", AndroidWorkRetryCount: 0,
}

// searchAccount is the Search by UID sample, typed.
var searchAccount = cloud.Account{
	ID: 10022, CreatedAt: ms(1372188681178), DisplayName: "John Doe", FirstName: "John", LastName: "Doe",
	UID: "[email protected]", EmailAddress: "[email protected]", AccountSource: cloud.AccountSourceLocal,
	InviteState: "Completed", AccountType: "USER", Enabled: true, Mutable: true, LoginSuccessAt: ms(1416614208360),
	RegistrationPIN: &cloud.AccountPIN{}, Groups: []string{"All Users", "Engineering"}, PasswordHistory: "{}",
}

// fakeOnly gives the account the fake's clean address in place of the
// documentation's obfuscated one.
func fakeOnly(a cloud.Account, email string) cloud.Account {
	a.UID, a.EmailAddress = email, email
	return a
}

func TestListAccountsSamples(t *testing.T) {
	srv, c, rec := newFake(t)
	page, err := c.ListAccountsPage(context.Background(), cloud.ListOptions{PageSize: 50, SortBy: "displayName"})
	if err != nil {
		t.Fatal(err)
	}
	byID := map[int64]cloud.Account{}
	for _, a := range page.Accounts {
		byID[a.ID] = a
	}
	got := []cloud.Account{byID[10022], byID[6150167]}
	want := []cloud.Account{fakeOnly(searchAccount, "john.doe@example.test"), fakeOnly(listSample, "r.m@example.test")}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("accounts (-want +got):\n%s", diff)
	}
	n := srv.AccountCount()
	if page.TotalCount != n || len(page.Accounts) != n || page.Offset != 0 || page.Facets["ACCOUNTGROUP"]["Engineering"] != 1 || page.Facets["ACCOUNTSOURCE"]["LOCAL"] != int64(n) {
		t.Errorf("page = total %d (%d stored) offset %d facets %v", page.TotalCount, n, page.Offset, page.Facets)
	}
	if want := "/api/v1/account?rows=50&start=0&sortFields%5B0%5D.name=displayName&sortFields%5B0%5D.order=ASC"; rec.last(t, "GET").URL != want {
		t.Errorf("URL %s, want %s", rec.last(t, "GET").URL, want)
	}
	if srv.TotalHits() != 1 {
		t.Errorf("hits = %d", srv.TotalHits())
	}
}

// The client decodes the vendor's samples verbatim, not only the fake's answers.
func TestDecodesSamplesVerbatim(t *testing.T) {
	srv, c, _ := newFake(t)
	ctx := context.Background()
	serve := func(method, suffix, fixture string) {
		body, err := cloudtest.Fixture(fixture)
		if err != nil {
			t.Fatal(err)
		}
		srv.Inject(cloudtest.Fault{Method: method, PathSuffix: suffix, Status: 200, Body: string(body), ContentType: "application/json"})
	}
	serve("GET", "/api/v1/account", "search_by_uid_response.json")
	a, err := c.GetAccountByUID(ctx, "[email protected]")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(&searchAccount, a); diff != "" {
		t.Errorf("search sample (-want +got):\n%s", diff)
	}

	serve("POST", "/api/v1/accounts", "create_accounts_response.json")
	created, err := c.CreateAccounts(ctx, cloud.CreateAccountsInput{Accounts: []cloud.NewLocalAccount{{EmailAddress: "a@example.test"}}, SendInvite: true})
	if err != nil {
		t.Fatal(err)
	}
	wantCreated := cloud.Account{ID: 10023, CreatedBy: 10001, ModifiedBy: 10001, UID: "[email protected]", EmailAddress: "[email protected]",
		AccountSource: cloud.AccountSourceLocal, Locale: "en_US", Mutable: true, PasswordHistory: `{"passwords":[]}`}
	if diff := cmp.Diff([]cloud.Account{wantCreated}, created); diff != "" {
		t.Errorf("create sample (-want +got):\n%s", diff)
	}

	serve("POST", "/api/v1/account", "create_account_response.json")
	one, err := c.CreateAccount(ctx, cloud.CreateAccountInput{EmailAddress: "b@example.test", Password: "pw-1"})
	if err != nil {
		t.Fatal(err)
	}
	if one.ID != 10024 || one.DisplayName != "TestFName TestLame" || !one.Enabled {
		t.Errorf("create with password sample = %+v", one)
	}

	serve("POST", "/enrollment/url", "enrollment_url_response.json")
	urls, err := c.CreateEnrollmentURLs(ctx, cloud.CreateEnrollmentURLsInput{AccountIDs: []int64{10022}, Lifetime: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(urls[10022], "https://na1.mobileiron.com/c/i/reg/enroll.mobileconfig?token=7F7F") {
		t.Errorf("enrollment sample = %v", urls)
	}

	serve("GET", "/api/v1/account", "delete_viability_response.json")
	v, err := c.CheckDeleteViability(ctx, []int64{47253017})
	if err != nil || v.TotalCount != 0 || v.Limit != 0 || v.SearchResults == nil || len(v.SearchResults) != 0 {
		t.Errorf("viability sample = %+v, %v", v, err)
	}
	for _, f := range []struct{ method, suffix, fixture string }{
		{"DELETE", "/api/v1/account", "delete_response.json"},
		{"PUT", "/api/v1/userpolicy", "registration_policy_response.json"},
		{"PATCH", "/customattributes", "custom_attributes_response.json"},
		{"POST", "/invite/enduser", "invite_response.json"},
	} {
		serve(f.method, f.suffix, f.fixture)
	}
	if err := c.DeleteAccount(ctx, 47252222); err != nil {
		t.Error(err)
	}
	if err := c.UpdateRegistrationPolicy(ctx, cloud.PINOnlyPolicy()); err != nil {
		t.Error(err)
	}
	if err := c.ApplyCustomAttributes(ctx, cloud.ApplyCustomAttributesInput{AccountIDs: []int64{9931017}, Attributes: map[string][]string{"ios": {"10"}}, ForceOverwrite: true}); err != nil {
		t.Error(err)
	}
	if err := c.InviteUsers(ctx, cloud.InviteUsersInput{AccountIDs: []int64{10552}, Ownership: cloud.DeviceOwnershipEmployee}); err != nil {
		t.Error(err)
	}
	if n := sampleCount(t); srv.AccountCount() != n {
		t.Errorf("the injected answers changed the store: %d accounts, not %d", srv.AccountCount(), n)
	}
}

func collect(t *testing.T, c *cloud.Client, opts cloud.ListOptions) []int64 {
	t.Helper()
	var ids []int64
	for a, err := range c.ListAccounts(context.Background(), opts) {
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, a.ID)
	}
	return ids
}

// sampleCount is how many accounts a fake holds before any is generated.
func sampleCount(t *testing.T) int {
	t.Helper()
	return cloudtest.NewTestServer(t).AccountCount()
}

func TestAccountsIteratorModes(t *testing.T) {
	srv, c, _ := newFake(t, cloudtest.WithGeneratedAccounts(1200-sampleCount(t)))
	want := srv.AccountIDs()
	for _, mode := range []struct {
		name string
		opts cloud.ListOptions
	}{
		{"sequential", cloud.ListOptions{PageSize: 100}},
		{"prefetch", cloud.ListOptions{PageSize: 100, Prefetch: true}},
		{"parallel", cloud.ListOptions{PageSize: 100, Parallel: 4}},
	} {
		t.Run(mode.name, func(t *testing.T) {
			before := srv.Hits("GET", "/api/v1/account")
			ids := collect(t, c, mode.opts)
			if len(ids) != 1200 || !slices.Equal(ids, want) {
				t.Fatalf("got %d accounts, first %v, want the %d stored in ID order", len(ids), ids[:3], len(want))
			}
			if n := srv.Hits("GET", "/api/v1/account") - before; n != 12 {
				t.Errorf("pages fetched = %d, want 12", n)
			}
		})
	}
}

func TestAccountsDefaultPageSizeIs500(t *testing.T) {
	_, c, rec := newFake(t, cloudtest.WithGeneratedAccounts(1000-sampleCount(t)))
	if ids := collect(t, c, cloud.ListOptions{}); len(ids) != 1000 {
		t.Fatalf("got %d", len(ids))
	}
	if got := rec.last(t, "GET").URL; got != "/api/v1/account?rows=500&start=500" {
		t.Errorf("last page URL %s", got)
	}
}

// An administrator deleting accounts mid-listing shrinks totalCount: the
// iterator must end at the new total instead of asking for pages forever.
func TestAccountsStopsWhenTotalShrinks(t *testing.T) {
	srv, c, _ := newFake(t, cloudtest.WithGeneratedAccounts(1000-sampleCount(t)))
	keep := 0 // the accounts up to 1000300: the low sample IDs and 300 generated
	for _, id := range srv.AccountIDs() {
		if id <= 1_000_300 {
			keep++
		}
	}
	var n int
	for _, err := range c.ListAccounts(context.Background(), cloud.ListOptions{PageSize: 100}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
		if n == 150 {
			srv.RemoveAccountsAbove(1_000_300)
		}
	}
	if n != keep || keep <= 300 || keep >= 400 {
		t.Errorf("got %d accounts, want %d", n, keep)
	}
	if hits := srv.Hits("GET", "/api/v1/account"); hits != 4 {
		t.Errorf("pages = %d, want 4 (the 4th comes back short)", hits)
	}
}

func TestAccountsEmptyPageEndsIteration(t *testing.T) {
	srv, c, _ := newFake(t)
	srv.Inject(cloudtest.Fault{Method: "GET", PathSuffix: "/api/v1/account", Status: 200, ContentType: "application/json",
		Body: `{"errors":null,"result":{"totalCount":100000,"searchResults":[],"offset":0,"queryTime":1}}`})
	if ids := collect(t, c, cloud.ListOptions{PageSize: 10, Prefetch: true}); len(ids) != 0 {
		t.Errorf("got %d accounts from an empty page", len(ids))
	}
	if srv.TotalHits() != 1 {
		t.Errorf("hits = %d, want 1", srv.TotalHits())
	}
}

func TestAccountsPageErrorEndsIteration(t *testing.T) {
	srv, c, _ := newFake(t, cloudtest.WithGeneratedAccounts(48))
	srv.Inject(cloudtest.Fault{Method: "GET", PathSuffix: "/api/v1/account", Times: 1}) // no-op placeholder for the first page
	srv.Inject(cloudtest.Fault{Method: "GET", PathSuffix: "/api/v1/account", Status: 403, ContentType: "application/json",
		Body: `{"errors":{"globalErrors":[{"code":"ACCESS_DENIED","message":"no"}],"fieldErrors":null},"result":null}`})
	var n int
	var last error
	for _, err := range c.ListAccounts(context.Background(), cloud.ListOptions{PageSize: 10}) {
		if err != nil {
			last = err
			continue
		}
		n++
	}
	var ae *cloud.Error
	if n != 10 || !errors.As(last, &ae) || ae.Code != "ACCESS_DENIED" || !errors.Is(last, cloud.ErrForbidden) {
		t.Errorf("n=%d err=%v", n, last)
	}
}

func TestRowsAbove500Rejected(t *testing.T) {
	srv, c, _ := newFake(t)
	_, err := c.ListAccountsPage(context.Background(), cloud.ListOptions{PageSize: 501})
	if !errors.Is(err, cloud.ErrInvalidInput) {
		t.Errorf("ListAccountsPage: %v", err)
	}
	var iterErr error
	for _, err := range c.ListAccounts(context.Background(), cloud.ListOptions{PageSize: 501}) {
		iterErr = err
	}
	if !errors.Is(iterErr, cloud.ErrInvalidInput) || !strings.Contains(iterErr.Error(), "maximum of 500") {
		t.Errorf("ListAccounts: %v", iterErr)
	}
	if srv.TotalHits() != 0 {
		t.Errorf("hits = %d", srv.TotalHits())
	}
	// The fake answers rows=501 as the real API does (vendor notes), seen
	// through the raw client, and the client decodes that answer.
	rows := int32(501)
	resp, err := c.Raw().GetAccounts(context.Background(), &cloudapi.GetAccountsParams{Rows: &rows})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	want := `{"errors":{"globalErrors":null,"fieldErrors":[{"code":"Range","message":"must be between 1 and 500","field":"rows"}]},"result":null}`
	if resp.StatusCode != 400 || string(body) != want {
		t.Errorf("raw rows=501: %d %s", resp.StatusCode, body)
	}
	srv.Inject(cloudtest.Fault{Method: "GET", Status: 400, ContentType: "application/json",
		Body: `{"errors":{"globalErrors":null,"fieldErrors":[{"code":"Range","message":"must be between 1 and 500","field":"rows"}]},"result":null}`})
	_, err = c.ListAccountsPage(context.Background(), cloud.ListOptions{PageSize: 500})
	var ae *cloud.Error
	if !errors.As(err, &ae) || ae.Code != "Range" || ae.Message != "rows: must be between 1 and 500" || ae.StatusCode != 400 {
		t.Errorf("err = %#v", err)
	}
}

func TestListRetriedOn503(t *testing.T) {
	srv, c, _ := newFake(t)
	srv.Inject(cloudtest.Fault{Method: "GET", Status: http.StatusServiceUnavailable})
	page, err := c.ListAccountsPage(context.Background(), cloud.ListOptions{})
	if err != nil || len(page.Accounts) != srv.AccountCount() {
		t.Fatalf("page %v, err %v", page, err)
	}
	if srv.TotalHits() != 2 {
		t.Errorf("hits = %d, want 2 (one retry)", srv.TotalHits())
	}
}

func TestGetAccountByUID(t *testing.T) {
	srv, c, rec := newFake(t)
	created, err := c.CreateAccounts(context.Background(), cloud.CreateAccountsInput{Accounts: []cloud.NewLocalAccount{{EmailAddress: "jane+x@example.test"}}})
	if err != nil {
		t.Fatal(err)
	}
	a, err := c.GetAccountByUID(context.Background(), "jane+x@example.test")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(&created[0], a); diff != "" {
		t.Errorf("(-created +found):\n%s", diff)
	}
	if got, want := rec.last(t, "GET").URL, "/api/v1/account?rows=100&start=0&fq=UID%3Djane%2Bx%40example.test"; got != want {
		t.Errorf("URL %s, want %s", got, want)
	}
	_, err = c.GetAccountByUID(context.Background(), "nobody@example.test")
	if !errors.Is(err, cloud.ErrNotFound) {
		t.Errorf("missing UID: %v", err)
	}
	if srv.TotalHits() != 3 {
		t.Errorf("hits = %d", srv.TotalHits())
	}
}

func TestCreateAccountsForm(t *testing.T) {
	srv, c, rec := newFake(t)
	got, err := c.CreateAccounts(context.Background(), cloud.CreateAccountsInput{SendInvite: true,
		Accounts: []cloud.NewLocalAccount{{EmailAddress: "one@example.test"}, {EmailAddress: "two@example.test"}}})
	if err != nil {
		t.Fatal(err)
	}
	want := "accounts[0].emailAddress=one%40example.test&accounts[0].accountSource=LOCAL&accounts[0].uid=one%40example.test" +
		"&accounts[1].emailAddress=two%40example.test&accounts[1].accountSource=LOCAL&accounts[1].uid=two%40example.test"
	r := rec.last(t, "POST")
	if r.Body != want || r.URL != "/api/v1/accounts?sendInvite=true" || r.ContentType != "application/x-www-form-urlencoded" {
		t.Errorf("sent %+v\nwant body %s", r, want)
	}
	if len(got) != 2 || got[0].UID != "one@example.test" || got[1].InviteState != "Pending" || got[0].ID == got[1].ID {
		t.Errorf("created %+v", got)
	}
	if len(srv.Invites()) != 2 {
		t.Errorf("invites %v", srv.Invites())
	}
}

func TestCreateAccountWithPasswordForm(t *testing.T) {
	srv, c, rec := newFake(t)
	a, err := c.CreateAccount(context.Background(), cloud.CreateAccountInput{
		EmailAddress: "cool@example.test", FirstName: "Cool", LastName: "Tester", Password: "Testing!23",
	})
	if err != nil {
		t.Fatal(err)
	}
	want := "accountSource=LOCAL&uid=cool%40example.test&emailAddress=cool%40example.test&firstName=Cool&lastName=Tester" +
		"&displayName=Cool+Tester&password=Testing%2123&confirmPassword=Testing%2123"
	if r := rec.last(t, "POST"); r.Body != want || r.URL != "/api/v1/account?sendInvite=false" {
		t.Errorf("sent %+v\nwant body %s", r, want)
	}
	if a.DisplayName != "Cool Tester" || !srv.HasPassword(a.ID) {
		t.Errorf("created %+v", a)
	}
}

// Creates must not be repeated: a 503 or a dropped connection after the
// request left may mean the account exists already.
func TestCreatesNeverRetried(t *testing.T) {
	for _, f := range []cloudtest.Fault{
		{Status: http.StatusServiceUnavailable, Times: 100},
		{Reset: true, Times: 100},
	} {
		srv, c, _ := newFake(t)
		srv.Inject(f)
		ctx := context.Background()
		calls := map[string]func() error{
			"CreateAccounts": func() error {
				_, err := c.CreateAccounts(ctx, cloud.CreateAccountsInput{Accounts: []cloud.NewLocalAccount{{EmailAddress: "a@example.test"}}})
				return err
			},
			"CreateAccount": func() error {
				_, err := c.CreateAccount(ctx, cloud.CreateAccountInput{EmailAddress: "a@example.test", Password: "Secret-Pw-9"})
				return err
			},
			"InviteUsers": func() error { return c.InviteUsers(ctx, cloud.InviteUsersInput{AccountIDs: []int64{10022}}) },
			"CreateEnrollmentURLs": func() error {
				_, err := c.CreateEnrollmentURLs(ctx, cloud.CreateEnrollmentURLsInput{AccountIDs: []int64{10022}, Lifetime: time.Hour})
				return err
			},
			"GenerateRegistrationPINs": func() error { _, err := c.GenerateRegistrationPINs(ctx, []int64{10022}); return err },
			"StartLDAPImport": func() error {
				_, err := c.StartLDAPImport(ctx, cloud.ImportLDAPUserInput{UIDOrEmail: "ldapuser@example.test"})
				return err
			},
			"DeleteAccount": func() error { return c.DeleteAccount(ctx, 10022) },
			"ApplyCustomAttributes": func() error {
				return c.ApplyCustomAttributes(ctx, cloud.ApplyCustomAttributesInput{AccountIDs: []int64{10022}, Attributes: map[string][]string{"a": {"b"}}})
			},
		}
		for name, call := range calls {
			before := srv.TotalHits()
			err := call()
			if err == nil {
				t.Errorf("%s under %+v: no error", name, f)
				continue
			}
			if strings.Contains(err.Error(), "Secret-Pw-9") {
				t.Errorf("%s: password in error %q", name, err)
			}
			if n := srv.TotalHits() - before; n != 1 {
				t.Errorf("%s under fault %+v: %d hits, want 1", name, f, n)
			}
		}
		srv.ClearFaults()
	}
}

func TestBadInputSendsNothing(t *testing.T) {
	srv, c, _ := newFake(t)
	ctx := context.Background()
	calls := map[string]error{}
	_, calls["empty email"] = c.CreateAccounts(ctx, cloud.CreateAccountsInput{Accounts: []cloud.NewLocalAccount{{}}})
	_, calls["no accounts"] = c.CreateAccounts(ctx, cloud.CreateAccountsInput{})
	_, calls["password mismatch"] = c.CreateAccount(ctx, cloud.CreateAccountInput{EmailAddress: "a@example.test", Password: "one-Pw-1", ConfirmPassword: "two-Pw-2"})
	_, calls["empty password"] = c.CreateAccount(ctx, cloud.CreateAccountInput{EmailAddress: "a@example.test"})
	_, calls["bad source"] = c.CreateAccount(ctx, cloud.CreateAccountInput{EmailAddress: "a@example.test", Password: "x", AccountSource: "AD"})
	calls["unknown ownership"] = c.InviteUsers(ctx, cloud.InviteUsersInput{AccountIDs: []int64{10022}, Ownership: "PERSONAL"})
	calls["no invitees"] = c.InviteUsers(ctx, cloud.InviteUsersInput{Ownership: cloud.DeviceOwnershipEmployee})
	_, calls["ldap ownership"] = c.ImportLDAPUser(ctx, cloud.ImportLDAPUserInput{UIDOrEmail: "x", DeviceOwnership: "MINE"})
	_, calls["ldap empty"] = c.ImportLDAPUser(ctx, cloud.ImportLDAPUserInput{})
	_, calls["ldap wait"] = c.ImportLDAPUser(ctx, cloud.ImportLDAPUserInput{UIDOrEmail: "x"}, cloud.WithPollInterval(-time.Second))
	_, calls["rows 501"] = c.ListAccountsPage(ctx, cloud.ListOptions{PageSize: 501})
	_, calls["sort order"] = c.ListAccountsPage(ctx, cloud.ListOptions{SortBy: "uid", SortOrder: "UP"})
	_, calls["parallel"] = c.ListAccountsPage(ctx, cloud.ListOptions{Parallel: 100})
	_, calls["lifetime"] = c.CreateEnrollmentURLs(ctx, cloud.CreateEnrollmentURLsInput{AccountIDs: []int64{10022}})
	_, calls["negative id"] = c.CreateEnrollmentURLs(ctx, cloud.CreateEnrollmentURLsInput{AccountIDs: []int64{-1}, Lifetime: time.Hour})
	_, calls["no pin ids"] = c.GenerateRegistrationPINs(ctx, nil)
	calls["delete id"] = c.DeleteAccount(ctx, 0)
	_, calls["viability ids"] = c.CheckDeleteViability(ctx, nil)
	calls["attrs"] = c.ApplyCustomAttributes(ctx, cloud.ApplyCustomAttributesInput{AccountIDs: []int64{10022}})
	calls["attr name"] = c.ApplyCustomAttributes(ctx, cloud.ApplyCustomAttributesInput{AccountIDs: []int64{10022}, Attributes: map[string][]string{"": {"x"}}})
	calls["policy mode"] = c.UpdateRegistrationPolicy(ctx, cloud.RegistrationPolicy{})
	calls["replace id"] = c.ReplaceAccount(ctx, cloud.AccountFields{EmailAddress: "a@example.test"})
	calls["replace email"] = c.ReplaceAccount(ctx, cloud.AccountFields{ID: 10022})
	calls["change password"] = c.ChangePassword(ctx, cloud.ChangePasswordInput{UID: "x@example.test"})
	calls["change password uid"] = c.ChangePassword(ctx, cloud.ChangePasswordInput{Password: "Some-Pw-1"})
	_, calls["update uid"] = c.UpdateAccount(ctx, "", func(*cloud.AccountFields) {})
	_, calls["update nil"] = c.UpdateAccount(ctx, "x@example.test", nil)
	_, calls["uid"] = c.GetAccountByUID(ctx, " ")
	for name, err := range calls {
		if !errors.Is(err, cloud.ErrInvalidInput) {
			t.Errorf("%s: %v, want ErrInvalidInput", name, err)
		} else if strings.Contains(err.Error(), "Pw-") {
			t.Errorf("%s: error shows a password: %v", name, err)
		}
	}
	if srv.TotalHits() != 0 {
		t.Errorf("bad input reached the server: %d hits", srv.TotalHits())
	}
}

func TestDeleteWithViability(t *testing.T) {
	srv, c, rec := newFake(t)
	ctx := context.Background()
	v, err := c.CheckDeleteViability(ctx, []int64{10022})
	if err != nil || v.TotalCount != 0 || len(v.SearchResults) != 0 {
		t.Fatalf("viability %+v, %v", v, err)
	}
	if got := rec.last(t, "GET").URL; got != "/api/v1/account?checkDeleteViability=true&ids=10022" {
		t.Errorf("URL %s", got)
	}
	if err := c.DeleteAccount(ctx, 10022); err != nil {
		t.Fatal(err)
	}
	if got := rec.last(t, "DELETE").URL; got != "/api/v1/account?id=10022" {
		t.Errorf("URL %s", got)
	}
	if srv.Account(10022) != nil {
		t.Error("account still there")
	}
	err = c.DeleteAccount(ctx, 10022)
	var ae *cloud.Error
	if !errors.As(err, &ae) || !errors.Is(err, cloud.ErrNotFound) || ae.Code != "CLOUDTEST-NO-ACCOUNT" {
		t.Errorf("second delete: %v", err)
	}
}

func TestListPageOddAnswers(t *testing.T) {
	srv, c, _ := newFake(t)
	for _, tc := range []struct {
		name        string
		ctype, body string
		kind        error
	}{
		{"html login page", "text/html", cloudtest.HTMLLoginPage, cloud.ErrHTMLResponse},
		{"cut JSON", "application/json", `{"errors":null,"result":{"totalCount":3,"searchResults":[{"id":1},`, cloud.ErrUnexpectedResponse},
		{"empty", "application/json", "", cloud.ErrUnexpectedResponse},
		{"null result", "application/json", `{"errors":null,"result":null}`, cloud.ErrUnexpectedResponse},
		{"errors in 200", "application/json", `{"errors":{"globalErrors":[{"code":"SEARCH-1","message":"bad query"}],"fieldErrors":null},"result":null}`, cloud.ErrVendor},
	} {
		srv.Inject(cloudtest.Fault{Method: "GET", Status: 200, ContentType: tc.ctype, Body: tc.body})
		_, err := c.ListAccountsPage(context.Background(), cloud.ListOptions{})
		if !errors.Is(err, tc.kind) || !strings.HasPrefix(err.Error(), "cloud.ListAccountsPage: ") {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}

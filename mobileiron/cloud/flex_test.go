package cloud_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/certadmin/certadmin-go/mobileiron/cloud"
	"github.com/certadmin/certadmin-go/mobileiron/cloud/cloudtest"
)

// The documentation gives edipi, gdprProfileId and ldapServerId as
// numeric-looking text and never says which JSON type answers use. The
// fake's account 11193157 carries edipi as a number and its GDPR profile
// as text; the listing must read both, and a member of a type nobody
// documented must not fail the page it is on.
func TestOddFieldTypesDoNotFailAPage(t *testing.T) {
	srv, c, _ := newFake(t)
	var found *cloud.Account
	n := 0
	for a, err := range c.ListAccounts(context.Background(), cloud.ListOptions{PageSize: 500}) {
		if err != nil {
			t.Fatalf("after %d accounts: %v", n, err)
		}
		n++
		if a.ID == 11193157 {
			found = &a
		}
	}
	if n != srv.AccountCount() || found == nil {
		t.Fatalf("listed %d of %d accounts, 11193157 among them: %v", n, srv.AccountCount(), found != nil)
	}
	if found.EDIPI != "1234567895" || found.GDPRProfileID != "259" || found.ManagedAppleID != "jdoe@appleid.example.test" ||
		!found.PasswordNeverExpire || found.AndroidWorkDeviceAccountEnabled || found.Unreadable != nil {
		t.Errorf("11193157 = %+v", found)
	}
	if id, err := found.GDPRProfileID.Int64(); id != 259 || err != nil {
		t.Errorf("GDPR profile ID %d, %v", id, err)
	}

	// One account of three with members of undocumented types: a text
	// deviceCount and an object where the LDAP server ID belongs.
	srv.Inject(cloudtest.Fault{Method: "GET", PathSuffix: "/api/v1/account", Status: 200, ContentType: "application/json",
		Body: `{"errors":null,"result":{"totalCount":3,"searchResults":[` +
			`{"id":1,"uid":"a@example.test","edipi":1234567899,"gdprProfileId":259,"ldapServerId":"7"},` +
			`{"id":2,"uid":"b@example.test","deviceCount":"many","ldapServerId":{"id":7},"passwordNeverExpire":"true"},` +
			`{"id":3,"uid":"c@example.test","edipi":null}],"offset":0}}`})
	page, err := c.ListAccountsPage(context.Background(), cloud.ListOptions{PageSize: 3})
	if err != nil {
		t.Fatal(err)
	}
	want := []cloud.Account{
		{ID: 1, UID: "a@example.test", EDIPI: "1234567899", GDPRProfileID: "259", LDAPServerID: "7"},
		{ID: 2, UID: "b@example.test", LDAPServerID: `{"id":7}`, PasswordNeverExpire: true, Unreadable: []string{"deviceCount"}},
		{ID: 3, UID: "c@example.test"},
	}
	if diff := cmp.Diff(want, page.Accounts); diff != "" {
		t.Errorf("accounts (-want +got):\n%s", diff)
	}
}

// A member of the wrong type inside an array or a nested object is named
// in a listing (decoded from the stream) as encoding/json names it when
// it decodes the account alone (Account's UnmarshalJSON): the member,
// from the account, without the element's index.
func TestUnreadableMembersAreNamedAsEncodingJSONNamesThem(t *testing.T) {
	srv, c, _ := newFake(t)
	const body = `{"errors":null,"result":{"totalCount":2,"searchResults":[` +
		`{"id":1,"uid":"a@example.test","groups":["staff",7]},` +
		`{"id":2,"uid":"b@example.test","registrationPin":{"pin":"1234","createdAt":"yesterday"}}],"offset":0}}`
	want := [][]string{{"groups"}, {"registrationPin.createdAt"}}
	srv.Inject(cloudtest.Fault{Method: "GET", PathSuffix: "/api/v1/account", Status: 200, ContentType: "application/json", Body: body})
	page, err := c.ListAccountsPage(context.Background(), cloud.ListOptions{PageSize: 2})
	if err != nil {
		t.Fatal(err)
	}
	for i, a := range page.Accounts {
		if !slices.Equal(a.Unreadable, want[i]) {
			t.Errorf("listing, account %d: Unreadable %q, want %q", a.ID, a.Unreadable, want[i])
		}
	}
	// What encoding/json itself says, through Account's UnmarshalJSON.
	var ref struct {
		Result struct {
			SearchResults []cloud.Account `json:"searchResults"`
		} `json:"result"`
	}
	if err := json.Unmarshal([]byte(body), &ref); err != nil {
		t.Fatal(err)
	}
	for i, a := range ref.Result.SearchResults {
		if !slices.Equal(a.Unreadable, want[i]) {
			t.Errorf("encoding/json, account %d: Unreadable %q, want %q", a.ID, a.Unreadable, want[i])
		}
	}
}

func TestFlexStringReadsEveryForm(t *testing.T) {
	for in, want := range map[string]cloud.FlexString{
		`"1234567899"`: "1234567899", `1234567899`: "1234567899", `12.5`: "12.5", `""`: "", `null`: "",
		`true`: "true", `[1,2]`: "[1,2]", `"*****"`: "*****",
	} {
		var got cloud.FlexString
		if err := json.Unmarshal([]byte(in), &got); err != nil || got != want {
			t.Errorf("%s: %q, %v", in, got, err)
		}
	}
	b, err := json.Marshal(struct {
		E cloud.FlexString `json:"edipi"`
	}{"1234567899"})
	if err != nil || string(b) != `{"edipi":"1234567899"}` {
		t.Errorf("marshal %s, %v", b, err)
	}
}

// Every member the samples show is kept: passwordHistory and
// accountSettings (JSON text), androidWorkRetryCount, guid,
// actionExceptionCodes (undocumented, kept raw) and mamWithOutMDM.
func TestAccountKeepsEveryMemberOfTheSamples(t *testing.T) {
	srv, c, _ := newFake(t)
	list, err := cloudtest.Fixture("get_all_accounts_response.json")
	if err != nil {
		t.Fatal(err)
	}
	var sample struct {
		Result struct{ SearchResults []json.RawMessage } `json:"result"`
	}
	if err := cloudtest.Lenient(list, &sample); err != nil {
		t.Fatal(err)
	}
	var a cloud.Account
	if err := json.Unmarshal(sample.Result.SearchResults[0], &a); err != nil {
		t.Fatal(err)
	}
	if a.AccountSettings != "null" || a.PasswordHistory != "{}" || a.AndroidWorkRetryCount != 0 {
		t.Errorf("list sample: %+v", a)
	}
	// Marshalled again, the account shows the sample's members.
	b, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []string{`"accountSettings":"null"`, `"passwordHistory":"{}"`, `"androidWorkRetryCount":0`, `"androidWorkUserStatus":"NONE"`} {
		if !json.Valid(b) || !contains(b, m) {
			t.Errorf("%s lacks %s", b, m)
		}
	}

	srv.Inject(cloudtest.Fault{Method: "GET", PathSuffix: "/api/v1/account", Status: 200, ContentType: "application/json",
		Body: `{"errors":null,"result":{"totalCount":1,"searchResults":[{"id":7,"uid":"x@example.test","passwordHistory":"{\"passwords\":[\"h1\"]}",` +
			`"accountSettings":"{\"theme\":\"dark\"}","androidWorkRetryCount":3,"guid":"2f6e0c1a","actionExceptionCodes":["WIPE-1"],"mamWithOutMDM":true}],"offset":0}}`})
	page, err := c.ListAccountsPage(context.Background(), cloud.ListOptions{PageSize: 1})
	if err != nil {
		t.Fatal(err)
	}
	want := cloud.Account{ID: 7, UID: "x@example.test", PasswordHistory: `{"passwords":["h1"]}`, AccountSettings: `{"theme":"dark"}`,
		AndroidWorkRetryCount: 3, GUID: "2f6e0c1a", ActionExceptionCodes: json.RawMessage(`["WIPE-1"]`), MAMWithoutMDM: "true"}
	if diff := cmp.Diff([]cloud.Account{want}, page.Accounts); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	created, err := c.CreateAccounts(context.Background(), cloud.CreateAccountsInput{Accounts: []cloud.NewLocalAccount{{EmailAddress: "kept@example.test"}}})
	if err != nil {
		t.Fatal(err)
	}
	if created[0].PasswordHistory != `{"passwords":[]}` || created[0].AccountSettings != "null" || created[0].ActionExceptionCodes != nil {
		t.Errorf("created %+v", created[0])
	}
}

func contains(b []byte, s string) bool { return strings.Contains(string(b), s) }

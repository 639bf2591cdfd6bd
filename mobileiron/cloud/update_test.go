package cloud_test

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/certadmin/certadmin-go/mobileiron/cloud"
	"github.com/certadmin/certadmin-go/mobileiron/cloud/cloudtest"
)

// sentForm is the last PUT's form.
func sentForm(t *testing.T, rec *recorder) url.Values {
	t.Helper()
	v, err := url.ParseQuery(rec.last(t, "PUT").Body)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// The update call clears every field of its table it does not carry.
// UpdateAccount must send what the server returned plus what the change
// set, and no value it made up: the search sample's account 10022 has no
// edipi, managedAppleId, gdprProfileId, passwordNeverExpire or
// androidWorkDeviceAccountEnabled, so none of them may go out (empty or
// false), and the fake must not end up holding values nobody chose.
func TestUpdateAccountSendsOnlyWhatTheServerShowed(t *testing.T) {
	srv, c, rec := newFake(t)
	ctx := context.Background()
	unshown := []string{"managedAppleId", "edipi", "androidWorkDeviceAccountEnabled", "gdprProfileId", "passwordNeverExpire"}

	// Without the caller's word, fields the read did not show are not
	// cleared blindly: nothing is sent.
	puts := srv.HitsMatching("PUT", "")
	_, err := c.UpdateAccount(ctx, "john.doe@example.test", func(f *cloud.AccountFields) { f.FirstName = "Johnny" })
	var uf *cloud.UnshownFieldsError
	if !errors.Is(err, cloud.ErrWouldClear) || !errors.As(err, &uf) || !slices.Equal(uf.Fields, unshown) {
		t.Fatalf("update of fields the read did not show: err = %v, want ErrWouldClear naming %v", err, unshown)
	}
	if n := srv.HitsMatching("PUT", "") - puts; n != 0 {
		t.Fatalf("the refused update sent %d PUTs", n)
	}

	up, err := c.UpdateAccount(ctx, "john.doe@example.test", func(f *cloud.AccountFields) { f.FirstName = "Johnny" }, cloud.WithClearUnshown(unshown...))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := rec.last(t, "PUT").Body, "firstName=Johnny&lastName=Doe&emailAddress=john.doe%40example.test&uid=john.doe%40example.test"+
		"&displayName=John+Doe&id=10022&accountSource=LOCAL&enabled=true"; got != want {
		t.Errorf("body\n got %s\nwant %s", got, want)
	}
	if diff := cmp.Diff(unshown, up.Cleared); diff != "" {
		t.Errorf("cleared (-want +got):\n%s", diff)
	}
	if up.Sent["firstName"] != "Johnny" || up.Sent["id"] != "10022" || len(up.Sent) != 8 {
		t.Errorf("sent %v", up.Sent)
	}
	stored := string(srv.AccountJSON(10022))
	for _, m := range []string{`"firstName":"Johnny"`, `"lastName":"Doe"`, `"edipi":null`, `"passwordNeverExpire":null`, `"androidWorkDeviceAccountEnabled":null`} {
		if !strings.Contains(stored, m) {
			t.Errorf("stored account lacks %s: %s", m, stored)
		}
	}

	// Account 11193157 shows every field of the update call (edipi as a
	// number, its GDPR profile as text): all are sent back as shown, and
	// all are kept.
	before := srv.Account(11193157)
	if _, err := c.UpdateAccount(ctx, "jdoe@example.test", func(f *cloud.AccountFields) { f.LastName = "Roe" }); err != nil {
		t.Fatal(err)
	}
	want := url.Values{"firstName": {"John"}, "lastName": {"Roe"}, "emailAddress": {"jdoe@example.test"}, "uid": {"jdoe@example.test"},
		"displayName": {"John Doe"}, "id": {"11193157"}, "accountSource": {"LOCAL"}, "enabled": {"true"},
		"managedAppleId": {"jdoe@appleid.example.test"}, "edipi": {"1234567895"}, "androidWorkDeviceAccountEnabled": {"false"},
		"gdprProfileId": {"259"}, "passwordNeverExpire": {"true"}}
	if diff := cmp.Diff(want, sentForm(t, rec)); diff != "" {
		t.Errorf("form (-want +got):\n%s", diff)
	}
	after := srv.Account(11193157)
	if after.LastName != "Roe" || after.EDIPI != before.EDIPI || after.GDPRProfileID != before.GDPRProfileID ||
		after.ManagedAppleID != before.ManagedAppleID || !after.PasswordNeverExpire || !strings.Contains(string(srv.AccountJSON(11193157)), `"edipi":1234567895`) {
		t.Errorf("stored %+v", after)
	}

	// Emptying a field the server showed sends it empty, which clears it.
	if _, err := c.UpdateAccount(ctx, "jdoe@example.test", func(f *cloud.AccountFields) { f.ManagedAppleID = "" }); err != nil {
		t.Fatal(err)
	}
	if v := sentForm(t, rec); !v.Has("managedAppleId") || v.Get("managedAppleId") != "" || srv.Account(11193157).ManagedAppleID != "" {
		t.Errorf("emptied field: form %v", v)
	}
}

// A GDPR profile on the API user masks fields in the answers; writing the
// mask back would store it, so UpdateAccount sends nothing and says which
// fields are masked.
func TestUpdateAccountRefusesToWriteMaskedValues(t *testing.T) {
	srv, c, _ := newFake(t, cloudtest.WithGDPRProfile())
	ctx := context.Background()
	before := string(srv.AccountJSON(11193157))
	_, err := c.UpdateAccount(ctx, "jdoe@example.test", func(f *cloud.AccountFields) { f.PasswordNeverExpire = false })
	var mf *cloud.MaskedFieldError
	if !errors.Is(err, cloud.ErrMaskedField) || !errors.As(err, &mf) || !strings.Contains(err.Error(), "emailAddress") {
		t.Fatalf("err = %v", err)
	}
	if want := []string{"firstName", "lastName", "emailAddress", "displayName"}; !slices.Equal(mf.Fields, want) {
		t.Errorf("masked fields %v, want %v", mf.Fields, want)
	}
	if srv.Hits("PUT", "/api/v1/account") != 0 || string(srv.AccountJSON(11193157)) != before {
		t.Errorf("a masked update reached the server: %s", srv.AccountJSON(11193157))
	}
	// Replacing the masked values in the change lets the update through.
	if _, err := c.UpdateAccount(ctx, "jdoe@example.test", func(f *cloud.AccountFields) {
		f.FirstName, f.LastName, f.DisplayName, f.EmailAddress = "John", "Doe", "John Doe", "jdoe@example.test"
		f.PasswordNeverExpire = false
	}); err != nil {
		t.Fatal(err)
	}
	if a := srv.Account(11193157); a.EmailAddress != "jdoe@example.test" || a.PasswordNeverExpire || a.EDIPI != "1234567895" {
		t.Errorf("stored %+v", a)
	}
}

// Change Password is its own call with the documentation's five fields;
// everything else about the account stays as it was.
func TestChangePasswordIsTheDocumentedCall(t *testing.T) {
	srv, c, rec := newFake(t)
	ctx := context.Background()
	before := srv.Account(11193157)
	if err := c.ChangePassword(ctx, cloud.ChangePasswordInput{UID: "jdoe@example.test", Password: "Clever78password"}); err != nil {
		t.Fatal(err)
	}
	if got, want := rec.last(t, "PUT").Body, "emailAddress=jdoe%40example.test&id=11193157&enabled=true&password=Clever78password&confirmPassword=Clever78password"; got != want {
		t.Errorf("body\n got %s\nwant %s", got, want)
	}
	after := srv.Account(11193157)
	after.ModifiedAt = before.ModifiedAt
	if diff := cmp.Diff(before, after); diff != "" || !srv.HasPassword(11193157) {
		t.Errorf("the password change changed the account (-before +after):\n%s", diff)
	}
	if err := c.ChangePassword(ctx, cloud.ChangePasswordInput{UID: "jdoe@example.test", Password: "Clever79password", Enabled: new(bool)}); err != nil {
		t.Fatal(err)
	}
	if v := sentForm(t, rec); v.Get("enabled") != "false" || srv.Account(11193157).Enabled {
		t.Errorf("enabled false: form %v", v)
	}

	// A masked address needs the caller's.
	masked, mc, mrec := newFake(t, cloudtest.WithGDPRProfile())
	err := mc.ChangePassword(ctx, cloud.ChangePasswordInput{UID: "jdoe@example.test", Password: "Clever78password"})
	var mf *cloud.MaskedFieldError
	if !errors.Is(err, cloud.ErrMaskedField) || !errors.As(err, &mf) || mf.Fields[0] != "emailAddress" || masked.Hits("PUT", "/api/v1/account") != 0 ||
		strings.Contains(err.Error(), "Clever78") {
		t.Errorf("masked address: %v", err)
	}
	if err := mc.ChangePassword(ctx, cloud.ChangePasswordInput{UID: "jdoe@example.test", Password: "Clever78password", EmailAddress: "jdoe@example.test"}); err != nil {
		t.Fatal(err)
	}
	if v := sentForm(t, mrec); v.Get("emailAddress") != "jdoe@example.test" || !masked.HasPassword(11193157) {
		t.Errorf("given address: form %v", v)
	}

	// An answer without an enabled state needs the caller's too.
	injectSearch(srv, `{"errors":null,"result":{"totalCount":1,"searchResults":[{"id":12477207,"uid":"password.change@example.test","emailAddress":"password.change@example.test"}],"offset":0}}`)
	puts := srv.Hits("PUT", "/api/v1/account")
	err = c.ChangePassword(ctx, cloud.ChangePasswordInput{UID: "password.change@example.test", Password: "Clever78password"})
	if !errors.Is(err, cloud.ErrInvalidInput) || !strings.Contains(err.Error(), "Enabled") || srv.Hits("PUT", "/api/v1/account") != puts {
		t.Errorf("no enabled state: %v", err)
	}
}

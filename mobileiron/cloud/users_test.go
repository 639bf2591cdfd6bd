package cloud_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/certadmin/certadmin-go/mobileiron/cloud"
	"github.com/certadmin/certadmin-go/mobileiron/cloud/cloudapi"
	"github.com/certadmin/certadmin-go/mobileiron/cloud/cloudtest"
)

// The update call clears absent fields: UpdateAccount must keep what the
// server showed and the change does not touch, ReplaceAccount must send
// exactly what it is given.
func TestUpdateAccountKeepsOtherFields(t *testing.T) {
	srv, c, rec := newFake(t)
	ctx := context.Background()
	a, err := c.CreateAccount(ctx, cloud.CreateAccountInput{EmailAddress: "kim@example.test", FirstName: "Kim", LastName: "Lee", Password: "Start-Pw-1"})
	if err != nil {
		t.Fatal(err)
	}
	full := a.Fields()
	full.EDIPI, full.ManagedAppleID, full.GDPRProfileID, full.PasswordNeverExpire = "1234567895", "kim@appleid.example.test", "259", true
	if err := c.ReplaceAccount(ctx, full); err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("firstName=Kim&lastName=Lee&emailAddress=kim%%40example.test&uid=kim%%40example.test&displayName=Kim+Lee&id=%d"+
		"&accountSource=LOCAL&enabled=true&managedAppleId=kim%%40appleid.example.test&edipi=1234567895"+
		"&androidWorkDeviceAccountEnabled=false&gdprProfileId=259&passwordNeverExpire=true", a.ID)
	if got := rec.last(t, "PUT").Body; got != want {
		t.Errorf("replace body\n got %s\nwant %s", got, want)
	}

	up, err := c.UpdateAccount(ctx, "kim@example.test", func(f *cloud.AccountFields) { f.FirstName = "Kimberly" })
	if err != nil {
		t.Fatal(err)
	}
	after := full
	after.FirstName = "Kimberly"
	if diff := cmp.Diff(after, up.Fields); diff != "" {
		t.Errorf("fields (-want +got):\n%s", diff)
	}
	if got, want := rec.last(t, "PUT").Body, strings.Replace(want, "firstName=Kim&", "firstName=Kimberly&", 1); got != want || up.Cleared != nil {
		t.Errorf("update body\n got %s\nwant %s\ncleared %v", got, want, up.Cleared)
	}
	stored := srv.Account(a.ID)
	if stored.FirstName != "Kimberly" || stored.EDIPI != "1234567895" || stored.LastName != "Lee" || stored.GDPRProfileID != "259" || !stored.PasswordNeverExpire {
		t.Errorf("stored after update: %+v", stored)
	}

	// What UpdateAccount protects against: a partial full-replace clears the rest.
	if err := c.ReplaceAccount(ctx, cloud.AccountFields{ID: a.ID, EmailAddress: "kim@example.test"}); err != nil {
		t.Fatal(err)
	}
	stored = srv.Account(a.ID)
	if stored.FirstName != "" || stored.EDIPI != "" {
		t.Errorf("the fake did not clear absent fields: %+v", stored)
	}
}

func TestChangePasswordSendsItsFiveFields(t *testing.T) {
	srv, c, rec := newFake(t)
	ctx := context.Background()
	a, err := c.CreateAccounts(ctx, cloud.CreateAccountsInput{Accounts: []cloud.NewLocalAccount{{EmailAddress: "pat@example.test"}}})
	if err != nil {
		t.Fatal(err)
	}
	wantCleared := []string{"lastName", "displayName", "managedAppleId", "edipi", "androidWorkDeviceAccountEnabled", "gdprProfileId", "passwordNeverExpire"}
	up, err := c.UpdateAccount(ctx, "pat@example.test", func(f *cloud.AccountFields) { f.FirstName, f.Enabled = "Pat", true }, cloud.WithClearUnshown(wantCleared...))
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("firstName=Pat&emailAddress=pat%%40example.test&uid=pat%%40example.test&id=%d&accountSource=LOCAL&enabled=true", a[0].ID)
	if got := rec.last(t, "PUT").Body; got != want {
		t.Errorf("update body\n got %s\nwant %s", got, want)
	}
	if diff := cmp.Diff(wantCleared, up.Cleared); diff != "" {
		t.Errorf("cleared (-want +got):\n%s", diff)
	}
	if err := c.ChangePassword(ctx, cloud.ChangePasswordInput{UID: "pat@example.test", Password: "Clever78password"}); err != nil {
		t.Fatal(err)
	}
	want = fmt.Sprintf("emailAddress=pat%%40example.test&id=%d&enabled=true&password=Clever78password&confirmPassword=Clever78password", a[0].ID)
	if got := rec.last(t, "PUT").Body; got != want {
		t.Errorf("password body\n got %s\nwant %s", got, want)
	}
	stored := srv.Account(a[0].ID)
	if !srv.HasPassword(a[0].ID) || stored.FirstName != "Pat" || !stored.Enabled {
		t.Errorf("stored %+v", stored)
	}
	err = c.ChangePassword(ctx, cloud.ChangePasswordInput{UID: "nobody@example.test", Password: "Clever78password"})
	if !errors.Is(err, cloud.ErrNotFound) || strings.Contains(err.Error(), "Clever78") {
		t.Errorf("unknown UID: %v", err)
	}
}

// Passwords and the Authorization header appear in no error and no log line.
func TestSecretsStayOutOfErrorsAndLogs(t *testing.T) {
	srv := cloudtest.NewTestServer(t)
	var logs bytes.Buffer
	c, err := srv.NewClient(cloud.WithRetry(fastRetry),
		cloud.WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	srv.Inject(cloudtest.Fault{Method: "PUT", Status: 500, Times: 10, ContentType: "application/json",
		Body: `{"errors":{"globalErrors":[{"code":"E","message":"password=Sup3r-Secret! rejected"}],"fieldErrors":null},"result":null}`})
	err = c.ChangePassword(ctx, cloud.ChangePasswordInput{UID: "john.doe@example.test", Password: "Sup3r-Secret!"})
	if err == nil {
		t.Fatal("no error")
	}
	bad, _ := cloud.NewClient(srv.URL, cloud.WithBasicAuth(cloudtest.Username, "wrong-Secret-77"), cloud.WithRetry(fastRetry),
		cloud.WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	_, err2 := bad.ListAccountsPage(ctx, cloud.ListOptions{})
	if !errors.Is(err2, cloud.ErrUnauthorized) {
		t.Errorf("wrong password: %v", err2)
	}
	text := err.Error() + err2.Error() + logs.String()
	for _, secret := range []string{"Sup3r-Secret", cloudtest.Password, "wrong-Secret-77",
		base64.StdEncoding.EncodeToString([]byte(cloudtest.Username + ":" + cloudtest.Password))} {
		if strings.Contains(text, secret) {
			t.Errorf("secret %q leaked:\n%s", secret, text)
		}
	}
	if srv.Hits("PUT", "/api/v1/account") != 3 {
		t.Errorf("PUT hits = %d, want 3 (an idempotent PUT is retried)", srv.Hits("PUT", "/api/v1/account"))
	}
	srv.ClearFaults()
}

func TestInviteUsersForm(t *testing.T) {
	srv, c, rec := newFake(t)
	if err := c.InviteUsers(context.Background(), cloud.InviteUsersInput{AccountIDs: []int64{10022, 6150167}, Ownership: cloud.DeviceOwnershipEmployee}); err != nil {
		t.Fatal(err)
	}
	if got := rec.last(t, "POST"); got.Body != "accountIds=10022&accountIds=6150167&deviceOwnershipType=EMPLOYEE" || got.URL != "/api/v1/invite/enduser" {
		t.Errorf("sent %+v", got)
	}
	if diff := cmp.Diff([]cloudtest.Invite{{AccountID: 10022, Ownership: "EMPLOYEE"}, {AccountID: 6150167, Ownership: "EMPLOYEE"}}, srv.Invites()); diff != "" {
		t.Error(diff)
	}
	if err := c.InviteUsers(context.Background(), cloud.InviteUsersInput{AccountIDs: []int64{10022}}); err != nil {
		t.Fatal(err)
	}
	if got := rec.last(t, "POST").Body; got != "accountIds=10022" {
		t.Errorf("no ownership: %s", got)
	}
}

func TestEnrollmentURLs(t *testing.T) {
	srv, c, rec := newFake(t)
	urls, err := c.CreateEnrollmentURLs(context.Background(), cloud.CreateEnrollmentURLsInput{AccountIDs: []int64{10022}, Lifetime: 7 * 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if got := rec.last(t, "POST").Body; got != `{"accountIds":[10022],"tokenLifetime":604800000}` {
		t.Errorf("body %s", got)
	}
	e := srv.Enrollments()
	if len(e) != 1 || e[0].Lifetime != 7*24*time.Hour || urls[10022] != e[0].URL || !strings.Contains(e[0].URL, "enroll.mobileconfig?token=") {
		t.Errorf("urls %v, recorded %+v", urls, e)
	}
}

func TestRegistrationPolicyThenPINs(t *testing.T) {
	srv, c, rec := newFake(t)
	ctx := context.Background()
	_, err := c.GenerateRegistrationPINs(ctx, []int64{10022})
	var ae *cloud.Error
	if !errors.As(err, &ae) || ae.Code != "CLOUDTEST-PIN-MODE" {
		t.Errorf("PIN before policy: %v", err)
	}
	if err := c.UpdateRegistrationPolicy(ctx, cloud.PINOnlyPolicy()); err != nil {
		t.Fatal(err)
	}
	if got := rec.last(t, "PUT").URL; got != "/api/v1/userpolicy?policyType=REGISTRATION_AUTH" {
		t.Errorf("URL %s", got)
	}
	// The policy sent carries the body of the vendor's example.
	sample, _ := cloudtest.Fixture("registration_policy_request.json")
	var want cloudapi.RegistrationPolicy
	if err := json.Unmarshal(sample, &want); err != nil {
		t.Fatal(err)
	}
	var sent cloudapi.RegistrationPolicy
	if err := json.Unmarshal([]byte(rec.last(t, "PUT").Body), &sent); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, sent); diff != "" {
		t.Errorf("policy (-example +sent):\n%s", diff)
	}
	if diff := cmp.Diff(cloud.PINOnlyPolicy(), *srv.Policy()); diff != "" {
		t.Errorf("stored policy (-want +got):\n%s", diff)
	}
	pins, err := c.GenerateRegistrationPINs(ctx, []int64{10022})
	if err != nil {
		t.Fatal(err)
	}
	if got := rec.last(t, "POST").Body; got != "accountIds=10022" {
		t.Errorf("body %s", got)
	}
	if len(pins) != 1 || pins[0].ID != 37000 || pins[0].AccountID != 10022 || !regexp.MustCompile(`^\d{4}$`).MatchString(pins[0].PIN) ||
		pins[0].ExpiresAt.Sub(pins[0].CreatedAt) != 7*24*time.Hour || pins[0].Used {
		t.Errorf("pins %+v", pins)
	}
}

func TestRegPINSampleDecodesLeniently(t *testing.T) {
	raw, _ := cloudtest.Fixture("regpin_response.json")
	var env cloudapi.PinListResponse
	if err := cloudtest.Lenient(raw, &env); err != nil {
		t.Fatal(err)
	}
	p := (*env.Result)[0]
	if *p.Id != 37000 || *p.Pin != "6426" || *p.AccountId != 10051 || *p.ExpiresAt != 1414559209914 {
		t.Errorf("pin sample %+v", p)
	}
}

func TestCustomAttributes(t *testing.T) {
	srv, c, rec := newFake(t)
	ctx := context.Background()
	if err := c.ApplyCustomAttributes(ctx, cloud.ApplyCustomAttributesInput{AccountIDs: []int64{10022}, Attributes: map[string][]string{"ios": {"10"}}, ForceOverwrite: true}); err != nil {
		t.Fatal(err)
	}
	if got := rec.last(t, "PATCH").Body; got != `{"attrs":{"attrs":{"ios":["10"]}},"forceOverwrite":true,"ids":["10022"]}` {
		t.Errorf("body %s", got)
	}
	if err := c.ApplyCustomAttributes(ctx, cloud.ApplyCustomAttributesInput{AccountIDs: []int64{10022}, Attributes: map[string][]string{"ios": {"11"}, "dept": {"eng"}}}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string][]string{"ios": {"10"}, "dept": {"eng"}}, srv.CustomAttributes(10022)); diff != "" {
		t.Errorf("without forceOverwrite (-want +got):\n%s", diff)
	}
	if srv.Hits("PATCH", "/api/v1/account/customattributes") != 2 {
		t.Error("hits")
	}
}

func TestMetadata(t *testing.T) {
	_, c, _ := newFake(t)
	m, err := c.GetAccountMetadata(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if m.AccountID != 10001 || m.FirstName != "FirstName0001" || m.DefaultDMPartitionID != 23000 || m.DefaultCMPartitionID != 20000 ||
		m.GroupIDAllUsers != 11000 || m.AllDevicesRuleGroupID != 38000 {
		t.Errorf("metadata %+v", m)
	}
	if len(m.GlobalAuthorities) != 103 || m.GlobalAuthorities[0] != "accountRole.to.group.update" ||
		m.DMPartitions[23000].Name != "Default Partition" || len(m.CMPartitions[20000].Authorities) != 31 {
		t.Errorf("authorities: %d global, partitions %v / %v", len(m.GlobalAuthorities), m.DMPartitions[23000].Name, len(m.CMPartitions[20000].Authorities))
	}
	var prefs struct {
		UIDefaultDmPartitionID int64 `json:"uiDefaultDmPartitionId"`
		ReportDefinitions      []struct {
			ChartName string `json:"chartName"`
		} `json:"reportDefinitions"`
	}
	if err := json.Unmarshal(m.Preferences, &prefs); err != nil || prefs.UIDefaultDmPartitionID != 23000 || len(prefs.ReportDefinitions) != 3 {
		t.Errorf("preferences %+v %v", prefs, err)
	}
}

func TestImportLDAPUser(t *testing.T) {
	srv, c, rec := newFake(t, cloudtest.WithImportPolls(2))
	ctx := context.Background()
	var seen []cloud.ImportState
	st, err := c.ImportLDAPUser(ctx, cloud.ImportLDAPUserInput{UIDOrEmail: "ldapuser@example.test", ServerName: cloudtest.LDAPServer, SendInvite: true, DeviceOwnership: cloud.DeviceOwnershipCompany},
		cloud.WithProgress(func(s cloud.ImportStatus) { seen = append(seen, s.State) }))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(&cloud.ImportStatus{RequestID: 1, State: cloud.ImportStateCompleted}, st); diff != "" {
		t.Error(diff)
	}
	if diff := cmp.Diff([]cloud.ImportState{cloud.ImportStateInProgress, cloud.ImportStateInProgress, cloud.ImportStateCompleted}, seen); diff != "" {
		t.Errorf("states (-want +got):\n%s", diff)
	}
	if got := rec.last(t, "POST").URL; got != "/api/v1/ldap/import/user?uidOrEmail=ldapuser%40example.test&ldapServerName=ldap-2k&sendInvite=true&deviceOwnershipType=COMPANY" {
		t.Errorf("URL %s", got)
	}
	a, err := c.GetAccountByUID(ctx, "ldapuser@example.test")
	if err != nil || a.AccountSource != cloud.AccountSourceLDAP || a.DisplayName != "Lee Dap" || a.InviteState != "Pending" {
		t.Errorf("imported account %+v, %v", a, err)
	}
	if srv.Hits("GET", "/api/v1/ldap/import/user/status") != 3 {
		t.Errorf("status checks = %d", srv.Hits("GET", "/api/v1/ldap/import/user/status"))
	}
}

func TestImportLDAPUserFailures(t *testing.T) {
	_, c, _ := newFake(t)
	ctx := context.Background()
	for _, tc := range []struct {
		imp        cloud.ImportLDAPUserInput
		code, msg  string
		failedKind bool
	}{
		{cloud.ImportLDAPUserInput{UIDOrEmail: "ghost@example.test"}, "LDAP_USER_IMPORT-106", "The LDAP user ghost@example.test not found to import.", true},
		{cloud.ImportLDAPUserInput{UIDOrEmail: "broken@example.test"}, "KC-103", "The LDAP entry has invalid attribute to be imported.", true},
		{cloud.ImportLDAPUserInput{UIDOrEmail: "x@example.test", ServerName: "invalid-ldap"}, "LDAP_USER_IMPORT-103", "No LDAP server with name invalid-ldap found.", false},
	} {
		_, err := c.ImportLDAPUser(ctx, tc.imp)
		var ae *cloud.Error
		if !errors.As(err, &ae) || ae.Code != tc.code || ae.Message != tc.msg || !errors.Is(err, cloud.ErrVendor) ||
			errors.Is(err, cloud.ErrImportFailed) != tc.failedKind {
			t.Errorf("%s: %v", tc.imp.UIDOrEmail, err)
		}
	}
	_, err := c.GetLDAPImportStatus(ctx, 99)
	var ae *cloud.Error
	if !errors.As(err, &ae) || ae.Code != "LDAP_USER_IMPORT-100" || ae.Message != "The LDAP user import request id 99 not found." {
		t.Errorf("unknown request: %v", err)
	}
}

func TestImportLDAPUserTimesOut(t *testing.T) {
	srv, c, _ := newFake(t, cloudtest.WithImportPolls(1_000_000))
	st, err := c.ImportLDAPUser(context.Background(), cloud.ImportLDAPUserInput{UIDOrEmail: "ldapuser@example.test"},
		cloud.WithPollInterval(time.Millisecond), cloud.WithWaitTimeout(100*time.Millisecond))
	if !errors.Is(err, cloud.ErrImportTimeout) || !strings.HasPrefix(err.Error(), "cloud.ImportLDAPUser: request 1: ") {
		t.Errorf("err = %v", err)
	}
	if n := srv.Hits("GET", "/api/v1/ldap/import/user/status"); n < 1 {
		t.Errorf("status checks = %d", n)
	}
	if st == nil || st.State != cloud.ImportStateInProgress {
		t.Errorf("last status %+v", st)
	}
}

func TestStatusCheckRetried(t *testing.T) {
	srv, c, _ := newFake(t)
	id, err := c.StartLDAPImport(context.Background(), cloud.ImportLDAPUserInput{UIDOrEmail: "ldapuser@example.test"})
	if err != nil {
		t.Fatal(err)
	}
	srv.Inject(cloudtest.Fault{Method: "GET", PathSuffix: "/status", Reset: true})
	st, err := c.GetLDAPImportStatus(context.Background(), id)
	if err != nil || st.State != cloud.ImportStateInProgress {
		t.Fatalf("%+v %v", st, err)
	}
	if n := srv.Hits("GET", "/api/v1/ldap/import/user/status"); n != 2 {
		t.Errorf("status hits = %d, want 2", n)
	}
}

func TestEnvelopeErrorInside200(t *testing.T) {
	srv, c, _ := newFake(t)
	srv.Inject(cloudtest.Fault{Method: "DELETE", Status: http.StatusOK, ContentType: "application/json",
		Body: `{"errors":{"globalErrors":[{"code":"ACCOUNT-DELETE-1","message":"account has devices"}],"fieldErrors":[{"code":"Size","message":"too many","field":"id"}]},"result":null}`})
	err := c.DeleteAccount(context.Background(), 10022)
	var ae *cloud.Error
	if !errors.As(err, &ae) || !errors.Is(err, cloud.ErrVendor) || ae.Code != "ACCOUNT-DELETE-1" || ae.Message != "account has devices" ||
		!cmp.Equal(ae.Details, []string{"Size: id: too many"}) || ae.StatusCode != 200 {
		t.Errorf("err = %#v", err)
	}
	if srv.Account(10022) == nil {
		t.Error("the injected answer should have kept the account")
	}
}

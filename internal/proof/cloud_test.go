package proof_test

import (
	"context"
	"testing"
	"time"

	"github.com/certadmin/certadmin-go/internal/fakeserver"
	"github.com/certadmin/certadmin-go/mobileiron/cloud"
	"github.com/certadmin/certadmin-go/mobileiron/cloud/cloudtest"
)

func cloudVendor(t *testing.T, secrets secretSet) *vendor {
	srv, err := cloudtest.NewServer(cloudtest.WithGeneratedAccounts(3), cloudtest.WithImportPolls(1), cloudtest.WithCredentials(cloudtest.Username, secrets.password))
	if err != nil {
		t.Fatal(err)
	}
	closeFake(t, srv)
	logs := &syncBuffer{}
	c, err := srv.NewClient(cloud.WithRetry(cloud.RetryPolicy(proofRetry)), cloud.WithTimeout(proofTimeout), cloud.WithLogger(proofLogger(logs)),
		cloud.WithPollInterval(time.Millisecond), cloud.WithWaitTimeout(5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := c.UpdateRegistrationPolicy(ctx, cloud.PINOnlyPolicy()); err != nil { // PINs need the PIN mode
		t.Fatal(err)
	}
	newAccount := func(t *testing.T) cloud.Account {
		a, err := c.CreateAccount(ctx, cloud.CreateAccountInput{EmailAddress: next("user") + "@example.test", FirstName: "Proof", LastName: "Suite", Password: secrets.password})
		if err != nil {
			t.Fatal(err)
		}
		return *a
	}
	fixed := func(suffix string, call func(ctx context.Context) error) func(*testing.T) (string, func(context.Context, string) error) {
		return func(*testing.T) (string, func(context.Context, string) error) {
			return suffix, func(ctx context.Context, _ string) error { return call(ctx) }
		}
	}
	onAccount := func(suffix string, call func(ctx context.Context, a cloud.Account) error) func(*testing.T) (string, func(context.Context, string) error) {
		return func(t *testing.T) (string, func(context.Context, string) error) {
			a := newAccount(t)
			return suffix, func(ctx context.Context, _ string) error { return call(ctx, a) }
		}
	}
	return &vendor{
		name: "cloud", srv: srv, inject: func(f fakeserver.Fault) { srv.Inject(cloudtest.Fault(f)) }, logs: logs, auth: []string{secrets.password},
		badInputs: []func(context.Context) error{
			func(ctx context.Context) error {
				return ignore(c.CreateAccount(ctx, cloud.CreateAccountInput{EmailAddress: "x@example.test", FirstName: "X", LastName: "Y",
					Password: secrets.password, ConfirmPassword: secrets.password + "-typo"}))
			},
		},
		errorIn200: `{"errors":{"globalErrors":[{"code":"PROOF-1","message":"the tenant refused the call"}],"fieldErrors":null},"result":null}`,
		ops: []operation{
			{name: "ListAccountsPage", kind: read, method: "GET", prepare: fixed("/api/v1/account", func(ctx context.Context) error {
				return ignore(c.ListAccountsPage(ctx, cloud.ListOptions{PageSize: 2}))
			})},
			{name: "ListAccounts", kind: read, method: "GET", prepare: fixed("/api/v1/account", func(ctx context.Context) error {
				for _, err := range c.ListAccounts(ctx, cloud.ListOptions{PageSize: 500}) {
					if err != nil {
						return err
					}
				}
				return nil
			})},
			{name: "GetAccountByUID", kind: read, method: "GET", prepare: onAccount("/api/v1/account", func(ctx context.Context, a cloud.Account) error {
				return ignore(c.GetAccountByUID(ctx, a.UID))
			})},
			{name: "CheckDeleteViability", kind: read, method: "GET", prepare: onAccount("/api/v1/account", func(ctx context.Context, a cloud.Account) error {
				return ignore(c.CheckDeleteViability(ctx, []int64{a.ID}))
			})},
			{name: "GetAccountMetadata", kind: read, method: "GET", prepare: fixed("/api/v1/account", func(ctx context.Context) error {
				return ignore(c.GetAccountMetadata(ctx))
			})},
			{name: "CreateAccounts", kind: write, method: "POST", prepare: func(*testing.T) (string, func(context.Context, string) error) {
				email := next("local") + "@example.test"
				return "/api/v1/accounts", func(ctx context.Context, _ string) error {
					return ignore(c.CreateAccounts(ctx, cloud.CreateAccountsInput{Accounts: []cloud.NewLocalAccount{{EmailAddress: email}}}))
				}
			}},
			{name: "CreateAccount", kind: write, method: "POST", carries: []string{secrets.password}, prepare: func(*testing.T) (string, func(context.Context, string) error) {
				in := cloud.CreateAccountInput{EmailAddress: next("pw") + "@example.test", FirstName: "P", LastName: "W", Password: secrets.password}
				return "/api/v1/account", func(ctx context.Context, _ string) error { return ignore(c.CreateAccount(ctx, in)) }
			}},
			{name: "DeleteAccount", kind: write, method: "DELETE", prepare: onAccount("/api/v1/account", func(ctx context.Context, a cloud.Account) error {
				return c.DeleteAccount(ctx, a.ID)
			})},
			{name: "InviteUsers", kind: write, method: "POST", prepare: onAccount("/api/v1/invite/enduser", func(ctx context.Context, a cloud.Account) error {
				return c.InviteUsers(ctx, cloud.InviteUsersInput{Ownership: cloud.DeviceOwnershipEmployee, AccountIDs: []int64{a.ID}})
			})},
			{name: "CreateEnrollmentURLs", kind: write, method: "POST", prepare: onAccount("/api/v1/tenant/enrollment/url", func(ctx context.Context, a cloud.Account) error {
				return ignore(c.CreateEnrollmentURLs(ctx, cloud.CreateEnrollmentURLsInput{Lifetime: time.Hour, AccountIDs: []int64{a.ID}}))
			})},
			{name: "GenerateRegistrationPINs", kind: write, method: "POST", prepare: onAccount("/api/v1/account/regpin", func(ctx context.Context, a cloud.Account) error {
				return ignore(c.GenerateRegistrationPINs(ctx, []int64{a.ID}))
			})},
			{name: "ApplyCustomAttributes", kind: write, method: "PATCH", prepare: onAccount("/api/v1/account/customattributes", func(ctx context.Context, a cloud.Account) error {
				return c.ApplyCustomAttributes(ctx, cloud.ApplyCustomAttributesInput{Attributes: map[string][]string{"team": {"proof"}}, ForceOverwrite: true, AccountIDs: []int64{a.ID}})
			})},
			{name: "UpdateRegistrationPolicy", kind: read, method: "PUT", prepare: fixed("/api/v1/userpolicy", func(ctx context.Context) error {
				return c.UpdateRegistrationPolicy(ctx, cloud.PINOnlyPolicy())
			})},
			{name: "UpdateAccount", kind: read, method: "PUT", prepare: onAccount("/api/v1/account", func(ctx context.Context, a cloud.Account) error {
				// The proof accounts are the fake's own, so clearing what its
				// reads leave out loses nothing.
				return ignore(c.UpdateAccount(ctx, a.UID, func(f *cloud.AccountFields) { f.FirstName = "Changed" },
					cloud.WithClearUnshown("lastName", "displayName", "managedAppleId", "edipi", "androidWorkDeviceAccountEnabled", "gdprProfileId", "passwordNeverExpire")))
			})},
			{name: "ChangePassword", kind: read, method: "PUT", carries: []string{secrets.password + "-new"}, prepare: onAccount("/api/v1/account", func(ctx context.Context, a cloud.Account) error {
				return c.ChangePassword(ctx, cloud.ChangePasswordInput{UID: a.UID, Password: secrets.password + "-new"})
			})},
			{name: "StartLDAPImport", kind: write, method: "POST", prepare: func(*testing.T) (string, func(context.Context, string) error) {
				uid := next("ldap")
				srv.AddLDAPUser(cloudtest.LDAPUser{UID: uid, Email: uid + "@example.test", FirstName: "L", LastName: "D"})
				return "/api/v1/ldap/import/user", func(ctx context.Context, _ string) error {
					return ignore(c.StartLDAPImport(ctx, cloud.ImportLDAPUserInput{UIDOrEmail: uid, ServerName: cloudtest.LDAPServer}))
				}
			}},
			{name: "GetLDAPImportStatus", kind: read, method: "GET", prepare: func(t *testing.T) (string, func(context.Context, string) error) {
				uid := next("ldap")
				srv.AddLDAPUser(cloudtest.LDAPUser{UID: uid, Email: uid + "@example.test", FirstName: "L", LastName: "D"})
				id, err := c.StartLDAPImport(ctx, cloud.ImportLDAPUserInput{UIDOrEmail: uid, ServerName: cloudtest.LDAPServer})
				if err != nil {
					t.Fatal(err)
				}
				return "/api/v1/ldap/import/user/status", func(ctx context.Context, _ string) error { return ignore(c.GetLDAPImportStatus(ctx, id)) }
			}},
			{name: "ImportLDAPUser", kind: read, method: "GET", prepare: func(*testing.T) (string, func(context.Context, string) error) {
				uid := next("ldap")
				srv.AddLDAPUser(cloudtest.LDAPUser{UID: uid, Email: uid + "@example.test", FirstName: "L", LastName: "D"})
				return "/api/v1/ldap/import/user/status", func(ctx context.Context, _ string) error {
					return ignore(c.ImportLDAPUser(ctx, cloud.ImportLDAPUserInput{UIDOrEmail: uid, ServerName: cloudtest.LDAPServer}))
				}
			}},
		},
	}
}

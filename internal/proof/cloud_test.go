package proof_test

import (
	"context"
	"testing"
	"time"

	"github.com/certadmin/certadmin-go/mobileiron/cloud"
	"github.com/certadmin/certadmin-go/mobileiron/cloud/cloudtest"
)

func cloudVendor(t *testing.T, secrets secretSet) *vendor {
	srv, err := cloudtest.NewServer(cloudtest.WithGeneratedAccounts(3), cloudtest.WithImportPolls(1), cloudtest.WithCredentials(cloudtest.Username, secrets.password))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	logs := &syncBuffer{}
	c, err := cloud.NewClient(srv.URL, append(commonOptions(logs),
		cloud.WithBasicAuth(cloudtest.Username, secrets.password),
		cloud.WithImportWait(cloud.ImportWait{InitialDelay: time.Millisecond, Interval: time.Millisecond, Timeout: 5 * time.Second}))...)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := c.SetRegistrationPolicy(ctx, cloud.PINOnlyPolicy()); err != nil { // PINs need the PIN mode
		t.Fatal(err)
	}
	newAccount := func(t *testing.T) cloud.Account {
		a, err := c.CreateAccount(ctx, cloud.NewAccount{EmailAddress: next("user") + "@example.test", FirstName: "Proof", LastName: "Suite", Password: secrets.password}, false)
		if err != nil {
			t.Fatal(err)
		}
		return a
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
		name: "cloud", srv: srv.Server, logs: logs, auth: []string{secrets.password},
		badInputs: []func(context.Context) error{
			func(ctx context.Context) error {
				return ignore(c.CreateAccount(ctx, cloud.NewAccount{EmailAddress: "x@example.test", FirstName: "X", LastName: "Y",
					Password: secrets.password, ConfirmPassword: secrets.password + "-typo"}, false))
			},
		},
		errorIn200: `{"errors":{"globalErrors":[{"code":"PROOF-1","message":"the tenant refused the call"}],"fieldErrors":null},"result":null}`,
		ops: []operation{
			{name: "ListAccounts", kind: read, method: "GET", prepare: fixed("/api/v1/account", func(ctx context.Context) error {
				return ignore(c.ListAccounts(ctx, cloud.ListOptions{PageSize: 2}))
			})},
			{name: "Accounts", kind: read, method: "GET", prepare: fixed("/api/v1/account", func(ctx context.Context) error {
				for _, err := range c.Accounts(ctx, cloud.ListOptions{PageSize: 500}) {
					if err != nil {
						return err
					}
				}
				return nil
			})},
			{name: "AccountByUID", kind: read, method: "GET", prepare: onAccount("/api/v1/account", func(ctx context.Context, a cloud.Account) error {
				return ignore(c.AccountByUID(ctx, a.UID))
			})},
			{name: "CheckDeleteViability", kind: read, method: "GET", prepare: onAccount("/api/v1/account", func(ctx context.Context, a cloud.Account) error {
				return ignore(c.CheckDeleteViability(ctx, a.ID))
			})},
			{name: "Metadata", kind: read, method: "GET", prepare: fixed("/api/v1/account/metadata", func(ctx context.Context) error {
				return ignore(c.Metadata(ctx))
			})},
			{name: "CreateAccounts", kind: write, method: "POST", prepare: func(*testing.T) (string, func(context.Context, string) error) {
				email := next("local") + "@example.test"
				return "/api/v1/accounts", func(ctx context.Context, _ string) error {
					return ignore(c.CreateAccounts(ctx, false, cloud.NewLocalAccount{EmailAddress: email}))
				}
			}},
			{name: "CreateAccount", kind: write, method: "POST", carries: []string{secrets.password}, prepare: func(*testing.T) (string, func(context.Context, string) error) {
				in := cloud.NewAccount{EmailAddress: next("pw") + "@example.test", FirstName: "P", LastName: "W", Password: secrets.password}
				return "/api/v1/account", func(ctx context.Context, _ string) error { return ignore(c.CreateAccount(ctx, in, false)) }
			}},
			{name: "DeleteAccount", kind: write, method: "DELETE", prepare: onAccount("/api/v1/account", func(ctx context.Context, a cloud.Account) error {
				return c.DeleteAccount(ctx, a.ID)
			})},
			{name: "InviteUsers", kind: write, method: "POST", prepare: onAccount("/api/v1/invite/enduser", func(ctx context.Context, a cloud.Account) error {
				return c.InviteUsers(ctx, cloud.OwnershipEmployee, a.ID)
			})},
			{name: "EnrollmentURLs", kind: write, method: "POST", prepare: onAccount("/api/v1/tenant/enrollment/url", func(ctx context.Context, a cloud.Account) error {
				return ignore(c.EnrollmentURLs(ctx, time.Hour, a.ID))
			})},
			{name: "GenerateRegistrationPINs", kind: write, method: "POST", prepare: onAccount("/api/v1/account/regpin", func(ctx context.Context, a cloud.Account) error {
				return ignore(c.GenerateRegistrationPINs(ctx, a.ID))
			})},
			{name: "SetCustomAttributes", kind: write, method: "PATCH", prepare: onAccount("/api/v1/account/customattributes", func(ctx context.Context, a cloud.Account) error {
				return c.SetCustomAttributes(ctx, map[string][]string{"team": {"proof"}}, true, a.ID)
			})},
			{name: "SetRegistrationPolicy", kind: read, method: "PUT", prepare: fixed("/api/v1/userpolicy", func(ctx context.Context) error {
				return c.SetRegistrationPolicy(ctx, cloud.PINOnlyPolicy())
			})},
			{name: "UpdateAccount", kind: read, method: "PUT", prepare: onAccount("/api/v1/account", func(ctx context.Context, a cloud.Account) error {
				return ignore(c.UpdateAccount(ctx, a.UID, func(f *cloud.AccountFields) { f.FirstName = "Changed" }))
			})},
			{name: "ChangePassword", kind: read, method: "PUT", carries: []string{secrets.password + "-new"}, prepare: onAccount("/api/v1/account", func(ctx context.Context, a cloud.Account) error {
				return c.ChangePassword(ctx, a.UID, secrets.password+"-new")
			})},
			{name: "StartLDAPImport", kind: write, method: "POST", prepare: func(*testing.T) (string, func(context.Context, string) error) {
				uid := next("ldap")
				srv.AddLDAPUser(cloudtest.LDAPUser{UID: uid, Email: uid + "@example.test", FirstName: "L", LastName: "D"})
				return "/api/v1/ldap/import/user", func(ctx context.Context, _ string) error {
					return ignore(c.StartLDAPImport(ctx, cloud.LDAPImport{UIDOrEmail: uid, ServerName: cloudtest.LDAPServer}))
				}
			}},
			{name: "ImportStatus", kind: read, method: "GET", prepare: func(t *testing.T) (string, func(context.Context, string) error) {
				uid := next("ldap")
				srv.AddLDAPUser(cloudtest.LDAPUser{UID: uid, Email: uid + "@example.test", FirstName: "L", LastName: "D"})
				id, err := c.StartLDAPImport(ctx, cloud.LDAPImport{UIDOrEmail: uid, ServerName: cloudtest.LDAPServer})
				if err != nil {
					t.Fatal(err)
				}
				return "/api/v1/ldap/import/user/status", func(ctx context.Context, _ string) error { return ignore(c.ImportStatus(ctx, id)) }
			}},
			{name: "ImportLDAPUser", kind: read, method: "GET", prepare: func(*testing.T) (string, func(context.Context, string) error) {
				uid := next("ldap")
				srv.AddLDAPUser(cloudtest.LDAPUser{UID: uid, Email: uid + "@example.test", FirstName: "L", LastName: "D"})
				return "/api/v1/ldap/import/user/status", func(ctx context.Context, _ string) error {
					return ignore(c.ImportLDAPUser(ctx, cloud.LDAPImport{UIDOrEmail: uid, ServerName: cloudtest.LDAPServer}, nil))
				}
			}},
		},
	}
}

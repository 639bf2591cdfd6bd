package cloud_test

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/certadmin/certadmin-go/internal/fakeserver"
	"github.com/certadmin/certadmin-go/internal/proof"
	"github.com/certadmin/certadmin-go/mobileiron/cloud"
	"github.com/certadmin/certadmin-go/mobileiron/cloud/cloudtest"
)

// TestProof registers Cloud with the proof suite (internal/proof): the
// fault matrix over every operation below, the secrets proof, the
// concurrency mix and the check that every *Client method has a row.
func TestProof(t *testing.T) {
	proof.Run(t, proof.Suite{
		Client: reflect.TypeFor[*cloud.Client](), Matrix: []proof.Builder{cloudVendor}, Concurrency: concCloud, Root: ".",
		NotInMatrix: map[string]string{
			"Raw": "returns the generated client; sends nothing",
		},
	})
}

func cloudVendor(t *testing.T, secrets proof.SecretSet) *proof.Vendor {
	srv, err := cloudtest.NewServer(cloudtest.WithGeneratedAccounts(3), cloudtest.WithImportPolls(1), cloudtest.WithCredentials(cloudtest.Username, secrets.Password))
	if err != nil {
		t.Fatal(err)
	}
	proof.CloseFake(t, srv)
	logs := &proof.SyncBuffer{}
	c, err := srv.NewClient(cloud.WithRetry(cloud.RetryPolicy(proof.Retry)), cloud.WithTimeout(proof.Timeout), cloud.WithLogger(proof.Logger(logs)),
		cloud.WithPollInterval(time.Millisecond), cloud.WithWaitTimeout(proof.WaitTimeout))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := c.UpdateRegistrationPolicy(ctx, cloud.PINOnlyPolicy()); err != nil { // PINs need the PIN mode
		t.Fatal(err)
	}
	newAccount := func(t *testing.T) cloud.Account {
		a, err := c.CreateAccount(ctx, cloud.CreateAccountInput{EmailAddress: proof.Next("user") + "@example.test", FirstName: "Proof", LastName: "Suite", Password: secrets.Password})
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
	return &proof.Vendor{
		Name: "cloud", Srv: srv, Inject: func(f fakeserver.Fault) { srv.Inject(cloudtest.Fault(f)) }, Logs: logs, Auth: []string{secrets.Password},
		BadInputs: []func(context.Context) error{
			func(ctx context.Context) error {
				return proof.Ignore(c.CreateAccount(ctx, cloud.CreateAccountInput{EmailAddress: "x@example.test", FirstName: "X", LastName: "Y",
					Password: secrets.Password, ConfirmPassword: secrets.Password + "-typo"}))
			},
		},
		ErrorIn200: `{"errors":{"globalErrors":[{"code":"PROOF-1","message":"the tenant refused the call"}],"fieldErrors":null},"result":null}`,
		Ops: []proof.Operation{
			{Name: "ListAccountsPage", Method: "GET", Prepare: fixed("/api/v1/account", func(ctx context.Context) error {
				return proof.Ignore(c.ListAccountsPage(ctx, cloud.ListOptions{PageSize: 2}))
			})},
			{Name: "ListAccounts", Method: "GET", Prepare: fixed("/api/v1/account", func(ctx context.Context) error {
				for _, err := range c.ListAccounts(ctx, cloud.ListOptions{PageSize: 500}) {
					if err != nil {
						return err
					}
				}
				return nil
			})},
			{Name: "GetAccountByUID", Method: "GET", Prepare: onAccount("/api/v1/account", func(ctx context.Context, a cloud.Account) error {
				return proof.Ignore(c.GetAccountByUID(ctx, a.UID))
			})},
			{Name: "CheckDeleteViability", Method: "GET", Prepare: onAccount("/api/v1/account", func(ctx context.Context, a cloud.Account) error {
				return proof.Ignore(c.CheckDeleteViability(ctx, []int64{a.ID}))
			})},
			{Name: "GetAccountMetadata", Method: "GET", Prepare: fixed("/api/v1/account", func(ctx context.Context) error {
				return proof.Ignore(c.GetAccountMetadata(ctx))
			})},
			{Name: "CreateAccounts", Method: "POST", Prepare: func(*testing.T) (string, func(context.Context, string) error) {
				email := proof.Next("local") + "@example.test"
				return "/api/v1/accounts", func(ctx context.Context, _ string) error {
					return proof.Ignore(c.CreateAccounts(ctx, cloud.CreateAccountsInput{Accounts: []cloud.NewLocalAccount{{EmailAddress: email}}}))
				}
			}},
			{Name: "CreateAccount", Method: "POST", Carries: []string{secrets.Password}, Prepare: func(*testing.T) (string, func(context.Context, string) error) {
				in := cloud.CreateAccountInput{EmailAddress: proof.Next("pw") + "@example.test", FirstName: "P", LastName: "W", Password: secrets.Password}
				return "/api/v1/account", func(ctx context.Context, _ string) error { return proof.Ignore(c.CreateAccount(ctx, in)) }
			}},
			{Name: "DeleteAccount", Method: "DELETE", Prepare: onAccount("/api/v1/account", func(ctx context.Context, a cloud.Account) error {
				return c.DeleteAccount(ctx, a.ID)
			})},
			{Name: "InviteUsers", Method: "POST", Prepare: onAccount("/api/v1/invite/enduser", func(ctx context.Context, a cloud.Account) error {
				return c.InviteUsers(ctx, cloud.InviteUsersInput{Ownership: cloud.DeviceOwnershipEmployee, AccountIDs: []int64{a.ID}})
			})},
			{Name: "CreateEnrollmentURLs", Method: "POST", Prepare: onAccount("/api/v1/tenant/enrollment/url", func(ctx context.Context, a cloud.Account) error {
				return proof.Ignore(c.CreateEnrollmentURLs(ctx, cloud.CreateEnrollmentURLsInput{Lifetime: time.Hour, AccountIDs: []int64{a.ID}}))
			})},
			{Name: "GenerateRegistrationPINs", Method: "POST", Prepare: onAccount("/api/v1/account/regpin", func(ctx context.Context, a cloud.Account) error {
				return proof.Ignore(c.GenerateRegistrationPINs(ctx, []int64{a.ID}))
			})},
			{Name: "ApplyCustomAttributes", Method: "PATCH", Prepare: onAccount("/api/v1/account/customattributes", func(ctx context.Context, a cloud.Account) error {
				return c.ApplyCustomAttributes(ctx, cloud.ApplyCustomAttributesInput{Attributes: map[string][]string{"team": {"proof"}}, ForceOverwrite: true, AccountIDs: []int64{a.ID}})
			})},
			{Name: "UpdateRegistrationPolicy", Method: "PUT", Prepare: fixed("/api/v1/userpolicy", func(ctx context.Context) error {
				return c.UpdateRegistrationPolicy(ctx, cloud.PINOnlyPolicy())
			})},
			{Name: "UpdateAccount", Method: "PUT", Prepare: onAccount("/api/v1/account", func(ctx context.Context, a cloud.Account) error {
				// The proof accounts are the fake's own, so clearing what its
				// reads leave out loses nothing.
				return proof.Ignore(c.UpdateAccount(ctx, a.UID, func(f *cloud.AccountFields) { f.FirstName = "Changed" },
					cloud.WithClearUnshown("lastName", "displayName", "managedAppleId", "edipi", "androidWorkDeviceAccountEnabled", "gdprProfileId", "passwordNeverExpire")))
			})},
			{Name: "ReplaceAccount", Method: "PUT", Prepare: onAccount("/api/v1/account", func(ctx context.Context, a cloud.Account) error {
				return c.ReplaceAccount(ctx, cloud.AccountFields{ID: a.ID, UID: a.UID, EmailAddress: a.EmailAddress, FirstName: "Replaced", LastName: a.LastName, Enabled: true})
			})},
			{Name: "ChangePassword", Method: "PUT", Carries: []string{secrets.Password + "-new"}, Prepare: onAccount("/api/v1/account", func(ctx context.Context, a cloud.Account) error {
				return c.ChangePassword(ctx, cloud.ChangePasswordInput{UID: a.UID, Password: secrets.Password + "-new"})
			})},
			{Name: "StartLDAPImport", Method: "POST", Prepare: func(*testing.T) (string, func(context.Context, string) error) {
				uid := proof.Next("ldap")
				srv.AddLDAPUser(cloudtest.LDAPUser{UID: uid, Email: uid + "@example.test", FirstName: "L", LastName: "D"})
				return "/api/v1/ldap/import/user", func(ctx context.Context, _ string) error {
					return proof.Ignore(c.StartLDAPImport(ctx, cloud.ImportLDAPUserInput{UIDOrEmail: uid, ServerName: cloudtest.LDAPServer}))
				}
			}},
			{Name: "GetLDAPImportStatus", Method: "GET", Prepare: func(t *testing.T) (string, func(context.Context, string) error) {
				uid := proof.Next("ldap")
				srv.AddLDAPUser(cloudtest.LDAPUser{UID: uid, Email: uid + "@example.test", FirstName: "L", LastName: "D"})
				id, err := c.StartLDAPImport(ctx, cloud.ImportLDAPUserInput{UIDOrEmail: uid, ServerName: cloudtest.LDAPServer})
				if err != nil {
					t.Fatal(err)
				}
				return "/api/v1/ldap/import/user/status", func(ctx context.Context, _ string) error { return proof.Ignore(c.GetLDAPImportStatus(ctx, id)) }
			}},
			{Name: "ImportLDAPUser", Method: "GET", Prepare: func(*testing.T) (string, func(context.Context, string) error) {
				uid := proof.Next("ldap")
				srv.AddLDAPUser(cloudtest.LDAPUser{UID: uid, Email: uid + "@example.test", FirstName: "L", LastName: "D"})
				return "/api/v1/ldap/import/user/status", func(ctx context.Context, _ string) error {
					return proof.Ignore(c.ImportLDAPUser(ctx, cloud.ImportLDAPUserInput{UIDOrEmail: uid, ServerName: cloudtest.LDAPServer}))
				}
			}},
		},
	}
}

func concCloud(t *testing.T) *proof.ConcVendor {
	const generated = 40
	srv := proof.ConcMust(cloudtest.NewServer(cloudtest.WithGeneratedAccounts(generated))).In(t)
	proof.CloseFake(t, srv)
	newClient := func() *cloud.Client { return proof.ConcMust(srv.NewClient()).In(t) }
	ctx := t.Context()
	setup := newClient()
	// A page of the generated accounts (user000001@example.test, …):
	// the accounts created during the run do not match the query, so the
	// page stays the same. At 20 accounts the answer is large enough to
	// reach the client in several TCP segments, as real pages (up to 500
	// accounts) do.
	generatedPage := cloud.ListOptions{Query: "user0", PageSize: 20}
	page := proof.ConcMust(setup.ListAccountsPage(ctx, generatedPage)).In(t)
	if len(page.Accounts) != 20 || page.TotalCount != generated || page.Accounts[0].EmailAddress != "user000001@example.test" {
		t.Fatalf("first page of generated accounts = %+v", page)
	}
	seeded := srv.AccountCount()
	// The first account of the default order is a seeded one, outside the
	// page above; custom attributes are set on it. Accounts created during
	// the run get ids no seeded account has.
	first := proof.ConcMust(setup.ListAccountsPage(ctx, cloud.ListOptions{PageSize: 1})).In(t)
	if len(first.Accounts) != 1 || first.TotalCount != seeded || strings.HasPrefix(first.Accounts[0].EmailAddress, "user0") {
		t.Fatalf("seeded first page = %+v", first)
	}
	target := first.Accounts[0]
	seededIDs := map[int64]bool{}
	for a, err := range setup.ListAccounts(ctx, cloud.ListOptions{PageSize: 500}) {
		if err != nil {
			t.Fatal(err)
		}
		seededIDs[a.ID] = true
	}
	byUID := proof.ConcMust(setup.GetAccountByUID(ctx, page.Accounts[3].UID)).In(t)
	if !reflect.DeepEqual(*byUID, page.Accounts[3]) {
		t.Fatalf("account by UID = %+v, want %+v", byUID, page.Accounts[3])
	}
	meta := proof.ConcMust(setup.GetAccountMetadata(ctx)).In(t)
	if meta.AccountID != 10001 {
		t.Fatalf("seeded metadata = %+v", meta)
	}
	viability := proof.ConcMust(setup.CheckDeleteViability(ctx, []int64{target.ID})).In(t)
	attrs := map[string][]string{"team": {"concurrency"}, "site": {"loopback"}}

	c := newClient()
	emailOf := func(n int) string { return fmt.Sprintf("conc%05d@example.test", n) }
	return &proof.ConcVendor{
		Srv: srv, Inject: func(f fakeserver.Fault) { srv.Inject(cloudtest.Fault(f)) },
		Calls: []proof.ConcCall{
			{Name: "ListAccountsPage", Weight: 10, Do: func(ctx context.Context, _ int) error {
				got, err := c.ListAccountsPage(ctx, generatedPage)
				if err != nil {
					return err
				}
				if got.TotalCount != generated {
					return fmt.Errorf("total %d, want %d", got.TotalCount, generated)
				}
				return proof.ConcSame("page", got.Accounts, page.Accounts)
			}},
			{Name: "GetAccountByUID", Weight: 30, Do: func(ctx context.Context, _ int) error {
				got, err := c.GetAccountByUID(ctx, byUID.UID)
				if err != nil {
					return err
				}
				return proof.ConcSame("account", got, byUID)
			}},
			{Name: "GetAccountMetadata", Weight: 5, Do: func(ctx context.Context, _ int) error {
				got, err := c.GetAccountMetadata(ctx)
				if err != nil {
					return err
				}
				return proof.ConcSame("metadata", got, meta)
			}},
			{Name: "CheckDeleteViability", Weight: 35, Do: func(ctx context.Context, _ int) error {
				got, err := c.CheckDeleteViability(ctx, []int64{target.ID})
				if err != nil {
					return err
				}
				return proof.ConcSame("delete viability", got, viability)
			}},
			{Name: "ApplyCustomAttributes", Weight: 10, Do: func(ctx context.Context, _ int) error {
				return c.ApplyCustomAttributes(ctx, cloud.ApplyCustomAttributesInput{Attributes: attrs, ForceOverwrite: true, AccountIDs: []int64{target.ID}})
			}},
			{Name: "CreateAccounts", Weight: 10, Do: func(ctx context.Context, n int) error {
				got, err := c.CreateAccounts(ctx, cloud.CreateAccountsInput{Accounts: []cloud.NewLocalAccount{{EmailAddress: emailOf(n)}}})
				if err != nil {
					return err
				}
				if len(got) != 1 || got[0].EmailAddress != emailOf(n) || got[0].UID != emailOf(n) || seededIDs[got[0].ID] {
					return fmt.Errorf("created %+v, want one account %s", got, emailOf(n))
				}
				return nil
			}},
		},
		Verify: func(t *testing.T, made map[string]int) {
			if got, want := srv.AccountCount(), seeded+made["CreateAccounts"]; got != want {
				t.Errorf("the fake holds %d accounts, want %d", got, want)
			}
			if got := srv.CustomAttributes(target.ID); !reflect.DeepEqual(got, attrs) {
				t.Errorf("custom attributes = %v, want %v", got, attrs)
			}
		},
	}
}

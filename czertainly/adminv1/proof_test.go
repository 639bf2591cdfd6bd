package adminv1_test

import (
	"context"
	"fmt"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/uuid"

	"github.com/certadmin/certadmin-go/czertainly/adminv1"
	"github.com/certadmin/certadmin-go/czertainly/adminv1/adminv1test"
	"github.com/certadmin/certadmin-go/internal/fakeserver"
	"github.com/certadmin/certadmin-go/internal/proof"
)

// TestProof registers the CZERTAINLY 1.x Administrator API with the proof
// suite (internal/proof): the fault matrix over every operation below, the
// secrets proof, the concurrency mix and the check that every *Client
// method has a row.
func TestProof(t *testing.T) {
	proof.Run(t, proof.Suite{
		Client: reflect.TypeFor[*adminv1.Client](), Matrix: []proof.Builder{czertainlyAdminV1Vendor}, Concurrency: concCzertainly1x, Root: ".",
		NotInMatrix: map[string]string{
			"Raw": "returns the generated client; sends nothing",
		},
	})
}

// czertainlyAdminV1Vendor is the 1.x Administrator API client
// (czertainly/adminv1); czertainlyVendor is the 2.x client.
func czertainlyAdminV1Vendor(t *testing.T, _ proof.SecretSet) *proof.Vendor {
	srv, err := adminv1test.NewServer()
	if err != nil {
		t.Fatal(err)
	}
	proof.CloseFake(t, srv)
	logs := &proof.SyncBuffer{}
	c, err := srv.NewClient(adminv1.WithRetry(adminv1.RetryPolicy(proof.Retry)), adminv1.WithTimeout(proof.Timeout), adminv1.WithLogger(proof.Logger(logs)))
	if err != nil {
		t.Fatal(err)
	}
	create := func(t *testing.T) string {
		id, err := c.CreateAdmin(context.Background(), newAdmin(t, srv))
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	onOne := func(call func(ctx context.Context, id string, opts ...adminv1.CallOption) error, suffix string) func(*testing.T) (string, func(context.Context, string) error) {
		return func(t *testing.T) (string, func(context.Context, string) error) {
			id := create(t)
			return "/admins/" + id + suffix, func(ctx context.Context, _ string) error { return call(ctx, id) }
		}
	}
	onMany := func(call func(ctx context.Context, ids []string, opts ...adminv1.CallOption) error, suffix string) func(*testing.T) (string, func(context.Context, string) error) {
		return func(t *testing.T) (string, func(context.Context, string) error) {
			ids := []string{create(t), create(t)}
			return "/admins" + suffix, func(ctx context.Context, _ string) error { return call(ctx, ids) }
		}
	}
	return &proof.Vendor{
		Name: "czertainly-adminv1", Srv: srv, Inject: func(f fakeserver.Fault) { srv.Inject(adminv1test.Fault(f)) }, Logs: logs,
		Ops: []proof.Operation{
			{Name: "ListAdmins", Method: "GET", Prepare: func(*testing.T) (string, func(context.Context, string) error) {
				return "/v1/admins", func(ctx context.Context, _ string) error { return proof.Ignore(c.ListAdmins(ctx)) }
			}},
			{Name: "GetAdmin", Method: "GET", Prepare: func(*testing.T) (string, func(context.Context, string) error) {
				return "/admins/" + adminv1test.SuperAdminUUID, func(ctx context.Context, _ string) error {
					return proof.Ignore(c.GetAdmin(ctx, adminv1test.SuperAdminUUID))
				}
			}},
			{Name: "CreateAdmin", Method: "POST", Prepare: func(t *testing.T) (string, func(context.Context, string) error) {
				in := newAdmin(t, srv)
				return "/v1/admins", func(ctx context.Context, _ string) error { return proof.Ignore(c.CreateAdmin(ctx, in)) }
			}},
			{Name: "UpdateAdmin", Method: "POST", Prepare: func(t *testing.T) (string, func(context.Context, string) error) {
				id := create(t)
				edited := "edited"
				return "/admins/" + id, func(ctx context.Context, _ string) error {
					return proof.Ignore(c.UpdateAdmin(ctx, id, adminv1.UpdateAdminInput{Description: &edited}))
				}
			}},
			{Name: "DeleteAdmin", Method: "DELETE", Bodiless: true, Prepare: onOne(c.DeleteAdmin, "")},
			{Name: "DisableAdmin", Method: "PUT", Bodiless: true, Prepare: onOne(c.DisableAdmin, "/disable")},
			{Name: "EnableAdmin", Method: "PUT", Bodiless: true, Prepare: onOne(c.EnableAdmin, "/enable")},
			{Name: "DeleteAdmins", Method: "DELETE", Bodiless: true, Prepare: onMany(c.DeleteAdmins, "")},
			{Name: "DisableAdmins", Method: "PUT", Bodiless: true, Prepare: onMany(c.DisableAdmins, "/disable")},
			{Name: "EnableAdmins", Method: "PUT", Bodiless: true, Prepare: onMany(c.EnableAdmins, "/enable")},
		},
	}
}

func newAdmin(t *testing.T, srv *adminv1test.Server) adminv1.CreateAdminInput {
	name := proof.Next("admin")
	cert, err := srv.CA.IssueClientCertificate(name)
	if err != nil {
		t.Fatal(err)
	}
	return adminv1.CreateAdminInput{
		Username: name, Name: "Proof", Surname: "Suite", Email: name + "@example.com",
		Role: adminv1.RoleAdministrator, Certificate: cert.Certificate[0], Enabled: true,
	}
}

// concCzertainly1x is the CZERTAINLY 1.x Administrator API client.
func concCzertainly1x(t *testing.T) *proof.ConcVendor {
	srv := proof.ConcMust(adminv1test.NewServer()).In(t)
	proof.CloseFake(t, srv)
	newClient := func() *adminv1.Client { return proof.ConcMust(srv.NewClient()).In(t) }
	ctx := t.Context()
	setup := newClient()
	admins := proof.ConcMust(setup.ListAdmins(ctx)).In(t)
	super := proof.ConcMust(setup.GetAdmin(ctx, adminv1test.SuperAdminUUID)).In(t)
	if super.Username != adminv1test.SuperAdminUsername || !super.Enabled || len(admins) == 0 {
		t.Fatalf("seeded administrators = %+v, super %+v", admins, super)
	}
	seeded := srv.AdminCount()

	// One new administrator per create call, each with its own
	// certificate (the server refuses a certificate twice).
	const createWeight = 1
	certs := make([][]byte, createWeight*proof.ConcCalls/proof.ConcCycle)
	for i := range certs {
		certs[i] = proof.ConcMust(srv.CA.IssueClientCertificate(fmt.Sprintf("conc%05d", i))).In(t).Certificate[0]
	}
	var nextCert atomic.Int64
	var mu sync.Mutex
	created := map[string]string{} // UUID → username

	c := newClient()
	return &proof.ConcVendor{
		Srv: srv, Inject: func(f fakeserver.Fault) { srv.Inject(adminv1test.Fault(f)) },
		Calls: []proof.ConcCall{
			{Name: "ListAdmins", Weight: 3, Do: func(ctx context.Context, _ int) error {
				got, err := c.ListAdmins(ctx)
				if err != nil {
					return err
				}
				// Created administrators come after the seeded ones.
				if len(got) < len(admins) {
					return fmt.Errorf("%d administrators, want at least %d", len(got), len(admins))
				}
				return proof.ConcSame("seeded administrators", got[:len(admins)], admins)
			}},
			{Name: "GetAdmin", Weight: 60, Do: func(ctx context.Context, _ int) error {
				got, err := c.GetAdmin(ctx, adminv1test.SuperAdminUUID)
				if err != nil {
					return err
				}
				return proof.ConcSame("administrator", got, super)
			}},
			{Name: "EnableAdmin", Weight: 36, Do: func(ctx context.Context, _ int) error {
				return c.EnableAdmin(ctx, adminv1test.SuperAdminUUID)
			}},
			{Name: "CreateAdmin", Weight: createWeight, Do: func(ctx context.Context, n int) error {
				name := fmt.Sprintf("conc%05d", n)
				id, err := c.CreateAdmin(ctx, adminv1.CreateAdminInput{
					Username: name, Name: "Conc", Surname: "Urrent", Email: name + "@example.test",
					Role: adminv1.RoleAdministrator, Certificate: certs[nextCert.Add(1)-1],
				})
				if err != nil {
					return err
				}
				if _, err := uuid.Parse(id); err != nil {
					return fmt.Errorf("created administrator has id %q: %w", id, err)
				}
				mu.Lock()
				created[id] = name
				mu.Unlock()
				return nil
			}},
		},
		Verify: func(t *testing.T, made map[string]int) {
			if got, want := srv.AdminCount(), seeded+made["CreateAdmin"]; got != want || len(created) != made["CreateAdmin"] {
				t.Errorf("the fake holds %d administrators and %d distinct ids were returned, want %d and %d", got, len(created), want, made["CreateAdmin"])
			}
			for id, name := range created {
				if a, ok := srv.Admin(id); !ok || a.Username != name {
					t.Errorf("created administrator %s (%s) is stored as %+v", id, name, a)
				}
			}
			if a, ok := srv.Admin(adminv1test.SuperAdminUUID); !ok || !a.Enabled {
				t.Errorf("the super administrator is no longer enabled")
			}
		},
	}
}

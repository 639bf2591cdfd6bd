package adminv1_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"

	"github.com/certadmin/certadmin-go/czertainly/adminv1"
	"github.com/certadmin/certadmin-go/czertainly/adminv1/adminv1api"
	"github.com/certadmin/certadmin-go/czertainly/adminv1/adminv1test"
)

var fastRetry = adminv1.RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond, MaxRetryAfter: 2 * time.Second}

// newFake starts a fake that fails the test, when it ends, on traffic that
// did not match the spec or a fault no request used.
func newFake(t *testing.T, opts ...adminv1test.Option) *adminv1test.Server {
	t.Helper()
	return adminv1test.NewTestServer(t, opts...)
}

// newClient authenticates as the fake's super administrator.
func newClient(t *testing.T, srv *adminv1test.Server, opts ...adminv1.Option) *adminv1.Client {
	t.Helper()
	c, err := srv.NewClient(append([]adminv1.Option{adminv1.WithRetry(fastRetry)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func apiError(t *testing.T, err error) *adminv1.Error {
	t.Helper()
	var e *adminv1.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not a *adminv1.Error", err, err)
	}
	return e
}

func sample(t *testing.T, name string) []byte {
	t.Helper()
	b, err := adminv1test.SampleJSON(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// sampleAdmin is the documentation's sample administrator, typed.
var sampleAdmin = adminv1.Admin{
	UUID:     "7b55ge1c-844f-11dc-a8a3-0242ac120002",
	Name:     "Name",
	Username: "string",
	Certificate: adminv1.Certificate{
		UUID: "string", CommonName: "string", SerialNumber: "string", IssuerCommonName: "string",
		Content: "string", IssuerDN: "string", SubjectDN: "string",
		NotBefore:          time.Date(2019, 8, 24, 14, 15, 22, 0, time.UTC),
		NotAfter:           time.Date(2019, 8, 24, 14, 15, 22, 0, time.UTC),
		PublicKeyAlgorithm: "string", SignatureAlgorithm: "string", KeySize: 0,
		ExtendedKeyUsage: []string{"string"}, KeyUsage: []string{"string"}, BasicConstraints: "string",
		Meta:                    map[string]any{"property1": map[string]any{}, "property2": map[string]any{}},
		Status:                  adminv1.CertificateStatusValid,
		RAProfile:               &adminv1.RAProfile{UUID: "7b55ge1c-844f-11dc-a8a3-0242ac120002", Name: "Name", Enabled: true},
		Fingerprint:             "string",
		SubjectAlternativeNames: map[string]any{"property1": map[string]any{}, "property2": map[string]any{}},
		Locations: []adminv1.Location{{
			UUID: "7b55ge1c-844f-11dc-a8a3-0242ac120002", Name: "Name", Description: "string",
			EntityInstanceUUID: "string", EntityInstanceName: "string",
			Attributes: []adminv1.Attribute{{
				UUID: "166b5cf52-63f2-11ec-90d6-0242ac120003", Name: "Attribute", Label: "Attribute Name",
				Type: adminv1.AttributeTypeString, Content: map[string]any{},
			}},
			Enabled: true,
			Certificates: []adminv1.LocationCertificate{{
				CertificateUUID: "string", CommonName: "string", SerialNumber: "string",
				Metadata:       map[string]any{"property1": map[string]any{}, "property2": map[string]any{}},
				PushAttributes: []adminv1.Attribute{{UUID: "166b5cf52-63f2-11ec-90d6-0242ac120003", Name: "Attribute", Content: map[string]any{}}},
				CSRAttributes:  []adminv1.Attribute{{UUID: "166b5cf52-63f2-11ec-90d6-0242ac120003", Name: "Attribute", Content: map[string]any{}}},
			}},
			Metadata: map[string]any{"property1": map[string]any{}, "property2": map[string]any{}},
		}},
		Group:              &adminv1.Group{UUID: "7b55ge1c-844f-11dc-a8a3-0242ac120002", Name: "Name", Description: "string"},
		Owner:              "string",
		Type:               adminv1.CertificateTypeX509,
		IssuerSerialNumber: "string",
		ValidationResult: map[string]adminv1.ValidationResult{
			"property1": {Status: "success", Message: "string"},
			"property2": {Status: "success", Message: "string"},
		},
		NonCompliantRules: []adminv1.ComplianceRule{{ConnectorName: "Provider1", RuleName: "RuleName", RuleDescription: "Description sample", Status: adminv1.ComplianceStatusNotOK}},
		ComplianceStatus:  adminv1.ComplianceStatusOK,
	},
	Role:         adminv1.RoleAdministrator,
	Email:        "string",
	SerialNumber: "string",
	Description:  "string",
	Enabled:      true,
	Surname:      "string",
}

func TestListAdminsDecodesTheSampleWithInvalidUUIDs(t *testing.T) {
	srv := newFake(t)
	c := newClient(t, srv)
	admins, err := c.ListAdmins(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(admins) != 2 {
		t.Fatalf("got %d administrators, want the sample and the super administrator", len(admins))
	}
	if diff := cmp.Diff(sampleAdmin, admins[0]); diff != "" {
		t.Errorf("sample administrator (-want +got):\n%s", diff)
	}
	super := admins[1]
	if super.UUID != adminv1test.SuperAdminUUID || super.Role != adminv1.RoleSuperAdministrator ||
		super.SerialNumber != srv.ClientCertificate.Leaf.SerialNumber.Text(16) {
		t.Errorf("super administrator = %+v", super)
	}
	got, err := super.Certificate.X509()
	if err != nil || !got.Equal(srv.ClientCertificate.Leaf) {
		t.Errorf("certificate content does not decode to the client certificate: %v", err)
	}
}

func TestGetAdmin(t *testing.T) {
	srv := newFake(t)
	c := newClient(t, srv)
	ctx := context.Background()
	admins, err := c.ListAdmins(ctx)
	if err != nil {
		t.Fatal(err)
	}
	a, err := c.GetAdmin(ctx, strings.ToUpper(adminv1test.SuperAdminUUID))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(admins[1], *a); diff != "" {
		t.Errorf("GetAdmin differs from the listed administrator (-list +get):\n%s", diff)
	}
}

// TestTheSampleAdministratorIsAddressable reads the documentation's sample
// administrator, whose UUID is not an RFC 4122 UUID, through the wrapper
// (the server keeps identifiers as text) and checks that the fake serves
// the sample as documented.
func TestTheSampleAdministratorIsAddressable(t *testing.T) {
	srv := newFake(t)
	c := newClient(t, srv)
	ctx := context.Background()
	a, err := c.GetAdmin(ctx, adminv1test.SampleAdminUUID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(sampleAdmin, *a); diff != "" {
		t.Errorf("sample administrator (-want +got):\n%s", diff)
	}
	resp, err := c.Raw().GetAdmin(ctx, adminv1test.SampleAdminUUID)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var got, want any
	if err := jsonUnmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	if err := jsonUnmarshal(sample(t, "admin"), &want); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("served sample differs from the documentation (-documented +served):\n%s", diff)
	}
	// Every call on one administrator takes the identifier as it is.
	if err := c.DisableAdmin(ctx, adminv1test.SampleAdminUUID); err != nil {
		t.Fatal(err)
	}
	if got, ok := srv.Admin(adminv1test.SampleAdminUUID); !ok || got.Enabled {
		t.Errorf("DisableAdmin(sample): %+v, %v", got, ok)
	}
	if err := c.EnableAdmins(ctx, []string{adminv1test.SampleAdminUUID}); err != nil {
		t.Fatal(err)
	}
	if got, ok := srv.Admin(adminv1test.SampleAdminUUID); !ok || !got.Enabled || len(srv.SkippedUUIDs()) != 0 {
		t.Errorf("EnableAdmins(sample): %+v, %v, skipped %v", got, ok, srv.SkippedUUIDs())
	}
	updated, err := c.UpdateAdmin(ctx, adminv1test.SampleAdminUUID, adminv1.UpdateAdminInput{Email: "sample@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	want2 := sampleAdmin
	want2.Email = "sample@example.com"
	if diff := cmp.Diff(want2, *updated); diff != "" {
		t.Errorf("updated sample administrator (-want +got):\n%s", diff)
	}
	if err := c.DeleteAdmin(ctx, adminv1test.SampleAdminUUID); err != nil {
		t.Fatal(err)
	}
	if _, ok := srv.Admin(adminv1test.SampleAdminUUID); ok {
		t.Error("DeleteAdmin(sample) left it in the store")
	}
}

func TestAdminLifecycle(t *testing.T) {
	srv := newFake(t)
	c := newClient(t, srv)
	ctx := context.Background()
	cert, err := srv.CA.IssueClientCertificate("jdoe")
	if err != nil {
		t.Fatal(err)
	}
	certPEM, _, err := adminv1test.EncodePEM(cert)
	if err != nil {
		t.Fatal(err)
	}
	id, err := c.CreateAdmin(ctx, adminv1.CreateAdminInput{
		Username: "jdoe", Name: "John", Surname: "Doe", Email: "jdoe@example.com",
		Role: adminv1.RoleAdministrator, Certificate: certPEM, Description: "operator",
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := uuid.Parse(id); err != nil {
		t.Fatalf("created UUID %q: %v", id, err)
	}
	a, err := c.GetAdmin(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	want := adminv1.Admin{
		UUID: id, Username: "jdoe", Name: "John", Surname: "Doe", Email: "jdoe@example.com",
		Role: adminv1.RoleAdministrator, Description: "operator", Enabled: false,
		SerialNumber: cert.Leaf.SerialNumber.Text(16),
	}
	if diff := cmp.Diff(want, *a, cmpIgnoreCertificate); diff != "" {
		t.Errorf("created administrator (-want +got):\n%s", diff)
	}
	if a.Certificate.CommonName != "jdoe" || a.Certificate.SerialNumber != want.SerialNumber || a.Certificate.Status != adminv1.CertificateStatusValid {
		t.Errorf("certificate = %+v", a.Certificate)
	}

	edited, err := c.UpdateAdmin(ctx, id, adminv1.UpdateAdminInput{
		Role: adminv1.RoleSuperAdministrator, Description: new("lead"), Certificate: cert.Leaf.Raw,
	})
	if err != nil {
		t.Fatal(err)
	}
	want.Role, want.Description = adminv1.RoleSuperAdministrator, "lead"
	if diff := cmp.Diff(want, *edited, cmpIgnoreCertificate); diff != "" {
		t.Errorf("edited administrator (-want +got):\n%s", diff)
	}

	if err := c.EnableAdmin(ctx, id); err != nil {
		t.Fatal(err)
	}
	if got, ok := srv.Admin(id); !ok || !got.Enabled {
		t.Error("EnableAdmin left the administrator disabled")
	}
	if err := c.DisableAdmin(ctx, id); err != nil {
		t.Fatal(err)
	}
	if got, ok := srv.Admin(id); !ok || got.Enabled {
		t.Error("DisableAdmin left the administrator enabled")
	}
	if err := c.DeleteAdmin(ctx, id); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetAdmin(ctx, id)
	e := apiError(t, err)
	if !errors.Is(err, adminv1.ErrNotFound) || errors.Is(err, adminv1.ErrNoAdminAPI) || e.Message != "Object of type 'Admin' identified by "+id+" was not found or is not enabled." {
		t.Errorf("GetAdmin after removal = %v", err)
	}
}

var cmpIgnoreCertificate = cmp.FilterPath(func(p cmp.Path) bool { return p.String() == "Certificate" }, cmp.Ignore())

func TestCreateAdminFromInventoryCertificateAndSignIn(t *testing.T) {
	srv := newFake(t)
	c := newClient(t, srv)
	ctx := context.Background()
	id, err := c.CreateAdmin(ctx, adminv1.CreateAdminInput{
		Username: "inv", Name: "In", Surname: "Ventory", Email: "inv@example.com",
		Role: adminv1.RoleSuperAdministrator, CertificateUUID: adminv1test.InventoryCertificateUUID, Enabled: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	// The new administrator can now sign in with that certificate.
	other, err := adminv1.NewClient(srv.URL, adminv1.WithClientCertificate(srv.InventoryCertificate), adminv1.WithRootCAs(srv.CA.Pool()))
	if err != nil {
		t.Fatal(err)
	}
	a, err := other.GetAdmin(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if a.Certificate.UUID != adminv1test.InventoryCertificateUUID || !a.Enabled {
		t.Errorf("administrator = %+v", a)
	}
	// A duplicate username is 400 "already exists".
	_, err = c.CreateAdmin(ctx, adminv1.CreateAdminInput{
		Username: "inv", Name: "In", Surname: "Ventory", Email: "inv@example.com",
		Role: adminv1.RoleAdministrator, CertificateUUID: adminv1test.InventoryCertificateUUID,
	})
	if e := apiError(t, err); e.StatusCode != http.StatusBadRequest || e.Message != "Object of type 'Admin' identified by inv already exists." {
		t.Errorf("duplicate create = %v", err)
	}
	// So is a certificate another administrator has.
	_, err = c.CreateAdmin(ctx, adminv1.CreateAdminInput{
		Username: "inv2", Name: "In", Surname: "Ventory", Email: "inv@example.com",
		Role: adminv1.RoleAdministrator, CertificateUUID: adminv1test.InventoryCertificateUUID,
	})
	serial := srv.InventoryCertificate.Leaf.SerialNumber.Text(16)
	if e := apiError(t, err); e.StatusCode != http.StatusBadRequest || e.Message != "Object of type 'Admin' identified by "+serial+" already exists." {
		t.Errorf("create with a used certificate = %v", err)
	}

	// The server serves this API to super administrators only: an enabled
	// administrator of the other role signs in but is refused.
	cert, err := srv.CA.IssueClientCertificate("operator")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateAdmin(ctx, adminv1.CreateAdminInput{
		Username: "operator", Name: "Op", Surname: "Erator", Email: "op@example.com",
		Role: adminv1.RoleAdministrator, Certificate: cert.Leaf.Raw, Enabled: true,
	}); err != nil {
		t.Fatal(err)
	}
	operator, err := adminv1.NewClient(srv.URL, adminv1.WithClientCertificate(cert), adminv1.WithRootCAs(srv.CA.Pool()))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := operator.ListAdmins(ctx); !errors.Is(err, adminv1.ErrForbidden) {
		t.Errorf("administrator role: %v, want ErrForbidden", err)
	}
}

func TestBulkOperations(t *testing.T) {
	srv := newFake(t)
	c := newClient(t, srv)
	ctx := context.Background()
	var ids []string
	for _, name := range []string{"a1", "a2"} {
		cert, err := srv.CA.IssueClientCertificate(name)
		if err != nil {
			t.Fatal(err)
		}
		id, err := c.CreateAdmin(ctx, adminv1.CreateAdminInput{
			Username: name, Name: name, Surname: name, Email: name + "@example.com",
			Role: adminv1.RoleAdministrator, Certificate: cert.Leaf.Raw,
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := uuid.Parse(id); err != nil {
			t.Fatalf("created UUID %q: %v", id, err)
		}
		ids = append(ids, id)
	}
	enabled := func() []bool {
		var out []bool
		for _, id := range ids {
			a, ok := srv.Admin(id)
			out = append(out, ok && a.Enabled)
		}
		return out
	}
	if err := c.EnableAdmins(ctx, ids); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]bool{true, true}, enabled()); diff != "" {
		t.Errorf("after EnableAdmins (-want +got):\n%s", diff)
	}
	if err := c.DisableAdmins(ctx, ids); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]bool{false, false}, enabled()); diff != "" {
		t.Errorf("after DisableAdmins (-want +got):\n%s", diff)
	}
	if err := c.DeleteAdmins(ctx, ids); err != nil {
		t.Fatal(err)
	}
	if n := srv.AdminCount(); n != 2 {
		t.Errorf("%d administrators left, want the 2 seeded", n)
	}
}

// TestBulkSkipsUnknownUUIDs sends the documentation's bulk request sample,
// whose UUIDs the fake does not know, with one it knows: the server skips
// the unknown ones and answers 204, so each call succeeds and changes just
// the known administrator.
func TestBulkSkipsUnknownUUIDs(t *testing.T) {
	srv := newFake(t)
	c := newClient(t, srv)
	ctx := context.Background()
	var unknown []string
	if err := jsonUnmarshal(sample(t, "bulk-request"), &unknown); err != nil {
		t.Fatal(err)
	}
	cert, err := srv.CA.IssueClientCertificate("known")
	if err != nil {
		t.Fatal(err)
	}
	known, err := c.CreateAdmin(ctx, adminv1.CreateAdminInput{
		Username: "known", Name: "K", Surname: "Nown", Email: "known@example.com",
		Role: adminv1.RoleAdministrator, Certificate: cert.Leaf.Raw,
	})
	if err != nil {
		t.Fatal(err)
	}
	ids := append(append([]string(nil), unknown...), known)
	enabled := func() bool { a, ok := srv.Admin(known); return ok && a.Enabled }

	if err := c.EnableAdmins(ctx, ids); err != nil || !enabled() {
		t.Errorf("EnableAdmins = %v, enabled %v", err, enabled())
	}
	if err := c.DisableAdmins(ctx, ids); err != nil || enabled() {
		t.Errorf("DisableAdmins = %v, enabled %v", err, enabled())
	}
	if err := c.DeleteAdmins(ctx, ids); err != nil {
		t.Errorf("DeleteAdmins = %v", err)
	}
	if _, ok := srv.Admin(known); ok {
		t.Error("DeleteAdmins left the known administrator")
	}
	want := slices.Concat(unknown, unknown, unknown)
	if diff := cmp.Diff(want, srv.SkippedUUIDs()); diff != "" {
		t.Errorf("skipped UUIDs (-want +got):\n%s", diff)
	}
	if n := srv.AdminCount(); n != 2 {
		t.Errorf("%d administrators, want the 2 seeded", n)
	}
	for _, path := range []string{"/v1/admins/enable", "/v1/admins/disable"} {
		if n := srv.Hits(http.MethodPut, adminv1test.BasePath+path); n != 1 {
			t.Errorf("PUT %s: %d hits, want 1", path, n)
		}
	}
	// One at a time, an unknown UUID is the server's 404.
	err = c.DisableAdmin(ctx, unknown[0])
	if e := apiError(t, err); e.StatusCode != http.StatusNotFound || errors.Is(err, adminv1.ErrNoAdminAPI) ||
		e.Message != "Object of type 'Admin' identified by "+unknown[0]+" was not found or is not enabled." {
		t.Errorf("DisableAdmin(unknown) = %v", err)
	}
}

func TestInvalidInputSendsNothing(t *testing.T) {
	srv := newFake(t)
	c := newClient(t, srv)
	ctx := context.Background()
	valid := adminv1.CreateAdminInput{
		Username: "u", Name: "n", Surname: "s", Email: "e@example.com",
		Role: adminv1.RoleAdministrator, CertificateUUID: adminv1test.InventoryCertificateUUID,
	}
	with := func(f func(*adminv1.CreateAdminInput)) adminv1.CreateAdminInput {
		in := valid
		f(&in)
		return in
	}
	calls := map[string]func() error{
		"create no username": func() error {
			_, err := c.CreateAdmin(ctx, with(func(in *adminv1.CreateAdminInput) { in.Username = " " }))
			return err
		},
		"create no email": func() error {
			_, err := c.CreateAdmin(ctx, with(func(in *adminv1.CreateAdminInput) { in.Email = "" }))
			return err
		},
		"create bad role": func() error {
			_, err := c.CreateAdmin(ctx, with(func(in *adminv1.CreateAdminInput) { in.Role = "root" }))
			return err
		},
		"create no cert": func() error {
			_, err := c.CreateAdmin(ctx, with(func(in *adminv1.CreateAdminInput) { in.CertificateUUID = "" }))
			return err
		},
		"create both": func() error {
			_, err := c.CreateAdmin(ctx, with(func(in *adminv1.CreateAdminInput) { in.Certificate = []byte("x") }))
			return err
		},
		"create bad cert uuid": func() error {
			_, err := c.CreateAdmin(ctx, with(func(in *adminv1.CreateAdminInput) { in.CertificateUUID = "166b5cf52/63f2-11ec-90d6-0242ac120003" }))
			return err
		},
		"create garbage cert": func() error {
			_, err := c.CreateAdmin(ctx, with(func(in *adminv1.CreateAdminInput) {
				in.CertificateUUID, in.Certificate = "", []byte("not a certificate")
			}))
			return err
		},
		"create key as cert": func() error {
			key := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte{1, 2, 3}})
			_, err := c.CreateAdmin(ctx, with(func(in *adminv1.CreateAdminInput) { in.CertificateUUID, in.Certificate = "", key }))
			return err
		},
		"get bad uuid": func() error { _, err := c.GetAdmin(ctx, "7b55ge1c-844f-11dc-a8a3"); return err },
		"update bad uuid": func() error {
			_, err := c.UpdateAdmin(ctx, "nope", adminv1.UpdateAdminInput{CertificateUUID: adminv1test.InventoryCertificateUUID})
			return err
		},
		"update bad role": func() error {
			_, err := c.UpdateAdmin(ctx, adminv1test.SuperAdminUUID, adminv1.UpdateAdminInput{Role: "Admin", CertificateUUID: adminv1test.InventoryCertificateUUID})
			return err
		},
		"update blank name": func() error {
			_, err := c.UpdateAdmin(ctx, adminv1test.SuperAdminUUID, adminv1.UpdateAdminInput{Name: " \t"})
			return err
		},
		"update both certs": func() error {
			_, err := c.UpdateAdmin(ctx, adminv1test.SuperAdminUUID, adminv1.UpdateAdminInput{
				Certificate: srv.InventoryCertificate.Leaf.Raw, CertificateUUID: adminv1test.InventoryCertificateUUID,
			})
			return err
		},
		"update garbage cert": func() error {
			_, err := c.UpdateAdmin(ctx, adminv1test.SuperAdminUUID, adminv1.UpdateAdminInput{Certificate: []byte("not a certificate")})
			return err
		},
		"update bad cert uuid": func() error {
			_, err := c.UpdateAdmin(ctx, adminv1test.SuperAdminUUID, adminv1.UpdateAdminInput{CertificateUUID: "string"})
			return err
		},
		"remove bad uuid":  func() error { return c.DeleteAdmin(ctx, "") },
		"enable bad uuid":  func() error { return c.EnableAdmin(ctx, "7b55ge1c 844f-11dc-a8a3-0242ac120002") },
		"disable bad uuid": func() error { return c.DisableAdmin(ctx, "x") },
		"bulk empty":       func() error { return c.DisableAdmins(ctx, nil) },
		"bulk one bad":     func() error { return c.DeleteAdmins(ctx, []string{adminv1test.SuperAdminUUID, "bad"}) },
		"bulk enable bad":  func() error { return c.EnableAdmins(ctx, []string{"../admins"}) },
	}
	for name, call := range calls {
		err := call()
		if !errors.Is(err, adminv1.ErrInvalidInput) || !strings.HasPrefix(err.Error(), "adminv1.") {
			t.Errorf("%s: err = %v, want ErrInvalidInput naming the operation", name, err)
		}
	}
	if n := srv.TotalHits(); n != 0 {
		t.Errorf("server received %d requests for invalid input", n)
	}
}

func TestErrorShapes(t *testing.T) {
	srv := newFake(t)
	c := newClient(t, srv)
	ctx := context.Background()

	// The documentation's 400/404 sample.
	srv.Inject(adminv1test.Fault{Method: http.MethodGet, Status: http.StatusBadRequest, Body: string(sample(t, "error")), ContentType: "application/json"})
	_, err := c.ListAdmins(ctx)
	if e := apiError(t, err); e.StatusCode != 400 || e.Message != "Error message" || e.Op != "adminv1.ListAdmins" {
		t.Errorf("400 sample: %v", err)
	}

	// The bare array of a 422 keeps every message.
	srv.Inject(adminv1test.Fault{Method: http.MethodPost, Status: http.StatusUnprocessableEntity, Body: `["Error Message 1","Error Message 2"]`, ContentType: "application/json"})
	_, err = c.CreateAdmin(ctx, adminv1.CreateAdminInput{
		Username: "u", Name: "n", Surname: "s", Email: "e@example.com", Role: adminv1.RoleAdministrator,
		CertificateUUID: adminv1test.InventoryCertificateUUID,
	})
	e := apiError(t, err)
	if diff := cmp.Diff([]string{"Error Message 1", "Error Message 2"}, e.Details); diff != "" || e.StatusCode != 422 {
		t.Errorf("422 details (-want +got):\n%s\n%v", diff, err)
	}
	if !strings.Contains(err.Error(), "Error Message 2") {
		t.Errorf("error text lacks the messages: %v", err)
	}

	// 500 and its message.
	srv.Inject(adminv1test.Fault{Method: http.MethodDelete, Status: 500, Body: `{"message":"Internal server error."}`, ContentType: "application/json"})
	err = c.DeleteAdmin(ctx, adminv1test.SuperAdminUUID)
	if e := apiError(t, err); !errors.Is(err, adminv1.ErrServer) || e.Message != "Internal server error." {
		t.Errorf("500: %v", err)
	}
	if n := srv.Hits(http.MethodDelete, adminv1test.BasePath+"/v1/admins/"+adminv1test.SuperAdminUUID); n != 1 {
		t.Errorf("remove after 500 sent %d times, want 1", n)
	}
}

// TestDocumentedRequestSamplesAsTheServerAnswersThem sends the
// documentation's create and edit requests as they stand. The create
// sample names the username of the sample administrator, which the server
// checks before the certificate: 400 "already exists"; with that
// administrator gone, "string" is no certificate, which the server fails
// on with 500. The edit sample carries adminCertificate "string": 500.
func TestDocumentedRequestSamplesAsTheServerAnswersThem(t *testing.T) {
	srv := newFake(t)
	c := newClient(t, srv)
	ctx := context.Background()
	send := func(name string) (int, adminv1api.ErrorMessageDto) {
		t.Helper()
		var resp *http.Response
		var err error
		if name == "create-request" {
			resp, err = c.Raw().AddAdminWithBody(ctx, "application/json", bytes.NewReader(sample(t, name)))
		} else {
			resp, err = c.Raw().EditAdminWithBody(ctx, adminv1test.SuperAdminUUID, "application/json", bytes.NewReader(sample(t, name)))
		}
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var msg adminv1api.ErrorMessageDto
		if err := json.NewDecoder(resp.Body).Decode(&msg); err != nil {
			t.Fatalf("%s: %d with a body that is no error message: %v", name, resp.StatusCode, err)
		}
		return resp.StatusCode, msg
	}
	if status, msg := send("create-request"); status != http.StatusBadRequest || msg.Message != "Object of type 'Admin' identified by string already exists." {
		t.Errorf("create sample: %d %q", status, msg.Message)
	}
	if status, msg := send("edit-request"); status != http.StatusInternalServerError || msg.Message != "Internal server error." {
		t.Errorf("edit sample: %d %q", status, msg.Message)
	}
	if err := c.DeleteAdmin(ctx, adminv1test.SampleAdminUUID); err != nil {
		t.Fatal(err)
	}
	if status, msg := send("create-request"); status != http.StatusInternalServerError || msg.Message != "Internal server error." {
		t.Errorf("create sample without the sample administrator: %d %q", status, msg.Message)
	}
	if n := srv.AdminCount(); n != 1 {
		t.Errorf("%d administrators, want only the super administrator", n)
	}
}

func TestNoAdminAPIOn2xServer(t *testing.T) {
	srv := newFake(t)
	c := newClient(t, srv)
	ctx := context.Background()
	spring404 := `{"timestamp":"2023-01-01T00:00:00.000+00:00","status":404,"error":"Not Found","path":"/api/v1/admins"}`
	srv.Inject(adminv1test.Fault{Status: 404, Body: spring404, ContentType: "application/json"})
	_, err := c.ListAdmins(ctx)
	e := apiError(t, err)
	if !errors.Is(err, adminv1.ErrNoAdminAPI) || !errors.Is(err, adminv1.ErrNotFound) || !strings.Contains(e.Hint, "2.x") {
		t.Errorf("list on 2.x: %v", err)
	}
	srv.Inject(adminv1test.Fault{Status: 404})
	err = c.EnableAdmin(ctx, adminv1test.SuperAdminUUID)
	if !errors.Is(err, adminv1.ErrNoAdminAPI) {
		t.Errorf("empty 404: %v", err)
	}
}

func TestRetryPolicy(t *testing.T) {
	srv := newFake(t)
	c := newClient(t, srv)
	ctx := context.Background()
	listPath := adminv1test.BasePath + "/v1/admins"

	srv.Inject(adminv1test.Fault{Method: http.MethodGet, Status: 503, RetryAfter: "0"})
	if _, err := c.ListAdmins(ctx); err != nil {
		t.Fatal(err)
	}
	if n := srv.Hits(http.MethodGet, listPath); n != 2 {
		t.Errorf("list after one 503: %d hits, want 2 (retried)", n)
	}
	srv.Inject(adminv1test.Fault{Method: http.MethodGet, Reset: true})
	if _, err := c.GetAdmin(ctx, adminv1test.SuperAdminUUID); err != nil {
		t.Fatalf("get after a reset: %v", err)
	}
	if n := srv.Hits(http.MethodGet, listPath+"/"+adminv1test.SuperAdminUUID); n != 2 {
		t.Errorf("get after a reset: %d hits, want 2", n)
	}

	cert, err := srv.CA.IssueClientCertificate("once")
	if err != nil {
		t.Fatal(err)
	}
	notRepeated := map[string]struct {
		fault adminv1test.Fault
		call  func() error
		path  string
	}{
		"create 503": {adminv1test.Fault{Method: http.MethodPost, Status: 503}, func() error {
			_, err := c.CreateAdmin(ctx, adminv1.CreateAdminInput{Username: "once", Name: "n", Surname: "s", Email: "e@example.com", Role: adminv1.RoleAdministrator, Certificate: cert.Leaf.Raw})
			return err
		}, "POST " + listPath},
		"remove reset":   {adminv1test.Fault{Method: http.MethodDelete, Reset: true}, func() error { return c.DeleteAdmin(ctx, adminv1test.SuperAdminUUID) }, "DELETE " + listPath + "/" + adminv1test.SuperAdminUUID},
		"disable 503":    {adminv1test.Fault{Method: http.MethodPut, Status: 503}, func() error { return c.DisableAdmin(ctx, adminv1test.SuperAdminUUID) }, "PUT " + listPath + "/" + adminv1test.SuperAdminUUID + "/disable"},
		"enable reset":   {adminv1test.Fault{Method: http.MethodPut, Reset: true}, func() error { return c.EnableAdmin(ctx, adminv1test.SuperAdminUUID) }, "PUT " + listPath + "/" + adminv1test.SuperAdminUUID + "/enable"},
		"bulk del 503":   {adminv1test.Fault{Method: http.MethodDelete, Status: 503}, func() error { return c.DeleteAdmins(ctx, []string{adminv1test.SuperAdminUUID}) }, "DELETE " + listPath},
		"bulk off reset": {adminv1test.Fault{Method: http.MethodPut, Reset: true}, func() error { return c.DisableAdmins(ctx, []string{adminv1test.SuperAdminUUID}) }, "PUT " + listPath + "/disable"},
	}
	for name, tc := range notRepeated {
		srv.Inject(tc.fault)
		if err := tc.call(); err == nil {
			t.Errorf("%s: no error", name)
		}
		method, path, _ := strings.Cut(tc.path, " ")
		if n := srv.Hits(method, path); n != 1 {
			t.Errorf("%s: %d hits, want exactly 1", name, n)
		}
	}
	if _, ok := srv.Admin(adminv1test.SuperAdminUUID); !ok {
		t.Error("a faulted call changed the store")
	}
}

func TestMutualTLS(t *testing.T) {
	srv := newFake(t)
	ctx := context.Background()

	// The server's connector asks for a client certificate without
	// requiring one: without one the request reaches Spring Security, which
	// answers 403 (not retried).
	forbidden := func(t *testing.T, c *adminv1.Client) {
		t.Helper()
		before := srv.NewConnections()
		_, err := c.ListAdmins(ctx)
		e := apiError(t, err)
		if !errors.Is(err, adminv1.ErrForbidden) || e.Message != "Forbidden" || !strings.Contains(e.Hint, "client certificate") ||
			!strings.Contains(e.Hint, "serial number") {
			t.Errorf("err = %v", err)
		}
		if n := srv.NewConnections() - before; n != 1 {
			t.Errorf("%d connections, want 1", n)
		}
	}
	t.Run("no client certificate", func(t *testing.T) {
		c, err := adminv1.NewClient(srv.URL, adminv1.WithRootCAs(srv.CA.Pool()), adminv1.WithRetry(fastRetry))
		if err != nil {
			t.Fatal(err)
		}
		forbidden(t, c)
	})
	t.Run("certificate of another CA", func(t *testing.T) {
		// The server names the CAs it trusts; Go's client then presents no
		// certificate of another CA, and the answer is the same 403.
		other, err := adminv1test.NewCA("other")
		if err != nil {
			t.Fatal(err)
		}
		cert, err := other.IssueClientCertificate("stranger")
		if err != nil {
			t.Fatal(err)
		}
		c, err := adminv1.NewClient(srv.URL, adminv1.WithClientCertificate(cert), adminv1.WithRootCAs(srv.CA.Pool()), adminv1.WithRetry(fastRetry))
		if err != nil {
			t.Fatal(err)
		}
		forbidden(t, c)
	})
	t.Run("certificate of no administrator", func(t *testing.T) {
		cert, err := srv.CA.IssueClientCertificate("nobody")
		if err != nil {
			t.Fatal(err)
		}
		c, err := adminv1.NewClient(srv.URL, adminv1.WithClientCertificate(cert), adminv1.WithRootCAs(srv.CA.Pool()), adminv1.WithRetry(fastRetry))
		if err != nil {
			t.Fatal(err)
		}
		forbidden(t, c)
	})
	t.Run("server not trusted", func(t *testing.T) {
		c, err := adminv1.NewClient(srv.URL, adminv1.WithClientCertificate(srv.ClientCertificate), adminv1.WithRetry(fastRetry))
		if err != nil {
			t.Fatal(err)
		}
		before := srv.NewConnections()
		if _, err = c.ListAdmins(ctx); err == nil || !strings.Contains(err.Error(), "certificate") {
			t.Errorf("err = %v", err)
		}
		if n := srv.NewConnections() - before; n != 1 {
			t.Errorf("%d connections, want 1", n)
		}
	})
	if n := srv.TotalHits(); n != 3 {
		t.Errorf("%d requests reached the handler, want the 3 refused with 403", n)
	}
}

// TestTLSRefusalOfTheClientCertificate runs against a TLS front (a proxy
// configured to require client certificates) that refuses the handshake:
// the error explains, and the refusal is not retried.
func TestTLSRefusalOfTheClientCertificate(t *testing.T) {
	ca, err := adminv1test.NewCA("front")
	if err != nil {
		t.Fatal(err)
	}
	serverCert, err := ca.IssueServerCertificate()
	if err != nil {
		t.Fatal(err)
	}
	var conns atomic.Int32
	front := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		t.Error("a request passed the TLS front")
	}))
	front.TLS = &tls.Config{Certificates: []tls.Certificate{serverCert}, ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: ca.Pool(), MinVersion: tls.VersionTLS12}
	front.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			conns.Add(1)
		}
	}
	front.Config.ErrorLog = log.New(io.Discard, "", 0)
	front.StartTLS()
	defer front.Close()
	c, err := adminv1.NewClient(front.URL+"/api", adminv1.WithRootCAs(ca.Pool()), adminv1.WithRetry(fastRetry))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.ListAdmins(context.Background())
	e := apiError(t, err)
	if !strings.Contains(err.Error(), "tls") || !strings.Contains(e.Hint, "client certificate") {
		t.Errorf("err = %v", err)
	}
	if n := conns.Load(); n != 1 {
		t.Errorf("%d connections, want 1 (a TLS refusal is not retried)", n)
	}
}

func TestClientCertificateFiles(t *testing.T) {
	srv := newFake(t)
	dir := t.TempDir()
	certPEM, keyPEM, err := adminv1test.EncodePEM(srv.ClientCertificate)
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	certFile, keyFile, caFile := write("admin.crt", certPEM), write("admin.key", keyPEM), write("ca.pem", srv.CA.CertificatePEM())
	c, err := adminv1.NewClient(srv.URL, adminv1.WithClientCertificateFiles(certFile, keyFile), adminv1.WithRootCAFile(caFile))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ListAdmins(context.Background()); err != nil {
		t.Fatal(err)
	}

	other, err := srv.CA.IssueClientCertificate("other")
	if err != nil {
		t.Fatal(err)
	}
	_, otherKey, _ := adminv1test.EncodePEM(other)
	_, err = adminv1.NewClient(srv.URL, adminv1.WithClientCertificateFiles(certFile, write("other.key", otherKey)))
	if err == nil || strings.Contains(err.Error(), "PRIVATE KEY") || strings.Contains(err.Error(), string(otherKey[30:60])) {
		t.Errorf("mismatched key: err = %v", err)
	}
	if _, err = adminv1.NewClient(srv.URL, adminv1.WithRootCAFile(keyFile)); err == nil {
		t.Error("a key file accepted as CA file")
	}
	if n := srv.TotalHits(); n != 1 {
		t.Errorf("%d hits, want 1", n)
	}
}

func TestCertificateHeader(t *testing.T) {
	for _, name := range []string{"", "ssl-client-cert"} {
		header := name
		if header == "" {
			header = adminv1.DefaultCertificateHeader
		}
		srv := newFake(t, adminv1test.WithCertificateHeader(header))
		opts := []adminv1.Option{adminv1.WithRootCAs(srv.CA.Pool()), adminv1.WithCertificateHeader(srv.ClientCertificate.Leaf), adminv1.WithRetry(fastRetry)}
		if name != "" {
			opts = append(opts, adminv1.WithCertificateHeaderName(name))
		}
		c, err := adminv1.NewClient(srv.URL, opts...)
		if err != nil {
			t.Fatal(err)
		}
		admins, err := c.ListAdmins(context.Background())
		if err != nil || len(admins) != 2 {
			t.Errorf("header %s: %d admins, %v", header, len(admins), err)
		}
		// Without the header the proxy-mode server refuses the call.
		bare, _ := adminv1.NewClient(srv.URL, adminv1.WithRootCAs(srv.CA.Pool()))
		if _, err := bare.ListAdmins(context.Background()); !errors.Is(err, adminv1.ErrForbidden) {
			t.Errorf("header %s: no header: %v", header, err)
		}
	}
	if _, err := adminv1.NewClient("https://example.com/api", adminv1.WithCertificateHeaderName("x")); err == nil {
		t.Error("header name without certificate accepted")
	}
}

func TestNewServerAndItsClient(t *testing.T) {
	srv, err := adminv1test.NewServer()
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	c, err := srv.NewClient()
	if err != nil {
		t.Fatal(err)
	}
	admins, err := c.ListAdmins(context.Background())
	if err != nil || len(admins) != 2 {
		t.Fatalf("ListAdmins = %d administrators, %v", len(admins), err)
	}
	if !strings.HasSuffix(srv.URL, adminv1test.BasePath) {
		t.Errorf("URL %s lacks the context path %s", srv.URL, adminv1test.BasePath)
	}
	if n := srv.Hits(http.MethodGet, adminv1test.BasePath+"/v1/admins"); n != 1 {
		t.Errorf("%d hits on the list, want 1", n)
	}
	if v := srv.SpecViolations(); len(v) != 0 {
		t.Errorf("violations: %v", v)
	}
	c.Close()
	// The client stays usable after Close.
	if _, err := c.ListAdmins(context.Background()); err != nil {
		t.Errorf("after Close: %v", err)
	}

	// Behind a TLS-terminating proxy the fake's client sends the header.
	for _, header := range []string{adminv1.DefaultCertificateHeader, "ssl-client-cert"} {
		proxied := newFake(t, adminv1test.WithCertificateHeader(header), adminv1test.WithTLS())
		pc, err := proxied.NewClient()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := pc.GetAdmin(context.Background(), adminv1test.SuperAdminUUID); err != nil {
			t.Errorf("header %s: %v", header, err)
		}
	}
}

func TestNewClientChecksTheURL(t *testing.T) {
	srv := newFake(t)
	files, err := srv.WriteClientFiles(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	cert := adminv1.WithClientCertificate(srv.ClientCertificate)
	for _, tc := range []struct {
		url  string
		opts []adminv1.Option
		want string
	}{
		{"", nil, "empty"},
		{"   ", nil, "empty"},
		{"czertainly.example.com/api", nil, "no scheme"},
		{"ftp://czertainly.example.com/api", nil, "not http or https"},
		{"https://", nil, "no host"},
		{"https://czertainly.example.com/api?x=1", nil, "query"},
		{"https://czertainly.example.com/api#top", nil, "fragment"},
		{"https://admin:secret@czertainly.example.com/api", nil, "credentials"},
		{"http://czertainly.example.com/api", []adminv1.Option{cert}, "plain http"},
		{"http://127.0.0.1/api", []adminv1.Option{adminv1.WithClientCertificateFiles(files.CertFile, files.KeyFile)}, "plain http"},
		{"https://czertainly.example.com/api", []adminv1.Option{adminv1.WithClientCertificateFiles(files.CertFile, "missing.key")}, "client certificate files"},
		{"https://czertainly.example.com/api", []adminv1.Option{adminv1.WithRootCAFile(files.KeyFile)}, "no PEM certificate"},
		{"https://czertainly.example.com/api", []adminv1.Option{adminv1.WithCertificateHeaderName("x")}, "needs WithCertificateHeader"},
		{"https://czertainly.example.com/api", []adminv1.Option{adminv1.WithCertificateHeader(srv.ClientCertificate.Leaf), adminv1.WithCertificateHeaderName("bad name")}, "not a valid header name"},
		// Empty values were dropped and the first call went out signed in
		// with nothing.
		{"https://czertainly.example.com/api", []adminv1.Option{adminv1.WithClientCertificateFiles("", "")}, "not named"},
		{"https://czertainly.example.com/api", []adminv1.Option{adminv1.WithClientCertificateFiles(files.CertFile, "")}, "not named"},
		{"https://czertainly.example.com/api", []adminv1.Option{adminv1.WithRootCAFile("")}, "no file named"},
		{"https://czertainly.example.com/api", []adminv1.Option{adminv1.WithCertificateHeader(nil)}, "no certificate"},
		{"https://czertainly.example.com/api", []adminv1.Option{adminv1.WithCertificateHeader(srv.ClientCertificate.Leaf), adminv1.WithCertificateHeaderName("")}, "not a valid header name"},
		// The calls add /v1/admins after the context path.
		{"https://czertainly.example.com/api/v1/admins", nil, "already holds the API path"},
		{"https://czertainly.example.com/api/v1/", nil, "already holds the API path"},
	} {
		_, err := adminv1.NewClient(tc.url, tc.opts...)
		if !errors.Is(err, adminv1.ErrInvalidInput) || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "adminv1.NewClient: ") {
			t.Errorf("NewClient(%q) = %v, want ErrInvalidInput saying %q", tc.url, err, tc.want)
		}
		if strings.Contains(fmt.Sprint(err), "secret") {
			t.Errorf("NewClient(%q) error shows the password: %v", tc.url, err)
		}
		// A file error is said once, not in the message and again as the cause.
		if n := strings.Count(fmt.Sprint(err), "open "); n > 1 {
			t.Errorf("NewClient(%q) says the file error %d times: %v", tc.url, n, err)
		}
	}
	// A certificate in a header is a credential: not over plain http to
	// another host, but to loopback (a local proxy) it is allowed.
	header := adminv1.WithCertificateHeader(srv.ClientCertificate.Leaf)
	if _, err := adminv1.NewClient("http://czertainly.example.com/api", header); !errors.Is(err, adminv1.ErrPlainHTTP) {
		t.Errorf("header over plain http: %v, want ErrPlainHTTP", err)
	}
	if _, err := adminv1.NewClient("http://czertainly.example.com/api", header, adminv1.WithInsecurePlainHTTP()); err != nil {
		t.Errorf("header over plain http with WithInsecurePlainHTTP: %v", err)
	}
	if _, err := adminv1.NewClient("http://127.0.0.1:8080/api", header); err != nil {
		t.Errorf("header over plain http to loopback: %v", err)
	}
	// A trailing slash is dropped: the calls still reach /api/v1/admins.
	c := newClient(t, srv)
	withSlash, err := adminv1.NewClient(srv.URL+"/", adminv1.WithClientCertificateFiles(files.CertFile, files.KeyFile), adminv1.WithRootCAFile(files.CAFile))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := withSlash.ListAdmins(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ListAdmins(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := srv.Hits(http.MethodGet, adminv1test.BasePath+"/v1/admins"); n != 2 {
		t.Errorf("%d hits on %s/v1/admins, want 2", n, adminv1test.BasePath)
	}
	if n := srv.TotalHits(); n != 2 {
		t.Errorf("%d requests in all, want only the 2 lists", n)
	}
}

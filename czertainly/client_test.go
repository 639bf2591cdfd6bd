package czertainly_test

import (
	"bytes"
	"context"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"

	"github.com/certadmin/certadmin-go/czertainly"
	"github.com/certadmin/certadmin-go/czertainly/czertainlytest"
)

var fastRetry = czertainly.RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond, MaxRetryAfter: 2 * time.Second}

// newFake starts a fake that fails the test, when it ends, on traffic that
// did not match the spec or a fault no request used.
func newFake(t *testing.T, opts ...czertainlytest.Option) *czertainlytest.Server {
	t.Helper()
	return czertainlytest.NewTestServer(t, opts...)
}

// newClient authenticates as the fake's super administrator.
func newClient(t *testing.T, srv *czertainlytest.Server, opts ...czertainly.Option) *czertainly.Client {
	t.Helper()
	c, err := srv.NewClient(append([]czertainly.Option{czertainly.WithRetry(fastRetry)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func apiError(t *testing.T, err error) *czertainly.Error {
	t.Helper()
	var e *czertainly.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not a *czertainly.Error", err, err)
	}
	return e
}

func sample(t *testing.T, name string) []byte {
	t.Helper()
	b, err := czertainlytest.SampleJSON(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// sampleAdmin is the documentation's sample administrator, typed.
var sampleAdmin = czertainly.Admin{
	UUID:     "7b55ge1c-844f-11dc-a8a3-0242ac120002",
	Name:     "Name",
	Username: "string",
	Certificate: czertainly.Certificate{
		UUID: "string", CommonName: "string", SerialNumber: "string", IssuerCommonName: "string",
		Content: "string", IssuerDN: "string", SubjectDN: "string",
		NotBefore:          time.Date(2019, 8, 24, 14, 15, 22, 0, time.UTC),
		NotAfter:           time.Date(2019, 8, 24, 14, 15, 22, 0, time.UTC),
		PublicKeyAlgorithm: "string", SignatureAlgorithm: "string", KeySize: 0,
		ExtendedKeyUsage: []string{"string"}, KeyUsage: []string{"string"}, BasicConstraints: "string",
		Meta:                    map[string]any{"property1": map[string]any{}, "property2": map[string]any{}},
		Status:                  czertainly.CertificateStatusValid,
		RAProfile:               &czertainly.RAProfile{UUID: "7b55ge1c-844f-11dc-a8a3-0242ac120002", Name: "Name", Enabled: true},
		Fingerprint:             "string",
		SubjectAlternativeNames: map[string]any{"property1": map[string]any{}, "property2": map[string]any{}},
		Locations: []czertainly.Location{{
			UUID: "7b55ge1c-844f-11dc-a8a3-0242ac120002", Name: "Name", Description: "string",
			EntityInstanceUUID: "string", EntityInstanceName: "string",
			Attributes: []czertainly.Attribute{{
				UUID: "166b5cf52-63f2-11ec-90d6-0242ac120003", Name: "Attribute", Label: "Attribute Name",
				Type: czertainly.AttributeTypeString, Content: map[string]any{},
			}},
			Enabled: true,
			Certificates: []czertainly.LocationCertificate{{
				CertificateUUID: "string", CommonName: "string", SerialNumber: "string",
				Metadata:       map[string]any{"property1": map[string]any{}, "property2": map[string]any{}},
				PushAttributes: []czertainly.Attribute{{UUID: "166b5cf52-63f2-11ec-90d6-0242ac120003", Name: "Attribute", Content: map[string]any{}}},
				CSRAttributes:  []czertainly.Attribute{{UUID: "166b5cf52-63f2-11ec-90d6-0242ac120003", Name: "Attribute", Content: map[string]any{}}},
			}},
			Metadata: map[string]any{"property1": map[string]any{}, "property2": map[string]any{}},
		}},
		Group:              &czertainly.Group{UUID: "7b55ge1c-844f-11dc-a8a3-0242ac120002", Name: "Name", Description: "string"},
		Owner:              "string",
		Type:               czertainly.CertificateTypeX509,
		IssuerSerialNumber: "string",
		ValidationResult: map[string]czertainly.ValidationResult{
			"property1": {Status: "success", Message: "string"},
			"property2": {Status: "success", Message: "string"},
		},
		NonCompliantRules: []czertainly.ComplianceRule{{ConnectorName: "Provider1", RuleName: "RuleName", RuleDescription: "Description sample", Status: czertainly.ComplianceStatusNotOK}},
		ComplianceStatus:  czertainly.ComplianceStatusOK,
	},
	Role:         czertainly.RoleAdministrator,
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
	if super.UUID != czertainlytest.SuperAdminUUID || super.Role != czertainly.RoleSuperAdministrator ||
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
	a, err := c.GetAdmin(ctx, strings.ToUpper(czertainlytest.SuperAdminUUID))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(admins[1], *a); diff != "" {
		t.Errorf("GetAdmin differs from the listed administrator (-list +get):\n%s", diff)
	}
}

// TestGetSampleAdminThroughRaw decodes the documentation's get sample as the server
// sends it: the wrapper refuses the invalid UUID, the raw client does not.
func TestGetSampleAdminThroughRaw(t *testing.T) {
	srv := newFake(t)
	c := newClient(t, srv)
	if _, err := c.GetAdmin(context.Background(), czertainlytest.SampleAdminUUID); !errors.Is(err, czertainly.ErrInvalidInput) {
		t.Fatalf("GetAdmin(invalid UUID) = %v, want ErrInvalidInput", err)
	}
	resp, err := c.Raw().GetAdmin(context.Background(), czertainlytest.SampleAdminUUID)
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
}

func TestAdminLifecycle(t *testing.T) {
	srv := newFake(t)
	c := newClient(t, srv)
	ctx := context.Background()
	cert, err := srv.CA.IssueClientCertificate("jdoe")
	if err != nil {
		t.Fatal(err)
	}
	certPEM, _, err := czertainlytest.EncodePEM(cert)
	if err != nil {
		t.Fatal(err)
	}
	id, err := c.CreateAdmin(ctx, czertainly.CreateAdminInput{
		Username: "jdoe", Name: "John", Surname: "Doe", Email: "jdoe@example.com",
		Role: czertainly.RoleAdministrator, Certificate: certPEM, Description: "operator",
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
	want := czertainly.Admin{
		UUID: id, Username: "jdoe", Name: "John", Surname: "Doe", Email: "jdoe@example.com",
		Role: czertainly.RoleAdministrator, Description: "operator", Enabled: false,
		SerialNumber: cert.Leaf.SerialNumber.Text(16),
	}
	if diff := cmp.Diff(want, *a, cmpIgnoreCertificate); diff != "" {
		t.Errorf("created administrator (-want +got):\n%s", diff)
	}
	if a.Certificate.CommonName != "jdoe" || a.Certificate.SerialNumber != want.SerialNumber || a.Certificate.Status != czertainly.CertificateStatusValid {
		t.Errorf("certificate = %+v", a.Certificate)
	}

	edited, err := c.UpdateAdmin(ctx, id, czertainly.UpdateAdminInput{
		Role: czertainly.RoleSuperAdministrator, Description: "lead", Certificate: cert.Leaf.Raw,
	})
	if err != nil {
		t.Fatal(err)
	}
	want.Role, want.Description = czertainly.RoleSuperAdministrator, "lead"
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
	if !errors.Is(err, czertainly.ErrNotFound) || errors.Is(err, czertainly.ErrNoAdminAPI) || e.Message != "Admin with uuid "+id+" not found" {
		t.Errorf("GetAdmin after removal = %v", err)
	}
}

var cmpIgnoreCertificate = cmp.FilterPath(func(p cmp.Path) bool { return p.String() == "Certificate" }, cmp.Ignore())

func TestCreateAdminFromInventoryCertificateAndSignIn(t *testing.T) {
	srv := newFake(t)
	c := newClient(t, srv)
	ctx := context.Background()
	id, err := c.CreateAdmin(ctx, czertainly.CreateAdminInput{
		Username: "inv", Name: "In", Surname: "Ventory", Email: "inv@example.com",
		Role: czertainly.RoleAdministrator, CertificateUUID: czertainlytest.InventoryCertificateUUID, Enabled: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	// The new administrator can now sign in with that certificate.
	other, err := czertainly.NewClient(srv.URL, czertainly.WithClientCertificate(srv.InventoryCertificate), czertainly.WithRootCAs(srv.CA.Pool()))
	if err != nil {
		t.Fatal(err)
	}
	a, err := other.GetAdmin(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if a.Certificate.UUID != czertainlytest.InventoryCertificateUUID || !a.Enabled {
		t.Errorf("administrator = %+v", a)
	}
	// A duplicate username is 400 "already exists".
	_, err = c.CreateAdmin(ctx, czertainly.CreateAdminInput{
		Username: "inv", Name: "In", Surname: "Ventory", Email: "inv@example.com",
		Role: czertainly.RoleAdministrator, CertificateUUID: czertainlytest.InventoryCertificateUUID,
	})
	if e := apiError(t, err); e.StatusCode != http.StatusBadRequest || !strings.Contains(e.Message, "already exists") {
		t.Errorf("duplicate create = %v", err)
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
		id, err := c.CreateAdmin(ctx, czertainly.CreateAdminInput{
			Username: name, Name: name, Surname: name, Email: name + "@example.com",
			Role: czertainly.RoleAdministrator, Certificate: cert.Leaf.Raw,
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

// TestBulkUnknownUUIDs sends the documentation's bulk request sample: its UUIDs are
// unknown to the fake, and the server's message reaches the caller.
func TestBulkUnknownUUIDs(t *testing.T) {
	srv := newFake(t)
	c := newClient(t, srv)
	var ids []string
	if err := jsonUnmarshal(sample(t, "bulk-request"), &ids); err != nil {
		t.Fatal(err)
	}
	for name, call := range map[string]func(context.Context, []string, ...czertainly.CallOption) error{
		"DisableAdmins": c.DisableAdmins, "EnableAdmins": c.EnableAdmins, "DeleteAdmins": c.DeleteAdmins,
	} {
		err := call(context.Background(), ids)
		e := apiError(t, err)
		if e.StatusCode != http.StatusNotFound || e.Message != "Admin with uuid "+ids[0]+" not found" ||
			!strings.HasPrefix(e.Op, "czertainly."+name) || errors.Is(err, czertainly.ErrNoAdminAPI) {
			t.Errorf("%s = %v", name, err)
		}
	}
	if n := srv.AdminCount(); n != 2 {
		t.Errorf("store changed: %d administrators", n)
	}
}

func TestInvalidInputSendsNothing(t *testing.T) {
	srv := newFake(t)
	c := newClient(t, srv)
	ctx := context.Background()
	valid := czertainly.CreateAdminInput{
		Username: "u", Name: "n", Surname: "s", Email: "e@example.com",
		Role: czertainly.RoleAdministrator, CertificateUUID: czertainlytest.InventoryCertificateUUID,
	}
	with := func(f func(*czertainly.CreateAdminInput)) czertainly.CreateAdminInput {
		in := valid
		f(&in)
		return in
	}
	calls := map[string]func() error{
		"create no username": func() error {
			_, err := c.CreateAdmin(ctx, with(func(in *czertainly.CreateAdminInput) { in.Username = " " }))
			return err
		},
		"create no email": func() error {
			_, err := c.CreateAdmin(ctx, with(func(in *czertainly.CreateAdminInput) { in.Email = "" }))
			return err
		},
		"create bad role": func() error {
			_, err := c.CreateAdmin(ctx, with(func(in *czertainly.CreateAdminInput) { in.Role = "root" }))
			return err
		},
		"create no cert": func() error {
			_, err := c.CreateAdmin(ctx, with(func(in *czertainly.CreateAdminInput) { in.CertificateUUID = "" }))
			return err
		},
		"create both": func() error {
			_, err := c.CreateAdmin(ctx, with(func(in *czertainly.CreateAdminInput) { in.Certificate = []byte("x") }))
			return err
		},
		"create bad cert uuid": func() error {
			_, err := c.CreateAdmin(ctx, with(func(in *czertainly.CreateAdminInput) { in.CertificateUUID = "166b5cf52-63f2-11ec-90d6-0242ac120003" }))
			return err
		},
		"create garbage cert": func() error {
			_, err := c.CreateAdmin(ctx, with(func(in *czertainly.CreateAdminInput) {
				in.CertificateUUID, in.Certificate = "", []byte("not a certificate")
			}))
			return err
		},
		"create key as cert": func() error {
			key := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte{1, 2, 3}})
			_, err := c.CreateAdmin(ctx, with(func(in *czertainly.CreateAdminInput) { in.CertificateUUID, in.Certificate = "", key }))
			return err
		},
		"get bad uuid": func() error { _, err := c.GetAdmin(ctx, czertainlytest.SampleAdminUUID); return err },
		"edit bad uuid": func() error {
			_, err := c.UpdateAdmin(ctx, "nope", czertainly.UpdateAdminInput{CertificateUUID: czertainlytest.InventoryCertificateUUID})
			return err
		},
		"edit no cert": func() error {
			_, err := c.UpdateAdmin(ctx, czertainlytest.SuperAdminUUID, czertainly.UpdateAdminInput{Name: "x"})
			return err
		},
		"edit bad role": func() error {
			_, err := c.UpdateAdmin(ctx, czertainlytest.SuperAdminUUID, czertainly.UpdateAdminInput{Role: "Admin", CertificateUUID: czertainlytest.InventoryCertificateUUID})
			return err
		},
		"remove bad uuid":  func() error { return c.DeleteAdmin(ctx, "") },
		"enable bad uuid":  func() error { return c.EnableAdmin(ctx, "7b55ge1c-844f-11dc-a8a3-0242ac120002") },
		"disable bad uuid": func() error { return c.DisableAdmin(ctx, "x") },
		"bulk empty":       func() error { return c.DisableAdmins(ctx, nil) },
		"bulk one bad":     func() error { return c.DeleteAdmins(ctx, []string{czertainlytest.SuperAdminUUID, "bad"}) },
		"bulk enable bad":  func() error { return c.EnableAdmins(ctx, []string{"166b5cf52-63f2-11ec-90d6-0242ac120003"}) },
	}
	for name, call := range calls {
		err := call()
		if !errors.Is(err, czertainly.ErrInvalidInput) || !strings.HasPrefix(err.Error(), "czertainly.") {
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
	srv.Inject(czertainlytest.Fault{Method: http.MethodGet, Status: http.StatusBadRequest, Body: string(sample(t, "error")), ContentType: "application/json"})
	_, err := c.ListAdmins(ctx)
	if e := apiError(t, err); e.StatusCode != 400 || e.Message != "Error message" || e.Op != "czertainly.ListAdmins" {
		t.Errorf("400 sample: %v", err)
	}

	// The bare array of a 422 keeps every message.
	srv.Inject(czertainlytest.Fault{Method: http.MethodPost, Status: http.StatusUnprocessableEntity, Body: `["Error Message 1","Error Message 2"]`, ContentType: "application/json"})
	_, err = c.CreateAdmin(ctx, czertainly.CreateAdminInput{
		Username: "u", Name: "n", Surname: "s", Email: "e@example.com", Role: czertainly.RoleAdministrator,
		CertificateUUID: czertainlytest.InventoryCertificateUUID,
	})
	e := apiError(t, err)
	if diff := cmp.Diff([]string{"Error Message 1", "Error Message 2"}, e.Details); diff != "" || e.StatusCode != 422 {
		t.Errorf("422 details (-want +got):\n%s\n%v", diff, err)
	}
	if !strings.Contains(err.Error(), "Error Message 2") {
		t.Errorf("error text lacks the messages: %v", err)
	}

	// 500 and its message.
	srv.Inject(czertainlytest.Fault{Method: http.MethodDelete, Status: 500, Body: `{"message":"Internal server error."}`, ContentType: "application/json"})
	err = c.DeleteAdmin(ctx, czertainlytest.SuperAdminUUID)
	if e := apiError(t, err); !errors.Is(err, czertainly.ErrServer) || e.Message != "Internal server error." {
		t.Errorf("500: %v", err)
	}
	if n := srv.Hits(http.MethodDelete, czertainlytest.BasePath+"/v1/admins/"+czertainlytest.SuperAdminUUID); n != 1 {
		t.Errorf("remove after 500 sent %d times, want 1", n)
	}
}

// TestDocumentedCreateSampleIsRejectedWith422 sends the documentation's create request
// as it stands: "string" is no certificate, so the real validation answers
// with its bare array.
func TestDocumentedCreateSampleIsRejectedWith422(t *testing.T) {
	srv := newFake(t)
	c := newClient(t, srv)
	for _, name := range []string{"create-request", "edit-request"} {
		var resp *http.Response
		var err error
		if name == "create-request" {
			resp, err = c.Raw().AddAdminWithBody(context.Background(), "application/json", bytes.NewReader(sample(t, name)))
		} else {
			resp, err = c.Raw().EditAdminWithBody(context.Background(), czertainlytest.SuperAdminUUID, "application/json", bytes.NewReader(sample(t, name)))
		}
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var msgs []string
		if resp.StatusCode != http.StatusUnprocessableEntity || jsonUnmarshal(body, &msgs) != nil || len(msgs) == 0 {
			t.Errorf("%s: %d %s", name, resp.StatusCode, body)
		}
	}
}

func TestNoAdminAPIOn2xServer(t *testing.T) {
	srv := newFake(t)
	c := newClient(t, srv)
	ctx := context.Background()
	spring404 := `{"timestamp":"2023-01-01T00:00:00.000+00:00","status":404,"error":"Not Found","path":"/api/v1/admins"}`
	srv.Inject(czertainlytest.Fault{Status: 404, Body: spring404, ContentType: "application/json"})
	_, err := c.ListAdmins(ctx)
	e := apiError(t, err)
	if !errors.Is(err, czertainly.ErrNoAdminAPI) || !errors.Is(err, czertainly.ErrNotFound) || !strings.Contains(e.Hint, "2.x") {
		t.Errorf("list on 2.x: %v", err)
	}
	srv.Inject(czertainlytest.Fault{Status: 404})
	err = c.EnableAdmin(ctx, czertainlytest.SuperAdminUUID)
	if !errors.Is(err, czertainly.ErrNoAdminAPI) {
		t.Errorf("empty 404: %v", err)
	}
}

func TestRetryPolicy(t *testing.T) {
	srv := newFake(t)
	c := newClient(t, srv)
	ctx := context.Background()
	listPath := czertainlytest.BasePath + "/v1/admins"

	srv.Inject(czertainlytest.Fault{Method: http.MethodGet, Status: 503, RetryAfter: "0"})
	if _, err := c.ListAdmins(ctx); err != nil {
		t.Fatal(err)
	}
	if n := srv.Hits(http.MethodGet, listPath); n != 2 {
		t.Errorf("list after one 503: %d hits, want 2 (retried)", n)
	}
	srv.Inject(czertainlytest.Fault{Method: http.MethodGet, Reset: true})
	if _, err := c.GetAdmin(ctx, czertainlytest.SuperAdminUUID); err != nil {
		t.Fatalf("get after a reset: %v", err)
	}
	if n := srv.Hits(http.MethodGet, listPath+"/"+czertainlytest.SuperAdminUUID); n != 2 {
		t.Errorf("get after a reset: %d hits, want 2", n)
	}

	cert, err := srv.CA.IssueClientCertificate("once")
	if err != nil {
		t.Fatal(err)
	}
	notRepeated := map[string]struct {
		fault czertainlytest.Fault
		call  func() error
		path  string
	}{
		"create 503": {czertainlytest.Fault{Method: http.MethodPost, Status: 503}, func() error {
			_, err := c.CreateAdmin(ctx, czertainly.CreateAdminInput{Username: "once", Name: "n", Surname: "s", Email: "e@example.com", Role: czertainly.RoleAdministrator, Certificate: cert.Leaf.Raw})
			return err
		}, "POST " + listPath},
		"remove reset":   {czertainlytest.Fault{Method: http.MethodDelete, Reset: true}, func() error { return c.DeleteAdmin(ctx, czertainlytest.SuperAdminUUID) }, "DELETE " + listPath + "/" + czertainlytest.SuperAdminUUID},
		"disable 503":    {czertainlytest.Fault{Method: http.MethodPut, Status: 503}, func() error { return c.DisableAdmin(ctx, czertainlytest.SuperAdminUUID) }, "PUT " + listPath + "/" + czertainlytest.SuperAdminUUID + "/disable"},
		"enable reset":   {czertainlytest.Fault{Method: http.MethodPut, Reset: true}, func() error { return c.EnableAdmin(ctx, czertainlytest.SuperAdminUUID) }, "PUT " + listPath + "/" + czertainlytest.SuperAdminUUID + "/enable"},
		"bulk del 503":   {czertainlytest.Fault{Method: http.MethodDelete, Status: 503}, func() error { return c.DeleteAdmins(ctx, []string{czertainlytest.SuperAdminUUID}) }, "DELETE " + listPath},
		"bulk off reset": {czertainlytest.Fault{Method: http.MethodPut, Reset: true}, func() error { return c.DisableAdmins(ctx, []string{czertainlytest.SuperAdminUUID}) }, "PUT " + listPath + "/disable"},
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
	if _, ok := srv.Admin(czertainlytest.SuperAdminUUID); !ok {
		t.Error("a faulted call changed the store")
	}
}

func TestMutualTLS(t *testing.T) {
	srv := newFake(t)
	ctx := context.Background()

	t.Run("no client certificate", func(t *testing.T) {
		before := srv.NewConnections()
		c, err := czertainly.NewClient(srv.URL, czertainly.WithRootCAs(srv.CA.Pool()), czertainly.WithRetry(fastRetry))
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.ListAdmins(ctx)
		e := apiError(t, err)
		if !strings.Contains(err.Error(), "tls") || !strings.Contains(e.Hint, "client certificate") {
			t.Errorf("err = %v", err)
		}
		if n := srv.NewConnections() - before; n != 1 {
			t.Errorf("%d connections, want 1 (a TLS refusal is not retried)", n)
		}
	})
	t.Run("certificate of another CA", func(t *testing.T) {
		other, err := czertainlytest.NewCA("other")
		if err != nil {
			t.Fatal(err)
		}
		cert, err := other.IssueClientCertificate("stranger")
		if err != nil {
			t.Fatal(err)
		}
		before := srv.NewConnections()
		c, err := czertainly.NewClient(srv.URL, czertainly.WithClientCertificate(cert), czertainly.WithRootCAs(srv.CA.Pool()), czertainly.WithRetry(fastRetry))
		if err != nil {
			t.Fatal(err)
		}
		if _, err = c.ListAdmins(ctx); err == nil || !strings.Contains(err.Error(), "tls") {
			t.Errorf("err = %v", err)
		}
		if n := srv.NewConnections() - before; n != 1 {
			t.Errorf("%d connections, want 1", n)
		}
	})
	t.Run("certificate of no administrator", func(t *testing.T) {
		cert, err := srv.CA.IssueClientCertificate("nobody")
		if err != nil {
			t.Fatal(err)
		}
		c, err := czertainly.NewClient(srv.URL, czertainly.WithClientCertificate(cert), czertainly.WithRootCAs(srv.CA.Pool()), czertainly.WithRetry(fastRetry))
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.ListAdmins(ctx)
		if e := apiError(t, err); !errors.Is(err, czertainly.ErrForbidden) || e.Message != "Access Denied" || !strings.Contains(e.Hint, "serial number") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("server not trusted", func(t *testing.T) {
		c, err := czertainly.NewClient(srv.URL, czertainly.WithClientCertificate(srv.ClientCertificate), czertainly.WithRetry(fastRetry))
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
	if n := srv.TotalHits(); n != 1 {
		t.Errorf("%d requests reached the handler, want only the one with a known-CA certificate", n)
	}
}

func TestClientCertificateFiles(t *testing.T) {
	srv := newFake(t)
	dir := t.TempDir()
	certPEM, keyPEM, err := czertainlytest.EncodePEM(srv.ClientCertificate)
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
	c, err := czertainly.NewClient(srv.URL, czertainly.WithClientCertificateFiles(certFile, keyFile), czertainly.WithRootCAFile(caFile))
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
	_, otherKey, _ := czertainlytest.EncodePEM(other)
	_, err = czertainly.NewClient(srv.URL, czertainly.WithClientCertificateFiles(certFile, write("other.key", otherKey)))
	if err == nil || strings.Contains(err.Error(), "PRIVATE KEY") || strings.Contains(err.Error(), string(otherKey[30:60])) {
		t.Errorf("mismatched key: err = %v", err)
	}
	if _, err = czertainly.NewClient(srv.URL, czertainly.WithRootCAFile(keyFile)); err == nil {
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
			header = czertainly.DefaultCertificateHeader
		}
		srv := newFake(t, czertainlytest.WithCertificateHeader(header))
		opts := []czertainly.Option{czertainly.WithRootCAs(srv.CA.Pool()), czertainly.WithCertificateHeader(srv.ClientCertificate.Leaf), czertainly.WithRetry(fastRetry)}
		if name != "" {
			opts = append(opts, czertainly.WithCertificateHeaderName(name))
		}
		c, err := czertainly.NewClient(srv.URL, opts...)
		if err != nil {
			t.Fatal(err)
		}
		admins, err := c.ListAdmins(context.Background())
		if err != nil || len(admins) != 2 {
			t.Errorf("header %s: %d admins, %v", header, len(admins), err)
		}
		// Without the header the proxy-mode server refuses the call.
		bare, _ := czertainly.NewClient(srv.URL, czertainly.WithRootCAs(srv.CA.Pool()))
		if _, err := bare.ListAdmins(context.Background()); !errors.Is(err, czertainly.ErrForbidden) {
			t.Errorf("header %s: no header: %v", header, err)
		}
	}
	if _, err := czertainly.NewClient("https://example.com/api", czertainly.WithCertificateHeaderName("x")); err == nil {
		t.Error("header name without certificate accepted")
	}
}

func TestNewServerAndItsClient(t *testing.T) {
	srv, err := czertainlytest.NewServer()
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := srv.Close(); err != nil {
			t.Error(err)
		}
	}()
	c, err := srv.NewClient()
	if err != nil {
		t.Fatal(err)
	}
	admins, err := c.ListAdmins(context.Background())
	if err != nil || len(admins) != 2 {
		t.Fatalf("ListAdmins = %d administrators, %v", len(admins), err)
	}
	if !strings.HasSuffix(srv.URL, czertainlytest.BasePath) {
		t.Errorf("URL %s lacks the context path %s", srv.URL, czertainlytest.BasePath)
	}
	if n := srv.Hits(http.MethodGet, czertainlytest.BasePath+"/v1/admins"); n != 1 {
		t.Errorf("%d hits on the list, want 1", n)
	}
	if v := srv.SpecViolations(); len(v) != 0 {
		t.Errorf("violations: %v", v)
	}
	if err := c.Close(); err != nil {
		t.Error(err)
	}
	// The client stays usable after Close.
	if _, err := c.ListAdmins(context.Background()); err != nil {
		t.Errorf("after Close: %v", err)
	}

	// Behind a TLS-terminating proxy the fake's client sends the header.
	for _, header := range []string{czertainly.DefaultCertificateHeader, "ssl-client-cert"} {
		proxied := newFake(t, czertainlytest.WithCertificateHeader(header), czertainlytest.WithTLS())
		pc, err := proxied.NewClient()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := pc.GetAdmin(context.Background(), czertainlytest.SuperAdminUUID); err != nil {
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
	cert := czertainly.WithClientCertificate(srv.ClientCertificate)
	for _, tc := range []struct {
		url  string
		opts []czertainly.Option
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
		{"http://czertainly.example.com/api", []czertainly.Option{cert}, "plain http"},
		{"http://127.0.0.1/api", []czertainly.Option{czertainly.WithClientCertificateFiles(files.CertFile, files.KeyFile)}, "plain http"},
		{"https://czertainly.example.com/api", []czertainly.Option{czertainly.WithClientCertificateFiles(files.CertFile, "missing.key")}, "client certificate files"},
		{"https://czertainly.example.com/api", []czertainly.Option{czertainly.WithRootCAFile(files.KeyFile)}, "no PEM certificate"},
		{"https://czertainly.example.com/api", []czertainly.Option{czertainly.WithCertificateHeaderName("x")}, "needs WithCertificateHeader"},
		{"https://czertainly.example.com/api", []czertainly.Option{czertainly.WithCertificateHeader(srv.ClientCertificate.Leaf), czertainly.WithCertificateHeaderName("bad name")}, "not a valid header name"},
	} {
		_, err := czertainly.NewClient(tc.url, tc.opts...)
		if !errors.Is(err, czertainly.ErrInvalidInput) || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "czertainly.NewClient: ") {
			t.Errorf("NewClient(%q) = %v, want ErrInvalidInput saying %q", tc.url, err, tc.want)
		}
		if strings.Contains(fmt.Sprint(err), "secret") {
			t.Errorf("NewClient(%q) error shows the password: %v", tc.url, err)
		}
	}
	// A certificate in a header is a credential: not over plain http to
	// another host, but to loopback (a local proxy) it is allowed.
	header := czertainly.WithCertificateHeader(srv.ClientCertificate.Leaf)
	if _, err := czertainly.NewClient("http://czertainly.example.com/api", header); !errors.Is(err, czertainly.ErrPlainHTTP) {
		t.Errorf("header over plain http: %v, want ErrPlainHTTP", err)
	}
	if _, err := czertainly.NewClient("http://czertainly.example.com/api", header, czertainly.WithInsecurePlainHTTP()); err != nil {
		t.Errorf("header over plain http with WithInsecurePlainHTTP: %v", err)
	}
	if _, err := czertainly.NewClient("http://127.0.0.1:8080/api", header); err != nil {
		t.Errorf("header over plain http to loopback: %v", err)
	}
	// A trailing slash is dropped: the calls still reach /api/v1/admins.
	c := newClient(t, srv)
	withSlash, err := czertainly.NewClient(srv.URL+"/", czertainly.WithClientCertificateFiles(files.CertFile, files.KeyFile), czertainly.WithRootCAFile(files.CAFile))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := withSlash.ListAdmins(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ListAdmins(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := srv.Hits(http.MethodGet, czertainlytest.BasePath+"/v1/admins"); n != 2 {
		t.Errorf("%d hits on %s/v1/admins, want 2", n, czertainlytest.BasePath)
	}
	if n := srv.TotalHits(); n != 2 {
		t.Errorf("%d requests in all, want only the 2 lists", n)
	}
}

package adminv1_test

import (
	"context"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/certadmin/certadmin-go/czertainly/adminv1"
	"github.com/certadmin/certadmin-go/czertainly/adminv1/adminv1test"
)

// createOperator adds an administrator with a fresh certificate and
// returns its UUID and the certificate's serial number.
func createOperator(t *testing.T, srv *adminv1test.Server, c *adminv1.Client, in adminv1.CreateAdminInput) (string, string) {
	t.Helper()
	cert, err := srv.CA.IssueClientCertificate(in.Username)
	if err != nil {
		t.Fatal(err)
	}
	in.Certificate = cert.Leaf.Raw
	id, err := c.CreateAdmin(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	return id, cert.Leaf.SerialNumber.Text(16)
}

var operator = adminv1.CreateAdminInput{
	Username: "op", Name: "Oscar", Surname: "Perez", Email: "op@example.com",
	Role: adminv1.RoleAdministrator, Description: "night shift",
}

// TestUpdateAdminKeepsWhatItDoesNotChange changes one field at a time: the
// server's edit sets name, surname, email and description to what it is
// sent, so the client must send the current values of the others.
func TestUpdateAdminKeepsWhatItDoesNotChange(t *testing.T) {
	srv := newFake(t)
	c := newClient(t, srv)
	ctx := context.Background()
	id, serial := createOperator(t, srv, c, operator)
	before, ok := srv.Admin(id)
	if !ok {
		t.Fatal("created administrator not stored")
	}
	want := *before
	for _, step := range []struct {
		in     adminv1.UpdateAdminInput
		change func(*adminv1.Admin)
	}{
		{adminv1.UpdateAdminInput{Role: adminv1.RoleSuperAdministrator}, func(a *adminv1.Admin) { a.Role = adminv1.RoleSuperAdministrator }},
		{adminv1.UpdateAdminInput{Email: "oscar@example.com"}, func(a *adminv1.Admin) { a.Email = "oscar@example.com" }},
		{adminv1.UpdateAdminInput{Name: "Oskar", Surname: "Pérez"}, func(a *adminv1.Admin) { a.Name, a.Surname = "Oskar", "Pérez" }},
		{adminv1.UpdateAdminInput{}, func(*adminv1.Admin) {}},
		{adminv1.UpdateAdminInput{Description: new("day shift")}, func(a *adminv1.Admin) { a.Description = "day shift" }},
		{adminv1.UpdateAdminInput{Description: new("")}, func(a *adminv1.Admin) { a.Description = "" }},
		{adminv1.UpdateAdminInput{Name: "Oscar"}, func(a *adminv1.Admin) { a.Name = "Oscar" }},
	} {
		step.change(&want)
		got, err := c.UpdateAdmin(ctx, id, step.in)
		if err != nil {
			t.Fatalf("%+v: %v", step.in, err)
		}
		if diff := cmp.Diff(want, *got); diff != "" {
			t.Errorf("%+v: answer (-want +got):\n%s", step.in, diff)
		}
		if stored, _ := srv.Admin(id); !cmp.Equal(want, *stored) {
			t.Errorf("%+v: stored (-want +got):\n%s", step.in, cmp.Diff(want, *stored))
		}
	}
	if want.SerialNumber != serial {
		t.Errorf("serial number changed to %s", want.SerialNumber)
	}
	path := adminv1test.BasePath + "/v1/admins/" + id
	if g, p := srv.Hits(http.MethodGet, path), srv.Hits(http.MethodPost, path); g != 7 || p != 7 {
		t.Errorf("%d reads and %d edits, want one of each per update", g, p)
	}
}

func TestUpdateAdminCertificate(t *testing.T) {
	srv := newFake(t)
	c := newClient(t, srv)
	ctx := context.Background()
	id, serial := createOperator(t, srv, c, adminv1.CreateAdminInput{
		Username: "rotor", Name: "Rosa", Surname: "Tor", Email: "rotor@example.com", Role: adminv1.RoleSuperAdministrator, Enabled: true,
	})
	current, _ := srv.Admin(id)
	currentCert, err := current.Certificate.X509()
	if err != nil {
		t.Fatal(err)
	}

	// Its own certificate again changes nothing (an upload of it would be
	// refused: the inventory holds it).
	got, err := c.UpdateAdmin(ctx, id, adminv1.UpdateAdminInput{Certificate: currentCert.Raw})
	if err != nil || got.SerialNumber != serial || got.Certificate.UUID != current.Certificate.UUID {
		t.Fatalf("own certificate: %+v, %v", got, err)
	}

	// A new certificate is uploaded; the administrator signs in with it.
	next, err := srv.CA.IssueClientCertificate("rotor 2")
	if err != nil {
		t.Fatal(err)
	}
	certPEM, _, err := adminv1test.EncodePEM(next)
	if err != nil {
		t.Fatal(err)
	}
	got, err = c.UpdateAdmin(ctx, id, adminv1.UpdateAdminInput{Certificate: certPEM})
	if err != nil {
		t.Fatal(err)
	}
	if want := next.Leaf.SerialNumber.Text(16); got.SerialNumber != want || got.Certificate.SerialNumber != want || got.Name != "Rosa" {
		t.Errorf("after the upload: %+v", got)
	}
	rotor, err := adminv1.NewClient(srv.URL, adminv1.WithClientCertificate(next), adminv1.WithRootCAs(srv.CA.Pool()))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rotor.GetAdmin(ctx, id); err != nil {
		t.Errorf("signing in with the new certificate: %v", err)
	}

	// An inventory certificate by UUID.
	got, err = c.UpdateAdmin(ctx, id, adminv1.UpdateAdminInput{CertificateUUID: strings.ToUpper(adminv1test.InventoryCertificateUUID)})
	if err != nil {
		t.Fatal(err)
	}
	if got.Certificate.UUID != adminv1test.InventoryCertificateUUID || got.SerialNumber != srv.InventoryCertificate.Leaf.SerialNumber.Text(16) {
		t.Errorf("after the inventory certificate: %+v", got)
	}

	// Uploading a certificate the inventory holds already is the server's
	// 400; by UUID it would have worked.
	_, err = c.UpdateAdmin(ctx, id, adminv1.UpdateAdminInput{Certificate: next.Leaf.Raw})
	if e := apiError(t, err); e.StatusCode != http.StatusBadRequest ||
		e.Message != "Object of type 'Certificate' identified by "+next.Leaf.SerialNumber.Text(16)+" already exists." {
		t.Errorf("upload of an inventory certificate: %v", err)
	}
	// An unknown inventory UUID is its 404.
	_, err = c.UpdateAdmin(ctx, id, adminv1.UpdateAdminInput{CertificateUUID: "c2f685d4-6a3e-11ec-90d6-0242ac120003"})
	if e := apiError(t, err); e.StatusCode != http.StatusNotFound || errors.Is(err, adminv1.ErrNoAdminAPI) ||
		e.Message != "Object of type 'Certificate' identified by c2f685d4-6a3e-11ec-90d6-0242ac120003 was not found or is not enabled." {
		t.Errorf("unknown inventory certificate: %v", err)
	}
}

func TestUpdateAdminOfUnknownAdministratorSendsNoEdit(t *testing.T) {
	srv := newFake(t)
	c := newClient(t, srv)
	const id = "c2f685d4-6a3e-11ec-90d6-0242ac120003"
	_, err := c.UpdateAdmin(context.Background(), id, adminv1.UpdateAdminInput{Name: "x"})
	if e := apiError(t, err); e.StatusCode != http.StatusNotFound || e.Op != "adminv1.UpdateAdmin" || errors.Is(err, adminv1.ErrNoAdminAPI) {
		t.Errorf("err = %v", err)
	}
	if n := srv.HitsMatching(http.MethodPost, ""); n != 0 {
		t.Errorf("%d edits sent", n)
	}
}

// scripted answers GET with the administrator get holds and records what
// every request sends; POST answers with that administrator too.
type scripted struct {
	get string

	mu      sync.Mutex
	sent    []string
	paths   []string
	headers []http.Header
}

func (s *scripted) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		body, _ = io.ReadAll(req.Body)
	}
	s.mu.Lock()
	s.sent = append(s.sent, string(body))
	s.paths = append(s.paths, req.Method+" "+req.URL.Path)
	s.headers = append(s.headers, req.Header.Clone())
	s.mu.Unlock()
	return &http.Response{
		StatusCode: http.StatusOK, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{"Content-Type": {"application/json"}}, Body: io.NopCloser(strings.NewReader(s.get)),
		ContentLength: int64(len(s.get)), Request: req,
	}, nil
}

// TestUpdateAdminSendsWhatTheServerAccepts checks the exact edit bodies.
func TestUpdateAdminSendsWhatTheServerAccepts(t *testing.T) {
	srv := newFake(t) // only for its CA
	fresh, err := srv.CA.IssueClientCertificate("fresh")
	if err != nil {
		t.Fatal(err)
	}
	const id = "7b55ge1c-844f-11dc-a8a3-0242ac120002"
	current := `{"uuid":"` + id + `","username":"u","name":"N","surname":"S","email":"e@example.com","role":"administrator",` +
		`"description":"d","enabled":true,"serialNumber":"abc","certificate":{"uuid":"cert-1"}}`
	b64 := base64.StdEncoding.EncodeToString(fresh.Leaf.Raw)
	for _, tc := range []struct {
		current string
		in      adminv1.UpdateAdminInput
		want    string
	}{
		{current, adminv1.UpdateAdminInput{}, `{"description":"d","email":"e@example.com","name":"N","role":"administrator","surname":"S"}`},
		{current, adminv1.UpdateAdminInput{Role: adminv1.RoleSuperAdministrator, Description: new("")},
			`{"email":"e@example.com","name":"N","role":"superAdministrator","surname":"S"}`},
		{current, adminv1.UpdateAdminInput{Certificate: fresh.Leaf.Raw},
			`{"adminCertificate":"` + b64 + `","certificateUuid":"","description":"d","email":"e@example.com","name":"N","role":"administrator","surname":"S"}`},
		{current, adminv1.UpdateAdminInput{CertificateUUID: "5E6F7A8B-9C0D-4E1F-A2B3-C4D5E6F7A8B9", Name: "M"},
			`{"certificateUuid":"5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9","description":"d","email":"e@example.com","name":"M","role":"administrator","surname":"S"}`},
		{strings.Replace(current, `"description":"d",`, ``, 1), adminv1.UpdateAdminInput{Email: "f@example.com"},
			`{"email":"f@example.com","name":"N","role":"administrator","surname":"S"}`},
	} {
		rt := &scripted{get: tc.current}
		c, err := adminv1.NewClient("https://czertainly.example.com/api", adminv1.WithHTTPClient(&http.Client{Transport: rt}))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.UpdateAdmin(context.Background(), id, tc.in); err != nil {
			t.Errorf("%+v: %v", tc.in, err)
			continue
		}
		wantPaths := []string{"GET /api/v1/admins/" + id, "POST /api/v1/admins/" + id}
		if diff := cmp.Diff(wantPaths, rt.paths); diff != "" || len(rt.sent) != 2 {
			t.Errorf("%+v: requests (-want +got):\n%s", tc.in, diff)
			continue
		}
		if got := strings.TrimSpace(rt.sent[1]); got != tc.want {
			t.Errorf("%+v: sent\n  %s\nwant\n  %s", tc.in, got, tc.want)
		}
	}

	// An administrator the server holds without a surname cannot be edited
	// without giving one: refused before the edit is sent.
	rt := &scripted{get: strings.Replace(current, `"surname":"S"`, `"surname":" "`, 1)}
	c, err := adminv1.NewClient("https://czertainly.example.com/api", adminv1.WithHTTPClient(&http.Client{Transport: rt}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.UpdateAdmin(context.Background(), id, adminv1.UpdateAdminInput{Name: "M"}); !errors.Is(err, adminv1.ErrInvalidInput) ||
		!strings.Contains(err.Error(), "UpdateAdminInput.Surname") {
		t.Errorf("blank surname: %v", err)
	}
	if len(rt.paths) != 1 {
		t.Errorf("requests %v, want only the read", rt.paths)
	}
}

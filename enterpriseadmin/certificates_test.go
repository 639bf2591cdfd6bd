package enterpriseadmin_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/certadmin/certadmin-go/enterpriseadmin"
	"github.com/certadmin/certadmin-go/enterpriseadmin/enterpriseadmintest"
)

// seedCertificate is the documentation's identity certificate response, typed.
var seedCertificate = enterpriseadmin.Certificate{
	ID:                      "cc1mm3jpkfkhnkx243mp1",
	Name:                    "samlcert",
	Type:                    enterpriseadmin.CertificateTypeIdentity,
	Subject:                 "CN=saml.default",
	Issuer:                  "CN=saml.default",
	SubjectAlternativeNames: []string{},
	SerialNumber:            "178abe43781",
	KeyAlgorithm:            "RSA",
	KeySize:                 2048,
	SignatureAlgorithm:      "SHA256withRSA",
	KeyUsage:                []string{},
	Version:                 3,
	SHA1Fingerprint:         "75ea543024edc07116acde3d1df598416efd86c2",
	SHA256Fingerprint:       "064c9b092d17485285b4dbcf218a3d9ee27ff01dec75ad166036716ae5a5dbaa",
	MD5Fingerprint:          "116787abd37b628f4e5d7e044c2284fc",
	ValidFrom:               time.Date(2021, 4, 7, 10, 32, 43, 0, time.UTC),
	ValidUntil:              time.Date(2031, 4, 5, 10, 32, 43, 0, time.UTC),
	ValidFromText:           "Wed Apr 07 10:32:43 UTC 2021",
	ValidUntilText:          "Sat Apr 05 10:32:43 UTC 2031",
}

func TestGetIdentityCertificateSeed(t *testing.T) {
	srv := startFake(t)
	rec := &recorder{}
	c := newClient(t, srv, enterpriseadmin.WithTransport(rec))
	got, err := c.GetIdentityCertificate(context.Background(), enterpriseadmintest.SeedCertificateID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(seedCertificate, *got); diff != "" {
		t.Errorf("certificate (-want +got):\n%s", diff)
	}
	// The server's answer was the documentation's sample byte for byte, not a re-encoding.
	ex := rec.exchanges()
	if len(ex) != 2 {
		t.Fatalf("exchanges = %d, want generateToken + GET", len(ex))
	}
	sample, err := enterpriseadmintest.Fixture(enterpriseadmintest.SeedFixture)
	if err != nil {
		t.Fatal(err)
	}
	if ex[1].respBody != string(sample) {
		t.Errorf("fake did not serve the sample verbatim: %s", ex[1].respBody)
	}
	if got := ex[1].header.Get("X-Esri-Authorization"); !strings.HasPrefix(got, "Bearer ") || len(got) < 20 {
		t.Errorf("GET token header = %q", got)
	}
	if strings.Contains(ex[1].url, "token") || !strings.Contains(ex[1].url, "f=json") {
		t.Errorf("GET URL = %s, want f=json and no token", ex[1].url)
	}
	if want := hostOf(t, srv.URL); ex[1].header.Get("Referer") != want {
		t.Errorf("Referer = %q, want the referer the token was generated for (%s)", ex[1].header.Get("Referer"), want)
	}
	if !strings.Contains(ex[0].body, "client=referer") || !strings.Contains(ex[0].body, "f=json") {
		t.Errorf("generateToken body lacks client=referer / f=json: %s", strings.ReplaceAll(ex[0].body, enterpriseadmintest.Password, "…"))
	}
}

func TestCertificateTimesFallBackToText(t *testing.T) {
	// Without the epoch twins, the Java Date text is parsed.
	c := enterpriseadmin.Certificate{ValidUntil: time.Date(2031, 4, 5, 10, 32, 43, 0, time.UTC)}
	now := time.Date(2031, 3, 5, 10, 32, 43, 0, time.UTC)
	if got := c.DaysToExpiry(now); got != 31 {
		t.Errorf("DaysToExpiry = %d, want 31", got)
	}
	if got := c.ExpiresIn(now.Add(31 * 24 * time.Hour)); got != 0 {
		t.Errorf("ExpiresIn at expiry = %v", got)
	}
}

func TestListAndResources(t *testing.T) {
	srv := startFake(t)
	c := newClient(t, srv)
	ctx := context.Background()
	ids, err := c.ListIdentityCertificates(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]enterpriseadmin.Certificate{seedCertificate}, ids); diff != "" {
		t.Errorf("identity list (-want +got):\n%s", diff)
	}
	trust, err := c.ListTrustCertificates(ctx)
	if err != nil || len(trust) != 0 {
		t.Errorf("trust list = %v, %v; want empty", trust, err)
	}
	res, err := c.GetCertificatesResource(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]any{"resources": []any{"identity", "trust"}}, res); diff != "" {
		t.Errorf("resources (-want +got):\n%s", diff)
	}
	if n := srv.TokenRequests(); n != 1 {
		t.Errorf("generateToken calls = %d, want 1 (cached)", n)
	}
}

func TestImportAndDeleteIdentityCertificate(t *testing.T) {
	srv := startFake(t)
	rec := &recorder{}
	c := newClient(t, srv, enterpriseadmin.WithTransport(rec))
	ctx := context.Background()
	const pfxPassword = "pfx-pass-1234"
	imported, err := c.ImportIdentityCertificate(ctx, enterpriseadmin.ImportIdentityCertificateInput{
		Name: "gis2025", PFX: testPFX(t, "gis.example.com", pfxPassword), Password: pfxPassword,
	})
	if err != nil {
		t.Fatal(err)
	}
	certs, err := c.ListIdentityCertificates(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(certs) != 2 {
		t.Fatalf("after import: %d certificates, want 2", len(certs))
	}
	// The import answers the imported certificate, as the list has it.
	if diff := cmp.Diff(certs[1], *imported); diff != "" {
		t.Errorf("returned certificate differs from the listed one (-list +returned):\n%s", diff)
	}
	want := enterpriseadmin.Certificate{
		ID: imported.ID, Name: "gis2025", Type: enterpriseadmin.CertificateTypeIdentity,
		Subject: "CN=gis.example.com", Issuer: "CN=gis.example.com",
		SubjectAlternativeNames: []string{"DNSName: gis.example.com"},
		SerialNumber:            "178abe43781", KeyAlgorithm: "ECDSA", KeySize: 256,
		SignatureAlgorithm: "ECDSAwithSHA256", KeyUsage: []string{}, Version: 3,
		SHA1Fingerprint: imported.SHA1Fingerprint, SHA256Fingerprint: imported.SHA256Fingerprint, MD5Fingerprint: imported.MD5Fingerprint,
		ValidFrom: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), ValidUntil: time.Date(2035, 1, 1, 0, 0, 0, 0, time.UTC),
		ValidFromText: "Wed Jan 01 00:00:00 UTC 2025", ValidUntilText: "Mon Jan 01 00:00:00 UTC 2035",
	}
	if diff := cmp.Diff(want, *imported); diff != "" {
		t.Errorf("imported (-want +got):\n%s", diff)
	}
	if len(imported.SHA256Fingerprint) != 64 {
		t.Errorf("sha256 fingerprint %q", imported.SHA256Fingerprint)
	}
	got, err := c.GetIdentityCertificate(ctx, imported.ID)
	if err != nil || got.Name != "gis2025" {
		t.Fatalf("get imported = %+v, %v", got, err)
	}
	if err := c.DeleteIdentityCertificate(ctx, imported.ID); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"samlcert"}, srv.IdentityCertificateNames()); diff != "" {
		t.Errorf("after delete (-want +got):\n%s", diff)
	}
	// Every POST carried the token in its body, never in its URL or a header.
	posts := 0
	for _, ex := range rec.exchanges() {
		if ex.method != http.MethodPost || strings.HasSuffix(ex.url, "/generateToken") {
			continue
		}
		posts++
		if strings.Contains(ex.url, "token") || ex.header.Get("X-Esri-Authorization") != "" {
			t.Errorf("POST %s carries the token outside its body", ex.url)
		}
		if !strings.Contains(ex.body, `name="token"`) && !strings.Contains(ex.body, "token=") {
			t.Errorf("POST %s body has no token", ex.url)
		}
	}
	if posts != 2 {
		t.Errorf("POSTs = %d, want import and delete", posts)
	}
}

func TestImportAndDeleteTrustCertificate(t *testing.T) {
	srv := startFake(t)
	c := newClient(t, srv)
	ctx := context.Background()
	if err := c.ImportTrustCertificate(ctx, enterpriseadmin.ImportTrustCertificateInput{Name: "corp-root", Certificate: testPEM(t, "Corp Root CA")}); err != nil {
		t.Fatal(err)
	}
	certs, err := c.ListTrustCertificates(ctx)
	if err != nil || len(certs) != 1 {
		t.Fatalf("trust list = %v, %v", certs, err)
	}
	if certs[0].Type != enterpriseadmin.CertificateTypeTrust || certs[0].Subject != "CN=Corp Root CA" {
		t.Errorf("trust certificate = %+v", certs[0])
	}
	got, err := c.GetTrustCertificate(ctx, certs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(certs[0], *got); diff != "" {
		t.Errorf("get vs list (-list +get):\n%s", diff)
	}
	// A duplicate name is the server's error inside HTTP 200.
	err = c.ImportTrustCertificate(ctx, enterpriseadmin.ImportTrustCertificateInput{Name: "corp-root", Certificate: testPEM(t, "Other CA")})
	var e *enterpriseadmin.Error
	if !errors.As(err, &e) || e.Code != "400" || !errors.Is(err, enterpriseadmin.ErrVendor) || e.StatusCode != http.StatusOK {
		t.Errorf("duplicate import: %v", err)
	}
	if err := c.DeleteTrustCertificate(ctx, certs[0].ID); err != nil {
		t.Fatal(err)
	}
	if n := len(srv.TrustCertificateNames()); n != 0 {
		t.Errorf("trust store has %d certificates after delete", n)
	}
}

func TestNotFoundInsideHTTP200(t *testing.T) {
	srv := startFake(t)
	c := newClient(t, srv)
	_, err := c.GetIdentityCertificate(context.Background(), "missing")
	var e *enterpriseadmin.Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v", err)
	}
	if !errors.Is(err, enterpriseadmin.ErrNotFound) || !errors.Is(err, enterpriseadmin.ErrVendor) || e.Code != "404" || e.Op != "enterpriseadmin.GetIdentityCertificate" {
		t.Errorf("err = %v (code %q)", err, e.Code)
	}
	err = c.DeleteIdentityCertificate(context.Background(), "missing")
	if !errors.Is(err, enterpriseadmin.ErrNotFound) {
		t.Errorf("delete missing: %v", err)
	}
}

func TestErrorEnvelopeWithHTTPStatus(t *testing.T) {
	srv := startFake(t)
	c := newClient(t, srv)
	srv.Inject(enterpriseadmintest.Fault{Method: http.MethodGet, PathSuffix: "/identity", Status: http.StatusForbidden,
		ContentType: "application/json", Body: `{"error":{"code":403,"message":"You do not have permissions to access this resource or perform this operation.","details":[]}}`})
	_, err := c.ListIdentityCertificates(context.Background())
	var e *enterpriseadmin.Error
	if !errors.As(err, &e) || !errors.Is(err, enterpriseadmin.ErrForbidden) || e.Code != "403" || !strings.Contains(e.Message, "permissions") {
		t.Errorf("err = %v", err)
	}
}

// importErr is the error of an ImportIdentityCertificate call.
func importErr(_ *enterpriseadmin.Certificate, err error) error { return err }

func TestInvalidInputSendsNothing(t *testing.T) {
	srv := startFake(t)
	c := newClient(t, srv)
	ctx := context.Background()
	const pfxPassword = "right-password"
	pfx := testPFX(t, "gis.example.com", pfxPassword)
	cases := map[string]error{
		"empty id":         func() error { _, err := c.GetIdentityCertificate(ctx, ""); return err }(),
		"path in id":       func() error { _, err := c.GetTrustCertificate(ctx, "../x"); return err }(),
		"delete empty id":  c.DeleteTrustCertificate(ctx, " "),
		"wrong pfx pass":   importErr(c.ImportIdentityCertificate(ctx, enterpriseadmin.ImportIdentityCertificateInput{Name: "x", PFX: pfx, Password: "wrong-password"})),
		"pem as pfx":       importErr(c.ImportIdentityCertificate(ctx, enterpriseadmin.ImportIdentityCertificateInput{Name: "x", PFX: testPEM(t, "a"), Password: pfxPassword})),
		"no name":          importErr(c.ImportIdentityCertificate(ctx, enterpriseadmin.ImportIdentityCertificateInput{PFX: pfx, Password: pfxPassword})),
		"no pfx":           importErr(c.ImportIdentityCertificate(ctx, enterpriseadmin.ImportIdentityCertificateInput{Name: "x", Password: pfxPassword})),
		"not a cert":       c.ImportTrustCertificate(ctx, enterpriseadmin.ImportTrustCertificateInput{Name: "x", Certificate: []byte("hello")}),
		"trust no name":    c.ImportTrustCertificate(ctx, enterpriseadmin.ImportTrustCertificateInput{Certificate: testPEM(t, "a")}),
		"delete path char": c.DeleteIdentityCertificate(ctx, "a/b"),
	}
	for name, err := range cases {
		if !errors.Is(err, enterpriseadmin.ErrInvalidInput) {
			t.Errorf("%s: err = %v, want ErrInvalidInput", name, err)
		}
		if err != nil && strings.Contains(err.Error(), pfxPassword) {
			t.Errorf("%s: error shows the PKCS#12 password", name)
		}
	}
	if n := srv.TotalHits(); n != 0 {
		t.Errorf("server hits = %d, want 0", n)
	}
	if _, err := enterpriseadmin.NewClient("not a url"); !errors.Is(err, enterpriseadmin.ErrInvalidInput) {
		t.Errorf("NewClient bad URL: %v", err)
	}
	for name, opt := range map[string]enterpriseadmin.Option{
		"nil token source": enterpriseadmin.WithToken(nil),
		"empty token":      enterpriseadmin.WithToken(enterpriseadmin.StaticToken("")),
		"no user name":     enterpriseadmin.WithCredentials("", "p"),
		"no password":      enterpriseadmin.WithCredentials("u", ""),
		"negative expiry":  enterpriseadmin.WithTokenExpiration(-time.Minute),
	} {
		if _, err := enterpriseadmin.NewClient(srv.URL, opt); !errors.Is(err, enterpriseadmin.ErrInvalidInput) {
			t.Errorf("NewClient with %s: %v", name, err)
		}
	}
}

func TestReadRetriedWriteNot(t *testing.T) {
	srv := startFake(t)
	c := newClient(t, srv)
	ctx := context.Background()
	listPath := srv.CertificatesPath() + "/identity"
	srv.Inject(enterpriseadmintest.Fault{Method: http.MethodGet, PathSuffix: "/identity", Status: http.StatusServiceUnavailable})
	if _, err := c.ListIdentityCertificates(ctx); err != nil {
		t.Fatalf("read after one 503: %v", err)
	}
	if n := srv.Hits(http.MethodGet, listPath); n != 2 {
		t.Errorf("list hits = %d, want 2 (retried)", n)
	}

	deletePath := srv.CertificatesPath() + "/identity/" + enterpriseadmintest.SeedCertificateID + "/delete"
	srv.Inject(enterpriseadmintest.Fault{Method: http.MethodPost, PathSuffix: "/delete", Status: http.StatusServiceUnavailable})
	err := c.DeleteIdentityCertificate(ctx, enterpriseadmintest.SeedCertificateID)
	if !errors.Is(err, enterpriseadmin.ErrServer) {
		t.Errorf("delete under 503: %v", err)
	}
	if n := srv.Hits(http.MethodPost, deletePath); n != 1 {
		t.Errorf("delete hits = %d, want exactly 1", n)
	}

	importPath := srv.CertificatesPath() + "/identity/import"
	srv.Inject(enterpriseadmintest.Fault{Method: http.MethodPost, PathSuffix: "/import", Reset: true})
	if _, err := c.ImportIdentityCertificate(ctx, enterpriseadmin.ImportIdentityCertificateInput{Name: "x", PFX: testPFX(t, "x", "pw1"), Password: "pw1"}); err == nil {
		t.Error("import over a reset connection succeeded")
	}
	if n := srv.Hits(http.MethodPost, importPath); n != 1 {
		t.Errorf("import hits = %d, want exactly 1", n)
	}
	if diff := cmp.Diff([]string{"samlcert"}, srv.IdentityCertificateNames()); diff != "" {
		t.Errorf("store changed (-want +got):\n%s", diff)
	}
}

func TestHTMLAnswerIsTyped(t *testing.T) {
	srv := startFake(t)
	c := newClient(t, srv)
	srv.Inject(enterpriseadmintest.Fault{Method: http.MethodGet, PathSuffix: "/trust", Status: http.StatusOK, ContentType: "text/html", Body: enterpriseadmintest.HTMLLoginPage})
	if _, err := c.ListTrustCertificates(context.Background()); !errors.Is(err, enterpriseadmin.ErrHTMLResponse) {
		t.Errorf("err = %v, want ErrHTMLResponse", err)
	}
}

// A failed read-back after an accepted import must say the import
// happened: sending it again would only meet "the name is taken".
func TestImportIdentityCertificateReadBackFails(t *testing.T) {
	srv := startFake(t)
	c := newClient(t, srv)
	ctx := context.Background()
	srv.Inject(enterpriseadmintest.Fault{Method: http.MethodGet, PathSuffix: "/certificates/identity", Status: http.StatusServiceUnavailable, Times: 3})
	got, err := c.ImportIdentityCertificate(ctx, enterpriseadmin.ImportIdentityCertificateInput{Name: "gis2026", PFX: testPFX(t, "gis.example.com", "pw"), Password: "pw"})
	if got != nil || !errors.Is(err, enterpriseadmin.ErrImportedNotRead) || !errors.Is(err, enterpriseadmin.ErrServer) {
		t.Fatalf("import with the read-back failing = %+v, %v; want ErrImportedNotRead and the read's ErrServer", got, err)
	}
	if n := srv.Hits(http.MethodPost, srv.CertificatesPath()+"/identity/import"); n != 1 {
		t.Errorf("import hits = %d, want 1", n)
	}
	if diff := cmp.Diff([]string{"samlcert", "gis2026"}, srv.IdentityCertificateNames()); diff != "" {
		t.Errorf("store (-want +got):\n%s", diff)
	}
	// Once the list answers again, the certificate is found by its name.
	list, err := c.ListIdentityCertificates(ctx)
	if err != nil || len(list) != 2 {
		t.Fatalf("list = %v, %v", list, err)
	}
}

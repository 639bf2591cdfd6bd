package enterpriseadmin_test

import (
	"context"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"software.sslmate.com/src/go-pkcs12"

	"github.com/certadmin/certadmin-go/enterpriseadmin"
	"github.com/certadmin/certadmin-go/enterpriseadmin/enterpriseadmintest"
	"github.com/certadmin/certadmin-go/internal/testcert"
)

const rotPassword = "rotation-test-password"

// rotationFake is a fake, a client and a new certificate to rotate to.
type rotationFake struct {
	srv *enterpriseadmintest.Server
	c   *enterpriseadmin.Client
	in  enterpriseadmin.RotateIdentityCertificateInput
}

func newRotation(t *testing.T, deleteOld bool) *rotationFake {
	srv := startFake(t, enterpriseadmintest.WithServedCertificateProtected())
	return &rotationFake{srv: srv, c: newClient(t, srv, enterpriseadmin.WithPollInterval(time.Millisecond)),
		in: enterpriseadmin.RotateIdentityCertificateInput{Name: "wildcard-2026", PFX: testPFX(t, "*.gis.example.com", rotPassword), Password: rotPassword, DeleteOld: deleteOld}}
}

func (f *rotationFake) imports() int { return f.srv.HitsMatching(http.MethodPost, "/identity/import") }
func (f *rotationFake) updates() int { return f.srv.HitsMatching(http.MethodPost, "/ingress/update") }
func (f *rotationFake) deletes() int { return f.srv.HitsMatching(http.MethodPost, "/delete") }
func (f *rotationFake) serving(t *testing.T) string {
	t.Helper()
	return configOf(t, f.srv.IngressConfig())["identityCertificateName"].(string)
}

// stages records what WithProgress reports.
type stages struct {
	mu  sync.Mutex
	got []enterpriseadmin.RotationStage
}

func (s *stages) opt() enterpriseadmin.ClientOrCallOption {
	return enterpriseadmin.WithProgress(func(p enterpriseadmin.Progress) {
		s.mu.Lock()
		defer s.mu.Unlock()
		if n := len(s.got); n == 0 || s.got[n-1] != p.Stage {
			s.got = append(s.got, p.Stage)
		}
	})
}

func TestRotateIdentityCertificate(t *testing.T) {
	f := newRotation(t, true)
	before := configOf(t, f.srv.IngressConfig())
	var st stages
	res, err := f.c.RotateIdentityCertificate(context.Background(), f.in, st.opt())
	if err != nil {
		t.Fatal(err)
	}
	if !res.Imported || !res.Pointed || !res.OldDeleted || res.OldName != enterpriseadmintest.SeedCertificateName ||
		res.Certificate == nil || res.Certificate.Name != f.in.Name || res.Ingress.IdentityCertificateName != f.in.Name {
		t.Errorf("result = %+v", res)
	}
	if got := f.serving(t); got != f.in.Name {
		t.Errorf("the ingress names %q", got)
	}
	if diff := cmp.Diff([]string{f.in.Name}, f.srv.IdentityCertificateNames()); diff != "" {
		t.Errorf("identity store (-want +got):\n%s", diff)
	}
	// The update sent everything back with the one member changed.
	before["identityCertificateName"] = f.in.Name
	if forms := f.srv.IngressUpdates(); len(forms) != 1 || !cmp.Equal(before, configOf(t, []byte(forms[0]))) {
		t.Errorf("forms sent %q, want %v", forms, before)
	}
	want := []enterpriseadmin.RotationStage{
		enterpriseadmin.RotationStageChecking, enterpriseadmin.RotationStageImporting, enterpriseadmin.RotationStageImported,
		enterpriseadmin.RotationStagePointing, enterpriseadmin.RotationStageVerifying, enterpriseadmin.RotationStageServing,
		enterpriseadmin.RotationStageDeletingOld, enterpriseadmin.RotationStageCompleted,
	}
	if diff := cmp.Diff(want, st.got); diff != "" {
		t.Errorf("stages (-want +got):\n%s", diff)
	}
	if f.imports() != 1 || f.updates() != 1 || f.deletes() != 1 {
		t.Errorf("imports %d, updates %d, deletes %d; want 1 each", f.imports(), f.updates(), f.deletes())
	}

	// Run again: everything is done, nothing is sent.
	res, err = f.c.RotateIdentityCertificate(context.Background(), f.in)
	if err != nil || res.Imported || res.Pointed || res.OldDeleted || res.OldName != "" {
		t.Errorf("second run: %+v, %v", res, err)
	}
	if f.imports() != 1 || f.updates() != 1 || f.deletes() != 1 {
		t.Errorf("second run sent: imports %d, updates %d, deletes %d", f.imports(), f.updates(), f.deletes())
	}
}

func TestRotateKeepsTheOldCertificateUnlessAsked(t *testing.T) {
	f := newRotation(t, false)
	res, err := f.c.RotateIdentityCertificate(context.Background(), f.in)
	if err != nil {
		t.Fatal(err)
	}
	if res.OldDeleted || f.deletes() != 0 || !slices.Contains(f.srv.IdentityCertificateNames(), enterpriseadmintest.SeedCertificateName) {
		t.Errorf("the old certificate was deleted: %+v, store %v", res, f.srv.IdentityCertificateNames())
	}
	if f.serving(t) != f.in.Name {
		t.Errorf("the ingress names %q", f.serving(t))
	}
}

// The update fails half-way: the new certificate is in the store, the old
// one still serves and is kept. The rerun does not import again.
func TestRotateUpdateFailsThenResumes(t *testing.T) {
	f := newRotation(t, true)
	f.srv.Inject(enterpriseadmintest.Fault{Method: http.MethodPost, PathSuffix: "/ingress/update", Status: http.StatusBadGateway})
	_, err := f.c.RotateIdentityCertificate(context.Background(), f.in)
	var re *enterpriseadmin.RotationError
	if !errors.As(err, &re) || re.Stage != enterpriseadmin.RotationStagePointing || re.Certificate == nil ||
		re.Serving != enterpriseadmintest.SeedCertificateName || re.OldName != enterpriseadmintest.SeedCertificateName || re.Next == "" {
		t.Fatalf("err = %v (%+v), want a RotationError at pointing", err, re)
	}
	if f.serving(t) != enterpriseadmintest.SeedCertificateName || !slices.Contains(f.srv.IdentityCertificateNames(), enterpriseadmintest.SeedCertificateName) {
		t.Fatalf("after the failure the ingress names %q, store %v; want the old one serving and kept", f.serving(t), f.srv.IdentityCertificateNames())
	}
	if f.updates() != 1 || f.deletes() != 0 {
		t.Errorf("updates %d (want 1: not resent), deletes %d", f.updates(), f.deletes())
	}

	res, err := f.c.RotateIdentityCertificate(context.Background(), f.in)
	if err != nil {
		t.Fatal(err)
	}
	if res.Imported || !res.Pointed || !res.OldDeleted || f.serving(t) != f.in.Name {
		t.Errorf("rerun = %+v, ingress names %q", res, f.serving(t))
	}
	if f.imports() != 1 {
		t.Errorf("import requests = %d, want 1", f.imports())
	}
}

// The server accepts the update but the ingress never shows it: the
// rotation stops at verifying, the old certificate serves and is not
// deleted; a rerun sends the update again, not the import.
func TestRotateReadBackShowsNoChange(t *testing.T) {
	f := newRotation(t, true)
	f.srv.DelayIngressUpdates(1 << 30)
	_, err := f.c.RotateIdentityCertificate(context.Background(), f.in, enterpriseadmin.WithWaitTimeout(20*time.Millisecond))
	var re *enterpriseadmin.RotationError
	if !errors.As(err, &re) || re.Stage != enterpriseadmin.RotationStageVerifying || !errors.Is(err, enterpriseadmin.ErrIngressNotUpdated) ||
		re.Serving != enterpriseadmintest.SeedCertificateName {
		t.Fatalf("err = %v, want ErrIngressNotUpdated at verifying", err)
	}
	if f.deletes() != 0 || !slices.Contains(f.srv.IdentityCertificateNames(), enterpriseadmintest.SeedCertificateName) {
		t.Fatalf("deletes %d, store %v: the old certificate must be kept", f.deletes(), f.srv.IdentityCertificateNames())
	}
	f.srv.DelayIngressUpdates(0)
	res, err := f.c.RotateIdentityCertificate(context.Background(), f.in)
	if err != nil {
		t.Fatal(err)
	}
	if res.Imported || !res.Pointed || !res.OldDeleted || f.imports() != 1 || f.updates() != 2 {
		t.Errorf("rerun = %+v; imports %d (want 1), updates %d (want 2)", res, f.imports(), f.updates())
	}
}

// An update the ingress shows only after a few reads is waited for.
func TestRotateWaitsForTheIngress(t *testing.T) {
	f := newRotation(t, true)
	f.srv.DelayIngressUpdates(3)
	reads := 0
	res, err := f.c.RotateIdentityCertificate(context.Background(), f.in, enterpriseadmin.WithProgress(func(p enterpriseadmin.Progress) {
		if p.Stage == enterpriseadmin.RotationStageVerifying {
			reads++
		}
	}))
	if err != nil || !res.OldDeleted {
		t.Fatalf("%+v, %v", res, err)
	}
	// One report on entering the stage, one per read: three stale, one fresh.
	if reads != 5 {
		t.Errorf("verifying reported %d times, want 5", reads)
	}
	if n := f.srv.Hits(http.MethodGet, f.srv.IngressPath()); n != 6 {
		t.Errorf("ingress reads = %d, want 6 (two before, four after the update)", n)
	}
}

// A run that died after the import (the answer was cut off) is resumed
// without a second import.
func TestRotateResumesAfterImport(t *testing.T) {
	f := newRotation(t, false)
	f.srv.Inject(enterpriseadmintest.Fault{Method: http.MethodPost, PathSuffix: "/identity/import", TruncateAt: 5})
	_, err := f.c.RotateIdentityCertificate(context.Background(), f.in)
	var re *enterpriseadmin.RotationError
	if !errors.As(err, &re) || re.Stage != enterpriseadmin.RotationStageImporting || re.Certificate != nil {
		t.Fatalf("err = %v, want a RotationError at importing", err)
	}
	if !slices.Contains(f.srv.IdentityCertificateNames(), f.in.Name) || f.serving(t) != enterpriseadmintest.SeedCertificateName {
		t.Fatalf("store %v, ingress %q: want the import done and the old certificate serving", f.srv.IdentityCertificateNames(), f.serving(t))
	}
	res, err := f.c.RotateIdentityCertificate(context.Background(), f.in)
	if err != nil {
		t.Fatal(err)
	}
	if res.Imported || !res.Pointed || f.imports() != 1 || f.serving(t) != f.in.Name {
		t.Errorf("rerun = %+v, imports %d (want 1), ingress %q", res, f.imports(), f.serving(t))
	}
}

// A different certificate under the name stops the rotation before
// anything changes.
func TestRotateRefusesATakenName(t *testing.T) {
	f := newRotation(t, true)
	if _, err := f.c.ImportIdentityCertificate(context.Background(), enterpriseadmin.ImportIdentityCertificateInput{
		Name: f.in.Name, PFX: testPFX(t, "other.example.com", rotPassword), Password: rotPassword,
	}); err != nil {
		t.Fatal(err)
	}
	_, err := f.c.RotateIdentityCertificate(context.Background(), f.in)
	var re *enterpriseadmin.RotationError
	if !errors.As(err, &re) || re.Stage != enterpriseadmin.RotationStageChecking || !errors.Is(err, enterpriseadmin.ErrCertificateNameTaken) {
		t.Fatalf("err = %v, want ErrCertificateNameTaken at checking", err)
	}
	if f.imports() != 1 || f.updates() != 0 || f.deletes() != 0 || f.serving(t) != enterpriseadmintest.SeedCertificateName {
		t.Errorf("imports %d (the test's own), updates %d, deletes %d, ingress %q", f.imports(), f.updates(), f.deletes(), f.serving(t))
	}
}

// The deletion of the old certificate fails: the new one serves; a rerun
// with OldName deletes it.
func TestRotateDeleteFailsThenRerunWithOldName(t *testing.T) {
	f := newRotation(t, true)
	f.srv.Inject(enterpriseadmintest.Fault{Method: http.MethodPost, PathSuffix: "/delete", Status: http.StatusServiceUnavailable})
	_, err := f.c.RotateIdentityCertificate(context.Background(), f.in)
	var re *enterpriseadmin.RotationError
	if !errors.As(err, &re) || re.Stage != enterpriseadmin.RotationStageDeletingOld || re.OldName != enterpriseadmintest.SeedCertificateName || re.Serving != f.in.Name {
		t.Fatalf("err = %v, want a RotationError at deleting the old certificate", err)
	}
	if f.deletes() != 1 || f.serving(t) != f.in.Name {
		t.Fatalf("deletes %d (want 1: not resent), ingress %q", f.deletes(), f.serving(t))
	}
	in := f.in
	in.OldName = re.OldName
	res, err := f.c.RotateIdentityCertificate(context.Background(), in)
	if err != nil || !res.OldDeleted || res.Imported || res.Pointed {
		t.Fatalf("rerun = %+v, %v", res, err)
	}
	if diff := cmp.Diff([]string{f.in.Name}, f.srv.IdentityCertificateNames()); diff != "" || f.imports() != 1 {
		t.Errorf("store (-want +got):\n%s; imports %d", diff, f.imports())
	}
	// Once more: the old certificate is gone, which counts as deleted.
	if res, err = f.c.RotateIdentityCertificate(context.Background(), in); err != nil || res.OldDeleted {
		t.Errorf("third run = %+v, %v", res, err)
	}
}

func TestRotateRefusesBadInputBeforeSending(t *testing.T) {
	f := newRotation(t, true)
	for _, in := range []enterpriseadmin.RotateIdentityCertificateInput{
		{Name: "", PFX: f.in.PFX, Password: rotPassword},
		{Name: "x", PFX: f.in.PFX, Password: "wrong"},
		{Name: "x", PFX: testPEM(t, "x"), Password: rotPassword},
	} {
		if _, err := f.c.RotateIdentityCertificate(context.Background(), in); !errors.Is(err, enterpriseadmin.ErrInvalidInput) {
			t.Errorf("%q: err = %v, want ErrInvalidInput", in.Name, err)
		}
	}
	if _, err := f.c.RotateIdentityCertificate(context.Background(), f.in, enterpriseadmin.WithPollInterval(0)); !errors.Is(err, enterpriseadmin.ErrInvalidInput) {
		t.Errorf("poll interval 0: err = %v", err)
	}
	if n := f.srv.TotalHits(); n != 0 {
		t.Errorf("%d requests sent", n)
	}
}

// The last guard before the deletion: never the certificate the ingress
// was last read naming, never without having seen the new one served.
func TestCheckDeletable(t *testing.T) {
	for _, c := range []struct {
		serving, newName, old string
		ok                    bool
	}{
		{"new", "new", "old", true},
		{"old", "new", "old", false},
		{"", "new", "old", false},
		{"other", "new", "old", false},
		{"new", "new", "NEW", false},
	} {
		err := enterpriseadmin.CheckDeletable(c.serving, c.newName, c.old)
		if (err == nil) != c.ok || (err != nil && !errors.Is(err, enterpriseadmin.ErrInvalidInput)) {
			t.Errorf("serving %q, new %q, old %q: err = %v, want ok %t", c.serving, c.newName, c.old, err, c.ok)
		}
	}
}

// The update naming the new certificate is merged into a read made right
// before it, not into the read of the checking stage: a member another
// administrator changed while the certificate was being imported is sent
// back as changed, not reverted.
func TestRotatePointsWithAFreshRead(t *testing.T) {
	f := newRotation(t, false)
	changed := false
	opt := enterpriseadmin.WithProgress(func(p enterpriseadmin.Progress) {
		if p.Stage != enterpriseadmin.RotationStageImported || changed {
			return
		}
		changed = true
		cfg := configOf(t, f.srv.IngressConfig())
		cfg["httpsProtocols"] = "TLSv1.3"
		cfg["addedMeanwhile"] = "kept"
		if err := f.srv.SetIngressConfig(mustJSON(t, cfg)); err != nil {
			t.Error(err)
		}
	})
	if _, err := f.c.RotateIdentityCertificate(context.Background(), f.in, opt); err != nil {
		t.Fatal(err)
	}
	if !changed {
		t.Fatal("RotationStageImported never reported")
	}
	got := configOf(t, f.srv.IngressConfig())
	if got["httpsProtocols"] != "TLSv1.3" || got["addedMeanwhile"] != "kept" || got["identityCertificateName"] != f.in.Name {
		t.Errorf("ingress after the rotation = %v: the change made during the import was reverted", got)
	}
}

// pfxValidity is a PFX of a self-signed certificate valid from notBefore
// to notAfter.
func pfxValidity(t *testing.T, notBefore, notAfter time.Time) []byte {
	t.Helper()
	cert, key := testcert.SelfSigned(t, x509.Certificate{SerialNumber: big.NewInt(2020), Subject: pkix.Name{CommonName: "*.gis.example.com"},
		DNSNames: []string{"*.gis.example.com"}, NotBefore: notBefore, NotAfter: notAfter})
	pfx, err := pkcs12.Modern2023.Encode(key, cert, nil, rotPassword)
	if err != nil {
		t.Fatal(err)
	}
	return pfx
}

// A certificate outside its validity is refused before anything is sent:
// the old certificate keeps serving and is not deleted. The dates are far
// from any clock the tests run under.
func TestRotateRefusesACertificateOutsideItsValidity(t *testing.T) {
	f := newRotation(t, true)
	for _, c := range []struct {
		name, want          string
		notBefore, notAfter time.Time
	}{
		{"expired-2020", "expired on 2020-", time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2020, 9, 13, 0, 0, 0, 0, time.UTC)},
		{"from-2090", "not yet valid: its validity starts on 2090-", time.Date(2090, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)},
	} {
		in := f.in
		in.Name, in.PFX = c.name, pfxValidity(t, c.notBefore, c.notAfter)
		_, err := f.c.RotateIdentityCertificate(context.Background(), in)
		if !errors.Is(err, enterpriseadmin.ErrInvalidInput) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want ErrInvalidInput saying %q", c.name, err, c.want)
		}
	}
	if n := f.srv.TotalHits(); n != 0 {
		t.Errorf("%d requests sent", n)
	}
	if got := f.serving(t); got != enterpriseadmintest.SeedCertificateName {
		t.Errorf("the ingress names %q", got)
	}
}

// A configuration that serves a user-defined TLS secret
// (isTlsSecretSystemManaged false) is refused at the checking stage:
// naming another identity certificate would not change what is served,
// so nothing is imported, pointed or deleted.
func TestRotateRefusesAUserManagedTLSSecret(t *testing.T) {
	f := newRotation(t, true)
	cfg := configOf(t, f.srv.IngressConfig())
	cfg["tlsSecretName"], cfg["isTlsSecretSystemManaged"] = "customer-wildcard-tls", false
	if err := f.srv.SetIngressConfig(mustJSON(t, cfg)); err != nil {
		t.Fatal(err)
	}
	_, err := f.c.RotateIdentityCertificate(context.Background(), f.in)
	var re *enterpriseadmin.RotationError
	if !errors.As(err, &re) || re.Stage != enterpriseadmin.RotationStageChecking || !errors.Is(err, enterpriseadmin.ErrTLSSecretUserManaged) ||
		!strings.Contains(re.Next, "customer-wildcard-tls") || !strings.Contains(re.Next, "IsTLSSecretSystemManaged true") {
		t.Fatalf("err = %v, want ErrTLSSecretUserManaged at checking with a Next naming the secret and the switch", err)
	}
	if f.imports()+f.updates()+f.deletes() != 0 {
		t.Errorf("%d imports, %d updates, %d deletes", f.imports(), f.updates(), f.deletes())
	}
	if !slices.Contains(f.srv.IdentityCertificateNames(), enterpriseadmintest.SeedCertificateName) || f.srv.ServedTLSSecret() != "customer-wildcard-tls" {
		t.Error("the server's state changed")
	}
	// Switched to the system-managed secret, the rotation goes through and
	// the new certificate is what the fake serves.
	cfg["isTlsSecretSystemManaged"] = true
	if err := f.srv.SetIngressConfig(mustJSON(t, cfg)); err != nil {
		t.Fatal(err)
	}
	if _, err := f.c.RotateIdentityCertificate(context.Background(), f.in); err != nil {
		t.Fatal(err)
	}
	if got := f.srv.ServedIdentityCertificate(); got != f.in.Name {
		t.Errorf("serves %q after the rotation", got)
	}
}

// The old certificate the SAML configuration names (the vendor's sample:
// SAML enabled with "samlcert", the seeded certificate the ingress serves)
// is kept: the rotation reads security/saml before deleting and stops at
// DeletingOld with the new certificate serving.
func TestRotateKeepsTheCertificateSAMLUses(t *testing.T) {
	f := newRotation(t, true)
	if err := f.srv.SetSAMLConfig([]byte(enterpriseadmintest.SampleSAMLConfig)); err != nil {
		t.Fatal(err)
	}
	_, err := f.c.RotateIdentityCertificate(context.Background(), f.in)
	var re *enterpriseadmin.RotationError
	if !errors.As(err, &re) || re.Stage != enterpriseadmin.RotationStageDeletingOld || !errors.Is(err, enterpriseadmin.ErrCertificateUsedBySAML) ||
		!strings.Contains(re.Next, "SAML") || re.OldName != enterpriseadmintest.SeedCertificateName {
		t.Fatalf("err = %v, want ErrCertificateUsedBySAML at deleting the old certificate, Next saying so", err)
	}
	if f.deletes() != 0 || !slices.Contains(f.srv.IdentityCertificateNames(), enterpriseadmintest.SeedCertificateName) {
		t.Errorf("%d deletes; store %v", f.deletes(), f.srv.IdentityCertificateNames())
	}
	if got := f.serving(t); got != f.in.Name {
		t.Errorf("the ingress names %q", got)
	}
	if n := f.srv.Hits(http.MethodGet, f.srv.SAMLPath()); n != 1 {
		t.Errorf("SAML read %d times, want 1", n)
	}
	// SAML moved elsewhere (here: not configured), the rerun with OldName
	// deletes it.
	if err := f.srv.SetSAMLConfig([]byte(`{"enabled":false}`)); err != nil {
		t.Fatal(err)
	}
	in := f.in
	in.OldName = re.OldName
	if res, err := f.c.RotateIdentityCertificate(context.Background(), in); err != nil || !res.OldDeleted {
		t.Fatalf("rerun = %+v, %v", res, err)
	}
}

// A failed read of the SAML configuration deletes nothing.
func TestRotateDeletesNothingWithoutTheSAMLConfiguration(t *testing.T) {
	f := newRotation(t, true)
	f.srv.Inject(enterpriseadmintest.Fault{Method: http.MethodGet, PathSuffix: "/security/saml", Status: http.StatusForbidden, Body: "forbidden"})
	_, err := f.c.RotateIdentityCertificate(context.Background(), f.in)
	var re *enterpriseadmin.RotationError
	if !errors.As(err, &re) || re.Stage != enterpriseadmin.RotationStageDeletingOld {
		t.Fatalf("err = %v, want a RotationError at deleting the old certificate", err)
	}
	if f.deletes() != 0 {
		t.Errorf("%d deletes", f.deletes())
	}
}

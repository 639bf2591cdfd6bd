//go:build audit

package audit_test

// Audit round 22: the ingress configuration (security/ingress and its
// update) and RotateIdentityCertificate.
//
// Evidence (the vendor's documentation, ArcGIS Enterprise on Kubernetes
// Administrator API, version introduced 10.9):
//   [ING]  https://developers.arcgis.com/rest/enterprise-administration/enterprise/ingress
//          "Response properties": cipherSuites (OpenSSL format), httpsProtocols
//          (comma-separated list), tlsSecretName (a user-defined TLS secret
//          holding the wildcard certificate the Ingress controller uses; must
//          be given when isTlsSecretSystemManaged is false),
//          identityCertificateName (an imported identity certificate's alias).
//   [UPD]  https://developers.arcgis.com/rest/enterprise-administration/enterprise/update-ingress-security-configuration
//          POST security/ingress/update, parameters ingressSecurityConfig (the
//          JSON object) and f.
//   [IDL]  https://developers.arcgis.com/rest/enterprise-administration/enterprise/identity
//          JSON response example of the identity list (certificates[] with
//          sha256Fingerprint, name, id, validUntilAsEpoch...).

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"errors"
	"math/big"
	"slices"
	"testing"
	"time"

	"github.com/certadmin/certadmin-go/enterpriseadmin"
	"github.com/certadmin/certadmin-go/enterpriseadmin/enterpriseadmintest"
)

func a22PFX(t *testing.T, cn, password string) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2222), Subject: pkix.Name{CommonName: cn},
		DNSNames: []string{cn}, NotBefore: time.Unix(1700000000, 0), NotAfter: time.Unix(1900000000, 0)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	crt, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pfx, err := enterpriseadmin.NewPKCS12(crt, key, nil, password)
	if err != nil {
		t.Fatal(err)
	}
	return pfx
}

func a22Fake(t *testing.T) (*enterpriseadmintest.Server, *enterpriseadmin.Client) {
	t.Helper()
	srv := enterpriseadmintest.NewTestServer(t)
	c, err := srv.NewClient(enterpriseadmin.WithPollInterval(time.Millisecond), enterpriseadmin.WithWaitTimeout(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	return srv, c
}

// Finding: [ING] says that with isTlsSecretSystemManaged false the
// controller uses the wildcard certificate held in the user-defined TLS
// secret tlsSecretName. A rotation that only changes
// identityCertificateName on such a configuration does not change what
// the controller serves, yet RotateIdentityCertificate reports the stage
// "ingress serves the new certificate" and, with DeleteOld, deletes the
// certificate previously named. It should refuse (or switch the
// configuration to the system-managed secret) instead of reporting a
// rotation that, per the documentation, did not take effect.
func TestAudit22RotateWithUserManagedTLSSecretReportsSuccess(t *testing.T) {
	srv, c := a22Fake(t)
	ctx := context.Background()
	// A user-defined TLS secret serves; the identity store still holds the
	// seed certificate, which the configuration also names.
	cfg := map[string]any{
		"cipherSuites": "ECDHE-RSA-AES128-GCM-SHA256", "httpsProtocols": "TLSv1.2",
		"tlsSecretName": "customer-wildcard-tls", "isTlsSecretSystemManaged": false,
		"identityCertificateName": enterpriseadmintest.SeedCertificateName,
	}
	b, _ := json.Marshal(cfg)
	if err := srv.SetIngressConfig(b); err != nil {
		t.Fatal(err)
	}
	res, err := c.RotateIdentityCertificate(ctx, enterpriseadmin.RotateIdentityCertificateInput{
		Name: "wildcard-2027", PFX: a22PFX(t, "*.gis.example.com", "pw"), Password: "pw", DeleteOld: true})
	if err == nil {
		t.Errorf("RotateIdentityCertificate succeeded (Pointed=%v OldDeleted=%v) although the configuration serves the TLS secret %q "+
			"(isTlsSecretSystemManaged false, [ING] tlsSecretName): the new certificate does not serve and the old identity certificate was deleted=%v",
			res.Pointed, res.OldDeleted, "customer-wildcard-tls", res.OldDeleted)
	}
	if !slices.Contains(srv.IdentityCertificateNames(), enterpriseadmintest.SeedCertificateName) {
		t.Errorf("the old identity certificate %q was deleted on a rotation that cannot have taken effect", enterpriseadmintest.SeedCertificateName)
	}
}

// House invariant (unknown outcome never resent): the update is applied
// by the server but its answer is cut; the SDK must not post it again.
func TestAudit22UpdateIngressUnknownOutcomeNotResent(t *testing.T) {
	srv, c := a22Fake(t)
	srv.Inject(enterpriseadmintest.Fault{Method: "POST", PathSuffix: "/security/ingress/update", TruncateAt: 3})
	p := "TLSv1.2,TLSv1.3"
	_, err := c.UpdateIngressSecurity(context.Background(), enterpriseadmin.UpdateIngressSecurityInput{HTTPSProtocols: &p})
	if err == nil {
		t.Fatal("a cut answer was taken as success")
	}
	if n := len(srv.IngressUpdates()); n != 1 {
		t.Errorf("ingress/update posted %d times after an unknown outcome, want 1", n)
	}
}

// House invariant (an update never clears what the caller didn't touch):
// [ING] documents cipherSuites, but a server may write it as a JSON list
// and may carry members the documentation does not list. Changing only
// httpsProtocols must send every other member exactly as read.
func TestAudit22UpdateIngressKeepsUntouchedMembersVerbatim(t *testing.T) {
	srv, c := a22Fake(t)
	orig := `{"cipherSuites":["ECDHE-RSA-AES128-GCM-SHA256","ECDHE-RSA-AES256-GCM-SHA384"],"httpsProtocols":"TLSv1.2",` +
		`"tlsSecretName":"","isTlsSecretSystemManaged":true,"identityCertificateName":"` + enterpriseadmintest.SeedCertificateName + `",` +
		`"hstsEnabled":true,"extra":{"a":[1,2]}}`
	if err := srv.SetIngressConfig([]byte(orig)); err != nil {
		t.Fatal(err)
	}
	p := "TLSv1.3"
	if _, err := c.UpdateIngressSecurity(context.Background(), enterpriseadmin.UpdateIngressSecurityInput{HTTPSProtocols: &p}); err != nil {
		t.Fatal(err)
	}
	ups := srv.IngressUpdates()
	if len(ups) != 1 {
		t.Fatalf("%d updates, want 1", len(ups))
	}
	var sent, want map[string]any
	_ = json.Unmarshal([]byte(ups[0]), &sent)
	_ = json.Unmarshal([]byte(orig), &want)
	want["httpsProtocols"] = "TLSv1.3"
	a, _ := json.Marshal(sent)
	w, _ := json.Marshal(want)
	if string(a) != string(w) {
		t.Errorf("sent %s\nwant %s", a, w)
	}
}

// House invariant (nothing imported twice on rerun): the import is
// applied but its answer is cut; the rerun must find the certificate by
// name and fingerprint ([IDL] sha256Fingerprint) and not import again.
func TestAudit22RotateRerunAfterCutImportDoesNotReimport(t *testing.T) {
	srv, c := a22Fake(t)
	ctx := context.Background()
	srv.Inject(enterpriseadmintest.Fault{Method: "POST", PathSuffix: "/security/certificates/identity/import", TruncateAt: 3})
	in := enterpriseadmin.RotateIdentityCertificateInput{Name: "wildcard-2027", PFX: a22PFX(t, "*.gis.example.com", "pw"), Password: "pw"}
	if _, err := c.RotateIdentityCertificate(ctx, in); err == nil {
		t.Fatal("a cut import answer was taken as success")
	}
	res, err := c.RotateIdentityCertificate(ctx, in)
	if err != nil {
		t.Fatalf("rerun: %v", err)
	}
	if res.Imported {
		t.Error("rerun imported again")
	}
	if n := srv.HitsMatching("POST", "/identity/import"); n != 1 {
		t.Errorf("import posted %d times over two runs, want 1", n)
	}
}

// House invariant (a failure half-way leaves the old certificate
// serving): the ingress update is refused; the old certificate stays
// named by the ingress and in the store.
func TestAudit22RotateFailedPointingKeepsOld(t *testing.T) {
	srv, c := a22Fake(t)
	srv.Inject(enterpriseadmintest.Fault{Method: "POST", PathSuffix: "/security/ingress/update", Status: 502, Body: "bad gateway"})
	_, err := c.RotateIdentityCertificate(context.Background(), enterpriseadmin.RotateIdentityCertificateInput{
		Name: "wildcard-2027", PFX: a22PFX(t, "*.gis.example.com", "pw"), Password: "pw", DeleteOld: true})
	var re *enterpriseadmin.RotationError
	if !errors.As(err, &re) || re.Stage != enterpriseadmin.RotationStagePointing {
		t.Fatalf("err %v, want a RotationError at the pointing stage", err)
	}
	var cfg map[string]any
	_ = json.Unmarshal(srv.IngressConfig(), &cfg)
	if cfg["identityCertificateName"] != enterpriseadmintest.SeedCertificateName {
		t.Errorf("ingress names %v after a failed update", cfg["identityCertificateName"])
	}
	if !slices.Contains(srv.IdentityCertificateNames(), enterpriseadmintest.SeedCertificateName) {
		t.Error("old certificate deleted after a failed update")
	}
	if n := srv.HitsMatching("POST", "/security/ingress/update"); n != 1 {
		t.Errorf("ingress/update posted %d times, want 1 (a 502 may have been applied)", n)
	}
}

func a22ExpiredPFX(t *testing.T, password string) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2020), Subject: pkix.Name{CommonName: "*.gis.example.com"},
		DNSNames: []string{"*.gis.example.com"}, NotBefore: time.Unix(1500000000, 0), NotAfter: time.Unix(1600000000, 0)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	crt, _ := x509.ParseCertificate(der)
	pfx, err := enterpriseadmin.NewPKCS12(crt, key, nil, password)
	if err != nil {
		t.Fatal(err)
	}
	return pfx
}

// Finding (a failure half-way leaves the old certificate serving; no
// vendor evidence that the server refuses an expired certificate): the
// rotation imports a certificate that expired in 2020, points the ingress
// at it and, with DeleteOld, deletes the certificate that was serving.
// The SDK reads the PFX (certutil.CheckPKCS12) before sending anything and
// could refuse a certificate outside its validity, which would leave the
// old one serving; today it completes the rotation.
func TestAudit22RotateExpiredCertificateReplacesServingOne(t *testing.T) {
	srv, c := a22Fake(t)
	res, err := c.RotateIdentityCertificate(context.Background(), enterpriseadmin.RotateIdentityCertificateInput{
		Name: "expired-2020", PFX: a22ExpiredPFX(t, "pw"), Password: "pw", DeleteOld: true})
	if err == nil {
		t.Errorf("rotation to a certificate that expired in 2020 completed (Pointed=%v OldDeleted=%v)", res.Pointed, res.OldDeleted)
	}
	var cfg map[string]any
	_ = json.Unmarshal(srv.IngressConfig(), &cfg)
	if cfg["identityCertificateName"] != enterpriseadmintest.SeedCertificateName {
		t.Errorf("the ingress now names %v (expired), not the certificate that served", cfg["identityCertificateName"])
	}
}

// Finding (an update never clears what the caller didn't touch): the
// rotation points the ingress with the configuration it read at the
// checking stage, before the import. [UPD] takes the whole configuration,
// so a change another administrator made while the certificate was being
// imported (here httpsProtocols, made when the progress callback reports
// RotationStageImported) is reverted by the rotation, which only meant to
// change identityCertificateName. UpdateIngressSecurity reads right
// before it sends; the rotation does not.
func TestAudit22RotatePointsWithStaleConfiguration(t *testing.T) {
	srv, _ := a22Fake(t)
	changed := false
	c, err := srv.NewClient(enterpriseadmin.WithPollInterval(time.Millisecond), enterpriseadmin.WithWaitTimeout(time.Minute),
		enterpriseadmin.WithProgress(func(p enterpriseadmin.Progress) {
			if p.Stage != enterpriseadmin.RotationStageImported || changed {
				return
			}
			changed = true
			var cfg map[string]json.RawMessage
			_ = json.Unmarshal(srv.IngressConfig(), &cfg)
			cfg["httpsProtocols"] = json.RawMessage(`"TLSv1.3"`)
			b, _ := json.Marshal(cfg)
			if err := srv.SetIngressConfig(b); err != nil {
				t.Error(err)
			}
		}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.RotateIdentityCertificate(context.Background(), enterpriseadmin.RotateIdentityCertificateInput{
		Name: "wildcard-2027", PFX: a22PFX(t, "*.gis.example.com", "pw"), Password: "pw"}); err != nil {
		t.Fatal(err)
	}
	if !changed {
		t.Fatal("the progress callback never saw RotationStageImported")
	}
	var cfg map[string]any
	_ = json.Unmarshal(srv.IngressConfig(), &cfg)
	if cfg["httpsProtocols"] != "TLSv1.3" {
		t.Errorf("httpsProtocols is %v after the rotation; the change made during the import (TLSv1.3) was reverted", cfg["httpsProtocols"])
	}
	if cfg["identityCertificateName"] != "wildcard-2027" {
		t.Errorf("identityCertificateName %v", cfg["identityCertificateName"])
	}
}

// Finding: an identity certificate also serves SAML. The vendor's SAML
// pages (…/enterprise/saml: "identity will show the name of the imported
// identity certificate"; …/enterprise/update-saml-configuration:
// samlSecurityConfig {"enabled": true, "identityCertificateName":
// "samlcert"}) name the very certificate the fake's ingress is seeded with
// ("samlcert", enterpriseadmintest.SeedCertificateName). With DeleteOld
// the rotation deletes the certificate the ingress named without reading
// security/saml, so it can delete the certificate SAML sign-in still uses;
// the fake has no SAML resource to catch it.
func TestAudit22RotateDeleteOldIgnoresSAML(t *testing.T) {
	srv, c := a22Fake(t)
	res, err := c.RotateIdentityCertificate(context.Background(), enterpriseadmin.RotateIdentityCertificateInput{
		Name: "wildcard-2027", PFX: a22PFX(t, "*.gis.example.com", "pw"), Password: "pw", DeleteOld: true})
	if err != nil {
		t.Fatal(err)
	}
	samlReads := srv.HitsMatching("GET", "/security/saml")
	if res.OldDeleted && res.OldName == "samlcert" && samlReads == 0 {
		t.Errorf("deleted %q (the vendor's SAML identity certificate name) without reading security/saml", res.OldName)
	}
}

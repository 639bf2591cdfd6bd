package enterpriseadmintest_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/certadmin/certadmin-go/enterpriseadmin/enterpriseadmintest"
)

// ingressFixture is a fake with a token for raw requests to its ingress
// resource, bypassing the client's own checks.
type ingressFixture struct {
	srv   *enterpriseadmintest.Server
	tok   string
	auth  http.Header
	ingr  string
	certs string
}

func newIngressFixture(t *testing.T) *ingressFixture {
	return fixtureOn(t, enterpriseadmintest.NewTestServer(t))
}

func fixtureOn(t *testing.T, srv *enterpriseadmintest.Server) *ingressFixture {
	referer := hostOf(t, srv.URL)
	tok := srv.IssueToken(referer, time.Hour)
	return &ingressFixture{srv: srv, tok: tok, auth: http.Header{"X-Esri-Authorization": {"Bearer " + tok}, "Referer": {referer}},
		ingr: srv.URL + "/admin/security/ingress", certs: srv.URL + "/admin/security/certificates"}
}

func (f *ingressFixture) get(t *testing.T) map[string]any {
	t.Helper()
	a := send(t, http.MethodGet, f.ingr+"?f=json", f.auth, nil)
	if a.status != http.StatusOK || a.body == nil {
		t.Fatalf("GET ingress: HTTP %d %s", a.status, a.raw)
	}
	return a.body
}

func (f *ingressFixture) update(t *testing.T, config string) answer {
	t.Helper()
	form := url.Values{"f": {"json"}, "token": {f.tok}}
	if config != "" {
		form.Set("ingressSecurityConfig", config)
	}
	return send(t, http.MethodPost, f.ingr+"/update", http.Header{"Referer": f.auth["Referer"]}, form)
}

func TestIngressStartsServingTheSeededCertificate(t *testing.T) {
	f := newIngressFixture(t)
	got := f.get(t)
	want := map[string]any{
		"cipherSuites": strings.Join(enterpriseadmintest.DefaultCipherSuites, ":"), "httpsProtocols": "TLSv1.2",
		"tlsSecretName": "", "isTlsSecretSystemManaged": true,
		"identityCertificateName": enterpriseadmintest.SeedCertificateName, "hstsEnabled": false,
	}
	if len(got) != len(want) {
		t.Errorf("ingress = %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("ingress[%s] = %v, want %v", k, got[k], v)
		}
	}
}

// The update replaces the whole configuration: a member left out is gone.
func TestIngressUpdateReplaces(t *testing.T) {
	f := newIngressFixture(t)
	a := f.update(t, `{"httpsProtocols":"TLSv1.2,TLSv1.3","identityCertificateName":"samlcert"}`)
	if a.raw != `{"status":"success"}` {
		t.Fatalf("update: %s", a.raw)
	}
	got := f.get(t)
	if len(got) != 2 || got["httpsProtocols"] != "TLSv1.2,TLSv1.3" || got["cipherSuites"] != nil {
		t.Errorf("after a partial update the ingress is %v, want only the two members sent", got)
	}
	if n := len(f.srv.IngressUpdates()); n != 1 {
		t.Errorf("IngressUpdates has %d entries, want 1", n)
	}
}

func TestIngressUpdateRefusals(t *testing.T) {
	f := newIngressFixture(t)
	before := string(f.srv.IngressConfig())
	for _, c := range []struct{ what, config, message string }{
		{"not an object", `["TLSv1.2"]`, "ingressSecurityConfig is not a valid JSON object."},
		{"unknown protocol", `{"httpsProtocols":"TLSv1.2,SSLv3","identityCertificateName":"samlcert"}`, "'SSLv3' is not a supported HTTPS protocol."},
		{"unmanaged secret without a name", `{"isTlsSecretSystemManaged":false,"identityCertificateName":"samlcert"}`, "tlsSecretName is required when isTlsSecretSystemManaged is false."},
		{"certificate not imported", `{"identityCertificateName":"nothing-by-that-name"}`, "The identity certificate 'nothing-by-that-name' does not exist."},
	} {
		wantStatusError(t, c.what, f.update(t, c.config), 400, c.message)
	}
	if after := string(f.srv.IngressConfig()); after != before {
		t.Errorf("a refused update changed the ingress:\n%s\nwas\n%s", after, before)
	}
}

// A request without the configuration breaks the API's own description,
// so it runs on a fake that records violations instead of failing.
func TestIngressUpdateWithoutConfiguration(t *testing.T) {
	srv, err := enterpriseadmintest.NewServer()
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	f := fixtureOn(t, srv)
	wantStatusError(t, "no configuration", f.update(t, ""), 400, "ingressSecurityConfig is required.")
	if len(srv.SpecViolations()) == 0 {
		t.Error("the request without ingressSecurityConfig was not recorded as breaking the spec")
	}
}

func TestDeletingTheServedCertificateIsRefused(t *testing.T) {
	f := fixtureOn(t, enterpriseadmintest.NewTestServer(t, enterpriseadmintest.WithServedCertificateProtected()))
	form := url.Values{"f": {"json"}, "token": {f.tok}}
	a := send(t, http.MethodPost, f.certs+"/identity/"+enterpriseadmintest.SeedCertificateID+"/delete", http.Header{"Referer": f.auth["Referer"]}, form)
	wantStatusError(t, "delete the served certificate", a, 400, "The certificate is used by the Ingress controller and cannot be deleted.")
	if len(f.srv.IdentityCertificateNames()) != 1 {
		t.Fatal("the served certificate was deleted")
	}
	// Once the ingress names none, it can go.
	if err := f.srv.SetIngressConfig([]byte(`{"identityCertificateName":""}`)); err != nil {
		t.Fatal(err)
	}
	a = send(t, http.MethodPost, f.certs+"/identity/"+enterpriseadmintest.SeedCertificateID+"/delete", http.Header{"Referer": f.auth["Referer"]}, form)
	if a.raw != `{"status":"success"}` {
		t.Errorf("delete: %s", a.raw)
	}
}

// DelayIngressUpdates: reads show the old configuration for a while, and
// the certificate it named is still protected from deletion meanwhile.
func TestDelayedIngressUpdate(t *testing.T) {
	f := newIngressFixture(t)
	f.srv.DelayIngressUpdates(2)
	var cfg map[string]any
	if err := json.Unmarshal(f.srv.IngressConfig(), &cfg); err != nil {
		t.Fatal(err)
	}
	cfg["httpsProtocols"] = "TLSv1.3"
	b, _ := json.Marshal(cfg)
	if a := f.update(t, string(b)); a.raw != `{"status":"success"}` {
		t.Fatalf("update: %s", a.raw)
	}
	for i, want := range []string{"TLSv1.2", "TLSv1.2", "TLSv1.3", "TLSv1.3"} {
		if got := f.get(t)["httpsProtocols"]; got != want {
			t.Errorf("read %d: httpsProtocols %v, want %s", i+1, got, want)
		}
	}
	if err := f.srv.SetIngressConfig([]byte(`{`)); err == nil {
		t.Error("SetIngressConfig took a broken object")
	}
}

// With isTlsSecretSystemManaged false the user-defined TLS secret serves,
// not the identity certificate the configuration still names: the fake
// says so and no longer protects that certificate as served.
func TestUserManagedTLSSecretServes(t *testing.T) {
	srv := enterpriseadmintest.NewTestServer(t, enterpriseadmintest.WithServedCertificateProtected())
	if got := srv.ServedIdentityCertificate(); got != enterpriseadmintest.SeedCertificateName || srv.ServedTLSSecret() != "" {
		t.Fatalf("seeded fake serves %q / secret %q", got, srv.ServedTLSSecret())
	}
	for _, managed := range []string{`false`, `"false"`} {
		cfg := `{"tlsSecretName":"customer-wildcard-tls","isTlsSecretSystemManaged":` + managed + `,"identityCertificateName":"` + enterpriseadmintest.SeedCertificateName + `"}`
		if err := srv.SetIngressConfig([]byte(cfg)); err != nil {
			t.Fatal(err)
		}
		if got, secret := srv.ServedIdentityCertificate(), srv.ServedTLSSecret(); got != "" || secret != "customer-wildcard-tls" {
			t.Errorf("%s: serves identity certificate %q, secret %q; want none and customer-wildcard-tls", managed, got, secret)
		}
	}
	f := fixtureOn(t, srv)
	form := url.Values{"f": {"json"}, "token": {f.tok}}
	a := send(t, http.MethodPost, f.certs+"/identity/"+enterpriseadmintest.SeedCertificateID+"/delete", http.Header{"Referer": f.auth["Referer"]}, form)
	if a.raw != `{"status":"success"}` {
		t.Errorf("delete of a certificate the ingress names but does not serve: %s", a.raw)
	}
}

// security/saml starts unconfigured and answers what SetSAMLConfig set.
func TestSAMLConfiguration(t *testing.T) {
	f := newIngressFixture(t)
	saml := strings.TrimSuffix(f.ingr, "/ingress") + "/saml?f=json"
	if a := send(t, http.MethodGet, saml, f.auth, nil); a.body["enabled"] != false || a.body["identityCertificateName"] != "" {
		t.Errorf("seeded SAML = %s", a.raw)
	}
	if err := f.srv.SetSAMLConfig([]byte(enterpriseadmintest.SampleSAMLConfig)); err != nil {
		t.Fatal(err)
	}
	if a := send(t, http.MethodGet, saml, f.auth, nil); a.body["enabled"] != true || a.body["identityCertificateName"] != enterpriseadmintest.SeedCertificateName {
		t.Errorf("sample SAML = %s", a.raw)
	}
	if err := f.srv.SetSAMLConfig([]byte(`null`)); err == nil {
		t.Error("null accepted")
	}
}

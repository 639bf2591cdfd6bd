package enterpriseadmin_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/certadmin/certadmin-go/enterpriseadmin"
	"github.com/certadmin/certadmin-go/enterpriseadmin/enterpriseadmintest"
)

func ptr[T any](v T) *T { return &v }

// configOf decodes a JSON object for comparison.
func configOf(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	return m
}

// mustJSON encodes v as JSON.
func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestGetIngressSecurity(t *testing.T) {
	srv := startFake(t)
	c := newClient(t, srv)
	got, err := c.GetIngressSecurity(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got.IdentityCertificateName != enterpriseadmintest.SeedCertificateName || got.HTTPSProtocols != "TLSv1.2" ||
		got.CipherSuites != strings.Join(enterpriseadmintest.DefaultCipherSuites, ":") || got.TLSSecretName != "" ||
		got.IsTLSSecretSystemManaged == nil || !*got.IsTLSSecretSystemManaged {
		t.Errorf("ingress = %+v", got)
	}
	if diff := cmp.Diff(map[string]json.RawMessage{"hstsEnabled": json.RawMessage("false")}, got.Other); diff != "" {
		t.Errorf("Other (-want +got):\n%s", diff)
	}
	// It encodes in the server's form, the unknown member included.
	b, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(configOf(t, srv.IngressConfig()), configOf(t, b)); diff != "" {
		t.Errorf("JSON (-server +encoded):\n%s", diff)
	}
	var back enterpriseadmin.IngressSecurity
	if err := json.Unmarshal(b, &back); err != nil || back.IdentityCertificateName != got.IdentityCertificateName || len(back.Other) != 1 {
		t.Errorf("decoded back: %+v, %v", back, err)
	}
	// A field changed in the struct is what encodes.
	back.HTTPSProtocols = "TLSv1.3"
	b, _ = json.Marshal(back)
	if m := configOf(t, b); m["httpsProtocols"] != "TLSv1.3" || m["hstsEnabled"] != false {
		t.Errorf("changed struct encodes as %s", b)
	}
}

// The update sends every member back: the one changed, the documented
// ones untouched, and the one the client does not know.
func TestUpdateIngressSecurityKeepsWhatItDoesNotTouch(t *testing.T) {
	srv := startFake(t)
	// A server writing the cipher suites as a list: sent back as a list.
	start := `{"cipherSuites":["ECDHE-RSA-AES128-GCM-SHA256","ECDHE-RSA-AES256-GCM-SHA384"],"httpsProtocols":"TLSv1.2","tlsSecretName":"",` +
		`"isTlsSecretSystemManaged":true,"identityCertificateName":"samlcert","hstsEnabled":true,"sslRedirect":{"enabled":true}}`
	if err := srv.SetIngressConfig([]byte(start)); err != nil {
		t.Fatal(err)
	}
	c := newClient(t, srv)
	sent, err := c.UpdateIngressSecurity(context.Background(), enterpriseadmin.UpdateIngressSecurityInput{HTTPSProtocols: ptr("TLSv1.2,TLSv1.3")})
	if err != nil {
		t.Fatal(err)
	}
	want := configOf(t, []byte(start))
	want["httpsProtocols"] = "TLSv1.2,TLSv1.3"
	forms := srv.IngressUpdates()
	if len(forms) != 1 {
		t.Fatalf("%d updates sent, want 1", len(forms))
	}
	if diff := cmp.Diff(want, configOf(t, []byte(forms[0]))); diff != "" {
		t.Errorf("form sent (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want, configOf(t, srv.IngressConfig())); diff != "" {
		t.Errorf("server holds (-want +got):\n%s", diff)
	}
	if sent.HTTPSProtocols != "TLSv1.2,TLSv1.3" || sent.CipherSuites != "ECDHE-RSA-AES128-GCM-SHA256,ECDHE-RSA-AES256-GCM-SHA384" || len(sent.Other) != 2 {
		t.Errorf("returned %+v", sent)
	}
	// Other sets an undocumented member and keeps the rest.
	if _, err := c.UpdateIngressSecurity(context.Background(), enterpriseadmin.UpdateIngressSecurityInput{
		Other: map[string]json.RawMessage{"hstsEnabled": json.RawMessage("false")},
	}); err != nil {
		t.Fatal(err)
	}
	want["hstsEnabled"] = false
	if diff := cmp.Diff(want, configOf(t, srv.IngressConfig())); diff != "" {
		t.Errorf("after Other (-want +got):\n%s", diff)
	}
}

func TestUpdateIngressSecurityWithoutChangeSendsNothing(t *testing.T) {
	srv := startFake(t)
	c := newClient(t, srv)
	got, err := c.UpdateIngressSecurity(context.Background(), enterpriseadmin.UpdateIngressSecurityInput{
		IdentityCertificateName: ptr(enterpriseadmintest.SeedCertificateName), HTTPSProtocols: ptr("TLSv1.2"),
	})
	if err != nil || got.IdentityCertificateName != enterpriseadmintest.SeedCertificateName {
		t.Fatalf("%+v, %v", got, err)
	}
	if n := srv.Hits(http.MethodPost, srv.IngressPath()+"/update"); n != 0 {
		t.Errorf("%d updates sent for no change, want 0", n)
	}
}

func TestUpdateIngressSecurityRefusesBeforeSending(t *testing.T) {
	srv := startFake(t)
	c := newClient(t, srv)
	for _, tc := range []struct {
		what string
		in   enterpriseadmin.UpdateIngressSecurityInput
	}{
		{"nothing to change", enterpriseadmin.UpdateIngressSecurityInput{}},
		{"unknown protocol", enterpriseadmin.UpdateIngressSecurityInput{HTTPSProtocols: ptr("TLSv1.2,SSLv3")}},
		{"empty certificate name", enterpriseadmin.UpdateIngressSecurityInput{IdentityCertificateName: ptr(" ")}},
		{"empty cipher suites", enterpriseadmin.UpdateIngressSecurityInput{CipherSuites: ptr("")}},
		{"documented member in Other", enterpriseadmin.UpdateIngressSecurityInput{Other: map[string]json.RawMessage{"httpsProtocols": json.RawMessage(`"TLSv1"`)}}},
		{"Other not JSON", enterpriseadmin.UpdateIngressSecurityInput{Other: map[string]json.RawMessage{"x": json.RawMessage(`{`)}}},
		{"unmanaged secret without a name", enterpriseadmin.UpdateIngressSecurityInput{IsTLSSecretSystemManaged: ptr(false)}},
	} {
		_, err := c.UpdateIngressSecurity(context.Background(), tc.in)
		if !errors.Is(err, enterpriseadmin.ErrInvalidInput) {
			t.Errorf("%s: err = %v, want ErrInvalidInput", tc.what, err)
		}
	}
	if n := srv.Hits(http.MethodPost, srv.IngressPath()+"/update"); n != 0 {
		t.Errorf("%d updates sent, want 0", n)
	}
	// With a secret name it goes through.
	if _, err := c.UpdateIngressSecurity(context.Background(), enterpriseadmin.UpdateIngressSecurityInput{
		IsTLSSecretSystemManaged: ptr(false), TLSSecretName: ptr("wildcard-tls"),
	}); err != nil {
		t.Fatal(err)
	}
}

// The server's refusal (a certificate never imported) is a typed error,
// and a failed update is not sent twice.
func TestUpdateIngressSecurityErrors(t *testing.T) {
	srv := startFake(t)
	c := newClient(t, srv)
	_, err := c.UpdateIngressSecurity(context.Background(), enterpriseadmin.UpdateIngressSecurityInput{IdentityCertificateName: ptr("never-imported")})
	var e *enterpriseadmin.Error
	if !errors.As(err, &e) || e.Code != "400" || !strings.Contains(e.Message, "does not exist") {
		t.Errorf("err = %v, want the server's 400", err)
	}
	srv.Inject(enterpriseadmintest.Fault{Method: http.MethodPost, PathSuffix: "/ingress/update", Status: http.StatusServiceUnavailable, Times: 3})
	_, err = c.UpdateIngressSecurity(context.Background(), enterpriseadmin.UpdateIngressSecurityInput{HTTPSProtocols: ptr("TLSv1.3")})
	if err == nil {
		t.Fatal("a 503 was taken for success")
	}
	if n := srv.Hits(http.MethodPost, srv.IngressPath()+"/update"); n != 2 {
		t.Errorf("update requests = %d, want 2 (the refused one and the 503, not repeated)", n)
	}
	srv.ClearFaults()
}

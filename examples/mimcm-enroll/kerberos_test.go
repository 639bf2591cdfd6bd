package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jcmturner/gokrb5/v8/keytab"

	"github.com/certadmin/certadmin-go/internal/interop"
	"github.com/certadmin/certadmin-go/mimcm/mimcmtest"
)

// -auth kerberos with a credential cache enrolls against the fake with a
// throwaway MIT KDC, with the same flags as mimcm-requests.
func TestAuthKerberosEnrolls(t *testing.T) {
	k := interop.StartKDC(t, interop.KDCOptions{Realm: "CONTOSO.COM"})
	k.AddUser(t, "cmuser", "cmuser-kerberos-password", "")
	kt, err := keytab.Load(k.AddService(t, "HTTP/localhost", ""))
	if err != nil {
		t.Fatal(err)
	}
	srv := mimcmtest.NewTestServer(t, mimcmtest.WithKerberosKeytab(kt, "HTTP/localhost"))
	ccache := k.Kinit(t, "cmuser", "cmuser-kerberos-password")
	out := filepath.Join(t.TempDir(), "me.p12")
	env := envOf(map[string]string{"KRB5_CONFIG": k.Krb5Conf, "KRB5CCNAME": ccache, p12PasswordEnv: "file-secret"})
	var stdout, stderr bytes.Buffer
	args := []string{"-url", strings.Replace(srv.URL, "127.0.0.1", "localhost", 1), "-auth", "kerberos",
		"-template", mimcmtest.TemplateSoftware.String(), "-o", out}
	if err := run(context.Background(), args, &stdout, &stderr, env); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	checkP12(t, out, "file-secret")
	if srv.Handshakes() == 0 {
		t.Error("the fake saw no Kerberos sign-in")
	}
}

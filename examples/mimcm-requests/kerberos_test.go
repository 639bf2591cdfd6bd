package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/jcmturner/gokrb5/v8/keytab"

	"github.com/certadmin/certadmin-go/internal/interop"
	"github.com/certadmin/certadmin-go/mimcm/mimcmtest"
)

// -auth kerberos against the fake on plain http://localhost with a
// throwaway MIT KDC: the credential cache of $KRB5CCNAME (kinit), the
// password of -user from $MIMCM_PASSWORD, and a -keytab each list the
// requests with -status any; krb5.conf comes from $KRB5_CONFIG.
func TestAuthKerberosListsTheRequests(t *testing.T) {
	k := interop.StartKDC(t, interop.KDCOptions{Realm: "CONTOSO.COM"})
	k.AddUser(t, "cmuser", "cmuser-kerberos-password", "")
	kt, err := keytab.Load(k.AddService(t, "HTTP/localhost", ""))
	if err != nil {
		t.Fatal(err)
	}
	srv := mimcmtest.NewTestServer(t, mimcmtest.WithKerberosKeytab(kt, "HTTP/localhost"))
	url := strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)
	ccache := k.Kinit(t, "cmuser", "cmuser-kerberos-password")
	userKeytab := k.Keytab(t, "cmuser")
	cases := []struct {
		name string
		args []string
		env  map[string]string
	}{
		{"credential cache", nil, map[string]string{"KRB5CCNAME": "FILE:" + ccache}},
		{"password", []string{"-user", "cmuser@CONTOSO.COM"}, map[string]string{passwordEnv: "cmuser-kerberos-password"}},
		{"keytab", []string{"-user", "cmuser", "-keytab", userKeytab}, nil},
		{"IP address URL with -spn", []string{"-spn", "HTTP/localhost"}, map[string]string{"KRB5CCNAME": ccache}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{"KRB5_CONFIG": k.Krb5Conf}
			for key, v := range tc.env {
				env[key] = v
			}
			u := url
			if strings.Contains(tc.name, "IP address") {
				u = srv.URL
			}
			before := srv.Handshakes()
			var stdout, stderr bytes.Buffer
			args := append([]string{"-url", u, "-auth", "kerberos", "-status", "any"}, tc.args...)
			if err := run(context.Background(), args, &stdout, &stderr, envOf(env)); err != nil {
				t.Fatalf("%v\n%s", err, stderr.String())
			}
			if !strings.Contains(stdout.String(), mimcmtest.SampleEnrollID.String()) || !strings.Contains(stdout.String(), mimcmtest.SampleUnblockID.String()) {
				t.Errorf("the requests are not listed:\n%s", stdout.String())
			}
			if srv.Handshakes() == before {
				t.Error("the fake saw no Kerberos sign-in")
			}
		})
	}
	// An IP-address URL without -spn is refused with the reason.
	var stdout, stderr bytes.Buffer
	err = run(context.Background(), []string{"-url", srv.URL, "-auth", "kerberos", "-status", "any"}, &stdout, &stderr,
		envOf(map[string]string{"KRB5_CONFIG": k.Krb5Conf, "KRB5CCNAME": ccache}))
	if code := exitCode(context.Background(), err, &stderr); code != exitFailed || !strings.Contains(stderr.String(), "SPN") {
		t.Errorf("exit %d: %s", code, stderr.String())
	}
}

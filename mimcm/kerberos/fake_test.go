package kerberos_test

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/jcmturner/gokrb5/v8/keytab"
	"github.com/jcmturner/gokrb5/v8/types"

	"github.com/certadmin/certadmin-go/internal/interop"
	"github.com/certadmin/certadmin-go/mimcm"
	"github.com/certadmin/certadmin-go/mimcm/internal/krbaccept"
	"github.com/certadmin/certadmin-go/mimcm/kerberos"
	"github.com/certadmin/certadmin-go/mimcm/mimcmtest"
)

// contoso is a throwaway realm named as the fake's domain (CONTOSO), so
// that cmuser@CONTOSO.COM is the fake's main user CONTOSO\cmuser.
func contoso(t *testing.T) (*interop.KDC, *keytab.Keytab) {
	t.Helper()
	k := interop.StartKDC(t, interop.KDCOptions{Realm: "CONTOSO.COM"})
	k.AddUser(t, user, password, "")
	kt, err := keytab.Load(k.AddService(t, spn, ""))
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("KRB5_CONFIG", k.Krb5Conf)
	return k, kt
}

func localhost(u string) string { return strings.Replace(u, "127.0.0.1", "localhost", 1) }

// The fake with a keytab answers as IIS: the 200 carries an AP-REP, which
// the client checks (RequireMutualAuth: its absence would fail the call).
func TestKerberosAgainstTheFakeWithAKeytab(t *testing.T) {
	_, kt := contoso(t)
	srv := mimcmtest.NewTestServer(t, mimcmtest.WithKerberosKeytab(kt, spn))
	src, err := kerberos.New(kerberos.Config{User: user + "@CONTOSO.COM", Password: password, RequireMutualAuth: true})
	if err != nil {
		t.Fatal(err)
	}
	c, err := mimcm.NewClient(localhost(srv.URL), src.Option())
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, err := c.GetRequest(context.Background(), mimcmtest.SampleEnrollID); err != nil {
			t.Fatal(err)
		}
	}
	if srv.Handshakes() != 3 {
		t.Errorf("handshakes %d, want 3 (a fresh AP-REQ per call)", srv.Handshakes())
	}
	// A user the fake does not know is refused with a 401.
	k2src, _ := kerberos.New(kerberos.Config{User: user + "@CONTOSO.COM", Password: password})
	srv2 := mimcmtest.NewTestServer(t, mimcmtest.WithKerberosKeytab(kt, spn), mimcmtest.WithCredentials(`CONTOSO\someoneelse`, "x"))
	c2, _ := mimcm.NewClient(localhost(srv2.URL), k2src.Option(), mimcm.WithMaxAttempts(1))
	if _, err := c2.GetRequest(context.Background(), mimcmtest.SampleEnrollID); !errors.Is(err, mimcm.ErrUnauthorized) {
		t.Fatalf("unknown account: %v", err)
	}
}

// The mutual authentication check fails a call whose answer token is
// not the AP-REP of this exchange: an AP-REP under another key, a
// rejecting NegTokenResp in a 200, or none while it is required (gokrb5's
// acceptor sends none).
func TestKerberosMutualAuthenticationIsChecked(t *testing.T) {
	_, kt := contoso(t)
	srv := mimcmtest.NewTestServer(t, mimcmtest.WithKerberosKeytab(kt, spn))
	wrongKey := types.EncryptionKey{KeyType: 18, KeyValue: make([]byte, 32)}
	forged, err := krbaccept.APRepToken(wrongKey, time.Now(), 1)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name    string
		answer  string // the WWW-Authenticate the proxy puts in the 200; "-" removes it
		require bool
	}{
		{"AP-REP under another key", "Negotiate " + base64.StdEncoding.EncodeToString(forged), false},
		{"reject in a 200", "Negotiate oQcwBaADCgEC", false},
		{"no token while required", "-", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			target, _ := url.Parse(srv.URL)
			proxy := httputil.NewSingleHostReverseProxy(target)
			proxy.ModifyResponse = func(resp *http.Response) error {
				if resp.StatusCode == http.StatusOK {
					resp.Header.Del("WWW-Authenticate")
					if tc.answer != "-" {
						resp.Header.Set("WWW-Authenticate", tc.answer)
					}
				}
				return nil
			}
			front := httptest.NewServer(proxy)
			defer front.Close()
			src, _ := kerberos.New(kerberos.Config{User: user, Password: password, RequireMutualAuth: tc.require})
			c, _ := mimcm.NewClient(localhost(front.URL), src.Option())
			hits := srv.TotalHits()
			_, err := c.GetRequest(context.Background(), mimcmtest.SampleEnrollID)
			if !errors.Is(err, kerberos.ErrMutualAuth) {
				t.Fatalf("got %v", err)
			}
			if srv.TotalHits()-hits != 1 {
				t.Errorf("%d requests, want 1 (no retry)", srv.TotalHits()-hits)
			}
		})
	}
	// The control: the same proxy passing the fake's AP-REP on succeeds.
	target, _ := url.Parse(srv.URL)
	front := httptest.NewServer(httputil.NewSingleHostReverseProxy(target))
	defer front.Close()
	src, _ := kerberos.New(kerberos.Config{User: user, Password: password, RequireMutualAuth: true})
	c, _ := mimcm.NewClient(localhost(front.URL), src.Option())
	if _, err := c.GetRequest(context.Background(), mimcmtest.SampleEnrollID); err != nil {
		t.Fatal(err)
	}
}

// gokrb5's acceptor sends no AP-REP: taken by default, refused when
// mutual authentication is required.
func TestKerberosAcceptorWithoutAPRep(t *testing.T) {
	r := startRealm(t, interop.KDCOptions{})
	c, _, err := r.client(t, kerberos.Config{User: user, Password: password, RequireMutualAuth: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := listAll(context.Background(), c); !errors.Is(err, kerberos.ErrMutualAuth) {
		t.Fatalf("got %v", err)
	}
}

// A server whose clock is off answers 401 with a KRB-ERROR
// (KRB_AP_ERR_SKEW) in its NegTokenResp, as IIS does: ErrClockSkew.
func TestKerberosServerClockSkew(t *testing.T) {
	_, kt := contoso(t)
	acc := krbaccept.New(kt, spn, time.Nanosecond) // any real clock is off by more
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, tok, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		b, _ := base64.StdEncoding.DecodeString(tok)
		if _, reply, err := acc.Accept(b); err != nil {
			w.Header().Set("WWW-Authenticate", "Negotiate "+base64.StdEncoding.EncodeToString(reply))
			http.Error(w, "refused", http.StatusUnauthorized)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	defer srv.Close()
	src, _ := kerberos.New(kerberos.Config{User: user, Password: password})
	c, _ := mimcm.NewClient(localhost(srv.URL), src.Option(), mimcm.WithMaxAttempts(1))
	_, err := c.GetRequest(context.Background(), mimcmtest.SampleEnrollID)
	var ke *kerberos.Error
	if !errors.Is(err, kerberos.ErrClockSkew) || !errors.Is(err, mimcm.ErrUnauthorized) || !errors.As(err, &ke) || ke.Code != 37 {
		t.Fatalf("got %v", err)
	}
}

// A Kerberos client not written here, curl --negotiate on MIT's GSS-API
// with a credential cache from kinit, signs in to the fake with a keytab.
// (curl 7.88 does not check the AP-REP of a 200: a forged one passes it,
// so the AP-REP is checked by this package's own tests only.)
func TestCurlNegotiateAgainstTheFake(t *testing.T) {
	k, kt := contoso(t)
	curl := interop.LookPath(t, "curl", interop.KDCScript)
	srv := mimcmtest.NewTestServer(t, mimcmtest.WithKerberosKeytab(kt, spn))
	ccache := k.Kinit(t, user, password)
	cmd := exec.Command(curl, "--silent", "--show-error", "--fail", "--negotiate", "-u", ":", "-D", "-",
		localhost(srv.URL)+"/CertificateManagement/api/v1.0/requests/"+mimcmtest.SampleEnrollID.String())
	cmd.Env = append(os.Environ(), "KRB5_CONFIG="+k.Krb5Conf, "KRB5CCNAME=FILE:"+ccache)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("curl: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), mimcmtest.SampleEnrollID.String()) || !strings.Contains(strings.ToLower(string(out)), "www-authenticate: negotiate ") {
		t.Fatalf("curl's answer:\n%s", out)
	}
	if srv.Handshakes() != 1 {
		t.Errorf("handshakes %d", srv.Handshakes())
	}
}

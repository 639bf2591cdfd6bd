//go:build audit

package audit_test

// Kerberos option errors (mimcm/kerberos). Evidence: RFC 4559 §4 (the
// client builds the token for the service's principal, HTTP/<host>; an IP
// address names no service principal), RFC 4120 §7.2.3 (KDC by TCP). The
// package's own documented contract: failures before the request is sent
// send nothing.

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/certadmin/certadmin-go/mimcm"
	"github.com/certadmin/certadmin-go/mimcm/kerberos"
)

func a2krbConf(t *testing.T) string {
	p := filepath.Join(t.TempDir(), "krb5.conf")
	if err := os.WriteFile(p, []byte(`[libdefaults]
 default_realm = CONTOSO.COM
 dns_lookup_kdc = false
 dns_lookup_realm = false
 udp_preference_limit = 1
[realms]
 CONTOSO.COM = {
  kdc = 127.0.0.1:1
 }
`), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func a2krbServer(t *testing.T) (string, *atomic.Int32) {
	var n atomic.Int32
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.Header().Set("WWW-Authenticate", "Negotiate")
		w.WriteHeader(401)
	}))
	t.Cleanup(ts.Close)
	return ts.URL, &n
}

func TestAudit2_Kerberos_IPWithoutSPN(t *testing.T) {
	u, n := a2krbServer(t) // http://127.0.0.1:port: an IP address
	src, err := kerberos.New(kerberos.Config{User: "jdoe@CONTOSO.COM", Password: "pw", Krb5Conf: a2krbConf(t)})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	c, err := mimcm.NewClient(u, mimcm.WithInsecurePlainHTTP(), src.Option())
	if err != nil {
		if errors.Is(err, kerberos.ErrSPNRequired) {
			return
		}
		t.Fatalf("NewClient: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err = c.ListProfileTemplates(ctx)
	if !errors.Is(err, kerberos.ErrSPNRequired) {
		t.Errorf("IP address without SPN: %v, want ErrSPNRequired", err)
	}
	if n.Load() != 0 {
		t.Errorf("the server was sent %d requests before the SPN check", n.Load())
	}
}

func TestAudit2_Kerberos_ConfigErrors(t *testing.T) {
	cases := map[string]kerberos.Config{
		"missing krb5.conf": {User: "jdoe@CONTOSO.COM", Password: "pw", Krb5Conf: filepath.Join(t.TempDir(), "nope.conf"), SPN: "HTTP/cm.contoso.com"},
		"missing keytab":    {User: "jdoe@CONTOSO.COM", Keytab: filepath.Join(t.TempDir(), "nope.keytab"), Krb5Conf: a2krbConf(t), SPN: "HTTP/cm.contoso.com"},
		"missing ccache":    {CCache: "FILE:" + filepath.Join(t.TempDir(), "nope.cc"), Krb5Conf: a2krbConf(t), SPN: "HTTP/cm.contoso.com"},
	}
	for name, cfg := range cases {
		t.Run(name, func(t *testing.T) {
			u, n := a2krbServer(t)
			src, err := kerberos.New(cfg)
			if err == nil {
				c, cerr := mimcm.NewClient(u, mimcm.WithInsecurePlainHTTP(), src.Option())
				if cerr != nil {
					err = cerr
				} else {
					ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
					defer cancel()
					_, err = c.ListProfileTemplates(ctx)
				}
			}
			if err == nil {
				t.Fatalf("no error")
			}
			var ke *kerberos.Error
			if !errors.As(err, &ke) {
				t.Errorf("%s: %T %v is not a *kerberos.Error", name, err, err)
			}
			if errors.Is(err, kerberos.ErrServerRefused) || n.Load() != 0 {
				t.Errorf("%s: the server was contacted (%d) or blamed: %v", name, n.Load(), err)
			}
			if strings.Contains(err.Error(), "pw") && strings.Contains(err.Error(), "Password") {
				t.Errorf("password in error: %v", err)
			}
			t.Logf("%s: %v", name, err)
		})
	}
}

func TestAudit2_Kerberos_KDCUnreachable(t *testing.T) {
	u, n := a2krbServer(t)
	src, err := kerberos.New(kerberos.Config{User: "jdoe@CONTOSO.COM", Password: "s3cretPW", Krb5Conf: a2krbConf(t), SPN: "HTTP/cm.contoso.com"})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	c, err := mimcm.NewClient(u, mimcm.WithInsecurePlainHTTP(), src.Option())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_, err = c.ListProfileTemplates(ctx)
	if !errors.Is(err, kerberos.ErrKDCUnreachable) {
		t.Errorf("KDC unreachable: %v", err)
	}
	if err != nil && strings.Contains(err.Error(), "s3cretPW") {
		t.Errorf("password in error")
	}
	if n.Load() != 0 {
		t.Errorf("server contacted %d times without a token", n.Load())
	}
}

//go:build audit

package audit21

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/certadmin/certadmin-go/czertainly"
	"github.com/certadmin/certadmin-go/czertainly/adminv1"
	"github.com/certadmin/certadmin-go/enterpriseadmin"
	"github.com/certadmin/certadmin-go/mimcm"
	"github.com/certadmin/certadmin-go/mobileiron/cloud"
	"github.com/certadmin/certadmin-go/mobileiron/core"
)

// Issue: "Error text: the plain-HTTP refusal message prints its reason
// twice." The same defect on the commonest failures of a call: a malformed
// answer, a 500 with a message, a refused connection, an unverified TLS
// certificate. No message repeats a run of 4 words.
func TestCallErrorsSayItOnce(t *testing.T) {
	ctx := context.Background()
	mk := func(base string) map[string]func() error {
		return map[string]func() error{
			"core": func() error {
				c, err := core.NewClient(base, core.WithBasicAuth("u", "p"), core.WithMaxAttempts(1))
				if err != nil {
					return err
				}
				_, err = c.CertificateExportStatus(ctx)
				return err
			},
			"cloud": func() error {
				c, err := cloud.NewClient(base, cloud.WithBasicAuth("u", "p"), cloud.WithMaxAttempts(1))
				if err != nil {
					return err
				}
				_, err = c.GetAccountByUID(ctx, "x")
				return err
			},
			"mimcm": func() error {
				c, err := mimcm.NewClient(base, mimcm.WithBasicAuth("u", "p"), mimcm.WithMaxAttempts(1))
				if err != nil {
					return err
				}
				_, err = c.ListProfileTemplates(ctx)
				return err
			},
			"czertainly": func() error {
				c, err := czertainly.NewClient(base, czertainly.WithBearerToken("t"), czertainly.WithMaxAttempts(1))
				if err != nil {
					return err
				}
				_, err = c.GetCertificate(ctx, "0b0e5b1a-0000-4000-8000-000000000001")
				return err
			},
			"adminv1": func() error {
				c, err := adminv1.NewClient(base+"/api", adminv1.WithMaxAttempts(1))
				if err != nil {
					return err
				}
				_, err = c.ListAdmins(ctx)
				return err
			},
			"enterpriseadmin": func() error {
				c, err := enterpriseadmin.NewClient(base+"/arcgis", enterpriseadmin.WithToken(enterpriseadmin.StaticToken("t")), enterpriseadmin.WithMaxAttempts(1))
				if err != nil {
					return err
				}
				_, err = c.GetIdentityCertificate(ctx, "x")
				return err
			},
		}
	}
	handlers := map[string]http.HandlerFunc{
		"malformed JSON": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"id": [`))
		},
		"500 with message": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(500)
			w.Write([]byte(`{"message":"database unavailable","error":"database unavailable"}`))
		},
	}
	for what, h := range handlers {
		srv := httptest.NewServer(h)
		for v, f := range mk(srv.URL) {
			if err := f(); err == nil {
				t.Errorf("%s %s: no error", v, what)
			} else if r := repeated(err.Error(), 4); r != "" {
				t.Errorf("%s %s: repeats %q: %v", v, what, r, err)
			}
		}
		srv.Close()
	}
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	tlsSrv := httptest.NewTLSServer(http.NotFoundHandler())
	defer tlsSrv.Close()
	for what, base := range map[string]string{"connection refused": closed.URL, "unknown authority": tlsSrv.URL} {
		for v, f := range mk(base) {
			if err := f(); err == nil {
				t.Errorf("%s %s: no error", v, what)
			} else if r := repeated(err.Error(), 4); r != "" {
				t.Errorf("%s %s: repeats %q: %v", v, what, r, err)
			}
		}
	}
}

//go:build audit

package audit21

import (
	"context"
	"errors"
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

// asAll reports, per vendor, whether errors.As(err, &*vendor.Error) succeeds.
func asAll(err error) map[string]bool {
	var (
		a *core.Error
		b *cloud.Error
		c *mimcm.Error
		d *czertainly.Error
		e *adminv1.Error
		f *enterpriseadmin.Error
	)
	return map[string]bool{
		"core": errors.As(err, &a), "cloud": errors.As(err, &b), "mimcm": errors.As(err, &c),
		"czertainly": errors.As(err, &d), "adminv1": errors.As(err, &e), "enterpriseadmin": errors.As(err, &f),
	}
}

// Issue: "errors.As(err, &mimcmErr) succeeds for an error from the Cloud
// client … A vendor's error type must match only that vendor's errors."
// A failed call (404) and a refused NewClient of each vendor: errors.As
// matches that vendor's *Error and no other vendor's.
func TestErrorsAsMatchesOnlyOwnVendor(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(404)
		w.Write([]byte(`{"message":"not found"}`))
	}))
	defer srv.Close()
	ctx := context.Background()
	calls := map[string]func() error{
		"core": func() error {
			c, err := core.NewClient(srv.URL, core.WithBasicAuth("u", "p"), core.WithMaxAttempts(1))
			if err != nil {
				return err
			}
			_, err = c.CertificateExportStatus(ctx)
			return err
		},
		"cloud": func() error {
			c, err := cloud.NewClient(srv.URL, cloud.WithBasicAuth("u", "p"), cloud.WithMaxAttempts(1))
			if err != nil {
				return err
			}
			_, err = c.GetAccountByUID(ctx, "x")
			return err
		},
		"mimcm": func() error {
			c, err := mimcm.NewClient(srv.URL, mimcm.WithBasicAuth("u", "p"), mimcm.WithMaxAttempts(1))
			if err != nil {
				return err
			}
			_, err = c.ListProfileTemplates(ctx)
			return err
		},
		"czertainly": func() error {
			c, err := czertainly.NewClient(srv.URL, czertainly.WithBearerToken("t"), czertainly.WithMaxAttempts(1))
			if err != nil {
				return err
			}
			_, err = c.GetCertificate(ctx, "0b0e5b1a-0000-4000-8000-000000000001")
			return err
		},
		"adminv1": func() error {
			c, err := adminv1.NewClient(srv.URL+"/api", adminv1.WithMaxAttempts(1))
			if err != nil {
				return err
			}
			_, err = c.GetAdmin(ctx, "0b0e5b1a-0000-4000-8000-000000000001")
			return err
		},
		"enterpriseadmin": func() error {
			c, err := enterpriseadmin.NewClient(srv.URL+"/arcgis", enterpriseadmin.WithToken(enterpriseadmin.StaticToken("t")), enterpriseadmin.WithMaxAttempts(1))
			if err != nil {
				return err
			}
			_, err = c.GetIdentityCertificate(ctx, "x")
			return err
		},
	}
	refused := map[string]func() error{
		"core":            func() error { _, err := core.NewClient("ftp://x"); return err },
		"cloud":           func() error { _, err := cloud.NewClient("ftp://x"); return err },
		"mimcm":           func() error { _, err := mimcm.NewClient("ftp://x"); return err },
		"czertainly":      func() error { _, err := czertainly.NewClient("ftp://x"); return err },
		"adminv1":         func() error { _, err := adminv1.NewClient("ftp://x"); return err },
		"enterpriseadmin": func() error { _, err := enterpriseadmin.NewClient("ftp://x"); return err },
	}
	for what, set := range map[string]map[string]func() error{"404 call": calls, "NewClient refusal": refused} {
		for v, f := range set {
			err := f()
			if err == nil {
				t.Errorf("%s %s: no error", v, what)
				continue
			}
			for other, ok := range asAll(err) {
				if other == v && !ok && what == "404 call" {
					t.Errorf("%s %s: errors.As with its own *%s.Error fails: %v", v, what, v, err)
				}
				if other != v && ok {
					t.Errorf("%s %s: errors.As with *%s.Error succeeds (%v)", v, what, other, err)
				}
			}
		}
	}
}

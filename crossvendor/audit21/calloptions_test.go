//go:build audit

package audit21

import (
	"context"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/certadmin/certadmin-go/czertainly"
	"github.com/certadmin/certadmin-go/czertainly/adminv1"
	"github.com/certadmin/certadmin-go/czertainly/czertainlytest"
	"github.com/certadmin/certadmin-go/enterpriseadmin"
	"github.com/certadmin/certadmin-go/mimcm"
	"github.com/certadmin/certadmin-go/mimcm/mimcmtest"
)

// Issue: "Validate every option … (nil, empty, zero, negative, conflicting
// options …)" – the workflow options are client-or-call options, so a bad
// value given to one call must be refused as ErrInvalidInput before anything
// is sent, not panic or start a busy wait.
func TestCallOptionsValidatedBeforeSending(t *testing.T) {
	ctx := context.Background()
	neg := -time.Second
	t.Run("mimcm", func(t *testing.T) {
		srv := mimcmtest.NewTestServer(t)
		c, err := srv.NewClient()
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		for name, o := range map[string]mimcm.CallOption{
			"WithPollInterval(-1s)": mimcm.WithPollInterval(neg),
			"WithApprovalWait(-1s)": mimcm.WithApprovalWait(neg),
			"WithMaxAttempts(-1)":   mimcm.WithMaxAttempts(-1),
			"WithTimeout(-1s)":      mimcm.WithTimeout(neg),
			"WithHeader(\"\",v)":    mimcm.WithHeader("", "v"),
		} {
			before := srv.TotalHits()
			err := safely(func() error {
				_, err := c.EnrollSoftwareCertificate(ctx, mimcm.EnrollInput{ProfileTemplateUUID: mimcmtest.TemplateSoftware}, o)
				return err
			})
			if !errors.Is(err, mimcm.ErrInvalidInput) || srv.TotalHits() != before {
				t.Errorf("%s: %v after %d requests, want ErrInvalidInput and none", name, err, srv.TotalHits()-before)
			}
		}
	})
	t.Run("czertainly", func(t *testing.T) {
		srv := czertainlytest.NewTestServer(t)
		c, err := srv.NewClient()
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		for name, o := range map[string]czertainly.CallOption{
			"WithPollInterval(-1s)": czertainly.WithPollInterval(neg),
			"WithPollInterval(0)":   czertainly.WithPollInterval(0),
			"WithWaitTimeout(-1s)":  czertainly.WithWaitTimeout(neg),
			"WithApprovalWait(-1s)": czertainly.WithApprovalWait(neg),
			"WithMaxAttempts(-1)":   czertainly.WithMaxAttempts(-1),
		} {
			before := srv.TotalHits()
			err := safely(func() error {
				_, err := c.Enroll(ctx, czertainly.EnrollInput{
					Profile: czertainly.Profile{AuthorityUUID: czertainlytest.AuthorityUUID, RAProfileUUID: czertainlytest.RAProfileUUID},
					Subject: pkix.Name{CommonName: "audit21.example"}, DNSNames: []string{"audit21.example"},
				}, o)
				return err
			})
			if !errors.Is(err, czertainly.ErrInvalidInput) || srv.TotalHits() != before {
				t.Errorf("%s: %v after %d requests, want ErrInvalidInput and none", name, err, srv.TotalHits()-before)
			}
		}
	})
}

func safely(f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("PANIC: %v", r)
		}
	}()
	return f()
}

// Beyond the issue's letter, the same class as "core.NewClient refuses a base
// URL that already ends in /api/v2 … today it calls /api/v2/api/v2/… and gets
// a bare 404": a base URL that already holds the path the client appends is
// refused (ErrInvalidInput) or understood, never doubled on the wire.
func TestOtherVendorsRefuseDoubledAPIPath(t *testing.T) {
	var last atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		last.Store(r.URL.Path)
		w.WriteHeader(404)
	}))
	defer srv.Close()
	ctx := context.Background()
	cases := []struct {
		name, doubled string
		f             func() error
	}{
		{"enterpriseadmin <url>/arcgis/admin", "/admin/admin", func() error {
			c, err := enterpriseadmin.NewClient(srv.URL+"/arcgis/admin", enterpriseadmin.WithToken(enterpriseadmin.StaticToken("t")), enterpriseadmin.WithMaxAttempts(1))
			if err != nil {
				return err
			}
			_, err = c.GetIdentityCertificate(ctx, "x")
			return nil
		}},
		{"czertainly <url>/api/v1", "/api/v1/api/", func() error {
			c, err := czertainly.NewClient(srv.URL+"/api/v1", czertainly.WithBearerToken("t"), czertainly.WithMaxAttempts(1))
			if err != nil {
				return err
			}
			c.GetCertificate(ctx, "0b0e5b1a-0000-4000-8000-000000000001")
			return nil
		}},
		{"adminv1 <url>/api/v1/admins", "/v1/admins/v1/admins", func() error {
			c, err := adminv1.NewClient(srv.URL+"/api/v1/admins", adminv1.WithMaxAttempts(1))
			if err != nil {
				return err
			}
			c.GetAdmin(ctx, "0b0e5b1a-0000-4000-8000-000000000001")
			return nil
		}},
	}
	for _, c := range cases {
		last.Store("")
		if err := c.f(); err != nil {
			continue // refused up front
		}
		if p, _ := last.Load().(string); strings.Contains(p, c.doubled) {
			t.Errorf("%s: accepted, and the call went to %s", c.name, p)
		}
	}
}

//go:build audit

package audit21

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/certadmin/certadmin-go/czertainly/adminv1"
	"github.com/certadmin/certadmin-go/mimcm"
	"github.com/certadmin/certadmin-go/mobileiron/core"
)

// Issue: "… each must make NewClient return an error matching the package's
// ErrInvalidInput, never a panic or a failing first call". Where NewClient
// accepts an option, the first call must not panic or fail because of it.
// mimcm.WithNegotiate("", nil): a nil NegotiateTokenSource.
func TestFirstCallAfterNilNegotiateSource(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") == "" {
			w.Header().Set("WWW-Authenticate", "Negotiate")
			w.WriteHeader(401)
			return
		}
		w.WriteHeader(204)
	}))
	defer srv.Close()
	c, err := mimcm.NewClient(srv.URL, mimcm.WithNegotiate("", nil))
	if err != nil {
		if !errors.Is(err, mimcm.ErrInvalidInput) {
			t.Fatalf("NewClient: %v, not ErrInvalidInput", err)
		}
		return // refused up front: agrees
	}
	defer c.Close()
	var callErr error
	func() {
		defer func() {
			if r := recover(); r != nil {
				callErr = fmt.Errorf("PANIC: %v", r)
			}
		}()
		_, callErr = c.ListProfileTemplates(context.Background())
	}()
	t.Errorf("NewClient accepted WithNegotiate(\"\", nil); first call: %v", callErr)
}

// Core: WithMaxAttempts(0) is accepted by NewClient; a GET answered 503 must
// then be sent at least once and the option must not silently mean something
// undocumented. The probe records how many attempts were made; the issue asks
// for an ErrInvalidInput at NewClient instead.
func TestMaxAttemptsZeroBehaviour(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.WriteHeader(503)
	}))
	defer srv.Close()
	c, err := core.NewClient(srv.URL, core.WithBasicAuth("u", "p"), core.WithMaxAttempts(0),
		core.WithRetry(core.RetryPolicy{MaxAttempts: 4}))
	if err != nil {
		if errors.Is(err, core.ErrInvalidInput) {
			return
		}
		t.Fatal(err)
	}
	defer c.Close()
	_, err = c.CertificateExportStatus(context.Background())
	t.Errorf("NewClient accepted WithMaxAttempts(0); the first GET made %d attempts and returned %v", n.Load(), err)
}

// adminv1: options NewClient accepts with empty values (the 2.x package
// refuses the same ones) must not make the first call panic or fail for
// them.
func TestAdminV1FirstCallAfterAcceptedEmptyOptions(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`[]`))
	}))
	defer srv.Close()
	for name, o := range map[string]adminv1.Option{
		"WithCertificateHeader(nil)":            adminv1.WithCertificateHeader(nil),
		"WithCertificateHeaderName(\"\")":       adminv1.WithCertificateHeaderName(""),
		"WithClientCertificateFiles(\"\",\"\")": adminv1.WithClientCertificateFiles("", ""),
		"WithRootCAFile(\"\")":                  adminv1.WithRootCAFile(""),
	} {
		c, err := adminv1.NewClient(srv.URL+"/api", o)
		if err != nil {
			if !errors.Is(err, adminv1.ErrInvalidInput) {
				t.Errorf("%s: NewClient: %v, not ErrInvalidInput", name, err)
			}
			continue
		}
		err = safely(func() error { _, err := c.ListAdmins(context.Background()); return err })
		t.Errorf("%s: accepted by NewClient; first call: %v", name, err)
		c.Close()
	}
}

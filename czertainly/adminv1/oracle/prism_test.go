package oracle

import (
	"context"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/certadmin/certadmin-go/czertainly/adminv1"
	"github.com/certadmin/certadmin-go/internal/interop"
	"github.com/certadmin/certadmin-go/internal/oracletest"
	"github.com/certadmin/certadmin-go/internal/testcert"
)

// adminRows call every operation of the 1.x administrator client.
func adminRows(certDER []byte) map[string]func(ctx context.Context, c *adminv1.Client) error {
	const id, id2 = "5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b", "6f7a8b9c-0d1e-4f2a-9b3c-4d5e6f7a8b9c"
	desc := "rotated"
	return map[string]func(ctx context.Context, c *adminv1.Client) error{
		"CreateAdmin": func(ctx context.Context, c *adminv1.Client) error {
			return oracletest.Err1(c.CreateAdmin(ctx, adminv1.CreateAdminInput{Username: "bob", Name: "Bob", Surname: "Roe", Email: "bob@example.com",
				Role: adminv1.RoleAdministrator, Certificate: certDER, Enabled: true}))
		},
		"DeleteAdmin":   func(ctx context.Context, c *adminv1.Client) error { return c.DeleteAdmin(ctx, id) },
		"DeleteAdmins":  func(ctx context.Context, c *adminv1.Client) error { return c.DeleteAdmins(ctx, []string{id, id2}) },
		"DisableAdmin":  func(ctx context.Context, c *adminv1.Client) error { return c.DisableAdmin(ctx, id) },
		"DisableAdmins": func(ctx context.Context, c *adminv1.Client) error { return c.DisableAdmins(ctx, []string{id, id2}) },
		"EnableAdmin":   func(ctx context.Context, c *adminv1.Client) error { return c.EnableAdmin(ctx, id) },
		"EnableAdmins":  func(ctx context.Context, c *adminv1.Client) error { return c.EnableAdmins(ctx, []string{id, id2}) },
		"GetAdmin":      func(ctx context.Context, c *adminv1.Client) error { return oracletest.Err1(c.GetAdmin(ctx, id)) },
		"ListAdmins":    func(ctx context.Context, c *adminv1.Client) error { return oracletest.Err1(c.ListAdmins(ctx)) },
		"UpdateAdmin": func(ctx context.Context, c *adminv1.Client) error {
			return oracletest.Err1(c.UpdateAdmin(ctx, id, adminv1.UpdateAdminInput{Email: "bob@example.org", Description: &desc}))
		},
	}
}

func TestAdminV1ClientAgainstVendorDocument(t *testing.T) {
	t.Parallel()
	began := time.Now()
	cert, _ := testcert.ForName(t, "oracle admin")
	rows := adminRows(cert.Raw)
	oracletest.CheckCoverage(t, oracletest.OperationMethods(reflect.TypeFor[*adminv1.Client](), oracletest.NotOperations), rows)
	prisms := interop.LoadDocuments(t, interop.Reference(t, "czertainly/doc-openapi-core-admin.yaml"))
	interop.StartPrisms(t, prisms...)
	started := time.Since(began)

	var tally oracletest.Tally
	tally.Operations = len(rows)
	names := slices.Sorted(func(yield func(string) bool) {
		for n := range rows {
			if !yield(n) {
				return
			}
		}
	})
	for _, m := range oracletest.PrismModes() {
		for _, name := range names {
			router := &interop.PrismRouter{Prisms: prisms, Prefer: m.Prefer}
			c, err := adminv1.NewClient("http://127.0.0.1:1/api", adminv1.WithHTTPClient(&http.Client{Transport: router}), adminv1.WithMaxAttempts(1))
			if err != nil {
				t.Fatal(err)
			}
			router.StripPrefix = "/api"
			err = rows[name](t.Context(), c)
			c.Close()
			prismFailed := false
			for _, ex := range router.Take() {
				tally.Requests++
				tally.AnswerViolations += len(ex.ResponseViolations)
				if ex.PrismFailed != "" {
					prismFailed = true
					tally.PrismFailures++
					if m.Prefer == "" {
						t.Errorf("%s (%s): Prism could not answer from the document's examples: %s", name, m.Name, ex.PrismFailed)
					}
				}
				for _, v := range ex.Violations {
					tally.Violations++
					t.Errorf("%s (%s): %s %s: Prism flags the request: %s", name, m.Name, ex.Method, ex.Path, v)
				}
			}
			if err != nil && !prismFailed {
				tally.DecodeFailures++
				t.Errorf("%s (%s): Prism's answer does not go through the client: %v", name, m.Name, err)
			}
		}
	}

	// Negative control: an administrator without the required fields.
	router := &interop.PrismRouter{Prisms: prisms, StripPrefix: "/api"}
	c, err := adminv1.NewClient("http://127.0.0.1:1/api", adminv1.WithHTTPClient(&http.Client{Transport: router}), adminv1.WithMaxAttempts(1))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, "http://127.0.0.1:1/api/v1/admins", strings.NewReader(`{"username": 7}`))
	req.Header.Set("Content-Type", "application/json")
	_ = c.Do(t.Context(), req, nil)
	for _, ex := range router.Take() {
		if len(ex.Violations) > 0 {
			tally.Controls++
		}
	}
	if tally.Controls == 0 {
		t.Error("negative control: Prism flagged nothing for an administrator without its required fields; a clean run proves nothing")
	}
	t.Logf("oracle prism/czertainly-1.x-admin: %s startup_s=%.1f cost_s=%.1f", tally, started.Seconds(), time.Since(began).Seconds())
}

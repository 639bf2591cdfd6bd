package adminv1_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/certadmin/certadmin-go/czertainly/adminv1"
	"github.com/certadmin/certadmin-go/czertainly/adminv1/adminv1test"
	"github.com/certadmin/certadmin-go/internal/apierror"
	"github.com/certadmin/certadmin-go/internal/fuzzcheck"
)

// The fuzz targets of this file feed arbitrary bodies to the decoders of
// the CZERTAINLY Administrator API's answers and to its error decoder. The
// corpus is the vendor's documentation samples in adminv1test/testdata,
// byte for byte and as JSON without the rendering's markers, plus a few
// hostile bodies; `go test` runs just those.

const adminID = "7b55ae1c-844f-11dc-a8a3-0242ac120002"

func fuzzClient(t *testing.T, rt fuzzcheck.CannedTransport) *adminv1.Client {
	t.Helper()
	c, err := adminv1.NewClient("https://czertainly.example.com/api", adminv1.WithHTTPClient(&http.Client{Transport: rt}), adminv1.WithMaxAttempts(1))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

var contentTypes = []string{"application/json", "text/plain", "text/html;charset=UTF-8", ""}

// samples returns each documentation sample byte for byte and as JSON.
func samples(f *testing.F) [][]byte {
	out := fuzzcheck.Samples(f, filepath.Join("adminv1test", "testdata", "*.txt"))
	names, _ := filepath.Glob(filepath.Join("adminv1test", "testdata", "*.txt"))
	for _, n := range names {
		if j, err := adminv1test.SampleJSON(strings.TrimSuffix(filepath.Base(n), ".txt")); err == nil {
			out = append(out, j)
		}
	}
	return out
}

var hostileBodies = []string{
	``,
	`null`,
	`[]`,
	`[null,1]`,
	`{}`,
	`["Username already exists","Email is not valid"]`,
	`[` + strings.Repeat(`"field must not be empty",`, 40) + `"last"]`,
	`["` + strings.Repeat("v", 3000) + `"]`,
	`{"message":"` + strings.Repeat("m", 3000) + `"}`,
	`{"timestamp":"2023-01-01T00:00:00.000+00:00","status":404,"error":"Not Found","path":"/api/v1/admins"}`,
	`{"status":403,"error":"Forbidden","message":"No message available","path":"/api/v1/admins"}`,
	`{"message":null,"error":null,"path":null}`,
	`[{"uuid":"x","certificate":{"notBefore":"yesterday"}}]`,
	`{"uuid":"x","certificate":{"notBefore":"2019-08-24T14:15:22Z","notAfter":"10000-01-01T00:00:00Z"}}`,
	`{"uuid":"` + adminID + `","role":"root","enabled":"yes"}`,
	"<!DOCTYPE html><html><body>Sign in</body></html>",
	`[{"uuid":"x"}`,
}

// FuzzDecodeError feeds a body to the CZERTAINLY error decoder, alone and
// through the transport for a non-2xx status: the status survives, a 422
// list becomes Details and nothing else does, the missing-API kind is set
// only for a 404, and the caps hold.
func FuzzDecodeError(f *testing.F) {
	for _, b := range samples(f) {
		f.Add(b, uint16(0), uint8(0), uint8(0))
	}
	for i, s := range hostileBodies {
		f.Add([]byte(s), uint16(i*13), uint8(i), uint8(i))
	}
	f.Add([]byte(`["a"]`), uint16(22), uint8(2), uint8(0))
	f.Fuzz(func(t *testing.T, body []byte, code uint16, which, ctype uint8) {
		status := 400 + int(code)%200

		e := &apierror.Error{Op: "adminv1.Fuzz", StatusCode: status}
		adminv1.DecodeError(e, body)
		if e.StatusCode != status || e.Op != "adminv1.Fuzz" || e.Err != nil || e.Code != "" || e.MessageKey != "" {
			t.Fatalf("decodeError changed fields it does not own: %+v", e)
		}
		if e.Kind != nil && (!errors.Is(e.Kind, adminv1.ErrNoAdminAPI) || status != http.StatusNotFound) {
			t.Fatalf("kind %v for status %d", e.Kind, status)
		}
		trimmed := bytes.TrimSpace(body)
		if len(e.Details) > 0 && !bytes.HasPrefix(trimmed, []byte("[")) {
			t.Fatalf("details %q from a body that is not a list", e.Details)
		}
		if e.Message != "" && !bytes.HasPrefix(trimmed, []byte("{")) {
			t.Fatalf("message %q from a body that is not an object", e.Message)
		}

		contentType := contentTypes[int(ctype)%len(contentTypes)]
		c := fuzzClient(t, fuzzcheck.CannedTransport{Status: status, ContentType: contentType, Body: body})
		ctx := context.Background()
		var err error
		op := []string{adminv1.OpListAdmins, adminv1.OpGetAdmin, adminv1.OpCreateAdmin, adminv1.OpDeleteAdmin, adminv1.OpEnableAdmins}[int(which)%5]
		switch op {
		case adminv1.OpListAdmins:
			_, err = c.ListAdmins(ctx)
		case adminv1.OpGetAdmin:
			_, err = c.GetAdmin(ctx, adminID)
		case adminv1.OpCreateAdmin:
			_, err = c.CreateAdmin(ctx, adminv1.CreateAdminInput{Username: "u", Name: "n", Surname: "s", Email: "e@example.com", Role: adminv1.RoleAdministrator, CertificateUUID: adminID})
		case adminv1.OpDeleteAdmin:
			err = c.DeleteAdmin(ctx, adminID)
		default:
			err = c.EnableAdmins(ctx, []string{adminID})
		}
		if err == nil {
			t.Fatalf("status %d passed for success", status)
		}
		ae := fuzzcheck.CheckError(t, err)
		if ae.StatusCode != status {
			t.Fatalf("error %v carries status %d, want %d", err, ae.StatusCode, status)
		}
		if errors.Is(err, adminv1.ErrNoAdminAPI) && status != http.StatusNotFound {
			t.Fatalf("ErrNoAdminAPI for status %d", status)
		}
		if status == http.StatusNotFound && op == adminv1.OpListAdmins && !errors.Is(err, adminv1.ErrNoAdminAPI) {
			t.Fatalf("404 on the list is not ErrNoAdminAPI: %v", err)
		}
		if (status == http.StatusForbidden || status == http.StatusUnauthorized) && ae.Hint != adminv1.HintForbidden {
			t.Fatalf("status %d without the client-certificate hint: %v", status, err)
		}
	})
}

// FuzzDecode feeds a 2xx body to every call that decodes one: a result
// exactly when there is no error, and a typed, capped error otherwise.
func FuzzDecode(f *testing.F) {
	for _, b := range samples(f) {
		for op := range 4 {
			f.Add(b, uint8(op), false)
		}
	}
	for i, s := range hostileBodies {
		f.Add([]byte(s), uint8(i), i%3 == 0)
	}
	f.Fuzz(func(t *testing.T, body []byte, which uint8, htmlType bool) {
		contentType := "application/json"
		if htmlType {
			contentType = "text/html"
		}
		c := fuzzClient(t, fuzzcheck.CannedTransport{Status: http.StatusOK, ContentType: contentType, Body: body})
		ctx := context.Background()
		var got bool
		var err error
		switch which % 4 {
		case 0:
			var list []adminv1.Admin
			list, err = c.ListAdmins(ctx)
			got = list != nil || (err == nil && bytes.Equal(bytes.TrimSpace(body), []byte("null")))
		case 1:
			var a *adminv1.Admin
			a, err = c.GetAdmin(ctx, adminID)
			got = a != nil
		case 2:
			_, err = c.CreateAdmin(ctx, adminv1.CreateAdminInput{Username: "u", Name: "n", Surname: "s", Email: "e@example.com", Role: adminv1.RoleAdministrator, CertificateUUID: adminID})
			got = err == nil
		default:
			var a *adminv1.Admin
			a, err = c.UpdateAdmin(ctx, adminID, adminv1.UpdateAdminInput{Name: "n", Surname: "s", Email: "e@example.com", CertificateUUID: adminID})
			got = a != nil
		}
		if got == (err != nil) {
			t.Fatalf("result %v beside error %v", got, err)
		}
		if err == nil {
			if htmlType {
				t.Fatalf("an HTML page passed for success: %q", body)
			}
			return
		}
		if e := fuzzcheck.CheckError(t, err); e.StatusCode != http.StatusOK && e.StatusCode != 0 {
			t.Fatalf("200 answer gave error with status %d: %v", e.StatusCode, err)
		}
		if !errors.Is(err, adminv1.ErrUnexpectedResponse) && !errors.Is(err, adminv1.ErrHTMLResponse) {
			t.Fatalf("2xx answer gave error %v", err)
		}
	})
}

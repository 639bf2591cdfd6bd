package czertainly

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/certadmin/certadmin-go/czertainly/czertainlytest"
	"github.com/certadmin/certadmin-go/internal/apierror"
)

// The fuzz targets of this file feed arbitrary bodies to the decoders of
// the CZERTAINLY Administrator API's answers and to its error decoder. The
// seed corpus is the seed's samples in czertainlytest/testdata, byte for
// byte and as JSON without the rendering's markers, plus a few hostile
// bodies; `go test` runs just those.

// excerptMax is the longest text field an *apierror.Error may carry: the
// excerpt cap and its truncation mark.
const excerptMax = apierror.MaxBodyExcerpt + len("…[truncated]")

// maxErrorDetails is the transport's cap on Details plus its "…and N more" entry.
const maxErrorDetails = 21

const adminID = "7b55ae1c-844f-11dc-a8a3-0242ac120002"

// cannedTransport answers every request with the same response.
type cannedTransport struct {
	status      int
	contentType string
	body        []byte
}

func (c cannedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		_, _ = io.Copy(io.Discard, req.Body)
		_ = req.Body.Close()
	}
	h := http.Header{}
	if c.contentType != "" {
		h.Set("Content-Type", c.contentType)
	}
	return &http.Response{
		Status:     fmt.Sprintf("%d %s", c.status, http.StatusText(c.status)),
		StatusCode: c.status, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: h, Body: io.NopCloser(bytes.NewReader(c.body)), ContentLength: int64(len(c.body)), Request: req,
	}, nil
}

func fuzzClient(t *testing.T, rt cannedTransport) *Client {
	t.Helper()
	c, err := NewClient("https://czertainly.example.com/api", WithHTTPClient(&http.Client{Transport: rt}), WithMaxAttempts(1))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

var contentTypes = []string{"application/json", "text/plain", "text/html;charset=UTF-8", ""}

// checkError asserts what every error of the package promises: it is an
// *apierror.Error naming its operation whose text fields respect the
// excerpt cap.
func checkError(t *testing.T, err error) *apierror.Error {
	t.Helper()
	var e *apierror.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not an *apierror.Error", err, err)
	}
	if e.Op == "" {
		t.Errorf("error %q names no operation", err)
	}
	for name, s := range map[string]string{"Message": e.Message, "Body": e.Body, "Code": e.Code, "MessageKey": e.MessageKey} {
		if len(s) > excerptMax {
			t.Errorf("%s holds %d bytes, more than the excerpt cap %d", name, len(s), excerptMax)
		}
	}
	if len(e.Details) > maxErrorDetails {
		t.Errorf("%d details, more than %d", len(e.Details), maxErrorDetails)
	}
	for i, d := range e.Details {
		if len(d) > excerptMax {
			t.Errorf("detail %d holds %d bytes, more than the excerpt cap %d", i, len(d), excerptMax)
		}
	}
	if e.Error() == "" {
		t.Error("empty error text")
	}
	return e
}

// samples returns each seed sample byte for byte and as JSON.
func samples(f *testing.F) [][]byte {
	f.Helper()
	names, err := filepath.Glob(filepath.Join("czertainlytest", "testdata", "*.txt"))
	if err != nil || len(names) == 0 {
		f.Fatalf("no samples: %v", err)
	}
	var out [][]byte
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			f.Fatal(err)
		}
		out = append(out, b)
		if j, err := czertainlytest.SampleJSON(strings.TrimSuffix(filepath.Base(n), ".txt")); err == nil {
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

		e := &apierror.Error{Op: "czertainly.Fuzz", StatusCode: status}
		decodeError(e, body)
		if e.StatusCode != status || e.Op != "czertainly.Fuzz" || e.Err != nil || e.Code != "" || e.MessageKey != "" {
			t.Fatalf("decodeError changed fields it does not own: %+v", e)
		}
		if e.Kind != nil && (!errors.Is(e.Kind, ErrNoAdminAPI) || status != http.StatusNotFound) {
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
		c := fuzzClient(t, cannedTransport{status: status, contentType: contentType, body: body})
		ctx := context.Background()
		var err error
		op := []string{opListAdmins, opGetAdmin, opCreateAdmin, opRemoveAdmin, opEnableAdmins}[int(which)%5]
		switch op {
		case opListAdmins:
			_, err = c.ListAdmins(ctx)
		case opGetAdmin:
			_, err = c.GetAdmin(ctx, adminID)
		case opCreateAdmin:
			_, err = c.CreateAdmin(ctx, CreateAdminInput{Username: "u", Name: "n", Surname: "s", Email: "e@example.com", Role: RoleAdministrator, CertificateUUID: adminID})
		case opRemoveAdmin:
			err = c.RemoveAdmin(ctx, adminID)
		default:
			err = c.EnableAdmins(ctx, []string{adminID})
		}
		if err == nil {
			t.Fatalf("status %d passed for success", status)
		}
		ae := checkError(t, err)
		if ae.StatusCode != status {
			t.Fatalf("error %v carries status %d, want %d", err, ae.StatusCode, status)
		}
		if errors.Is(err, ErrNoAdminAPI) && status != http.StatusNotFound {
			t.Fatalf("ErrNoAdminAPI for status %d", status)
		}
		if status == http.StatusNotFound && op == opListAdmins && !errors.Is(err, ErrNoAdminAPI) {
			t.Fatalf("404 on the list is not ErrNoAdminAPI: %v", err)
		}
		if (status == http.StatusForbidden || status == http.StatusUnauthorized) && ae.Hint != hintForbidden {
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
		c := fuzzClient(t, cannedTransport{status: http.StatusOK, contentType: contentType, body: body})
		ctx := context.Background()
		var got bool
		var err error
		switch which % 4 {
		case 0:
			var list []Admin
			list, err = c.ListAdmins(ctx)
			got = list != nil || (err == nil && bytes.Equal(bytes.TrimSpace(body), []byte("null")))
		case 1:
			var a *Admin
			a, err = c.GetAdmin(ctx, adminID)
			got = a != nil
		case 2:
			_, err = c.CreateAdmin(ctx, CreateAdminInput{Username: "u", Name: "n", Surname: "s", Email: "e@example.com", Role: RoleAdministrator, CertificateUUID: adminID})
			got = err == nil
		default:
			var a *Admin
			a, err = c.EditAdmin(ctx, adminID, EditAdminInput{Name: "n", CertificateUUID: adminID})
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
		if e := checkError(t, err); e.StatusCode != http.StatusOK && e.StatusCode != 0 {
			t.Fatalf("200 answer gave error with status %d: %v", e.StatusCode, err)
		}
		if !errors.Is(err, ErrUnexpectedResponse) && !errors.Is(err, ErrHTMLResponse) {
			t.Fatalf("2xx answer gave error %v", err)
		}
	})
}

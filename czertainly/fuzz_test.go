package czertainly_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	czertainly "github.com/certadmin/certadmin-go/czertainly"
	"github.com/certadmin/certadmin-go/czertainly/czertainlytest"
	"github.com/certadmin/certadmin-go/internal/apierror"
	"github.com/certadmin/certadmin-go/internal/fuzzcheck"
)

// The fuzz targets of this file feed arbitrary bodies to the decoders of
// Core's 2.x answers (certificates and their pages, approvals, users,
// roles, attribute definitions, RA profiles, submissions) and to its error
// decoder (the {message} object, the 422 list of messages, the
// problem+json of a 403 or of the Auth service's 400). The seed corpus is
// a body built from the examples of every JSON answer in the vendor's
// 2.17.0 documents, the bodies the fake serves for the same operations,
// and a few hostile bodies; `go test` runs just those.

const fuzzUUID = "7b55ae1c-844f-11dc-a8a3-0242ac120002"

// countingTransport answers like its CannedTransport and counts the
// requests, so a target can assert that a list stays bounded.
type countingTransport struct {
	fuzzcheck.CannedTransport
	n *atomic.Int64
}

func (c countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.CannedTransport.RoundTrip(req)
}

func fuzzClient(t *testing.T, rt http.RoundTripper) *czertainly.Client {
	t.Helper()
	c, err := czertainly.NewClient("https://ilm.example.com", czertainly.WithTransport(rt), czertainly.WithMaxAttempts(1), czertainly.WithBearerToken("fuzz"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

var fuzzContentTypes = []string{"application/json", "application/problem+json", "text/plain;charset=UTF-8", "text/html", ""}

var fuzzHostileBodies = []string{
	``,
	`null`,
	`[]`,
	`[null,1]`,
	`{}`,
	`{"message":"Certificate with UUID 7b55ae1c-844f-11dc-a8a3-0242ac120002 not found"}`,
	`["Certificate is in the wrong state","Key is not usable"]`,
	`[` + strings.Repeat(`"attribute must not be empty",`, 40) + `"last"]`,
	`["` + strings.Repeat("v", 3000) + `"]`,
	`{"message":"` + strings.Repeat("m", 3000) + `","code":"` + strings.Repeat("c", 3000) + `"}`,
	`{"statusCode":403,"code":"ACCESS_DENIED","message":"Access Denied"}`,
	`{"statusCode":400,"code":"ENTITY_NOT_UNIQUE","message":"User with username admin already exists"}`,
	`{"message":"Failed to submit certificate request: connector unavailable"}`,
	`{"message":"Connection refused. Error is related to connector"}`,
	`{"message":null,"code":7}`,
	`{"timestamp":"2025-01-01T00:00:00.000+00:00","status":404,"error":"Not Found","path":"/api/v2/certificates"}`,
	`{"certificates":[{"uuid":"x"}],"itemsPerPage":10,"pageNumber":1,"totalPages":3,"totalItems":30}`,
	`{"certificates":null,"totalPages":-1}`,
	`{"approvals":[{"approvalUuid":"x","status":"PENDING"}],"totalPages":99}`,
	`{"uuid":"` + fuzzUUID + `","state":"issued","validationStatus":"valid","notBefore":"yesterday"}`,
	`{"uuid":"` + fuzzUUID + `","roles":[{"uuid":1}],"enabled":"yes"}`,
	"<!DOCTYPE html><html><body>Sign in</body></html>",
	`[{"uuid":"x"}`,
}

// docBodies builds one JSON body for every JSON answer of the vendor's
// 2.17.0 documents from the examples their schemas give. Bodies are kept
// under 4 KiB: the fuzzer minimises each new input it finds, and large
// seeds stall it.
func docBodies(t testing.TB) [][]byte {
	t.Helper()
	dir := filepath.Join("czertainlytest", "testdata", "vendor", czertainlytest.VendorRelease)
	seen := map[string]bool{}
	var out [][]byte
	for _, name := range czertainlytest.VendorDocuments {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		doc, err := czertainlytest.LoadVendorDocument(b)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		paths := doc.Paths.Map()
		keys := make([]string, 0, len(paths))
		for k := range paths {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, p := range keys {
			for _, op := range paths[p].Operations() {
				if op.Responses == nil {
					continue
				}
				for _, r := range op.Responses.Map() {
					if r.Value == nil {
						continue
					}
					for ct, mt := range r.Value.Content {
						if !strings.Contains(ct, "json") || mt.Schema == nil {
							continue
						}
						body, err := json.Marshal(exampleOf(mt.Schema, 0))
						if err != nil || len(body) > 4096 || seen[string(body)] {
							continue
						}
						seen[string(body)] = true
						out = append(out, body)
					}
				}
			}
		}
	}
	if len(out) < 20 {
		t.Fatalf("only %d bodies from the vendor's documents", len(out))
	}
	return out
}

// exampleOf is a value for a schema made of the examples it and its parts
// give; recursion stops at depth 6 (the documents' schemas refer to
// themselves).
func exampleOf(ref *openapi3.SchemaRef, depth int) any {
	if ref == nil || ref.Value == nil || depth > 6 {
		return nil
	}
	s := ref.Value
	if s.Example != nil {
		return s.Example
	}
	if len(s.Examples) > 0 {
		return s.Examples[0]
	}
	if len(s.Enum) > 0 {
		return s.Enum[0]
	}
	for _, alt := range [][]*openapi3.SchemaRef{s.OneOf, s.AnyOf} {
		if len(alt) > 0 {
			return exampleOf(alt[0], depth+1)
		}
	}
	if len(s.AllOf) > 0 || len(s.Properties) > 0 {
		obj := map[string]any{}
		for _, part := range s.AllOf {
			if m, ok := exampleOf(part, depth+1).(map[string]any); ok {
				for k, v := range m {
					obj[k] = v
				}
			}
		}
		for k, p := range s.Properties {
			obj[k] = exampleOf(p, depth+1)
		}
		return obj
	}
	switch {
	case s.Type.Is("array"):
		return []any{exampleOf(s.Items, depth+1)}
	case s.Type.Is("object"):
		return map[string]any{}
	case s.Type.Is("string"):
		return "text"
	case s.Type.Is("integer"), s.Type.Is("number"):
		return 1
	case s.Type.Is("boolean"):
		return true
	}
	return nil
}

// recorder keeps every body the fake answers.
type recorder struct {
	base   http.RoundTripper
	mu     sync.Mutex
	bodies [][]byte
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := r.base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	_, err = buf.ReadFrom(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	r.bodies = append(r.bodies, bytes.Clone(buf.Bytes()))
	r.mu.Unlock()
	resp.Body = readCloser{bytes.NewReader(buf.Bytes())}
	return resp, nil
}

type readCloser struct{ *bytes.Reader }

func (readCloser) Close() error { return nil }

// fakeBodies drives the fake through the operations the targets decode,
// answers and refusals both, and returns what it answered.
func fakeBodies(t testing.TB) [][]byte {
	t.Helper()
	srv := czertainlytest.NewTestServer(t)
	rec := &recorder{base: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: srv.TLSRootCAs(), MinVersion: tls.VersionTLS12}}}
	c, err := czertainly.NewClient(srv.URL, czertainly.WithBearerToken(czertainlytest.BearerToken), czertainly.WithTransport(rec), czertainly.WithMaxAttempts(1))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	csr, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: "fuzz.example.com"}}, key)
	if err != nil {
		t.Fatal(err)
	}
	sub, err := c.IssueCertificate(ctx, czertainly.IssueInput{Profile: profile, CSR: csr})
	if err != nil {
		t.Fatal(err)
	}
	_, _ = c.WaitForCertificate(ctx, sub.UUID, czertainly.WithPollInterval(0))
	_, _ = c.ListCertificatesPage(ctx, czertainly.CertificateQuery{}, 1)
	_, _ = c.GetCertificateChain(ctx, sub.UUID, true)
	_, _ = c.GetCertificateHistory(ctx, sub.UUID)
	_, _ = c.GetCertificate(ctx, fuzzUUID)
	_, _ = c.ListRAProfiles(ctx, nil)
	_, _ = c.ListIssueAttributes(ctx, profile)
	_, _ = c.ListUsers(ctx)
	_, _ = c.ListRoles(ctx)
	_, _ = c.GetAuthProfile(ctx)
	for _, err := range c.ListApprovals(ctx, czertainly.ApprovalQuery{}) {
		if err != nil {
			t.Fatal(err)
		}
		break // the first page's body is the seed
	}
	u := czertainly.UserInput{Username: "fuzz", Email: "fuzz@example.test", Enabled: true}
	if _, err := c.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	_, _ = c.CreateUser(ctx, u) // refused: the name is taken
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.bodies) < 10 {
		t.Fatalf("the fake answered only %d bodies", len(rec.bodies))
	}
	return rec.bodies
}

func fuzzSeeds(f *testing.F) [][]byte {
	out := docBodies(f)
	out = append(out, fakeBodies(f)...)
	for _, s := range fuzzHostileBodies {
		out = append(out, []byte(s))
	}
	return out
}

// FuzzDecodeError feeds a body to Core's error decoder, alone and through
// the transport for a non-2xx status: the status survives, a 422 list
// becomes Details and nothing else does, the package's kinds are set only
// for the statuses Core gives them, and the caps hold.
func FuzzDecodeError(f *testing.F) {
	for i, b := range fuzzSeeds(f) {
		f.Add(b, uint16(i*7), uint8(i), uint8(i))
	}
	for _, st := range []uint16{0, 1, 3, 9, 22, 102, 103} { // 400 401 403 409 422 502 503
		f.Add([]byte(`["a","b"]`), st, uint8(st), uint8(0))
		f.Add([]byte(`{"message":"Failed to submit certificate request. Error is related to connector","code":"ENTITY_NOT_UNIQUE"}`), st, uint8(st), uint8(1))
	}
	f.Fuzz(func(t *testing.T, body []byte, code uint16, which, ctype uint8) {
		status := 400 + int(code)%200

		e := &apierror.Error{Op: "czertainly.Fuzz", StatusCode: status}
		czertainly.DecodeError(e, body)
		if e.StatusCode != status || e.Op != "czertainly.Fuzz" || e.Err != nil || e.Kind != nil || e.Hint != "" || e.MessageKey != "" {
			t.Fatalf("decodeError changed fields it does not own: %+v", e)
		}
		trimmed := bytes.TrimSpace(body)
		if len(e.Details) > 0 && !bytes.HasPrefix(trimmed, []byte("[")) {
			t.Fatalf("details %q from a body that is not a list", e.Details)
		}
		if (e.Message != "" || e.Code != "") && !bytes.HasPrefix(trimmed, []byte("{")) && !bytes.HasPrefix(trimmed, []byte("[")) {
			t.Fatalf("message %q, code %q from a body that is neither object nor list", e.Message, e.Code)
		}
		czertainly.Annotate(e)
		checkKind(t, e.Kind, status)

		contentType := fuzzContentTypes[int(ctype)%len(fuzzContentTypes)]
		c := fuzzClient(t, fuzzcheck.CannedTransport{Status: status, ContentType: contentType, Body: body})
		ctx := context.Background()
		var err error
		switch which % 6 {
		case 0:
			_, err = c.GetCertificate(ctx, fuzzUUID)
		case 1:
			_, err = c.ListCertificatesPage(ctx, czertainly.CertificateQuery{}, 1)
		case 2:
			_, err = c.GetApproval(ctx, fuzzUUID)
		case 3:
			_, err = c.ListUsers(ctx)
		case 4:
			_, err = c.CreateRole(ctx, czertainly.RoleInput{Name: "r"})
		default:
			_, err = c.ListIssueAttributes(ctx, profile)
		}
		if err == nil {
			t.Fatalf("status %d passed for success", status)
		}
		ae := fuzzcheck.CheckError(t, err)
		if ae.StatusCode != status {
			t.Fatalf("error %v carries status %d, want %d", err, ae.StatusCode, status)
		}
		checkKind(t, ae.Kind, status)
		if status == http.StatusUnprocessableEntity && !errors.Is(err, czertainly.ErrValidation) && !errors.Is(err, czertainly.ErrHTMLResponse) {
			t.Fatalf("422 is not ErrValidation: %v", err)
		}
		if status == http.StatusConflict && !errors.Is(err, czertainly.ErrConflict) && !errors.Is(err, czertainly.ErrHTMLResponse) {
			t.Fatalf("409 is not ErrConflict: %v", err)
		}
	})
}

// checkKind asserts that the package's own kinds come only with the
// statuses Core gives them.
func checkKind(t *testing.T, kind error, status int) {
	t.Helper()
	switch {
	case kind == nil:
	case errors.Is(kind, czertainly.ErrValidation):
		if status != http.StatusUnprocessableEntity {
			t.Fatalf("ErrValidation for status %d", status)
		}
	case errors.Is(kind, czertainly.ErrConflict):
		if status != http.StatusConflict && status != http.StatusBadRequest {
			t.Fatalf("ErrConflict for status %d", status)
		}
	case errors.Is(kind, czertainly.ErrConnector):
		if status != http.StatusBadRequest && status != http.StatusBadGateway && status != http.StatusServiceUnavailable {
			t.Fatalf("ErrConnector for status %d", status)
		}
	}
}

// fuzzCSR is the request the submissions of FuzzDecode send, made once.
var fuzzCSR = sync.OnceValue(func() []byte {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	csr, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: "fuzz.example.com"}}, key)
	if err != nil {
		panic(err)
	}
	return csr
})

// FuzzDecode feeds a 200 body to every kind of answer the package
// decodes: a result exactly when there is no error, an HTML page never
// taken for one, a typed and capped error otherwise, and a list of
// certificates that ends within a bounded number of requests whatever
// the pages claim. The enrollment answers (issue, renew, rekey) are
// sent once, name the new certificate when they succeed, and an answer
// that cannot be read is an *UnknownOutcomeError: Core took the request
// and may issue, so the caller must not submit again.
func FuzzDecode(f *testing.F) {
	for i, b := range fuzzSeeds(f) {
		f.Add(b, uint8(i), false)
	}
	for i, b := range [][]byte{
		[]byte(`{"uuid":"` + fuzzUUID + `","certificateData":""}`),
		[]byte(`{"uuid":"","certificateData":"MIIB"}`),
		[]byte(`{"uuid":` + "7" + `}`),
		[]byte(`{"completeChain":true,"certificates":[{"uuid":"` + fuzzUUID + `","certificateContent":"MIIB"}]}`),
		[]byte(`[{"uuid":"` + fuzzUUID + `","event":"ISSUE","status":"SUCCESS","created":"2025-01-01T00:00:00.000+00:00"}]`),
	} {
		for which := uint8(10); which < 15; which++ {
			f.Add(b, which+uint8(i)*15, false)
		}
	}
	f.Fuzz(func(t *testing.T, body []byte, which uint8, htmlType bool) {
		contentType := "application/json"
		if htmlType {
			contentType = "text/html"
		}
		var n atomic.Int64
		c := fuzzClient(t, countingTransport{fuzzcheck.CannedTransport{Status: http.StatusOK, ContentType: contentType, Body: body}, &n})
		ctx := context.Background()
		var got bool
		var err error
		switch which % 15 {
		case 0:
			var p *czertainly.CertificatePage
			p, err = c.ListCertificatesPage(ctx, czertainly.CertificateQuery{}, 1)
			got = p != nil
		case 1:
			var d *czertainly.CertificateDetail
			d, err = c.GetCertificate(ctx, fuzzUUID)
			got = d != nil
		case 2:
			var a *czertainly.ApprovalDetail
			a, err = c.GetApproval(ctx, fuzzUUID)
			got = a != nil
		case 3:
			var u *czertainly.UserDetail
			u, err = c.GetUser(ctx, fuzzUUID)
			got = u != nil
		case 4:
			var r *czertainly.RoleDetail
			r, err = c.GetRole(ctx, fuzzUUID)
			got = r != nil
		case 5:
			var defs []czertainly.AttributeDefinition
			defs, err = c.ListIssueAttributes(ctx, profile)
			got = err == nil
			_ = defs
		case 6:
			var users []czertainly.User
			users, err = c.ListUsers(ctx)
			got = err == nil
			_ = users
		case 7:
			var p *czertainly.RAProfile
			p, err = c.GetRAProfile(ctx, "", fuzzUUID)
			got = p != nil
		case 8:
			// A list follows the pages the answers claim; a server that
			// repeats its page must not make it loop or yield twice.
			seen := map[string]int{}
			for crt, lerr := range c.ListCertificates(ctx, czertainly.CertificateQuery{}) {
				if lerr != nil {
					err = lerr
					break
				}
				seen[crt.UUID]++
				if seen[crt.UUID] > 1 && crt.UUID != "" {
					t.Fatalf("certificate %q yielded twice", crt.UUID)
				}
			}
			if n.Load() > 3 {
				t.Fatalf("a list of one repeated page took %d requests", n.Load())
			}
			got = err == nil
		case 10, 11, 12:
			var s *czertainly.Submitted
			switch which % 15 {
			case 10:
				s, err = c.IssueCertificate(ctx, czertainly.IssueInput{Profile: profile, CSR: fuzzCSR()})
			case 11:
				s, err = c.RenewCertificate(ctx, czertainly.RenewInput{Profile: profile, CertificateUUID: fuzzUUID})
			default:
				s, err = c.RekeyCertificate(ctx, czertainly.RekeyInput{Profile: profile, CertificateUUID: fuzzUUID, CSR: fuzzCSR()})
			}
			got = s != nil
			if n.Load() != 1 {
				t.Fatalf("a submission answered 200 was sent %d times", n.Load())
			}
			if err == nil && s.UUID == "" {
				t.Fatalf("a submission succeeded naming no certificate: %+v", s)
			}
			var ue *czertainly.UnknownOutcomeError
			if err != nil && !errors.As(err, &ue) {
				t.Fatalf("an unreadable answer to an accepted submission is %T %v, want *UnknownOutcomeError", err, err)
			}
		case 13:
			var ch *czertainly.Chain
			ch, err = c.GetCertificateChain(ctx, fuzzUUID, true)
			got = ch != nil
		case 14:
			var h []czertainly.CertificateEvent
			h, err = c.GetCertificateHistory(ctx, fuzzUUID)
			got = err == nil
			_ = h
		default:
			for _, lerr := range c.ListApprovals(ctx, czertainly.ApprovalQuery{}) {
				if lerr != nil {
					err = lerr
					break
				}
			}
			if n.Load() > 3 {
				t.Fatalf("a list of one repeated page took %d requests", n.Load())
			}
			got = err == nil
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
		// Core's error bodies sent with 200 are errors too (ErrVendor).
		if !errors.Is(err, czertainly.ErrUnexpectedResponse) && !errors.Is(err, czertainly.ErrHTMLResponse) &&
			!errors.Is(err, czertainly.ErrPagingMismatch) && !errors.Is(err, czertainly.ErrVendor) {
			t.Fatalf("200 answer gave error %v", err)
		}
	})
}

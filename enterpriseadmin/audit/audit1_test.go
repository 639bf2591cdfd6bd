//go:build audit

package audit_test

// Evidence: /work/shared/seeds/004_cf460ca1b3b4ca32.txt (ArcGIS Enterprise
// Administrator API certificate resource; seed004:<line>) and
// vendor-notes.md §4.

import (
	"context"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/certadmin/certadmin-go/enterpriseadmin"
	"github.com/certadmin/certadmin-go/internal/audit"
)

type eaServer struct {
	t        *testing.T
	mu       sync.Mutex
	cnt      audit.Counter
	tokens   int
	valid    string
	rejectN  int    // how many requests to reject with a token error
	rejShape string // "error" or "status"
	genForms []map[string][]string
	postForm []map[string][]string
	getQuery []string
	delMode  string
	failBody string
}

func newEA(t *testing.T) (*eaServer, *enterpriseadmin.Client) {
	s := &eaServer{t: t, rejShape: "error"}
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	c, err := enterpriseadmin.NewClient(ts.URL+"/arcgis", enterpriseadmin.WithCredentials("admin", "pw"),
		enterpriseadmin.WithRetry(enterpriseadmin.RetryPolicy{MaxAttempts: 2, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond}))
	if err != nil {
		t.Fatal(err)
	}
	return s, c
}

const eaIdentity = `{"validUntilAsEpoch":1933151563000,"keyAlgorithm":"RSA","serialNumber":"178abe43781","keySize":2048,"subject":"CN=saml.default","subjectAlternativeNames":[],"sha1Fingerprint":"75ea543024edc07116acde3d1df598416efd86c2","validFrom":"Wed Apr 07 10:32:43 UTC 2021","type":"IDENTITY","version":3,"md5Fingerprint":"116787abd37b628f4e5d7e044c2284fc","issuer":"CN=saml.default","signatureAlgorithm":"SHA256withRSA","keyUsage":[],"name":"samlcert","sha256Fingerprint":"064c9b092d17485285b4dbcf218a3d9ee27ff01dec75ad166036716ae5a5dbaa","validUntil":"Sat Apr 05 10:32:43 UTC 2031","id":"cc1mm3jpkfkhnkx243mp1","validFromAsEpoch":1617791563000}`

func (s *eaServer) tokenOf(r *http.Request) string {
	if v := r.Header.Get("X-Esri-Authorization"); v != "" {
		return strings.TrimPrefix(v, "Bearer ")
	}
	if v := r.URL.Query().Get("token"); v != "" {
		return v
	}
	return r.PostFormValue("token")
}

func (s *eaServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var err error
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
		err = r.ParseMultipartForm(1 << 20)
	} else {
		err = r.ParseForm()
	}
	if err != nil {
		s.t.Errorf("%s %s: the form does not parse: %v", r.Method, r.URL.Path, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cnt.Inc(r.Method + " " + r.URL.Path)
	w.Header().Set("Content-Type", "application/json")
	if r.URL.Path == "/arcgis/sharing/rest/generateToken" {
		// vendor-notes §4 generateToken: POST form username, password, client,
		// referer, expiration, f; answer {token, expires (epoch ms), ssl}.
		s.genForms = append(s.genForms, r.PostForm)
		s.tokens++
		s.valid = fmt.Sprintf("tok%d", s.tokens)
		fmt.Fprintf(w, `{"token":%q,"expires":%d,"ssl":false}`, s.valid, time.Now().Add(time.Hour).UnixMilli())
		return
	}
	if r.Method == "GET" {
		s.getQuery = append(s.getQuery, r.URL.RawQuery)
	} else {
		s.postForm = append(s.postForm, r.PostForm)
		if r.MultipartForm != nil {
			s.postForm = append(s.postForm, r.MultipartForm.Value)
		}
	}
	tok := s.tokenOf(r)
	if s.rejectN > 0 || tok != s.valid {
		if s.rejectN > 0 {
			s.rejectN--
		}
		// vendor-notes §4 Errors: HTTP 200 with {"error":{"code":498,…}}
		// (Esri/ArcREST#266), or the admin shape {"status":"error",
		// "messages":["Token Expired."],"code":498} (Esri/arcgis-python-api#1558).
		if s.rejShape == "status" {
			_, _ = io.WriteString(w, `{"status":"error","messages":["Token Expired."],"code":498}`)
		} else {
			_, _ = io.WriteString(w, `{"error":{"code":498,"message":"Invalid token.","details":[]}}`)
		}
		return
	}
	switch {
	case r.Method == "GET" && strings.HasPrefix(r.URL.Path, "/arcgis/admin/security/certificates/identity/"):
		_, _ = io.WriteString(w, eaIdentity) // seed004 JSON Response example
	case r.Method == "POST" && strings.HasSuffix(r.URL.Path, "/delete"):
		if s.delMode == "drop" {
			audit.DropConn(w)
			return
		}
		if s.failBody != "" {
			_, _ = io.WriteString(w, s.failBody)
			return
		}
		_, _ = io.WriteString(w, `{"status":"success"}`) // vendor-notes §4 delete → {"status":"success"}
	case r.Method == "POST" && strings.HasSuffix(r.URL.Path, "/trust/import"):
		_, _ = io.WriteString(w, `{"status":"success"}`)
	default:
		w.WriteHeader(404)
	}
}

// generateToken request shape (vendor-notes §4: POST form username,
// password, client=referer, referer, expiration (minutes), f) and GET shape:
// f=json is needed (default HTML), token via X-Esri-Authorization or query.
func TestEA_TokenAndGetShape(t *testing.T) {
	s, c := newEA(t)
	crt, err := c.GetIdentityCertificate(context.Background(), "cc1mm3jpkfkhnkx243mp1")
	if err != nil {
		t.Fatal(err)
	}
	if crt.ValidUntil.UnixMilli() != 1933151563000 || crt.SHA256Fingerprint == "" {
		t.Errorf("decoded %+v", crt)
	}
	if len(s.genForms) != 1 {
		t.Fatalf("generateToken calls %d", len(s.genForms))
	}
	g := s.genForms[0]
	for _, k := range []string{"username", "password", "client", "f", "expiration"} {
		if len(g[k]) == 0 {
			t.Errorf("generateToken lacks %s: %v", k, keys(g))
		}
	}
	if cl := g["client"]; len(cl) > 0 && cl[0] == "referer" && len(g["referer"]) == 0 {
		t.Error("client=referer without referer")
	}
	if q := s.getQuery[0]; !strings.Contains(q, "f=json") && !strings.Contains(q, "f=pjson") {
		t.Errorf("GET without f=json: %q", q)
	}
}

func keys(m map[string][]string) []string {
	var out []string
	for k := range m {
		if k != "password" {
			out = append(out, k)
		}
	}
	return out
}

// Token rejected inside a 200 (both shapes): regenerate once and retry once.
func TestEA_TokenRejected_RefreshOnce(t *testing.T) {
	for _, shape := range []string{"error", "status"} {
		t.Run(shape, func(t *testing.T) {
			s, c := newEA(t)
			s.rejShape = shape
			if _, err := c.GetIdentityCertificate(context.Background(), "x"); err != nil {
				t.Fatal(err)
			}
			s.rejectN = 1
			if _, err := c.GetIdentityCertificate(context.Background(), "x"); err != nil {
				t.Errorf("after one rejection: %v", err)
			}
			if s.tokens != 2 {
				t.Errorf("tokens generated %d, want 2", s.tokens)
			}
			s.rejectN = 5
			_, err := c.GetIdentityCertificate(context.Background(), "x")
			if !enterpriseadmin.IsTokenError(err) || !errors.Is(err, enterpriseadmin.ErrUnauthorized) {
				t.Errorf("persistent rejection: %v", err)
			}
			if s.tokens != 3 {
				t.Errorf("tokens generated %d, want 3 (one refresh per call)", s.tokens)
			}
		})
	}
}

// "all POST requests … must include a token in the request body" (seed004:5).
func TestEA_PostCarriesTokenInBody(t *testing.T) {
	s, c := newEA(t)
	ca := audit.NewCA(t)
	err := c.ImportTrustCertificate(context.Background(), enterpriseadmin.ImportTrustCertificateInput{Name: "rootca", Certificate: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.Cert.Raw})})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteIdentityCertificate(context.Background(), "cc1"); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range s.postForm {
		if len(f["token"]) > 0 && f["token"][0] != "" {
			n++
		}
	}
	if n < 2 {
		t.Errorf("POST bodies with a token: %d of 2 (%v)", n, s.postForm)
	}
}

// Delete answer lost: never resent.
func TestEA_DeleteDropped_NoResend(t *testing.T) {
	s, c := newEA(t)
	s.delMode = "drop"
	if err := c.DeleteIdentityCertificate(context.Background(), "cc1"); err == nil {
		t.Fatal("no error")
	}
	if n := s.cnt.Get("POST /arcgis/admin/security/certificates/identity/cc1/delete"); n != 1 {
		t.Errorf("delete sent %d times", n)
	}
}

// vendor-notes §4: arcgis-rest-js check-for-errors treats status:"failed"
// bodies as errors; {"status":"error","code":404} as not found.
func TestEA_StatusFailedAndError404(t *testing.T) {
	s, c := newEA(t)
	s.failBody = `{"status":"failed","messages":["Certificate is in use"]}`
	if err := c.DeleteIdentityCertificate(context.Background(), "cc1"); !errors.Is(err, enterpriseadmin.ErrVendor) {
		t.Errorf("status failed: %v", err)
	}
	s.failBody = `{"status":"error","messages":["Certificate not found"],"code":404}`
	if err := c.DeleteIdentityCertificate(context.Background(), "cc1"); !errors.Is(err, enterpriseadmin.ErrNotFound) {
		t.Errorf("status error 404: %v", err)
	}
}

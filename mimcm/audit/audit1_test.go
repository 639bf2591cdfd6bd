//go:build audit

package audit_test

// Evidence: /work/shared/reference/mimcm/*.md (MicrosoftDocs/MIMDocs
// reference pages) and /work/shared/reference/vendor-notes.md §2.

import (
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"software.sslmate.com/src/go-pkcs12"

	"github.com/certadmin/certadmin-go/internal/audit"
	"github.com/certadmin/certadmin-go/mimcm"
)

const mimBase = "/CertificateManagement/api/v1.0/"

type mimReq struct {
	ID       uuid.UUID
	Type     int
	Status   int
	Template uuid.UUID
	OldProf  uuid.UUID
}

type mimServer struct {
	t   *testing.T
	ca  *audit.CA
	cnt audit.Counter
	mu  sync.Mutex

	reqs         map[uuid.UUID]*mimReq
	createBodies []map[string]any
	certBodies   []map[string]any
	putBodies    []map[string]any
	queries      []string

	createMode    string // "drop"
	certdataMode  string // "drop", "500", "wrongkey", "pfx", "pfx-wrongpw"
	completeMode  string // "drop", "500"
	initialStatus int
	profiles      map[uuid.UUID]string // profile JSON
	issued        []*x509.Certificate
}

func newMIM(t *testing.T) (*mimServer, *mimcm.Client) {
	s := &mimServer{t: t, ca: audit.NewCA(t), reqs: map[uuid.UUID]*mimReq{}, initialStatus: 3, profiles: map[uuid.UUID]string{}}
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	c, err := mimcm.NewClient(ts.URL, mimcm.WithRetry(mimcm.RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond}))
	if err != nil {
		t.Fatal(err)
	}
	return s, c
}

func (s *mimServer) writeJSON(w http.ResponseWriter, code int, v any) {
	// service-details.md "HTTP request and response headers": the API always
	// returns application/json.
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func (s *mimServer) reqJSON(r *mimReq) map[string]any {
	// get-request.md "Example: Response 1"; numeric RequestType/Status.
	zero := "00000000-0000-0000-0000-000000000000"
	old := zero
	if r.OldProf != uuid.Nil {
		old = r.OldProf.String()
	}
	return map[string]any{
		"Uuid": r.ID.String(), "RequestType": r.Type, "Status": r.Status, "Flags": 2,
		"DataCollection": []any{}, "DataCollectionFlags": 32,
		"OriginatorUserUuid": "8f1590dc-d932-4b66-8e68-2e91c5880780", "TargetUserUuid": "8f1590dc-d932-4b66-8e68-2e91c5880780",
		"Submitted": "2015-07-07T23:36:21.93Z", "Completed": "0001-01-01T00:00:00",
		"NewProfileUuid": zero, "OldProfileUuid": old, "NewSmartcardUuid": zero, "OldSmartcardUuid": zero,
		"Priority": 0, "Comment": "", "ProfileTemplateUuid": r.Template.String(),
		"SecurityDescriptor": "O:S-1-5\u0000\u0000", "IsSmartcard": false, "IsEnrollmentAgent": false, "IsDataCollectionComplete": true,
	}
}

func (s *mimServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !strings.HasPrefix(strings.ToLower(r.URL.Path), strings.ToLower(mimBase)) {
		// service-details.md "Enable the API": 404 when disabled/unknown.
		w.WriteHeader(404)
		return
	}
	p := strings.Trim(r.URL.Path[len(mimBase):], "/")
	parts := strings.Split(p, "/")
	key := r.Method + " " + parts[0]
	if len(parts) >= 3 {
		key += "/*/" + parts[2]
	} else if len(parts) == 2 {
		key += "/*"
	}
	n := s.cnt.Inc(key)
	_ = n
	var body map[string]any
	if r.Body != nil {
		b, _ := io.ReadAll(r.Body)
		if len(b) > 0 {
			if err := json.Unmarshal(b, &body); err != nil {
				s.t.Errorf("%s: body is not a JSON object: %s", key, b)
			}
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.queries = append(s.queries, r.Method+" "+r.URL.RequestURI())
	switch key {
	case "POST requests":
		// create-request.md: POST requests → 201, body the quoted relative URI.
		s.createBodies = append(s.createBodies, body)
		if s.createMode == "drop" {
			id := uuid.New()
			s.reqs[id] = &mimReq{ID: id, Type: 1, Status: s.initialStatus}
			audit.DropConn(w)
			return
		}
		id := uuid.New()
		typ := 1
		if fmt.Sprint(body["type"]) == "Renew" {
			typ = 99 // number not published (vendor-notes §2)
		}
		tmpl, _ := uuid.Parse(fmt.Sprint(body["profiletemplateuuid"]))
		var old uuid.UUID
		if v, ok := body["profile"]; ok {
			old, _ = uuid.Parse(fmt.Sprint(v))
		}
		s.reqs[id] = &mimReq{ID: id, Type: typ, Status: s.initialStatus, Template: tmpl, OldProf: old}
		s.writeJSON(w, 201, "api/v1.0/requests/"+id.String())
	case "GET requests":
		var out []any
		for _, q := range s.reqs {
			out = append(out, s.reqJSON(q))
		}
		if len(out) == 0 {
			w.WriteHeader(204) // get-request.md response codes: 204 No content
			return
		}
		s.writeJSON(w, 200, out)
	case "GET requests/*":
		id, _ := uuid.Parse(parts[1])
		q := s.reqs[id]
		if q == nil {
			w.WriteHeader(204)
			return
		}
		s.writeJSON(w, 200, s.reqJSON(q))
	case "GET requests/*/certificaterequestgenerationoptions":
		// get-certificate-request-generation-options.md example response.
		s.writeJSON(w, 200, []any{map[string]any{"Subject": "", "KeyAlgorithmName": "RSA", "KeySize": 2048, "FriendlyName": "",
			"HashAlgorithmName": "SHA256", "KeyStorageProviderNames": []string{"Microsoft Software Key Storage Provider"},
			"Exportable": 0, "KeyProtectionLevel": 0, "KeyUsages": 3}})
	case "POST requests/*/certificatedata":
		// get-certificate-responses.md: body pfxpassword, certificaterequests.
		s.certBodies = append(s.certBodies, body)
		switch s.certdataMode {
		case "drop":
			audit.DropConn(w)
			return
		case "500":
			// service-details.md "Error handling": unhandled exception → 500
			// with a correlation ID in the message.
			s.writeJSON(w, 500, map[string]any{"Message": "An error has occurred. Correlation ID: 5d1c2c1e-1b7e-4f43-9c55-6f1b2c3d4e5f"})
			return
		}
		reqs, _ := body["certificaterequests"].([]any)
		var items []any
		for _, cr := range reqs {
			der, err := base64.StdEncoding.DecodeString(strings.NewReplacer("\r", "", "\n", "").Replace(fmt.Sprint(cr)))
			if err != nil {
				s.t.Errorf("certificate request is not base64: %v", err)
				continue
			}
			csr, err := x509.ParseCertificateRequest(der)
			if err != nil {
				s.t.Errorf("certificate request is not PKCS#10: %v", err)
				continue
			}
			pub := csr.PublicKey
			if s.certdataMode == "wrongkey" {
				other := audit.NewCA(s.t)
				pub = other.Key.Public()
			}
			crt := s.ca.Issue(s.t, pub, "Audit User")
			s.issued = append(s.issued, crt)
			items = append(items, map[string]any{"TemplateCommonName": "User", "CertificateId": 0, "Flags": 65536, "UseLocalMachineStore": false,
				"Error": nil, "Pkcs7": base64.StdEncoding.EncodeToString(audit.DegeneratePKCS7(crt, s.ca.Cert)), "Pfx": nil,
				"IsExternal": false, "isServerGenerated": false, "isPfx": false, "isPkcs7": true, "isKeyHistory": false})
		}
		if s.certdataMode == "itemerror" {
			// get-certificate-responses.md Response body: "Error | Any error
			// that was encountered when processing the certificate request."
			items = []any{map[string]any{"TemplateCommonName": "User", "CertificateId": 0, "Flags": 0, "UseLocalMachineStore": false,
				"Error": "The request was denied by the certification authority.", "Pkcs7": nil, "Pfx": nil,
				"IsExternal": false, "isServerGenerated": false, "isPfx": false, "isPkcs7": false, "isKeyHistory": false}}
		}
		if s.certdataMode == "pfx" || s.certdataMode == "pfx-wrongpw" {
			// get-certificate-responses.md IMPORTANT note: more responses than
			// requests; keys generated on the server come as PFX protected
			// by pfxpassword.
			k := audit.NewCA(s.t).Key
			crt := s.ca.Issue(s.t, k.Public(), "Audit User (server key)")
			s.issued = append(s.issued, crt)
			pw := fmt.Sprint(body["pfxpassword"])
			if s.certdataMode == "pfx-wrongpw" {
				pw = "not-the-password"
			}
			pfx, err := pkcs12.Modern.Encode(k, crt, []*x509.Certificate{s.ca.Cert}, pw)
			if err != nil {
				s.t.Fatal(err)
			}
			items = []any{map[string]any{"TemplateCommonName": "User", "CertificateId": 1, "Flags": 0, "UseLocalMachineStore": false,
				"Error": nil, "Pkcs7": nil, "Pfx": base64.StdEncoding.EncodeToString(pfx),
				"IsExternal": false, "isServerGenerated": true, "isPfx": true, "isPkcs7": false, "isKeyHistory": false}}
		}
		for _, q := range s.reqs {
			if q.ID.String() == strings.ToLower(parts[1]) {
				q.Status = 4 // executing; number not published
			}
		}
		s.writeJSON(w, 200, items)
	case "PUT requests/*":
		// cancel-abandon-complete-request.md: PUT {"status":"Completed"} → 200 Request, Status 8.
		s.putBodies = append(s.putBodies, body)
		switch s.completeMode {
		case "drop":
			audit.DropConn(w)
			return
		case "500":
			s.writeJSON(w, 500, map[string]any{"Message": "An error has occurred. Correlation ID: 0d1c2c1e-1b7e-4f43-9c55-6f1b2c3d4e5f"})
			return
		}
		id, _ := uuid.Parse(parts[1])
		q := s.reqs[id]
		if q == nil {
			w.WriteHeader(204)
			return
		}
		if fmt.Sprint(body["status"]) == "Completed" {
			q.Status = 8
		}
		s.writeJSON(w, 200, s.reqJSON(q))
	case "POST smartcards":
		// assign-smartcard-to-request.md: body requestid, cardid, atr → 201
		// "api/v1.0/smartcards/{guid}".
		s.createBodies = append(s.createBodies, body)
		s.writeJSON(w, 201, "api/v1.0/smartcards/17cf063d-e337-4aa9-a822-346554ddd3c9")
	case "PUT requests/*/smartcards":
		// update-smartcard-status.md example: PUT …/requests/{reqid}/smartcards/{scid}, body status.
		s.putBodies = append(s.putBodies, body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"Uuid":"17cf063d-e337-4aa9-a822-346554ddd3c9","Status":6,"Flags":1,"ParentSmartcardUuid":"00000000-0000-0000-0000-000000000000","PrimarySmartcardUuid":"00000000-0000-0000-0000-000000000000","PermanentSmartcardUuid":"00000000-0000-0000-0000-000000000000","AssignedUserUuid":"8f1590dc-d932-4b66-8e68-2e91c5880780","ProfileTemplateUuid":"a039b4d0-5ce8-4eff-8651-181c6576fda3","ProfileTemplateVersion":46,"Comment":"","SerialNumber":"{bc88f13f-83ba-4037-8262-46eba1291c6e}","Middleware":"MSBaseCSP","Atr":"3b8d0180fba000000397425446590301c8"}`)
	case "GET profiletemplates/*/policies":
		// get-workflow-policy.md / walkthrough step 3: …/policies/enroll.
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"ApprovalsNeeded":0,"AuthorizedApprover":null,"AuthorizedEnrollmentAgent":null,"CollectComments":false,"DataCollection":[],"Enabled":true,"EnrollAgentRequired":false,"NotificationsEnabled":false,"ApprovalsRequired":false}`)
	case "GET profiles/*":
		id, _ := uuid.Parse(parts[1])
		if pj, ok := s.profiles[id]; ok {
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, pj)
			return
		}
		w.WriteHeader(204)
	default:
		s.t.Logf("stand-in: unhandled %s %s", r.Method, r.URL.Path)
		w.WriteHeader(404)
	}
}

func enrollErr(t *testing.T, err error) *mimcm.EnrollError {
	t.Helper()
	var ee *mimcm.EnrollError
	if !errors.As(err, &ee) {
		t.Fatalf("error is not an *EnrollError: %v", err)
	}
	return ee
}

var mimTemplate = uuid.MustParse("a039b4d0-5ce8-4eff-8651-181c6576fda3")

// Happy path and request shapes: create-request.md (Request body; Example 1),
// get-certificate-responses.md (Request body), cancel-abandon-complete-request.md.
func TestMIM_Enroll_RequestShapes(t *testing.T) {
	s, c := newMIM(t)
	e, err := c.EnrollSoftwareCertificate(context.Background(), mimcm.EnrollInput{ProfileTemplateUUID: mimTemplate, PFXPassword: "pw-123"})
	if err != nil {
		t.Fatalf("enroll: %v", err)
	}
	if e.Certificate == nil || e.PrivateKey == nil {
		t.Fatal("no certificate or key")
	}
	if len(s.createBodies) != 1 {
		t.Fatalf("creates: %d", len(s.createBodies))
	}
	cb := s.createBodies[0]
	// create-request.md: profiletemplateuuid, datacollection, type and comment
	// are Required ("An empty string can be specified" for comment).
	for _, k := range []string{"profiletemplateuuid", "datacollection", "type", "comment"} {
		if _, ok := cb[k]; !ok {
			t.Errorf("create body lacks required %q: %v", k, cb)
		}
	}
	if cb["type"] != "Enroll" {
		t.Errorf("type = %v", cb["type"])
	}
	if len(s.certBodies) != 1 {
		t.Fatalf("certificatedata posts: %d", len(s.certBodies))
	}
	if s.certBodies[0]["pfxpassword"] != "pw-123" {
		t.Errorf("pfxpassword = %v", s.certBodies[0]["pfxpassword"])
	}
	if len(s.putBodies) != 1 || s.putBodies[0]["status"] != "Completed" {
		t.Errorf("completion bodies: %v", s.putBodies)
	}
}

// Invariant "nothing issued twice": get-certificate-responses.md — the POST
// submits the requests to the CA; an answer lost after it reached the server
// leaves issuance unknown. The call must not be repeated and the error must
// say ErrIssuanceUnknown with the request ID.
func TestMIM_Enroll_CertDataDropped_NoResend(t *testing.T) {
	s, c := newMIM(t)
	s.certdataMode = "drop"
	_, err := c.EnrollSoftwareCertificate(context.Background(), mimcm.EnrollInput{ProfileTemplateUUID: mimTemplate})
	if err == nil {
		t.Fatal("no error")
	}
	if n := s.cnt.Get("POST requests/*/certificatedata"); n != 1 {
		t.Errorf("certificatedata sent %d times, want 1", n)
	}
	ee := enrollErr(t, err)
	if !errors.Is(err, mimcm.ErrIssuanceUnknown) || ee.Stage != mimcm.EnrollStageSubmitting || ee.RequestID == uuid.Nil {
		t.Errorf("stage %v, req %v, err %v", ee.Stage, ee.RequestID, err)
	}
	if n := s.cnt.Get("PUT requests/*"); n != 0 {
		t.Errorf("request status changed %d times after unknown issuance", n)
	}
}

// service-details.md "Error handling": a 500 is an unhandled exception whose
// point of failure the client cannot know; certificatedata must not be resent.
func TestMIM_Enroll_CertData500_NoResend(t *testing.T) {
	s, c := newMIM(t)
	s.certdataMode = "500"
	_, err := c.EnrollSoftwareCertificate(context.Background(), mimcm.EnrollInput{ProfileTemplateUUID: mimTemplate})
	if err == nil {
		t.Fatal("no error")
	}
	if n := s.cnt.Get("POST requests/*/certificatedata"); n != 1 {
		t.Errorf("certificatedata sent %d times, want 1", n)
	}
	if !errors.Is(err, mimcm.ErrServer) {
		t.Errorf("not ErrServer: %v", err)
	}
	if got := mimcm.CorrelationID(err); got != "5d1c2c1e-1b7e-4f43-9c55-6f1b2c3d4e5f" {
		t.Errorf("CorrelationID = %q", got)
	}
	ee := enrollErr(t, err)
	t.Logf("stage after 500 on certificatedata: %v (issuance unknown: %v) next=%q", ee.Stage, errors.Is(err, mimcm.ErrIssuanceUnknown), ee.Next)
}

// Invariant "issued material never lost": the certificates arrived
// (get-certificate-responses.md) and the completion PUT
// (cancel-abandon-complete-request.md) fails: the error must carry the
// certificate and the generated key.
func TestMIM_Enroll_CompleteFails_MaterialInError(t *testing.T) {
	for _, mode := range []string{"500", "drop"} {
		t.Run(mode, func(t *testing.T) {
			s, c := newMIM(t)
			s.completeMode = mode
			_, err := c.EnrollSoftwareCertificate(context.Background(), mimcm.EnrollInput{ProfileTemplateUUID: mimTemplate})
			if err == nil {
				t.Fatal("no error")
			}
			ee := enrollErr(t, err)
			if ee.Stage != mimcm.EnrollStageCertificatesReceived || ee.Result == nil || ee.Result.Certificate == nil || ee.Result.PrivateKey == nil {
				t.Fatalf("material not in error: stage %v result %+v", ee.Stage, ee.Result)
			}
			if !ee.Result.Certificate.Equal(s.issued[0]) {
				t.Error("certificate in error is not the issued one")
			}
			if n := s.cnt.Get("POST requests/*/certificatedata"); n != 1 {
				t.Errorf("certificatedata sent %d times", n)
			}
		})
	}
}

// Invariant "issued material never lost" for server-generated keys
// (get-certificate-responses.md: PFX protected by pfxpassword; walkthrough
// step 26). With no caller password the SDK picks a random one; when the
// completion then fails, the key must still reach the caller.
func TestMIM_Enroll_ServerKeyPFX_CompleteFails_KeyInError(t *testing.T) {
	s, c := newMIM(t)
	s.certdataMode = "pfx"
	s.completeMode = "500"
	_, err := c.EnrollSoftwareCertificate(context.Background(), mimcm.EnrollInput{ProfileTemplateUUID: mimTemplate})
	if err == nil {
		t.Fatal("no error")
	}
	ee := enrollErr(t, err)
	if ee.Result == nil || ee.Result.PrivateKey == nil || ee.Result.Certificate == nil {
		t.Fatalf("server-generated key lost: stage %v result %+v err %v", ee.Stage, ee.Result, err)
	}
	if !ee.Result.Certificate.Equal(s.issued[len(s.issued)-1]) {
		t.Error("certificate in error is not the issued one")
	}
}

// A PFX that does not open with the password (ErrPFXPassword): the blob was
// issued; it must be handed back in the error's documented material field
// (EnrollError.Received), not dropped.
func TestMIM_Enroll_PFXWrongPassword_BlobInError(t *testing.T) {
	s, c := newMIM(t)
	s.certdataMode = "pfx-wrongpw"
	_, err := c.EnrollSoftwareCertificate(context.Background(), mimcm.EnrollInput{ProfileTemplateUUID: mimTemplate, PFXPassword: "mine"})
	if !errors.Is(err, mimcm.ErrPFXPassword) {
		t.Fatalf("want ErrPFXPassword, got %v", err)
	}
	ee := enrollErr(t, err)
	if r := ee.Received; r == nil || len(r.Issued) == 0 || len(r.Issued[0].PFX) == 0 || r.PFXPassword != "mine" {
		t.Errorf("issued PFX and its password not in error: stage %v received %v", ee.Stage, ee.Received)
	}
	if n := s.cnt.Get("POST requests/*/certificatedata"); n != 1 {
		t.Errorf("certificatedata sent %d times", n)
	}
}

// Certificates arrived but none carries the generated key (ErrKeyMismatch):
// they were issued; the error must hand them back.
func TestMIM_Enroll_KeyMismatch_CertsInError(t *testing.T) {
	s, c := newMIM(t)
	s.certdataMode = "wrongkey"
	_, err := c.EnrollSoftwareCertificate(context.Background(), mimcm.EnrollInput{ProfileTemplateUUID: mimTemplate})
	if !errors.Is(err, mimcm.ErrKeyMismatch) {
		t.Fatalf("want ErrKeyMismatch, got %v", err)
	}
	ee := enrollErr(t, err)
	if r := ee.Received; r == nil || len(r.Issued) == 0 || len(r.Certificates) == 0 || len(r.Keys) == 0 {
		t.Errorf("issued certificates not in error: stage %v received %v", ee.Stage, ee.Received)
	}
	_ = s
}

// create-request.md: POST requests creates a request; a lost answer may have
// created it. Never resent; the error names the Creating stage.
func TestMIM_Enroll_CreateDropped_NoResend(t *testing.T) {
	s, c := newMIM(t)
	s.createMode = "drop"
	_, err := c.EnrollSoftwareCertificate(context.Background(), mimcm.EnrollInput{ProfileTemplateUUID: mimTemplate})
	if err == nil {
		t.Fatal("no error")
	}
	if n := s.cnt.Get("POST requests"); n != 1 {
		t.Errorf("create sent %d times, want 1", n)
	}
	ee := enrollErr(t, err)
	if ee.Stage != mimcm.EnrollStageCreating {
		t.Errorf("stage %v", ee.Stage)
	}
}

// Resume must check the server's state first: a request already completed
// (Status 8, cancel-abandon-complete-request.md example) must not be executed
// again.
func TestMIM_Resume_CompletedRequest_NoResubmit(t *testing.T) {
	s, c := newMIM(t)
	id := uuid.New()
	s.reqs[id] = &mimReq{ID: id, Type: 1, Status: 8, Template: mimTemplate}
	_, err := c.ResumeEnrollment(context.Background(), &mimcm.PendingError{RequestID: id}, mimcm.WithApprovalWait(0))
	if err == nil {
		t.Error("resuming a completed request succeeded")
	}
	if n := s.cnt.Get("POST requests/*/certificatedata"); n != 0 {
		t.Errorf("certificatedata sent %d times for a completed request", n)
	}
}

// Re-running a renewal renews nothing new. get-profile-data.md: a profile's
// ProfileOperations is "the list of possible operations that can be performed
// by the current user on the profile. A request can then be initiated for any
// of the specified operations." After the first renewal the old profile no
// longer offers "renew"; a re-run must not create another Renew request.
func TestMIM_Renew_Rerun_NoNewRequest(t *testing.T) {
	s, c := newMIM(t)
	old := uuid.MustParse("c0dd5c7d-ec35-4346-baca-3ad711e9722f")
	// Profile as after its renewal: status no longer 2 (Active, the
	// ?status=Active sample of get-profile-data.md), no "renew" operation.
	s.profiles[old] = `{"Uuid":"c0dd5c7d-ec35-4346-baca-3ad711e9722f","Status":5,"Flags":1,"ParentProfileUuid":"00000000-0000-0000-0000-000000000000","PrimaryProfileUuid":"00000000-0000-0000-0000-000000000000","AssignedUserUuid":"0378a33b-8650-4713-a727-efd233903643","ProfileTemplateUuid":"a039b4d0-5ce8-4eff-8651-181c6576fda3","ProfileTemplateVersion":8,"Comment":"","ProfileOperations":[]}`
	_, err := c.RenewSoftwareCertificate(context.Background(), old, mimcm.EnrollInput{})
	if n := s.cnt.Get("POST requests"); n != 0 {
		t.Errorf("re-run of a renewal created %d new request(s) for a profile that offers no renew operation (err=%v)", n, err)
	}
}

// Error mapping. service-details.md "Enable the API": disabled API → 404 on
// every endpoint; get-request.md: 204 for an unknown GUID, 403 Forbidden.
func TestMIM_ErrorMapping(t *testing.T) {
	for _, tc := range []struct {
		code int
		want error
	}{{404, mimcm.ErrNotFound}, {403, mimcm.ErrForbidden}, {204, mimcm.ErrNotFound}, {500, mimcm.ErrServer}} {
		t.Run(fmt.Sprint(tc.code), func(t *testing.T) {
			ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tc.code == 500 {
					w.Header().Set("Content-Type", "application/json")
					w.WriteHeader(500)
					_, _ = io.WriteString(w, `{"Message":"An error has occurred. Correlation ID: 11111111-2222-3333-4444-555555555555"}`)
					return
				}
				w.WriteHeader(tc.code)
			}))
			defer ts.Close()
			c, _ := mimcm.NewClient(ts.URL, mimcm.WithMaxAttempts(1))
			_, err := c.GetRequest(context.Background(), uuid.New())
			if !errors.Is(err, tc.want) {
				t.Errorf("got %v, want %v", err, tc.want)
			}
		})
	}
}

// get-request.md query parameters: targetuser=current and status by name.
func TestMIM_ListRequests_Query(t *testing.T) {
	s, c := newMIM(t)
	_, err := c.ListRequests(context.Background(), mimcm.RequestFilter{CurrentUser: true, Status: mimcm.StatusApproved})
	if err != nil {
		t.Fatal(err)
	}
	q := s.queries[len(s.queries)-1]
	if !strings.Contains(q, "targetuser=current") || !strings.Contains(q, "status=Approved") {
		t.Errorf("query %q", q)
	}
}

// EnrollInput.Roots that does not verify the chain (ErrKeyMismatch covers "a
// certificate's chain does not verify"): the certificate matching the
// generated key was issued by the CA (get-certificate-responses.md); the
// certificate and the key must be handed back in the error.
func TestMIM_Enroll_ChainUnverified_MaterialInError(t *testing.T) {
	s, c := newMIM(t)
	pool := x509.NewCertPool()
	pool.AddCert(audit.NewCA(t).Cert) // some other root
	_, err := c.EnrollSoftwareCertificate(context.Background(), mimcm.EnrollInput{ProfileTemplateUUID: mimTemplate, Roots: pool})
	if err == nil {
		t.Fatal("no error")
	}
	ee := enrollErr(t, err)
	if r := ee.Received; r == nil || len(r.Keys) == 0 || len(r.Certificates) == 0 || len(r.Issued) == 0 {
		t.Errorf("issued certificate and generated key not in error: stage %v received %v err %v", ee.Stage, ee.Received, err)
	}
	if n := s.cnt.Get("PUT requests/*"); n != 0 {
		t.Logf("request status changed %d times", n)
	}
}

// An answer whose item carries an Error and no blob (get-certificate-responses.md
// Response body, "Error"): the enrollment must fail with the server's error
// text and must not mark the request Completed.
func TestMIM_Enroll_ItemError_NotCompleted(t *testing.T) {
	s, c := newMIM(t)
	s.certdataMode = "itemerror"
	_, err := c.EnrollSoftwareCertificate(context.Background(), mimcm.EnrollInput{ProfileTemplateUUID: mimTemplate})
	if err == nil {
		t.Fatal("no error")
	}
	if !strings.Contains(err.Error(), "denied by the certification authority") {
		t.Errorf("server's error text not in error: %v", err)
	}
	for _, b := range s.putBodies {
		if b["status"] == "Completed" {
			t.Error("request marked Completed although no certificate was issued")
		}
	}
}

// Request shapes of assign (assign-smartcard-to-request.md example),
// smart-card retire (update-smartcard-status.md example: PUT, status
// "Retired") and the workflow policy path (walkthrough step 3:
// …/policies/enroll).
func TestMIM_SmartcardAndPolicyShapes(t *testing.T) {
	s, c := newMIM(t)
	req := uuid.MustParse("a9b4b42c-cc50-4c9b-89d1-bbc0bcd5a099")
	id, err := c.AssignSmartcard(context.Background(), mimcm.AssignSmartcardInput{RequestID: req, CardID: "bc88f13f-83ba-4037-8262-46eba1291c6e", ATR: "3b8d0180fba000000397425446590301c8"})
	if err != nil || id == nil || id.String() != "17cf063d-e337-4aa9-a822-346554ddd3c9" {
		t.Fatalf("assign: %v %v", id, err)
	}
	b := s.createBodies[0]
	if b["requestid"] != req.String() || b["cardid"] != "bc88f13f-83ba-4037-8262-46eba1291c6e" || b["atr"] == nil {
		t.Errorf("assign body %v", b)
	}
	sc, err := c.RetireSmartcard(context.Background(), req, *id)
	if err != nil || sc == nil {
		t.Fatalf("retire: %v", err)
	}
	if len(s.putBodies) != 1 || s.putBodies[0]["status"] != "Retired" {
		t.Errorf("retire body %v", s.putBodies)
	}
	if _, err := c.GetWorkflowPolicy(context.Background(), mimTemplate, mimcm.RequestTypeNameEnroll); err != nil {
		t.Errorf("policy: %v", err)
	}
	found := false
	for _, q := range s.queries {
		if strings.HasSuffix(strings.ToLower(q), "/policies/enroll") {
			found = true
		}
	}
	if !found {
		t.Errorf("policy path: %v", s.queries)
	}
}

// RevokeProfile: create a Revoke request (create-request.md types), wait for
// approval, mark it completed (cancel-abandon-complete-request.md). A lost
// completion answer must not be resent (SDK doc: "not repeated after it may
// have reached the server").
func TestMIM_RevokeProfile_Flow(t *testing.T) {
	s, c := newMIM(t)
	prof := uuid.MustParse("c0dd5c7d-ec35-4346-baca-3ad711e9722f")
	s.profiles[prof] = `{"Uuid":"c0dd5c7d-ec35-4346-baca-3ad711e9722f","Status":2,"Flags":1,"ParentProfileUuid":"00000000-0000-0000-0000-000000000000","PrimaryProfileUuid":"00000000-0000-0000-0000-000000000000","AssignedUserUuid":"0378a33b-8650-4713-a727-efd233903643","ProfileTemplateUuid":"a039b4d0-5ce8-4eff-8651-181c6576fda3","ProfileTemplateVersion":8,"Comment":"","ProfileOperations":["renew","revoke","retire"]}`
	r, err := c.RevokeProfile(context.Background(), prof, mimcm.ProfileRequestInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.createBodies) != 1 || s.createBodies[0]["type"] != "Revoke" {
		t.Errorf("create %v", s.createBodies)
	}
	if _, ok := s.createBodies[0]["comment"]; !ok {
		t.Errorf("create body lacks required comment: %v", s.createBodies[0])
	}
	if r == nil || r.Status != 8 {
		t.Errorf("request %+v", r)
	}
	s.completeMode = "drop"
	_, err = c.RevokeProfile(context.Background(), prof, mimcm.ProfileRequestInput{})
	if err == nil {
		t.Fatal("no error")
	}
	if n := s.cnt.Get("PUT requests/*"); n != 2 {
		t.Errorf("completion PUTs %d, want 2 (one per run)", n)
	}
}

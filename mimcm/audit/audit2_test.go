//go:build audit

package audit_test

// Audit 2 probes of mimcm. Evidence: the MIM CM reference pages under
// /work/shared/reference/mimcm (cited by file:line) and vendor-notes.md §2.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/certadmin/certadmin-go/internal/audit"
	"github.com/certadmin/certadmin-go/mimcm"
)

const a2mimBase = "/CertificateManagement/api/v1.0/"

type a2mim struct {
	mu   sync.Mutex
	reqs []audit.Request
	h    func(w http.ResponseWriter, q audit.Request) bool
}

func (m *a2mim) count(method, sub string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for _, q := range m.reqs {
		if q.Method == method && strings.Contains(q.Path, sub) {
			n++
		}
	}
	return n
}

func (m *a2mim) all() []audit.Request {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]audit.Request(nil), m.reqs...)
}

// a2request is a Request object as get-request.md:108-131 shows it.
func a2request(id uuid.UUID, reqType, status int, newProfile, oldProfile string) map[string]any {
	nilG := "00000000-0000-0000-0000-000000000000"
	if newProfile == "" {
		newProfile = nilG
	}
	if oldProfile == "" {
		oldProfile = nilG
	}
	return map[string]any{"Uuid": id.String(), "RequestType": reqType, "Status": status, "Flags": 2, "DataCollection": []any{},
		"DataCollectionFlags": 32, "OriginatorUserUuid": "8f1590dc-d932-4b66-8e68-2e91c5880780", "TargetUserUuid": "8f1590dc-d932-4b66-8e68-2e91c5880780",
		"Submitted": "2015-07-07T23:36:21.93Z", "Completed": "0001-01-01T00:00:00", "NewProfileUuid": newProfile, "OldProfileUuid": oldProfile,
		"NewSmartcardUuid": nilG, "OldSmartcardUuid": nilG, "Priority": 0, "Comment": "", "ProfileTemplateUuid": "a039b4d0-5ce8-4eff-8651-181c6576fda3",
		"SecurityDescriptor": "O:S-1-5-21\u0000\u0000", "IsSmartcard": false, "IsEnrollmentAgent": false, "IsDataCollectionComplete": true}
}

func a2newMim(t *testing.T, h func(w http.ResponseWriter, q audit.Request) bool) (*mimcm.Client, *a2mim, string) {
	m := &a2mim{h: h}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		q := audit.Request{Method: r.Method, Path: strings.TrimPrefix(strings.ToLower(r.URL.Path), strings.ToLower(a2mimBase)), Query: r.URL.RawQuery, Raw: string(raw)}
		if len(raw) > 0 && raw[0] == '{' {
			if err := json.Unmarshal(raw, &q.Body); err != nil {
				t.Errorf("%s %s: the body is not JSON: %v", r.Method, r.URL.Path, err)
			}
		}
		m.mu.Lock()
		m.reqs = append(m.reqs, q)
		m.mu.Unlock()
		if !h(w, q) {
			// Response headers: Content-Type always application/json (service details).
			audit.JSON(w, 404, map[string]string{"Message": "not found"})
		}
	}))
	t.Cleanup(ts.Close)
	c, err := mimcm.NewClient(ts.URL, mimcm.WithInsecurePlainHTTP(), mimcm.WithBasicAuth(`CONTOSO\jdoe`, "pw"),
		mimcm.WithRetry(mimcm.RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond}))
	if err != nil {
		t.Fatal(err)
	}
	return c, m, ts.URL
}

// Terminal statuses: the status names are None, Pending, Approved, Denied,
// Executing, Completed, Failed, Canceled (get-request.md:51, the status
// query); their numbers are not published (vendor-notes.md §2), so the
// stand-in uses numbers of its own and answers the status filter with them.
// A Denied, Failed or Canceled request will not become Approved: the wait
// must end at once, not at WithApprovalWait.
func TestAudit2_MIM_TerminalStatusEndsWait(t *testing.T) {
	for name, num := range map[string]int{"Denied": 41, "Failed": 42, "Canceled": 43} {
		t.Run(name, func(t *testing.T) {
			id := uuid.New()
			c, _, _ := a2newMim(t, func(w http.ResponseWriter, q audit.Request) bool {
				switch {
				case q.Method == "POST" && q.Path == "requests":
					// create-request.md:95-97: 201 with a JSON string URI.
					w.Header().Set("Content-Type", "application/json")
					w.WriteHeader(201)
					_, _ = w.Write([]byte(`"api/v1.0/requests/` + id.String() + `"`))
				case q.Method == "GET" && q.Path == "requests/"+id.String():
					audit.JSON(w, 200, a2request(id, 1, num, "", ""))
				case q.Method == "GET" && (q.Path == "requests" || q.Path == "requests/"):
					if strings.Contains(strings.ToLower(q.Query), "status="+strings.ToLower(name)) {
						audit.JSON(w, 200, []any{a2request(id, 1, num, "", "")})
						return true
					}
					w.WriteHeader(204) // get-request.md:66: 204 No content
				default:
					return false
				}
				return true
			})
			start := time.Now()
			_, err := c.EnrollSoftwareCertificate(context.Background(), mimcm.EnrollInput{ProfileTemplateUUID: uuid.MustParse("a039b4d0-5ce8-4eff-8651-181c6576fda3")},
				mimcm.WithApprovalWait(5*time.Second), mimcm.WithPollInterval(20*time.Millisecond))
			el := time.Since(start)
			if !errors.Is(err, mimcm.ErrTerminalStatus) {
				t.Errorf("status %s: %v, want ErrTerminalStatus", name, err)
			}
			var ee *mimcm.EnrollError
			if errors.As(err, &ee) {
				if string(ee.StatusName) != name || ee.RequestID != id {
					t.Errorf("EnrollError StatusName=%q RequestID=%v", ee.StatusName, ee.RequestID)
				}
			}
			if el > 2*time.Second {
				t.Errorf("wait took %v; a terminal status must end it at once", el)
			}
		})
	}
}

// Any non-GET sent through Do is never repeated (package doc), here a PUT
// requests/{id} {"status":"Completed"} (cancel-abandon-complete-request.md)
// answered 503, and a POST requests whose answer is lost.
func TestAudit2_MIM_DoNonGetNotRepeated(t *testing.T) {
	id := uuid.New()
	c, m, base := a2newMim(t, func(w http.ResponseWriter, q audit.Request) bool {
		switch q.Method {
		case "PUT":
			audit.JSON(w, 503, map[string]string{"Message": "Service Unavailable"})
		case "POST":
			audit.DropConn(w)
		case "GET":
			audit.JSON(w, 503, map[string]string{"Message": "Service Unavailable"})
		default:
			return false
		}
		return true
	})
	ctx := context.Background()
	req, _ := http.NewRequestWithContext(ctx, "PUT", base+a2mimBase+"requests/"+id.String(), bytes.NewReader([]byte(`{"status":"Completed"}`)))
	req.Header.Set("Content-Type", "application/json")
	if err := c.Do(ctx, req, nil); err == nil {
		t.Errorf("PUT answered 503: no error")
	}
	if n := m.count("PUT", "requests/"); n != 1 {
		t.Errorf("PUT via Do sent %d times", n)
	}
	req, _ = http.NewRequestWithContext(ctx, "POST", base+a2mimBase+"requests", bytes.NewReader([]byte(`{"profiletemplateuuid":"a039b4d0-5ce8-4eff-8651-181c6576fda3","type":"Enroll","datacollection":"[]"}`)))
	req.Header.Set("Content-Type", "application/json")
	if err := c.Do(ctx, req, nil); err == nil {
		t.Errorf("POST with a lost answer: no error")
	}
	if n := m.count("POST", "requests"); n != 1 {
		t.Errorf("POST via Do sent %d times", n)
	}
	// A GET is repeatable (contrast).
	req, _ = http.NewRequestWithContext(ctx, "GET", base+a2mimBase+"requests/"+id.String(), nil)
	_ = c.Do(ctx, req, nil)
	if n := m.count("GET", "requests/"); n < 2 {
		t.Logf("GET via Do sent %d times (retries are allowed, not required)", n)
	}
}

// ResumeEnrollment reads the request first and never submits certificate
// data for a request that shows an execution: NewProfileUuid is "the new
// software profile that is produced by the MIM CM request" (get-request.md:87).
func TestAudit2_MIM_ResumeReadsFirst_NoResubmit(t *testing.T) {
	id := uuid.New()
	c, m, _ := a2newMim(t, func(w http.ResponseWriter, q audit.Request) bool {
		switch {
		case q.Method == "GET" && q.Path == "requests/"+id.String():
			audit.JSON(w, 200, a2request(id, 1, 3, "c0dd5c7d-ec35-4346-baca-3ad711e9722f", ""))
		case q.Method == "GET" && strings.HasPrefix(q.Path, "requests/"+id.String()+"/"):
			audit.JSON(w, 200, []any{})
		case q.Method == "GET":
			w.WriteHeader(204)
		default:
			return false
		}
		return true
	})
	_, err := c.ResumeEnrollment(context.Background(), &mimcm.PendingError{RequestID: id}, mimcm.WithApprovalWait(time.Second), mimcm.WithPollInterval(10*time.Millisecond))
	rs := m.all()
	if len(rs) == 0 || rs[0].Method != "GET" || rs[0].Path != "requests/"+id.String() {
		t.Errorf("first request is not GET requests/{id}: %+v", rs)
	}
	for _, q := range rs {
		if q.Method != "GET" {
			t.Errorf("resume sent %s %s", q.Method, q.Path)
		}
	}
	if !errors.Is(err, mimcm.ErrIssuanceUnknown) {
		t.Errorf("resume of an executed request: %v, want ErrIssuanceUnknown", err)
	}
}

// RenewSoftwareCertificate re-run: an earlier run's Renew request for the
// profile (OldProfileUuid = profile, get-request.md:88) is still Approved
// (3): no new request may be created (the SDK: ErrRenewalInProgress).
func TestAudit2_MIM_RenewRerun_NoNewRequest(t *testing.T) {
	prof := uuid.MustParse("5ad77b40-aa42-4533-9396-c9c59fd021a8")
	open := uuid.New()
	c, m, _ := a2newMim(t, func(w http.ResponseWriter, q audit.Request) bool {
		switch {
		case q.Method == "GET" && q.Path == "profiles/"+prof.String():
			// get-profile-data.md:108-124, Status 2 = Active (vendor sample with ?status=Active)
			audit.JSON(w, 200, map[string]any{"Uuid": prof.String(), "Status": 2, "Flags": 1, "ParentProfileUuid": "00000000-0000-0000-0000-000000000000",
				"PrimaryProfileUuid": "00000000-0000-0000-0000-000000000000", "AssignedUserUuid": "0378a33b-8650-4713-a727-efd233903643",
				"ProfileTemplateUuid": "8f31803f-8afc-49bb-911d-402ec264b589", "ProfileTemplateVersion": 8, "Comment": "", "ProfileOperations": []any{"renew"}})
		case q.Method == "GET" && q.Path == "requests/"+open.String():
			audit.JSON(w, 200, a2request(open, 7, 3, "", prof.String()))
		case q.Method == "GET" && (q.Path == "requests" || q.Path == "requests/"):
			lq := strings.ToLower(q.Query)
			if lq == "" || strings.Contains(lq, "status=approved") {
				audit.JSON(w, 200, []any{a2request(open, 7, 3, "", prof.String())})
				return true
			}
			w.WriteHeader(204)
		case q.Method == "POST":
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(201)
			_, _ = w.Write([]byte(`"api/v1.0/requests/` + uuid.NewString() + `"`))
		default:
			return false
		}
		return true
	})
	_, err := c.RenewSoftwareCertificate(context.Background(), prof, mimcm.EnrollInput{}, mimcm.WithApprovalWait(200*time.Millisecond), mimcm.WithPollInterval(10*time.Millisecond))
	if n := m.count("POST", ""); n != 0 {
		t.Errorf("renewal re-run sent %d POSTs although request %s for the profile is open", n, open)
	}
	if !errors.Is(err, mimcm.ErrRenewalInProgress) {
		t.Errorf("renewal re-run: %v, want ErrRenewalInProgress", err)
	}
}

// EnrollSoftwareCertificate whose certificatedata answer is lost
// (get-certificate-responses.md:41, POST requests/{id}/certificatedata
// {pfxpassword, certificaterequests}): the CA may have issued; the call must
// not be repeated and the EnrollError must carry stage Submitting, the
// request, and Received with the generated key and the PFX password.
// Also with a 500 answer (service details: unhandled exceptions → 500 with
// a correlation ID): the server may have acted, so the same holds.
func TestAudit2_MIM_Enroll_SubmitLost_MaterialKept(t *testing.T) {
	for _, mode := range []string{"drop", "500"} {
		t.Run(mode, func(t *testing.T) {
			id := uuid.New()
			c, m, _ := a2newMim(t, func(w http.ResponseWriter, q audit.Request) bool {
				switch {
				case q.Method == "POST" && q.Path == "requests":
					w.Header().Set("Content-Type", "application/json")
					w.WriteHeader(201)
					_, _ = w.Write([]byte(`"api/v1.0/requests/` + id.String() + `"`))
				case q.Method == "GET" && q.Path == "requests/"+id.String():
					audit.JSON(w, 200, a2request(id, 1, 3, "", ""))
				case q.Method == "GET" && q.Path == "requests/"+id.String()+"/certificaterequestgenerationoptions":
					// get-certificate-request-generation-options.md:100-114
					audit.JSON(w, 200, []any{map[string]any{"Subject": "CN=jdoe", "KeyAlgorithmName": "RSA", "KeySize": 2048, "FriendlyName": "",
						"HashAlgorithmName": "SHA256", "KeyStorageProviderNames": []any{"Microsoft Software Key Storage Provider"}, "Exportable": 1, "KeyProtectionLevel": 0, "KeyUsages": 3}})
				case q.Method == "POST" && q.Path == "requests/"+id.String()+"/certificatedata":
					if mode == "drop" {
						audit.DropConn(w)
						return true
					}
					audit.JSON(w, 500, map[string]string{"Message": "An error has occurred. Correlation ID: 3f2c1e0a-1111-2222-3333-444455556666"})
				case q.Method == "GET":
					w.WriteHeader(204)
				default:
					return false
				}
				return true
			})
			_, err := c.EnrollSoftwareCertificate(context.Background(), mimcm.EnrollInput{ProfileTemplateUUID: uuid.MustParse("a039b4d0-5ce8-4eff-8651-181c6576fda3")},
				mimcm.WithApprovalWait(time.Second), mimcm.WithPollInterval(10*time.Millisecond))
			if n := m.count("POST", "/certificatedata"); n != 1 {
				t.Errorf("certificatedata sent %d times", n)
			}
			var ee *mimcm.EnrollError
			if !errors.As(err, &ee) {
				t.Fatalf("error %T %v is not an *EnrollError", err, err)
			}
			if ee.Stage != mimcm.EnrollStageSubmitting || ee.RequestID != id {
				t.Errorf("EnrollError stage %v request %v", ee.Stage, ee.RequestID)
			}
			if !errors.Is(err, mimcm.ErrIssuanceUnknown) {
				t.Errorf("not ErrIssuanceUnknown: %v", err)
			}
			if ee.Received == nil {
				t.Fatalf("EnrollError.Received is nil: the generated key is lost")
			}
			if len(ee.Received.Keys) == 0 || ee.Received.PFXPassword == "" || ee.Received.RequestID != id {
				t.Errorf("EnrollError.Received lacks keys, PFX password or request: %d keys, pw set %v, id %v",
					len(ee.Received.Keys), ee.Received.PFXPassword != "", ee.Received.RequestID)
			}
			if m.count("PUT", "") != 0 {
				t.Errorf("request marked completed/canceled after an unknown submit")
			}
		})
	}
}

// Non-GETs through Raw() are never repeated either (package doc: "whichever
// path sends it (a method, Do, or the generated client of Raw)"): a PUT
// requests/{id} answered 503, a POST requests whose answer is lost, and a
// PUT sent with Raw().Client.Do directly.
func TestAudit2_MIM_RawNonGetNotRepeated(t *testing.T) {
	id := uuid.New()
	c, m, base := a2newMim(t, func(w http.ResponseWriter, q audit.Request) bool {
		switch q.Method {
		case "PUT":
			audit.JSON(w, 503, map[string]string{"Message": "Service Unavailable"})
		case "POST":
			audit.DropConn(w)
		default:
			return false
		}
		return true
	})
	ctx := context.Background()
	raw := c.Raw()
	resp, err := raw.SetRequestStatusWithBody(ctx, id, "application/json", strings.NewReader(`{"status":"Completed"}`))
	if err == nil {
		resp.Body.Close()
	}
	if n := m.count("PUT", "requests/"); n != 1 {
		t.Errorf("Raw().SetRequestStatus sent %d times", n)
	}
	resp, err = raw.CreateRequestWithBody(ctx, "application/json", strings.NewReader(`{"profiletemplateuuid":"a039b4d0-5ce8-4eff-8651-181c6576fda3","type":"Enroll"}`))
	if err == nil {
		resp.Body.Close()
	}
	if n := m.count("POST", "requests"); n != 1 {
		t.Errorf("Raw().CreateRequest sent %d times", n)
	}
	req, _ := http.NewRequestWithContext(ctx, "PUT", base+a2mimBase+"requests/"+id.String(), strings.NewReader(`{"status":"Canceled"}`))
	req.Header.Set("Content-Type", "application/json")
	resp, err = raw.Client.Do(req)
	if err == nil {
		resp.Body.Close()
	}
	if n := m.count("PUT", "requests/"); n != 2 {
		t.Errorf("PUT via Raw().Client.Do sent %d times", n-1)
	}
}

// A status number the server's status filter names under no terminal name
// (here: under Pending) is waited on until WithApprovalWait, then
// ErrApprovalPending at stage AwaitingApproval (not ErrTerminalStatus).
func TestAudit2_MIM_PendingWaitsThenPending(t *testing.T) {
	id := uuid.New()
	c, m, _ := a2newMim(t, func(w http.ResponseWriter, q audit.Request) bool {
		switch {
		case q.Method == "POST" && q.Path == "requests":
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(201)
			_, _ = w.Write([]byte(`"api/v1.0/requests/` + id.String() + `"`))
		case q.Method == "GET" && q.Path == "requests/"+id.String():
			audit.JSON(w, 200, a2request(id, 1, 2, "", ""))
		case q.Method == "GET" && (q.Path == "requests" || q.Path == "requests/"):
			if strings.Contains(strings.ToLower(q.Query), "status=pending") {
				audit.JSON(w, 200, []any{a2request(id, 1, 2, "", "")})
				return true
			}
			w.WriteHeader(204)
		default:
			return false
		}
		return true
	})
	_, err := c.EnrollSoftwareCertificate(context.Background(), mimcm.EnrollInput{ProfileTemplateUUID: uuid.MustParse("a039b4d0-5ce8-4eff-8651-181c6576fda3")},
		mimcm.WithApprovalWait(300*time.Millisecond), mimcm.WithPollInterval(20*time.Millisecond))
	var ee *mimcm.EnrollError
	if !errors.As(err, &ee) || !errors.Is(err, mimcm.ErrApprovalPending) || ee.Stage != mimcm.EnrollStageAwaitingApproval {
		t.Errorf("pending request: %v", err)
	}
	if m.count("POST", "") != 1 {
		t.Errorf("POSTs %d", m.count("POST", ""))
	}
}

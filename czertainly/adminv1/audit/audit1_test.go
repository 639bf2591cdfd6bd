//go:build audit

package audit_test

// Evidence: /work/shared/reference/czertainly/doc-openapi-core-admin.yaml,
// vendor-notes.md §1 and CZERTAINLY-Core at 12aef8885 (= e70ee525^, the last
// revision with the 1.x Administrator API), cited as Core1:<path>:<line>.

import (
	"context"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/certadmin/certadmin-go/czertainly/adminv1"
	"github.com/certadmin/certadmin-go/internal/audit"
)

type v1Admin struct {
	UUID, Username, Name, Surname, Email, Description, Role string
	Enabled                                                 bool
}

type v1Server struct {
	t      *testing.T
	mu     sync.Mutex
	cnt    audit.Counter
	admins map[string]*v1Admin
	edits  []map[string]any
	ctypes map[string]string
}

func newV1(t *testing.T) (*v1Server, *adminv1.Client) {
	s := &v1Server{t: t, admins: map[string]*v1Admin{}, ctypes: map[string]string{}}
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	ca := audit.NewCA(t)
	c, err := adminv1.NewClient(ts.URL+"/api", adminv1.WithCertificateHeader(ca.Cert),
		adminv1.WithRetry(adminv1.RetryPolicy{MaxAttempts: 2, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond}))
	if err != nil {
		t.Fatal(err)
	}
	return s, c
}

func (s *v1Server) dto(a *v1Admin) map[string]any {
	// AdminDto (vendor-notes §1).
	m := map[string]any{"uuid": a.UUID, "username": a.Username, "name": a.Name, "surname": a.Surname, "email": a.Email, "role": a.Role,
		"enabled": a.Enabled, "serialNumber": "1f", "certificate": map[string]any{"uuid": "c1", "serialNumber": "1f"}}
	if a.Description != "" {
		m["description"] = a.Description
	}
	return m
}

func (s *v1Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := strings.TrimPrefix(r.URL.Path, "/api")
	s.cnt.Inc(r.Method + " " + p)
	s.ctypes[r.Method+" "+p] = r.Header.Get("Content-Type")
	w.Header().Set("Content-Type", "application/json")
	seg := strings.Split(strings.Trim(p, "/"), "/")
	if len(seg) < 2 || seg[0] != "v1" || seg[1] != "admins" {
		w.WriteHeader(404)
		_, _ = io.WriteString(w, `{"message":"not found"}`)
		return
	}
	var a *v1Admin
	if len(seg) >= 3 {
		a = s.admins[seg[2]]
		if a == nil && seg[2] != "enable" && seg[2] != "disable" {
			w.WriteHeader(404)
			_, _ = io.WriteString(w, `{"message":"Admin not found"}`)
			return
		}
	}
	switch {
	case r.Method == "GET" && len(seg) == 3:
		_ = json.NewEncoder(w).Encode(s.dto(a))
	case r.Method == "POST" && len(seg) == 3:
		// editAdmin is POST /v1/admins/{uuid} (vendor-notes §1 table).
		var body map[string]any
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			s.t.Errorf("editAdmin: the body is not JSON: %v", err)
		}
		s.edits = append(s.edits, body)
		str := func(k string) (string, bool) { v, ok := body[k].(string); return v, ok }
		name, _ := str("name")
		surname, _ := str("surname")
		email, _ := str("email")
		// Core1:src/main/java/com/czertainly/core/service/impl/AdminServiceImpl.java:116-121@12aef8885:
		// blank name/surname/email → ValidationException → 422 array.
		if strings.TrimSpace(name) == "" || strings.TrimSpace(surname) == "" || strings.TrimSpace(email) == "" {
			w.WriteHeader(422)
			_, _ = io.WriteString(w, `["name and surname must not be empty"]`)
			return
		}
		// AdminServiceImpl.java:247-249@12aef8885: with adminCertificate set,
		// dto.getCertificateUuid().isEmpty() is evaluated; an absent (null)
		// certificateUuid throws NullPointerException → 500
		// (ExceptionHandlingAdvice.java:262-263@12aef8885).
		if cert, _ := str("adminCertificate"); cert != "" {
			if _, ok := body["certificateUuid"].(string); !ok {
				w.WriteHeader(500)
				_, _ = io.WriteString(w, `{"message":"Internal server error."}`)
				return
			}
		}
		// AdminServiceImpl.java:268-274@12aef8885: name, description, email,
		// surname set from the request as they are (absent description → null).
		desc, _ := str("description")
		a.Name, a.Surname, a.Email, a.Description = name, surname, email, desc
		if role, ok := str("role"); ok && role != "" {
			a.Role = role
		}
		_ = json.NewEncoder(w).Encode(s.dto(a))
	case r.Method == "PUT" && len(seg) == 4 && (seg[3] == "enable" || seg[3] == "disable"):
		// vendor-notes §1: single enable/disable answers 204.
		a.Enabled = seg[3] == "enable"
		w.WriteHeader(204)
	default:
		w.WriteHeader(400)
		_, _ = io.WriteString(w, `{"message":"Request method '`+r.Method+`' not supported"}`)
	}
}

// Invariant "updates never clear untouched fields": editAdmin replaces name,
// surname, email and description (AdminServiceImpl.java:268-274@12aef8885).
// Changing the name must keep surname, email and description.
func TestV1_UpdateAdmin_KeepsUntouchedFields(t *testing.T) {
	s, c := newV1(t)
	a := &v1Admin{UUID: "0f8c5f8e-2f59-4c6d-9a4e-3a1d2c3b4a5f", Username: "jdoe", Name: "Jane", Surname: "Doe", Email: "jd@example.com", Description: "ops", Role: "administrator", Enabled: true}
	s.admins[a.UUID] = a
	got, err := c.UpdateAdmin(context.Background(), a.UUID, adminv1.UpdateAdminInput{Name: "Janet"})
	if err != nil {
		t.Fatal(err)
	}
	if a.Name != "Janet" || a.Surname != "Doe" || a.Email != "jd@example.com" || a.Description != "ops" || a.Role != "administrator" {
		t.Errorf("server state after update: %+v", a)
	}
	if got.Name != "Janet" {
		t.Errorf("returned %+v", got)
	}
}

// Request shape: replacing the certificate by upload must not make Core 1.x
// throw (AdminServiceImpl.java:247-249@12aef8885 calls
// getCertificateUuid().isEmpty() whenever adminCertificate is set, so
// certificateUuid must be present as a string, "" for none).
func TestV1_UpdateAdmin_UploadCertificate_Shape(t *testing.T) {
	s, c := newV1(t)
	a := &v1Admin{UUID: "0f8c5f8e-2f59-4c6d-9a4e-3a1d2c3b4a5f", Username: "jdoe", Name: "Jane", Surname: "Doe", Email: "jd@example.com", Role: "administrator"}
	s.admins[a.UUID] = a
	newCert := audit.NewCA(t).Cert
	_, err := c.UpdateAdmin(context.Background(), a.UUID, adminv1.UpdateAdminInput{Certificate: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: newCert.Raw})})
	if err != nil {
		t.Errorf("certificate replacement failed against Core 1.x's edit: %v; body %v", err, s.edits)
	}
	if len(s.edits) != 1 || s.edits[0]["adminCertificate"] == nil {
		t.Errorf("certificate not sent: %v", s.edits)
	}
}

// enable/disable: PUT …/{uuid}/enable|disable with Content-Type
// application/json (the server declares consumes=application/json; vendor-notes
// §1 pitfalls) and 204 accepted although the spec says 200.
func TestV1_EnableDisable(t *testing.T) {
	s, c := newV1(t)
	a := &v1Admin{UUID: "0f8c5f8e-2f59-4c6d-9a4e-3a1d2c3b4a5f", Username: "jdoe", Name: "Jane", Surname: "Doe", Email: "jd@example.com", Role: "administrator"}
	s.admins[a.UUID] = a
	if err := c.EnableAdmin(context.Background(), a.UUID); err != nil || !a.Enabled {
		t.Fatalf("enable: %v", err)
	}
	if ct := s.ctypes["PUT /v1/admins/"+a.UUID+"/enable"]; !strings.HasPrefix(ct, "application/json") {
		t.Errorf("enable Content-Type %q", ct)
	}
	if err := c.DisableAdmin(context.Background(), a.UUID); err != nil || a.Enabled {
		t.Fatalf("disable: %v", err)
	}
}

// 1.x error shapes (vendor-notes §1; Core1 ExceptionHandlingAdvice.java:56-57
// AlreadyExist → 400, :80-81 Validation → 422 array); 404 from a 2.x server →
// ErrNoAdminAPI + ErrNotFound.
func TestV1_ErrorMapping(t *testing.T) {
	for _, tc := range []struct {
		code int
		body string
		want error
	}{{404, `{"message":"No handler found for GET /v1/admins"}`, adminv1.ErrNotFound}, {500, `{"message":"Internal server error."}`, adminv1.ErrServer}} {
		ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(tc.code)
			_, _ = io.WriteString(w, tc.body)
		}))
		c, _ := adminv1.NewClient(ts.URL+"/api", adminv1.WithCertificateHeader(audit.NewCA(t).Cert), adminv1.WithMaxAttempts(1))
		_, err := c.ListAdmins(context.Background())
		if !errors.Is(err, tc.want) {
			t.Errorf("%d: got %v", tc.code, err)
		}
		ts.Close()
	}
}

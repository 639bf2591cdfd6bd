//go:build audit

package audit_test

// Audit 2 probe of mobileiron/cloud UpdateAccount. Evidence: the vendor's
// "User API Calls" document (/work/shared/seeds/002_865f6c31ba117131.txt):
// "Update User Account", PUT /api/v1/account, form body, every member of its
// table "Cleared if not present in the call" (lines 549-624); the search by
// UID, GET /api/v1/account?fq=UID%3D<uid> (lines 2990-3060), whose
// documented response fields do not include edipi, managedAppleId,
// gdprProfileId, passwordNeverExpire or androidWorkDeviceAccountEnabled.
// Envelope {errors, result:{totalCount, searchResults}}: vendor-notes.md §3.

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/certadmin/certadmin-go/internal/audit"
	"github.com/certadmin/certadmin-go/mobileiron/cloud"
)

var a2unshown = []string{"edipi", "managedAppleId", "gdprProfileId", "passwordNeverExpire", "androidWorkDeviceAccountEnabled"}

func a2cloud(t *testing.T, acct map[string]any) (*cloud.Client, func() []url.Values) {
	var mu sync.Mutex
	var puts []url.Values
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		switch {
		case r.Method == "GET" && r.URL.Path == "/api/v1/account":
			audit.JSON(w, 200, map[string]any{"errors": nil, "result": map[string]any{"totalCount": 1, "queryTime": 3, "searchResults": []any{acct}, "offset": 0}})
		case r.Method == "PUT" && r.URL.Path == "/api/v1/account":
			v, _ := url.ParseQuery(string(raw))
			mu.Lock()
			puts = append(puts, v)
			mu.Unlock()
			audit.JSON(w, 200, map[string]any{"errors": nil, "result": 1})
		default:
			audit.JSON(w, 404, map[string]any{"errors": map[string]any{"globalErrors": []any{"not found"}}, "result": nil})
		}
	}))
	t.Cleanup(ts.Close)
	c, err := cloud.NewClient(ts.URL, cloud.WithBasicAuth("admin@example.com", "pw"),
		cloud.WithRetry(cloud.RetryPolicy{MaxAttempts: 2, BaseDelay: time.Millisecond, MaxDelay: 2 * time.Millisecond}))
	if err != nil {
		t.Fatal(err)
	}
	return c, func() []url.Values { mu.Lock(); defer mu.Unlock(); return append([]url.Values(nil), puts...) }
}

func a2acct() map[string]any {
	// Fields as the documented search answer lists them (seed lines 3030-3060).
	return map[string]any{"id": 11193157, "createdAt": 1395521907150, "displayName": "John Doe", "firstName": "John", "lastName": "Doe",
		"uid": "john@example.com", "emailAddress": "john@example.com", "accountSource": "LOCAL", "inviteState": "ACCEPTED",
		"accountType": "USER", "enabled": true, "locked": false, "superUser": false, "termsAccepted": true, "mutable": true}
}

func TestAudit2_Cloud_UpdateAccount_RefusesUnshown(t *testing.T) {
	c, puts := a2cloud(t, a2acct())
	_, err := c.UpdateAccount(context.Background(), "john@example.com", func(f *cloud.AccountFields) { f.FirstName = "Johnny" })
	if !errors.Is(err, cloud.ErrWouldClear) {
		t.Errorf("update with unshown fields: %v, want ErrWouldClear", err)
	}
	if n := len(puts()); n != 0 {
		t.Errorf("PUT sent %d times although the update would clear unshown fields", n)
	}
	// Setting one of them does not make the other four visible.
	_, err = c.UpdateAccount(context.Background(), "john@example.com", func(f *cloud.AccountFields) { f.EDIPI = "1234567895" })
	if !errors.Is(err, cloud.ErrWouldClear) || len(puts()) != 0 {
		t.Errorf("setting edipi alone: %v, %d PUTs; the other four would still be cleared", err, len(puts()))
	}
}

func TestAudit2_Cloud_UpdateAccount_WithClearUnshown(t *testing.T) {
	c, puts := a2cloud(t, a2acct())
	up, err := c.UpdateAccount(context.Background(), "john@example.com", func(f *cloud.AccountFields) { f.FirstName = "Johnny" },
		cloud.WithClearUnshown(a2unshown...))
	if err != nil {
		t.Fatalf("UpdateAccount: %v", err)
	}
	ps := puts()
	if len(ps) != 1 {
		t.Fatalf("PUTs %d", len(ps))
	}
	v := ps[0]
	for k, want := range map[string]string{"id": "11193157", "firstName": "Johnny", "lastName": "Doe", "emailAddress": "john@example.com",
		"displayName": "John Doe", "enabled": "true"} {
		if got, ok := v[k]; !ok || got[0] != want {
			t.Errorf("PUT %s = %v, want %q (cleared if not present, seed 002:561-598)", k, got, want)
		}
	}
	cl := map[string]bool{}
	for _, x := range up.Cleared {
		cl[x] = true
	}
	for _, f := range a2unshown {
		if !cl[f] {
			t.Errorf("AccountUpdate.Cleared lacks %s: %v", f, up.Cleared)
		}
	}
}

// A read that does show the five members: they go back as shown, and no
// refusal (the SDK: "each other field ... the server's answer carried with
// a value, as the answer gave it").
func TestAudit2_Cloud_UpdateAccount_ShownFieldsSentBack(t *testing.T) {
	a := a2acct()
	a["edipi"] = 1234567895 // seed 002:615 sends digits
	a["managedAppleId"] = "john@appleid.example.com"
	a["gdprProfileId"] = 259 // seed 002:590 example value
	a["passwordNeverExpire"] = true
	a["androidWorkDeviceAccountEnabled"] = false
	c, puts := a2cloud(t, a)
	_, err := c.UpdateAccount(context.Background(), "john@example.com", func(f *cloud.AccountFields) { f.LastName = "Roe" })
	if err != nil {
		t.Fatalf("UpdateAccount: %v", err)
	}
	ps := puts()
	if len(ps) != 1 {
		t.Fatalf("PUTs %d", len(ps))
	}
	for k, want := range map[string]string{"edipi": "1234567895", "managedAppleId": "john@appleid.example.com", "gdprProfileId": "259",
		"passwordNeverExpire": "true", "androidWorkDeviceAccountEnabled": "false", "lastName": "Roe", "firstName": "John"} {
		if got, ok := ps[0][k]; !ok || got[0] != want {
			t.Errorf("PUT %s = %v, want %q", k, got, want)
		}
	}
}

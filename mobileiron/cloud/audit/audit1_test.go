//go:build audit

package audit_test

// Evidence: /work/shared/seeds/002_865f6c31ba117131.txt ("User API Calls",
// MobileIron Cloud v1; cited as seed002:<line>) and
// /work/shared/reference/vendor-notes.md §3.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/certadmin/certadmin-go/internal/audit"
	"github.com/certadmin/certadmin-go/mobileiron/cloud"
)

type cloudServer struct {
	t        *testing.T
	mu       sync.Mutex
	cnt      audit.Counter
	stored   map[int64]map[string]string // full state incl. fields the read does not show
	ignStart bool
	rowsCap  int    // server answers at most this many rows
	putReply string // body of the PUT answer
	posts    []string
	puts     []string
}

// readable are the members the documented reads show (seed002:420-470 Get
// All Accounts example; seed002:3010-3080 Search by UID "Response Fields").
var cloudReadable = []string{"id", "displayName", "firstName", "lastName", "uid", "emailAddress", "accountSource", "enabled"}

// updateTable is the Update User Account table (seed002:549-612): every
// field "Cleared if not present in the call".
var cloudUpdateTable = []string{"displayName", "androidWorkDeviceAccountEnabled", "emailAddress", "firstName", "lastName", "enabled", "passwordNeverExpire", "gdprProfileId", "managedAppleId", "edipi"}

func newCloud(t *testing.T, n int) (*cloudServer, *cloud.Client) {
	s := &cloudServer{t: t, stored: map[int64]map[string]string{}}
	for i := 0; i < n; i++ {
		id := int64(6150000 + i)
		s.stored[id] = map[string]string{"id": strconv.FormatInt(id, 10), "displayName": fmt.Sprintf("User %d", i), "firstName": "U", "lastName": strconv.Itoa(i),
			"uid": fmt.Sprintf("u%d@example.com", i), "emailAddress": fmt.Sprintf("u%d@example.com", i), "accountSource": "LOCAL", "enabled": "true",
			"edipi": "1234567899", "passwordNeverExpire": "true", "gdprProfileId": "259", "managedAppleId": "u@appleid.example.com", "androidWorkDeviceAccountEnabled": "true"}
	}
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	c, err := cloud.NewClient(ts.URL, cloud.WithBasicAuth("admin@example.com", "pw"),
		cloud.WithRetry(cloud.RetryPolicy{MaxAttempts: 2, BaseDelay: time.Millisecond, MaxDelay: 2 * time.Millisecond}))
	if err != nil {
		t.Fatal(err)
	}
	return s, c
}

func (s *cloudServer) view(id int64) map[string]any {
	st := s.stored[id]
	m := map[string]any{"accountType": "USER", "inviteState": "None", "locked": false, "superUser": false, "termsAccepted": false, "mutable": true,
		"loginFailureCount": 0, "passwordHistory": "{}", "accountSettings": "null", "groups": []string{"All Users"}, "deviceCount": 0,
		"registrationPin": map[string]any{"createdAt": nil, "expiresAt": nil, "pin": nil, "used": false}}
	for _, k := range cloudReadable {
		v := st[k]
		switch k {
		case "id":
			n, _ := strconv.ParseInt(v, 10, 64)
			m[k] = n
		case "enabled":
			m[k] = v == "true"
		default:
			m[k] = v
		}
	}
	return m
}

func (s *cloudServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cnt.Inc(r.Method + " " + r.URL.Path)
	w.Header().Set("Content-Type", "application/json")
	switch {
	case r.Method == "GET" && r.URL.Path == "/api/v1/account":
		q := r.URL.Query()
		rows, _ := strconv.Atoi(q.Get("rows"))
		if rows > 500 {
			// vendor-notes.md §3: since release 75 rows > 500 → 400 with a Range field error.
			w.WriteHeader(400)
			_, _ = io.WriteString(w, `{"errors":{"globalErrors":null,"fieldErrors":[{"code":"Range","message":"must be between 1 and 500","field":"rows"}]},"result":null}`)
			return
		}
		if rows == 0 {
			rows = 50
		}
		if s.rowsCap > 0 && rows > s.rowsCap {
			rows = s.rowsCap
		}
		start, _ := strconv.Atoi(q.Get("start"))
		if s.ignStart {
			start = 0
		}
		var ids []int64
		for i := 0; i < len(s.stored); i++ {
			ids = append(ids, int64(6150000+i))
		}
		if fq := q.Get("fq"); strings.HasPrefix(fq, "UID=") {
			// seed002:2996 Search for a User by UID
			var keep []int64
			for _, id := range ids {
				if strings.EqualFold(s.stored[id]["uid"], strings.TrimPrefix(fq, "UID=")) {
					keep = append(keep, id)
				}
			}
			ids = keep
		}
		res := []any{}
		for i := start; i < start+rows && i < len(ids); i++ {
			res = append(res, s.view(ids[i]))
		}
		// Envelope: seed002:420-470 {errors, result{totalCount, searchResults, offset, …}}.
		_ = json.NewEncoder(w).Encode(map[string]any{"errors": nil, "result": map[string]any{"totalCount": len(ids), "searchResults": res, "offset": start, "queryTime": 3, "facetedResults": map[string]any{}, "totalUnfilteredResultCount": 0}})
	case r.Method == "PUT" && r.URL.Path == "/api/v1/account":
		// Update User Account (seed002:549-620): form body; every field of the
		// table not present in the call is cleared.
		b, _ := io.ReadAll(r.Body)
		s.puts = append(s.puts, string(b))
		form, _ := parseForm(string(b))
		id, _ := strconv.ParseInt(form["id"], 10, 64)
		st := s.stored[id]
		if st == nil {
			w.WriteHeader(404)
			return
		}
		for _, k := range cloudUpdateTable {
			if v, ok := form[k]; ok {
				st[k] = v
			} else {
				st[k] = ""
			}
		}
		if s.putReply != "" {
			_, _ = io.WriteString(w, s.putReply)
			return
		}
		_, _ = io.WriteString(w, `{"errors":null,"result":1}`)
	case r.Method == "POST" && r.URL.Path == "/api/v1/accounts":
		// Create User without Password (seed002:1-40): POST
		// api/v1/accounts?sendInvite=…, form body accounts[0].emailAddress,
		// accounts[0].accountSource, accounts[0].uid.
		b, _ := io.ReadAll(r.Body)
		s.posts = append(s.posts, r.URL.RawQuery+" | "+r.Header.Get("Content-Type")+" | "+string(b))
		_, _ = io.WriteString(w, `{"errors":null,"result":[{"id":7000001,"uid":"new@example.com","emailAddress":"new@example.com","accountSource":"LOCAL","enabled":true}]}`)
	default:
		w.WriteHeader(404)
	}
}

func parseForm(s string) (map[string]string, error) {
	m := map[string]string{}
	for _, kv := range strings.Split(s, "&") {
		if kv == "" {
			continue
		}
		k, v, _ := strings.Cut(kv, "=")
		k, _ = url.QueryUnescape(k)
		v, _ = url.QueryUnescape(v)
		m[k] = v
	}
	return m, nil
}

// Lists bounded: a server that ignores start (vendor-notes §3, Oomnitza's
// comment that offset/start "does not operate as documented") must end the
// listing with ErrPagingMismatch, no duplicates, bounded requests.
func TestCloud_ListAccounts_IgnoredStart(t *testing.T) {
	s, c := newCloud(t, 30)
	s.ignStart = true
	seen := map[int64]bool{}
	var gotErr error
	n := 0
	for a, err := range c.ListAccounts(context.Background(), cloud.ListOptions{PageSize: 10}) {
		if err != nil {
			gotErr = err
			break
		}
		if seen[a.ID] {
			t.Errorf("duplicate %d", a.ID)
		}
		seen[a.ID] = true
		if n++; n > 200 {
			t.Fatal("unbounded")
		}
	}
	if !errors.Is(gotErr, cloud.ErrPagingMismatch) {
		t.Errorf("want ErrPagingMismatch, got %v", gotErr)
	}
	if k := s.cnt.Get("GET /api/v1/account"); k > 3 {
		t.Errorf("%d requests", k)
	}
}

// Paging happy path: start/rows (seed002:411-420), all 30 accounts once.
func TestCloud_ListAccounts_StartRows(t *testing.T) {
	_, c := newCloud(t, 30)
	seen := map[int64]bool{}
	for a, err := range c.ListAccounts(context.Background(), cloud.ListOptions{PageSize: 7}) {
		if err != nil {
			t.Fatal(err)
		}
		if seen[a.ID] {
			t.Errorf("duplicate %d", a.ID)
		}
		seen[a.ID] = true
	}
	if len(seen) != 30 {
		t.Errorf("got %d of 30", len(seen))
	}
}

// Invariant "updates never clear untouched fields": Update User Account
// clears every field of its table not present in the call (seed002:549-612);
// the documented reads (seed002:420-470, 3010-3080) do not show edipi,
// passwordNeverExpire, gdprProfileId, managedAppleId or
// androidWorkDeviceAccountEnabled. Changing the first name must not clear
// them: the SDK must either send them (it cannot know them) or refuse.
func TestCloud_UpdateAccount_KeepsUntouchedFields(t *testing.T) {
	s, c := newCloud(t, 3)
	upd, err := c.UpdateAccount(context.Background(), "u1@example.com", func(f *cloud.AccountFields) { f.FirstName = "Jane" })
	st := s.stored[6150001]
	if err != nil {
		if len(s.puts) == 0 {
			t.Logf("refused before sending: %v", err)
			return
		}
		t.Fatalf("update: %v", err)
	}
	var cleared []string
	for _, k := range []string{"edipi", "passwordNeverExpire", "gdprProfileId", "managedAppleId", "androidWorkDeviceAccountEnabled", "displayName", "lastName", "emailAddress"} {
		if st[k] == "" {
			cleared = append(cleared, k)
		}
	}
	if len(cleared) > 0 {
		t.Errorf("update of firstName cleared untouched fields %v (SDK reported Cleared=%v); PUT body %s", cleared, upd.Cleared, s.puts[0])
	}
	if st["firstName"] != "Jane" {
		t.Errorf("firstName %q", st["firstName"])
	}
}

// vendor-notes §3: rows > 500 → 400 {"errors":{"fieldErrors":[{"code":"Range",…}]}}.
// The SDK refuses a page size over 500 before sending (ErrInvalidInput); a
// 400 Range answer on a page must surface Code "Range".
func TestCloud_RowsOver500(t *testing.T) {
	s, c := newCloud(t, 1)
	_, err := c.ListAccountsPage(context.Background(), cloud.ListOptions{PageSize: 501})
	if !errors.Is(err, cloud.ErrInvalidInput) {
		t.Errorf("page size 501: %v", err)
	}
	if s.cnt.Get("GET /api/v1/account") != 0 {
		t.Error("sent")
	}
}

// vendor-notes §3: "Actions return result == 1 on success" and "Action success
// is signalled in the body, so check … result==1, not just the HTTP status";
// an errors envelope inside a 200 is a failure (Envelope {"errors":…,"result":…}).
func TestCloud_UpdateAccount_BodySignalsFailure(t *testing.T) {
	for _, reply := range []string{
		`{"errors":null,"result":0}`,
		`{"errors":{"globalErrors":[{"code":"ACCOUNT-101","message":"Account is not mutable"}],"fieldErrors":null},"result":null}`,
	} {
		s, c := newCloud(t, 2)
		s.putReply = reply
		_, err := c.UpdateAccount(context.Background(), "u1@example.com", func(f *cloud.AccountFields) { f.FirstName = "Jane" })
		if err == nil {
			t.Errorf("200 %s reported as success", reply)
		}
	}
}

// Create User without Password request shape (seed002:1-40): indexed form
// fields accounts[0].emailAddress / .accountSource / .uid, sendInvite in the
// query.
func TestCloud_CreateAccounts_Shape(t *testing.T) {
	s, c := newCloud(t, 0)
	_, err := c.CreateAccounts(context.Background(), cloud.CreateAccountsInput{Accounts: []cloud.NewLocalAccount{{EmailAddress: "new@example.com"}}, SendInvite: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.posts) != 1 {
		t.Fatalf("posts %v", s.posts)
	}
	parts := strings.SplitN(s.posts[0], " | ", 3)
	if parts[0] != "sendInvite=true" || !strings.HasPrefix(parts[1], "application/x-www-form-urlencoded") {
		t.Errorf("query/content type: %v", parts[:2])
	}
	form, err := url.ParseQuery(parts[2])
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]string{"accounts[0].emailAddress": "new@example.com", "accounts[0].accountSource": "LOCAL", "accounts[0].uid": "new@example.com"} {
		if form.Get(k) != v {
			t.Errorf("%s = %q (body %s)", k, form.Get(k), parts[2])
		}
	}
}

// Lists bounded, no silent truncation: a server that answers fewer rows than
// asked while its totalCount says more remain (seed002:420-470 totalCount)
// must not end the listing silently short.
func TestCloud_ListAccounts_ShortPagesNotTruncated(t *testing.T) {
	s, c := newCloud(t, 250)
	s.rowsCap = 100
	n := 0
	var gotErr error
	for _, err := range c.ListAccounts(context.Background(), cloud.ListOptions{}) {
		if err != nil {
			gotErr = err
			break
		}
		n++
	}
	if gotErr == nil && n != 250 {
		t.Errorf("listing ended silently after %d of totalCount 250 (requests %d)", n, s.cnt.Get("GET /api/v1/account"))
	}
}

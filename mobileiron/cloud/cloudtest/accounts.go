package cloudtest

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

func (s *Server) uidTaken(uid string) bool {
	for _, a := range s.byID {
		if strings.EqualFold(a.uid, uid) {
			return true
		}
	}
	return false
}

// createdAccount is a new account with the members of the documentation's
// create answers (null ones included), in their order, followed by those
// only the listing shows. The caller holds mu.
func (s *Server) createdAccount(uid, email, source, first, last, display string, enabled bool) *account {
	now := nowMS()
	obj := fmt.Sprintf(`{"id":%d,"createdAt":%d,"createdBy":%d,"modifiedAt":%d,"modifiedBy":%d,"displayName":%s,"firstName":%s,`+
		`"lastName":%s,"ldapServerId":null,"uid":%s,"emailAddress":%s,"username":null,"accountSource":%q,"inviteState":null,`+
		`"inviteResendCount":0,"inviteLastSentAt":null,"locale":"en_US","enabled":%t,"locked":false,"superUser":false,`+
		`"termsAccepted":false,"passwordExpiresAt":null,"distinguishedName":null,"objectGuid":null,"trash":false,"mutable":true,`+
		`"loginFailureCount":0,"loginSuccessAt":null,"passwordHistory":"{\"passwords\":[]}","guid":null,"actionExceptionCodes":null,`+
		`"accountType":"USER","accountSettings":"null","androidWorkUserStatus":"NONE","androidWorkRetryCount":0,`+
		`"registrationPin":{"createdAt":null,"expiresAt":null,"pin":null,"used":false},"groups":["All Users"],"deviceCount":0}`,
		s.newID(), now, AdminID, now, AdminID, quote(display), quote(first), quote(last), quote(uid), quote(email), source, enabled)
	a, err := newAccount([]byte(obj))
	if err != nil {
		panic(err)
	}
	return a
}

func (s *Server) createAccounts(w http.ResponseWriter, r *http.Request) {
	if !parseForm(w, r) {
		return
	}
	var created [][]byte
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := 0; ; i++ {
		key := fmt.Sprintf("accounts[%d].", i)
		email := r.PostForm.Get(key + "emailAddress")
		if _, present := r.PostForm[key+"emailAddress"]; !present {
			break
		}
		if email == "" {
			writeError(w, http.StatusBadRequest, "NotEmpty", "may not be empty", key+"emailAddress")
			return
		}
		uid := orDefault(r.PostForm.Get(key+"uid"), email)
		if s.uidTaken(uid) {
			writeError(w, http.StatusBadRequest, "CLOUDTEST-DUPLICATE", "an account with UID "+uid+" exists", "")
			return
		}
		a := s.createdAccount(uid, email, orDefault(r.PostForm.Get(key+"accountSource"), "LOCAL"), "", "", "", false)
		s.invited(a, r.URL.Query().Get("sendInvite") == "true", "")
		s.insert(a)
		created = append(created, a.encode(true, s.cfg.masked))
	}
	if len(created) == 0 {
		writeError(w, http.StatusBadRequest, "NotEmpty", "may not be empty", "accounts[0].emailAddress")
		return
	}
	okRaw(w, append(append([]byte("["), joinJSON(created)...), ']'))
}

func joinJSON(parts [][]byte) []byte {
	var out []byte
	for i, p := range parts {
		if i > 0 {
			out = append(out, ',')
		}
		out = append(out, p...)
	}
	return out
}

// invited records an invitation sent to a; the caller holds mu.
func (s *Server) invited(a *account, send bool, ownership string) {
	if !send {
		return
	}
	if a.inviteState != "" {
		a.set("inviteResendCount", a.int("inviteResendCount")+1)
	}
	a.set("inviteState", "Pending")
	a.set("inviteLastSentAt", nowMS())
	s.invites = append(s.invites, Invite{AccountID: a.id, Ownership: ownership})
	s.facets = nil
}

func (s *Server) createAccount(w http.ResponseWriter, r *http.Request) {
	if !parseForm(w, r) {
		return
	}
	f := r.PostForm
	if f.Get("password") != f.Get("confirmPassword") {
		writeError(w, http.StatusBadRequest, "PasswordMismatch", "passwords do not match", "confirmPassword")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	uid := orDefault(f.Get("uid"), f.Get("emailAddress"))
	if s.uidTaken(uid) {
		writeError(w, http.StatusBadRequest, "CLOUDTEST-DUPLICATE", "an account with UID "+uid+" exists", "")
		return
	}
	a := s.createdAccount(uid, f.Get("emailAddress"), orDefault(f.Get("accountSource"), "LOCAL"),
		f.Get("firstName"), f.Get("lastName"), f.Get("displayName"), true)
	a.passwordSet = true
	s.invited(a, r.URL.Query().Get("sendInvite") == "true", "")
	s.insert(a)
	okRaw(w, a.encode(true, s.cfg.masked))
}

// searchTail is the listing answer after its searchResults member; every
// member is always present, as in the documentation's samples.
type searchTail struct {
	Offset          int64                       `json:"offset"`
	QueryTime       int64                       `json:"queryTime"`
	FacetedResults  map[string]map[string]int64 `json:"facetedResults"`
	TotalUnfiltered int64                       `json:"totalUnfilteredResultCount"`
}

func (s *Server) list(w http.ResponseWriter, r *http.Request) {
	began := time.Now()
	q := r.URL.Query()
	rows, start := 20, 0
	if v := q.Get("rows"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxRows {
			writeError(w, http.StatusBadRequest, "Range", "must be between 1 and 500", "rows")
			return
		}
		rows = n
	}
	if v := q.Get("start"); v != "" {
		start, _ = strconv.Atoi(v)
	}
	if d := s.cfg.pageLatency; d > 0 {
		if !sleep(r.Context(), d) {
			return
		}
	}
	text := strings.ToLower(q.Get("q"))
	fq := q.Get("fq")
	sortBy, desc := q.Get("sortFields[0].name"), q.Get("sortFields[0].order") == "DESC"

	s.mu.Lock()
	filtered := text != "" || fq != ""
	var matches []*account
	if filtered || sortBy != "" {
		for _, id := range s.order {
			if a := s.byID[id]; a.matches(text, fq) {
				matches = append(matches, a)
			}
		}
		if sortBy != "" {
			slices.SortStableFunc(matches, func(a, b *account) int {
				c := strings.Compare(a.sortKey(sortBy), b.sortKey(sortBy))
				if desc {
					c = -c
				}
				return c
			})
		}
	}
	total := len(s.order)
	if filtered || sortBy != "" {
		total = len(matches)
	}
	// The page is streamed from the cached encodings rather than built in
	// one buffer, so the fake adds little to a client's measured heap.
	parts := make([][]byte, 0, max(0, min(rows, total-start)))
	for i := start; i < total && i < start+rows; i++ {
		var a *account
		if matches != nil {
			a = matches[i]
		} else {
			a = s.byID[s.order[i]]
		}
		parts = append(parts, a.encode(false, s.cfg.masked))
	}
	var facets map[string]map[string]int64
	if filtered {
		facets = facetsOf(matches)
	} else {
		if s.facets == nil {
			all := make([]*account, 0, len(s.order))
			for _, id := range s.order {
				all = append(all, s.byID[id])
			}
			s.facets = facetsOf(all)
		}
		facets = s.facets
	}
	tail, err := json.Marshal(searchTail{Offset: int64(start), QueryTime: time.Since(began).Milliseconds(), FacetedResults: facets, TotalUnfiltered: int64(len(s.order))})
	s.mu.Unlock()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	bw := bufio.NewWriterSize(w, 32<<10)
	_, _ = fmt.Fprintf(bw, `{"errors":null,"result":{"totalCount":%d,"searchResults":[`, total)
	for i, p := range parts {
		if i > 0 {
			_ = bw.WriteByte(',')
		}
		_, _ = bw.Write(p)
	}
	_, _ = bw.WriteString("],")
	_, _ = bw.Write(tail[1:]) // the tail's members, after its opening brace
	_ = bw.WriteByte('}')
	_ = bw.Flush()
}

func facetsOf(list []*account) map[string]map[string]int64 {
	f := map[string]map[string]int64{
		"ACCOUNTSOURCE": {}, "TERMSACCEPTED": {"false": 0, "true": 0}, "INVITESTATE": {},
		"ANDROIDWORKSTATUS": {}, "ACCOUNTGROUP": {},
	}
	for _, a := range list {
		f["ACCOUNTSOURCE"][a.source]++
		f["TERMSACCEPTED"][strconv.FormatBool(a.termsAccepted)]++
		f["INVITESTATE"][orDefault(a.inviteState, "None")]++
		f["ANDROIDWORKSTATUS"][orDefault(a.androidStatus, "NONE")]++
		for _, g := range a.groups {
			f["ACCOUNTGROUP"][g]++
		}
	}
	return f
}

func (s *Server) deleteViability(w http.ResponseWriter, r *http.Request) {
	blocking := []map[string]any{}
	s.mu.Lock()
	for _, v := range r.URL.Query()["ids"] {
		id, _ := strconv.ParseInt(v, 10, 64)
		// The documentation does not say what blocks a deletion; the fake
		// lists a super user (the tenant administrator) as blocking.
		if a, found := s.byID[id]; found && a.superUser {
			blocking = append(blocking, map[string]any{"id": a.id, "superUser": true})
		}
	}
	s.mu.Unlock()
	ok(w, map[string]any{"searchResults": blocking, "totalCount": len(blocking), "offset": 0, "limit": 0})
}

func (s *Server) delete(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(r.URL.Query().Get("id"), 10, 64)
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, found := s.byID[id]; !found {
		writeError(w, http.StatusNotFound, "CLOUDTEST-NO-ACCOUNT", fmt.Sprintf("no account with id %d", id), "")
		return
	}
	delete(s.byID, id)
	if i, found := slices.BinarySearch(s.order, id); found {
		s.order = slices.Delete(s.order, i, i+1)
	}
	s.facets = nil
	ok(w, 1)
}

// The fields of the documentation's Update User Account table, each
// "cleared if not present in the call", and how each is stored.
var updateFields = []struct {
	name    string
	boolean bool
}{
	{"displayName", false}, {"androidWorkDeviceAccountEnabled", true}, {"emailAddress", false},
	{"firstName", false}, {"lastName", false}, {"enabled", true}, {"passwordNeverExpire", true},
	{"gdprProfileId", false}, {"managedAppleId", false}, {"edipi", false},
}

// passwordCall are the members of the documentation's Change Password call.
var passwordCall = []string{"id", "emailAddress", "password", "confirmPassword", "enabled"}

// update is PUT /api/v1/account: the documentation's Update User Account
// call, or its Change Password call when the form carries a password and
// nothing beyond that call's five members.
func (s *Server) update(w http.ResponseWriter, r *http.Request) {
	if !parseForm(w, r) {
		return
	}
	f := r.PostForm
	id, _ := strconv.ParseInt(f.Get("id"), 10, 64)
	if f.Has("password") || f.Has("confirmPassword") {
		if f.Get("password") != f.Get("confirmPassword") {
			writeError(w, http.StatusBadRequest, "PasswordMismatch", "passwords do not match", "confirmPassword")
			return
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, found := s.byID[id]
	if !found {
		writeError(w, http.StatusNotFound, "CLOUDTEST-NO-ACCOUNT", fmt.Sprintf("no account with id %d", id), "")
		return
	}
	passwordOnly := f.Has("password")
	for k := range f {
		passwordOnly = passwordOnly && slices.Contains(passwordCall, k)
	}
	defer func() { s.facets = nil }()
	if passwordOnly {
		// The fake's own check: the address must be the account's.
		if f.Has("emailAddress") && !strings.EqualFold(f.Get("emailAddress"), a.email) {
			writeError(w, http.StatusBadRequest, "CLOUDTEST-EMAIL", "emailAddress is not the account's address", "emailAddress")
			return
		}
		if f.Has("enabled") {
			if !setBool(w, a, "enabled", f) {
				return
			}
		}
		a.passwordSet = f.Get("password") != ""
		a.set("modifiedAt", nowMS())
		ok(w, 1)
		return
	}
	if strings.TrimSpace(f.Get("emailAddress")) == "" {
		// The documentation would clear it; the fake, like any server that
		// keeps accounts by address, refuses an account without one.
		writeError(w, http.StatusBadRequest, "NotEmpty", "may not be empty", "emailAddress")
		return
	}
	for _, u := range updateFields {
		switch {
		case !f.Has(u.name):
			a.setRaw(u.name, json.RawMessage("null"))
		case u.boolean:
			if !setBool(w, a, u.name, f) {
				return
			}
		default:
			a.setRaw(u.name, textValue(a, u.name, f.Get(u.name)))
		}
	}
	for _, k := range []string{"uid", "accountSource"} {
		if v := f.Get(k); v != "" {
			a.set(k, v)
		}
	}
	if f.Has("mamWithOutMDM") {
		if !setBool(w, a, "mamWithOutMDM", f) {
			return
		}
	}
	if f.Get("password") != "" {
		a.passwordSet = true
	}
	a.set("modifiedAt", nowMS())
	a.set("modifiedBy", AdminID)
	ok(w, 1)
}

// setBool stores a true/false form value (empty: null); anything else is
// answered 400.
func setBool(w http.ResponseWriter, a *account, key string, f url.Values) bool {
	switch v := f.Get(key); v {
	case "true", "false":
		a.setRaw(key, json.RawMessage(v))
	case "":
		a.setRaw(key, json.RawMessage("null"))
	default:
		writeError(w, http.StatusBadRequest, "TypeMismatch", "must be true or false", key)
		return false
	}
	return true
}

// textValue is how a text field is stored. An empty GDPR profile is null
// (no profile, as the documentation's example sends it). Numeric text
// keeps the JSON kind the member had: a number stays a number, text stays
// text; a GDPR profile ID that had no value becomes a number. Anything
// else is a string.
func textValue(a *account, key, text string) json.RawMessage {
	if key == "gdprProfileId" && text == "" {
		return json.RawMessage("null")
	}
	if _, err := strconv.ParseInt(text, 10, 64); err == nil {
		old, _ := a.get(key)
		if isNull(old) && key == "gdprProfileId" || !isNull(old) && old[0] != '"' {
			return json.RawMessage(text)
		}
	}
	b, _ := json.Marshal(text)
	return b
}

package cloudtest

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/certadmin/certadmin-go/mobileiron/cloud"
)

// --- metadata ---

// writeMetadata answers the metadata sample (with its address cleaned),
// to GET /api/v1/account?metadata as the documentation's example sends it
// and to GET /api/v1/account/metadata, its Request URI.
func (s *Server) writeMetadata(w http.ResponseWriter, _ *http.Request) {
	writeRaw(w, http.StatusOK, s.metadata)
}

// --- invitations, enrollment, PINs, policy, attributes ---

func (s *Server) idsFromForm(w http.ResponseWriter, r *http.Request) ([]*account, bool) {
	if !parseForm(w, r) {
		return nil, false
	}
	var out []*account
	for _, v := range r.PostForm["accountIds"] {
		id, _ := strconv.ParseInt(v, 10, 64)
		a, found := s.byID[id]
		if !found {
			writeError(w, http.StatusNotFound, "CLOUDTEST-NO-ACCOUNT", "no account with id "+v, "")
			return nil, false
		}
		out = append(out, a)
	}
	return out, true
}

func (s *Server) invite(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	accts, good := s.idsFromForm(w, r)
	if !good {
		return
	}
	own := r.PostForm.Get("deviceOwnershipType")
	for _, a := range accts {
		a.ownership = own
		s.invited(a, true, own)
	}
	ok(w, true)
}

type enrollmentRequest struct {
	AccountIDs    []int64 `json:"accountIds"`
	TokenLifetime int64   `json:"tokenLifetime"`
}

func (s *Server) enrollmentURL(w http.ResponseWriter, r *http.Request) {
	var req enrollmentRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, "CLOUDTEST-JSON", "malformed JSON body", "")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]string{}
	for _, id := range req.AccountIDs {
		if _, found := s.byID[id]; !found {
			writeError(w, http.StatusNotFound, "CLOUDTEST-NO-ACCOUNT", fmt.Sprintf("no account with id %d", id), "")
			return
		}
		u := "https://" + r.Host + "/c/i/reg/enroll.mobileconfig?token=" + randomHex(64)
		out[strconv.FormatInt(id, 10)] = u
		s.enrollments = append(s.enrollments, Enrollment{AccountID: id, Lifetime: time.Duration(req.TokenLifetime) * time.Millisecond, URL: u})
	}
	ok(w, out)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return strings.ToUpper(hex.EncodeToString(b))
}

type registrationPIN struct {
	ID        int64  `json:"id"`
	CreatedAt int64  `json:"createdAt"`
	CreatedBy int64  `json:"createdBy"`
	AccountID int64  `json:"accountId"`
	PIN       string `json:"pin"`
	ExpiresAt int64  `json:"expiresAt"`
	Used      bool   `json:"used"`
}

func (s *Server) regpin(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.policy == nil || s.policy.Mode != cloud.RegistrationAuthModePIN {
		writeError(w, http.StatusBadRequest, "CLOUDTEST-PIN-MODE", "registration authentication mode is not PIN", "")
		return
	}
	accts, good := s.idsFromForm(w, r)
	if !good {
		return
	}
	length := 4
	if s.policy.PINLength > 0 {
		length = s.policy.PINLength
	}
	life := int64(7 * 24 * time.Hour / time.Millisecond)
	if s.policy.PINLifetime > 0 {
		life = s.policy.PINLifetime.Milliseconds()
	}
	var out []registrationPIN
	for _, a := range accts {
		now := nowMS()
		p := registrationPIN{ID: s.nextPIN, CreatedAt: now, CreatedBy: AdminID, AccountID: a.id, PIN: randomDigits(length), ExpiresAt: now + life}
		s.nextPIN++
		out = append(out, p)
		a.set("registrationPin", map[string]any{"createdAt": p.CreatedAt, "expiresAt": p.ExpiresAt, "pin": p.PIN, "used": false})
	}
	ok(w, out)
}

func randomDigits(n int) string {
	var b strings.Builder
	for range n {
		d, _ := rand.Int(rand.Reader, big.NewInt(10))
		b.WriteString(d.String())
	}
	return b.String()
}

// setPolicy takes the policy as JSON whatever the Content-Type: the
// documentation's curl example sends the JSON with curl's default,
// application/x-www-form-urlencoded, and with the policy's read-only
// members (id, uuid, the audit times) as the console read them.
func (s *Server) setPolicy(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	var p cloud.RegistrationPolicy
	if err == nil {
		err = json.Unmarshal(body, &p)
	}
	if err != nil {
		writeError(w, http.StatusBadRequest, "CLOUDTEST-JSON", "malformed JSON body", "")
		return
	}
	if p.Mode == "" {
		writeError(w, http.StatusBadRequest, "NotEmpty", "may not be empty", "registrationAuthMode")
		return
	}
	s.mu.Lock()
	s.policy = &p
	s.mu.Unlock()
	ok(w, 1)
}

type customAttributesRequest struct {
	IDs   []string `json:"ids"`
	Attrs struct {
		Attrs map[string][]string `json:"attrs"`
	} `json:"attrs"`
	ForceOverwrite bool `json:"forceOverwrite"`
}

func (s *Server) customAttributes(w http.ResponseWriter, r *http.Request) {
	var req customAttributesRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, "CLOUDTEST-JSON", "malformed JSON body", "")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var targets []*account
	for _, v := range req.IDs {
		id, _ := strconv.ParseInt(v, 10, 64)
		a, found := s.byID[id]
		if !found {
			writeError(w, http.StatusNotFound, "CLOUDTEST-NO-ACCOUNT", "no account with id "+v, "")
			return
		}
		targets = append(targets, a)
	}
	for _, a := range targets {
		if a.attrs == nil {
			a.attrs = map[string][]string{}
		}
		for k, v := range req.Attrs.Attrs {
			if _, set := a.attrs[k]; set && !req.ForceOverwrite {
				continue
			}
			a.attrs[k] = slices.Clone(v)
		}
	}
	ok(w, 1)
}

// --- LDAP import ---

func (s *Server) ldapImport(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if name := q.Get("ldapServerName"); name != "" && name != LDAPServer {
		writeError(w, http.StatusOK, "LDAP_USER_IMPORT-103", "No LDAP server with name "+name+" found.", "")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	job := &importJob{id: s.nextImport, user: q.Get("uidOrEmail"), invite: q.Get("sendInvite") == "true", ownership: q.Get("deviceOwnershipType"), status: "IN_PROGRESS"}
	s.nextImport++
	s.imports[job.id] = job
	ok(w, job.id)
}

func (s *Server) ldapStatus(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(r.URL.Query().Get("requestId"), 10, 64)
	s.mu.Lock()
	defer s.mu.Unlock()
	job, found := s.imports[id]
	if !found {
		writeError(w, http.StatusOK, "LDAP_USER_IMPORT-100", fmt.Sprintf("The LDAP user import request id %d not found.", id), "")
		return
	}
	job.checks++
	if job.status == "IN_PROGRESS" && job.checks > s.cfg.importPolls {
		s.finishImport(job)
	}
	writeJSON(w, http.StatusOK, map[string]any{"requestId": job.id, "status": job.status, "errorCode": job.code, "errorMessage": job.msg})
}

func (s *Server) finishImport(job *importJob) {
	u, found := s.ldapUsers[strings.ToLower(job.user)]
	switch {
	case !found:
		job.status, job.code, job.msg = "FAILED", "LDAP_USER_IMPORT-106", "The LDAP user "+job.user+" not found to import."
	case u.Invalid:
		job.status, job.code, job.msg = "FAILED", "KC-103", "The LDAP entry has invalid attribute to be imported."
	default:
		job.status = "COMPLETED"
		if s.uidTaken(u.UID) {
			return
		}
		a := s.createdAccount(u.UID, orDefault(u.Email, u.UID), "LDAP", u.FirstName, u.LastName, strings.TrimSpace(u.FirstName+" "+u.LastName), true)
		a.ownership = job.ownership
		s.invited(a, job.invite, job.ownership)
		s.insert(a)
	}
}

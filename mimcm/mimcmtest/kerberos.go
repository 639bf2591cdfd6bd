package mimcmtest

import (
	"encoding/base64"
	"net/http"
	"strings"
	"sync"

	"github.com/jcmturner/gokrb5/v8/keytab"

	"github.com/certadmin/certadmin-go/mimcm/internal/krbaccept"
)

// WithKerberosKeytab makes the fake accept Kerberos as IIS does with the
// Negotiate provider, so that a test can run against a throwaway KDC: a
// SPNEGO token holding an AP-REQ for the service principal spn
// (HTTP/localhost) is checked with the keys in kt (the keytab of that
// principal; keytab.Load reads one), by gokrb5's checks (ticket
// decryption, validity, a 5-minute clock skew, replays). A token that
// passes signs in the account DOMAIN\user for the principal user@DOMAIN.REALM
// (the first label of the realm as the NetBIOS domain, as Active
// Directory names them: cmuser@CONTOSO.COM is Username, CONTOSO\cmuser),
// and the 200 carries the final "WWW-Authenticate: Negotiate" token with
// an AP-REP (mutual authentication), as IIS sends it. A token that fails
// is answered 401 with a NegTokenResp that holds the KRB-ERROR where the
// failure is a Kerberos error (a clock skew, a replay). It implies
// WithNegotiate unless WithNTLM is given too; NTLM messages under the
// Negotiate scheme are taken as before.
func WithKerberosKeytab(kt *keytab.Keytab, spn string) Option {
	acc := krbaccept.New(kt, spn, 0)
	return WithKerberosCheck(func(token []byte) (string, bool) {
		principal, reply, err := acc.Accept(token)
		if reply != nil {
			kerberosReplies.Store(string(token), kerberosReply{token: reply, ok: err == nil})
		}
		if err != nil {
			return "", false
		}
		name, realm, _ := strings.Cut(principal, "@")
		domain, _, _ := strings.Cut(realm, ".")
		return strings.ToUpper(domain) + `\` + name, true
	})
}

// kerberosReplies holds the answer token of each token WithKerberosKeytab
// checked until windowsAuth sends it (at once, on the same request).
// Tokens are unique (each carries a fresh authenticator), so one map
// serves every fake.
var kerberosReplies sync.Map

type kerberosReply struct {
	token []byte
	ok    bool
}

// kerberosAnswer sets the answer token of a Kerberos token checked by
// WithKerberosKeytab: the AP-REP on success, the KRB-ERROR on a failure
// (then answered 401). It reports whether it answered the failure.
func (s *Server) kerberosAnswer(w http.ResponseWriter, token []byte, ok bool) bool {
	v, found := kerberosReplies.LoadAndDelete(string(token))
	if !found {
		return false
	}
	r := v.(kerberosReply)
	h := "Negotiate " + base64.StdEncoding.EncodeToString(r.token)
	switch {
	case ok:
		w.Header().Set("WWW-Authenticate", h)
		return false
	case !r.ok:
		s.challenge(w, h) // the KRB-ERROR
		return true
	}
	return false // a valid ticket for a user the fake does not know
}

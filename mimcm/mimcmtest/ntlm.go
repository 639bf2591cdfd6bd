package mimcmtest

import (
	"encoding/base64"
	"net/http"
	"strings"
	"sync"

	"github.com/google/uuid"

	"github.com/certadmin/certadmin-go/mimcm/internal/ntlmserver"
	"github.com/certadmin/certadmin-go/mimcm/internal/spnego"
)

// WithNTLM makes the fake authenticate as IIS with Windows Authentication
// does (the Negotiate and NTLM providers, no Basic): a request without
// credentials gets 401 with "WWW-Authenticate: Negotiate" and
// "WWW-Authenticate: NTLM"; an NTLM NEGOTIATE message (under either
// scheme; under Negotiate raw or inside SPNEGO, as IIS takes both) gets a
// CHALLENGE, in the form it came in; the AUTHENTICATE message's NTLMv2 response is
// checked against the password of the named user (DOMAIN\name), and the
// connection is then authenticated: its later requests need no
// credentials. A wrong password is answered 401 again.
//
// Connections are told apart by the client's address and port.
// Handshakes counts the handshakes that succeeded.
func WithNTLM() Option { return func(c *config) { c.auth = authNTLM } }

// WithNegotiate is WithNTLM with the Negotiate provider only: the 401
// offers "WWW-Authenticate: Negotiate" alone, and NTLM messages are taken
// under that scheme, as Windows does when Kerberos is not available.
// Kerberos tickets are not checked (the fake has no KDC): a Negotiate
// token that is not an NTLM message is refused unless WithKerberosCheck
// accepts it.
func WithNegotiate() Option { return func(c *config) { c.auth = authNegotiate } }

// WithExtendedProtection makes Windows authentication refuse an NTLM
// AUTHENTICATE message that carries no channel binding (an
// MsvAvChannelBindings entry in its NTLMv2 response), as IIS does with
// Extended Protection for Authentication set to "Required" over HTTPS. The
// refusal is the same 401 as for a wrong password. The fake checks that a
// binding is there and not all zeros, not that it matches its certificate.
// Use it with WithTLS; it implies WithNTLM unless an auth mode is given.
func WithExtendedProtection() Option {
	return func(c *config) {
		c.epa = true
		if c.auth == authBasic {
			c.auth = authNTLM
		}
	}
}

// WithKerberosCheck accepts Negotiate tokens that are not NTLM messages
// (a Kerberos AP-REQ in SPNEGO) when check returns the user name of one
// of the fake's accounts for them. It implies WithNegotiate unless
// WithNTLM is given too.
func WithKerberosCheck(check func(token []byte) (user string, ok bool)) Option {
	return func(c *config) {
		c.kerberos = check
		if c.auth == authBasic {
			c.auth = authNegotiate
		}
	}
}

// ntlmState is the per-connection state of Windows authentication.
type ntlmState struct {
	mu         sync.Mutex
	conns      map[string]*connAuth
	handshakes int
	// sessions are the session cookies handed out; returned counts the
	// requests that brought one back.
	sessions map[string]bool
	returned int
}

type connAuth struct {
	challenge *ntlmserver.Challenge
	acct      *account
}

func newNTLMState() *ntlmState {
	return &ntlmState{conns: map[string]*connAuth{}, sessions: map[string]bool{}}
}

// sessionCookie is the cookie the fake hands out after a Windows
// authentication, as an ASP.NET application does with its session.
const sessionCookie = "ASP.NET_SessionId"

// SessionCookiesReturned counts the requests that brought back a session
// cookie the fake set after a Windows authentication.
func (s *Server) SessionCookiesReturned() int {
	s.ntlm.mu.Lock()
	defer s.ntlm.mu.Unlock()
	return s.ntlm.returned
}

// session notes a returned session cookie, or sets a new one.
func (st *ntlmState) session(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(sessionCookie); err == nil && st.sessions[c.Value] {
		st.returned++
		return
	}
	v := uuid.NewString()
	st.sessions[v] = true
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: v, Path: "/", HttpOnly: true})
}

// Handshakes counts the Windows authentications that succeeded (NTLM
// handshakes and accepted Kerberos tokens).
func (s *Server) Handshakes() int {
	s.ntlm.mu.Lock()
	defer s.ntlm.mu.Unlock()
	return s.ntlm.handshakes
}

func (s *Server) challenge(w http.ResponseWriter, token string) {
	switch {
	case token != "":
		w.Header().Set("WWW-Authenticate", token)
	case s.auth == authNTLM:
		w.Header().Add("WWW-Authenticate", "Negotiate")
		w.Header().Add("WWW-Authenticate", "NTLM")
	default:
		w.Header().Set("WWW-Authenticate", "Negotiate")
	}
	unauthorized(w)
}

// windowsAuth runs the NTLM (or Kerberos) exchange of the request's
// connection.
func (s *Server) windowsAuth(w http.ResponseWriter, r *http.Request) (account, bool) {
	st := s.ntlm
	st.mu.Lock()
	defer st.mu.Unlock()
	conn := st.conns[r.RemoteAddr]
	if conn == nil {
		conn = &connAuth{}
		st.conns[r.RemoteAddr] = conn
	}
	scheme, token, _ := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
	ntlmOK := strings.EqualFold(scheme, "NTLM") && s.auth == authNTLM
	if scheme == "" || (!ntlmOK && !strings.EqualFold(scheme, "Negotiate")) {
		if scheme == "" && conn.acct != nil {
			st.session(w, r)
			return *conn.acct, true
		}
		s.challenge(w, "")
		return account{}, false
	}
	msg, err := base64.StdEncoding.DecodeString(strings.TrimSpace(token))
	if err != nil {
		s.challenge(w, "")
		return account{}, false
	}
	// Under Negotiate the NTLM messages may come inside SPNEGO, as every
	// GSS-API client (browsers, curl through gss-ntlmssp) sends them, and
	// the answers then go the same way; IIS takes both forms. Evidence: the
	// vendor's service details page ("HTTP request and response headers":
	// Windows Integrated Authentication), RFC 4559 section 4 (Negotiate
	// carries SPNEGO tokens), RFC 4178 sections 3.2 and 4.2; the forms are
	// checked against curl and gss-ntlmssp in mimcm/oracle.
	orig, wrapped := msg, false
	if strings.EqualFold(scheme, "Negotiate") {
		if inner, ok, asks := unwrapSPNEGO(msg); ok {
			msg, wrapped = inner, true
		} else if asks {
			// SPNEGO offering NTLM with another mechanism's token: tell
			// the client to go on with NTLM (RFC 4178 section 3.2).
			s.challenge(w, "Negotiate "+spnegoResp(spnego.AcceptIncomplete, nil))
			return account{}, false
		}
	}
	switch ntlmserver.MessageType(msg) {
	case 1:
		ch, err := ntlmserver.NewChallenge(msg, "CONTOSO", "CM01")
		if err != nil {
			s.challenge(w, "")
			return account{}, false
		}
		conn.challenge, conn.acct = ch, nil
		out := base64.StdEncoding.EncodeToString(ch.Message)
		if wrapped {
			out = spnegoResp(spnego.AcceptIncomplete, ch.Message)
		}
		s.challenge(w, scheme+" "+out)
		return account{}, false
	case 3:
		ch := conn.challenge
		conn.challenge = nil
		a, err := ntlmserver.ParseAuthenticate(msg)
		if ch == nil || err != nil {
			s.challenge(w, "")
			return account{}, false
		}
		name, acct, ok := s.lookup(a.Domain, a.User)
		if !ok || !a.Verify(ch, acct.password) || (s.epa && !a.HasChannelBinding()) {
			s.challenge(w, "")
			return account{}, false
		}
		acct.name = name
		conn.acct = &acct
		st.handshakes++
		st.session(w, r)
		if wrapped {
			// The last SPNEGO token rides on the answer, as IIS sends it.
			w.Header().Set("WWW-Authenticate", "Negotiate "+spnegoResp(spnego.AcceptCompleted, nil))
		}
		return acct, true
	}
	msg = orig
	if s.kerberos != nil && strings.EqualFold(scheme, "Negotiate") {
		user, ok := s.kerberos(msg)
		s.mu.Lock()
		acct, known := s.users[user]
		s.mu.Unlock()
		if s.kerberosAnswer(w, msg, ok && known) {
			return account{}, false
		}
		if ok && known {
			acct.name = user
			conn.acct = &acct
			st.handshakes++
			return acct, true
		}
	}
	s.challenge(w, "")
	return account{}, false
}

// lookup finds the account of DOMAIN\user (or a bare or UPN name), in any
// letter case, as Windows does.
func (s *Server) lookup(domain, user string) (string, account, bool) {
	want := user
	if domain != "" {
		want = domain + `\` + user
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for name, acct := range s.users {
		if strings.EqualFold(name, want) {
			return name, acct, true
		}
	}
	return "", account{}, false
}

// unwrapSPNEGO returns the NTLM message inside a SPNEGO token: the
// mechanism token of a NegTokenInit that offers NTLM first, or the
// response token of a NegTokenResp. asks is set for a NegTokenInit that
// offers NTLM but carries another mechanism's token (or none).
func unwrapSPNEGO(b []byte) (msg []byte, ok, asks bool) {
	v, err := spnego.Parse(b)
	if err != nil {
		return nil, false, false
	}
	switch t := v.(type) {
	case *spnego.Init:
		if !t.Offers(spnego.OIDNTLM) {
			return nil, false, false // Kerberos only: for WithKerberosCheck
		}
		if t.MechTypes[0].Equal(spnego.OIDNTLM) && ntlmserver.MessageType(t.MechToken) == 1 {
			return t.MechToken, true, false
		}
		return nil, false, true
	case *spnego.Resp:
		if ntlmserver.MessageType(t.ResponseToken) != 0 {
			return t.ResponseToken, true, false
		}
	}
	return nil, false, false
}

// spnegoResp is a NegTokenResp naming NTLM, in base64.
func spnegoResp(state spnego.NegState, token []byte) string {
	b, err := spnego.Resp{HasState: true, State: state, SupportedMech: spnego.OIDNTLM, ResponseToken: token}.Marshal()
	if err != nil {
		panic(err) // fixed values only
	}
	return base64.StdEncoding.EncodeToString(b)
}

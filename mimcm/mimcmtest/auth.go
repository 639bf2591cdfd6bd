package mimcmtest

import (
	"net/http"

	"github.com/certadmin/certadmin-go/mimcm"
)

// authMode is how the fake authenticates callers, as IIS would be set up.
type authMode int

const (
	// authBasic: basic authentication only (the default).
	authBasic authMode = iota
	// authNTLM: Windows authentication with the NTLM provider.
	authNTLM
	// authNegotiate: Windows authentication with the Negotiate provider.
	authNegotiate
)

// authenticate signs the caller in, or answers the 401 IIS would.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request) (account, bool) {
	switch s.auth {
	case authNTLM, authNegotiate:
		return s.windowsAuth(w, r)
	}
	name, password, ok := r.BasicAuth()
	s.mu.Lock()
	acct, known := s.users[name]
	s.mu.Unlock()
	if !ok || !known || acct.password != password {
		w.Header().Set("WWW-Authenticate", `Basic realm="CertificateManagement"`)
		unauthorized(w)
		return account{}, false
	}
	acct.name = name
	return acct, true
}

func unauthorized(w http.ResponseWriter) {
	writeHTML(w, http.StatusUnauthorized, "401 - Unauthorized", "The credentials given were refused.")
}

// authOptions are the client options that sign in as the main user.
func (s *Server) authOptions() []mimcm.Option {
	switch s.auth {
	case authNTLM, authNegotiate:
		return []mimcm.Option{mimcm.WithNTLM(s.Username, s.Password)}
	}
	return []mimcm.Option{mimcm.WithBasicAuth(s.Username, s.Password)}
}

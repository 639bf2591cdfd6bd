package interop

import (
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/jcmturner/goidentity/v6"
	"github.com/jcmturner/gokrb5/v8/keytab"
	"github.com/jcmturner/gokrb5/v8/service"
	"github.com/jcmturner/gokrb5/v8/spnego"
)

// Acceptor is an HTTP server on loopback that authenticates every request
// with Kerberos through SPNEGO as a keytab-backed service, with gokrb5's
// own acceptor (spnego.SPNEGOKRB5Authenticate), and hands authenticated
// requests to an inner handler with the client's principal in the
// X-Kerberos-Principal header (user@REALM).
//
// gokrb5's acceptor answers a success with a NegTokenResp that says
// accept-completed but carries no AP-REP (no mutual authentication token),
// and it keeps no session: every request needs a fresh AP-REQ.
type Acceptor struct {
	// URL is the server's base URL (http://127.0.0.1:port).
	URL string

	accepted atomic.Int64
	refused  atomic.Int64
}

// StartAcceptor serves inner behind Kerberos for the service principal
// spn (HTTP/localhost), with its keys from the keytab file. It stops when
// the test ends.
func StartAcceptor(t testing.TB, keytabPath, spn string, inner http.Handler) *Acceptor {
	t.Helper()
	kt, err := keytab.Load(keytabPath)
	must(t, err)
	a := &Acceptor{}
	authed := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := goidentity.FromHTTPRequestContext(r)
		if id == nil || !id.Authenticated() {
			http.Error(w, "no identity", http.StatusInternalServerError)
			return
		}
		a.accepted.Add(1)
		r.Header.Set("X-Kerberos-Principal", id.UserName()+"@"+id.Domain())
		inner.ServeHTTP(w, r)
	})
	// MIT's KDC (1.20 and later) puts a PAC without Windows logon
	// information in its tickets, which gokrb5's PAC decoding refuses
	// ("PAC Info Buffers does not contain a KerbValidationInfo"); the PAC
	// is Active Directory's, and the acceptor does not need it.
	h := spnego.SPNEGOKRB5Authenticate(authed, kt, service.KeytabPrincipal(spn), service.DecodePAC(false))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: w}
		h.ServeHTTP(rec, r)
		if rec.status == http.StatusUnauthorized {
			a.refused.Add(1)
		}
	}))
	t.Cleanup(srv.Close)
	a.URL = srv.URL
	return a
}

// Accepted counts the requests the acceptor authenticated.
func (a *Acceptor) Accepted() int { return int(a.accepted.Load()) }

// Refused counts the requests it answered 401.
func (a *Acceptor) Refused() int { return int(a.refused.Load()) }

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

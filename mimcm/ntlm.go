package mimcm

import (
	"bytes"
	"crypto/tls"
	"encoding/asn1"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/Azure/go-ntlmssp"

	"github.com/certadmin/certadmin-go/internal/apierror"
	"github.com/certadmin/certadmin-go/internal/transport"
	"github.com/certadmin/certadmin-go/mimcm/internal/spnego"
)

// windowsAuth holds the Windows Integrated Authentication settings of a
// client (see WithNTLM).
type windowsAuth struct {
	ntlm *ntlmCredentials
	// kerberos is WithNegotiate's token source, tried before NTLM when
	// both are given.
	kerberos *negotiateAuth
}

type ntlmCredentials struct {
	user, password string
}

// secretsOnly is the authenticator of a client whose credentials a round
// tripper below the transport sends (NTLM): it adds nothing to a request
// but declares the password, so that it is masked wherever a server
// echoes it and refused over plain http to a host that is not loopback.
type secretsOnly []string

func (secretsOnly) Authenticate(*http.Request) error { return nil }
func (s secretsOnly) Secrets() []string              { return s }

// WithNTLM signs in with Windows Integrated Authentication through NTLM
// (NTLMv2), as IIS offers it under the "NTLM" and "Negotiate" schemes
// (under Negotiate inside SPNEGO or raw; see the package documentation for
// the order tried, and for Extended Protection, which go-ntlmssp does not
// support): user is `DOMAIN\name` or `name@domain`. With WithNegotiate
// too, Kerberos is tried first and NTLM signs in when no ticket can be had. NTLM authenticates a connection, not
// a request, so the client runs one handshake per connection and then
// sends that connection's requests without one; it keeps HTTP/1.1
// connections of its own for this (up to 32 at once), does the handshake
// on the connection the request then goes over (the three legs never
// spread over several connections, which is what breaks concurrent
// requests with go-ntlmssp's Negotiator), and redoes it when the server
// asks again (a connection the server closed). A request body is sent
// with every leg, as browsers do; IIS refuses the first two before the
// application sees them.
//
// The session cookie the server sets is kept (a cookie jar is added
// unless WithCookieJar gives one). The TLS options apply to these
// connections; WithTransport may give an *http.Transport to clone for
// them (a proxy), but no other round tripper. The password is masked in
// errors and logs, and refused over plain http to a host that is not
// loopback unless WithInsecurePlainHTTP is given.
//
// The handshake messages come from github.com/Azure/go-ntlmssp.
func WithNTLM(user, password string) Option {
	return clientOption(func(c *transport.Config) {
		transport.Extension[windowsAuth](c).ntlm = &ntlmCredentials{user: user, password: password}
		c.Auth = secretsOnly{password}
	})
}

// maxNTLMConnections bounds the connections (and so the concurrent
// calls) of an NTLM client, as the SDK's default transport bounds its own.
const maxNTLMConnections = 32

// setUpWindowsAuth replaces the base round tripper of cfg by the NTLM one
// when WithNTLM was given. The TLS settings move to its connections.
func setUpWindowsAuth(cfg *transport.Config) error {
	wa := transport.Extension[windowsAuth](cfg)
	if wa.ntlm == nil {
		return nil
	}
	if wa.ntlm.user == "" {
		return errors.New("WithNTLM needs a user name")
	}
	// The SDK's own rules for the base transport and its TLS (a clone of
	// the caller's *http.Transport or the pooled default); NTLM then
	// narrows each of its lanes to one HTTP/1.1 connection.
	tmpl, err := transport.HTTPTransport(cfg)
	if err != nil {
		return fmt.Errorf("WithNTLM runs its own connections: %w", err)
	}
	// NTLM needs HTTP/1.1: IIS does not offer Windows authentication over HTTP/2.
	tmpl.ForceAttemptHTTP2 = false
	tmpl.TLSNextProto = map[string]func(string, *tls.Conn) http.RoundTripper{}
	tmpl.MaxConnsPerHost, tmpl.MaxIdleConnsPerHost, tmpl.MaxIdleConns = 1, 1, 1
	nt := newNTLMTransport(wa.ntlm.user, wa.ntlm.password, tmpl, maxNTLMConnections)
	nt.kerberos = wa.kerberos
	cfg.Transport = nt
	// The NTLM transport sends every credential (Kerberos tokens too); the
	// authenticator only declares the secrets to mask.
	cfg.Auth = secretsOnly{wa.ntlm.password}
	if wa.kerberos != nil {
		cfg.Auth = kerberosAndNTLMSecrets{wa.kerberos, wa.ntlm.password}
	}
	cfg.HTTPClient = nil
	cfg.TLS = transport.TLSSettings{}
	if cfg.CookieJar == nil {
		jar, err := cookiejar.New(nil)
		if err != nil {
			return err
		}
		cfg.CookieJar = jar
	}
	return nil
}

// ntlmTransport sends each request over a lane: an *http.Transport of
// one connection, which is authenticated once and then carries requests
// one after another.
type ntlmTransport struct {
	user, password string
	// kerberos, when set, signs in first (see WithNTLM).
	kerberos *negotiateAuth
	template *http.Transport
	idle     chan *ntlmLane
	slots    chan struct{}
	// dialect is the one the server took last.
	dialect atomic.Value
	// refused: the last AUTHENTICATE was refused (for the error's hint).
	refused atomic.Bool

	mu    sync.Mutex
	lanes []*ntlmLane
}

type ntlmLane struct {
	rt *http.Transport
	// authed: the lane's connection passed the handshake.
	authed bool
}

func newNTLMTransport(user, password string, tmpl *http.Transport, n int) *ntlmTransport {
	t := &ntlmTransport{user: user, password: password, template: tmpl,
		idle: make(chan *ntlmLane, n), slots: make(chan struct{}, n)}
	t.dialect.Store(dialects[0])
	return t
}

// lane takes an idle lane, or makes one while fewer than the maximum
// exist, or waits for one.
func (t *ntlmTransport) lane(req *http.Request) (*ntlmLane, error) {
	select {
	case l := <-t.idle:
		return l, nil
	default:
	}
	select {
	case l := <-t.idle:
		return l, nil
	case t.slots <- struct{}{}:
		l := &ntlmLane{rt: t.template.Clone()}
		t.mu.Lock()
		t.lanes = append(t.lanes, l)
		t.mu.Unlock()
		return l, nil
	case <-req.Context().Done():
		// The caller's cause, if it gave one, as net/http's own wait
		// for a connection would not keep it.
		return nil, apierror.WithCause(req.Context(), req.Context().Err())
	}
}

func (t *ntlmTransport) release(l *ntlmLane) { t.idle <- l }

// CloseIdleConnections closes the connections of the idle lanes; their
// next request authenticates again.
func (t *ntlmTransport) CloseIdleConnections() {
	for {
		select {
		case l := <-t.idle:
			l.rt.CloseIdleConnections()
			l.authed = false
			defer t.release(l)
		default:
			return
		}
	}
}

// TracesConnections marks the transport as a transport.ConnectionTracer:
// every leg goes through the lane's *http.Transport with the request's
// context, so the client's header timeout starts at the leg's connection
// (and again at each leg), not while the call waits for a free lane.
func (*ntlmTransport) TracesConnections() {}

var _ transport.ConnectionTracer = (*ntlmTransport)(nil)

// RoundTrip sends req over a lane, running the handshake first where the
// lane's connection is not authenticated yet.
func (t *ntlmTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	body, err := replayable(req)
	if err != nil {
		return nil, err
	}
	l, err := t.lane(req)
	if err != nil {
		return nil, err
	}
	resp, err := t.send(l, req, body)
	if err != nil {
		l.authed = false
		t.release(l)
		return nil, err
	}
	// The lane's connection is busy until the body is read and closed.
	resp.Body = &laneBody{ReadCloser: resp.Body, release: func() { t.release(l) }}
	return resp, nil
}

func (t *ntlmTransport) send(l *ntlmLane, req *http.Request, body func() io.ReadCloser) (*http.Response, error) {
	if !l.authed && t.kerberos != nil {
		// A source that cannot give a token (no ticket, no KDC, an
		// unknown SPN) leaves the call to NTLM.
		if spn, tok, kerr := t.kerberos.token(req); kerr == nil {
			if resp, ok, err := t.tryKerberos(l, req, body, spn, tok); ok || err != nil {
				return resp, err
			}
		}
	}
	if l.authed {
		resp, err := l.rt.RoundTrip(leg(req, body, ""))
		if err != nil {
			return nil, err
		}
		if resp.StatusCode != http.StatusUnauthorized || offered(resp.Header) == "" {
			return resp, nil
		}
		// The server asks again (a new connection): authenticate it.
		l.authed = false
		drain(resp)
	}
	return t.handshake(l, req, body)
}

// dialect is how a handshake's messages travel: under which scheme, and
// whether wrapped in SPNEGO (only under "Negotiate").
type dialect struct {
	scheme string
	spnego bool
}

// dialects are the ones the client tries, in this order when the server
// offers both schemes: raw NTLM under "NTLM", then under "Negotiate" NTLM
// inside SPNEGO (RFC 4559, what browsers and gss-ntlmssp send), then raw
// NTLM under "Negotiate" (what Windows clients send when only NTLM is
// possible, and all some servers take).
var dialects = []dialect{{"NTLM", false}, {"Negotiate", true}, {"Negotiate", false}}

// next picks the dialect to try after d drew a 401 without a challenge
// offering the schemes in h: another form under the same scheme first,
// then the other scheme; false when every offered one was tried.
func next(h http.Header, d dialect, tried map[dialect]bool) (dialect, bool) {
	offers := offeredSchemes(h)
	for _, sameScheme := range []bool{true, false} {
		for _, c := range dialects {
			if !tried[c] && offers[c.scheme] && (c.scheme == d.scheme) == sameScheme {
				return c, true
			}
		}
	}
	return dialect{}, false
}

// firstToken is the NEGOTIATE message, in SPNEGO's NegTokenInit where d
// says so.
func firstToken(d dialect) ([]byte, error) {
	negotiate, err := ntlmssp.NewNegotiateMessage("", "")
	if err != nil {
		return nil, fmt.Errorf("NTLM negotiate message: %w", err)
	}
	if !d.spnego {
		return negotiate, nil
	}
	return spnego.Init{MechTypes: []asn1.ObjectIdentifier{spnego.OIDNTLM}, MechToken: negotiate}.Marshal()
}

// handshake runs NEGOTIATE → CHALLENGE → AUTHENTICATE on the lane's one
// connection, the last leg carrying the request itself. The first leg
// goes in the dialect that worked last; a 401 without a challenge moves
// to the next one the server offers, at most once each (three NEGOTIATE
// legs at most), and one AUTHENTICATE is sent: a refused one is the
// caller's 401, never a new handshake.
func (t *ntlmTransport) handshake(l *ntlmLane, req *http.Request, body func() io.ReadCloser) (*http.Response, error) {
	d, _ := t.dialect.Load().(dialect)
	tried := map[dialect]bool{}
	var (
		resp      *http.Response
		challenge []byte
		wrapped   bool
	)
	for {
		tried[d] = true
		tok, err := firstToken(d)
		if err != nil {
			return nil, err
		}
		resp, err = l.rt.RoundTrip(leg(req, body, d.scheme+" "+base64.StdEncoding.EncodeToString(tok)))
		if err != nil {
			return nil, err
		}
		if resp.StatusCode != http.StatusUnauthorized {
			// No challenge: the server took the request as it was.
			return resp, nil
		}
		if challenge, wrapped = challengeFor(resp.Header, d.scheme); challenge != nil {
			break
		}
		nd, ok := next(resp.Header, d, tried)
		if !ok {
			return resp, nil // no NTLM the client speaks (Basic only): the caller gets the 401
		}
		drain(resp)
		d = nd
	}
	drain(resp)
	// What the server answered in is what it takes (a server may answer
	// a SPNEGO NEGOTIATE with a raw challenge).
	d.spnego = wrapped
	t.dialect.Store(d)
	auth, err := ntlmssp.NewAuthenticateMessage(challenge, t.user, t.password, nil)
	if err != nil {
		return nil, fmt.Errorf("NTLM authenticate message: %w", err)
	}
	if wrapped {
		if auth, err = (spnego.Resp{ResponseToken: auth}).Marshal(); err != nil {
			return nil, err
		}
	}
	resp, err = l.rt.RoundTrip(leg(req, body, d.scheme+" "+base64.StdEncoding.EncodeToString(auth)))
	if err != nil {
		return nil, err
	}
	l.authed = resp.StatusCode != http.StatusUnauthorized
	t.refused.Store(!l.authed)
	return resp, nil
}

// leg is req with a fresh body and the given Authorization ("" for none).
func leg(req *http.Request, body func() io.ReadCloser, authorization string) *http.Request {
	r := req.Clone(req.Context())
	if body != nil {
		r.Body = body()
	}
	if authorization == "" {
		r.Header.Del("Authorization")
	} else {
		r.Header.Set("Authorization", authorization)
	}
	return r
}

// replayable returns a function that gives a fresh copy of req's body
// for each leg (nil when it has none).
func replayable(req *http.Request) (func() io.ReadCloser, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return nil, nil
	}
	if req.GetBody != nil {
		return func() io.ReadCloser {
			b, err := req.GetBody()
			if err != nil {
				return io.NopCloser(errReader{err})
			}
			return b
		}, nil
	}
	data, err := io.ReadAll(req.Body)
	_ = req.Body.Close()
	if err != nil {
		return nil, err
	}
	return func() io.ReadCloser { return io.NopCloser(bytes.NewReader(data)) }, nil
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// offered returns the Windows scheme a 401 offers: "NTLM" when it offers
// NTLM, else "Negotiate" when it offers that, else "".
func offered(h http.Header) string {
	o := offeredSchemes(h)
	switch {
	case o["NTLM"]:
		return "NTLM"
	case o["Negotiate"]:
		return "Negotiate"
	}
	return ""
}

// offeredSchemes returns the Windows schemes a 401 offers, by their
// canonical names.
func offeredSchemes(h http.Header) map[string]bool {
	o := map[string]bool{}
	for _, v := range h.Values("WWW-Authenticate") {
		for _, part := range strings.Split(v, ",") {
			s, _, _ := strings.Cut(strings.TrimSpace(part), " ")
			switch {
			case strings.EqualFold(s, "NTLM"):
				o["NTLM"] = true
			case strings.EqualFold(s, "Negotiate"):
				o["Negotiate"] = true
			}
		}
	}
	return o
}

// challengeFor returns the NTLM CHALLENGE message a 401 carries for
// scheme, or nil; wrapped tells that it came inside a SPNEGO
// NegTokenResp.
func challengeFor(h http.Header, scheme string) (challenge []byte, wrapped bool) {
	for _, v := range h.Values("WWW-Authenticate") {
		s, tok, ok := strings.Cut(strings.TrimSpace(v), " ")
		if !ok || !strings.EqualFold(s, scheme) {
			continue
		}
		b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(tok))
		if err != nil {
			continue
		}
		if isChallenge(b) {
			return b, false
		}
		if !strings.EqualFold(scheme, "Negotiate") {
			continue
		}
		if r, ok := parseResp(b); ok && isChallenge(r.ResponseToken) &&
			(r.SupportedMech == nil || r.SupportedMech.Equal(spnego.OIDNTLM)) &&
			(!r.HasState || r.State == spnego.AcceptIncomplete) {
			return r.ResponseToken, true
		}
	}
	return nil, false
}

func parseResp(b []byte) (*spnego.Resp, bool) {
	v, err := spnego.Parse(b)
	if err != nil {
		return nil, false
	}
	r, ok := v.(*spnego.Resp)
	return r, ok
}

// isChallenge reports whether b is an NTLM CHALLENGE message.
func isChallenge(b []byte) bool {
	return len(b) >= 12 && bytes.HasPrefix(b, []byte("NTLMSSP\x00")) && binary.LittleEndian.Uint32(b[8:]) == 2
}

func drain(resp *http.Response) {
	_, _ = io.CopyN(io.Discard, resp.Body, 64<<10)
	_ = resp.Body.Close()
}

// laneBody gives the lane back once the answer is read and closed.
type laneBody struct {
	io.ReadCloser
	once    sync.Once
	release func()
}

func (b *laneBody) Close() error {
	err := b.ReadCloser.Close()
	b.once.Do(b.release)
	return err
}

// The hints of a 401 after the server refused the AUTHENTICATE message.
// Over HTTPS the refusal may also be Extended Protection: IIS with
// extendedProtection tokenChecking="Require" refuses an NTLM response
// without a channel binding, with the same 401 as for a wrong password.
const (
	hintNTLMRefused = "the server refused the NTLM sign-in: check the user name (DOMAIN\\user or user@domain) and the password"
	hintNTLMEPA     = hintNTLMRefused + ", or the site requires Extended Protection for Authentication " +
		"(IIS tokenChecking \"Require\"), which refuses NTLM without a channel binding: this client (go-ntlmssp v0.1.1) " +
		"sends none; set it to \"Allow\" or \"None\", or use Kerberos"
)

// annotate is the client's annotate, plus for a 401 after the server
// refused the last AUTHENTICATE message the causes it may have.
func (t *ntlmTransport) annotate(e *apierror.Error) {
	if e.StatusCode == http.StatusUnauthorized && e.Hint == "" && t.refused.Load() {
		e.Hint = hintNTLMRefused
		if strings.HasPrefix(e.URL, "https:") {
			e.Hint = hintNTLMEPA
		}
	}
	annotate(e)
}

// tryKerberos sends req with tok, a Kerberos token for spn from
// WithNegotiate's source. ok is false when NTLM is to sign in instead: the
// server does not offer Negotiate. A source that checks the server's
// answer (mutual authentication; see NegotiateResponseChecker) is shown it,
// and its error fails the attempt. A server that offers Negotiate and refuses the ticket is the
// caller's 401. Each request gets a token of its own, as with
// WithNegotiate alone (the Kerberos library caches the ticket).
func (t *ntlmTransport) tryKerberos(l *ntlmLane, req *http.Request, body func() io.ReadCloser, spn string, tok []byte) (*http.Response, bool, error) {
	resp, err := l.rt.RoundTrip(leg(req, body, "Negotiate "+base64.StdEncoding.EncodeToString(tok)))
	if err != nil {
		return nil, true, err
	}
	if resp.StatusCode != http.StatusUnauthorized || offeredSchemes(resp.Header)["Negotiate"] {
		if c, ok := t.kerberos.src.(NegotiateResponseChecker); ok {
			if err := c.CheckNegotiateResponse(req.Context(), spn, resp.StatusCode, tok, negotiateToken(resp.Header.Values("WWW-Authenticate"))); err != nil {
				drain(resp)
				return nil, true, fmt.Errorf("the server's Negotiate answer failed the check: %w", err)
			}
		}
		return resp, true, nil
	}
	drain(resp)
	return nil, false, nil
}

// kerberosAndNTLMSecrets declares the NTLM password and the last Kerberos
// token as secrets.
type kerberosAndNTLMSecrets struct {
	kerberos *negotiateAuth
	password string
}

func (kerberosAndNTLMSecrets) Authenticate(*http.Request) error { return nil }
func (s kerberosAndNTLMSecrets) Secrets() []string {
	return append(s.kerberos.Secrets(), s.password)
}

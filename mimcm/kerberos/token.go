package kerberos

import (
	"context"
	"encoding/binary"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/jcmturner/gofork/encoding/asn1"
	"github.com/jcmturner/gokrb5/v8/asn1tools"
	"github.com/jcmturner/gokrb5/v8/crypto"
	"github.com/jcmturner/gokrb5/v8/gssapi"
	"github.com/jcmturner/gokrb5/v8/iana/chksumtype"
	"github.com/jcmturner/gokrb5/v8/iana/flags"
	"github.com/jcmturner/gokrb5/v8/iana/keyusage"
	"github.com/jcmturner/gokrb5/v8/messages"
	"github.com/jcmturner/gokrb5/v8/spnego"
	"github.com/jcmturner/gokrb5/v8/types"
)

// GSS-API token IDs of the Kerberos mechanism (RFC 4121 section 4.1).
var (
	tokAPReq    = []byte{0x01, 0x00}
	tokAPRep    = []byte{0x02, 0x00}
	tokKRBError = []byte{0x03, 0x00}
)

// sentAuth is what the mutual authentication check needs of a token
// sent: the session key and the authenticator's time.
type sentAuth struct {
	spn   string
	key   types.EncryptionKey
	ctime time.Time
	cusec int
}

// sentAuths remembers the tokens sent whose answer is not checked yet,
// bounded: a call whose answer never comes (a network failure) leaves its
// entry behind, and the oldest go first.
type sentAuths struct {
	mu    sync.Mutex
	byTok map[string]sentAuth
	order []string
	// last is the newest authenticator time handed out: two tokens never
	// share one, or an acceptor's replay cache refuses the second.
	last time.Time
}

const maxSentAuths = 1024

func (a *sentAuths) add(tok []byte, s sentAuth) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.byTok == nil {
		a.byTok = map[string]sentAuth{}
	}
	for len(a.order) >= maxSentAuths {
		delete(a.byTok, a.order[0])
		a.order = a.order[1:]
	}
	a.byTok[string(tok)] = s
	a.order = append(a.order, string(tok))
}

func (a *sentAuths) take(tok []byte) (sentAuth, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	s, ok := a.byTok[string(tok)]
	delete(a.byTok, string(tok))
	return s, ok
}

// stamp returns a time for a new authenticator, later than every one
// before by at least a microsecond.
func (a *sentAuths) stamp() time.Time {
	a.mu.Lock()
	defer a.mu.Unlock()
	now := time.Now().UTC().Truncate(time.Microsecond)
	if !now.After(a.last) {
		now = a.last.Add(time.Microsecond)
	}
	a.last = now
	return now
}

// apReq makes the SPNEGO NegTokenInit with a Kerberos AP-REQ for t,
// asking for mutual authentication, and remembers its authenticator.
func (s *Source) apReq(spn string, t *ticket) ([]byte, error) {
	fail := func(err error) ([]byte, error) {
		return nil, &Error{Op: "token", Principal: spn, Kind: ErrConfig, Detail: err.Error()}
	}
	auth, err := types.NewAuthenticator(s.cl.Credentials.Domain(), s.cl.Credentials.CName())
	if err != nil {
		return fail(err)
	}
	// The authenticator's time is the real clock (the server checks it
	// against its own); Config.Now only steers the ticket cache.
	at := s.sent.stamp()
	auth.CTime, auth.Cusec = at.Truncate(time.Second), at.Nanosecond()/1000
	// The GSS-API checksum (RFC 4121 section 4.1.1): no channel bindings
	// (16 zero bytes), and the flags: mutual authentication, integrity,
	// confidentiality.
	ck := make([]byte, 24)
	binary.LittleEndian.PutUint32(ck[:4], 16)
	binary.LittleEndian.PutUint32(ck[20:24], uint32(gssapi.ContextFlagMutual|gssapi.ContextFlagInteg|gssapi.ContextFlagConf))
	auth.Cksum = types.Checksum{CksumType: chksumtype.GSSAPI, Checksum: ck}
	req, err := messages.NewAPReq(t.tkt, t.key, auth)
	if err != nil {
		return fail(err)
	}
	types.SetFlag(&req.APOptions, flags.APOptionMutualRequired)
	b, err := req.Marshal()
	if err != nil {
		return fail(err)
	}
	oid, err := asn1.Marshal(gssapi.OIDKRB5.OID())
	if err != nil {
		return fail(err)
	}
	mech := asn1tools.AddASNAppTag(append(append(oid, tokAPReq...), b...), 0)
	init := spnego.SPNEGOToken{Init: true, NegTokenInit: spnego.NegTokenInit{
		MechTypes:      []asn1.ObjectIdentifier{gssapi.OIDKRB5.OID()},
		MechTokenBytes: mech,
	}}
	tok, err := init.Marshal()
	if err != nil {
		return fail(err)
	}
	s.sent.add(tok, sentAuth{spn: spn, key: t.key, ctime: auth.CTime, cusec: auth.Cusec})
	return tok, nil
}

// CheckNegotiateResponse checks the server's side (see
// mimcm.NegotiateResponseChecker): in a successful answer, the AP-REP of
// mutual authentication must decrypt with the ticket's session key and
// repeat the authenticator's time; in a 401, a KRB-ERROR is returned as a
// typed error (a clock skew at the server) and the service ticket is
// dropped, so that the next call fetches a new one.
func (s *Source) CheckNegotiateResponse(_ context.Context, spn string, status int, sent, received []byte) error {
	if s.cfg.SPN != "" {
		spn = s.cfg.SPN
	}
	sa, ours := s.sent.take(sent)
	if !ours {
		return nil // not a token of this Source
	}
	mutualErr := func(format string, a ...any) error {
		return &Error{Op: "mutual authentication", Principal: spn, Kind: ErrMutualAuth, Detail: fmt.Sprintf(format, a...)}
	}
	if status == http.StatusUnauthorized {
		s.forget(spn)
	}
	if len(received) == 0 {
		if status < 300 && s.cfg.RequireMutualAuth {
			return mutualErr("the answer carries no Negotiate token")
		}
		return nil
	}
	mech, state, err := responseMechToken(received)
	if err != nil {
		if status < 300 {
			return mutualErr("the answer's Negotiate token does not parse: %v", err)
		}
		return nil
	}
	if status >= 300 {
		if kerr, ok := krbError(mech); ok {
			return &Error{Op: "AP exchange", Principal: spn, Code: kerr.ErrorCode, Kind: kindOf(kerr.ErrorCode, "AP exchange"), Detail: kerr.EText}
		}
		return nil
	}
	if state != spnego.NegStateAcceptCompleted {
		return mutualErr("the server's negotiation state is %d, not accept-completed", state)
	}
	if len(mech) == 0 {
		if s.cfg.RequireMutualAuth {
			return mutualErr("the answer carries no AP-REP")
		}
		return nil
	}
	rep, err := apRep(mech)
	if err != nil {
		return mutualErr("%v", err)
	}
	plain, err := crypto.DecryptEncPart(rep.EncPart, sa.key, keyusage.AP_REP_ENCPART)
	if err != nil {
		return mutualErr("the AP-REP does not decrypt with the session key: %v", err)
	}
	var part messages.EncAPRepPart
	if err := part.Unmarshal(plain); err != nil {
		return mutualErr("%v", err)
	}
	if !part.CTime.Equal(sa.ctime) || part.Cusec != sa.cusec {
		return mutualErr("the AP-REP's time is not the authenticator's")
	}
	return nil
}

// responseMechToken takes the mechanism token out of a server's
// Negotiate token: a SPNEGO NegTokenResp (what IIS sends), or a bare
// Kerberos GSS-API token (state accept-completed).
func responseMechToken(b []byte) ([]byte, spnego.NegState, error) {
	if len(b) > 0 && b[0] == 0x60 {
		return b, spnego.NegStateAcceptCompleted, nil
	}
	var resp spnego.NegTokenResp
	if err := resp.Unmarshal(b); err != nil {
		return nil, 0, err
	}
	return resp.ResponseToken, spnego.NegState(resp.NegState), nil
}

// gssInner splits a Kerberos GSS-API token into its token ID and message.
func gssInner(b []byte) (id, msg []byte, err error) {
	var raw asn1.RawValue
	if _, err := asn1.Unmarshal(b, &raw); err != nil || raw.Class != asn1.ClassApplication || raw.Tag != 0 {
		return nil, nil, fmt.Errorf("not a GSS-API token")
	}
	var oid asn1.ObjectIdentifier
	rest, err := asn1.Unmarshal(raw.Bytes, &oid)
	if err != nil || !oid.Equal(gssapi.OIDKRB5.OID()) && !oid.Equal(gssapi.OIDMSLegacyKRB5.OID()) || len(rest) < 2 {
		return nil, nil, fmt.Errorf("not a Kerberos GSS-API token")
	}
	return rest[:2], rest[2:], nil
}

func apRep(mech []byte) (messages.APRep, error) {
	var rep messages.APRep
	id, msg, err := gssInner(mech)
	if err != nil {
		return rep, err
	}
	if string(id) != string(tokAPRep) {
		return rep, fmt.Errorf("the server's token is not an AP-REP (token ID %x)", id)
	}
	if err := rep.Unmarshal(msg); err != nil {
		return rep, fmt.Errorf("AP-REP: %w", err)
	}
	return rep, nil
}

func krbError(mech []byte) (messages.KRBError, bool) {
	var e messages.KRBError
	id, msg, err := gssInner(mech)
	if err != nil || string(id) != string(tokKRBError) {
		return e, false
	}
	return e, e.Unmarshal(msg) == nil
}

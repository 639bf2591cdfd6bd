// Package krbaccept is the Kerberos side of a Windows Integrated
// Authentication server, for mimcmtest and tests: it checks a client's
// SPNEGO token (an AP-REQ) against a keytab, as IIS does with the
// application pool account's keys, and makes the answer token IIS sends
// back, a SPNEGO NegTokenResp holding an AP-REP (mutual authentication)
// or, on a failure it can name, a KRB-ERROR.
//
// The checks themselves are gokrb5's (service.VerifyAPREQ: ticket
// decryption, validity, clock skew, replay); only the answer tokens,
// which gokrb5 cannot marshal, are made here.
package krbaccept

import (
	"errors"
	"fmt"
	"time"

	"github.com/jcmturner/gofork/encoding/asn1"
	"github.com/jcmturner/gokrb5/v8/asn1tools"
	"github.com/jcmturner/gokrb5/v8/crypto"
	"github.com/jcmturner/gokrb5/v8/gssapi"
	"github.com/jcmturner/gokrb5/v8/iana/asnAppTag"
	"github.com/jcmturner/gokrb5/v8/iana/keyusage"
	"github.com/jcmturner/gokrb5/v8/iana/msgtype"
	"github.com/jcmturner/gokrb5/v8/keytab"
	"github.com/jcmturner/gokrb5/v8/messages"
	"github.com/jcmturner/gokrb5/v8/service"
	"github.com/jcmturner/gokrb5/v8/spnego"
	"github.com/jcmturner/gokrb5/v8/types"
)

// Acceptor checks AP-REQs for one service principal.
type Acceptor struct {
	kt   *keytab.Keytab
	opts []func(*service.Settings)
}

// New returns an acceptor for the service principal spn (HTTP/host) with
// its keys from kt. maxSkew is the clock difference allowed (0: the
// usual 5 minutes).
func New(kt *keytab.Keytab, spn string, maxSkew time.Duration) *Acceptor {
	opts := []func(*service.Settings){service.KeytabPrincipal(spn), service.DecodePAC(false)}
	if maxSkew != 0 {
		opts = append(opts, service.MaxClockSkew(maxSkew))
	}
	return &Acceptor{kt: kt, opts: opts}
}

// ErrNotKerberos is returned for a token that holds no Kerberos AP-REQ
// (an NTLM message under SPNEGO, say).
var ErrNotKerberos = errors.New("krbaccept: not a Kerberos token")

// Accept checks token, a SPNEGO NegTokenInit or a bare Kerberos GSS-API
// token holding an AP-REQ. On success it returns the client's principal
// (user@REALM) and the answer token with the AP-REP. On a failure it
// returns the error and, when the failure is a Kerberos error, the answer
// token carrying it (else nil).
func (a *Acceptor) Accept(token []byte) (principal string, reply []byte, err error) {
	mech := token
	var st spnego.SPNEGOToken
	if err := st.Unmarshal(token); err == nil {
		if !st.Init {
			return "", nil, ErrNotKerberos
		}
		mech = st.NegTokenInit.MechTokenBytes
	}
	var kt spnego.KRB5Token
	if err := kt.Unmarshal(mech); err != nil || !kt.IsAPReq() {
		return "", nil, ErrNotKerberos
	}
	req := kt.APReq
	settings := service.NewSettings(a.kt, a.opts...)
	ok, creds, err := service.VerifyAPREQ(&req, settings)
	if err != nil || !ok {
		if err == nil {
			err = errors.New("krbaccept: the AP-REQ is not valid")
		}
		var kerr messages.KRBError
		if errors.As(err, &kerr) {
			reply, _ = errorToken(kerr)
		}
		return "", reply, err
	}
	reply, err = APRepToken(req.Ticket.DecryptedEncPart.Key, req.Authenticator.CTime, req.Authenticator.Cusec)
	if err != nil {
		return "", nil, err
	}
	return creds.UserName() + "@" + creds.Domain(), reply, nil
}

type encAPRepPart struct {
	CTime          time.Time `asn1:"generalized,explicit,tag:0"`
	Cusec          int       `asn1:"explicit,tag:1"`
	SequenceNumber int64     `asn1:"optional,explicit,tag:3"`
}

type apRep struct {
	PVNO    int                 `asn1:"explicit,tag:0"`
	MsgType int                 `asn1:"explicit,tag:1"`
	EncPart types.EncryptedData `asn1:"explicit,tag:2"`
}

// APRepToken makes the answer token of a successful exchange: a SPNEGO
// NegTokenResp (accept-completed, Kerberos) holding an AP-REP whose
// encrypted part, under the ticket's session key, repeats the
// authenticator's time (RFC 4120 section 3.2.4).
func APRepToken(sessionKey types.EncryptionKey, ctime time.Time, cusec int) ([]byte, error) {
	part, err := asn1.Marshal(encAPRepPart{CTime: ctime.UTC(), Cusec: cusec, SequenceNumber: ctime.UnixNano() & 0x3fffffff})
	if err != nil {
		return nil, fmt.Errorf("krbaccept: %w", err)
	}
	ed, err := crypto.GetEncryptedData(asn1tools.AddASNAppTag(part, asnAppTag.EncAPRepPart), sessionKey, keyusage.AP_REP_ENCPART, 0)
	if err != nil {
		return nil, fmt.Errorf("krbaccept: %w", err)
	}
	rep, err := asn1.Marshal(apRep{PVNO: 5, MsgType: msgtype.KRB_AP_REP, EncPart: ed})
	if err != nil {
		return nil, fmt.Errorf("krbaccept: %w", err)
	}
	return negTokenResp(spnego.NegStateAcceptCompleted, gssToken([]byte{0x02, 0x00}, asn1tools.AddASNAppTag(rep, asnAppTag.APREP)))
}

func errorToken(kerr messages.KRBError) ([]byte, error) {
	b, err := kerr.Marshal()
	if err != nil {
		return nil, err
	}
	return negTokenResp(spnego.NegStateReject, gssToken([]byte{0x03, 0x00}, b))
}

// gssToken frames a Kerberos message as a GSS-API token (RFC 4121
// section 4.1): [APPLICATION 0] { krb5 OID, token ID, message }.
func gssToken(id, msg []byte) []byte {
	oid, _ := asn1.Marshal(gssapi.OIDKRB5.OID())
	return asn1tools.AddASNAppTag(append(append(oid, id...), msg...), 0)
}

func negTokenResp(state spnego.NegState, mech []byte) ([]byte, error) {
	r := spnego.NegTokenResp{NegState: asn1.Enumerated(state), SupportedMech: gssapi.OIDKRB5.OID(), ResponseToken: mech}
	return r.Marshal()
}

package spnego

import (
	"bytes"
	"encoding/asn1"
	"errors"
	"fmt"
	"testing"

	krbspnego "github.com/jcmturner/gokrb5/v8/spnego"
)

var ntlmNegotiate = []byte("NTLMSSP\x00\x01\x00\x00\x00\x07\x82\x08\xa2")

// gokrb5, an implementation not written here, reads what Marshal writes.
func TestInitReadByGokrb5(t *testing.T) {
	b, err := Init{MechTypes: []asn1.ObjectIdentifier{OIDNTLM}, MechToken: ntlmNegotiate}.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	var tok krbspnego.SPNEGOToken
	if err := tok.Unmarshal(b); err != nil {
		t.Fatalf("gokrb5 does not read our NegTokenInit: %v", err)
	}
	if !tok.Init || len(tok.NegTokenInit.MechTypes) != 1 || tok.NegTokenInit.MechTypes[0].String() != OIDNTLM.String() ||
		!bytes.Equal(tok.NegTokenInit.MechTokenBytes, ntlmNegotiate) {
		t.Fatalf("gokrb5 read %+v", tok.NegTokenInit)
	}
	// And Parse reads it back.
	v, err := Parse(b)
	in, ok := v.(*Init)
	if err != nil || !ok || !in.Offers(OIDNTLM) || in.Offers(OIDKerberos) || !bytes.Equal(in.MechToken, ntlmNegotiate) {
		t.Fatalf("Parse: %+v, %v", v, err)
	}
}

// Parse reads what gokrb5 writes, in both directions of the exchange.
func TestParseReadsGokrb5(t *testing.T) {
	challenge := []byte("NTLMSSP\x00\x02\x00\x00\x00")
	resp := krbspnego.SPNEGOToken{Resp: true, NegTokenResp: krbspnego.NegTokenResp{NegState: 1, ResponseToken: challenge}}
	// gokrb5's identifiers are its own asn1 fork's type, also a []int.
	resp.NegTokenResp.SupportedMech = append(resp.NegTokenResp.SupportedMech, OIDNTLM...)
	b, err := resp.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	v, err := Parse(b)
	r, ok := v.(*Resp)
	if err != nil || !ok || !r.HasState || r.State != AcceptIncomplete || !r.SupportedMech.Equal(OIDNTLM) || !bytes.Equal(r.ResponseToken, challenge) {
		t.Fatalf("Parse: %+v, %v", v, err)
	}
	init := krbspnego.SPNEGOToken{Init: true, NegTokenInit: krbspnego.NegTokenInit{MechTokenBytes: []byte{1, 2, 3}}}
	init.NegTokenInit.MechTypes = append(init.NegTokenInit.MechTypes, nil, nil)
	init.NegTokenInit.MechTypes[0] = append(init.NegTokenInit.MechTypes[0], OIDKerberos...)
	init.NegTokenInit.MechTypes[1] = append(init.NegTokenInit.MechTypes[1], OIDNTLM...)
	if b, err = init.Marshal(); err != nil {
		t.Fatal(err)
	}
	v, err = Parse(b)
	in, ok := v.(*Init)
	if err != nil || !ok || !in.MechTypes[0].Equal(OIDKerberos) || !in.Offers(OIDNTLM) || !bytes.Equal(in.MechToken, []byte{1, 2, 3}) {
		t.Fatalf("Parse: %+v, %v", v, err)
	}
}

// A NegTokenResp with its state (the acceptor's) is read by gokrb5; one
// without (the initiator's later legs) keeps the state out.
func TestRespRoundTrip(t *testing.T) {
	b, err := Resp{HasState: true, State: AcceptCompleted, SupportedMech: OIDNTLM}.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	var tok krbspnego.SPNEGOToken
	if err := tok.Unmarshal(b); err != nil || !tok.Resp || tok.NegTokenResp.NegState != 0 {
		t.Fatalf("gokrb5: %+v, %v", tok, err)
	}
	// accept-completed is 0, and is still written when HasState is set.
	if v, err := Parse(b); err != nil || !v.(*Resp).HasState || v.(*Resp).State != AcceptCompleted {
		t.Fatalf("Parse: %+v, %v", v, err)
	}
	auth := []byte("NTLMSSP\x00\x03\x00\x00\x00")
	b, _ = Resp{ResponseToken: auth, MechListMIC: []byte{9}}.Marshal()
	v, err := Parse(b)
	r, ok := v.(*Resp)
	if err != nil || !ok || r.HasState || !bytes.Equal(r.ResponseToken, auth) || !bytes.Equal(r.MechListMIC, []byte{9}) {
		t.Fatalf("Parse: %+v, %v", v, err)
	}
}

func TestParseRefusesWhatIsNotSPNEGO(t *testing.T) {
	krb5OID, _ := asn1.Marshal(OIDKerberos)
	notSPNEGO, _ := asn1.Marshal(asn1.RawValue{Class: asn1.ClassApplication, Tag: 0, IsCompound: true, Bytes: krb5OID})
	good, _ := Init{MechTypes: []asn1.ObjectIdentifier{OIDNTLM}}.Marshal()
	for name, b := range map[string][]byte{
		"empty":           nil,
		"raw NTLM":        ntlmNegotiate,
		"Kerberos header": notSPNEGO,
		"truncated":       good[:len(good)-1],
		"trailing bytes":  append(append([]byte{}, good...), 0),
		"too long":        make([]byte, maxToken+1),
	} {
		if _, err := Parse(b); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: %v, want ErrMalformed", name, err)
		}
	}
	if _, err := (Init{}).Marshal(); err == nil {
		t.Error("a NegTokenInit without a mechanism was written")
	}
}

// Parse reads server headers: whatever the bytes, it neither panics nor
// returns something that does not write back to a token it reads the same.
func FuzzParse(f *testing.F) {
	init, _ := Init{MechTypes: []asn1.ObjectIdentifier{OIDKerberos, OIDNTLM}, MechToken: ntlmNegotiate}.Marshal()
	resp, _ := Resp{HasState: true, State: AcceptIncomplete, SupportedMech: OIDNTLM, ResponseToken: []byte("NTLMSSP\x00\x02")}.Marshal()
	last, _ := Resp{ResponseToken: []byte("x"), MechListMIC: []byte{1}}.Marshal()
	for _, seed := range [][]byte{init, resp, last, ntlmNegotiate, {0xa1, 0x00}, {0x60, 0x80}} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := Parse(b)
		if err != nil {
			return
		}
		var again []byte
		switch tok := v.(type) {
		case *Init:
			again, err = tok.Marshal()
		case *Resp:
			again, err = tok.Marshal()
		default:
			t.Fatalf("Parse returned %T", v)
		}
		if err != nil {
			t.Fatalf("a parsed token does not write back: %v", err)
		}
		w, err := Parse(again)
		if err != nil {
			t.Fatalf("a written token does not parse: %v", err)
		}
		if fmt.Sprint(w) != fmt.Sprint(v) {
			t.Fatalf("round trip changed the token: %v, then %v", v, w)
		}
	})
}

// Package spnego reads and writes the SPNEGO negotiation tokens (RFC 4178)
// that carry an NTLM message under the HTTP "Negotiate" scheme (RFC 4559):
// the client's first token, a NegTokenInit behind the GSS-API header
// (RFC 2743 section 3.1), and the NegTokenResp tokens of the legs after
// it. The DER is written and read with encoding/asn1.
//
// github.com/jcmturner/gokrb5/v8/spnego has these types too, but that
// package imports gokrb5's Kerberos client, so a program using mimcm
// without Kerberos would link all of it; the framing is small enough to
// do here. Its tests check it against gokrb5's types.
package spnego

import (
	"bytes"
	"encoding/asn1"
	"errors"
	"fmt"
)

// Mechanism identifiers.
var (
	// OIDSPNEGO is the SPNEGO pseudo-mechanism (1.3.6.1.5.5.2).
	OIDSPNEGO = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 2}
	// OIDNTLM is Microsoft's NTLM security support provider (NTLMSSP).
	OIDNTLM = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 2, 2, 10}
	// OIDKerberos is Kerberos V5 (RFC 4121); OIDMSKerberos is the
	// identifier older Windows versions send for it.
	OIDKerberos   = asn1.ObjectIdentifier{1, 2, 840, 113554, 1, 2, 2}
	OIDMSKerberos = asn1.ObjectIdentifier{1, 2, 840, 48018, 1, 2, 2}
)

// NegState is the negState of a NegTokenResp.
type NegState int

// The negState values of RFC 4178 section 4.2.2.
const (
	AcceptCompleted  NegState = 0
	AcceptIncomplete NegState = 1
	Reject           NegState = 2
	RequestMIC       NegState = 3
)

// Init is a NegTokenInit: the mechanisms the initiator offers, best
// first, and the first token of the first one.
type Init struct {
	MechTypes []asn1.ObjectIdentifier
	MechToken []byte
}

// Resp is a NegTokenResp. HasState tells whether negState was sent
// (it is optional after the acceptor's first answer).
type Resp struct {
	HasState      bool
	State         NegState
	SupportedMech asn1.ObjectIdentifier
	ResponseToken []byte
	MechListMIC   []byte
}

const (
	tagInit = 0 // [0] NegTokenInit inside NegotiationToken
	tagResp = 1 // [1] NegTokenResp
)

// maxToken bounds a token this package reads; HTTP headers carrying one
// are smaller still.
const maxToken = 64 << 10

// ErrMalformed: the bytes are not a SPNEGO token this package reads.
var ErrMalformed = errors.New("spnego: malformed negotiation token")

func explicit(tag int, inner []byte) []byte {
	b, _ := asn1.Marshal(asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: tag, IsCompound: true, Bytes: inner})
	return b
}

func sequence(parts ...[]byte) []byte {
	b, _ := asn1.Marshal(asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSequence, IsCompound: true, Bytes: bytes.Join(parts, nil)})
	return b
}

func mustMarshal(v any) []byte {
	b, err := asn1.Marshal(v)
	if err != nil {
		panic(err) // only fixed types with valid values reach here
	}
	return b
}

// Marshal writes the initiator's first token: the GSS-API header with the
// SPNEGO identifier, then the NegTokenInit.
func (t Init) Marshal() ([]byte, error) {
	if len(t.MechTypes) == 0 {
		return nil, errors.New("spnego: a NegTokenInit needs a mechanism")
	}
	mechs, err := asn1.Marshal(t.MechTypes)
	if err != nil {
		return nil, fmt.Errorf("spnego: %w", err)
	}
	fields := [][]byte{explicit(0, mechs)}
	if t.MechToken != nil {
		fields = append(fields, explicit(2, mustMarshal(t.MechToken)))
	}
	inner := append(mustMarshal(OIDSPNEGO), explicit(tagInit, sequence(fields...))...)
	return asn1.Marshal(asn1.RawValue{Class: asn1.ClassApplication, Tag: 0, IsCompound: true, Bytes: inner})
}

// Marshal writes the NegTokenResp (no GSS-API header: RFC 4178 section 4.2).
func (t Resp) Marshal() ([]byte, error) {
	var fields [][]byte
	if t.HasState {
		fields = append(fields, explicit(0, mustMarshal(asn1.Enumerated(t.State))))
	}
	if t.SupportedMech != nil {
		m, err := asn1.Marshal(t.SupportedMech)
		if err != nil {
			return nil, fmt.Errorf("spnego: %w", err)
		}
		fields = append(fields, explicit(1, m))
	}
	if t.ResponseToken != nil {
		fields = append(fields, explicit(2, mustMarshal(t.ResponseToken)))
	}
	if t.MechListMIC != nil {
		fields = append(fields, explicit(3, mustMarshal(t.MechListMIC)))
	}
	return explicit(tagResp, sequence(fields...)), nil
}

// Parse reads a negotiation token: an initiator's first token (GSS-API
// header, SPNEGO, NegTokenInit) as *Init, or a NegTokenResp as *Resp.
func Parse(b []byte) (any, error) {
	if len(b) == 0 || len(b) > maxToken {
		return nil, ErrMalformed
	}
	var outer asn1.RawValue
	if rest, err := asn1.Unmarshal(b, &outer); err != nil || len(rest) != 0 || !outer.IsCompound {
		return nil, ErrMalformed
	}
	switch {
	case outer.Class == asn1.ClassApplication && outer.Tag == 0:
		var oid asn1.ObjectIdentifier
		rest, err := asn1.Unmarshal(outer.Bytes, &oid)
		if err != nil || !oid.Equal(OIDSPNEGO) {
			return nil, ErrMalformed
		}
		var tok asn1.RawValue
		if rest, err = asn1.Unmarshal(rest, &tok); err != nil || len(rest) != 0 ||
			tok.Class != asn1.ClassContextSpecific || tok.Tag != tagInit {
			return nil, ErrMalformed
		}
		return parseInit(tok.Bytes)
	case outer.Class == asn1.ClassContextSpecific && outer.Tag == tagResp:
		return parseResp(outer.Bytes)
	}
	return nil, ErrMalformed
}

// fields reads the SEQUENCE of context-tagged fields in b.
func fields(b []byte, each func(tag int, inner []byte) error) error {
	var seq asn1.RawValue
	if rest, err := asn1.Unmarshal(b, &seq); err != nil || len(rest) != 0 ||
		seq.Class != asn1.ClassUniversal || seq.Tag != asn1.TagSequence {
		return ErrMalformed
	}
	rest := seq.Bytes
	for len(rest) > 0 {
		var f asn1.RawValue
		var err error
		if rest, err = asn1.Unmarshal(rest, &f); err != nil || f.Class != asn1.ClassContextSpecific || !f.IsCompound {
			return ErrMalformed
		}
		if err := each(f.Tag, f.Bytes); err != nil {
			return err
		}
	}
	return nil
}

// one reads exactly one value from b into v.
func one(b []byte, v any) error {
	rest, err := asn1.Unmarshal(b, v)
	if err != nil || len(rest) != 0 {
		return ErrMalformed
	}
	return nil
}

func parseInit(b []byte) (*Init, error) {
	t := &Init{}
	err := fields(b, func(tag int, inner []byte) error {
		switch tag {
		case 0:
			return one(inner, &t.MechTypes)
		case 2:
			return one(inner, &t.MechToken)
		}
		return nil // reqFlags, mechListMIC: not used here
	})
	if err != nil {
		return nil, err
	}
	if len(t.MechTypes) == 0 {
		return nil, ErrMalformed
	}
	return t, nil
}

func parseResp(b []byte) (*Resp, error) {
	t := &Resp{}
	err := fields(b, func(tag int, inner []byte) error {
		switch tag {
		case 0:
			var e asn1.Enumerated
			if err := one(inner, &e); err != nil {
				return err
			}
			t.HasState, t.State = true, NegState(e)
		case 1:
			return one(inner, &t.SupportedMech)
		case 2:
			return one(inner, &t.ResponseToken)
		case 3:
			return one(inner, &t.MechListMIC)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// Offers reports whether the NegTokenInit offers mech.
func (t *Init) Offers(mech asn1.ObjectIdentifier) bool {
	for _, m := range t.MechTypes {
		if m.Equal(mech) {
			return true
		}
	}
	return false
}

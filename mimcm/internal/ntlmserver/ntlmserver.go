// Package ntlmserver is the server side of NTLMv2 (MS-NLMP) for the fake
// CM server: it writes CHALLENGE messages and checks the NTLMv2 response
// of an AUTHENTICATE message against a password. It authenticates only;
// it derives no session keys and checks no message integrity code.
package ntlmserver

import (
	"bytes"
	"crypto/hmac"
	"crypto/md5" // #nosec G501 -- NTLMv2 is defined with HMAC-MD5
	"crypto/rand"
	"encoding/binary"
	"errors"
	"strings"
	"time"
	"unicode/utf16"
)

const signature = "NTLMSSP\x00"

// Negotiate flags the challenge sets.
const (
	flagUnicode          = 0x00000001
	flagRequestTarget    = 0x00000004
	flagSign             = 0x00000010
	flagSeal             = 0x00000020
	flagNTLM             = 0x00000200
	flagAlwaysSign       = 0x00008000
	flagTargetTypeDomain = 0x00010000
	flagExtendedSecurity = 0x00080000
	flagTargetInfo       = 0x00800000
	flagVersion          = 0x02000000
	flag128              = 0x20000000
	flagKeyExchange      = 0x40000000
	flag56               = 0x80000000
)

// echoed are the flags a CHALLENGE grants when the NEGOTIATE asked for
// them, as Windows does: a GSS-API client (gss-ntlmssp) that asked for
// signing refuses a challenge without it.
const echoed = flagSign | flagSeal | flagKeyExchange

// MessageType returns the type of an NTLM message (1 NEGOTIATE, 2
// CHALLENGE, 3 AUTHENTICATE), or 0 when b is not one.
func MessageType(b []byte) int {
	if len(b) < 12 || !bytes.HasPrefix(b, []byte(signature)) {
		return 0
	}
	return int(binary.LittleEndian.Uint32(b[8:]))
}

// Challenge is a CHALLENGE message sent on one connection.
type Challenge struct {
	ServerChallenge [8]byte
	Message         []byte
}

// NewChallenge writes a CHALLENGE answering the NEGOTIATE message
// negotiate, for the domain and computer names.
func NewChallenge(negotiate []byte, domain, computer string) (*Challenge, error) {
	var asked uint32
	if MessageType(negotiate) == 1 && len(negotiate) >= 16 {
		asked = binary.LittleEndian.Uint32(negotiate[12:])
	}
	c := &Challenge{}
	if _, err := rand.Read(c.ServerChallenge[:]); err != nil {
		return nil, err
	}
	var info []byte
	av := func(id uint16, v []byte) {
		info = binary.LittleEndian.AppendUint16(info, id)
		info = binary.LittleEndian.AppendUint16(info, uint16(len(v)))
		info = append(info, v...)
	}
	av(2, unicode(strings.ToUpper(domain)))
	av(1, unicode(strings.ToUpper(computer)))
	av(4, unicode(strings.ToLower(domain)+".local"))
	av(3, unicode(strings.ToLower(computer)+"."+strings.ToLower(domain)+".local"))
	ft := uint64(time.Now().UnixNano()/100) + 116444736000000000
	av(7, binary.LittleEndian.AppendUint64(nil, ft))
	av(0, nil)
	target := unicode(strings.ToUpper(domain))
	const header = 56
	m := []byte(signature)
	m = binary.LittleEndian.AppendUint32(m, 2)
	m = appendField(m, len(target), header)
	m = binary.LittleEndian.AppendUint32(m, flagUnicode|flagRequestTarget|flagNTLM|flagAlwaysSign|flagTargetTypeDomain|
		flagExtendedSecurity|flagTargetInfo|flagVersion|flag128|flag56|asked&echoed)
	m = append(m, c.ServerChallenge[:]...)
	m = append(m, make([]byte, 8)...)
	m = appendField(m, len(info), header+len(target))
	m = append(m, 10, 0, 0x61, 0x4a, 0, 0, 0, 15) // version 10.0 build 19041, NTLM revision 15
	m = append(m, target...)
	m = append(m, info...)
	c.Message = m
	return c, nil
}

func appendField(m []byte, n, offset int) []byte {
	m = binary.LittleEndian.AppendUint16(m, uint16(n))
	m = binary.LittleEndian.AppendUint16(m, uint16(n))
	return binary.LittleEndian.AppendUint32(m, uint32(offset))
}

// Authenticate is what an AUTHENTICATE message says.
type Authenticate struct {
	User, Domain, Workstation string
	ntResponse                []byte
}

// ErrMalformed: the message is not an AUTHENTICATE message this package reads.
var ErrMalformed = errors.New("ntlm: malformed AUTHENTICATE message")

// ParseAuthenticate reads an AUTHENTICATE message.
func ParseAuthenticate(b []byte) (*Authenticate, error) {
	if MessageType(b) != 3 || len(b) < 64 {
		return nil, ErrMalformed
	}
	field := func(at int) ([]byte, error) {
		n := int(binary.LittleEndian.Uint16(b[at:]))
		off := int(binary.LittleEndian.Uint32(b[at+4:]))
		if off < 0 || off+n > len(b) {
			return nil, ErrMalformed
		}
		return b[off : off+n], nil
	}
	nt, err := field(20)
	if err != nil {
		return nil, err
	}
	var names [3]string
	for i, at := range []int{28, 36, 44} {
		f, err := field(at)
		if err != nil {
			return nil, err
		}
		names[i] = fromUnicode(f)
	}
	if len(nt) < 16+28 {
		return nil, errors.New("ntlm: not an NTLMv2 response")
	}
	return &Authenticate{Domain: names[0], User: names[1], Workstation: names[2], ntResponse: nt}, nil
}

// Verify reports whether the message's NTLMv2 response was computed
// from password for the challenge c.
func (a *Authenticate) Verify(c *Challenge, password string) bool {
	hash := md4Sum(unicode(password))
	v2 := hmacMD5(hash[:], unicode(strings.ToUpper(a.User)+a.Domain))
	proof, blob := a.ntResponse[:16], a.ntResponse[16:]
	return hmac.Equal(proof, hmacMD5(v2, c.ServerChallenge[:], blob))
}

func hmacMD5(key []byte, data ...[]byte) []byte {
	m := hmac.New(md5.New, key)
	for _, d := range data {
		m.Write(d)
	}
	return m.Sum(nil)
}

func unicode(s string) []byte {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		b = binary.LittleEndian.AppendUint16(b, u)
	}
	return b
}

func fromUnicode(b []byte) string {
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = binary.LittleEndian.Uint16(b[2*i:])
	}
	return string(utf16.Decode(u))
}

// avChannelBindings is the MsvAvChannelBindings AV pair (MS-NLMP 2.2.2.1).
const avChannelBindings = 0x000A

// HasChannelBinding reports whether the NTLMv2 response carries a channel
// binding (MsvAvChannelBindings, not all zeros), which a server with
// Extended Protection "Required" demands over TLS. Its value is not
// checked against a certificate.
func (a *Authenticate) HasChannelBinding() bool {
	// The NTLMv2 client challenge: proof (16), then type, reserved (8),
	// time stamp (8), client challenge (8), reserved (4), then AV pairs.
	const avStart = 16 + 28
	if len(a.ntResponse) < avStart {
		return false
	}
	av := a.ntResponse[avStart:]
	for len(av) >= 4 {
		id, n := binary.LittleEndian.Uint16(av), int(binary.LittleEndian.Uint16(av[2:]))
		if id == 0 || len(av) < 4+n {
			return false
		}
		if id == avChannelBindings {
			return !bytes.Equal(av[4:4+n], make([]byte, n))
		}
		av = av[4+n:]
	}
	return false
}

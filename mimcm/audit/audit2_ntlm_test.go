//go:build audit

package audit_test

// NTLM inside SPNEGO (RFC 4178; RFC 4559 for the HTTP "Negotiate" scheme;
// MS-NLMP for the NTLM messages). The stand-in offers only
// "WWW-Authenticate: Negotiate" (vendor-notes.md §2: WIA in IIS means
// Negotiate) and takes NTLM only inside SPNEGO:
//   - RFC 4178 §4.2.1: the initiator's first token is the
//     InitialContextToken [APPLICATION 0] with thisMech 1.3.6.1.5.5.2 and a
//     NegTokenInit whose mechTypes list the NTLMSSP mechanism
//     (1.3.6.1.4.1.311.2.2.10) and whose mechToken is the NTLM NEGOTIATE;
//   - RFC 4178 §4.2.2: the acceptor answers a NegTokenResp
//     (negState accept-incomplete, supportedMech, responseToken = CHALLENGE),
//     and the initiator's next token is a NegTokenResp [1] carrying the
//     AUTHENTICATE in responseToken;
//   - RFC 4559 §4/§5: tokens travel base64 after "Negotiate " in
//     Authorization / WWW-Authenticate, and the final 200 may carry the
//     acceptor's last token.

import (
	"bytes"
	"context"
	"encoding/asn1"
	"encoding/base64"
	"encoding/binary"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/certadmin/certadmin-go/internal/audit"
	"github.com/certadmin/certadmin-go/mimcm"
)

var (
	oidSPNEGO = []byte{0x06, 0x06, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x02}
	oidNTLM   = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 2, 2, 10}
)

// a2le writes v little-endian to b. A fixed-size value written to a
// bytes.Buffer cannot fail, so a failure is a bug in the probe.
func a2le(b *bytes.Buffer, v any) {
	if err := binary.Write(b, binary.LittleEndian, v); err != nil {
		panic(err)
	}
}

func a2u16(s string) []byte {
	var b bytes.Buffer
	for _, r := range utf16.Encode([]rune(s)) {
		a2le(&b, r)
	}
	return b.Bytes()
}

// a2challenge builds an NTLM CHALLENGE_MESSAGE (MS-NLMP 2.2.1.2) with the
// target info an NTLMv2 response needs.
func a2challenge() []byte {
	tn := a2u16("CONTOSO")
	var ti bytes.Buffer
	av := func(id uint16, v []byte) {
		a2le(&ti, id)
		a2le(&ti, uint16(len(v)))
		ti.Write(v)
	}
	av(2, a2u16("CONTOSO"))
	av(1, a2u16("CM01"))
	av(4, a2u16("contoso.com"))
	av(3, a2u16("cm01.contoso.com"))
	ts := make([]byte, 8)
	binary.LittleEndian.PutUint64(ts, uint64(time.Now().UnixNano()/100+116444736000000000))
	av(7, ts)
	av(0, nil)
	flags := uint32(0x1 | 0x4 | 0x200 | 0x8000 | 0x10000 | 0x80000 | 0x800000 | 0x02000000 | 0x20000000 | 0x80000000)
	var m bytes.Buffer
	m.WriteString("NTLMSSP\x00")
	a2le(&m, uint32(2))
	off := uint32(56)
	a2le(&m, uint16(len(tn)))
	a2le(&m, uint16(len(tn)))
	a2le(&m, off)
	a2le(&m, flags)
	m.Write([]byte{1, 2, 3, 4, 5, 6, 7, 8}) // server challenge
	m.Write(make([]byte, 8))
	a2le(&m, uint16(ti.Len()))
	a2le(&m, uint16(ti.Len()))
	a2le(&m, off+uint32(len(tn)))
	m.Write([]byte{10, 0, 0x61, 0x4a, 0, 0, 0, 15}) // version
	m.Write(tn)
	m.Write(ti.Bytes())
	return m.Bytes()
}

type negTokenResp struct {
	NegState      asn1.Enumerated       `asn1:"explicit,tag:0,optional"`
	SupportedMech asn1.ObjectIdentifier `asn1:"explicit,tag:1,optional"`
	ResponseToken []byte                `asn1:"explicit,tag:2,optional"`
}

func a2negResp(state int, mech asn1.ObjectIdentifier, tok []byte) string {
	inner, err := asn1.Marshal(negTokenResp{NegState: asn1.Enumerated(state), SupportedMech: mech, ResponseToken: tok})
	if err != nil {
		panic(err)
	}
	out, _ := asn1.Marshal(asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 1, IsCompound: true, Bytes: inner})
	return base64.StdEncoding.EncodeToString(out)
}

func ntlmType(tok []byte) (int, []byte) {
	i := bytes.Index(tok, []byte("NTLMSSP\x00"))
	if i < 0 || len(tok) < i+12 {
		return 0, nil
	}
	return int(binary.LittleEndian.Uint32(tok[i+8:])), tok[i:]
}

func TestAudit2_MIM_NTLMInsideSPNEGO(t *testing.T) {
	var mu sync.Mutex
	authed := map[string]bool{}
	var log []string
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		h := r.Header.Get("Authorization")
		deny := func(why string) {
			log = append(log, why)
			w.Header().Set("WWW-Authenticate", "Negotiate")
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(401)
		}
		if h == "" {
			if authed[r.RemoteAddr] {
				audit.JSON(w, 200, []any{})
				return
			}
			deny("no credentials")
			return
		}
		if !strings.HasPrefix(h, "Negotiate ") {
			deny("scheme " + strings.SplitN(h, " ", 2)[0] + " not offered")
			return
		}
		tok, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(h, "Negotiate "))
		if err != nil || len(tok) == 0 {
			deny("bad base64")
			return
		}
		mt, msg := ntlmType(tok)
		switch tok[0] {
		case 'N':
			deny("raw NTLM under Negotiate (this stand-in wants SPNEGO)")
		case 0x60:
			nt, _ := asn1.Marshal(oidNTLM)
			if !bytes.Contains(tok, oidSPNEGO) || !bytes.Contains(tok, nt) || mt != 1 {
				deny("InitialContextToken without SPNEGO OID, NTLMSSP mech or NEGOTIATE")
				return
			}
			log = append(log, "negTokenInit ok")
			w.Header().Set("WWW-Authenticate", "Negotiate "+a2negResp(1, oidNTLM, a2challenge()))
			w.WriteHeader(401)
		case 0xa1:
			if mt != 3 {
				deny("negTokenResp without AUTHENTICATE")
				return
			}
			if !bytes.Contains(msg, a2u16("jdoe")) || !bytes.Contains(msg, a2u16("CONTOSO")) {
				deny("AUTHENTICATE without user/domain")
				return
			}
			log = append(log, "negTokenResp ok")
			authed[r.RemoteAddr] = true
			w.Header().Set("WWW-Authenticate", "Negotiate "+a2negResp(0, nil, nil))
			audit.JSON(w, 200, []any{})
		default:
			deny("unknown token")
		}
	}))
	t.Cleanup(ts.Close)
	c, err := mimcm.NewClient(ts.URL, mimcm.WithInsecurePlainHTTP(), mimcm.WithNTLM(`CONTOSO\jdoe`, "Passw0rd!"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.ListProfileTemplates(context.Background())
	mu.Lock()
	defer mu.Unlock()
	if err != nil {
		t.Errorf("ListProfileTemplates with NTLM under Negotiate only: %v; server saw %v", err, log)
	}
	if !slices.Contains(log, "negTokenResp ok") {
		t.Errorf("no SPNEGO-wrapped AUTHENTICATE reached the server: %v", log)
	}
}

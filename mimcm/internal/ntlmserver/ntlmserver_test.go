package ntlmserver

import (
	"encoding/binary"
	"encoding/hex"
	"testing"

	"github.com/Azure/go-ntlmssp"
)

func TestMD4(t *testing.T) {
	// RFC 1320's test suite.
	for in, want := range map[string]string{
		"":    "31d6cfe0d16ae931b73c59d7e0c089c0",
		"abc": "a448017aaf21d8525fc10ae87aa6729d",
		"12345678901234567890123456789012345678901234567890123456789012345678901234567890": "e33b4ddc9c38f2199c3e7b164fcc0536",
	} {
		got := md4Sum([]byte(in))
		if hex.EncodeToString(got[:]) != want {
			t.Errorf("MD4(%q) = %x, want %s", in, got, want)
		}
	}
}

// go-ntlmssp's AUTHENTICATE for this package's CHALLENGE verifies with
// the right password only.
func TestHandshakeWithGoNTLMSSP(t *testing.T) {
	neg, _ := ntlmssp.NewNegotiateMessage("", "")
	c, err := NewChallenge(neg, "CONTOSO", "CM01")
	if err != nil {
		t.Fatal(err)
	}
	msg, err := ntlmssp.NewAuthenticateMessage(c.Message, `CONTOSO\jdoe`, "right password", nil)
	if err != nil {
		t.Fatal(err)
	}
	a, err := ParseAuthenticate(msg)
	if err != nil {
		t.Fatal(err)
	}
	if a.User != "jdoe" || a.Domain != "CONTOSO" {
		t.Errorf("user %q domain %q", a.User, a.Domain)
	}
	if !a.Verify(c, "right password") {
		t.Error("the right password does not verify")
	}
	if a.Verify(c, "wrong password") {
		t.Error("a wrong password verifies")
	}
	other, _ := NewChallenge(neg, "CONTOSO", "CM01")
	if a.Verify(other, "right password") {
		t.Error("the response verifies against another challenge")
	}
	if MessageType(neg) != 1 || MessageType(c.Message) != 2 || MessageType([]byte("x")) != 0 {
		t.Error("message types")
	}
	if _, err := ParseAuthenticate(neg); err == nil {
		t.Error("a NEGOTIATE parsed as AUTHENTICATE")
	}
}

// The signing flags a client asks for are granted; others are not.
func TestChallengeGrantsAskedFlags(t *testing.T) {
	flags := func(m []byte) uint32 { return binary.LittleEndian.Uint32(m[20:]) }
	neg, _ := ntlmssp.NewNegotiateMessage("", "")
	binary.LittleEndian.PutUint32(neg[12:], flagUnicode|flagNTLM|flagSign|flagKeyExchange)
	c, err := NewChallenge(neg, "CONTOSO", "CM01")
	if err != nil {
		t.Fatal(err)
	}
	if f := flags(c.Message); f&flagSign == 0 || f&flagKeyExchange == 0 || f&flagSeal != 0 {
		t.Errorf("challenge flags %#x: want sign and key exchange, not seal", f)
	}
	binary.LittleEndian.PutUint32(neg[12:], flagUnicode|flagNTLM)
	c, _ = NewChallenge(neg, "CONTOSO", "CM01")
	if f := flags(c.Message); f&echoed != 0 {
		t.Errorf("challenge flags %#x grant what was not asked", f)
	}
}

// A channel binding counts when the MsvAvChannelBindings pair is there
// and not all zeros; go-ntlmssp's response has none.
func TestHasChannelBinding(t *testing.T) {
	resp := func(pairs ...[]byte) *Authenticate {
		nt := make([]byte, 16+28)
		for _, p := range pairs {
			nt = append(nt, p...)
		}
		return &Authenticate{ntResponse: append(nt, 0, 0, 0, 0)} // MsvAvEOL
	}
	pair := func(id uint16, v []byte) []byte {
		b := binary.LittleEndian.AppendUint16(nil, id)
		b = binary.LittleEndian.AppendUint16(b, uint16(len(v)))
		return append(b, v...)
	}
	hash := make([]byte, 16)
	hash[3] = 7
	if !resp(pair(2, []byte("C\x00")), pair(avChannelBindings, hash)).HasChannelBinding() {
		t.Error("a binding after another pair was not found")
	}
	if resp(pair(avChannelBindings, make([]byte, 16))).HasChannelBinding() {
		t.Error("an all-zero binding counted")
	}
	if resp(pair(2, []byte("C\x00"))).HasChannelBinding() || (&Authenticate{ntResponse: make([]byte, 20)}).HasChannelBinding() {
		t.Error("a binding was found where there is none")
	}
	neg, _ := ntlmssp.NewNegotiateMessage("", "")
	c, _ := NewChallenge(neg, "CONTOSO", "CM01")
	msg, _ := ntlmssp.NewAuthenticateMessage(c.Message, `CONTOSO\jdoe`, "pw", nil)
	if a, err := ParseAuthenticate(msg); err != nil || a.HasChannelBinding() {
		t.Errorf("go-ntlmssp: %v, binding %v", err, err == nil && a.HasChannelBinding())
	}
}

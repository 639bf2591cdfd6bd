package mimcmtest_test

import (
	"context"
	"encoding/asn1"
	"encoding/base64"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/Azure/go-ntlmssp"

	"github.com/certadmin/certadmin-go/mimcm/internal/spnego"
	"github.com/certadmin/certadmin-go/mimcm/mimcmtest"
)

// windowsLeg sends one leg with Authorization "Negotiate <tok>" (none
// when tok is nil) over rt's one connection and returns the status and
// the token of the answer's Negotiate header.
func windowsLeg(t *testing.T, rt http.RoundTripper, url string, tok []byte) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, url, nil)
	if tok != nil {
		req.Header.Set("Authorization", "Negotiate "+base64.StdEncoding.EncodeToString(tok))
	}
	resp, err := rt.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	for _, v := range resp.Header.Values("WWW-Authenticate") {
		if s, b64, ok := strings.Cut(v, " "); ok && strings.EqualFold(s, "Negotiate") {
			out, err := base64.StdEncoding.DecodeString(b64)
			if err != nil {
				t.Fatalf("answer token: %v", err)
			}
			return resp.StatusCode, out
		}
	}
	return resp.StatusCode, nil
}

func oneConnection() *http.Transport {
	return &http.Transport{MaxConnsPerHost: 1, MaxIdleConnsPerHost: 1}
}

// IIS takes NTLM under Negotiate raw and inside SPNEGO (RFC 4559 section
// 4: the Negotiate scheme carries SPNEGO tokens; Windows clients also
// send a raw NTLM message there), and answers in the form it was asked in.
func TestNegotiateTakesRawAndSPNEGO(t *testing.T) {
	srv := mimcmtest.NewTestServer(t, mimcmtest.WithNegotiate())
	url := srv.URL + "/CertificateManagement/api/v1.0/profiletemplates"
	neg, _ := ntlmssp.NewNegotiateMessage("", "")

	t.Run("raw", func(t *testing.T) {
		rt := oneConnection()
		defer rt.CloseIdleConnections()
		code, ch := windowsLeg(t, rt, url, neg)
		if code != http.StatusUnauthorized || !strings.HasPrefix(string(ch), "NTLMSSP\x00\x02") {
			t.Fatalf("raw NEGOTIATE: %d, %q", code, ch)
		}
		auth, _ := ntlmssp.NewAuthenticateMessage(ch, srv.Username, srv.Password, nil)
		if code, tok := windowsLeg(t, rt, url, auth); code != http.StatusOK || tok != nil {
			t.Fatalf("raw AUTHENTICATE: %d, token %q", code, tok)
		}
	})

	t.Run("spnego", func(t *testing.T) {
		rt := oneConnection()
		defer rt.CloseIdleConnections()
		init, _ := spnego.Init{MechTypes: []asn1.ObjectIdentifier{spnego.OIDNTLM}, MechToken: neg}.Marshal()
		code, tok := windowsLeg(t, rt, url, init)
		r := parseResp(t, tok)
		if code != http.StatusUnauthorized || !r.HasState || r.State != spnego.AcceptIncomplete ||
			!r.SupportedMech.Equal(spnego.OIDNTLM) || !strings.HasPrefix(string(r.ResponseToken), "NTLMSSP\x00\x02") {
			t.Fatalf("SPNEGO NEGOTIATE: %d, %+v", code, r)
		}
		auth, _ := ntlmssp.NewAuthenticateMessage(r.ResponseToken, srv.Username, srv.Password, nil)
		resp, _ := spnego.Resp{ResponseToken: auth}.Marshal()
		code, tok = windowsLeg(t, rt, url, resp)
		if r := parseResp(t, tok); code != http.StatusOK || r.State != spnego.AcceptCompleted || !r.HasState {
			t.Fatalf("SPNEGO AUTHENTICATE: %d, %+v", code, r)
		}
		// The connection is authenticated.
		if code, _ := windowsLeg(t, rt, url, nil); code != http.StatusOK {
			t.Errorf("next request: %d", code)
		}
	})

	t.Run("spnego, Kerberos preferred", func(t *testing.T) {
		// A NegTokenInit that prefers Kerberos, with a Kerberos token, but
		// offers NTLM: the acceptor picks NTLM and asks for its first
		// token (RFC 4178 section 3.2), sending no challenge yet.
		rt := oneConnection()
		defer rt.CloseIdleConnections()
		init, _ := spnego.Init{MechTypes: []asn1.ObjectIdentifier{spnego.OIDKerberos, spnego.OIDNTLM}, MechToken: []byte("krb5 ap-req")}.Marshal()
		code, tok := windowsLeg(t, rt, url, init)
		r := parseResp(t, tok)
		if code != http.StatusUnauthorized || r.State != spnego.AcceptIncomplete || !r.SupportedMech.Equal(spnego.OIDNTLM) || r.ResponseToken != nil {
			t.Fatalf("Kerberos-first NegTokenInit: %d, %+v", code, r)
		}
		next, _ := spnego.Resp{ResponseToken: neg}.Marshal()
		if code, tok = windowsLeg(t, rt, url, next); code != http.StatusUnauthorized || !strings.HasPrefix(string(parseResp(t, tok).ResponseToken), "NTLMSSP\x00\x02") {
			t.Fatalf("NEGOTIATE in a NegTokenResp: %d", code)
		}
	})

	if h := srv.Handshakes(); h != 2 {
		t.Errorf("%d handshakes, want 2", h)
	}
}

func parseResp(t *testing.T, tok []byte) *spnego.Resp {
	t.Helper()
	v, err := spnego.Parse(tok)
	r, ok := v.(*spnego.Resp)
	if err != nil || !ok {
		t.Fatalf("not a NegTokenResp: %x (%v)", tok, err)
	}
	return r
}

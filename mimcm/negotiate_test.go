package mimcm_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/certadmin/certadmin-go/mimcm"
	"github.com/certadmin/certadmin-go/mimcm/mimcmtest"
)

// A stand-in for a Kerberos library: the "ticket" names the SPN. The
// fake accepts it for its main user when the SPN is the expected one.
func TestNegotiateTokenSource(t *testing.T) {
	const prefix = "fake-kerberos-ap-req:"
	var spns []string
	srv := mimcmtest.NewTestServer(t, mimcmtest.WithKerberosCheck(func(tok []byte) (string, bool) {
		spns = append(spns, string(bytes.TrimPrefix(tok, []byte(prefix))))
		return mimcmtest.Username, string(tok) == prefix+"HTTP/127.0.0.1"
	}))
	src := mimcm.NegotiateTokenFunc(func(_ context.Context, spn string) ([]byte, error) { return []byte(prefix + spn), nil })
	c, err := mimcm.NewClient(srv.URL, mimcm.WithNegotiate("", src))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetRequest(context.Background(), mimcmtest.SampleEnrollID); err != nil {
		t.Fatal(err)
	}
	if srv.Handshakes() != 1 || len(spns) != 1 || spns[0] != "HTTP/127.0.0.1" {
		t.Errorf("handshakes %d, SPNs %q", srv.Handshakes(), spns)
	}

	// A ticket for another service is refused with the Negotiate challenge.
	other, _ := mimcm.NewClient(srv.URL, mimcm.WithNegotiate("HTTP/other.contoso.com", src), mimcm.WithMaxAttempts(1))
	_, err = other.GetRequest(context.Background(), mimcmtest.SampleEnrollID)
	var e *mimcm.Error
	if !errors.As(err, &e) || !errors.Is(err, mimcm.ErrUnauthorized) {
		t.Fatalf("got %v", err)
	}
	// A failing token source fails the call before anything is sent.
	before := srv.TotalHits()
	broken, _ := mimcm.NewClient(srv.URL, mimcm.WithNegotiate("", mimcm.NegotiateTokenFunc(func(context.Context, string) ([]byte, error) {
		return nil, errors.New("no ticket in the cache")
	})))
	if _, err := broken.GetRequest(context.Background(), mimcmtest.SampleEnrollID); err == nil || !strings.Contains(err.Error(), "no ticket in the cache") {
		t.Errorf("got %v", err)
	}
	if srv.TotalHits() != before {
		t.Error("a request went out without a token")
	}
}

// With both Kerberos and NTLM credentials, Kerberos goes first; when no
// ticket can be had the call signs in with NTLM, and nothing carrying a
// Kerberos token is sent.
func TestNegotiateFallsBackToNTLM(t *testing.T) {
	const ticket = "fake-kerberos-ap-req"
	srv := mimcmtest.NewTestServer(t, mimcmtest.WithNTLM(), mimcmtest.WithKerberosCheck(func(tok []byte) (string, bool) {
		return mimcmtest.Username, string(tok) == ticket
	}))
	noTicket := mimcm.NegotiateTokenFunc(func(context.Context, string) ([]byte, error) {
		return nil, errors.New("no credentials cache found")
	})
	c, err := mimcm.NewClient(srv.URL, mimcm.WithNegotiate("", noTicket), mimcm.WithNTLM(srv.Username, srv.Password))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetRequest(context.Background(), mimcmtest.SampleEnrollID); err != nil {
		t.Fatal(err)
	}
	// NEGOTIATE, AUTHENTICATE: NTLM's two legs only.
	if n, h := srv.TotalHits(), srv.Handshakes(); n != 2 || h != 1 {
		t.Errorf("%d requests, %d handshakes; want 2 and 1", n, h)
	}

	// With a ticket, Kerberos signs in and NTLM is not used: one request.
	withTicket := mimcm.NegotiateTokenFunc(func(context.Context, string) ([]byte, error) { return []byte(ticket), nil })
	c, err = mimcm.NewClient(srv.URL, mimcm.WithNTLM(srv.Username, "not-used"), mimcm.WithNegotiate("", withTicket))
	if err != nil {
		t.Fatal(err)
	}
	before := srv.TotalHits()
	if _, err := c.GetRequest(context.Background(), mimcmtest.SampleEnrollID); err != nil {
		t.Fatal(err)
	}
	if n := srv.TotalHits() - before; n != 1 {
		t.Errorf("Kerberos: %d requests, want 1", n)
	}
}

// checkingSource is a Kerberos stand-in that also checks the server's
// answer, as mimcm/kerberos's source does (mutual authentication).
type checkingSource struct {
	ticket  string
	refuse  bool
	checked []int
}

func (s *checkingSource) NegotiateToken(context.Context, string) ([]byte, error) {
	return []byte(s.ticket), nil
}

func (s *checkingSource) CheckNegotiateResponse(_ context.Context, spn string, status int, sent, _ []byte) error {
	s.checked = append(s.checked, status)
	if spn != "HTTP/127.0.0.1" || string(sent) != s.ticket {
		return errors.New("checked the wrong exchange")
	}
	if s.refuse {
		return errors.New("the AP-REP does not match the ticket")
	}
	return nil
}

// With Kerberos and NTLM given together, the server's answer to the
// Kerberos token still goes through the source's check: a failed check
// fails the call, and NTLM does not sign in in its place.
func TestNegotiateWithNTLMChecksTheAnswer(t *testing.T) {
	const ticket = "fake-kerberos-ap-req"
	srv := mimcmtest.NewTestServer(t, mimcmtest.WithNTLM(), mimcmtest.WithKerberosCheck(func(tok []byte) (string, bool) {
		return mimcmtest.Username, string(tok) == ticket
	}))
	src := &checkingSource{ticket: ticket}
	c, err := mimcm.NewClient(srv.URL, mimcm.WithNegotiate("", src), mimcm.WithNTLM(srv.Username, srv.Password))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetRequest(context.Background(), mimcmtest.SampleEnrollID); err != nil {
		t.Fatal(err)
	}
	if len(src.checked) != 1 || src.checked[0] != 200 {
		t.Errorf("checks: %v, want one of the 200", src.checked)
	}
	src.refuse = true
	_, err = c.GetRequest(context.Background(), mimcmtest.SampleEnrollID, mimcm.WithMaxAttempts(1))
	if err == nil || !strings.Contains(err.Error(), "AP-REP does not match") {
		t.Errorf("a failed check: %v", err)
	}
	if h := srv.Handshakes(); h != 2 {
		t.Errorf("%d sign-ins, want 2 (Kerberos twice, no NTLM after the failed check)", h)
	}
}

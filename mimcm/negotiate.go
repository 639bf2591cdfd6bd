package mimcm

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"sync"

	"github.com/certadmin/certadmin-go/internal/transport"
)

// NegotiateTokenSource makes the SPNEGO token (RFC 4559) a request
// carries under "Authorization: Negotiate" for the service principal spn
// (HTTP/cm.contoso.com): with Kerberos, an AP-REQ for a ticket to that
// service. It is called once per attempt; a Kerberos library caches the
// tickets itself.
type NegotiateTokenSource interface {
	NegotiateToken(ctx context.Context, spn string) ([]byte, error)
}

// NegotiateTokenFunc adapts a function to NegotiateTokenSource.
type NegotiateTokenFunc func(ctx context.Context, spn string) ([]byte, error)

// NegotiateToken calls f.
func (f NegotiateTokenFunc) NegotiateToken(ctx context.Context, spn string) ([]byte, error) {
	return f(ctx, spn)
}

// WithNegotiate signs in with Windows Integrated Authentication through
// Kerberos (SPNEGO): every attempt carries "Authorization: Negotiate
// <token>" with a token from src for the service principal spn ("" means
// HTTP/<host of the request>, which is what IIS registers unless the
// application pool runs as a domain account with its own SPN).
//
// Package mimcm/kerberos is such a source, on github.com/jcmturner/gokrb5
// (a package of its own, so that a program without Kerberos does not
// link it): src, err := kerberos.New(kerberos.Config{…}); then
// mimcm.NewClient(url, src.Option()). On Windows SSPI gives the token
// without any library.
//
// A source that implements NegotiateResponseChecker is shown the
// server's answer token (mutual authentication); mimcm/kerberos checks
// it. For NTLM under the Negotiate scheme use WithNTLM, which speaks
// either; given both, the client tries Kerberos first and falls back to
// NTLM when src cannot give a token or the server does not offer
// Negotiate.
func WithNegotiate(spn string, src NegotiateTokenSource) Option {
	na := &negotiateAuth{spn: spn, src: src}
	return clientOption(func(c *transport.Config) {
		if transport.IsNil(src) {
			transport.Refuse(c, "WithNegotiate: nil NegotiateTokenSource")
		}
		transport.SetAuth(c, "WithNegotiate", na)
		// Kept for WithNTLM, which then tries Kerberos first.
		transport.Extension[windowsAuth](c).kerberos = na
	})
}

type negotiateAuth struct {
	spn string
	src NegotiateTokenSource

	mu   sync.Mutex
	last string
}

func (n *negotiateAuth) Authenticate(req *http.Request) error {
	v, err := n.header(req)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", v)
	return nil
}

// header is the Authorization value for req: "Negotiate <token>".
func (n *negotiateAuth) header(req *http.Request) (string, error) {
	_, tok, err := n.token(req)
	if err != nil {
		return "", err
	}
	return "Negotiate " + base64.StdEncoding.EncodeToString(tok), nil
}

// token asks the source for req's token; spn is the principal it is for.
func (n *negotiateAuth) token(req *http.Request) (spn string, tok []byte, err error) {
	if n.src == nil {
		return "", nil, errors.New("mimcm.WithNegotiate was given a nil NegotiateTokenSource")
	}
	spn = n.spn
	if spn == "" {
		spn = "HTTP/" + req.URL.Hostname()
	}
	tok, err = n.src.NegotiateToken(req.Context(), spn)
	if err != nil {
		return "", nil, fmt.Errorf("negotiate token for %s: %w", spn, err)
	}
	if len(tok) == 0 {
		return "", nil, fmt.Errorf("negotiate token for %s is empty", spn)
	}
	enc := base64.StdEncoding.EncodeToString(tok)
	n.mu.Lock()
	n.last = enc
	n.mu.Unlock()
	return spn, tok, nil
}

// Secrets declares the last token, so that a server echoing it has it
// masked.
func (n *negotiateAuth) Secrets() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return []string{n.last}
}

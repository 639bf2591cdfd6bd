package mimcm

import (
	"context"
	"encoding/base64"
	"net/http"
	"strings"
)

// NegotiateResponseChecker is implemented by a NegotiateTokenSource that
// checks the server's side of the exchange: the token of the final
// "WWW-Authenticate: Negotiate" header (with Kerberos the AP-REP of
// mutual authentication), or a KRB-ERROR in a 401. WithNegotiate calls it
// for every answer with the token the request carried (sent) and the
// answer's token (received, nil when there is none); an error fails the
// call without a retry. Package mimcm/kerberos implements it.
type NegotiateResponseChecker interface {
	CheckNegotiateResponse(ctx context.Context, spn string, status int, sent, received []byte) error
}

// CheckResponse hands the answer's Negotiate token to the token source
// when it checks them (see NegotiateResponseChecker).
func (n *negotiateAuth) CheckResponse(req *http.Request, resp *http.Response) error {
	c, ok := n.src.(NegotiateResponseChecker)
	if !ok {
		return nil
	}
	spn := n.spn
	if spn == "" {
		spn = "HTTP/" + req.URL.Hostname()
	}
	sent := negotiateToken(req.Header.Values("Authorization"))
	if sent == nil {
		return nil // not sent by this authenticator
	}
	return c.CheckNegotiateResponse(req.Context(), spn, resp.StatusCode, sent, negotiateToken(resp.Header.Values("WWW-Authenticate")))
}

// negotiateToken returns the decoded token of the first "Negotiate <token>"
// value, or nil.
func negotiateToken(values []string) []byte {
	for _, v := range values {
		s, tok, ok := strings.Cut(strings.TrimSpace(v), " ")
		if !ok || !strings.EqualFold(s, "Negotiate") {
			continue
		}
		b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(tok))
		if err == nil && len(b) > 0 {
			return b
		}
	}
	return nil
}

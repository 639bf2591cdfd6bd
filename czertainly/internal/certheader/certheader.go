// Package certheader is the sign-in CZERTAINLY's 1.x and 2.x platforms
// share behind a TLS-terminating proxy: the client certificate the proxy
// verified, forwarded to the platform in a header. czertainly and
// czertainly/adminv1 differ only in the header's default name.
package certheader

import (
	"crypto/x509"
	"encoding/pem"
	"net/http"
	"net/url"
)

// Value is cert as the header carries it: URL-escaped PEM.
func Value(cert *x509.Certificate) string {
	return url.QueryEscape(string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw})))
}

// Auth sends Value in the header *Name names, Default while it is empty.
// It is an authenticator rather than a fixed header so that the value
// counts as a secret (masked wherever a server echoes it), and the name is
// read when a request is signed, so the option naming the header may come
// before or after the certificate's.
type Auth struct {
	Name    *string
	Default string
	Value   string
}

// Authenticate sets the header on req.
func (a *Auth) Authenticate(req *http.Request) error {
	name := a.Default
	if a.Name != nil && *a.Name != "" {
		name = *a.Name
	}
	req.Header.Set(name, a.Value)
	return nil
}

// Secrets is the header's value.
func (a *Auth) Secrets() []string { return []string{a.Value} }

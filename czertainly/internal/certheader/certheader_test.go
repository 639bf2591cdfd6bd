package certheader

import (
	"net/http"
	"testing"
)

// The header goes under its default name until one is set, also when the
// name is set after the authenticator was made; its value is the secret.
func TestAuthReadsTheNameWhenSigning(t *testing.T) {
	var name string
	a := &Auth{Name: &name, Default: "ssl-client-cert", Value: "pem%0A"}
	req, _ := http.NewRequest(http.MethodGet, "https://ilm.example.com/api", nil)
	if err := a.Authenticate(req); err != nil || req.Header.Get("ssl-client-cert") != "pem%0A" {
		t.Fatalf("default name: %v, header %v", err, req.Header)
	}
	name = "X-Client-Cert"
	req, _ = http.NewRequest(http.MethodGet, "https://ilm.example.com/api", nil)
	if err := a.Authenticate(req); err != nil || req.Header.Get("X-Client-Cert") != "pem%0A" || req.Header.Get("ssl-client-cert") != "" {
		t.Fatalf("name set later: %v, header %v", err, req.Header)
	}
	if s := a.Secrets(); len(s) != 1 || s[0] != "pem%0A" {
		t.Errorf("secrets %q", s)
	}
}

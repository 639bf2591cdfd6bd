package enterpriseadmin_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"errors"
	"testing"

	"software.sslmate.com/src/go-pkcs12"

	"github.com/certadmin/certadmin-go/enterpriseadmin"
)

func TestNewPKCS12(t *testing.T) {
	cert, key := testCertificate(t, "gis.example.com")
	ca, _ := testCertificate(t, "Corp CA")
	pfx, err := enterpriseadmin.NewPKCS12(cert, key, []*x509.Certificate{ca}, "pfx-pass")
	if err != nil {
		t.Fatal(err)
	}
	gotKey, gotLeaf, gotChain, err := pkcs12.DecodeChain(pfx, "pfx-pass")
	if err != nil {
		t.Fatal(err)
	}
	if !gotLeaf.Equal(cert) || len(gotChain) != 1 || !gotChain[0].Equal(ca) {
		t.Errorf("decoded leaf %v, chain %d", gotLeaf.Subject, len(gotChain))
	}
	if k, ok := gotKey.(*ecdsa.PrivateKey); !ok || !k.Equal(key) {
		t.Errorf("decoded key %T differs", gotKey)
	}
	if _, _, _, err := pkcs12.DecodeChain(pfx, "other"); err == nil {
		t.Error("opened with another password")
	}

	// The file imports as it is.
	srv := startFake(t)
	c := newClient(t, srv)
	imported, err := c.ImportIdentityCertificate(context.Background(), enterpriseadmin.ImportIdentityCertificateInput{Name: "made", PFX: pfx, Password: "pfx-pass"})
	if err != nil || imported.Subject != "CN=gis.example.com" {
		t.Fatalf("import = %+v, %v", imported, err)
	}
}

func TestNewPKCS12RefusesBadInput(t *testing.T) {
	cert, key := testCertificate(t, "gis.example.com")
	other, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]func() ([]byte, error){
		"no certificate": func() ([]byte, error) { return enterpriseadmin.NewPKCS12(nil, key, nil, "pw") },
		"no key":         func() ([]byte, error) { return enterpriseadmin.NewPKCS12(cert, nil, nil, "pw") },
		"other key":      func() ([]byte, error) { return enterpriseadmin.NewPKCS12(cert, other, nil, "pw") },
		"no password":    func() ([]byte, error) { return enterpriseadmin.NewPKCS12(cert, key, nil, "") },
		"nil in chain":   func() ([]byte, error) { return enterpriseadmin.NewPKCS12(cert, key, []*x509.Certificate{nil}, "pw") },
	}
	for name, f := range cases {
		pfx, err := f()
		if pfx != nil || !errors.Is(err, enterpriseadmin.ErrInvalidInput) {
			t.Errorf("%s: %d bytes, %v; want ErrInvalidInput", name, len(pfx), err)
		}
	}
}

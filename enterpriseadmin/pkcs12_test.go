package enterpriseadmin_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"log"
	"math/big"
	"testing"
	"time"

	"software.sslmate.com/src/go-pkcs12"

	"github.com/certadmin/certadmin-go/enterpriseadmin"
	"github.com/certadmin/certadmin-go/enterpriseadmin/enterpriseadmintest"
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

// Import a certificate and its key as an identity certificate: NewPKCS12
// makes the file the import takes, and the import answers the certificate
// with the ID the server gave it.
func ExampleClient_ImportIdentityCertificate() {
	srv, err := enterpriseadmintest.NewServer()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	c, err := srv.NewClient()
	if err != nil {
		log.Fatal(err)
	}

	// In practice the certificate and key come from your CA; here a
	// self-signed one stands in.
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		log.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "gis.example.com"},
		DNSNames: []string{"gis.example.com"}, NotBefore: time.Now(), NotAfter: time.Now().Add(90 * 24 * time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		log.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		log.Fatal(err)
	}

	const password = "a-password-for-the-file"
	pfx, err := enterpriseadmin.NewPKCS12(cert, key, nil, password)
	if err != nil {
		log.Fatal(err)
	}
	imported, err := c.ImportIdentityCertificate(context.Background(), enterpriseadmin.ImportIdentityCertificateInput{
		Name: "gis2026", PFX: pfx, Password: password})
	if errors.Is(err, enterpriseadmin.ErrImportedNotRead) {
		log.Fatalf("imported, but not read back: find gis2026 with ListIdentityCertificates: %v", err)
	}
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(imported.Name, imported.Subject, imported.ID != "")
	// Output: gis2026 CN=gis.example.com true
}

//go:build audit

package audit21

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/certadmin/certadmin-go/enterpriseadmin"
	"github.com/certadmin/certadmin-go/enterpriseadmin/enterpriseadmintest"
)

func rsaCert(t *testing.T, cn string) (*x509.Certificate, *rsa.PrivateKey) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: cn},
		DNSNames:     []string{cn},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(90 * 24 * time.Hour),
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	return c, key
}

// Issue: "ArcGIS: ImportIdentityCertificate returns the imported certificate;
// today the caller has to list again to learn its ID. Users need a PKCS#12 to
// import, so offer the helper the tests already use." The returned
// certificate carries the ID the server lists it under, the given name and the
// imported certificate's fingerprint; NewPKCS12 builds the file.
func TestArcGISImportReturnsCertificate(t *testing.T) {
	srv := enterpriseadmintest.NewTestServer(t)
	c, err := srv.NewClient()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	cert, key := rsaCert(t, "gis.audit21.example")
	pfx, err := enterpriseadmin.NewPKCS12(cert, key, nil, "pfx-pass")
	if err != nil {
		t.Fatalf("NewPKCS12: %v", err)
	}
	got, err := c.ImportIdentityCertificate(ctx, enterpriseadmin.ImportIdentityCertificateInput{Name: "audit21", PFX: pfx, Password: "pfx-pass"})
	if err != nil {
		t.Fatalf("ImportIdentityCertificate: %v", err)
	}
	if got == nil || got.ID == "" || got.Name != "audit21" {
		t.Fatalf("returned %+v, want the certificate with its ID and name", got)
	}
	sum := sha256.Sum256(cert.Raw)
	norm := func(s string) string { return strings.ToLower(strings.ReplaceAll(s, ":", "")) }
	if norm(got.SHA256Fingerprint) != hex.EncodeToString(sum[:]) {
		t.Errorf("returned fingerprint %s is not the imported certificate's", got.SHA256Fingerprint)
	}
	again, err := c.GetIdentityCertificate(ctx, got.ID)
	if err != nil || again.Name != "audit21" {
		t.Errorf("GetIdentityCertificate(returned ID %q) = %+v, %v", got.ID, again, err)
	}
}

// NewPKCS12 refuses bad input with ErrInvalidInput, never a panic: nil
// certificate, nil key, a key of another certificate, an empty password.
func TestArcGISNewPKCS12RefusesBadInput(t *testing.T) {
	cert, key := rsaCert(t, "a.example")
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	for name, f := range map[string]func() ([]byte, error){
		"nil cert":     func() ([]byte, error) { return enterpriseadmin.NewPKCS12(nil, key, nil, "p") },
		"nil key":      func() ([]byte, error) { return enterpriseadmin.NewPKCS12(cert, nil, nil, "p") },
		"foreign key":  func() ([]byte, error) { return enterpriseadmin.NewPKCS12(cert, other, nil, "p") },
		"empty pass":   func() ([]byte, error) { return enterpriseadmin.NewPKCS12(cert, key, nil, "") },
		"nil in chain": func() ([]byte, error) { return enterpriseadmin.NewPKCS12(cert, key, []*x509.Certificate{nil}, "p") },
	} {
		var err error
		func() {
			defer func() {
				if r := recover(); r != nil {
					err = fmt.Errorf("PANIC: %v", r)
				}
			}()
			_, err = f()
		}()
		if !errors.Is(err, enterpriseadmin.ErrInvalidInput) {
			t.Errorf("NewPKCS12 with %s: %v, want ErrInvalidInput", name, err)
		}
	}
}

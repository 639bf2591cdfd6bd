// Package testcert makes throwaway certificates, keys and PKCS#12 files for
// tests, so every test package does not carry its own copy of the same
// x509 boilerplate. It is imported by tests only.
package testcert

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"testing"
	"time"

	"software.sslmate.com/src/go-pkcs12"
)

// SelfSigned makes a self-signed ECDSA P-256 certificate from tmpl. A nil
// serial number becomes a random one, a zero validity window runs from an
// hour ago to a day from now, and an empty subject becomes CN=test.
func SelfSigned(t testing.TB, tmpl x509.Certificate) (*x509.Certificate, *ecdsa.PrivateKey) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if tmpl.SerialNumber == nil {
		if tmpl.SerialNumber, err = rand.Int(rand.Reader, big.NewInt(1<<62)); err != nil {
			t.Fatal(err)
		}
	}
	if tmpl.NotBefore.IsZero() && tmpl.NotAfter.IsZero() {
		tmpl.NotBefore, tmpl.NotAfter = time.Now().Add(-time.Hour), time.Now().Add(24*time.Hour)
	}
	if tmpl.Subject.CommonName == "" && len(tmpl.Subject.Organization) == 0 {
		tmpl.Subject = pkix.Name{CommonName: "test"}
	}
	der, err := x509.CreateCertificate(rand.Reader, &tmpl, &tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert, key
}

// ForName is SelfSigned for a certificate with only a common name.
func ForName(t testing.TB, cn string) (*x509.Certificate, *ecdsa.PrivateKey) {
	t.Helper()
	return SelfSigned(t, x509.Certificate{Subject: pkix.Name{CommonName: cn}})
}

// PFX packs cert and key into a PKCS#12 file protected by password.
func PFX(t testing.TB, cert *x509.Certificate, key *ecdsa.PrivateKey, password string) []byte {
	t.Helper()
	pfx, err := pkcs12.Modern.Encode(key, cert, nil, password)
	if err != nil {
		t.Fatal(err)
	}
	return pfx
}

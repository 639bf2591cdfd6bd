package certutil_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"software.sslmate.com/src/go-pkcs12"

	"github.com/certadmin/certadmin-go/internal/certutil"
)

func selfSigned(t *testing.T) (*ecdsa.PrivateKey, *x509.Certificate) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "user"}, NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return key, cert
}

func TestCheckPKCS12(t *testing.T) {
	key, cert := selfSigned(t)
	const password = "p12-Secret"
	pfx, err := pkcs12.Modern.Encode(key, cert, nil, password)
	if err != nil {
		t.Fatal(err)
	}
	info, err := certutil.CheckPKCS12(pfx, password)
	if err != nil || info.Leaf.Subject.CommonName != "user" {
		t.Fatalf("valid file: %v", err)
	}
	_, err = certutil.CheckPKCS12(pfx, "wrong")
	if !errors.Is(err, certutil.ErrPKCS12Password) || strings.Contains(err.Error(), password) {
		t.Fatalf("wrong password: %v", err)
	}
	pemText := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw})
	if _, err := certutil.CheckPKCS12(pemText, password); !errors.Is(err, certutil.ErrNotPKCS12) || !strings.Contains(err.Error(), "PEM") {
		t.Fatalf("PEM file: %v", err)
	}
	if _, err := certutil.CheckPKCS12(cert.Raw, password); !errors.Is(err, certutil.ErrNotPKCS12) {
		t.Fatalf("DER certificate: %v", err)
	}
	trust, err := pkcs12.Modern.EncodeTrustStore([]*x509.Certificate{cert}, password)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := certutil.CheckPKCS12(trust, password); err == nil || !strings.Contains(err.Error(), "no private key") {
		t.Fatalf("trust store without a key: %v", err)
	}
}

func TestParseCertificate(t *testing.T) {
	_, cert := selfSigned(t)
	pemText := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw})
	for _, in := range [][]byte{cert.Raw, pemText} {
		got, err := certutil.ParseCertificate(in)
		if err != nil || got.SerialNumber.Int64() != 7 {
			t.Fatalf("parse: %v", err)
		}
	}
	if _, err := certutil.ParseCertificate([]byte("hello")); err == nil {
		t.Fatal("accepted garbage")
	}
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte{1}})
	if _, err := certutil.ParseCertificate(keyPEM); err == nil || !strings.Contains(err.Error(), "PRIVATE KEY") {
		t.Fatalf("key PEM: %v", err)
	}
}

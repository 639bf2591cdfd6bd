package mimcmtest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1" // #nosec G505 -- a certificate thumbprint is its SHA-1 by convention, not a security check
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"fmt"
	"math/big"
	"strings"
	"time"

	"software.sslmate.com/src/go-pkcs12"
)

// ca is the fake's in-memory certification authority: one self-signed
// ECDSA root that issues every certificate.
type ca struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

func newCA() (*ca, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "Fake CM Issuing CA", Organization: []string{"certadmin-go mimcmtest"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(10 * 365 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return &ca{cert: cert, key: key}, nil
}

// issue signs a certificate for pub with the given subject (DER of a
// Name), valid for a year.
func (c *ca) issue(pub crypto.PublicKey, rawSubject []byte, template string) (*x509.Certificate, error) {
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	if err != nil {
		return nil, err
	}
	now := time.Now().UTC().Truncate(time.Second)
	tmpl := &x509.Certificate{
		SerialNumber: serial.Add(serial, big.NewInt(1)),
		RawSubject:   rawSubject,
		NotBefore:    now.Add(-time.Minute),
		NotAfter:     now.Add(365 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth, x509.ExtKeyUsageEmailProtection},
	}
	if len(rawSubject) == 0 || isEmptyName(rawSubject) {
		tmpl.RawSubject = nil
		tmpl.Subject = pkix.Name{CommonName: "fake user (" + template + ")"}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, c.cert, pub, c.key)
	if err != nil {
		return nil, err
	}
	return x509.ParseCertificate(der)
}

func isEmptyName(raw []byte) bool {
	var seq pkix.RDNSequence
	if _, err := asn1.Unmarshal(raw, &seq); err != nil {
		return true
	}
	return len(seq) == 0
}

// serverKey makes the key pair of a template whose keys the server
// generates, and the PFX that carries it, encrypted with password.
func (c *ca) serverKey(rawSubject []byte, template, password string) (*x509.Certificate, []byte, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, nil, err
	}
	cert, err := c.issue(&key.PublicKey, rawSubject, template)
	if err != nil {
		return nil, nil, err
	}
	pfx, err := pkcs12.Modern.Encode(key, cert, []*x509.Certificate{c.cert}, password)
	if err != nil {
		return nil, nil, err
	}
	return cert, pfx, nil
}

// thumbprint is the certificate's SHA-1 in upper-case hex, as CM writes it.
func thumbprint(c *x509.Certificate) string {
	sum := sha1.Sum(c.Raw) // #nosec G401 -- thumbprint, see the import
	return strings.ToUpper(hex.EncodeToString(sum[:]))
}

// serialHex is the serial number in upper-case hex, as CM writes it.
func serialHex(c *x509.Certificate) string {
	s := strings.ToUpper(c.SerialNumber.Text(16))
	if len(s)%2 == 1 {
		s = "0" + s
	}
	return s
}

// issuerName is the CA as CM names it: "host\CA name".
func (c *ca) issuerName() string {
	return fmt.Sprintf(`cm-fake.contoso.com\%s`, c.cert.Subject.CommonName)
}

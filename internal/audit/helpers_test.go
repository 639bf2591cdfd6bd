//go:build audit

// Package audit_test holds black-box probes of the SDK's public API against
// stand-in servers written from the vendors' own documents (not from the
// SDK's specs, fakes or implementation). Each behaviour of a stand-in cites
// its evidence. A probe fails where the SDK disagrees with the vendor.
package audit_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"math/big"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"
)

// testCA is a tiny CA for the stand-ins.
type testCA struct {
	key  *ecdsa.PrivateKey
	cert *x509.Certificate
}

func newCA(t *testing.T) *testCA {
	t.Helper()
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Audit Root"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, k.Public(), k)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	return &testCA{key: k, cert: c}
}

var serialMu sync.Mutex
var serialN int64 = 100

func (ca *testCA) issue(t *testing.T, pub crypto.PublicKey, cn string) *x509.Certificate {
	serialMu.Lock()
	serialN++
	sn := serialN
	serialMu.Unlock()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(sn), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, pub, ca.key)
	if err != nil {
		t.Error(err)
		return nil
	}
	c, _ := x509.ParseCertificate(der)
	return c
}

// degeneratePKCS7 builds a certs-only PKCS#7 SignedData (RFC 2315 §9.1).
func degeneratePKCS7(certs ...*x509.Certificate) []byte {
	var raw []byte
	for _, c := range certs {
		raw = append(raw, c.Raw...)
	}
	type signedData struct {
		Version      int
		DigestAlgs   asn1.RawValue
		ContentInfo  struct{ ContentType asn1.ObjectIdentifier }
		Certificates asn1.RawValue
		SignerInfos  asn1.RawValue
	}
	sd := signedData{Version: 1,
		DigestAlgs:   asn1.RawValue{Class: 0, Tag: 17, IsCompound: true},
		Certificates: asn1.RawValue{Class: 2, Tag: 0, IsCompound: true, Bytes: raw},
		SignerInfos:  asn1.RawValue{Class: 0, Tag: 17, IsCompound: true},
	}
	sd.ContentInfo.ContentType = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	sdb, err := asn1.Marshal(sd)
	if err != nil {
		panic(err)
	}
	ci := struct {
		ContentType asn1.ObjectIdentifier
		Content     asn1.RawValue
	}{asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}, asn1.RawValue{Class: 2, Tag: 0, IsCompound: true, Bytes: sdb}}
	b, err := asn1.Marshal(ci)
	if err != nil {
		panic(err)
	}
	return b
}

// dropConn closes the connection without answering: the request reached the
// server, the answer is lost.
func dropConn(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic("no hijacker")
	}
	c, _, _ := hj.Hijack()
	c.Close()
}

// counter counts requests by key.
type counter struct {
	mu sync.Mutex
	m  map[string]int
}

func (c *counter) inc(k string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]int{}
	}
	c.m[k]++
	return c.m[k]
}

func (c *counter) get(k string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[k]
}

func urlUnescape(s string) (string, error) { return url.QueryUnescape(s) }

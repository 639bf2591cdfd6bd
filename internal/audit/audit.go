// Package audit holds what the black-box probes share: a tiny CA, a
// certs-only PKCS#7, a dropped connection, a request counter and a
// recorded request. The probes themselves live with their vendor
// (<vendor>/audit, build tag audit: go test -tags audit ./.../audit/),
// written against stand-ins of their own from the vendors' documents, not
// from the SDK's specs, fakes or implementation. It names no vendor.
package audit

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/json"
	"math/big"
	"net/http"
	"sync"
	"testing"
	"time"
)

// CA is a tiny CA for the stand-ins.
type CA struct {
	Key  *ecdsa.PrivateKey
	Cert *x509.Certificate
}

// NewCA makes a self-signed CA valid for a day around now.
func NewCA(t *testing.T) *CA {
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
	return &CA{Key: k, Cert: c}
}

var serialMu sync.Mutex
var serialN int64 = 100

// Issue signs a client-authentication certificate for pub, with a serial
// number unique in the process.
func (ca *CA) Issue(t *testing.T, pub crypto.PublicKey, cn string) *x509.Certificate {
	serialMu.Lock()
	serialN++
	sn := serialN
	serialMu.Unlock()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(sn), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, pub, ca.Key)
	if err != nil {
		t.Error(err)
		return nil
	}
	c, _ := x509.ParseCertificate(der)
	return c
}

// DegeneratePKCS7 builds a certs-only PKCS#7 SignedData (RFC 2315 §9.1).
func DegeneratePKCS7(certs ...*x509.Certificate) []byte {
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

// DropConn closes the connection without answering: the request reached
// the server, the answer is lost.
func DropConn(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic("no hijacker")
	}
	c, _, _ := hj.Hijack()
	c.Close()
}

// Counter counts requests by key.
type Counter struct {
	mu sync.Mutex
	m  map[string]int
}

// Inc counts one more k and returns the count.
func (c *Counter) Inc(k string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]int{}
	}
	c.m[k]++
	return c.m[k]
}

// Get returns the count of k.
func (c *Counter) Get(k string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[k]
}

// Request is one request a stand-in received.
type Request struct {
	Method, Path, Query string
	Body                map[string]any
	Raw                 string
	Auth                string
}

// JSON answers v as JSON with the status code.
func JSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

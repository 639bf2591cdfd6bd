package pkcs7

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"os"
	"testing"
	"time"
)

// The PKCS#7 blob of the vendor's certificate data sample is a CMC
// response: SignedData with content, a signer and three certificates.
func TestVendorSample(t *testing.T) {
	b, err := os.ReadFile("../../mimcmtest/testdata/certificate-data.json")
	if err != nil {
		t.Fatal(err)
	}
	var answer []struct{ Pkcs7 string }
	if err := json.Unmarshal(b, &answer); err != nil {
		t.Fatal(err)
	}
	der, err := base64.StdEncoding.DecodeString(answer[0].Pkcs7)
	if err != nil {
		t.Fatal(err)
	}
	certs, err := Certificates(der)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range certs {
		names = append(names, c.Subject.CommonName)
	}
	want := []string{"Microsoft Corporate Root CA", "Jimaco Brannian (Aquent LLC)", "MSIT User CA 2"}
	if len(names) != len(want) {
		t.Fatalf("certificates %q, want %q", names, want)
	}
	for i := range want {
		if names[i] != want[i] {
			t.Errorf("certificate %d is %q, want %q", i, names[i], want[i])
		}
	}
}

func TestCertsOnlyRoundTrip(t *testing.T) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "x"}, NotBefore: time.Unix(0, 0), NotAfter: time.Unix(1e9, 0)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	blob, err := CertsOnly(c, c)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Certificates(blob)
	if err != nil || len(got) != 2 || !got[1].Equal(c) {
		t.Fatalf("round trip: %v, %d certificates", err, len(got))
	}
	for _, bad := range [][]byte{nil, {0x30, 0x00}, c.Raw, append(blob, 0)} {
		if _, err := Certificates(bad); err == nil {
			t.Errorf("%x: no error", bad[:min(len(bad), 8)])
		}
	}
}

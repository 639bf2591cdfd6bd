package enterpriseadmin_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"log"
	"math/big"
	"time"

	"github.com/certadmin/certadmin-go/enterpriseadmin"
	"github.com/certadmin/certadmin-go/enterpriseadmin/enterpriseadmintest"
)

// Trust a private CA: the import takes its certificate (PEM or DER) under
// a name of your choice, and answers nothing; the trust list shows it. The
// import is never sent twice: if its outcome is unknown, list before
// trying again.
func ExampleClient_ImportTrustCertificate() {
	srv, err := enterpriseadmintest.NewServer()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	c, err := srv.NewClient()
	if err != nil {
		log.Fatal(err)
	}

	// In practice the CA certificate comes from your PKI; here a
	// self-signed one stands in.
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		log.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "Example Corp Root CA"},
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
		NotBefore: time.Now(), NotAfter: time.Now().Add(365 * 24 * time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		log.Fatal(err)
	}

	ctx := context.Background()
	err = c.ImportTrustCertificate(ctx, enterpriseadmin.ImportTrustCertificateInput{
		Name:        "examplecorproot",
		Certificate: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	trusted, err := c.ListTrustCertificates(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, cert := range trusted {
		if cert.Name == "examplecorproot" {
			fmt.Println(cert.Name, "trusted:", cert.Subject)
		}
	}
	// Output:
	// examplecorproot trusted: CN=Example Corp Root CA
}

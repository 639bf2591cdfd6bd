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
	"net/http"
	"time"

	"github.com/certadmin/certadmin-go/enterpriseadmin"
	"github.com/certadmin/certadmin-go/enterpriseadmin/enterpriseadmintest"
)

// examplePFX makes a self-signed wildcard certificate and packs it with
// its key, as a certificate authority's PKCS#12 file would come.
func examplePFX(password string) []byte {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		log.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2026), Subject: pkix.Name{CommonName: "*.gis.example.com"},
		DNSNames: []string{"*.gis.example.com"}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().AddDate(1, 0, 0)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		log.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		log.Fatal(err)
	}
	pfx, err := enterpriseadmin.NewPKCS12(cert, key, nil, password)
	if err != nil {
		log.Fatal(err)
	}
	return pfx
}

// Rotate the certificate the ingress serves. The first run fails
// half-way (the ingress update is answered 502): the old certificate
// still serves and is kept. The rerun finds the new certificate already
// imported and finishes without importing it again.
func ExampleClient_RotateIdentityCertificate() {
	srv, err := enterpriseadmintest.NewServer(enterpriseadmintest.WithServedCertificateProtected())
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	c, err := srv.NewClient(enterpriseadmin.WithPollInterval(100 * time.Millisecond))
	if err != nil {
		log.Fatal(err)
	}
	in := enterpriseadmin.RotateIdentityCertificateInput{
		Name: "wildcard-2026", PFX: examplePFX("pfx-password"), Password: "pfx-password", DeleteOld: true,
	}
	srv.Inject(enterpriseadmintest.Fault{Method: http.MethodPost, PathSuffix: "/ingress/update", Status: http.StatusBadGateway})

	ctx := context.Background()
	_, err = c.RotateIdentityCertificate(ctx, in)
	var re *enterpriseadmin.RotationError
	if errors.As(err, &re) {
		fmt.Printf("failed %s; the ingress names %q; %q kept: %t\n", re.Stage, re.Serving, re.OldName, re.OldName != "")
	}

	res, err := c.RotateIdentityCertificate(ctx, in, enterpriseadmin.WithProgress(func(p enterpriseadmin.Progress) {
		fmt.Println("  ", p.Stage)
	}))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("imported again: %t; the ingress names %q; %q deleted: %t\n", res.Imported, res.Ingress.IdentityCertificateName, res.OldName, res.OldDeleted)
	fmt.Println("import requests:", srv.HitsMatching(http.MethodPost, "/identity/import"))
	// Output:
	// failed pointing the ingress at the new certificate; the ingress names "samlcert"; "samlcert" kept: true
	//    checking the ingress and the identity store
	//    new certificate imported
	//    pointing the ingress at the new certificate
	//    verifying the ingress serves the new certificate
	//    verifying the ingress serves the new certificate
	//    ingress serves the new certificate
	//    deleting the old certificate
	//    completed
	// imported again: false; the ingress names "wildcard-2026"; "samlcert" deleted: true
	// import requests: 1
}

// Change the TLS protocols and leave everything else as it is: the update
// sends back every member it read.
func ExampleClient_UpdateIngressSecurity() {
	srv, err := enterpriseadmintest.NewServer()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	c, err := srv.NewClient()
	if err != nil {
		log.Fatal(err)
	}
	protocols := "TLSv1.2,TLSv1.3"
	if _, err := c.UpdateIngressSecurity(context.Background(), enterpriseadmin.UpdateIngressSecurityInput{HTTPSProtocols: &protocols}); err != nil {
		log.Fatal(err)
	}
	got, err := c.GetIngressSecurity(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(got.HTTPSProtocols, got.IdentityCertificateName, string(got.Other["hstsEnabled"]))
	// Output:
	// TLSv1.2,TLSv1.3 samlcert false
}

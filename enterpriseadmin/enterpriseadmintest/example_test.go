package enterpriseadmintest_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"

	"github.com/certadmin/certadmin-go/enterpriseadmin"
	"github.com/certadmin/certadmin-go/enterpriseadmin/enterpriseadmintest"
)

func ExampleNewServer() {
	srv, err := enterpriseadmintest.NewServer()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()

	c, err := srv.NewClient() // the fake's URL and credentials
	if err != nil {
		log.Fatal(err)
	}
	certs, err := c.ListIdentityCertificates(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	for _, cert := range certs {
		fmt.Println(cert.Name, cert.Subject)
	}
	fmt.Println("generateToken calls:", srv.TokenRequests())
	// Output:
	// samlcert CN=saml.default
	// generateToken calls: 1
}

// A test of how a tool copes with a server that is down: the fake answers
// 503 twice, the client retries the read and the third attempt succeeds.
func ExampleServer_Inject() {
	srv, err := enterpriseadmintest.NewServer()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()

	c, err := srv.NewClient(enterpriseadmin.WithRetry(enterpriseadmin.RetryPolicy{MaxAttempts: 3}))
	if err != nil {
		log.Fatal(err)
	}
	srv.Inject(enterpriseadmintest.Fault{Method: http.MethodGet, PathSuffix: "/identity", Status: http.StatusServiceUnavailable, Times: 2})
	certs, err := c.ListIdentityCertificates(context.Background())
	fmt.Println(len(certs), err)
	fmt.Println("attempts:", srv.Hits(http.MethodGet, srv.CertificatesPath()+"/identity"))

	// A delete is never repeated: one 503 is the caller's error.
	srv.Inject(enterpriseadmintest.Fault{Method: http.MethodPost, PathSuffix: "/delete", Status: http.StatusServiceUnavailable})
	err = c.DeleteIdentityCertificate(context.Background(), enterpriseadmintest.SeedCertificateID)
	var e *enterpriseadmin.Error
	fmt.Println(errors.As(err, &e), e.StatusCode, errors.Is(err, enterpriseadmin.ErrServer))
	// Output:
	// 1 <nil>
	// attempts: 3
	// true 503 true
}

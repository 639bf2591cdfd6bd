package enterpriseadmin_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"strings"
	"time"

	"github.com/certadmin/certadmin-go/enterpriseadmin"
	"github.com/certadmin/certadmin-go/enterpriseadmin/enterpriseadmintest"
)

func ExampleNewClient() {
	srv, err := enterpriseadmintest.NewServer() // an in-memory deployment
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()

	// The base URL is the web context's URL, e.g.
	// https://gis.example.com/arcgis; the fake's URL ends in /arcgis too.
	c, err := enterpriseadmin.NewClient(srv.URL,
		enterpriseadmin.WithCredentials(enterpriseadmintest.Username, enterpriseadmintest.Password),
		enterpriseadmin.WithTimeout(30*time.Second))
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	fmt.Println("web context:", c.WebContext())

	// The host alone and the web context as an option work the same.
	host := strings.TrimSuffix(srv.URL, "/"+enterpriseadmintest.WebContext)
	c2, err := enterpriseadmin.NewClient(host, enterpriseadmin.WithWebContext(enterpriseadmintest.WebContext),
		enterpriseadmin.WithCredentials(enterpriseadmintest.Username, enterpriseadmintest.Password))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("web context:", c2.WebContext())
	// Output:
	// web context: arcgis
	// web context: arcgis
}

func ExampleClient_GetIdentityCertificate() {
	srv, err := enterpriseadmintest.NewServer()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()

	c, err := enterpriseadmin.NewClient(srv.URL,
		enterpriseadmin.WithCredentials(enterpriseadmintest.Username, enterpriseadmintest.Password))
	if err != nil {
		log.Fatal(err)
	}
	cert, err := c.GetIdentityCertificate(context.Background(), "cc1mm3jpkfkhnkx243mp1")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(cert.Subject, cert.Type)
	fmt.Println("sha256", cert.SHA256Fingerprint)
	fmt.Println("valid until", cert.ValidUntil.Format(time.RFC3339))
	fmt.Println("days left on 2031-01-01:", cert.DaysToExpiry(time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC)))
	// Output:
	// CN=saml.default IDENTITY
	// sha256 064c9b092d17485285b4dbcf218a3d9ee27ff01dec75ad166036716ae5a5dbaa
	// valid until 2031-04-05T10:32:43Z
	// days left on 2031-01-01: 94
}

// The main workflow: list the identity certificates and see which expire
// soon.
func ExampleClient_ListIdentityCertificates() {
	srv, err := enterpriseadmintest.NewServer()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()

	c, err := enterpriseadmin.NewClient(srv.URL,
		enterpriseadmin.WithCredentials(enterpriseadmintest.Username, enterpriseadmintest.Password))
	if err != nil {
		log.Fatal(err)
	}
	certs, err := c.ListIdentityCertificates(context.Background(), enterpriseadmin.WithMaxAttempts(2))
	if err != nil {
		log.Fatal(err)
	}
	now := time.Date(2031, 3, 20, 0, 0, 0, 0, time.UTC)
	for _, cert := range certs {
		fmt.Println(cert.Name, cert.ID, cert.ValidUntilText)
		if d := cert.DaysToExpiry(now); d < 30 {
			fmt.Printf("%s expires in %d days\n", cert.Name, d)
		}
	}
	// Output:
	// samlcert cc1mm3jpkfkhnkx243mp1 Sat Apr 05 10:32:43 UTC 2031
	// samlcert expires in 16 days
}

// Every failed call returns an *enterpriseadmin.Error; the server reports
// most errors inside an HTTP 200 answer, with its own code.
func ExampleError() {
	srv, err := enterpriseadmintest.NewServer()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()

	c, err := srv.NewClient()
	if err != nil {
		log.Fatal(err)
	}
	_, err = c.GetIdentityCertificate(context.Background(), "no-such-certificate")
	var e *enterpriseadmin.Error
	if errors.As(err, &e) {
		fmt.Println("operation:", e.Op)
		fmt.Println("HTTP status:", e.StatusCode, "vendor code:", e.Code)
		fmt.Println("message:", e.Message)
	}
	fmt.Println("not found:", errors.Is(err, enterpriseadmin.ErrNotFound))
	fmt.Println("reported in the body:", errors.Is(err, enterpriseadmin.ErrVendor))
	// Output:
	// operation: enterpriseadmin.GetIdentityCertificate
	// HTTP status: 200 vendor code: 404
	// message: Certificate 'no-such-certificate' does not exist.
	// not found: true
	// reported in the body: true
}

func ExampleIsTokenError() {
	srv, err := enterpriseadmintest.NewServer()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()

	c, err := enterpriseadmin.NewClient(srv.URL, enterpriseadmin.WithToken(enterpriseadmin.StaticToken("no-such-token")))
	if err != nil {
		log.Fatal(err)
	}
	_, err = c.ListTrustCertificates(context.Background())
	fmt.Println(enterpriseadmin.IsTokenError(err), errors.Is(err, enterpriseadmin.ErrUnauthorized))
	// Output:
	// true true
}

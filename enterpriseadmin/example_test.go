package enterpriseadmin_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/certadmin/certadmin-go/enterpriseadmin"
	"github.com/certadmin/certadmin-go/enterpriseadmin/enterpriseadmintest"
)

func ExampleClient_GetIdentityCertificate() {
	srv, err := enterpriseadmintest.NewServer()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()

	c, err := enterpriseadmin.NewClient(srv.URL, "arcgis",
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

func ExampleClient_ListIdentityCertificates() {
	srv, err := enterpriseadmintest.NewServer()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()

	c, err := enterpriseadmin.NewClient(srv.URL, "arcgis",
		enterpriseadmin.WithCredentials(enterpriseadmintest.Username, enterpriseadmintest.Password))
	if err != nil {
		log.Fatal(err)
	}
	certs, err := c.ListIdentityCertificates(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	for _, cert := range certs {
		fmt.Println(cert.Name, cert.ID, cert.ValidUntilText)
	}
	// Output:
	// samlcert cc1mm3jpkfkhnkx243mp1 Sat Apr 05 10:32:43 UTC 2031
}

func ExampleIsTokenError() {
	srv, err := enterpriseadmintest.NewServer()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()

	c, err := enterpriseadmin.NewClient(srv.URL, "arcgis", enterpriseadmin.WithToken("no-such-token"))
	if err != nil {
		log.Fatal(err)
	}
	_, err = c.ListTrustCertificates(context.Background())
	fmt.Println(enterpriseadmin.IsTokenError(err))
	// Output:
	// true
}

package czertainly_test

import (
	"context"
	"crypto/tls"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"log"
	"time"

	czertainly "github.com/certadmin/certadmin-go/czertainly"
	"github.com/certadmin/certadmin-go/czertainly/czertainlytest"
)

// A client for a CZERTAINLY 2.x platform, authenticated by mutual TLS
// straight to the ingress.
func ExampleNewClient() {
	cert, err := tls.LoadX509KeyPair("admin.crt", "admin.key")
	if err != nil {
		log.Print(err)
		return
	}
	c, err := czertainly.NewClient("https://ilm.example.com", czertainly.WithClientCertificate(cert))
	if err != nil {
		log.Print(err)
		return
	}
	defer c.Close()
}

// Enroll generates a key and CSR, issues through an RA profile, waits for
// the certificate and returns it with its chain and key.
func ExampleClient_Enroll() {
	srv, err := czertainlytest.NewServer()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	c, err := srv.NewClient()
	if err != nil {
		log.Fatal(err)
	}
	e, err := c.Enroll(context.Background(), czertainly.EnrollInput{
		Profile:  czertainly.Profile{AuthorityUUID: czertainlytest.AuthorityUUID, RAProfileUUID: czertainlytest.RAProfileUUID},
		Subject:  pkix.Name{CommonName: "www.example.com"},
		DNSNames: []string{"www.example.com"},
	}, czertainly.WithPollInterval(time.Millisecond))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(e.Leaf.Subject.CommonName, "issued by", e.Chain[0].Subject.CommonName == srv.CACertificate().Subject.CommonName)
	// Output: www.example.com issued by true
}

// Errors are *czertainly.Error values: match them with errors.As for the
// status and the server's message, or errors.Is for a sentinel.
func ExampleError() {
	srv, err := czertainlytest.NewServer()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	c, err := srv.NewClient()
	if err != nil {
		log.Fatal(err)
	}
	_, err = c.GetCertificate(context.Background(), "00000000-0000-4000-8000-000000000000")
	var ce *czertainly.Error
	if errors.As(err, &ce) {
		fmt.Println(ce.StatusCode, errors.Is(err, czertainly.ErrNotFound))
	}
	// Output: 404 true
}

// A fake with an injected fault: a call cut off after it may have reached
// the server is never sent again, and says so.
func ExampleClient_Enroll_unknownOutcome() {
	srv, err := czertainlytest.NewServer()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	c, err := srv.NewClient()
	if err != nil {
		log.Fatal(err)
	}
	srv.Inject(czertainlytest.Fault{Method: "POST", PathSuffix: "/raProfiles/" + czertainlytest.RAProfileUUID + "/certificates", Reset: true})
	_, err = c.Enroll(context.Background(), czertainly.EnrollInput{
		Profile: czertainly.Profile{AuthorityUUID: czertainlytest.AuthorityUUID, RAProfileUUID: czertainlytest.RAProfileUUID},
		Subject: pkix.Name{CommonName: "cut.example.com"},
	})
	fmt.Println(errors.Is(err, czertainly.ErrOutcomeUnknown), srv.HitsMatching("POST", "/raProfiles/"+czertainlytest.RAProfileUUID+"/certificates"))
	// Output: true 1
}

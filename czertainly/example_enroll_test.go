package czertainly_test

import (
	"context"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"

	czertainly "github.com/certadmin/certadmin-go/czertainly"
	"github.com/certadmin/certadmin-go/czertainly/czertainlytest"
)

// An enrollment that fails after Core may have created the certificate
// hands back what it holds in an *EnrollError: save it before anything
// else, then resume from the *PendingError when it names the certificate.
func ExampleEnrollError() {
	srv, err := czertainlytest.NewServer()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	c, err := srv.NewClient()
	if err != nil {
		log.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "enroll")
	if err != nil {
		log.Fatal(err)
	}
	defer func() { _ = os.RemoveAll(dir) }()
	// The issue call's answer is lost on the way back.
	srv.Inject(czertainlytest.Fault{Method: "POST", PathSuffix: "/raProfiles/" + czertainlytest.RAProfileUUID + "/certificates", Reset: true})
	_, err = c.Enroll(context.Background(), czertainly.EnrollInput{
		Profile: czertainly.Profile{AuthorityUUID: czertainlytest.AuthorityUUID, RAProfileUUID: czertainlytest.RAProfileUUID},
		Subject: pkix.Name{CommonName: "www.example.com"},
	})
	var ee *czertainly.EnrollError
	if errors.As(err, &ee) && ee.Received != nil {
		if _, err := ee.Received.WriteFiles(filepath.Join(dir, "enroll")); err != nil {
			log.Fatal(err)
		}
	}
	var pe *czertainly.PendingError
	if errors.As(err, &pe) && pe.CertificateUUID == "" {
		// Core's UUID for the certificate is unknown: ResumeEnrollment
		// refuses until it is looked up, and sends nothing.
		_, err = c.ResumeEnrollment(context.Background(), pe)
	}
	_, keyErr := os.Stat(filepath.Join(dir, "enroll.pem"))
	fmt.Println(errors.Is(err, czertainly.ErrOutcomeUnknown), keyErr == nil, srv.HitsMatching("POST", "/raProfiles/"+czertainlytest.RAProfileUUID+"/certificates"))
	// Output: true true 1
}

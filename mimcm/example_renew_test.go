package mimcm_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/certadmin/certadmin-go/mimcm"
	"github.com/certadmin/certadmin-go/mimcm/mimcmtest"
)

// Renew a software profile. The server retires the old profile when the
// renewal completes, so a second run of the same job is refused before it
// creates a request: nothing is issued twice.
func ExampleClient_RenewSoftwareCertificate() {
	srv, err := mimcmtest.NewServer()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	c, err := srv.NewClient()
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	first, err := c.EnrollSoftwareCertificate(ctx, mimcm.EnrollInput{ProfileTemplateUUID: mimcmtest.TemplateSoftware})
	if err != nil {
		log.Fatal(err)
	}
	old := *first.Request.NewProfileUUID
	issued := srv.IssuedCertificates()

	renewed, err := c.RenewSoftwareCertificate(ctx, old, mimcm.EnrollInput{Roots: srv.IssuingCAs()})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("renewed:", renewed.Request.IsCompleted(), *renewed.Request.OldProfileUUID == old)
	fmt.Println("new certificate:", !renewed.Certificate.Equal(first.Certificate))
	p, err := c.GetProfile(ctx, old)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("old profile active:", p.Status == mimcm.ProfileStatusActive)

	// The job runs again.
	_, err = c.RenewSoftwareCertificate(ctx, old, mimcm.EnrollInput{})
	fmt.Println("second run refused:", errors.Is(err, mimcm.ErrProfileNotActive))
	fmt.Println("certificates issued by the two runs:", srv.IssuedCertificates()-issued)
	// Output:
	// renewed: true true
	// new certificate: true
	// old profile active: false
	// second run refused: true
	// certificates issued by the two runs: 1
}

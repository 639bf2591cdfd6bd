package czertainly_test

import (
	"context"
	"fmt"
	"log"
	"slices"
	"time"

	czertainly "github.com/certadmin/certadmin-go/czertainly"
	"github.com/certadmin/certadmin-go/czertainly/czertainlytest"
)

// Renew one certificate through its RA profile. Core answers at once with
// the new certificate's UUID and issues it in the background;
// WaitForCertificate waits until it is issued. The renewal is never sent
// twice: an answer that does not arrive is an *UnknownOutcomeError, and
// the old certificate's relations tell whether it went through.
func ExampleClient_RenewCertificate() {
	srv, err := czertainlytest.NewServer(czertainlytest.WithoutSeed())
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	old, err := srv.AddCertificate(czertainlytest.SeedCertificate{
		CommonName: "api.example.com", ExpiresIn: 10 * 24 * time.Hour, RAProfileUUID: czertainlytest.RAProfileUUID,
	})
	if err != nil {
		log.Fatal(err)
	}
	c, err := srv.NewClient(czertainly.WithPollInterval(time.Millisecond))
	if err != nil {
		log.Fatal(err)
	}

	ctx := context.Background()
	sub, err := c.RenewCertificate(ctx, czertainly.RenewInput{
		Profile:         czertainly.Profile{AuthorityUUID: czertainlytest.AuthorityUUID, RAProfileUUID: czertainlytest.RAProfileUUID},
		CertificateUUID: old,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	renewed, err := c.WaitForCertificate(ctx, sub.UUID)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(renewed.CommonName, renewed.State)
	fmt.Println("successor of the old certificate:", slices.Contains(srv.Successors(old), sub.UUID))
	// Output:
	// api.example.com issued
	// successor of the old certificate: true
}

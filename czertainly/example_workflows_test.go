package czertainly_test

import (
	"context"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"log"
	"net/http"
	"time"

	czertainly "github.com/certadmin/certadmin-go/czertainly"
	"github.com/certadmin/certadmin-go/czertainly/czertainlytest"
)

// Renew every certificate that expires within 30 days. Core keeps the old
// certificate issued and expiring, so the second run finds the same
// candidates; it reads their relations, sees the successors the first run
// created and renews nothing new.
func ExampleClient_RenewExpiring() {
	srv, err := czertainlytest.NewServer()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	c, err := srv.NewClient(czertainly.WithPollInterval(time.Millisecond))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	in := czertainly.RenewExpiringInput{Days: 30, Concurrency: 1, Wait: true}
	for run := 1; run <= 2; run++ {
		rep, err := c.RenewExpiring(ctx, in)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("run %d: renewed %d, already renewed %d, renew calls so far %d\n", run,
			rep.Count(czertainly.RenewalOutcomeRenewed), rep.Count(czertainly.RenewalOutcomeAlreadyRenewed),
			srv.HitsMatching(http.MethodPost, "/renew"))
	}
	// Output:
	// run 1: renewed 2, already renewed 0, renew calls so far 2
	// run 2: renewed 0, already renewed 2, renew calls so far 2
}

// An enrollment through an RA profile that needs an approval stops with a
// *PendingError holding the key. Core refuses a decision from the user who
// created the approval, so a second user approves it; the first then
// resumes the enrollment, which fetches the issued certificate without
// sending the request again.
func ExampleClient_ResumeEnrollment() {
	srv, err := czertainlytest.NewServer()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	c, err := srv.NewClient(czertainly.WithPollInterval(time.Millisecond))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	profile := czertainly.Profile{AuthorityUUID: czertainlytest.AuthorityUUID, RAProfileUUID: czertainlytest.ApprovalRAProfileUUID}
	_, err = c.Enroll(ctx, czertainly.EnrollInput{Profile: profile, Subject: pkix.Name{CommonName: "needs.example.com"}},
		czertainly.WithApprovalWait(0))
	var pending *czertainly.PendingError
	if !errors.As(err, &pending) || !errors.Is(err, czertainly.ErrApprovalPending) {
		log.Fatal(err)
	}
	fmt.Println("pending approval, key kept:", pending.Key != nil)

	// The approver: another user with the superadmin role.
	u, err := c.CreateUser(ctx, czertainly.UserInput{Username: "approver", Email: "approver@example.test", Enabled: true})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := c.SetUserRoles(ctx, u.UUID, []string{czertainlytest.SuperadminRoleUUID}); err != nil {
		log.Fatal(err)
	}
	approver, err := czertainly.NewClient(srv.URL, czertainly.WithBearerToken(srv.TokenFor(u.UUID)))
	if err != nil {
		log.Fatal(err)
	}
	defer approver.Close()
	for a, err := range c.ListUserApprovals(ctx, czertainly.ApprovalQuery{}) {
		if err != nil {
			log.Fatal(err)
		}
		if a.ObjectUUID == pending.CertificateUUID {
			if err := approver.ApproveApprovalAsRecipient(ctx, a.UUID, "approved"); err != nil {
				log.Fatal(err)
			}
		}
	}

	issues := srv.HitsMatching(http.MethodPost, "/raProfiles/"+czertainlytest.ApprovalRAProfileUUID+"/certificates")
	e, err := c.ResumeEnrollment(ctx, pending)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(e.Leaf.Subject.CommonName, e.Certificate.UUID == pending.CertificateUUID, e.Key == pending.Key)
	fmt.Println("issue calls during the resume:",
		srv.HitsMatching(http.MethodPost, "/raProfiles/"+czertainlytest.ApprovalRAProfileUUID+"/certificates")-issues)
	// Output:
	// pending approval, key kept: true
	// needs.example.com true true
	// issue calls during the resume: 0
}

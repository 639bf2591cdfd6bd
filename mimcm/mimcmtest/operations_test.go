package mimcmtest_test

import (
	"context"
	"errors"
	"testing"

	"github.com/certadmin/certadmin-go/mimcm"
	"github.com/certadmin/certadmin-go/mimcm/mimcmtest"
)

// A request on a profile is initiated for one of the operations the
// profile lists (get-profile-data, "ProfileOperations"). A renewed profile
// lists none, so the fake refuses a second Renew on it even when a client
// skips its own check; before, it issued a second certificate.
func TestRequestOnAProfileNeedsOneOfItsOperations(t *testing.T) {
	srv := mimcmtest.NewTestServer(t)
	c, err := srv.NewClient()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	first, err := c.EnrollSoftwareCertificate(ctx, mimcm.EnrollInput{ProfileTemplateUUID: mimcmtest.TemplateSoftware})
	if err != nil {
		t.Fatal(err)
	}
	old := *first.Request.NewProfileUUID
	if _, err := c.RenewSoftwareCertificate(ctx, old, mimcm.EnrollInput{Roots: srv.IssuingCAs()}); err != nil {
		t.Fatal(err)
	}
	issued := srv.IssuedCertificates()
	_, err = c.CreateRequest(ctx, mimcm.CreateRequestInput{Type: mimcm.RequestTypeNameRenew, ProfileTemplateUUID: mimcmtest.TemplateSoftware, ProfileUUID: &old, Comment: "again"})
	if !errors.Is(err, mimcm.ErrServer) {
		t.Fatalf("a Renew request on a renewed profile: %v, want the server's refusal", err)
	}
	if n := srv.IssuedCertificates() - issued; n != 0 {
		t.Errorf("%d certificates issued after the refusal", n)
	}
}

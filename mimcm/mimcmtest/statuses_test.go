package mimcmtest_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"testing"

	"github.com/certadmin/certadmin-go/mimcm"
	"github.com/certadmin/certadmin-go/mimcm/mimcmtest"
)

// The fake's request statuses: only 3 and 8 are the reference's numbers;
// the others lie outside 0-8 and are found by name through the status
// filter. A request stays Approved after its certificate data (no status
// in between in the walkthrough), records its new profile, and a second
// certificate data call issues again.
func TestRequestStatusesFollowTheReference(t *testing.T) {
	srv := mimcmtest.NewTestServer(t)
	c, err := srv.NewClient()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, name := range mimcm.Statuses() {
		n, ok := mimcmtest.StatusNumber(name)
		switch {
		case !ok:
			t.Errorf("%s has no number", name)
		case name == mimcm.StatusApproved && n != 3, name == mimcm.StatusCompleted && n != 8:
			t.Errorf("%s is %d, want the reference's number", name, n)
		case name != mimcm.StatusApproved && name != mimcm.StatusCompleted && n >= 0 && n <= 8:
			t.Errorf("%s is %d, a number a guess of the server's enumeration could give", name, n)
		}
	}
	pending, err := c.CreateRequest(ctx, mimcm.CreateRequestInput{Type: mimcm.RequestTypeNameEnroll, ProfileTemplateUUID: mimcmtest.TemplateApproval})
	if err != nil {
		t.Fatal(err)
	}
	list, err := c.ListRequests(ctx, mimcm.RequestFilter{Status: mimcm.StatusPending})
	if n, _ := mimcmtest.StatusNumber(mimcm.StatusPending); err != nil || len(list) != 1 || list[0].UUID != pending || list[0].Status != n {
		t.Fatalf("?status=Pending: %+v, %v", list, err)
	}

	id, err := c.CreateRequest(ctx, mimcm.CreateRequestInput{Type: mimcm.RequestTypeNameEnroll, ProfileTemplateUUID: mimcmtest.TemplateSoftware})
	if err != nil {
		t.Fatal(err)
	}
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	csr, _ := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{}, key)
	for i := 1; i <= 2; i++ {
		if _, err := c.SubmitCertificateRequests(ctx, id, mimcm.SubmitInput{CertificateRequests: [][]byte{csr}}); err != nil {
			t.Fatal(err)
		}
		r, _ := srv.Request(id)
		if r.Status != mimcm.StatusNumberApproved || r.NewProfileUUID == nil {
			t.Errorf("after certificate data call %d: status %v, new profile %v", i, r.Status, r.NewProfileUUID)
		}
		if n := srv.IssuedCertificates(); n != i {
			t.Errorf("after call %d the CA issued %d", i, n)
		}
	}
	if r, err := c.CompleteRequest(ctx, id); err != nil || r.Status != mimcm.StatusNumberCompleted {
		t.Errorf("complete: %+v, %v", r, err)
	}
	if err := srv.ApproveRequest(pending); err != nil {
		t.Fatal(err)
	}
	if err := srv.FailRequest(pending); err != nil {
		t.Fatal(err)
	}
	list, err = c.ListRequests(ctx, mimcm.RequestFilter{Status: mimcm.StatusFailed})
	if err != nil || len(list) != 1 || list[0].UUID != pending {
		t.Errorf("?status=Failed: %+v, %v", list, err)
	}
}

package mimcm_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/certadmin/certadmin-go/mimcm"
	"github.com/certadmin/certadmin-go/mimcm/mimcmtest"
)

// The first two invariants for MIM CM's workflows, under every fault that
// can strike once the certificate data was sent (the answer lost, cut
// off, a server failure, an answer that does not read, a failed
// completion), for an enrollment and a renewal:
//
//  1. nothing issued is lost: the *EnrollError carries what was received
//     and the generated keys with the PFX password (EnrollError.Received);
//  2. nothing is issued twice: the certificate data is sent once by the
//     workflow; a resume of a request the CA issued for refuses and sends
//     nothing (one the fault kept from the CA may be executed once); a
//     second renewal run creates no request; the fake's CA issues at most
//     once.
func TestMIMCMWorkflowsNeverLoseOrReissue(t *testing.T) {
	faults := []struct {
		name  string
		fault mimcmtest.Fault
	}{
		{"certificate data: connection reset", mimcmtest.Fault{Method: http.MethodPost, PathSuffix: "/certificatedata", Reset: true}},
		{"certificate data: answer cut off", mimcmtest.Fault{Method: http.MethodPost, PathSuffix: "/certificatedata", TruncateAt: 40}},
		{"certificate data: 500", mimcmtest.Fault{Method: http.MethodPost, PathSuffix: "/certificatedata", Status: http.StatusInternalServerError,
			ContentType: "application/json; charset=utf-8", Body: `{"Message":"An error has occurred. Correlation ID: 5d0e8f43-2b1a-4c7e-9f60-3a8b7c6d5e4f"}`}},
		{"certificate data: 503", mimcmtest.Fault{Method: http.MethodPost, PathSuffix: "/certificatedata", Status: http.StatusServiceUnavailable}},
		{"certificate data: 200 with a member of another type", mimcmtest.Fault{Method: http.MethodPost, PathSuffix: "/certificatedata", Status: http.StatusOK,
			ContentType: "application/json", Body: `[{"TemplateCommonName":"User","CertificateId":"x","Pkcs7":"not base64!","isPkcs7":true}]`}},
		{"completion: 503", mimcmtest.Fault{Method: http.MethodPut, Status: http.StatusServiceUnavailable}},
		{"completion: connection reset", mimcmtest.Fault{Method: http.MethodPut, Reset: true}},
	}
	for _, workflow := range []string{"enroll", "renew"} {
		for _, f := range faults {
			t.Run(workflow+"/"+f.name, func(t *testing.T) {
				srv := mimcmtest.NewTestServer(t)
				c, err := srv.NewClient(mimcm.WithRetry(mimcm.RetryPolicy{MaxAttempts: 4, BaseDelay: time.Millisecond, MaxDelay: 2 * time.Millisecond}))
				if err != nil {
					t.Fatal(err)
				}
				ctx := context.Background()
				in := mimcm.EnrollInput{ProfileTemplateUUID: mimcmtest.TemplateSoftware}
				var profile mimcm.Enrollment
				if workflow == "renew" {
					e, err := c.EnrollSoftwareCertificate(ctx, in)
					if err != nil {
						t.Fatal(err)
					}
					profile = *e
				}
				issued, submits := srv.IssuedCertificates(), srv.HitsMatching(http.MethodPost, "/certificatedata")
				srv.Inject(f.fault)
				run := func() error {
					if workflow == "renew" {
						_, err := c.RenewSoftwareCertificate(ctx, *profile.Request.NewProfileUUID, mimcm.EnrollInput{})
						return err
					}
					_, err := c.EnrollSoftwareCertificate(ctx, in)
					return err
				}
				err = run()
				var ee *mimcm.EnrollError
				if !errors.As(err, &ee) {
					t.Fatalf("got %v, want an *EnrollError", err)
				}
				// 1. Nothing lost.
				if ee.Received == nil || len(ee.Received.Keys) == 0 || ee.Received.PFXPassword == "" {
					t.Errorf("stage %v: the error carries no material: %v (%v)", ee.Stage, ee.Received, err)
				}
				// 2. Nothing issued twice, whatever is tried next. Where the
				// fake's CA issued (the call reached it), the request shows it
				// and a resume must refuse without sending; where the fault
				// kept the call from the CA, a resume may send it once.
				reached := srv.IssuedCertificates() - issued
				_, rerr := c.ResumeEnrollment(ctx, &mimcm.PendingError{RequestID: ee.RequestID})
				if reached == 1 {
					if !errors.Is(rerr, mimcm.ErrIssuanceUnknown) {
						t.Errorf("a resume of request %s whose certificates were issued: %v, want ErrIssuanceUnknown", ee.RequestID, rerr)
					}
					if n := srv.HitsMatching(http.MethodPost, "/certificatedata") - submits; n != 1 {
						t.Errorf("certificate data sent %d times, want 1", n)
					}
				}
				if workflow == "renew" {
					creates := srv.HitsMatching(http.MethodPost, "/requests")
					err := run()
					if !errors.Is(err, mimcm.ErrRenewalInProgress) && !errors.Is(err, mimcm.ErrProfileNotActive) {
						t.Errorf("second renewal run: %v, want ErrRenewalInProgress or ErrProfileNotActive", err)
					}
					if srv.HitsMatching(http.MethodPost, "/requests") != creates {
						t.Errorf("the second renewal run created a request")
					}
				}
				if n := srv.HitsMatching(http.MethodPost, "/certificatedata") - submits; n > 2 || (reached == 1 && n != 1) {
					t.Errorf("certificate data sent %d times", n)
				}
				if n := srv.IssuedCertificates() - issued; n > 1 {
					t.Errorf("the CA issued %d certificates, want at most 1", n)
				}
			})
		}
	}
}

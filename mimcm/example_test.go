package mimcm_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"os"
	"path/filepath"

	"github.com/google/uuid"

	"github.com/certadmin/certadmin-go/mimcm"
	"github.com/certadmin/certadmin-go/mimcm/mimcmtest"
)

func ExampleNewClient() {
	// The base URL is the host the API was deployed on; the client adds
	// /CertificateManagement/api/v1.0 to every call.
	c, err := mimcm.NewClient("https://cm.contoso.com",
		mimcm.WithBasicAuth(`CONTOSO\jdoe`, os.Getenv("MIMCM_PASSWORD")))
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	// URLs are checked before anything is sent.
	_, err = mimcm.NewClient("cm.contoso.com")
	fmt.Println(errors.Is(err, mimcm.ErrInvalidInput))
	_, err = mimcm.NewClient("https://cm.contoso.com/CertificateManagement/api/v1.0")
	fmt.Println(errors.Is(err, mimcm.ErrInvalidInput))
	// Output:
	// true
	// true
}

func ExampleClient_GetRequest() {
	srv, err := mimcmtest.NewServer()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	c, err := srv.NewClient()
	if err != nil {
		log.Fatal(err)
	}
	id, err := mimcm.ParseRequestID("0c96d73f-967b-420e-854a-43ad2a1504bc")
	if err != nil {
		log.Fatal(err)
	}
	r, err := c.GetRequest(context.Background(), id)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(r.Type, r.Status, r.Submitted.Format("2006-01-02 15:04"), "completed:", r.IsCompleted())
	fmt.Println("smart card:", r.OldSmartcardUUID, "data:", r.DataCollection[0].Name)

	_, err = c.GetRequest(context.Background(), uuid.MustParse("6a1f0c8e-3b7d-4c2e-9f10-0d2b7c6e5a41"))
	fmt.Println("unknown request is ErrNotFound:", errors.Is(err, mimcm.ErrNotFound))
	// Output:
	// Unblock Approved 2015-07-07 23:40 completed: false
	// smart card: 17cf063d-e337-4aa9-a822-346554ddd3c9 data: Sample Data Item
	// unknown request is ErrNotFound: true
}

// List the signed-in user's approved requests (ready to be executed).
func ExampleClient_ListRequests() {
	srv, err := mimcmtest.NewServer()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	c, err := srv.NewClient()
	if err != nil {
		log.Fatal(err)
	}
	approved, err := c.ListRequests(context.Background(), mimcm.RequestFilter{CurrentUser: true, Status: mimcm.StatusApproved})
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range approved {
		fmt.Println(r.UUID, r.Type, "new profile:", r.NewProfileUUID != nil)
	}
	// No match is an empty list, not an error.
	failed, err := c.ListRequests(context.Background(), mimcm.RequestFilter{Status: mimcm.StatusFailed})
	fmt.Println(len(failed), err)
	// Output:
	// a9b4b42c-cc50-4c9b-89d1-bbc0bcd5a099 Enroll new profile: false
	// 0c96d73f-967b-420e-854a-43ad2a1504bc Unblock new profile: true
	// 0 <nil>
}

func ExampleError() {
	srv, err := mimcmtest.NewServer(mimcmtest.WithCredentials(`CONTOSO\jdoe`, "right-password"))
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	c, err := mimcm.NewClient(srv.URL, mimcm.WithBasicAuth(`CONTOSO\jdoe`, "wrong-password"))
	if err != nil {
		log.Fatal(err)
	}
	_, err = c.ListRequests(context.Background(), mimcm.RequestFilter{})
	var e *mimcm.Error
	if errors.As(err, &e) {
		fmt.Println(e.Op, e.StatusCode, errors.Is(err, mimcm.ErrUnauthorized))
	}
	// Output:
	// mimcm.ListRequests 401 true
}

// A fake that fails on demand: here with the 500 of an unhandled server
// exception, whose correlation ID leads an administrator to the event log
// entry.
func ExampleCorrelationID() {
	srv, err := mimcmtest.NewServer()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	c, err := srv.NewClient(mimcm.WithMaxAttempts(1))
	if err != nil {
		log.Fatal(err)
	}
	srv.Inject(mimcmtest.InternalError("5d0b3a4e-8c61-4f0e-b2a7-93c1d4e5f607", 1))
	_, err = c.ListRequests(context.Background(), mimcm.RequestFilter{})
	fmt.Println(errors.Is(err, mimcm.ErrServer), mimcm.CorrelationID(err))
	// Output:
	// true 5d0b3a4e-8c61-4f0e-b2a7-93c1d4e5f607
}

// Faults test how a program copes with a flaky server: a 503 is retried,
// and the retry succeeds.
func ExampleClient_ListRequests_injectedFault() {
	srv, err := mimcmtest.NewServer()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	c, err := srv.NewClient()
	if err != nil {
		log.Fatal(err)
	}
	srv.Inject(mimcmtest.Fault{Status: http.StatusServiceUnavailable, RetryAfter: "0"})
	list, err := c.ListRequests(context.Background(), mimcm.RequestFilter{})
	fmt.Println(len(list), err, srv.TotalHits())
	// Output:
	// 2 <nil> 2
}

// Enroll a software certificate end to end and write it to a PKCS#12
// file: the fake's software template approves at once and its CA issues
// from the CSR the client generates.
func ExampleClient_EnrollSoftwareCertificate() {
	srv, err := mimcmtest.NewServer()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	c, err := srv.NewClient()
	if err != nil {
		log.Fatal(err)
	}
	e, err := c.EnrollSoftwareCertificate(context.Background(), mimcm.EnrollInput{
		ProfileTemplateUUID: mimcmtest.TemplateSoftware,
		DataCollection:      []mimcm.DataValue{{Name: "Request Reason", Value: "new laptop"}},
		Roots:               srv.IssuingCAs(), // check the chain too, not only the key (TLSRootCAs is the TLS root)
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("issuer:", e.Certificate.Issuer.CommonName)
	fmt.Println("request completed:", e.Request.IsCompleted())
	dir, err := os.MkdirTemp("", "enroll")
	if err != nil {
		log.Fatal(err)
	}
	defer func() { _ = os.RemoveAll(dir) }()
	if err := e.WritePKCS12(filepath.Join(dir, "me.p12"), os.Getenv("P12_PASSWORD")); err != nil {
		log.Fatal(err)
	}
	// Output:
	// issuer: Fake CM Issuing CA
	// request completed: true
}

// A request that waits for a person's approval ends the call with a
// typed, resumable state.
func ExampleClient_ResumeEnrollment() {
	srv, err := mimcmtest.NewServer()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	c, err := srv.NewClient()
	if err != nil {
		log.Fatal(err)
	}
	in := mimcm.EnrollInput{ProfileTemplateUUID: mimcmtest.TemplateApproval}
	_, err = c.EnrollSoftwareCertificate(context.Background(), in, mimcm.WithApprovalWait(0))
	var pending *mimcm.PendingError
	if !errors.As(err, &pending) || !errors.Is(err, mimcm.ErrApprovalPending) {
		log.Fatal(err)
	}
	fmt.Println(pending.Stage)

	// Later, once an approver has approved the request:
	if err := srv.ApproveRequest(pending.RequestID); err != nil {
		log.Fatal(err)
	}
	e, err := c.ResumeEnrollment(context.Background(), pending)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(e.RequestID == pending.RequestID, e.Request.Status)
	// Output:
	// awaiting approval
	// true Completed
}

// Windows Integrated Authentication with NTLM: one handshake per
// connection, then the connection's calls go without one.
func ExampleWithNTLM() {
	srv, err := mimcmtest.NewServer(mimcmtest.WithNTLM(), mimcmtest.WithCredentials(`CONTOSO\jdoe`, "fake-password"))
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	c, err := mimcm.NewClient(srv.URL, mimcm.WithNTLM(`CONTOSO\jdoe`, "fake-password"))
	if err != nil {
		log.Fatal(err)
	}
	for range 3 {
		if _, err := c.ListProfileTemplates(context.Background()); err != nil {
			log.Fatal(err)
		}
	}
	fmt.Println("handshakes:", srv.Handshakes())

	wrong, err := mimcm.NewClient(srv.URL, mimcm.WithNTLM(`CONTOSO\jdoe`, "not-the-password"))
	if err != nil {
		log.Fatal(err)
	}
	_, err = wrong.ListProfileTemplates(context.Background())
	fmt.Println(errors.Is(err, mimcm.ErrUnauthorized))
	// Output:
	// handshakes: 1
	// true
}

package czertainly_test

import (
	"context"
	"crypto"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	czertainly "github.com/certadmin/certadmin-go/czertainly"
	"github.com/certadmin/certadmin-go/czertainly/czertainlytest"
)

// Invariants 1 and 2 for Enroll and the client operations: once Core may
// have created a certificate, every failure hands back the material (the
// generated key, the certificate once received) in an *EnrollError, and
// nothing is submitted twice.

// enrollMaterial returns the *EnrollError of err and fails the test when
// it is missing or holds no key.
func enrollMaterial(t *testing.T, err error) *czertainly.EnrollError {
	t.Helper()
	var ee *czertainly.EnrollError
	if !errors.As(err, &ee) {
		t.Fatalf("err %T %v, want an *EnrollError", err, err)
	}
	if ee.Received == nil || ee.Received.Key == nil {
		t.Fatalf("EnrollError %v holds no key (Result %+v)", ee, ee.Received)
	}
	return ee
}

// The issue call is cut off after it reached Core, which may have created
// and queued the certificate (ClientOperationServiceImpl.java:207-258 at
// cad4432a): the error keeps the generated key, the call is not sent again,
// and ResumeEnrollment refuses to go on without the certificate's UUID,
// sending nothing.
func TestEnrollIssueCutOffKeepsKeyAndResumeAsksFirst(t *testing.T) {
	srv, c := newFake(t, nil)
	ctx := context.Background()
	srv.Inject(czertainlytest.Fault{Method: http.MethodPost, PathSuffix: "/raProfiles/" + czertainlytest.RAProfileUUID + "/certificates", Reset: true})
	_, err := c.Enroll(ctx, czertainly.EnrollInput{Profile: profile, Subject: pkix.Name{CommonName: "cut.example.com"}})
	if !errors.Is(err, czertainly.ErrOutcomeUnknown) {
		t.Fatalf("err %v, want ErrOutcomeUnknown", err)
	}
	ee := enrollMaterial(t, err)
	var pe *czertainly.PendingError
	if !errors.As(err, &pe) || pe.Key != ee.Received.Key || pe.CertificateUUID != "" || pe.Profile != profile {
		t.Fatalf("PendingError %+v, want the key and profile without a certificate UUID", pe)
	}
	if errors.Is(err, czertainly.ErrPending) {
		t.Error("an unknown outcome matches ErrPending: nothing is known to wait on Core")
	}
	if got := srv.Hits(http.MethodPost, opsBase+"/certificates"); got != 1 {
		t.Errorf("issue sent %d times, want once", got)
	}
	before := srv.HitsMatching("", "")
	_, err = c.ResumeEnrollment(ctx, pe)
	if !errors.Is(err, czertainly.ErrOutcomeUnknown) || !errors.Is(err, czertainly.ErrInvalidInput) {
		t.Errorf("resume: %v, want a refusal matching ErrOutcomeUnknown", err)
	}
	if ee := enrollMaterial(t, err); ee.Next == "" {
		t.Error("the refusal does not say what to check")
	}
	if after := srv.HitsMatching("", ""); after != before {
		t.Errorf("resume sent %d requests, want none", after-before)
	}
}

// A 500 to the issue call may come after Core committed the certificate
// (ClientOperationServiceImpl.java:234 commits, :245-257 then checks
// compliance and queues): the outcome is unknown and the key is kept. A 400
// "Failed to submit" comes from the rolled-back transaction (:235-237):
// nothing was created, and it stays the plain *Error.
func TestEnrollIssueServerErrorIsUnknownRefusalIsNot(t *testing.T) {
	srv, c := newFake(t, nil)
	ctx := context.Background()
	issue := "/raProfiles/" + czertainlytest.RAProfileUUID + "/certificates"
	srv.Inject(czertainlytest.Fault{Method: http.MethodPost, PathSuffix: issue, Status: 500, ContentType: "application/json", Body: `{"message":"Internal server error."}`})
	_, err := c.Enroll(ctx, czertainly.EnrollInput{Profile: profile, Subject: pkix.Name{CommonName: "five.example.com"}})
	if !errors.Is(err, czertainly.ErrOutcomeUnknown) {
		t.Fatalf("err %v, want ErrOutcomeUnknown", err)
	}
	_ = enrollMaterial(t, err)
	srv.Inject(czertainlytest.Fault{Method: http.MethodPost, PathSuffix: issue, Status: 400, ContentType: "application/json", Body: `{"message":"Failed to submit certificate request: connector down"}`})
	_, err = c.Enroll(ctx, czertainly.EnrollInput{Profile: profile, Subject: pkix.Name{CommonName: "four.example.com"}})
	var ee *czertainly.EnrollError
	var ce *czertainly.Error
	if errors.Is(err, czertainly.ErrOutcomeUnknown) || errors.As(err, &ee) || !errors.As(err, &ce) || ce.StatusCode != 400 {
		t.Errorf("err %T %v, want the 400 *Error alone", err, err)
	}
	if got := srv.Hits(http.MethodPost, opsBase+"/certificates"); got != 2 {
		t.Errorf("issue sent %d times, want 2 (one per Enroll)", got)
	}
}

// The certificate is issued but its chain cannot be fetched: the error
// holds the key, the certificate and its UUID, and ResumeEnrollment
// fetches only what is missing, reading the state first.
func TestEnrollChainFailureKeepsMaterialAndResumes(t *testing.T) {
	srv, c := newFake(t, nil, czertainly.WithMaxAttempts(1))
	ctx := context.Background()
	srv.Inject(czertainlytest.Fault{Method: http.MethodGet, PathSuffix: "/chain/raw", Status: 500, ContentType: "application/json", Body: `{"message":"Internal server error."}`})
	_, err := c.Enroll(ctx, czertainly.EnrollInput{Profile: profile, Subject: pkix.Name{CommonName: "chain.example.com"}})
	if err == nil {
		t.Fatal("no error")
	}
	ee := enrollMaterial(t, err)
	if ee.CertificateUUID == "" || ee.Received.Leaf == nil || ee.Received.Certificate == nil || ee.Received.Certificate.UUID != ee.CertificateUUID {
		t.Fatalf("EnrollError %+v lacks the issued certificate", ee)
	}
	if !ee.Received.Leaf.PublicKey.(interface{ Equal(crypto.PublicKey) bool }).Equal(ee.Received.Key.Public()) {
		t.Error("the certificate in the error is not for the key in the error")
	}
	var pe *czertainly.PendingError
	if !errors.As(err, &pe) || pe.CertificateUUID != ee.CertificateUUID || pe.Key != ee.Received.Key || pe.State != czertainly.CertificateStateIssued {
		t.Fatalf("PendingError %+v, want the issued certificate with the key", pe)
	}
	if errors.Is(err, czertainly.ErrPending) {
		t.Error("an issued certificate matches ErrPending")
	}
	gets := srv.Hits(http.MethodGet, "/api/v1/certificates/"+pe.CertificateUUID)
	e, err := c.ResumeEnrollment(ctx, pe)
	if srv.Hits(http.MethodGet, "/api/v1/certificates/"+pe.CertificateUUID) != gets+1 {
		t.Error("resume did not read the certificate's state first")
	}
	if err != nil || e.Leaf == nil || !e.Leaf.Equal(ee.Received.Leaf) || e.Key != pe.Key || len(e.Chain) == 0 {
		t.Fatalf("resume: %+v, %v", e, err)
	}
	if got := srv.Hits(http.MethodPost, opsBase+"/certificates"); got != 1 {
		t.Errorf("issue sent %d times, want once", got)
	}
}

// An answer to the chain download without the required content
// (doc-openapi-core-certificate.yaml:4255-4259 in 2.17.0) is not an empty
// chain: it is ErrUnexpectedResponse, with the material.
func TestEnrollChainWithoutContentIsAnError(t *testing.T) {
	srv, c := newFake(t, nil, czertainly.WithMaxAttempts(1))
	srv.Inject(czertainlytest.Fault{Method: http.MethodGet, PathSuffix: "/chain/raw", Status: 200, ContentType: "application/json",
		Body: `{"format":"raw","encoding":"pem","completeChain":true}`})
	e, err := c.Enroll(context.Background(), czertainly.EnrollInput{Profile: profile, Subject: pkix.Name{CommonName: "empty.example.com"}})
	if err == nil {
		t.Fatalf("success with a chain of %d from an answer without content", len(e.Chain))
	}
	if !errors.Is(err, czertainly.ErrUnexpectedResponse) {
		t.Errorf("err %v, want ErrUnexpectedResponse", err)
	}
	if ee := enrollMaterial(t, err); ee.Received.Leaf == nil {
		t.Error("the issued certificate is not in the error")
	}
}

// A wait that ends (poll timeout) keeps the key in both the *EnrollError
// and the *PendingError, and still matches ErrPending.
func TestEnrollPendingCarriesMaterial(t *testing.T) {
	_, c := newFake(t, nil)
	ap := czertainly.Profile{AuthorityUUID: czertainlytest.AuthorityUUID, RAProfileUUID: czertainlytest.ApprovalRAProfileUUID}
	_, err := c.Enroll(context.Background(), czertainly.EnrollInput{Profile: ap, Subject: pkix.Name{CommonName: "wait.example.com"}}, czertainly.WithApprovalWait(0))
	ee := enrollMaterial(t, err)
	var pe *czertainly.PendingError
	if !errors.Is(err, czertainly.ErrApprovalPending) || !errors.Is(err, czertainly.ErrPending) || !errors.As(err, &pe) || pe.Key != ee.Received.Key || ee.CertificateUUID != pe.CertificateUUID {
		t.Errorf("err %v, want a pending approval with the key", err)
	}
}

// The client operations that must not repeat (issue, renew, rekey, revoke)
// report a lost answer as ErrOutcomeUnknown themselves, as that sentinel's
// documentation says, and send once.
func TestClientOperationsCutOffAreUnknown(t *testing.T) {
	srv, c := newFake(t, nil)
	ctx := context.Background()
	id, err := srv.AddCertificate(czertainlytest.SeedCertificate{CommonName: "old.example.com", ExpiresIn: 10 * 24 * time.Hour, RAProfileUUID: czertainlytest.RAProfileUUID})
	if err != nil {
		t.Fatal(err)
	}
	csr, _ := csrFor(t, "old.example.com")
	for _, tc := range []struct {
		name, suffix, wantUUID string
		call                   func() error
	}{
		{"IssueCertificate", "/raProfiles/" + czertainlytest.RAProfileUUID + "/certificates", "", func() error {
			_, err := c.IssueCertificate(ctx, czertainly.IssueInput{Profile: profile, CSR: csr})
			return err
		}},
		{"RenewCertificate", "/renew", id, func() error {
			_, err := c.RenewCertificate(ctx, czertainly.RenewInput{Profile: profile, CertificateUUID: id})
			return err
		}},
		{"RekeyCertificate", "/rekey", id, func() error {
			_, err := c.RekeyCertificate(ctx, czertainly.RekeyInput{Profile: profile, CertificateUUID: id, CSR: csr})
			return err
		}},
		{"RevokeCertificate", "/revoke", id, func() error {
			return c.RevokeCertificate(ctx, czertainly.RevokeInput{Profile: profile, CertificateUUID: id})
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := srv.HitsMatching(http.MethodPost, tc.suffix)
			srv.Inject(czertainlytest.Fault{Method: http.MethodPost, PathSuffix: tc.suffix, Reset: true})
			err := tc.call()
			var ue *czertainly.UnknownOutcomeError
			if !errors.Is(err, czertainly.ErrOutcomeUnknown) || !errors.As(err, &ue) || ue.CertificateUUID != tc.wantUUID || ue.Op != "czertainly."+tc.name {
				t.Errorf("err %v (%+v), want an *UnknownOutcomeError of czertainly.%s about %q", err, ue, tc.name, tc.wantUUID)
			}
			if n := srv.HitsMatching(http.MethodPost, tc.suffix) - before; n != 1 {
				t.Errorf("sent %d times, want once", n)
			}
		})
	}
}

// WritePEM of an error's Result writes the key (mode 0600) even when no
// certificate was received, and no certificate file then.
func TestEnrollErrorResultWritesKeyAlone(t *testing.T) {
	srv, c := newFake(t, nil)
	srv.Inject(czertainlytest.Fault{Method: http.MethodPost, PathSuffix: "/raProfiles/" + czertainlytest.RAProfileUUID + "/certificates", Reset: true})
	_, err := c.Enroll(context.Background(), czertainly.EnrollInput{Profile: profile, Subject: pkix.Name{CommonName: "save.example.com"}})
	ee := enrollMaterial(t, err)
	dir := t.TempDir()
	certPath, keyPath := filepath.Join(dir, "c.pem"), filepath.Join(dir, "k.pem")
	if err := ee.Received.WritePEM(certPath, keyPath); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(keyPath); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("key file %v, %v; want mode 0600", fi, err)
	}
	if _, err := os.Stat(certPath); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("certificate file written without a certificate: %v", err)
	}
	if _, err := ee.Received.PKCS12("pw"); err == nil {
		t.Error("PKCS12 without a certificate did not fail")
	}
}

// Enroll asks for the chain with the end certificate, so Core's answer
// begins with the issued certificate (CertificateServiceImpl.java:827-828
// at cad4432a); a chain that begins with another certificate is not the
// issued certificate's: ErrUnexpectedResponse, with the material.
func TestEnrollChainOfAnotherCertificateIsAnError(t *testing.T) {
	other, _ := csrFor(t, "other.example.com")
	srv, c := newFake(t, nil, czertainly.WithMaxAttempts(1))
	// Any certificate that is not the leaf: the fake's CA.
	caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.CACertificate().Raw})
	srv.Inject(czertainlytest.Fault{Method: http.MethodGet, PathSuffix: "/chain/raw", Status: 200, ContentType: "application/json",
		Body: `{"format":"raw","encoding":"pem","completeChain":true,"content":"` + base64.StdEncoding.EncodeToString(caPEM) + `"}`})
	_, err := c.Enroll(context.Background(), czertainly.EnrollInput{Profile: profile, CSR: other})
	if !errors.Is(err, czertainly.ErrUnexpectedResponse) {
		t.Fatalf("err %v, want ErrUnexpectedResponse", err)
	}
	var ee *czertainly.EnrollError
	if !errors.As(err, &ee) || ee.Received == nil || ee.Received.Leaf == nil || ee.Received.Key != nil {
		t.Errorf("EnrollError %+v, want the issued certificate (and no key: the CSR was the caller's)", ee)
	}
}

// The workflow vocabulary: the EnrollError says how far the enrollment
// got (Stage), as mimcm's does, and the PendingError too.
func TestEnrollErrorNamesItsStage(t *testing.T) {
	srv, c := newFake(t, nil)
	ap := czertainly.Profile{AuthorityUUID: czertainlytest.AuthorityUUID, RAProfileUUID: czertainlytest.ApprovalRAProfileUUID}
	_, err := c.Enroll(context.Background(), czertainly.EnrollInput{Profile: ap, Subject: pkix.Name{CommonName: "stage.example.com"}}, czertainly.WithApprovalWait(0))
	ee := enrollMaterial(t, err)
	var pe *czertainly.PendingError
	if ee.Stage != czertainly.EnrollStageAwaitingApproval || !errors.As(err, &pe) || pe.Stage != czertainly.EnrollStageAwaitingApproval || ee.Stage.String() != "awaiting approval" {
		t.Errorf("approval pending: stage %v (pending %+v), want awaiting approval", ee.Stage, pe)
	}
	srv.Inject(czertainlytest.Fault{Method: http.MethodPost, PathSuffix: "/raProfiles/" + czertainlytest.RAProfileUUID + "/certificates", Reset: true})
	_, err = c.Enroll(context.Background(), czertainly.EnrollInput{Profile: profile, Subject: pkix.Name{CommonName: "lost.example.com"}})
	if ee := enrollMaterial(t, err); ee.Stage != czertainly.EnrollStageSubmitting {
		t.Errorf("issue answer lost: stage %v, want submitting", ee.Stage)
	}
}

// WithApprovalWait is a duration in every vendor: a long one keeps the
// wait going while the certificate is pending approval (counted checks,
// ended by the test through the progress callback), where 0 stops at the
// first check.
func TestApprovalWaitKeepsWaitingWhilePending(t *testing.T) {
	_, c := newFake(t, nil)
	ap := czertainly.Profile{AuthorityUUID: czertainlytest.AuthorityUUID, RAProfileUUID: czertainlytest.ApprovalRAProfileUUID}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	checks := 0
	_, err := c.Enroll(ctx, czertainly.EnrollInput{Profile: ap, Subject: pkix.Name{CommonName: "long.example.com"}},
		czertainly.WithApprovalWait(time.Hour), czertainly.WithWaitTimeout(0), czertainly.WithPollInterval(time.Millisecond),
		czertainly.WithProgress(func(p czertainly.Progress) {
			if p.State == czertainly.CertificateStatePendingApproval && p.Stage == czertainly.EnrollStageAwaitingApproval {
				if checks++; checks == 4 {
					cancel()
				}
			}
		}))
	if checks != 4 || !errors.Is(err, context.Canceled) || !errors.Is(err, czertainly.ErrApprovalPending) {
		t.Fatalf("%d checks pending approval, err %v; want the wait to go on until cancelled", checks, err)
	}
	if ee := enrollMaterial(t, err); ee.Stage != czertainly.EnrollStageAwaitingApproval {
		t.Errorf("stage %v, want awaiting approval", ee.Stage)
	}
}

// Received.WriteFiles is the shared way to save an error's material: one
// 0600 file holding the certificate (once received) and the key.
func TestEnrollErrorReceivedWriteFiles(t *testing.T) {
	srv, c := newFake(t, nil)
	srv.Inject(czertainlytest.Fault{Method: http.MethodPost, PathSuffix: "/raProfiles/" + czertainlytest.RAProfileUUID + "/certificates", Reset: true})
	_, err := c.Enroll(context.Background(), czertainly.EnrollInput{Profile: profile, Subject: pkix.Name{CommonName: "files.example.com"}})
	ee := enrollMaterial(t, err)
	prefix := filepath.Join(t.TempDir(), "lost")
	names, err := ee.Received.WriteFiles(prefix)
	if err != nil || len(names) != 1 || names[0] != prefix+".pem" {
		t.Fatalf("WriteFiles = %v, %v", names, err)
	}
	fi, err := os.Stat(names[0])
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("%v, %v; want mode 0600", fi, err)
	}
	b, _ := os.ReadFile(names[0])
	if blk, _ := pem.Decode(b); blk == nil || blk.Type != "PRIVATE KEY" {
		t.Errorf("the file does not hold the key: %q", b)
	}
}

package mimcm_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"software.sslmate.com/src/go-pkcs12"

	"github.com/certadmin/certadmin-go/mimcm"
	"github.com/certadmin/certadmin-go/mimcm/mimcmtest"
)

// selfSigned is a certificate and key no fake CA issued.
func selfSigned(t *testing.T, cn string) (*x509.Certificate, *ecdsa.PrivateKey) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Unix(1e9, 0), NotAfter: time.Unix(4e9, 0), IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert, key
}

// A server-generated key whose chain does not verify against the caller's
// roots: the PFX, its random password, the certificate and the key come
// back in the error, and the password does not show in its text.
func TestChainCheckFailureKeepsTheIssuedMaterial(t *testing.T) {
	srv, c := setup(t)
	other, _ := selfSigned(t, "Some Other Root")
	roots := x509.NewCertPool()
	roots.AddCert(other)
	_, err := c.EnrollSoftwareCertificate(context.Background(), mimcm.EnrollInput{ProfileTemplateUUID: mimcmtest.TemplateServerKey, Roots: roots})
	var ee *mimcm.EnrollError
	if !errors.As(err, &ee) || !errors.Is(err, mimcm.ErrKeyMismatch) || ee.Stage != mimcm.EnrollStageCertificatesReceived {
		t.Fatalf("got %v, want ErrKeyMismatch after the certificates arrived", err)
	}
	m := ee.Received
	if m == nil || m.PFXPassword == "" || len(m.Issued) != 1 || len(m.Issued[0].PFX) == 0 || len(m.Answer) == 0 {
		t.Fatalf("received material: %v", m)
	}
	_, leaf, _, perr := pkcs12.DecodeChain(m.Issued[0].PFX, m.PFXPassword)
	if perr != nil || leaf.CheckSignatureFrom(srv.CA()) != nil {
		t.Fatalf("the PFX does not open with the password it came with: %v", perr)
	}
	if len(m.Keys) != 1 || len(m.Certificates) < 1 || !m.Certificates[0].Equal(leaf) || !m.Keys[0].Public().(interface{ Equal(crypto.PublicKey) bool }).Equal(leaf.PublicKey) {
		t.Errorf("keys %d, certificates %d", len(m.Keys), len(m.Certificates))
	}
	for _, text := range []string{err.Error(), ee.Error(), fmt.Sprintf("%v %+v %#v %s", m, m, m, m)} {
		if strings.Contains(text, m.PFXPassword) {
			t.Errorf("the PFX password shows in %q", text)
		}
	}
	if srv.HitsMatching(http.MethodPut, "") != 0 {
		t.Errorf("a request that failed its checks was marked")
	}
}

// A 200 answer to the certificate data with a member of an unexpected
// type: the certificates were issued, so it is not "refused", and what
// the answer holds is returned.
func TestUnexpectedMemberInTheAnswerKeepsTheMaterial(t *testing.T) {
	srv, c := setup(t)
	const pw = "caller-pfx-password"
	cert, key := selfSigned(t, "Jane Doe")
	pfx, err := pkcs12.Modern.Encode(key, cert, nil, pw)
	if err != nil {
		t.Fatal(err)
	}
	body := `[{"TemplateCommonName":"User","CertificateId":"not-a-number","Flags":0,"UseLocalMachineStore":false,"Error":null,` +
		`"Pkcs7":null,"Pfx":"` + base64.StdEncoding.EncodeToString(pfx) + `","IsExternal":false,"isServerGenerated":true,"isPfx":true,"isPkcs7":false,"isKeyHistory":false}]`
	srv.Inject(mimcmtest.Fault{Method: http.MethodPost, PathSuffix: "/certificatedata", Status: http.StatusOK, ContentType: "application/json", Body: body})
	_, err = c.EnrollSoftwareCertificate(context.Background(), mimcm.EnrollInput{ProfileTemplateUUID: mimcmtest.TemplateSoftware, PFXPassword: pw})
	var ee *mimcm.EnrollError
	if !errors.As(err, &ee) || ee.Stage != mimcm.EnrollStageCertificatesReceived || !errors.Is(err, mimcm.ErrUnexpectedResponse) {
		t.Fatalf("got %v, want an unreadable answer after issuance", err)
	}
	if strings.Contains(ee.Next, "refused") || strings.Contains(err.Error(), "refused") {
		t.Errorf("an issued answer is reported as refused: %v", err)
	}
	m := ee.Received
	if m == nil || string(m.Answer) != body || len(m.Issued) != 1 || len(m.Certificates) != 1 || !m.Certificates[0].Equal(cert) {
		t.Fatalf("received material: %v", m)
	}
	// The generated key (for the CSR) and the PFX's key.
	if len(m.Keys) != 2 || m.PFXPassword != pw {
		t.Errorf("keys %d", len(m.Keys))
	}
	if n := srv.HitsMatching(http.MethodPost, "/certificatedata"); n != 1 {
		t.Errorf("certificate data sent %d times", n)
	}
}

// The answer of the certificate data call is cut off after the CA
// issued. The error carries the generated keys; a resume reads the
// request first and refuses, naming the request and its status, without
// submitting again.
func TestResumeAfterUnknownIssuanceNeverSubmitsAgain(t *testing.T) {
	srv, c := setup(t)
	ctx := context.Background()
	srv.Inject(mimcmtest.Fault{Method: http.MethodPost, PathSuffix: "/certificatedata", TruncateAt: 40})
	_, err := c.EnrollSoftwareCertificate(ctx, mimcm.EnrollInput{ProfileTemplateUUID: mimcmtest.TemplateSoftware})
	var ee *mimcm.EnrollError
	if !errors.As(err, &ee) || !errors.Is(err, mimcm.ErrIssuanceUnknown) {
		t.Fatalf("got %v, want ErrIssuanceUnknown", err)
	}
	if ee.Received == nil || len(ee.Received.Keys) != 1 || ee.Received.PFXPassword == "" {
		t.Errorf("the generated key is not in the error: %v", ee.Received)
	}
	id := ee.RequestID
	// The server still shows the request approved (3).
	if r, _ := srv.Request(id); r.Status != mimcm.StatusNumberApproved {
		t.Fatalf("server status %v", r.Status)
	}
	gets := srv.Hits(http.MethodGet, api+"/requests/"+id.String())
	_, err = c.ResumeEnrollment(ctx, &mimcm.PendingError{RequestID: id})
	var re *mimcm.EnrollError
	if !errors.As(err, &re) || !errors.Is(err, mimcm.ErrIssuanceUnknown) || re.RequestID != id {
		t.Fatalf("resume: %v, want a refusal with ErrIssuanceUnknown", err)
	}
	if !strings.Contains(re.Next, id.String()) || !strings.Contains(re.Next, "status 3") || re.Status != mimcm.StatusNumberApproved {
		t.Errorf("the refusal does not name what to check: %q", re.Next)
	}
	if n := srv.HitsMatching(http.MethodPost, "/certificatedata"); n != 1 {
		t.Errorf("certificate data sent %d times in all, want 1 (no resubmission)", n)
	}
	if n := srv.IssuedCertificates(); n != 1 {
		t.Errorf("the CA issued %d certificates, want 1", n)
	}
	if srv.Hits(http.MethodGet, api+"/requests/"+id.String()) <= gets {
		t.Errorf("the resume did not read the request first")
	}
	if n := srv.HitsMatching(http.MethodGet, "/certificaterequestgenerationoptions"); n != 1 {
		t.Errorf("generation options read %d times, want 1", n)
	}
}

// A request denied, canceled or failed ends the wait for approval at
// once, with a typed error naming the status, whatever the wait allows.
func TestTerminalStatusEndsTheWaitAtOnce(t *testing.T) {
	for _, tc := range []struct {
		name mimcm.Status
		end  func(*mimcmtest.Server, *mimcm.Client, mimcm.EnrollError) error
	}{
		{mimcm.StatusDenied, func(s *mimcmtest.Server, _ *mimcm.Client, e mimcm.EnrollError) error {
			return s.DenyRequest(e.RequestID)
		}},
		{mimcm.StatusCanceled, func(_ *mimcmtest.Server, c *mimcm.Client, e mimcm.EnrollError) error {
			_, err := c.CancelRequest(context.Background(), e.RequestID)
			return err
		}},
		{mimcm.StatusFailed, func(s *mimcmtest.Server, _ *mimcm.Client, e mimcm.EnrollError) error {
			if err := s.ApproveRequest(e.RequestID); err != nil {
				return err
			}
			return s.FailRequest(e.RequestID)
		}},
	} {
		t.Run(string(tc.name), func(t *testing.T) {
			srv, c := setup(t)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			in := mimcm.EnrollInput{ProfileTemplateUUID: mimcmtest.TemplateApproval}
			_, err := c.EnrollSoftwareCertificate(ctx, in, mimcm.WithApprovalWait(0))
			var pending *mimcm.EnrollError
			if !errors.As(err, &pending) || !errors.Is(err, mimcm.ErrApprovalPending) {
				t.Fatalf("got %v", err)
			}
			if err := tc.end(srv, c, *pending); err != nil {
				t.Fatal(err)
			}
			path := api + "/requests/" + pending.RequestID.String()
			before := srv.Hits(http.MethodGet, path)
			// A long wait with quick polls; a workflow that keeps waiting is
			// stopped after a few polls (no clock involved).
			polls := 0
			_, err = c.ResumeEnrollment(ctx, &mimcm.PendingError{RequestID: pending.RequestID}, mimcm.WithApprovalWait(time.Hour), mimcm.WithPollInterval(time.Millisecond),
				mimcm.WithProgress(func(p mimcm.Progress) {
					if p.Stage == mimcm.EnrollStageAwaitingApproval {
						if polls++; polls == 3 {
							cancel()
						}
					}
				}))
			var ee *mimcm.EnrollError
			if !errors.As(err, &ee) || !errors.Is(err, mimcm.ErrTerminalStatus) || ee.StatusName != tc.name {
				t.Fatalf("got %v, want ErrTerminalStatus (%s)", err, tc.name)
			}
			if errors.Is(err, mimcm.ErrApprovalPending) {
				t.Errorf("a %s request is reported as pending", tc.name)
			}
			if n := srv.Hits(http.MethodGet, path) - before; n != 1 {
				t.Errorf("%d status reads, want 1", n)
			}
			if n := srv.HitsMatching(http.MethodPost, "/certificatedata"); n != 0 {
				t.Errorf("certificate data sent %d times", n)
			}
		})
	}
}

// A Renew request that is denied ends RenewSoftwareCertificate at once too.
func TestRenewDeniedEndsAtOnce(t *testing.T) {
	srv, c := setup(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	e, err := c.EnrollSoftwareCertificate(ctx, mimcm.EnrollInput{ProfileTemplateUUID: mimcmtest.TemplateApproval},
		mimcm.WithPollInterval(time.Millisecond), mimcm.WithProgress(func(p mimcm.Progress) {
			if p.Stage == mimcm.EnrollStageAwaitingApproval {
				_ = srv.ApproveRequest(p.Request.UUID)
			}
		}))
	if err != nil {
		t.Fatal(err)
	}
	polls := 0
	_, err = c.RenewSoftwareCertificate(ctx, *e.Request.NewProfileUUID, mimcm.EnrollInput{}, mimcm.WithApprovalWait(time.Hour),
		mimcm.WithPollInterval(time.Millisecond), mimcm.WithProgress(func(p mimcm.Progress) {
			if p.Stage != mimcm.EnrollStageAwaitingApproval {
				return
			}
			if polls++; polls == 1 {
				_ = srv.DenyRequest(p.Request.UUID)
			}
			if polls == 3 {
				cancel()
			}
		}))
	if !errors.Is(err, mimcm.ErrTerminalStatus) || polls != 1 {
		t.Fatalf("got %v after %d polls, want ErrTerminalStatus after the first", err, polls)
	}
	if n := srv.HitsMatching(http.MethodPut, ""); n != 1 {
		t.Errorf("%d PUTs, want only the enrollment's completion", n)
	}
}

// Received.WriteFiles saves everything with mode 0600.
func TestReceivedWriteFiles(t *testing.T) {
	_, c := setup(t)
	other, _ := selfSigned(t, "Other Root")
	roots := x509.NewCertPool()
	roots.AddCert(other)
	_, err := c.EnrollSoftwareCertificate(context.Background(), mimcm.EnrollInput{ProfileTemplateUUID: mimcmtest.TemplateServerKey, Roots: roots})
	var ee *mimcm.EnrollError
	if !errors.As(err, &ee) || ee.Received == nil {
		t.Fatalf("got %v", err)
	}
	prefix := filepath.Join(t.TempDir(), "jdoe")
	names, err := ee.Received.WriteFiles(prefix)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{prefix + ".pem", prefix + "-1.pfx", prefix + ".pfx-password", prefix + ".answer.json"}
	if strings.Join(names, " ") != strings.Join(want, " ") {
		t.Fatalf("wrote %q, want %q", names, want)
	}
	for _, n := range names {
		fi, err := os.Stat(n)
		if err != nil || fi.Mode().Perm() != 0o600 || fi.Size() == 0 {
			t.Errorf("%s: %v %v", n, fi, err)
		}
	}
	pw, _ := os.ReadFile(prefix + ".pfx-password")
	pfx, _ := os.ReadFile(prefix + "-1.pfx")
	if _, _, _, err := pkcs12.DecodeChain(pfx, strings.TrimSpace(string(pw))); err != nil {
		t.Errorf("the saved PFX does not open with the saved password: %v", err)
	}
	pemText, _ := os.ReadFile(prefix + ".pem")
	if !strings.Contains(string(pemText), "PRIVATE KEY") || !strings.Contains(string(pemText), "CERTIFICATE") {
		t.Errorf("PEM file lacks the key or the certificate")
	}
}

// A renewal job that stopped after the certificate data (no answer) and
// runs again renews nothing new: the open Renew request on the server
// stops it, and the error names that request.
func TestRenewalRunTwiceIssuesOnce(t *testing.T) {
	srv, c := setup(t)
	ctx := context.Background()
	first, err := c.EnrollSoftwareCertificate(ctx, mimcm.EnrollInput{ProfileTemplateUUID: mimcmtest.TemplateSoftware})
	if err != nil {
		t.Fatal(err)
	}
	profile := *first.Request.NewProfileUUID
	issued := srv.IssuedCertificates()
	srv.Inject(mimcmtest.Fault{Method: http.MethodPost, PathSuffix: "/certificatedata", TruncateAt: 40})
	_, err = c.RenewSoftwareCertificate(ctx, profile, mimcm.EnrollInput{})
	var ee *mimcm.EnrollError
	if !errors.As(err, &ee) || !errors.Is(err, mimcm.ErrIssuanceUnknown) {
		t.Fatalf("first run: %v", err)
	}
	renewal := ee.RequestID
	creates := srv.Hits(http.MethodPost, api+"/requests")
	_, err = c.RenewSoftwareCertificate(ctx, profile, mimcm.EnrollInput{})
	if !errors.As(err, &ee) || !errors.Is(err, mimcm.ErrRenewalInProgress) || ee.RequestID != renewal || !strings.Contains(ee.Next, renewal.String()) {
		t.Fatalf("second run: %v, want ErrRenewalInProgress naming %s", err, renewal)
	}
	if n := srv.Hits(http.MethodPost, api+"/requests") - creates; n != 0 {
		t.Errorf("the second run created %d request(s)", n)
	}
	if n := srv.IssuedCertificates() - issued; n != 1 {
		t.Errorf("%d certificates issued by the two runs, want 1", n)
	}
	// Resuming the open request is refused too: it may have been issued.
	if _, err := c.ResumeEnrollment(ctx, &mimcm.PendingError{RequestID: renewal}); !errors.Is(err, mimcm.ErrIssuanceUnknown) {
		t.Errorf("resume: %v", err)
	}
	if n := srv.IssuedCertificates() - issued; n != 1 {
		t.Errorf("%d certificates issued in all, want 1", n)
	}
}

// A profile already renewed (the server retired it) is not renewed
// again, and a 5xx answer to the certificate data is an unknown outcome
// (the server may have failed after its CA issued), not a refusal.
func TestRenewedProfileIsNotRenewedAgainAnd5xxIsUnknown(t *testing.T) {
	srv, c := setup(t, mimcm.WithMaxAttempts(1))
	ctx := context.Background()
	first, err := c.EnrollSoftwareCertificate(ctx, mimcm.EnrollInput{ProfileTemplateUUID: mimcmtest.TemplateSoftware})
	if err != nil {
		t.Fatal(err)
	}
	old := *first.Request.NewProfileUUID
	if _, err := c.RenewSoftwareCertificate(ctx, old, mimcm.EnrollInput{}); err != nil {
		t.Fatal(err)
	}
	creates, issued := srv.Hits(http.MethodPost, api+"/requests"), srv.IssuedCertificates()
	if _, err := c.RenewSoftwareCertificate(ctx, old, mimcm.EnrollInput{}); !errors.Is(err, mimcm.ErrProfileNotActive) {
		t.Errorf("renewing a renewed profile: %v", err)
	}
	if srv.Hits(http.MethodPost, api+"/requests") != creates || srv.IssuedCertificates() != issued {
		t.Errorf("the second renewal created a request or issued")
	}

	srv.Inject(mimcmtest.Fault{Method: http.MethodPost, PathSuffix: "/certificatedata", Status: http.StatusInternalServerError,
		ContentType: "application/json", Body: `{"Message":"An error has occurred. Correlation ID: 0b6f3c1e-9d2a-4e8b-a7c5-1f2e3d4c5b6a"}`})
	_, err = c.EnrollSoftwareCertificate(ctx, mimcm.EnrollInput{ProfileTemplateUUID: mimcmtest.TemplateSoftware})
	var ee *mimcm.EnrollError
	if !errors.As(err, &ee) || !errors.Is(err, mimcm.ErrIssuanceUnknown) || ee.Received == nil || len(ee.Received.Keys) != 1 {
		t.Fatalf("500 to the certificate data: %v, want ErrIssuanceUnknown with the generated key", err)
	}
	if strings.Contains(ee.Next, "refused") {
		t.Errorf("next %q", ee.Next)
	}
}

// When the status filter's lists cannot be read, an unpinned status is
// waited on as before (a pending result), not turned into a failure.
func TestStatusLookupFailureStillWaits(t *testing.T) {
	srv, c := setup(t)
	srv.Inject(mimcmtest.Fault{Method: http.MethodGet, PathSuffix: "/requests", Status: http.StatusForbidden,
		ContentType: "application/json", Body: `{"Message":"Access is denied."}`})
	_, err := c.EnrollSoftwareCertificate(context.Background(), mimcm.EnrollInput{ProfileTemplateUUID: mimcmtest.TemplateApproval}, mimcm.WithApprovalWait(0))
	var ee *mimcm.EnrollError
	if !errors.As(err, &ee) || !errors.Is(err, mimcm.ErrApprovalPending) || ee.StatusName != "" {
		t.Fatalf("got %v, want ErrApprovalPending with no status name", err)
	}
}

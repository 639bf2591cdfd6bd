package mimcm_test

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
	"software.sslmate.com/src/go-pkcs12"

	"github.com/certadmin/certadmin-go/mimcm"
	"github.com/certadmin/certadmin-go/mimcm/mimcmtest"
)

func caPool(srv *mimcmtest.Server) *x509.CertPool { return srv.IssuingCAs() }

func TestEnrollSoftwareCertificateEndToEnd(t *testing.T) {
	srv, c := setup(t)
	ctx := context.Background()
	var stages []mimcm.EnrollStage
	e, err := c.EnrollSoftwareCertificate(ctx, mimcm.EnrollInput{
		ProfileTemplateUUID: mimcmtest.TemplateSoftware, Roots: caPool(srv),
		DataCollection: []mimcm.DataValue{{Name: "Request Reason", Value: "laptop"}},
	}, mimcm.WithProgress(func(p mimcm.Progress) { stages = append(stages, p.Stage) }))
	if err != nil {
		t.Fatal(err)
	}
	if !cmp.Equal(stages, []mimcm.EnrollStage{mimcm.EnrollStageCreating, mimcm.EnrollStageApproved, mimcm.EnrollStageSubmitting,
		mimcm.EnrollStageCertificatesReceived, mimcm.EnrollStageCompleted}) {
		t.Errorf("stages %v", stages)
	}
	key, ok := e.PrivateKey.(*rsa.PrivateKey)
	if !ok || key.N.BitLen() != 2048 || !key.PublicKey.Equal(e.Certificate.PublicKey) {
		t.Fatalf("key %T does not match the certificate", e.PrivateKey)
	}
	if len(e.Chain) != 1 || !e.Chain[0].Equal(srv.CA()) {
		t.Errorf("chain %v", e.Chain)
	}
	if e.Request == nil || e.Request.Status != mimcm.StatusNumberCompleted || e.Request.UUID != e.RequestID {
		t.Errorf("request %+v", e.Request)
	}
	for _, h := range []struct {
		method, suffix string
		want           int
	}{
		{http.MethodPost, "/requests", 1}, {http.MethodGet, "/requests/" + e.RequestID.String(), 1},
		{http.MethodGet, "/certificaterequestgenerationoptions", 1}, {http.MethodPost, "/certificatedata", 1}, {http.MethodPut, "/requests/" + e.RequestID.String(), 1},
	} {
		if n := srv.HitsMatching(h.method, h.suffix); n != h.want {
			t.Errorf("%s …%s: %d hits, want %d", h.method, h.suffix, n, h.want)
		}
	}

	// The PKCS#12 file holds the certificate and its key.
	path := filepath.Join(t.TempDir(), "me.p12")
	if err := e.WritePKCS12(path, "file-password"); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	k, leaf, cas, err := pkcs12.DecodeChain(b, "file-password")
	if err != nil || !leaf.Equal(e.Certificate) || len(cas) != 1 || !k.(*rsa.PrivateKey).Equal(key) {
		t.Errorf("PKCS#12: %v", err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", fi.Mode())
	}
}

func TestEnrollmentWaitsForApprovalAndResumes(t *testing.T) {
	srv, c := setup(t)
	ctx := context.Background()
	in := mimcm.EnrollInput{ProfileTemplateUUID: mimcmtest.TemplateApproval, Roots: caPool(srv)}

	// An approval that never comes: a typed, resumable state.
	_, err := c.EnrollSoftwareCertificate(ctx, in, mimcm.WithApprovalWait(0))
	var ee *mimcm.EnrollError
	if !errors.As(err, &ee) || !errors.Is(err, mimcm.ErrApprovalPending) || ee.Stage != mimcm.EnrollStageAwaitingApproval || ee.RequestID == uuid.Nil {
		t.Fatalf("got %v, want ErrApprovalPending with the request", err)
	}
	if ee.StatusName != mimcm.StatusPending || !strings.Contains(ee.Error(), ee.RequestID.String()) || !strings.Contains(ee.Next, "ResumeEnrollment") {
		t.Errorf("error %v (status %v)", ee, ee.Status)
	}
	if n := srv.HitsMatching("", "/certificaterequestgenerationoptions"); n != 0 {
		t.Errorf("generation options read %d times before approval", n)
	}
	var pe *mimcm.PendingError
	if !errors.As(err, &pe) || pe.RequestID != ee.RequestID || pe.Stage != mimcm.EnrollStageAwaitingApproval || pe.Roots != in.Roots || !errors.Is(err, mimcm.ErrPending) {
		t.Fatalf("the pending state is not a *PendingError for the request: %v", pe)
	}
	// Several checks within a short wait, still pending.
	_, err = c.ResumeEnrollment(ctx, pe, mimcm.WithApprovalWait(30*time.Millisecond), mimcm.WithPollInterval(time.Millisecond))
	if !errors.Is(err, mimcm.ErrApprovalPending) {
		t.Fatalf("resume before approval: %v", err)
	}
	if n := srv.Hits(http.MethodGet, api+"/requests/"+ee.RequestID.String()); n < 3 {
		t.Errorf("%d status checks, want several", n)
	}

	if err := srv.ApproveRequest(ee.RequestID); err != nil {
		t.Fatal(err)
	}
	e, err := c.ResumeEnrollment(ctx, pe)
	if err != nil {
		t.Fatal(err)
	}
	if e.RequestID != ee.RequestID || e.Request.Status != mimcm.StatusNumberCompleted {
		t.Errorf("resumed: %+v", e.Request)
	}
	if n := srv.Hits(http.MethodPost, api+"/requests"); n != 1 {
		t.Errorf("%d creates, want 1", n)
	}
}

// An approval that comes while the workflow waits.
func TestEnrollmentApprovedWhileWaiting(t *testing.T) {
	srv, c := setup(t)
	approve := func(p mimcm.Progress) {
		if p.Stage == mimcm.EnrollStageAwaitingApproval {
			if err := srv.ApproveRequest(p.Request.UUID); err != nil {
				t.Error(err)
			}
		}
	}
	e, err := c.EnrollSoftwareCertificate(context.Background(), mimcm.EnrollInput{ProfileTemplateUUID: mimcmtest.TemplateApproval},
		mimcm.WithPollInterval(time.Millisecond), mimcm.WithProgress(approve))
	if err != nil {
		t.Fatal(err)
	}
	if n := srv.Hits(http.MethodGet, api+"/requests/"+e.RequestID.String()); n != 2 {
		t.Errorf("%d status checks, want 2 (pending, then approved)", n)
	}
}

// The certificate data call reaches the server (the CA issues) but the
// answer is cut off: it is not sent again, and the error says what to do.
func TestEnrollmentSubmitCutOffIsNotRepeated(t *testing.T) {
	srv, c := setup(t)
	ctx := context.Background()
	srv.Inject(mimcmtest.Fault{Method: http.MethodPost, PathSuffix: "/certificatedata", TruncateAt: 40})
	_, err := c.EnrollSoftwareCertificate(ctx, mimcm.EnrollInput{ProfileTemplateUUID: mimcmtest.TemplateSoftware})
	var ee *mimcm.EnrollError
	if !errors.As(err, &ee) || ee.Stage != mimcm.EnrollStageSubmitting || !errors.Is(err, mimcm.ErrIssuanceUnknown) {
		t.Fatalf("got %v, want ErrIssuanceUnknown at the submit stage", err)
	}
	if !strings.Contains(ee.Next, "AbandonRequest") || ee.Result != nil {
		t.Errorf("next %q", ee.Next)
	}
	if n := srv.HitsMatching(http.MethodPost, "/certificatedata"); n != 1 {
		t.Errorf("certificate data sent %d times, want 1", n)
	}
	if n := srv.IssuedCertificates(); n != 1 {
		t.Errorf("the CA issued %d certificates, want 1 (the call reached the server)", n)
	}
	if n := srv.HitsMatching(http.MethodPut, ""); n != 0 {
		t.Errorf("the request was marked %d times", n)
	}
	// What the error says to do works.
	r, err := c.AbandonRequest(ctx, ee.RequestID)
	if n, _ := mimcmtest.StatusNumber("Abandoned"); err != nil || r.Status != n {
		t.Errorf("abandon: %+v, %v", r, err)
	}
	// A connection reset before the answer is the same.
	srv.Inject(mimcmtest.Fault{Method: http.MethodPost, PathSuffix: "/certificatedata", Reset: true})
	_, err = c.EnrollSoftwareCertificate(ctx, mimcm.EnrollInput{ProfileTemplateUUID: mimcmtest.TemplateSoftware})
	if !errors.Is(err, mimcm.ErrIssuanceUnknown) {
		t.Errorf("reset: %v", err)
	}
	if n := srv.HitsMatching(http.MethodPost, "/certificatedata"); n != 2 {
		t.Errorf("certificate data sent %d times in all, want 2", n)
	}
}

func TestEnrollmentServerGeneratedKeyPFX(t *testing.T) {
	srv, c := setup(t)
	ctx := context.Background()
	const pw = "caller-chosen-pfx-password"
	e, err := c.EnrollSoftwareCertificate(ctx, mimcm.EnrollInput{ProfileTemplateUUID: mimcmtest.TemplateServerKey, PFXPassword: pw, Roots: caPool(srv)})
	if err != nil {
		t.Fatal(err)
	}
	if !e.Issued[0].IsPFX || !e.Issued[0].IsServerGenerated || e.PrivateKey == nil {
		t.Fatalf("answer %+v", e.Issued[0])
	}
	if n := srv.HitsMatching(http.MethodPost, "/certificatedata"); n != 1 {
		t.Errorf("%d submits", n)
	}

	// A PFX that does not open with the password the caller chose.
	srv.SetPFXPasswordMismatch(true)
	_, err = c.EnrollSoftwareCertificate(ctx, mimcm.EnrollInput{ProfileTemplateUUID: mimcmtest.TemplateServerKey, PFXPassword: pw})
	var ee *mimcm.EnrollError
	if !errors.As(err, &ee) || !errors.Is(err, mimcm.ErrPFXPassword) || ee.Stage != mimcm.EnrollStageCertificatesReceived {
		t.Fatalf("got %v, want ErrPFXPassword", err)
	}
	if strings.Contains(err.Error(), pw) {
		t.Errorf("the PFX password is in the error: %v", err)
	}
}

func TestEnrollmentPFXPasswordNeverShows(t *testing.T) {
	srv, c := setup(t, mimcm.WithMaxAttempts(1))
	const pw = "secret-pfx-password-42"
	srv.Inject(mimcmtest.Fault{Method: http.MethodPost, PathSuffix: "/certificatedata", Status: http.StatusBadRequest,
		ContentType: "application/json", Body: `{"Message":"bad password ` + pw + `"}`})
	_, err := c.EnrollSoftwareCertificate(context.Background(), mimcm.EnrollInput{ProfileTemplateUUID: mimcmtest.TemplateSoftware, PFXPassword: pw})
	var e *mimcm.Error
	if !errors.As(err, &e) || e.StatusCode != http.StatusBadRequest {
		t.Fatalf("got %v", err)
	}
	if strings.Contains(err.Error(), pw) || strings.Contains(e.Body, pw) || strings.Contains(e.Message, pw) {
		t.Errorf("the PFX password leaked: %v / %q", err, e.Body)
	}
}

func TestEnrollmentCompletionFailureKeepsTheResult(t *testing.T) {
	srv, c := setup(t)
	srv.Inject(mimcmtest.Fault{Method: http.MethodPut, PathSuffix: "", Status: http.StatusServiceUnavailable})
	_, err := c.EnrollSoftwareCertificate(context.Background(), mimcm.EnrollInput{ProfileTemplateUUID: mimcmtest.TemplateSoftware})
	var ee *mimcm.EnrollError
	if !errors.As(err, &ee) || ee.Stage != mimcm.EnrollStageCertificatesReceived || ee.Result == nil || ee.Result.Certificate == nil || ee.Received == nil || len(ee.Received.Keys) != 1 {
		t.Fatalf("got %v, want the result with the error", err)
	}
	if _, err := c.CompleteRequest(context.Background(), ee.RequestID); err != nil {
		t.Errorf("complete afterwards: %v", err)
	}
}

// The sample template's options ask for RSA 2048 with SHA-1.
func TestEnrollmentWithTheSampleOptions(t *testing.T) {
	srv, c := setup(t)
	e, err := c.EnrollSoftwareCertificate(context.Background(), mimcm.EnrollInput{ProfileTemplateUUID: mimcmtest.TemplateSmartcard, Roots: caPool(srv)})
	if err != nil {
		t.Fatal(err)
	}
	if e.Certificate.PublicKeyAlgorithm != x509.RSA {
		t.Errorf("key %v", e.Certificate.PublicKeyAlgorithm)
	}
}

func TestRenewRevokeRetire(t *testing.T) {
	srv, c := setup(t)
	ctx := context.Background()
	first, err := c.EnrollSoftwareCertificate(ctx, mimcm.EnrollInput{ProfileTemplateUUID: mimcmtest.TemplateSoftware})
	if err != nil {
		t.Fatal(err)
	}
	old := *first.Request.NewProfileUUID
	renewed, err := c.RenewSoftwareCertificate(ctx, old, mimcm.EnrollInput{Roots: caPool(srv)})
	if err != nil {
		t.Fatal(err)
	}
	if renewed.Certificate.Equal(first.Certificate) || renewed.Request.OldProfileUUID == nil || *renewed.Request.OldProfileUUID != old {
		t.Errorf("renewal: %+v", renewed.Request)
	}
	p, _ := c.GetProfile(ctx, old)
	if p.Status == mimcm.ProfileStatusActive {
		t.Errorf("the renewed profile is still active")
	}
	newProfile := *renewed.Request.NewProfileUUID
	np, _ := c.GetProfile(ctx, newProfile)
	if np.ParentProfileUUID == nil || *np.ParentProfileUUID != old {
		t.Errorf("new profile's parent: %v", np.ParentProfileUUID)
	}
	r, err := c.RevokeProfile(ctx, newProfile, mimcm.ProfileRequestInput{Comment: "key lost"})
	if err != nil || r.Status != mimcm.StatusNumberCompleted {
		t.Fatalf("revoke: %+v, %v", r, err)
	}
	if name, _ := r.Type.Name(); name != "" {
		t.Errorf("a Revoke's number is not pinned, got name %q", name)
	}
	if _, err := c.RetireProfile(ctx, newProfile, mimcm.ProfileRequestInput{}); err != nil {
		t.Fatal(err)
	}
	certs, _ := c.ListUserCertificates(ctx)
	if len(certs) != 16 {
		t.Errorf("%d user certificates, want the 16 samples after the retirements", len(certs))
	}
	if _, err := c.RevokeProfile(ctx, uuid.Nil, mimcm.ProfileRequestInput{}); !errors.Is(err, mimcm.ErrInvalidInput) {
		t.Errorf("zero profile: %v", err)
	}
}

func TestParseSubject(t *testing.T) {
	rdns, err := mimcm.ParseSubject(`CN=Doe\, Jane, OU="Users; Sales", DC=contoso, DC=com, E=jane@contoso.com+UID=jdoe`)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := asn1.Marshal(rdns)
	// rdns is most general first; String prints most specific first.
	if got := rdns.String(); !strings.HasPrefix(got, `CN=Doe\, Jane,OU=Users\; Sales,0.9.2342.19200300.100.1.25=#1607636f6e746f736f,`) {
		t.Errorf("got %s", got)
	}
	if len(rdns) != 5 || len(rdns[0]) != 2 || len(raw) == 0 {
		t.Errorf("%d RDNs: %v", len(rdns), rdns)
	}
	if empty, err := mimcm.ParseSubject(""); err != nil || len(empty) != 0 {
		t.Errorf("empty: %v %v", empty, err)
	}
	for _, bad := range []string{"CN", "XX=1", `CN="open`, "CN="} {
		if _, err := mimcm.ParseSubject(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

// The fake gives each root its own name: IssuingCAs verifies what an
// enrollment receives (EnrollInput.Roots), TLSRootCAs is the connection's
// root and does not.
func TestFakeIssuingAndTLSRootsDiffer(t *testing.T) {
	srv := mimcmtest.NewTestServer(t, mimcmtest.WithTLS())
	c, err := srv.NewClient(fastRetry)
	if err != nil {
		t.Fatal(err)
	}
	e, err := c.EnrollSoftwareCertificate(context.Background(), mimcm.EnrollInput{ProfileTemplateUUID: mimcmtest.TemplateSoftware, Roots: srv.IssuingCAs()})
	if err != nil {
		t.Fatal(err)
	}
	opts := x509.VerifyOptions{Roots: srv.IssuingCAs(), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}
	if _, err := e.Certificate.Verify(opts); err != nil {
		t.Errorf("IssuingCAs does not verify the issued certificate: %v", err)
	}
	opts.Roots = srv.TLSRootCAs()
	if opts.Roots == nil {
		t.Fatal("no TLS root for a TLS fake")
	}
	if _, err := e.Certificate.Verify(opts); err == nil {
		t.Error("TLSRootCAs verifies the issued certificate: the two roots are not told apart")
	}
}

// The workflow options work on the client too, as in every vendor: a
// client made with WithApprovalWait(0) stops at the first check, and its
// stop is a *PendingError that ResumeEnrollment takes as it is.
func TestWorkflowOptionsOnTheClient(t *testing.T) {
	srv, c := setup(t, mimcm.WithApprovalWait(0))
	ctx := context.Background()
	in := mimcm.EnrollInput{ProfileTemplateUUID: mimcmtest.TemplateApproval, Roots: srv.IssuingCAs(), PFXPassword: "pfx-pw"}
	_, err := c.EnrollSoftwareCertificate(ctx, in)
	var pe *mimcm.PendingError
	if !errors.As(err, &pe) || !errors.Is(err, mimcm.ErrApprovalPending) || pe.PFXPassword != "pfx-pw" || strings.Contains(err.Error(), "pfx-pw") {
		t.Fatalf("got %v, want a *PendingError keeping (and not printing) the PFX password", err)
	}
	if n := srv.Hits(http.MethodGet, api+"/requests/"+pe.RequestID.String()); n != 1 {
		t.Errorf("%d status checks, want 1", n)
	}
	if err := srv.ApproveRequest(pe.RequestID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ResumeEnrollment(ctx, pe); err != nil {
		t.Fatal(err)
	}
	if _, err := mimcm.NewClient(srv.URL, mimcm.WithPollInterval(0)); !errors.Is(err, mimcm.ErrInvalidInput) {
		t.Errorf("NewClient with a zero poll interval: %v", err)
	}
	if _, err := c.ResumeEnrollment(ctx, nil); !errors.Is(err, mimcm.ErrInvalidInput) {
		t.Errorf("ResumeEnrollment(nil): %v", err)
	}
}

// A PendingError holds the PFX password for the resume, and prints it in
// no form.
func TestPendingErrorPrintsNoPassword(t *testing.T) {
	pe := &mimcm.PendingError{RequestID: uuid.New(), Stage: mimcm.EnrollStageAwaitingApproval, PFXPassword: "pfx-secret-1"}
	for _, f := range []string{"%v", "%+v", "%#v", "%s"} {
		if got := fmt.Sprintf(f, pe); strings.Contains(got, "pfx-secret-1") {
			t.Errorf("%s prints the password: %s", f, got)
		}
	}
}

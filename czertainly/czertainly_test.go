package czertainly_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"software.sslmate.com/src/go-pkcs12"

	czertainly "github.com/certadmin/certadmin-go/czertainly"
	"github.com/certadmin/certadmin-go/czertainly/czertainlytest"
)

const opsBase = "/api/v2/operations/authorities/" + czertainlytest.AuthorityUUID + "/raProfiles/" + czertainlytest.RAProfileUUID

func csrFor(t *testing.T, cn string) ([]byte, *ecdsa.PrivateKey) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: cn}, DNSNames: []string{cn}}, key)
	if err != nil {
		t.Fatal(err)
	}
	return der, key
}

func collect[T any](t *testing.T, seq func(func(T, error) bool)) []T {
	t.Helper()
	var out []T
	for v, err := range seq {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	return out
}

func TestListCertificatesPagesLazily(t *testing.T) {
	srv, c := newFake(t, nil)
	ctx := context.Background()
	all := collect(t, c.ListCertificates(ctx, czertainly.CertificateQuery{PageSize: 2}))
	if len(all) != 5 {
		t.Fatalf("got %d certificates, want 5 (admin, CA, three seeds)", len(all))
	}
	if got := srv.Hits(http.MethodPost, "/api/v1/certificates"); got != 3 {
		t.Errorf("%d search calls for 5 certificates in pages of 2, want 3", got)
	}
	// Stopping early fetches no further page.
	before := srv.TotalHits()
	for _, err := range c.ListCertificates(ctx, czertainly.CertificateQuery{PageSize: 2}) {
		if err != nil {
			t.Fatal(err)
		}
		break
	}
	if got := srv.TotalHits() - before; got != 1 {
		t.Errorf("breaking after the first certificate made %d calls, want 1", got)
	}
	// Newest first, as Core orders the inventory.
	if all[0].CommonName != "seed3.example.com" {
		t.Errorf("first certificate %q, want the newest seed3.example.com", all[0].CommonName)
	}
}

func TestListCertificatesFilters(t *testing.T) {
	_, c := newFake(t, nil)
	ctx := context.Background()
	got := collect(t, c.ListCertificates(ctx, czertainly.CertificateQuery{Filters: []czertainly.SearchFilter{czertainly.FilterExpiresWithin(30), czertainly.FilterState(czertainly.CertificateStateIssued)}}))
	var names []string
	for _, crt := range got {
		names = append(names, crt.CommonName)
	}
	if diff := cmp.Diff([]string{"seed2.example.com", "seed1.example.com"}, names); diff != "" {
		t.Errorf("expiring within 30 days (-want +got):\n%s", diff)
	}
	page, err := c.ListCertificatesPage(ctx, czertainly.CertificateQuery{Filters: []czertainly.SearchFilter{czertainly.FilterCommonName("seed")}, PageSize: 2}, 2)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(czertainly.CertificatePage{ItemsPerPage: 2, PageNumber: 2, TotalPages: 2, TotalItems: 3}, *page, cmpIgnore("Certificates")); diff != "" || len(page.Certificates) != 1 {
		t.Errorf("page 2 (-want +got):\n%s (%d certificates)", diff, len(page.Certificates))
	}
	fields, err := c.ListCertificateSearchFields(ctx)
	if err != nil || len(fields) != 1 || !slices.ContainsFunc(fields[0].SearchFieldData, func(f czertainly.SearchField) bool {
		return f.FieldIdentifier == czertainly.FieldNotAfter && slices.Contains(f.Conditions, czertainly.FilterConditionInNext)
	}) {
		t.Errorf("search fields %+v, %v: want NOT_AFTER with IN_NEXT", fields, err)
	}
}

func cmpIgnore(field string) cmp.Option {
	return cmp.FilterPath(func(p cmp.Path) bool { return p.Last().String() == "."+field }, cmp.Ignore())
}

func TestBadInputIsRefusedBeforeSending(t *testing.T) {
	srv, c := newFake(t, nil)
	ctx := context.Background()
	csr, _ := csrFor(t, "x")
	calls := map[string]error{
		"malformed certificate UUID": func() error { _, err := c.GetCertificate(ctx, "not-a-uuid"); return err }(),
		"malformed RA profile UUID": func() error {
			_, err := c.IssueCertificate(ctx, czertainly.IssueInput{Profile: czertainly.Profile{AuthorityUUID: czertainlytest.AuthorityUUID, RAProfileUUID: "ra-1"}, CSR: csr})
			return err
		}(),
		"empty CSR": func() error { _, err := c.IssueCertificate(ctx, czertainly.IssueInput{Profile: profile}); return err }(),
		"CSR that is a certificate": func() error {
			_, err := c.IssueCertificate(ctx, czertainly.IssueInput{Profile: profile, CSR: srv.CACertificate().Raw})
			return err
		}(),
		"unknown revocation reason": c.RevokeCertificate(ctx, czertainly.RevokeInput{Profile: profile, CertificateUUID: czertainlytest.AdminUserUUID, Reason: "lost"}),
		"page size over 1000": func() error {
			_, err := c.ListCertificatesPage(ctx, czertainly.CertificateQuery{PageSize: 1001}, 1)
			return err
		}(),
		"page 0": func() error { _, err := c.ListCertificatesPage(ctx, czertainly.CertificateQuery{}, 0); return err }(),
		"unknown condition": func() error {
			_, err := c.ListCertificatesPage(ctx, czertainly.CertificateQuery{Filters: []czertainly.SearchFilter{{FieldSource: "property", FieldIdentifier: "NOT_AFTER", Condition: "SOON"}}}, 1)
			return err
		}(),
		"raw DER chain": func() error {
			_, err := c.DownloadCertificateChain(ctx, czertainlytest.AdminUserUUID, czertainly.CertificateFormatRaw, czertainly.CertificateEncodingDER, true)
			return err
		}(),
		"update that links and unlinks a certificate": func() error {
			_, err := c.UpdateUser(ctx, czertainlytest.AdminUserUUID, czertainly.UserInput{CertificateUUID: czertainlytest.AdminUserUUID, UnlinkCertificate: true})
			return err
		}(),
		"renew of nothing days": func() error { _, err := c.RenewExpiring(ctx, czertainly.RenewExpiringInput{}); return err }(),
	}
	for name, err := range calls {
		if !errors.Is(err, czertainly.ErrInvalidInput) {
			t.Errorf("%s: %v, want ErrInvalidInput", name, err)
		}
	}
	if n := srv.TotalHits(); n != 0 {
		t.Errorf("%d requests sent for refused input", n)
	}
}

func TestEnrollIssuesWithChainAndWritesFiles(t *testing.T) {
	srv, c := newFake(t, []czertainlytest.Option{czertainlytest.WithIssuePolls(2)})
	ctx := context.Background()
	var states []czertainly.CertificateState
	e, err := c.Enroll(ctx, czertainly.EnrollInput{Profile: profile, Subject: pkix.Name{CommonName: "www.example.com"}, DNSNames: []string{"www.example.com"}},
		czertainly.WithProgress(func(p czertainly.Progress) { states = append(states, p.State) }))
	if err != nil {
		t.Fatal(err)
	}
	// Core's v2 client operations take a certificate from requested to
	// issued (ClientOperationServiceImpl.java:207-258); there is no
	// pending_issue step.
	if diff := cmp.Diff([]czertainly.CertificateState{"requested", "requested", "issued"}, states); diff != "" {
		t.Errorf("states (-want +got):\n%s", diff)
	}
	if err := e.Leaf.CheckSignatureFrom(srv.CACertificate()); err != nil {
		t.Errorf("leaf not signed by the CA: %v", err)
	}
	if !e.Chain[0].Equal(srv.CACertificate()) || len(e.Chain) != 1 {
		t.Errorf("chain %v, want the CA", e.Chain)
	}
	// IssuingCAs verifies what the fake issues; the TLS root does not.
	if _, err := e.Leaf.Verify(x509.VerifyOptions{Roots: srv.IssuingCAs(), DNSName: "www.example.com"}); err != nil {
		t.Errorf("leaf not verified by IssuingCAs: %v", err)
	}
	if _, err := e.Leaf.Verify(x509.VerifyOptions{Roots: srv.TLSRootCAs(), DNSName: "www.example.com"}); err == nil {
		t.Error("leaf verified by TLSRootCAs, the fake's TLS root")
	}
	if !e.Leaf.PublicKey.(*ecdsa.PublicKey).Equal(e.Key.Public()) {
		t.Error("the leaf is not for the generated key")
	}
	if got := srv.Hits(http.MethodPost, opsBase+"/certificates"); got != 1 {
		t.Errorf("%d issue calls, want 1", got)
	}
	dir := t.TempDir()
	if err := e.WritePEM(filepath.Join(dir, "c.pem"), filepath.Join(dir, "k.pem")); err != nil {
		t.Fatal(err)
	}
	if err := e.WritePKCS12(filepath.Join(dir, "c.p12"), "pw"); err != nil {
		t.Fatal(err)
	}
	p12, _ := os.ReadFile(filepath.Join(dir, "c.p12"))
	_, leaf, cas, err := pkcs12.DecodeChain(p12, "pw")
	if err != nil || !leaf.Equal(e.Leaf) || len(cas) != 1 {
		t.Errorf("PKCS#12: %v", err)
	}
	if fi, err := os.Stat(filepath.Join(dir, "k.pem")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("key file: %v %v", fi, err)
	}
}

func TestEnrollCutOffIsNotSentAgain(t *testing.T) {
	srv, c := newFake(t, nil)
	srv.Inject(czertainlytest.Fault{Method: http.MethodPost, PathSuffix: "/raProfiles/" + czertainlytest.RAProfileUUID + "/certificates", Reset: true})
	_, err := c.Enroll(context.Background(), czertainly.EnrollInput{Profile: profile, Subject: pkix.Name{CommonName: "cut.example.com"}})
	if !errors.Is(err, czertainly.ErrOutcomeUnknown) {
		t.Fatalf("err %v, want ErrOutcomeUnknown", err)
	}
	if got := srv.Hits(http.MethodPost, opsBase+"/certificates"); got != 1 {
		t.Errorf("issue sent %d times, want once", got)
	}
	// A connector failure is Core's 400 "Failed to submit certificate
	// request" (ExceptionHandlingAdvice.java:420): an answer, Core rolled
	// back and issued nothing.
	srv.WithConnectorDown(1)
	_, err = c.Enroll(context.Background(), czertainly.EnrollInput{Profile: profile, Subject: pkix.Name{CommonName: "down.example.com"}})
	var ce *czertainly.Error
	if !errors.Is(err, czertainly.ErrConnector) || !errors.As(err, &ce) || ce.StatusCode != 400 || !strings.Contains(ce.Message, "Failed to submit certificate request") {
		t.Fatalf("err %v, want a 400 ErrConnector with Core's message", err)
	}
	if got := srv.Hits(http.MethodPost, opsBase+"/certificates"); got != 2 {
		t.Errorf("issue sent %d times in all, want 2 (a refused create is not repeated)", got)
	}
}

func TestEnrollWaitsForApproval(t *testing.T) {
	srv, c := newFake(t, nil)
	ctx := context.Background()
	ap := czertainly.Profile{AuthorityUUID: czertainlytest.AuthorityUUID, RAProfileUUID: czertainlytest.ApprovalRAProfileUUID}
	_, err := c.Enroll(ctx, czertainly.EnrollInput{Profile: ap, Subject: pkix.Name{CommonName: "needs.example.com"}}, czertainly.WithApprovalWait(0))
	var pe *czertainly.PendingError
	if !errors.Is(err, czertainly.ErrApprovalPending) || !errors.As(err, &pe) || pe.Key == nil || pe.Profile != ap {
		t.Fatalf("err %v, want a *PendingError for approval with the key", err)
	}
	// The approver's view, through the endpoints.
	mine := collect(t, c.ListUserApprovals(ctx, czertainly.ApprovalQuery{}))
	if len(mine) != 1 || mine[0].ObjectUUID != pe.CertificateUUID || mine[0].Status != czertainly.ApprovalStatusPending {
		t.Fatalf("user approvals %+v", mine)
	}
	// Core refuses a recipient's decision from the approval's creator
	// (ApprovalServiceImpl.java:191): another user of the step's role
	// decides.
	if err := c.ApproveApprovalAsRecipient(ctx, mine[0].UUID, "ok"); !errors.Is(err, czertainly.ErrValidation) {
		t.Fatalf("the creator approved as recipient: %v, want Core's 422", err)
	}
	if err := recipientClient(t, srv, c).ApproveApprovalAsRecipient(ctx, mine[0].UUID, "ok"); err != nil {
		t.Fatal(err)
	}
	detail, err := c.GetApproval(ctx, mine[0].UUID)
	if err != nil || detail.Status != czertainly.ApprovalStatusApproved || detail.Steps[0].Recipients[0].Comment != "ok" {
		t.Fatalf("approval %+v, %v", detail, err)
	}
	e, err := c.ResumeEnrollment(ctx, pe)
	if err != nil {
		t.Fatal(err)
	}
	if e.Certificate.UUID != pe.CertificateUUID || e.Key != pe.Key {
		t.Errorf("resumed enrollment is not the pending one")
	}
	// Rejected through the fake's Go API.
	_, err = c.Enroll(ctx, czertainly.EnrollInput{Profile: ap, Subject: pkix.Name{CommonName: "no.example.com"}}, czertainly.WithApprovalWait(0))
	if !errors.As(err, &pe) {
		t.Fatal(err)
	}
	if err := srv.Reject(srv.PendingApprovals()[0]); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ResumeEnrollment(ctx, pe); !errors.Is(err, czertainly.ErrRejected) {
		t.Errorf("err %v, want ErrRejected", err)
	}
	profiles, err := c.ListRAProfileApprovalProfiles(ctx, ap.AuthorityUUID, ap.RAProfileUUID)
	if err != nil || len(profiles) != 1 || profiles[0].UUID != czertainlytest.ApprovalProfileUUID {
		t.Errorf("approval profiles %+v, %v", profiles, err)
	}
	pd, err := c.GetApprovalProfile(ctx, czertainlytest.ApprovalProfileUUID, 0)
	if err != nil || pd.NumberOfSteps != 1 || len(collect(t, c.ListApprovalProfiles(ctx))) != 1 || len(collect(t, c.ListApprovals(ctx, czertainly.ApprovalQuery{}))) != 2 {
		t.Errorf("approval profile %+v, %v", pd, err)
	}
}

func TestRenewExpiring(t *testing.T) {
	srv, c := newFake(t, nil)
	ctx := context.Background()
	uploaded, err := srv.AddCertificate(czertainlytest.SeedCertificate{CommonName: "uploaded.example.com", ExpiresIn: 3 * 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	// RenewExpiring reads each candidate's relations before renewing it.
	if rel, err := c.GetCertificateRelations(ctx, uploaded); err != nil {
		t.Fatalf("relations of a certificate without any: %+v %v", rel, err)
	}
	dry, err := c.RenewExpiring(ctx, czertainly.RenewExpiringInput{Days: 30, DryRun: true})
	if err != nil || dry.Count(czertainly.RenewalOutcomeSkipped) != 3 || srv.HitsMatching(http.MethodPost, "/renew") != 0 {
		t.Fatalf("dry run %+v, %v", dry, err)
	}
	// The first renewal is cut off after it reached the fake.
	srv.Inject(czertainlytest.Fault{Method: http.MethodPost, PathSuffix: "/renew", Reset: true})
	rep, err := c.RenewExpiring(ctx, czertainly.RenewExpiringInput{Days: 30, Concurrency: 1, Wait: true})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]czertainly.RenewalOutcome{}
	for _, r := range rep.Results {
		got[r.Certificate.CommonName] = r.Outcome
	}
	want := map[string]czertainly.RenewalOutcome{"uploaded.example.com": "skipped", "seed2.example.com": "unknown", "seed1.example.com": "renewed"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("outcomes (-want +got):\n%s", diff)
	}
	if n := srv.HitsMatching(http.MethodPost, "/renew"); n != 2 {
		t.Errorf("%d renew calls, want 2 (the cut-off one not repeated)", n)
	}
	if u := rep.Unknown(); len(u) != 1 || !errors.Is(rep.Results[1].Err, czertainly.ErrOutcomeUnknown) {
		t.Errorf("unknown %+v", u)
	}
	for _, r := range rep.Results {
		if r.Outcome == czertainly.RenewalOutcomeRenewed {
			if srv.CertificateState(r.NewCertificateUUID) != czertainly.CertificateStateIssued || !slices.Equal(srv.Successors(r.Certificate.UUID), []string{r.NewCertificateUUID}) {
				t.Errorf("renewal of %s not issued as its successor", r.Certificate.CommonName)
			}
			d, err := c.GetCertificate(ctx, r.NewCertificateUUID)
			if err != nil || d.SourceCertificateUUID != r.Certificate.UUID {
				t.Errorf("new certificate %+v, %v", d, err)
			}
		}
	}
	_ = uploaded
}

func TestCertificateOperations(t *testing.T) {
	srv, c := newFake(t, nil)
	ctx := context.Background()
	id, err := srv.AddCertificate(czertainlytest.SeedCertificate{CommonName: "ops.example.com", ExpiresIn: 48 * time.Hour, RAProfileUUID: czertainlytest.RAProfileUUID})
	if err != nil {
		t.Fatal(err)
	}
	d, err := c.GetCertificate(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	x, err := d.X509()
	if err != nil || x.Subject.CommonName != "ops.example.com" || d.State != czertainly.CertificateStateIssued || d.RAProfile.Name != czertainlytest.RAProfileName {
		t.Fatalf("detail %+v, %v", d, err)
	}
	dl, err := c.DownloadCertificate(ctx, id, czertainly.CertificateFormatRaw, czertainly.CertificateEncodingDER)
	if b, _ := dl.Bytes(); err != nil || !slices.Equal(b, x.Raw) {
		t.Errorf("raw DER download: %v", err)
	}
	chain, err := c.GetCertificateChain(ctx, id, true)
	if xs, _ := chain.X509(); err != nil || len(xs) != 2 || !xs[1].Equal(srv.CACertificate()) {
		t.Errorf("chain: %v", err)
	}
	if _, err := c.DownloadCertificateChain(ctx, id, czertainly.CertificateFormatPKCS7, czertainly.CertificateEncodingPEM, true); err != nil {
		t.Error(err)
	}
	v, err := c.ValidateCertificate(ctx, id)
	if err != nil || v.ResultStatus != czertainly.ValidationStatusExpiring {
		t.Errorf("validation %+v, %v", v, err)
	}
	if err := c.UpdateCertificate(ctx, id, czertainly.CertificateUpdate{OwnerUUID: ptr(czertainlytest.AdminUserUUID)}); err != nil {
		t.Fatal(err)
	}
	if d, _ := c.GetCertificate(ctx, id); d.Owner != "admin" {
		t.Errorf("owner %q", d.Owner)
	}
	if locs, err := c.ListCertificateLocations(ctx, id); err != nil || len(locs) != 0 {
		t.Errorf("locations %v %v", locs, err)
	}
	// Rekey with a new key, then revoke with a reason.
	csr, _ := csrFor(t, "ops.example.com")
	sub, err := c.RekeyCertificate(ctx, czertainly.RekeyInput{Profile: profile, CertificateUUID: id, CSR: csr})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.WaitForCertificate(ctx, sub.UUID); err != nil {
		t.Fatal(err)
	}
	if err := c.RevokeCertificate(ctx, czertainly.RevokeInput{Profile: profile, CertificateUUID: id, Reason: czertainly.RevocationReasonSuperseded}); err != nil {
		t.Fatal(err)
	}
	// Revocation runs in the background after the 204
	// (ClientOperationServiceImpl.java:737-753): wait for the state.
	if d, err := c.WaitForRevocation(ctx, id); err != nil || d.State != czertainly.CertificateStateRevoked {
		t.Fatalf("wait for revocation: %+v %v", d, err)
	}
	hist, err := c.GetCertificateHistory(ctx, id)
	if err != nil || hist[len(hist)-1].Message != "Certificate revoked. Reason: superseded" {
		t.Errorf("history %+v %v", hist, err)
	}
	// A second revocation is Core's 422 with a list of messages.
	err = c.RevokeCertificate(ctx, czertainly.RevokeInput{Profile: profile, CertificateUUID: id})
	var ce *czertainly.Error
	if !errors.Is(err, czertainly.ErrValidation) || !errors.As(err, &ce) || len(ce.Details) != 1 || !strings.Contains(ce.Message, "state revoked") {
		t.Errorf("second revoke: %v", err)
	}
	// Upload, then archive in bulk and delete in bulk.
	up, err := c.UploadCertificate(ctx, x.Raw, nil)
	if !errors.Is(err, czertainly.ErrConflict) {
		t.Errorf("upload of a known certificate: %v %q, want ErrConflict", err, up)
	}
	other, _ := csrFor(t, "other")
	_ = other
	if err := c.ArchiveCertificates(ctx, []string{id, sub.UUID}); err != nil {
		t.Fatal(err)
	}
	if all := collect(t, c.ListCertificates(ctx, czertainly.CertificateQuery{Filters: []czertainly.SearchFilter{czertainly.FilterCommonName("ops.")}})); len(all) != 0 {
		t.Errorf("archived certificates listed: %d", len(all))
	}
	if all := collect(t, c.ListCertificates(ctx, czertainly.CertificateQuery{IncludeArchived: true, Filters: []czertainly.SearchFilter{czertainly.FilterCommonName("ops.")}})); len(all) != 2 {
		t.Errorf("with archived: %d", len(all))
	}
	if err := c.UnarchiveCertificate(ctx, id); err != nil {
		t.Fatal(err)
	}
	gone := []string{id, "7f0c3e1a-0000-4000-8000-000000000000"}
	res, err := c.DeleteCertificates(ctx, gone)
	if err != nil || !slices.Equal(res.UUIDs, gone) {
		t.Errorf("bulk delete: %v, %+v", err, res)
	}
	if err := c.WaitForDeletion(ctx, gone); err != nil {
		t.Errorf("wait for deletion: %v", err)
	}
	if err := c.DeleteCertificate(ctx, sub.UUID); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetCertificate(ctx, sub.UUID)
	if !errors.Is(err, czertainly.ErrNotFound) || !errors.As(err, &ce) || !strings.Contains(ce.Message, "not found") {
		t.Errorf("get deleted: %v", err)
	}
}

func ptr[T any](v T) *T { return &v }

func TestRAProfilesAndAttributes(t *testing.T) {
	_, c := newFake(t, nil)
	ctx := context.Background()
	ps, err := c.ListRAProfiles(ctx, nil)
	if err != nil || len(ps) != 2 {
		t.Fatalf("%v %v", ps, err)
	}
	p, err := c.GetRAProfile(ctx, "", czertainlytest.RAProfileUUID)
	if err != nil || p.AuthorityInstanceUUID != czertainlytest.AuthorityUUID {
		t.Fatalf("%+v %v", p, err)
	}
	if p2, err := c.GetRAProfile(ctx, czertainlytest.AuthorityUUID, czertainlytest.RAProfileUUID); err != nil || !cmp.Equal(p, p2) {
		t.Errorf("with authority: %+v %v", p2, err)
	}
	// The fake's authority has one optional attribute each, with Core's
	// integer version (DataAttributeV2.java:47).
	if a, err := c.ListIssueAttributes(ctx, profile); err != nil || len(a) != 1 || a[0].Name != "data_certificateComment" || a[0].Version != 2 {
		t.Errorf("issue attributes %+v %v", a, err)
	}
	if a, err := c.ListRevokeAttributes(ctx, profile); err != nil || len(a) != 1 || a[0].Name != "data_revocationComment" || a[0].Version != 2 {
		t.Errorf("revoke attributes %+v %v", a, err)
	}
	if err := c.ValidateIssueAttributes(ctx, profile, nil); err != nil {
		t.Error(err)
	}
	err = c.ValidateRevokeAttributes(ctx, profile, []czertainly.RequestAttribute{{UUID: czertainlytest.AdminUserUUID, Name: "comment", ContentType: "string"}})
	if !errors.Is(err, czertainly.ErrValidation) {
		t.Errorf("unknown attribute: %v", err)
	}
}

func TestAuthenticationModes(t *testing.T) {
	ctx := context.Background()
	srv := czertainlytest.NewTestServer(t, czertainlytest.WithMutualTLS())
	mtls, err := srv.NewClient()
	if err != nil {
		t.Fatal(err)
	}
	me, err := mtls.GetAuthProfile(ctx)
	if err != nil || me.Username != "admin" {
		t.Fatalf("mutual TLS: %+v %v", me, err)
	}
	for name, opt := range map[string]czertainly.Option{
		"certificate header": czertainly.WithCertificateHeader(srv.AdminCertificate.Leaf),
		"bearer":             czertainly.WithBearerToken(czertainlytest.BearerToken),
		"refreshing bearer": czertainly.WithToken(czertainly.NewRefreshingTokenSource(func(context.Context) (string, time.Time, error) {
			return czertainlytest.BearerToken, time.Now().Add(time.Hour), nil
		})),
		"session": czertainly.WithSessionCookie(czertainlytest.SessionValue),
	} {
		c, err := czertainly.NewClient(srv.URL, czertainly.WithRootCAs(srv.TLSRootCAs()), opt)
		if err != nil {
			t.Fatal(err)
		}
		if me, err := c.GetAuthProfile(ctx); err != nil || me.Username != "admin" {
			t.Errorf("%s: %+v %v", name, me, err)
		}
	}
	anon, _ := czertainly.NewClient(srv.URL, czertainly.WithRootCAs(srv.TLSRootCAs()))
	_, err = anon.GetAuthProfile(ctx)
	var ce *czertainly.Error
	if !errors.Is(err, czertainly.ErrUnauthorized) || !errors.As(err, &ce) || ce.Hint == "" {
		t.Errorf("anonymous: %v", err)
	}
	if _, err := czertainly.NewClient(srv.URL, czertainly.WithBearerToken("a"), czertainly.WithSessionCookie("b")); !errors.Is(err, czertainly.ErrInvalidInput) {
		t.Errorf("two modes: %v", err)
	}
}

func TestUsersAndPermissions(t *testing.T) {
	srv, c := newFake(t, nil)
	ctx := context.Background()
	u, err := c.CreateUser(ctx, czertainly.UserInput{Username: "alice", Email: "alice@example.com", Enabled: true, Certificate: srv.CACertificate().Raw})
	if err != nil {
		t.Fatal(err)
	}
	if u.Certificate == nil || !u.Enabled {
		t.Fatalf("created %+v", u)
	}
	if _, err := c.CreateUser(ctx, czertainly.UserInput{Username: "alice"}); !errors.Is(err, czertainly.ErrConflict) {
		t.Errorf("duplicate: %v", err)
	}
	who, err := c.IdentifyUser(ctx, srv.CACertificate().Raw)
	if err != nil || who.UUID != u.UUID {
		t.Errorf("identify: %+v %v", who, err)
	}
	if d, err := c.DisableUser(ctx, u.UUID); err != nil || d.Enabled {
		t.Errorf("disable %v", err)
	}
	if d, err := c.EnableUser(ctx, u.UUID); err != nil || !d.Enabled {
		t.Errorf("enable %v", err)
	}
	if d, err := c.AddUserRole(ctx, u.UUID, czertainlytest.SuperadminRoleUUID); err != nil || len(d.Roles) != 1 {
		t.Errorf("add role %v", err)
	}
	if p, err := c.GetUserPermissions(ctx, u.UUID); err != nil || !p.AllowAllResources {
		t.Errorf("permissions %+v %v", p, err)
	}
	if rs, err := c.GetUserRoles(ctx, u.UUID); err != nil || len(rs) != 1 || rs[0].Name != "superadmin" {
		t.Errorf("roles %+v %v", rs, err)
	}
	if d, err := c.RemoveUserRole(ctx, u.UUID, czertainlytest.SuperadminRoleUUID); err != nil || len(d.Roles) != 0 {
		t.Errorf("remove role %v", err)
	}
	if d, err := c.SetUserRoles(ctx, u.UUID, []string{czertainlytest.SuperadminRoleUUID}); err != nil || len(d.Roles) != 1 {
		t.Errorf("set roles %v", err)
	}
	// Core's PUT replaces: the first name given at creation goes.
	upd, err := c.UpdateUser(ctx, u.UUID, czertainly.UserInput{Email: "a@example.com", LastName: "Liddell"})
	if err != nil || upd.Email != "a@example.com" || upd.LastName != "Liddell" {
		t.Errorf("update %+v %v", upd, err)
	}
	users, err := c.ListUsers(ctx)
	if err != nil || len(users) != 2 {
		t.Errorf("users %v %v", users, err)
	}
	if res, err := c.ListAuthResources(ctx); err != nil || len(res) == 0 {
		t.Errorf("resources %v %v", res, err)
	}
	if err := c.DeleteUser(ctx, u.UUID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetUser(ctx, u.UUID); !errors.Is(err, czertainly.ErrNotFound) {
		t.Errorf("deleted user: %v", err)
	}
}

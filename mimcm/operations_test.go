package mimcm_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/google/uuid"

	"github.com/certadmin/certadmin-go/mimcm"
	"github.com/certadmin/certadmin-go/mimcm/internal/pkcs7"
	"github.com/certadmin/certadmin-go/mimcm/mimcmtest"
)

const api = "/CertificateManagement/api/v1.0"

// bodyRecorder keeps the bodies the client sends, below its retries.
type bodyRecorder struct {
	mu     sync.Mutex
	bodies map[string][]string // "METHOD path" → bodies
}

func (b *bodyRecorder) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		data, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, err
		}
		_ = r.Body.Close()
		r.Body = io.NopCloser(bytes.NewReader(data))
		b.mu.Lock()
		if b.bodies == nil {
			b.bodies = map[string][]string{}
		}
		k := r.Method + " " + r.URL.Path
		b.bodies[k] = append(b.bodies[k], string(data))
		b.mu.Unlock()
	}
	return http.DefaultTransport.RoundTrip(r)
}

func (b *bodyRecorder) last(key string) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	l := b.bodies[key]
	if len(l) == 0 {
		return ""
	}
	return l[len(l)-1]
}

func TestProfileTemplates(t *testing.T) {
	srv, c := setup(t)
	ctx := context.Background()
	list, err := c.ListProfileTemplates(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sample := []mimcm.ProfileTemplate{
		{UUID: mimcmtest.TemplateSoftware, Name: "FIM CM Sample Profile Template", Description: "Description of the template goes here"},
		{UUID: mimcmtest.TemplateSmartcard, Name: "FIM CM Sample Smart Card Logon Profile Template", Description: "Description of the template goes here", IsSmartcard: true},
	}
	if len(list) != 5 {
		t.Fatalf("%d templates, want the 2 of the sample and the fake's 3", len(list))
	}
	if diff := cmp.Diff(sample, list[:2]); diff != "" {
		t.Errorf("sample templates (-want +got):\n%s", diff)
	}
	one, err := c.GetProfileTemplate(ctx, mimcmtest.TemplateApproval)
	if err != nil || one.Name != "Fake Approval Required Template" || one.IsSmartcard {
		t.Errorf("GetProfileTemplate = %+v, %v", one, err)
	}
	if _, err := c.GetProfileTemplate(ctx, uuid.New()); !errors.Is(err, mimcm.ErrNotFound) {
		t.Errorf("unknown template: %v, want ErrNotFound", err)
	}

	pol, err := c.GetWorkflowPolicy(ctx, mimcmtest.TemplateApproval, mimcm.RequestTypeNameEnroll)
	if err != nil {
		t.Fatal(err)
	}
	if pol.ApprovalsNeeded != 1 || !pol.Enabled || len(pol.DataCollection) != 1 || pol.DataCollection[0].Name != "Request Reason" ||
		!strings.Contains(string(pol.Raw), `"SelfServiceEnabled":true`) || !strings.Contains(string(pol.DataCollection[0].Raw), `"Required":false`) {
		t.Errorf("policy: %+v", pol)
	}
	// The examples' path, with the type in lower case.
	if n := srv.Hits(http.MethodGet, api+"/profiletemplates/"+mimcmtest.TemplateApproval.String()+"/policies/enroll"); n != 1 {
		t.Errorf("%d hits on the examples' policy path, want 1", n)
	}
	// The fake answers the table's path too.
	req, _ := http.NewRequest(http.MethodGet, srv.URL+api+"/profiletemplates/"+mimcmtest.TemplateSoftware.String()+"/policy/workflow/Renew", nil)
	var tablePolicy mimcm.WorkflowPolicy
	if err := c.Do(ctx, req, &tablePolicy); err != nil || !tablePolicy.Enabled {
		t.Errorf("table path: %+v, %v", tablePolicy, err)
	}

	conf, err := c.GetSmartcardConfiguration(ctx, mimcmtest.TemplateSmartcard)
	if err != nil || conf.DefaultAdminKeyHex == "" || !conf.DiversifyAdminKey || string(conf.UserPinOption) != `"UserSelectedPin"` {
		t.Errorf("smart card configuration: %+v, %v", conf, err)
	}
	if _, err := c.GetSmartcardConfiguration(ctx, mimcmtest.TemplateSoftware); !errors.Is(err, mimcm.ErrNotFound) {
		t.Errorf("software template has no smart card configuration: %v", err)
	}
}

func TestCreateRequestWireFormAndState(t *testing.T) {
	rec := &bodyRecorder{}
	srv, c := setup(t, mimcm.WithTransport(rec))
	ctx := context.Background()
	target := uuid.MustParse("97cc3493-f556-4c9b-9d8b-982434201527")
	id, err := c.CreateRequest(ctx, mimcm.CreateRequestInput{
		Type: mimcm.RequestTypeNameEnroll, ProfileTemplateUUID: mimcmtest.TemplateSoftware,
		DataCollection: []mimcm.DataValue{{Name: "Request Reason", Value: "Need VPN certs"}},
		Comment:        "for the VPN", Target: &target, Priority: ptr(4),
	})
	if err != nil {
		t.Fatal(err)
	}
	var sent map[string]any
	if err := json.Unmarshal([]byte(rec.last("POST "+api+"/requests")), &sent); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"type": "Enroll", "profiletemplateuuid": mimcmtest.TemplateSoftware.String(),
		"datacollection": `[{"Request Reason":"Need VPN certs"}]`, "comment": "for the VPN",
		"target": target.String(), "priority": "4",
	}
	if diff := cmp.Diff(want, sent); diff != "" {
		t.Errorf("wire body (-want +got):\n%s", diff)
	}
	r, err := c.GetRequest(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if r.Type != mimcm.RequestTypeEnroll || r.Status != mimcm.StatusNumberApproved || *r.TargetUserUUID != target ||
		r.Priority != 4 || r.Comment != "for the VPN" || *r.ProfileTemplateUUID != mimcmtest.TemplateSoftware ||
		!cmp.Equal(r.DataCollection, []mimcm.DataItem{{Name: "Request Reason", Value: ptr("Need VPN certs")}}) {
		t.Errorf("created request: %+v", r)
	}
	if n := srv.Hits(http.MethodPost, api+"/requests"); n != 1 {
		t.Errorf("%d creates, want 1", n)
	}

	// No data items are sent as the examples' "[]"; a smart card request
	// needs no template.
	if _, err := c.CreateRequest(ctx, mimcm.CreateRequestInput{Type: mimcm.RequestTypeNameUnblock, SmartcardUUID: &mimcmtest.SampleSmartcardID}); err != nil {
		t.Fatal(err)
	}
	if got := rec.last("POST " + api + "/requests"); got != `{"comment":"","datacollection":"[]","smartcard":"`+mimcmtest.SampleSmartcardID.String()+`","type":"Unblock"}` {
		t.Errorf("unblock body %s", got)
	}
}

func TestRequestStatusChanges(t *testing.T) {
	srv, c := setup(t)
	ctx := context.Background()
	newReq := func(tmpl uuid.UUID) uuid.UUID {
		id, err := c.CreateRequest(ctx, mimcm.CreateRequestInput{Type: mimcm.RequestTypeNameEnroll, ProfileTemplateUUID: tmpl})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	canceled, err := c.CancelRequest(ctx, newReq(mimcmtest.TemplateApproval))
	if n, _ := mimcmtest.StatusNumber(mimcm.StatusCanceled); err != nil || canceled.Status != n {
		t.Errorf("cancel: %+v, %v", canceled, err)
	}
	abandoned, err := c.AbandonRequest(ctx, newReq(mimcmtest.TemplateSoftware))
	if n, _ := mimcmtest.StatusNumber("Abandoned"); err != nil || abandoned.Status != n {
		t.Errorf("abandon: %+v, %v", abandoned, err)
	}
	// Completing a request that was never executed fails on the server
	// (500 with a correlation ID), and is not repeated.
	pending := newReq(mimcmtest.TemplateApproval)
	_, err = c.CompleteRequest(ctx, pending)
	if !errors.Is(err, mimcm.ErrServer) || mimcm.CorrelationID(err) == "" {
		t.Errorf("complete a pending request: %v", err)
	}
	if n := srv.Hits(http.MethodPut, api+"/requests/"+pending.String()); n != 1 {
		t.Errorf("%d PUTs, want 1 (a status change is not repeated)", n)
	}
	if err := srv.ApproveRequest(pending); err != nil {
		t.Fatal(err)
	}
	r, _ := c.GetRequest(ctx, pending)
	if r.Status != mimcm.StatusNumberApproved {
		t.Errorf("approved request reads %v", r.Status)
	}
}

// The sample enroll request reads back with the sample's generation options.
func TestGenerationOptionsSample(t *testing.T) {
	_, c := setup(t)
	got, err := c.GetCertificateRequestGenerationOptions(context.Background(), mimcmtest.SampleEnrollID)
	if err != nil {
		t.Fatal(err)
	}
	want := []mimcm.GenerationOptions{{
		KeyAlgorithmName: "RSA", KeySize: 2048, HashAlgorithmName: "SHA1",
		KeyStorageProviderNames: []string{"Contoso Smart Card Key Storage Provider"}, KeyUsages: 3,
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestSubmitCertificateRequestsIssuesFromTheCSR(t *testing.T) {
	rec := &bodyRecorder{}
	srv, c := setup(t, mimcm.WithTransport(rec))
	ctx := context.Background()
	id, err := c.CreateRequest(ctx, mimcm.CreateRequestInput{Type: mimcm.RequestTypeNameEnroll, ProfileTemplateUUID: mimcmtest.TemplateSoftware})
	if err != nil {
		t.Fatal(err)
	}
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	csr, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{}, key)
	if err != nil {
		t.Fatal(err)
	}
	const pfxPassword = "fake-pfx-password-1"
	got, err := c.SubmitCertificateRequests(ctx, id, mimcm.SubmitInput{CertificateRequests: [][]byte{csr}, PFXPassword: pfxPassword, Comments: "c"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || !got[0].IsPKCS7 || got[0].IsPFX || got[0].Error != "" || len(got[0].PKCS7) == 0 {
		t.Fatalf("answer: %+v", got)
	}
	certs, err := pkcs7.Certificates(got[0].PKCS7)
	if err != nil || len(certs) != 2 {
		t.Fatalf("PKCS#7: %d certificates, %v", len(certs), err)
	}
	// The order of a CMC response's certificates is the CA's (the
	// vendor's sample has root, user, issuing CA): find the user's.
	if i := slices.IndexFunc(certs, func(c *x509.Certificate) bool { return key.PublicKey.Equal(c.PublicKey) }); i < 0 {
		t.Fatal("no issued certificate carries the CSR's key")
	} else {
		certs[0], certs[i] = certs[i], certs[0]
	}
	pool := x509.NewCertPool()
	pool.AddCert(srv.CA())
	if _, err := certs[0].Verify(x509.VerifyOptions{Roots: pool, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err != nil {
		t.Errorf("chain: %v", err)
	}
	var sent struct {
		PFXPassword string   `json:"pfxpassword"`
		Requests    []string `json:"certificaterequests"`
		Comments    string   `json:"comments"`
	}
	if err := json.Unmarshal([]byte(rec.last("POST "+api+"/requests/"+id.String()+"/certificatedata")), &sent); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(sent.Requests[0], "\r\n")
	if sent.PFXPassword != pfxPassword || sent.Comments != "c" || len(lines[0]) != 64 || lines[len(lines)-1] != "" {
		t.Errorf("sent %+v: want base64 in 64-character CRLF lines", sent)
	}
	if b, _ := base64.StdEncoding.DecodeString(strings.ReplaceAll(sent.Requests[0], "\r\n", "")); !bytes.Equal(b, csr) {
		t.Error("the CSR on the wire is not the CSR")
	}

	// The request now has a profile holding the certificate, which the
	// user's certificates list too.
	profiles, err := c.ListRequestProfiles(ctx, id)
	if err != nil || len(profiles) != 1 || profiles[0].Status != mimcm.ProfileStatusActive {
		t.Fatalf("request profiles: %+v, %v", profiles, err)
	}
	pc, err := c.ListProfileCertificates(ctx, profiles[0].UUID)
	if err != nil || len(pc) != 1 || pc[0].Thumbprint == "" {
		t.Fatalf("profile certificates: %+v, %v", pc, err)
	}
	if !pc[0].NotAfter.Truncate(time.Second).Equal(certs[0].NotAfter.UTC()) {
		t.Errorf("NotAfter %v, certificate says %v", pc[0].NotAfter, certs[0].NotAfter)
	}
	all, err := c.ListUserCertificates(ctx)
	if err != nil || len(all) != 17 || all[16].SerialNumber != pc[0].SerialNumber {
		t.Errorf("user certificates: %d, %v", len(all), err)
	}

	// Nothing in the reference says a second submit is refused: the fake's
	// CA issues again, which is why no workflow ever sends one twice.
	if again, err := c.SubmitCertificateRequests(ctx, id, mimcm.SubmitInput{CertificateRequests: [][]byte{csr}}); err != nil || len(again) != 1 || srv.IssuedCertificates() != 2 {
		t.Errorf("second submit: %d item(s), %d issued in all, %v", len(again), srv.IssuedCertificates(), err)
	}
	done, err := c.CompleteRequest(ctx, id)
	if err != nil || done.Status != mimcm.StatusNumberCompleted || !done.IsCompleted() {
		t.Errorf("complete: %+v, %v", done, err)
	}
}

func TestProfilesSample(t *testing.T) {
	_, c := setup(t)
	ctx := context.Background()
	list, err := c.ListProfiles(ctx, mimcm.ProfileFilter{Status: mimcm.ProfileStatusNameActive})
	if err != nil {
		t.Fatal(err)
	}
	user := uuid.MustParse("0378a33b-8650-4713-a727-efd233903643")
	first := mimcm.Profile{
		UUID: mimcmtest.SampleProfileID, Status: mimcm.ProfileStatusActive, Flags: 1,
		ParentProfileUUID: ptr(uuid.MustParse("1c9e2606-fea2-4048-a6ac-b014e54c22df")), AssignedUserUUID: &user,
		ProfileTemplateUUID: ptr(uuid.MustParse("8f31803f-8afc-49bb-911d-402ec264b589")), ProfileTemplateVersion: 8,
		Operations: []mimcm.Operation{"renew", "disable", "recover"},
	}
	if len(list) != 3 {
		t.Fatalf("%d profiles, want the sample's 3", len(list))
	}
	if diff := cmp.Diff(first, list[0]); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if list[0].Status.String() != "Active" || !list[0].Operations[0].Is(mimcm.RequestTypeNameRenew) {
		t.Errorf("status %v, operation %q", list[0].Status, list[0].Operations[0])
	}
	one, err := c.GetProfile(ctx, mimcmtest.SampleProfileID)
	if err != nil || !cmp.Equal(*one, first) {
		t.Errorf("GetProfile: %+v, %v", one, err)
	}
	ops, err := c.ListProfileOperations(ctx, mimcmtest.SampleProfileID)
	if err != nil || !cmp.Equal(ops, first.Operations) {
		t.Errorf("operations %q, %v", ops, err)
	}
	none, err := c.ListProfiles(ctx, mimcm.ProfileFilter{Status: mimcm.ProfileStatusNameFailed})
	if err != nil || len(none) != 0 {
		t.Errorf("failed profiles: %v, %v", none, err)
	}
	if _, err := c.GetProfile(ctx, uuid.New()); !errors.Is(err, mimcm.ErrNotFound) {
		t.Errorf("unknown profile: %v", err)
	}
}

func TestSmartcardsSample(t *testing.T) {
	srv, c := setup(t)
	ctx := context.Background()
	user := mimcmtest.UserUUID
	tmpl := mimcmtest.TemplateSampleRequests
	byCardID := mimcm.Smartcard{
		UUID: mimcmtest.SampleCardIDCard, Status: 3, Flags: 1, AssignedUserUUID: &user, ProfileTemplateUUID: &tmpl,
		ProfileTemplateVersion: 46, SerialNumber: "{d1ef6869-5517-42a0-8f05-16ca1a0b834d}", Middleware: "MSBaseCSP",
		ATR: "3b8d0180fba000000397425446590301c8",
	}
	list, err := c.ListSmartcards(ctx, mimcm.SmartcardFilter{CardID: mimcmtest.SampleCardID})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]mimcm.Smartcard{byCardID}, list); diff != "" {
		t.Errorf("by card ID (-want +got):\n%s", diff)
	}
	if list[0].CardID() != mimcmtest.SampleCardID {
		t.Errorf("CardID() = %q", list[0].CardID())
	}
	card, err := c.GetSmartcard(ctx, mimcmtest.SampleSmartcardID)
	if err != nil || card.Status != 2 || card.CardID() != mimcmtest.SampleSmartcardCardID {
		t.Errorf("GetSmartcard: %+v, %v", card, err)
	}
	all, err := c.ListSmartcards(ctx, mimcm.SmartcardFilter{})
	if err != nil || len(all) != 3 {
		t.Errorf("all cards: %d, %v", len(all), err)
	}
	ops, err := c.ListSmartcardOperations(ctx, mimcmtest.SampleCardIDCard)
	if err != nil || !cmp.Equal(ops, []mimcm.Operation{"renew", "unblock", "retire"}) {
		t.Errorf("operations %q, %v", ops, err)
	}
	certs, err := c.ListSmartcardCertificates(ctx, mimcmtest.SampleCertificatesCard)
	if err != nil || len(certs) != 4 {
		t.Fatalf("card certificates: %d, %v", len(certs), err)
	}
	if diff := cmp.Diff(mimcm.Certificate{CertificateType: 1, TemplateCommonName: "ContosoVirtualSmartCardLimitedRelease-KSP",
		SerialNumber: "1B0000B01052AFA01313FB77AC00010000B010", Thumbprint: "C52B0C5FB8AAD31A5B239FF2712ED14122D67D30"}, certs[0]); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}

	// The key calls of the sample, answered with the sample's values.
	ref := mimcm.CardRef{RequestID: mimcmtest.SampleEnrollID, SmartcardID: mimcmtest.SampleSmartcardID, CardID: mimcmtest.SampleSmartcardCardID}
	key, err := c.GetSmartcardDiversifiedKey(ctx, ref)
	if err != nil || base64.StdEncoding.EncodeToString(key) != "mBVA+HopB/gc+6FuKsQqx+OX01hK1WQI" {
		t.Errorf("diversified key %x, %v", key, err)
	}
	challenge, _ := base64.StdEncoding.DecodeString("1hFD+cz/0so=")
	resp, err := c.GetSmartcardAuthenticationResponse(ctx, mimcm.AuthenticationInput{Card: ref, Challenge: challenge})
	if err != nil || base64.StdEncoding.EncodeToString(resp) != "F0Zudm4wPLY=" {
		t.Errorf("authentication response %x, %v", resp, err)
	}
	if n := srv.HitsMatching(http.MethodGet, "/authenticationresponse"); n != 1 {
		t.Errorf("%d hits", n)
	}
	pin, err := c.GetSmartcardProposedPIN(ctx, mimcm.ProposedPINInput{SmartcardID: mimcmtest.SampleSmartcardID, CardID: mimcmtest.SampleSmartcardCardID})
	if err != nil || len(pin) != 8 {
		t.Errorf("PIN %q, %v", pin, err)
	}

	// Assign a new card to a request, then retire it through the request.
	id, err := c.CreateRequest(ctx, mimcm.CreateRequestInput{Type: mimcm.RequestTypeNameEnroll, ProfileTemplateUUID: mimcmtest.TemplateSmartcard})
	if err != nil {
		t.Fatal(err)
	}
	scid, err := c.AssignSmartcard(ctx, mimcm.AssignSmartcardInput{RequestID: id, CardID: "23CADD5F-020D-4C3B-A5CA-307B7A06F9C9", ATR: "3b8d0180"})
	if err != nil || scid == nil {
		t.Fatalf("assign: %v, %v", scid, err)
	}
	r, _ := c.GetRequest(ctx, id)
	if r.NewSmartcardUUID == nil || *r.NewSmartcardUUID != *scid {
		t.Errorf("the request's new smart card is %v, want %v", r.NewSmartcardUUID, scid)
	}
	retired, err := c.RetireSmartcard(ctx, id, *scid)
	if err != nil || retired.Status != mimcm.SmartcardStatusRetired || retired.Status.String() != "Retired" {
		t.Errorf("retire: %+v, %v", retired, err)
	}
	if n := srv.Hits(http.MethodPut, api+"/requests/"+id.String()+"/smartcards/"+scid.String()); n != 1 {
		t.Errorf("%d PUTs, want 1", n)
	}
}

func TestUserCertificatesSample(t *testing.T) {
	_, c := setup(t)
	list, err := c.ListUserCertificates(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 16 {
		t.Fatalf("%d certificates, want the sample's 16", len(list))
	}
	want := mimcm.Certificate{
		CertificateType: 1, TemplateCommonName: "KSPusercertificate", SerialNumber: "270000013C3A98764EC3233BE400000000013C",
		Thumbprint: "09B41AC106F0C40168940DF4AB74D6DB39DE55EE", NotAfter: time.Date(2016, 7, 13, 9, 10, 31, 0, time.UTC),
		NotBefore: time.Date(2015, 7, 14, 9, 10, 31, 0, time.UTC), Issuer: `WIN-TRUR24L4CFS.corp.cmteam.com\corp-WIN-TRUR24L4CFS-CA`,
		RequesterName: `CORP\Administrator`,
	}
	if diff := cmp.Diff(want, list[0]); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if !list[3].ArchivedOnCA || !list[0].ExpiresWithin(want.NotAfter, time.Second) || list[0].ExpiresWithin(want.NotBefore, time.Hour) {
		t.Errorf("archived %v / expiry checks", list[3].ArchivedOnCA)
	}
}

func TestNewOperationsRejectBadInputBeforeSending(t *testing.T) {
	srv, c := setup(t)
	ctx := context.Background()
	zero := uuid.Nil
	_, e1 := c.CreateRequest(ctx, mimcm.CreateRequestInput{Type: "Enrol", ProfileTemplateUUID: mimcmtest.TemplateSoftware})
	_, e2 := c.CreateRequest(ctx, mimcm.CreateRequestInput{Type: mimcm.RequestTypeNameEnroll})
	_, e3 := c.CreateRequest(ctx, mimcm.CreateRequestInput{ProfileTemplateUUID: mimcmtest.TemplateSoftware})
	_, e4 := c.CreateRequest(ctx, mimcm.CreateRequestInput{Type: mimcm.RequestTypeNameEnroll, ProfileTemplateUUID: mimcmtest.TemplateSoftware, Target: &zero})
	_, e5 := c.CreateRequest(ctx, mimcm.CreateRequestInput{Type: mimcm.RequestTypeNameEnroll, ProfileTemplateUUID: mimcmtest.TemplateSoftware, DataCollection: []mimcm.DataValue{{Value: "x"}}})
	_, e6 := mimcm.ParseID("request", "a9b4b42c-cc50-4c9b-89d1")
	_, e7 := c.GetWorkflowPolicy(ctx, mimcmtest.TemplateSoftware, "enroll") // the published spelling only
	_, e8 := c.CompleteRequest(ctx, uuid.Nil)
	_, e9 := c.SubmitCertificateRequests(ctx, mimcmtest.SampleEnrollID, mimcm.SubmitInput{CertificateRequests: [][]byte{nil}})
	_, e10 := c.AssignSmartcard(ctx, mimcm.AssignSmartcardInput{RequestID: mimcmtest.SampleEnrollID})
	_, e11 := c.GetSmartcardDiversifiedKey(ctx, mimcm.CardRef{RequestID: mimcmtest.SampleEnrollID, SmartcardID: mimcmtest.SampleSmartcardID, CardID: "x", ATR: "zz"})
	_, e12 := c.GetSmartcardAuthenticationResponse(ctx, mimcm.AuthenticationInput{Card: mimcm.CardRef{RequestID: mimcmtest.SampleEnrollID, SmartcardID: mimcmtest.SampleSmartcardID, CardID: "x"}})
	_, e13 := c.ListProfiles(ctx, mimcm.ProfileFilter{Status: "active"})
	_, e14 := mimcm.ParseRequestTypeName("Enrollment")
	_, e15 := c.SetSmartcardStatus(ctx, mimcmtest.SampleEnrollID, mimcmtest.SampleSmartcardID, " ")
	for i, err := range []error{e1, e2, e3, e4, e5, e6, e7, e8, e9, e10, e11, e12, e13, e14, e15} {
		if !errors.Is(err, mimcm.ErrInvalidInput) {
			t.Errorf("case %d: %v, want ErrInvalidInput", i+1, err)
		}
	}
	if !strings.Contains(e1.Error(), `"Enrol"`) || !strings.Contains(e2.Error(), "profile template") {
		t.Errorf("messages: %q, %q", e1, e2)
	}
	if n := srv.TotalHits(); n != 0 {
		t.Errorf("%d requests reached the server", n)
	}
	if id, err := mimcm.ParseID("request", "{A9B4B42C-CC50-4C9B-89D1-BBC0BCD5A099}"); err != nil || id != mimcmtest.SampleEnrollID {
		t.Errorf("ParseID: %v, %v", id, err)
	}
	if n, err := mimcm.ParseRequestTypeName("recoveronbehalf"); err != nil || n != mimcm.RequestTypeNameRecoverOnBehalf {
		t.Errorf("ParseRequestTypeName: %q, %v", n, err)
	}
}

// Every sample answer of the vendor's documentation decodes into the
// package's types with encoding/json too, as the client reads it.
func TestSampleAnswersDecode(t *testing.T) {
	for name, v := range map[string]any{
		mimcmtest.FixtureCompleted:             &mimcm.Request{},
		mimcmtest.FixtureProfiles:              &[]mimcm.Profile{},
		mimcmtest.FixtureSmartcard:             &mimcm.Smartcard{},
		mimcmtest.FixtureSmartcardByCardID:     &mimcm.Smartcard{},
		mimcmtest.FixtureSmartcardRetired:      &mimcm.Smartcard{},
		mimcmtest.FixtureSmartcardCertificates: &[]mimcm.Certificate{},
		mimcmtest.FixtureUserCertificates:      &[]mimcm.Certificate{},
		mimcmtest.FixtureGenerationOptions:     &[]mimcm.GenerationOptions{},
		mimcmtest.FixtureProfileTemplates:      &[]mimcm.ProfileTemplate{},
		mimcmtest.FixtureSmartcardOperations:   &[]mimcm.Operation{},
	} {
		b, err := mimcmtest.Fixture(name)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, v); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	var done mimcm.Request
	b, _ := mimcmtest.Fixture(mimcmtest.FixtureCompleted)
	_ = json.Unmarshal(b, &done)
	if done.Status != mimcm.StatusNumberCompleted || done.NewProfileUUID == nil || done.Completed.IsZero() {
		t.Errorf("completed sample: %+v", done)
	}
	var retired mimcm.Smartcard
	b, _ = mimcmtest.Fixture(mimcmtest.FixtureSmartcardRetired)
	_ = json.Unmarshal(b, &retired)
	if retired.Status != mimcm.SmartcardStatusRetired {
		t.Errorf("retired sample reads %v", retired.Status)
	}
}

// The fake takes the request bodies of the vendor's examples, including
// the walkthrough's once its typographic quotes and trailing comma are
// repaired (documentation artefacts; the fake itself is strict JSON).
func TestFakeTakesTheExampleBodies(t *testing.T) {
	srv, c := setup(t)
	ctx := context.Background()
	repair := func(b []byte) []byte {
		s := strings.NewReplacer("\u201c", `\"`, "\u201d", `\"`, "\u2026", "").Replace(string(b))
		s = strings.Replace(s, `",`+"\n    }", `"`+"\n    }", 1) // the trailing comma of the assign example
		return []byte(s)
	}
	post := func(path string, body []byte, want int) string {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, srv.URL+api+path, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		var out string
		err := c.Do(ctx, req, &out)
		if want == 0 {
			if err != nil {
				t.Errorf("POST %s: %v", path, err)
			}
			return out
		}
		var e *mimcm.Error
		if !errors.As(err, &e) || e.StatusCode != want {
			t.Errorf("POST %s: %v, want %d", path, err, want)
		}
		return out
	}
	for _, name := range []string{mimcmtest.FixtureCreateEnrollBody, mimcmtest.FixtureCreateUnblockBody} {
		b, _ := mimcmtest.Fixture(name)
		if uri := post("/requests", b, 0); !strings.HasPrefix(uri, "api/v1.0/requests/") {
			t.Errorf("%s: answer %q", name, uri)
		}
	}
	// The third example names templates the fake does not have: the
	// server's 500 (its array form of the data collection is read).
	b, _ := mimcmtest.Fixture(mimcmtest.FixtureCreateTargetBody)
	post("/requests", b, http.StatusInternalServerError)
	b, _ = mimcmtest.Fixture(mimcmtest.FixtureWalkthroughCreateBody)
	post("/requests", bytes.ReplaceAll(repair(b), []byte("97CD65FA-AF4B-4587-9309-0DD6BFD8B4E1"), []byte(mimcmtest.TemplateSoftware.String())), 0)
	b, _ = mimcmtest.Fixture(mimcmtest.FixtureAssignSmartcardBody)
	if uri := post("/smartcards", b, 0); !strings.HasPrefix(uri, "api/v1.0/smartcards/") {
		t.Errorf("assign: %q", uri)
	}
	b, _ = mimcmtest.Fixture(mimcmtest.FixtureWalkthroughAssignBody)
	post("/smartcards", bytes.ReplaceAll(repair(b), []byte("C6BAD97C-F97F-4920-8947-BE980C98C6B5"), []byte(mimcmtest.SampleEnrollID.String())), 0)
	created := srv.Requests()
	last, _ := srv.Request(created[len(created)-1])
	if diff := cmp.Diff([]mimcm.DataItem{{Name: "Request Reason", Value: ptr("Need VPN Certs")}}, last.DataCollection, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("walkthrough data collection (-want +got):\n%s", diff)
	}
}

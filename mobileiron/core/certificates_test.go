package core_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/certadmin/certadmin-go/mobileiron/core"
	"github.com/certadmin/certadmin-go/mobileiron/core/coretest"
	"github.com/certadmin/certadmin-go/mobileiron/core/internal/jsonfix"
)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// sampleCertificate is the vendor's search sample: a numeric serialNumber and
// userId, deviceUUid spelt as in the sample, dates as "2017-04-18".
var sampleCertificate = core.Certificate{
	ID: 2, SerialNumber: "102", Type: "Centralized", Trash: true,
	ExpiredAt: day(2017, 4, 18), CreatedAt: day(2016, 4, 18),
	UserID: "9002", DeviceID: 1, LocalCAID: 3, CESettingName: "LocalCE",
	Status: core.CertificateStatusActive, CEID: 8, ConsumerAppSettings: []int64{8},
}

var sampleUserProvided = core.UserProvidedCertificate{
	Version:            "3",
	SerialNumber:       "xxx4493327816883622",
	SignatureAlgorithm: "SHA256WITHRSA",
	Issuer:             "C=US, O=Apple Inc., OU=Apple Certification Authority, CN=Apple Application Integration 2 Certification Authority",
	Subject:            "C=US, CN=APSP:9c3811ce-0ff0-4272-be0b-2df8f1f85bb5, UID=com.apple.mgmt.External.9c3811ce-0ff0-4272-be0b-2df8f1f85bb5",
	CommonName:         "APSP:xxx811ce-0ff0-4272-be0b-2df8f1f85bb5",
	NotBefore:          time.UnixMilli(1573162384000).UTC(),
	NotAfter:           time.UnixMilli(1604698384000).UTC(),
}

var sampleEnrollment = core.UserProvidedEnrollment{
	CEID: 10, CertificateID: 11, RequirePassword: true, DisplayName: "testUserProv",
	ExpiresAt: time.UnixMilli(1604698384000).UTC(), UploadedAt: time.UnixMilli(1577964355000).UTC(), IsPKCS12: true,
}

var sampleConfiguration = core.Configuration{Name: "user-provided", Value: "10", AppType: "SCEP", AppSubType: "USER_PROVIDED", RowType: "ADMIN"}

var sampleUser = core.User{ID: 9001, Principal: "miadmin", DisplayName: "miadmin", EmailAddress: "[email\u00a0protected]"} // the sample's text, a non-breaking space included

const controllers = "com.mobileiron.vsp.rest.controllers."

// The messages of the vendor's samples.
var (
	msgSearchSuccess = core.Message{Type: "Info", Key: controllers + "CertificateManagementController.Messages.SUCCESS",
		Text: "Certificates successfully retrieved", Parameters: []any{}}
	msgUploaded = core.Message{Type: "Info", Key: controllers + "UserProvidedCertificatesControllerV2.Messages.SUCCESS_UPLOAD",
		Text: "Certificate successfully uploaded."}
	msgDeleted = core.Message{Type: "Info", Key: controllers + "UserProvidedCertificatesControllerV2.Messages.SUCCESS_DELETE_PRIVATE_KEY",
		Text: "Successfully deleted private key from certificate."}
	msgGotCertificate = core.Message{Type: "Info", Key: controllers + "UserProvidedCertificatesControllerV2.Messages.SUCCESS_GET_CERTIFICATE",
		Text: "Certificate successfully retrieved."}
	msgGotEnrollments = core.Message{Type: "Info", Key: controllers + "UserProvidedCertificatesControllerV2.Messages.SUCCESS_GET_CE_DETAILS",
		Text: "User provided certificate enrollment details successfully retrieved."}
	msgGotUsers = core.Message{Type: "Info", Key: controllers + "UserAndDeviceSummaryController.Messages.SUCCESS_GET_USERS_DETAILS",
		Text: "User details successfully retrieved."}
)

func TestSearchCertificates(t *testing.T) {
	srv, c := newFake(t)
	ctx := context.Background()
	tests := []struct {
		name   string
		filter core.CertificateFilter
		want   []core.Certificate
	}{
		{"by enrollment", core.CertificateFilter{CESettingName: "LocalCE"}, []core.Certificate{sampleCertificate}},
		{"status matches", core.CertificateFilter{CESettingName: "LocalCE", Status: core.CertificateStatusActive}, []core.Certificate{sampleCertificate}},
		{"status differs", core.CertificateFilter{CESettingName: "LocalCE", Status: core.CertificateStatusRevoked}, []core.Certificate{}},
		{"user", core.CertificateFilter{CESettingName: "LocalCE", UserID: "9002"}, []core.Certificate{sampleCertificate}},
		{"expires before", core.CertificateFilter{CESettingName: "LocalCE", ExpiresBefore: day(2018, 1, 1)}, []core.Certificate{sampleCertificate}},
		{"expires after", core.CertificateFilter{CESettingName: "LocalCE", ExpiresAfter: day(2018, 1, 1)}, []core.Certificate{}},
		{"device", core.CertificateFilter{CESettingName: "LocalCE", DeviceUUID: "5f1db255-8d3d-4943-8bab-d556cacce855"}, []core.Certificate{}},
		{"other enrollment", core.CertificateFilter{CESettingName: "OtherCE"}, []core.Certificate{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := c.SearchCertificates(ctx, tt.filter)
			if err != nil {
				t.Fatal(err)
			}
			want := &core.CertificateSearchResult{Results: tt.want, ResultCount: len(tt.want), Messages: []core.Message{msgSearchSuccess}}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("search result (-want +got):\n%s", diff)
			}
		})
	}
	if got := srv.Hits("POST", pathSearch); got != len(tests) {
		t.Errorf("search hits = %d, want %d", got, len(tests))
	}
}

func TestSearchCertificatesSendsDeviceSpace(t *testing.T) {
	srv, c := newFake(t, core.WithAdminDeviceSpaceID(7))
	_, err := c.SearchCertificates(context.Background(), core.CertificateFilter{CESettingName: "LocalCE"})
	if !errors.Is(err, core.ErrForbidden) {
		t.Fatalf("err = %v, want the fake's 403 for device space 7", err)
	}
	var e *core.Error
	if !errors.As(err, &e) || !strings.Contains(e.Message, "device space 7") {
		t.Errorf("error does not carry Core's message: %v", err)
	}
	if srv.Hits("POST", pathSearch) != 1 {
		t.Errorf("a 403 must not be retried")
	}
}

func TestReadOnlyCallsAreRetried(t *testing.T) {
	srv, c := newFake(t)
	ctx := context.Background()
	srv.Inject(coretest.Fault{Method: "POST", PathSuffix: "/certificates/search", Status: 503, RetryAfter: "0"})
	if _, err := c.SearchCertificates(ctx, core.CertificateFilter{CESettingName: "LocalCE"}); err != nil {
		t.Fatalf("search after one 503: %v", err)
	}
	if got := srv.Hits("POST", pathSearch); got != 2 {
		t.Errorf("search hits = %d, want 2 (one retry)", got)
	}

	srv.Inject(coretest.Fault{Method: "POST", PathSuffix: "/withnocerts/search", Reset: true})
	users, err := c.SearchUsersWithoutCertificates(ctx, 32)
	if err != nil {
		t.Fatalf("users search after a reset: %v", err)
	}
	if got := srv.Hits("POST", pathUsersSearch); got != 2 || len(users.Results) != 1 {
		t.Errorf("users search hits = %d (want 2), users = %d", got, len(users.Results))
	}

	srv.Inject(coretest.Fault{Method: "POST", PathSuffix: "/withnocerts/search_export_status", Status: 502})
	if _, err := c.UsersWithoutCertificatesExportStatus(ctx, 10); err != nil {
		t.Fatalf("status after a 502: %v", err)
	}
	if got := srv.Hits("POST", pathUsersStatus); got != 2 {
		t.Errorf("status hits = %d, want 2", got)
	}
}

func TestWritesAreNeverRepeated(t *testing.T) {
	p12, _ := testPKCS12(t, "jdoe", "p12-test-password")
	calls := []struct {
		name, method, path, suffix string
		call                       func(*core.Client) error
	}{
		{"initiate export", "POST", pathExport, "/certificates/search_export", func(c *core.Client) error {
			_, err := c.InitiateCertificateExport(context.Background(), core.CertificateFilter{CESettingName: "LocalCE", Status: core.CertificateStatusActive})
			return err
		}},
		{"upload", "POST", pathUpload, "/uploadCertificate", func(c *core.Client) error {
			_, err := c.UploadUserProvidedCertificate(context.Background(), core.UploadUserProvidedCertificateInput{CEID: 10, Principal: "jdoe", PKCS12: bytes.NewReader(p12), Password: "p12-test-password"})
			return err
		}},
		{"delete", "POST", pathDelete, "/deleteCertificate", func(c *core.Client) error {
			_, err := c.DeleteUserProvidedCertificate(context.Background(), 10, coretest.CertificateOwner)
			return err
		}},
		{"revoke", "POST", pathRevoke, "/attemptRevokeForPendingRevocation", func(c *core.Client) error {
			_, err := c.RevokePendingCertificates(context.Background())
			return err
		}},
	}
	for _, tt := range calls {
		for _, fault := range []coretest.Fault{{Status: 503}, {Reset: true}} {
			name := tt.name + "/503"
			if fault.Reset {
				name = tt.name + "/reset"
			}
			t.Run(name, func(t *testing.T) {
				srv, c := newFake(t)
				fault.Method, fault.PathSuffix = tt.method, tt.suffix
				srv.Inject(fault)
				if err := tt.call(c); err == nil {
					t.Fatal("want an error")
				}
				if got := srv.Hits(tt.method, tt.path); got != 1 {
					t.Errorf("hits = %d, want exactly 1", got)
				}
			})
		}
	}
}

func TestUserProvidedCertificateLifecycle(t *testing.T) {
	srv, c := newFake(t)
	ctx := context.Background()
	const password = "p12-test-password"
	p12, cert := testPKCS12(t, "jdoe", password)

	// An earlier call hands out the session cookie the multipart upload may need.
	if _, err := c.ListUserProvidedCertificates(ctx, "jdoe"); err != nil {
		t.Fatal(err)
	}
	msgs, err := c.UploadUserProvidedCertificate(ctx, core.UploadUserProvidedCertificateInput{CEID: coretest.UserProvidedCEID, Principal: "jdoe", PKCS12: bytes.NewReader(p12), Password: password})
	if err != nil {
		t.Fatalf("upload: %v", err)
	}
	if diff := cmp.Diff([]core.Message{msgUploaded}, msgs); diff != "" {
		t.Errorf("upload messages (-want +got):\n%s", diff)
	}
	if srv.HitsWithSession("POST", pathUpload) != 1 {
		t.Error("the upload did not carry the session cookie of the earlier call")
	}

	got, err := c.GetUserProvidedCertificate(ctx, coretest.UserProvidedCEID, "jdoe")
	if err != nil {
		t.Fatal(err)
	}
	want := &core.UserProvidedCertificateResult{Results: []core.UserProvidedCertificate{{
		Version: "3", SerialNumber: "4242", SignatureAlgorithm: cert.SignatureAlgorithm.String(),
		Issuer: cert.Issuer.String(), Subject: cert.Subject.String(), CommonName: "jdoe",
		NotBefore: cert.NotBefore.UTC(), NotAfter: cert.NotAfter.UTC(),
	}}, Messages: []core.Message{msgGotCertificate}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("uploaded certificate (-want +got):\n%s", diff)
	}

	list, err := c.ListUserProvidedCertificates(ctx, "jdoe")
	if err != nil {
		t.Fatal(err)
	}
	if e := list.Results; len(e) != 1 || e[0].CEID != 10 || e[0].CertificateID != 12 || !e[0].ExpiresAt.Equal(cert.NotAfter) || !e[0].IsPKCS12 {
		t.Errorf("enrollments = %+v", list)
	}

	msgs, err = c.DeleteUserProvidedCertificate(ctx, coretest.UserProvidedCEID, "jdoe")
	if err != nil {
		t.Fatalf("delete: %v", err)
	}
	if diff := cmp.Diff([]core.Message{msgDeleted}, msgs); diff != "" {
		t.Errorf("delete messages (-want +got):\n%s", diff)
	}
	if _, err := c.GetUserProvidedCertificate(ctx, coretest.UserProvidedCEID, "jdoe"); !errors.Is(err, core.ErrNotFound) {
		t.Errorf("get after delete: err = %v, want ErrNotFound", err)
	}
	if got := srv.UserProvidedCertificates(coretest.UserProvidedCEID); !cmp.Equal(got, []string{coretest.CertificateOwner}) {
		t.Errorf("principals left = %v", got)
	}
}

func TestSeededUserProvidedCertificate(t *testing.T) {
	_, c := newFake(t)
	ctx := context.Background()
	got, err := c.GetUserProvidedCertificate(ctx, 10, "theadmin")
	if err != nil {
		t.Fatal(err)
	}
	want := &core.UserProvidedCertificateResult{Results: []core.UserProvidedCertificate{sampleUserProvided}, Messages: []core.Message{msgGotCertificate}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("certificate (-want +got):\n%s", diff)
	}
	list, err := c.ListUserProvidedCertificates(ctx, "theadmin")
	if err != nil {
		t.Fatal(err)
	}
	wantList := &core.UserProvidedEnrollmentList{Results: []core.UserProvidedEnrollment{sampleEnrollment}, Messages: []core.Message{msgGotEnrollments}}
	if diff := cmp.Diff(wantList, list); diff != "" {
		t.Errorf("enrollments (-want +got):\n%s", diff)
	}
}

func TestUploadRejectedByServer(t *testing.T) {
	srv, c := newFake(t)
	p12, _ := testPKCS12(t, "jdoe", "p12-test-password")
	_, err := c.UploadUserProvidedCertificate(context.Background(), core.UploadUserProvidedCertificateInput{CEID: 11, Principal: "jdoe", PKCS12: bytes.NewReader(p12), Password: "p12-test-password"})
	var e *core.Error
	if !errors.As(err, &e) || e.StatusCode != 400 || !strings.HasSuffix(e.MessageKey, "INVALID_CE") {
		t.Fatalf("err = %v, want Core's 400 for an enrollment that is not user-provided", err)
	}
	if srv.TotalHits() != 1 {
		t.Errorf("hits = %d, want 1", srv.TotalHits())
	}
}

func TestPendingRevocation(t *testing.T) {
	srv, c := newFake(t)
	ctx := context.Background()
	st, err := c.PendingRevocationStatus(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(&core.RevocationStatus{Text: "Pending revocation certs are not being processed."}, st); diff != "" {
		t.Errorf("idle status (-want +got):\n%s", diff)
	}
	msgs, err := c.RevokePendingCertificates(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]core.Message{{Type: "Info", Key: "com.mobileiron.vsp.messages.http.200", Text: "Success"}}, msgs); diff != "" {
		t.Errorf("revoke messages (-want +got):\n%s", diff)
	}
	st, err = c.PendingRevocationStatus(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := &core.RevocationStatus{InProgress: true, Elapsed: 76 * time.Second,
		Text: "Pending revocation certs are being processed. Total duration so far 76 Seconds"}
	if diff := cmp.Diff(want, st); diff != "" {
		t.Errorf("running status (-want +got):\n%s", diff)
	}

	srv.Inject(coretest.Fault{PathSuffix: "/status", Status: 200, ContentType: "text/plain", Body: "Something else entirely"})
	if _, err := c.PendingRevocationStatus(ctx); !errors.Is(err, core.ErrUnexpectedResponse) {
		t.Errorf("unknown text: err = %v, want ErrUnexpectedResponse", err)
	}
}

func TestConfigurations(t *testing.T) {
	_, c := newFake(t)
	ctx := context.Background()
	scep, err := c.SCEPConfigurations(ctx, core.EnrollmentSubTypeUserProvided)
	if err != nil {
		t.Fatal(err)
	}
	ce, err := c.CEConfigurations(ctx, core.EnrollmentSubTypeUserProvided)
	if err != nil {
		t.Fatal(err)
	}
	none, err := c.CEConfigurations(ctx, core.EnrollmentSubTypeEntrust)
	if err != nil {
		t.Fatal(err)
	}
	want := &core.ConfigurationList{Results: []core.Configuration{sampleConfiguration}, ResultCount: 1}
	if diff := cmp.Diff(want, scep); diff != "" {
		t.Errorf("SCEP (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want, ce); diff != "" {
		t.Errorf("CE (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(&core.ConfigurationList{Results: []core.Configuration{}}, none); diff != "" {
		t.Errorf("ENTRUST configurations (-want +got):\n%s", diff)
	}
}

func TestSearchUsersWithoutCertificates(t *testing.T) {
	_, c := newFake(t)
	got, err := c.SearchUsersWithoutCertificates(context.Background(), 32)
	if err != nil {
		t.Fatal(err)
	}
	want := &core.UserSearchResult{Results: []core.User{sampleUser}, ResultCount: 1, Messages: []core.Message{msgGotUsers}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("users (-want +got):\n%s", diff)
	}
}

// TestGetUserProvidedCertificateResultsObjectOrArray: the vendor's field
// table says getCertificate's results is an array, its sample shows one
// object. Both decode; anything else is an unexpected answer.
func TestGetUserProvidedCertificateResultsObjectOrArray(t *testing.T) {
	verbatim, err := coretest.Fixture("get_certificate_response.json")
	if err != nil {
		t.Fatal(err)
	}
	var sample struct {
		Results json.RawMessage `json:"results"`
	}
	if err := json.Unmarshal(jsonfix.Clean(verbatim), &sample); err != nil {
		t.Fatal(err)
	}
	obj := string(sample.Results)
	second := strings.Replace(obj, `"version": "3"`, `"version": "4"`, 1)
	if second == obj {
		t.Fatal("sample changed: no version 3 to replace")
	}
	otherVersion := sampleUserProvided
	otherVersion.Version = "4"
	const msgs = `"messages":[{"type":"Info","messageKey":"k","localizedMessage":"m"}]`
	wantMsgs := []core.Message{{Type: "Info", Key: "k", Text: "m"}}
	tests := []struct {
		name, body string
		want       []core.UserProvidedCertificate
	}{
		{"object, as in the sample", `{"results":` + obj + `,` + msgs + `}`, []core.UserProvidedCertificate{sampleUserProvided}},
		{"array of one, as the field table says", `{"results":[` + obj + `],` + msgs + `}`, []core.UserProvidedCertificate{sampleUserProvided}},
		{"array of two", `{"results":[` + obj + `,` + second + `],` + msgs + `}`, []core.UserProvidedCertificate{sampleUserProvided, otherVersion}},
		{"empty array", `{"results":[],` + msgs + `}`, []core.UserProvidedCertificate{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, c := newFake(t)
			srv.Inject(coretest.Fault{PathSuffix: "/getCertificate", Status: 200, ContentType: "application/json", Body: tt.body})
			got, err := c.GetUserProvidedCertificate(context.Background(), 10, "theadmin")
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(&core.UserProvidedCertificateResult{Results: tt.want, Messages: wantMsgs}, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	for _, body := range []string{`{"results":"x"}`, `{"results":5}`, `{"results":null}`, `{"results":[5]}`, `{}`} {
		t.Run(body, func(t *testing.T) {
			srv, c := newFake(t)
			srv.Inject(coretest.Fault{PathSuffix: "/getCertificate", Status: 200, ContentType: "application/json", Body: body})
			got, err := c.GetUserProvidedCertificate(context.Background(), 10, "theadmin")
			if !errors.Is(err, core.ErrUnexpectedResponse) || got != nil {
				t.Errorf("got %+v, %v; want ErrUnexpectedResponse", got, err)
			}
		})
	}
}

// TestCEConfigurationsFallsBackToTheCurlForm: the request URI is asked
// first; only when a server does not know it (404) is the path of the
// vendor's curl sample tried, once.
func TestCEConfigurationsFallsBackToTheCurlForm(t *testing.T) {
	const long, short = "/api/v2/configurations/CE/USER_PROVIDED/configurations", "/api/v2/configurations/CE/USER_PROVIDED"
	want := &core.ConfigurationList{Results: []core.Configuration{sampleConfiguration}, ResultCount: 1}
	ctx := context.Background()

	srv, c := newFake(t)
	got, err := c.CEConfigurations(ctx, core.EnrollmentSubTypeUserProvided)
	if err != nil || cmp.Diff(want, got) != "" || srv.Hits("GET", long) != 1 || srv.Hits("GET", short) != 0 {
		t.Fatalf("request URI known: %v, hits %d/%d, want one request to it", err, srv.Hits("GET", long), srv.Hits("GET", short))
	}

	notFound := coretest.Fault{Method: "GET", PathSuffix: "/USER_PROVIDED/configurations", Status: 404, ContentType: "text/html",
		Body: "<html><body>HTTP Status 404 - Not Found</body></html>"}
	srv, c = newFake(t)
	srv.Inject(notFound)
	got, err = c.CEConfigurations(ctx, core.EnrollmentSubTypeUserProvided)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if srv.Hits("GET", long) != 1 || srv.Hits("GET", short) != 1 {
		t.Errorf("hits %d/%d, want one to each path", srv.Hits("GET", long), srv.Hits("GET", short))
	}

	// Neither path known: the request URI's answer is the error.
	srv, c = newFake(t)
	srv.Inject(notFound)
	srv.Inject(coretest.Fault{Method: "GET", PathSuffix: "/CE/USER_PROVIDED", Status: 404})
	_, err = c.CEConfigurations(ctx, core.EnrollmentSubTypeUserProvided)
	var e *core.Error
	if !errors.As(err, &e) || e.StatusCode != 404 || !strings.HasSuffix(e.URL, long) {
		t.Errorf("err = %v, want the 404 of the request URI", err)
	}

	// Another failure is not a reason to try the other path.
	srv, c = newFake(t)
	srv.Inject(coretest.Fault{Method: "GET", PathSuffix: "/USER_PROVIDED/configurations", Status: 403})
	if _, err := c.CEConfigurations(ctx, core.EnrollmentSubTypeUserProvided); !errors.Is(err, core.ErrForbidden) || srv.Hits("GET", short) != 0 {
		t.Errorf("403: err = %v, %d requests to the curl form", err, srv.Hits("GET", short))
	}
}

// The certificate enrollment ID has one type, int64, in every operation:
// the configuration list's string value converts to it, and the
// user-provided calls take it as the search results give it.
func TestCertificateEnrollmentIDIsOneType(t *testing.T) {
	_, c := newFake(t)
	ctx := context.Background()
	list, err := c.CEConfigurations(ctx, core.EnrollmentSubTypeUserProvided)
	if err != nil {
		t.Fatal(err)
	}
	id, err := list.Results[0].CEID()
	if err != nil || id != coretest.UserProvidedCEID {
		t.Fatalf("CEID() = %d, %v; want %d", id, err, coretest.UserProvidedCEID)
	}
	got, err := c.GetUserProvidedCertificate(ctx, id, "theadmin")
	if err != nil || len(got.Results) == 0 {
		t.Fatalf("GetUserProvidedCertificate(%d) = %+v, %v; want results of enrollment %d", id, got, err, id)
	}
	if _, err := (core.Configuration{Name: "x", Value: "LocalCE"}).CEID(); err == nil {
		t.Error("a non-numeric value gave an ID")
	}
}

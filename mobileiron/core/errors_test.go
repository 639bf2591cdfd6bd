package core_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/certadmin/certadmin-go/mobileiron/core"
	"github.com/certadmin/certadmin-go/mobileiron/core/coretest"
	"github.com/certadmin/certadmin-go/mobileiron/core/internal/jsonfix"
)

func TestBadInputSendsNothing(t *testing.T) {
	const password = "p12-test-password"
	p12, cert := testPKCS12(t, "jdoe", password)
	pemCert := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw})
	ctx := context.Background()
	dir := t.TempDir()
	upload := func(ceID int64, principal string, data []byte, pw string) func(c *core.Client) error {
		return func(c *core.Client) error {
			_, err := c.UploadUserProvidedCertificate(ctx, core.UploadUserProvidedCertificateInput{CEID: ceID, Principal: principal, PKCS12: bytes.NewReader(data), Password: pw})
			return err
		}
	}
	search := func(f core.CertificateFilter) func(c *core.Client) error {
		return func(c *core.Client) error { _, err := c.SearchCertificates(ctx, f); return err }
	}
	tests := []struct {
		name string
		call func(c *core.Client) error
		want string // part of the message
	}{
		{"search without enrollment", search(core.CertificateFilter{Status: core.CertificateStatusActive}), "ceSettingName"},
		{"search with unknown status", search(core.CertificateFilter{CESettingName: "LocalCE", Status: "BOGUS"}), "BOGUS"},
		{"search with bad device UUID", search(core.CertificateFilter{CESettingName: "LocalCE", DeviceUUID: "not-a-uuid"}), "not a UUID"},
		{"search with inverted expiry bounds", search(core.CertificateFilter{CESettingName: "LocalCE", ExpiresAfter: day(2020, 1, 1), ExpiresBefore: day(2019, 1, 1)}), "before"},
		{"export without status", func(c *core.Client) error {
			_, err := c.ExportCertificates(ctx, core.CertificateFilter{CESettingName: "LocalCE"}, io.Discard)
			return err
		}, "certificateStatus"},
		{"export to file without enrollment", func(c *core.Client) error {
			_, err := c.ExportCertificatesToFile(ctx, core.CertificateFilter{Status: core.CertificateStatusActive}, filepath.Join(dir, "x.csv"))
			return err
		}, "ceSettingName"},
		{"initiate with bad UUID", func(c *core.Client) error {
			_, err := c.InitiateCertificateExport(ctx, core.CertificateFilter{CESettingName: "LocalCE", Status: core.CertificateStatusActive, DeviceUUID: "5f1db255"})
			return err
		}, "not a UUID"},
		{"upload PEM instead of PKCS#12", upload(10, "jdoe", pemCert, password), "PEM"},
		{"upload with wrong password", upload(10, "jdoe", p12, "wrong-password"), "password is wrong"},
		{"upload garbage", upload(10, "jdoe", []byte{0x30, 1, 2, 3}, password), "not a PKCS#12"},
		{"upload without password", upload(10, "jdoe", p12, ""), "password is required"},
		{"upload without principal", upload(10, " ", p12, password), "principal"},
		{"upload without CEID", upload(0, "jdoe", p12, password), "CEID"},
		{"upload with a negative CEID", upload(-3, "jdoe", p12, password), "CEID"},
		{"upload missing file", func(c *core.Client) error {
			_, err := c.UploadUserProvidedCertificate(ctx, core.UploadUserProvidedCertificateInput{CEID: 10, Principal: "jdoe", PKCS12File: filepath.Join(dir, "missing.p12"), Password: password})
			return err
		}, "open PKCS#12 file"},
		{"delete without user", func(c *core.Client) error { _, err := c.DeleteUserProvidedCertificate(ctx, 10, ""); return err }, "userId"},
		{"get without CEID", func(c *core.Client) error { _, err := c.GetUserProvidedCertificate(ctx, 0, "jdoe"); return err }, "CEID"},
		{"list without user", func(c *core.Client) error { _, err := c.ListUserProvidedCertificates(ctx, ""); return err }, "userId"},
		{"SCEP with unknown sub-type", func(c *core.Client) error { _, err := c.SCEPConfigurations(ctx, "GLOBAL_SIGN,LOCAL"); return err }, "sub-type"},
		{"CE with unknown sub-type", func(c *core.Client) error { _, err := c.CEConfigurations(ctx, "user_provided"); return err }, "sub-type"},
		{"users search with CEID 0", func(c *core.Client) error { _, err := c.SearchUsersWithoutCertificates(ctx, 0); return err }, "CEID"},
		{"users export with negative CEID", func(c *core.Client) error {
			_, err := c.ExportUsersWithoutCertificates(ctx, -1, io.Discard)
			return err
		}, "CEID"},
		{"users status with CEID 0", func(c *core.Client) error { _, err := c.UsersWithoutCertificatesExportStatus(ctx, 0); return err }, "CEID"},
		{"users download with CEID 0", func(c *core.Client) error {
			_, err := c.DownloadUsersWithoutCertificatesExport(ctx, 0, io.Discard)
			return err
		}, "CEID"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, c := newFake(t)
			err := tt.call(c)
			if !errors.Is(err, core.ErrInvalidInput) {
				t.Fatalf("err = %v, want ErrInvalidInput", err)
			}
			if !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "core.") {
				t.Errorf("err = %q, want it to name the operation and mention %q", err, tt.want)
			}
			if strings.Contains(err.Error(), password) {
				t.Errorf("error text contains the PKCS#12 password: %q", err)
			}
			if srv.TotalHits() != 0 {
				t.Errorf("server saw %d requests, want none", srv.TotalHits())
			}
		})
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("rejected exports left %d files", len(entries))
	}
	if _, err := core.NewClient("http://127.0.0.1:1", core.WithAdminDeviceSpaceID(0)); !errors.Is(err, core.ErrInvalidInput) {
		t.Errorf("NewClient with device space 0: err = %v", err)
	}
}

func TestUnauthorizedHidesCredentials(t *testing.T) {
	srv, err := coretest.NewServer()
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	var logs bytes.Buffer
	c, err := core.NewClient(srv.URL, core.WithBasicAuth(coretest.Username, "not-the-password"), fastRetry,
		core.WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.SearchCertificates(context.Background(), core.CertificateFilter{CESettingName: "LocalCE"})
	if !errors.Is(err, core.ErrUnauthorized) {
		t.Fatalf("err = %v, want ErrUnauthorized", err)
	}
	if srv.TotalHits() != 1 {
		t.Errorf("a 401 was retried: %d hits", srv.TotalHits())
	}
	for what, text := range map[string]string{"error": err.Error(), "log": logs.String()} {
		if strings.Contains(text, "not-the-password") || strings.Contains(text, "Basic ") {
			t.Errorf("%s shows credentials: %s", what, text)
		}
	}
	if !strings.Contains(logs.String(), "status=401") {
		t.Errorf("debug log lacks the attempt: %s", logs.String())
	}
	if v := srv.SpecViolations(); len(v) > 0 {
		t.Errorf("spec violations: %v", v)
	}
}

func TestV1GoneHintsAtV2(t *testing.T) {
	srv, c := newFake(t)
	srv.Inject(coretest.Fault{PathSuffix: "/getCertificate", Status: 410, ContentType: "application/json",
		Body: `{"messages":[{"type":"Error","messageKey":"com.mobileiron.vsp.messages.http.410","localizedMessage":"This API is no longer supported"}]}`})
	_, err := c.GetUserProvidedCertificate(context.Background(), 10, "theadmin")
	var e *core.Error
	if !errors.Is(err, core.ErrAPIVersionGone) || !errors.As(err, &e) {
		t.Fatalf("err = %v, want ErrAPIVersionGone", err)
	}
	if !strings.Contains(e.Hint, "v2 API") || e.Message != "This API is no longer supported" || e.MessageKey != "com.mobileiron.vsp.messages.http.410" {
		t.Errorf("error = %+v", e)
	}
}

func TestErrorInsideSuccessfulAnswer(t *testing.T) {
	srv, c := newFake(t)
	srv.Inject(coretest.Fault{PathSuffix: "/deleteCertificate", Status: 200, ContentType: "application/json",
		Body: `{"messages":[{"type":"Error","messageKey":"com.mobileiron.vsp.rest.Messages.INVALID_USER","localizedMessage":"User jdoe is not a valid principal"}]}`})
	_, err := c.DeleteUserProvidedCertificate(context.Background(), 10, "jdoe")
	var e *core.Error
	if !errors.Is(err, core.ErrVendor) || !errors.As(err, &e) || e.MessageKey != "com.mobileiron.vsp.rest.Messages.INVALID_USER" {
		t.Fatalf("err = %v, want ErrVendor with Core's message key", err)
	}
}

func TestLoginPageInsteadOfAPI(t *testing.T) {
	srv, c := newFake(t)
	srv.Inject(coretest.Fault{PathSuffix: "/summary", Status: 200, ContentType: "text/html", Body: "<!DOCTYPE html><html><body>Sign in</body></html>"})
	if _, err := c.SCEPConfigurations(context.Background(), core.EnrollmentSubTypeUserProvided); !errors.Is(err, core.ErrHTMLResponse) {
		t.Fatalf("err = %v, want ErrHTMLResponse", err)
	}
	srv.SetExportSize(1000)
	srv.Inject(coretest.Fault{PathSuffix: "/search_download_csv", Status: 200, ContentType: "text/html", Body: "<html>proxy error</html>"})
	var buf bytes.Buffer
	if _, err := c.ExportCertificates(context.Background(), activeLocal, &buf, fastPoll); !errors.Is(err, core.ErrHTMLResponse) || buf.Len() != 0 {
		t.Fatalf("err = %v (wrote %d bytes), want ErrHTMLResponse and nothing written", err, buf.Len())
	}
}

func TestRetryAfterTooLong(t *testing.T) {
	srv, c := newFake(t)
	srv.Inject(coretest.Fault{PathSuffix: "/USER_PROVIDED/configurations", Status: 503, RetryAfter: "3600"})
	_, err := c.CEConfigurations(context.Background(), core.EnrollmentSubTypeUserProvided)
	var e *core.Error
	if !errors.Is(err, core.ErrRetryAfterTooLong) || !errors.As(err, &e) || e.RetryAfter != time.Hour {
		t.Fatalf("err = %v, want ErrRetryAfterTooLong with the server's delay", err)
	}
	if srv.TotalHits() != 1 {
		t.Errorf("hits = %d, want 1", srv.TotalHits())
	}
}

// TestDecodesVendorSamples answers each call with the vendor's sample: the
// test loads it as the documentation prints it (non-breaking spaces, "..."
// for elided entries, the trailing comma an elision leaves), repairs those
// artefacts and serves the result, which is what a real server would send.
func TestDecodesVendorSamples(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		fixture, suffix string
		call            func(c *core.Client) (any, error)
		want            any
	}{
		{"search_response.json", "/certificates/search", func(c *core.Client) (any, error) {
			return c.SearchCertificates(ctx, core.CertificateFilter{CESettingName: "LocalCE"})
		}, &core.CertificateSearchResult{Results: []core.Certificate{sampleCertificate}, ResultCount: 6, Messages: []core.Message{msgSearchSuccess}}},
		{"search_export_response.json", "/certificates/search_export", func(c *core.Client) (any, error) {
			return c.InitiateCertificateExport(ctx, activeLocal)
		}, &core.ExportStart{StatusURL: "/api/v2/certificates/search_export_status", DownloadURL: "/api/v2/certificates/search_download_csv",
			Messages: []core.Message{{Type: "Info", Key: "com.mobileiron.vsp.rest.controllers.CertificateManagementController.Messages.PROCESS_INITIATED",
				Text: "Certificate details export process initiated successfully", Parameters: []any{}}}}},
		{"search_export_in_progress_response.json", "/certificates/search_export", func(c *core.Client) (any, error) {
			return c.InitiateCertificateExport(ctx, activeLocal)
		}, &core.ExportStart{AlreadyRunning: true,
			Messages: []core.Message{{Type: "Info", Key: "com.mobileiron.vsp.rest.controllers.CertificateManagementController.Messages.PROCESS_INITIATED",
				Text: "Certificate details export is already progress. It might be issued by a different user", Parameters: []any{}}}}},
		{"search_export_status_response.json", "/search_export_status", func(c *core.Client) (any, error) {
			return c.CertificateExportStatus(ctx)
		}, &core.ExportStatus{Available: true, Result: "success", FileName: "/mi/tomcat/temp/certificates-5007291726810485269.csv",
			InitiatedAt: time.UnixMilli(1461110928255).UTC()}},
		{"withnocerts_export_status_response.json", "/search_export_status", func(c *core.Client) (any, error) {
			return c.UsersWithoutCertificatesExportStatus(ctx, 10)
		}, &core.ExportStatus{Available: true, Result: "success", FileName: "/mi/tomcat/temp/userdetails-3531617505787171123.csv",
			InitiatedAt: time.UnixMilli(1503354251055).UTC()}},
		{"withnocerts_export_response.json", "/withnocerts/search_export", func(c *core.Client) (any, error) {
			return c.InitiateUsersWithoutCertificatesExport(ctx, 10)
		}, &core.ExportStart{StatusURL: "/api/v2/configurations/CE/9/users/withnocerts/search_export_status",
			DownloadURL: "/api/v2/configurations/CE/9/users/withnocerts/search_download_csv",
			Messages: []core.Message{{Type: "Info", Key: "com.mobileiron.vsp.rest.controllers.UserAndDeviceSummaryController.Messages.PROCESS_INITIATED",
				Text: "User details export process initiated successfully."}}}},
		{"get_certificate_response.json", "/getCertificate", func(c *core.Client) (any, error) {
			return c.GetUserProvidedCertificate(ctx, 10, "theadmin")
		}, &core.UserProvidedCertificateResult{Results: []core.UserProvidedCertificate{sampleUserProvided}, Messages: []core.Message{msgGotCertificate}}},
		{"get_all_response.json", "/getAllUserProvidedCertificateDetails", func(c *core.Client) (any, error) {
			return c.ListUserProvidedCertificates(ctx, "theadmin")
		}, &core.UserProvidedEnrollmentList{Results: []core.UserProvidedEnrollment{sampleEnrollment}, Messages: []core.Message{msgGotEnrollments}}},
		{"scep_summary_response.json", "/summary", func(c *core.Client) (any, error) {
			return c.SCEPConfigurations(ctx, core.EnrollmentSubTypeUserProvided)
		}, &core.ConfigurationList{Results: []core.Configuration{sampleConfiguration}, ResultCount: 1}},
		{"ce_configurations_response.json", "/configurations", func(c *core.Client) (any, error) {
			return c.CEConfigurations(ctx, core.EnrollmentSubTypeUserProvided)
		}, &core.ConfigurationList{Results: []core.Configuration{sampleConfiguration}, ResultCount: 1}},
		{"withnocerts_search_response.json", "/withnocerts/search", func(c *core.Client) (any, error) {
			return c.SearchUsersWithoutCertificates(ctx, 32)
		}, &core.UserSearchResult{Results: []core.User{sampleUser}, ResultCount: 1, Messages: []core.Message{msgGotUsers}}},
		{"revoke_response.json", "/attemptRevokeForPendingRevocation", func(c *core.Client) (any, error) {
			return c.RevokePendingCertificates(ctx)
		}, []core.Message{{Type: "Info", Key: "com.mobileiron.vsp.messages.http.200", Text: "Success"}}},
		{"delete_response.json", "/deleteCertificate", func(c *core.Client) (any, error) {
			return c.DeleteUserProvidedCertificate(ctx, 10, "theadmin")
		}, []core.Message{msgDeleted}},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			srv, c := newFake(t)
			body, err := coretest.Fixture(tt.fixture)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(body, []byte("\u00a0")) && !bytes.Contains(body, []byte("...")) && tt.fixture != "search_export_status_response.json" {
				t.Fatalf("fixture %s is expected to be the documentation's odd rendering", tt.fixture)
			}
			repaired := jsonfix.Clean(body)
			if !json.Valid(repaired) {
				t.Fatalf("fixture %s is not valid JSON after repair:\n%s", tt.fixture, repaired)
			}
			srv.Inject(coretest.Fault{PathSuffix: tt.suffix, Status: 200, ContentType: "application/json", Body: string(repaired)})
			got, err := tt.call(c)
			if err != nil {
				t.Fatalf("decoding the repaired sample: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if srv.TotalHits() != 1 {
				t.Errorf("hits = %d, want 1", srv.TotalHits())
			}
		})
	}
}

// TestLiveDecodingIsStrict: a real server sends valid JSON, so the client
// repairs nothing. The documentation's artefacts in a live answer make it
// an unexpected answer, never a success read by guesswork.
func TestLiveDecodingIsStrict(t *testing.T) {
	verbatim, err := coretest.Fixture("scep_summary_response.json")
	if err != nil {
		t.Fatal(err)
	}
	bodies := map[string]string{
		"non-breaking spaces":           string(verbatim),
		"trailing comma":                `{"results":[{"name":"user-provided","value":"10"},],"resultCount":1}`,
		"elision":                       `{"results":[{"name":"user-provided","value":"10"}, ... ],"resultCount":1}`,
		"typeset ellipsis":              `{"results":[{"name":"user-provided","value":"10"}, … ],"resultCount":1}`,
		"error with non-breaking space": "{\u00a0\"messages\":[{\"type\":\"Error\",\"messageKey\":\"k\",\"localizedMessage\":\"m\"}]}",
	}
	for name, body := range bodies {
		t.Run(name, func(t *testing.T) {
			srv, c := newFake(t)
			srv.Inject(coretest.Fault{PathSuffix: "/summary", Status: 200, ContentType: "application/json", Body: body})
			got, err := c.SCEPConfigurations(context.Background(), core.EnrollmentSubTypeUserProvided)
			if !errors.Is(err, core.ErrUnexpectedResponse) {
				t.Fatalf("got %v, %v; want ErrUnexpectedResponse", got, err)
			}
			if got != nil {
				t.Errorf("a result beside the error: %v", got)
			}
		})
	}

	// The error decoder is strict too: a 4xx whose body only parses after
	// repair keeps the status and the excerpt but no vendor fields.
	srv, c := newFake(t)
	srv.Inject(coretest.Fault{PathSuffix: "/summary", Status: 400, ContentType: "application/json",
		Body: "{\"messages\":[{\"type\":\"Error\",\"messageKey\":\"k\",\"localizedMessage\":\"m\"},]}"})
	_, err = c.SCEPConfigurations(context.Background(), core.EnrollmentSubTypeUserProvided)
	var e *core.Error
	if !errors.As(err, &e) || e.StatusCode != 400 || e.MessageKey != "" || e.Message != "" || !strings.Contains(e.Body, `"k"`) {
		t.Errorf("err = %#v, want a 400 without vendor fields and with the body excerpt", err)
	}
}

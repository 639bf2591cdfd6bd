package core_test

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/certadmin/certadmin-go/mobileiron/core"
	"github.com/certadmin/certadmin-go/mobileiron/core/coretest"
	"github.com/certadmin/certadmin-go/mobileiron/core/internal/jsonfix"
)

// keyPaths collects the member names of a decoded JSON value as paths:
// "results[].id", "messages[].messageParameters", "resultCount".
func keyPaths(v any, prefix string, out map[string]bool) {
	switch v := v.(type) {
	case map[string]any:
		for k, child := range v {
			p := k
			if prefix != "" {
				p = prefix + "." + k
			}
			out[p] = true
			keyPaths(child, p, out)
		}
	case []any:
		for _, child := range v {
			keyPaths(child, prefix+"[]", out)
		}
	}
}

func pathsOf(t *testing.T, b []byte) map[string]bool {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
	out := map[string]bool{}
	keyPaths(v, "", out)
	return out
}

// TestResultsKeepEverySampleField decodes every sample answer and encodes
// the public result again: each member the sample holds (resultCount,
// messages and messageParameters included) must come out under its wire
// name, so nothing the server sent is dropped and the JSON tags are the
// wire's.
func TestResultsKeepEverySampleField(t *testing.T) {
	ctx := context.Background()
	// How a sample's path reads in the result ("": the container itself,
	// folded into the result type).
	flat := func(p string) string { // results' members are the type's
		if p == "results" {
			return ""
		}
		return strings.TrimPrefix(p, "results.")
	}
	listOfOne := func(p string) string { return strings.Replace(p, "results.", "results[].", 1) }
	messagesOnly := func(p string) string { // the result is the messages list
		if p == "messages" {
			return ""
		}
		return strings.Replace(p, "messages[]", "[]", 1)
	}
	same := func(p string) string { return p }
	tests := []struct {
		fixture, suffix string
		call            func(c *core.Client) (any, error)
		path            func(string) string
		skip            []string // sample paths the result holds under another name
	}{
		{"search_response.json", "/certificates/search", func(c *core.Client) (any, error) {
			return c.SearchCertificates(ctx, core.CertificateFilter{CESettingName: "LocalCE"})
		}, same, []string{"results[].deviceUUid"}},
		{"search_export_response.json", "/certificates/search_export", func(c *core.Client) (any, error) {
			return c.InitiateCertificateExport(ctx, activeLocal)
		}, flat, nil},
		{"search_export_in_progress_response.json", "/certificates/search_export", func(c *core.Client) (any, error) {
			return c.InitiateCertificateExport(ctx, activeLocal)
		}, flat, nil},
		{"search_export_status_response.json", "/search_export_status", func(c *core.Client) (any, error) {
			return c.CertificateExportStatus(ctx)
		}, flat, nil},
		{"withnocerts_export_response.json", "/withnocerts/search_export", func(c *core.Client) (any, error) {
			return c.InitiateUsersWithoutCertificatesExport(ctx, 10)
		}, flat, nil},
		{"withnocerts_export_status_response.json", "/search_export_status", func(c *core.Client) (any, error) {
			return c.UsersWithoutCertificatesExportStatus(ctx, 10)
		}, flat, nil},
		{"withnocerts_search_response.json", "/withnocerts/search", func(c *core.Client) (any, error) {
			return c.SearchUsersWithoutCertificates(ctx, 32)
		}, same, nil},
		{"get_certificate_response.json", "/getCertificate", func(c *core.Client) (any, error) {
			return c.GetUserProvidedCertificate(ctx, 10, "theadmin")
		}, listOfOne, nil},
		{"get_all_response.json", "/getAllUserProvidedCertificateDetails", func(c *core.Client) (any, error) {
			return c.ListUserProvidedCertificates(ctx, "theadmin")
		}, same, nil},
		{"scep_summary_response.json", "/summary", func(c *core.Client) (any, error) {
			return c.SCEPConfigurations(ctx, core.EnrollmentSubTypeUserProvided)
		}, same, nil},
		{"ce_configurations_response.json", "/configurations", func(c *core.Client) (any, error) {
			return c.CEConfigurations(ctx, core.EnrollmentSubTypeUserProvided)
		}, same, nil},
		{"revoke_response.json", "/attemptRevokeForPendingRevocation", func(c *core.Client) (any, error) {
			return c.RevokePendingCertificates(ctx)
		}, messagesOnly, nil},
		{"delete_response.json", "/deleteCertificate", func(c *core.Client) (any, error) {
			return c.DeleteUserProvidedCertificate(ctx, 10, "theadmin")
		}, messagesOnly, nil},
		{"upload_response.json", "/uploadCertificate", func(c *core.Client) (any, error) {
			p12, _ := testPKCS12(t, "jdoe", "p12-test-password")
			return c.UploadUserProvidedCertificate(ctx, core.UploadUserProvidedCertificateInput{CEID: 10, Principal: "jdoe",
				PKCS12: bytes.NewReader(p12), Password: "p12-test-password"})
		}, messagesOnly, nil},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			srv, c := newFake(t)
			verbatim, err := coretest.Fixture(tt.fixture)
			if err != nil {
				t.Fatal(err)
			}
			sample := jsonfix.Clean(verbatim)
			srv.Inject(coretest.Fault{PathSuffix: tt.suffix, Status: 200, ContentType: "application/json", Body: string(sample)})
			got, err := tt.call(c)
			if err != nil {
				t.Fatal(err)
			}
			encoded, err := json.Marshal(got)
			if err != nil {
				t.Fatal(err)
			}
			have := pathsOf(t, encoded)
			var missing []string
			for p := range pathsOf(t, sample) {
				if want := tt.path(p); want != "" && !have[want] && !slices.Contains(tt.skip, p) {
					missing = append(missing, p)
				}
			}
			slices.Sort(missing)
			if len(missing) > 0 {
				t.Errorf("the result drops the sample's %v; it encodes as %s", missing, encoded)
			}
		})
	}
}

// TestResultCountAndMessagesReachTheCaller: Core's resultCount and info
// messages come back from every call that carries them, as the server
// sent them (a resultCount that differs from the entries is not fixed up).
func TestResultCountAndMessagesReachTheCaller(t *testing.T) {
	ctx := context.Background()
	info := []core.Message{{Type: "Info", Key: "com.example.Messages.NOTE", Text: "a note", Parameters: []any{"p", 1.0}}}
	const infoJSON = `"messages":[{"type":"Info","messageKey":"com.example.Messages.NOTE","localizedMessage":"a note","messageParameters":["p",1]}]`
	tests := []struct {
		name, suffix, body string
		call               func(c *core.Client) (any, error)
		want               any
	}{
		{"search", "/certificates/search", `{"results":[],"resultCount":42,` + infoJSON + `}`, func(c *core.Client) (any, error) {
			return c.SearchCertificates(ctx, core.CertificateFilter{CESettingName: "LocalCE"})
		}, &core.CertificateSearchResult{Results: []core.Certificate{}, ResultCount: 42, Messages: info}},
		{"users search", "/withnocerts/search", `{"results":[],"resultCount":3,` + infoJSON + `}`, func(c *core.Client) (any, error) {
			return c.SearchUsersWithoutCertificates(ctx, 32)
		}, &core.UserSearchResult{Results: []core.User{}, ResultCount: 3, Messages: info}},
		{"SCEP configurations", "/summary", `{"results":[],"resultCount":2,` + infoJSON + `}`, func(c *core.Client) (any, error) {
			return c.SCEPConfigurations(ctx, core.EnrollmentSubTypeSCEP)
		}, &core.ConfigurationList{Results: []core.Configuration{}, ResultCount: 2, Messages: info}},
		{"CE configurations", "/configurations", `{"results":[],"resultCount":2,` + infoJSON + `}`, func(c *core.Client) (any, error) {
			return c.CEConfigurations(ctx, core.EnrollmentSubTypeLocal)
		}, &core.ConfigurationList{Results: []core.Configuration{}, ResultCount: 2, Messages: info}},
		{"list user-provided", "/getAllUserProvidedCertificateDetails", `{"results":[],` + infoJSON + `}`, func(c *core.Client) (any, error) {
			return c.ListUserProvidedCertificates(ctx, "theadmin")
		}, &core.UserProvidedEnrollmentList{Results: []core.UserProvidedEnrollment{}, Messages: info}},
		{"get user-provided", "/getCertificate", `{"results":{"version":"3"},` + infoJSON + `}`, func(c *core.Client) (any, error) {
			return c.GetUserProvidedCertificate(ctx, 10, "theadmin")
		}, &core.UserProvidedCertificateResult{Results: []core.UserProvidedCertificate{{Version: "3"}}, Messages: info}},
		{"delete", "/deleteCertificate", `{` + infoJSON + `}`, func(c *core.Client) (any, error) {
			return c.DeleteUserProvidedCertificate(ctx, 10, "theadmin")
		}, info},
		{"upload", "/uploadCertificate", `{` + infoJSON + `}`, func(c *core.Client) (any, error) {
			p12, _ := testPKCS12(t, "jdoe", "p12-test-password")
			return c.UploadUserProvidedCertificate(ctx, core.UploadUserProvidedCertificateInput{CEID: 10, Principal: "jdoe",
				PKCS12: bytes.NewReader(p12), Password: "p12-test-password"})
		}, info},
		{"export status", "/search_export_status", `{"results":{"isRunning":true,"isExportStatusAvailable":true},` + infoJSON + `}`, func(c *core.Client) (any, error) {
			return c.CertificateExportStatus(ctx)
		}, &core.ExportStatus{Running: true, Available: true, Messages: info}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, c := newFake(t)
			srv.Inject(coretest.Fault{PathSuffix: tt.suffix, Status: 200, ContentType: "application/json", Body: tt.body})
			got, err := tt.call(c)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestExportSummaryKeepsTheInitiationMessages(t *testing.T) {
	_, c := newFake(t)
	sum, err := c.ExportCertificates(context.Background(), activeLocal, &bytes.Buffer{}, fastPoll)
	if err != nil {
		t.Fatal(err)
	}
	want := []core.Message{{Type: "Info", Key: controllers + "CertificateManagementController.Messages.PROCESS_INITIATED",
		Text: "Certificate details export process initiated successfully", Parameters: []any{}}}
	if diff := cmp.Diff(want, sum.Messages); diff != "" {
		t.Errorf("summary messages (-want +got):\n%s", diff)
	}
}

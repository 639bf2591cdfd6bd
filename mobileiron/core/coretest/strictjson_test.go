package coretest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/certadmin/certadmin-go/internal/testcert"
	"github.com/certadmin/certadmin-go/mobileiron/core"
	"github.com/certadmin/certadmin-go/mobileiron/core/coretest"
)

// jsonChecker is a round tripper that reads every JSON answer whole and
// notes those that do not parse as strict JSON.
type jsonChecker struct {
	base http.RoundTripper

	mu      sync.Mutex
	checked int
	invalid []string
}

func (j *jsonChecker) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := j.base.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); mt != "application/json" {
		return resp, nil
	}
	body, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	j.mu.Lock()
	defer j.mu.Unlock()
	j.checked++
	if !json.Valid(body) {
		j.invalid = append(j.invalid, req.Method+" "+req.URL.Path+": "+string(body))
	}
	return resp, nil
}

// TestFakeAnswersStrictJSON runs every operation, successes and errors,
// and checks each JSON answer parses without repair, as a real server's.
func TestFakeAnswersStrictJSON(t *testing.T) {
	srv := coretest.NewTestServer(t)
	check := &jsonChecker{base: http.DefaultTransport}
	c, err := srv.NewClient(core.WithTransport(check), core.WithMaxAttempts(1))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	poll := core.WithPollInterval(time.Millisecond)
	filter := core.CertificateFilter{CESettingName: coretest.CESettingName, Status: core.CertificateStatusActive}
	cert, key := testcert.ForName(t, "jdoe")
	const pw = "strict-json-test"
	steps := []func() error{
		func() error { _, err := c.SearchCertificates(ctx, filter); return err },
		func() error { _, err := c.InitiateCertificateExport(ctx, filter); return err },
		func() error { _, err := c.InitiateCertificateExport(ctx, filter); return err }, // already running
		func() error { _, err := c.ExportCertificates(ctx, filter, io.Discard, poll); return err },
		func() error { _, err := c.ExportUsersWithoutCertificates(ctx, 10, io.Discard, poll); return err },
		func() error { _, err := c.SearchUsersWithoutCertificates(ctx, 32); return err },
		func() error {
			_, err := c.UploadUserProvidedCertificate(ctx, core.UploadUserProvidedCertificateInput{
				CEID: coretest.UserProvidedCEID, Principal: "jdoe", PKCS12: bytes.NewReader(testcert.PFX(t, cert, key, pw)), Password: pw})
			return err
		},
		func() error {
			_, err := c.GetUserProvidedCertificate(ctx, coretest.UserProvidedCEID, coretest.CertificateOwner)
			return err
		},
		func() error { _, err := c.ListUserProvidedCertificates(ctx, coretest.CertificateOwner); return err },
		func() error {
			_, err := c.DeleteUserProvidedCertificate(ctx, coretest.UserProvidedCEID, "jdoe")
			return err
		},
		func() error { _, err := c.RevokePendingCertificates(ctx); return err },
		func() error { _, err := c.SCEPConfigurations(ctx, core.EnrollmentSubTypeUserProvided); return err },
		func() error { _, err := c.CEConfigurations(ctx, core.EnrollmentSubTypeUserProvided); return err },
	}
	for i, step := range steps {
		if err := step(); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}
	// Error answers are JSON too.
	if _, err := c.GetUserProvidedCertificate(ctx, coretest.UserProvidedCEID, "jdoe"); err == nil {
		t.Error("get after delete succeeded")
	}
	if _, err := c.SearchCertificates(ctx, filter, core.WithAdminDeviceSpaceID(7)); err == nil {
		t.Error("search in another device space succeeded")
	}
	check.mu.Lock()
	defer check.mu.Unlock()
	if check.checked < len(steps)+2 {
		t.Errorf("only %d JSON answers seen", check.checked)
	}
	for _, bad := range check.invalid {
		t.Errorf("not strict JSON: %s", bad)
	}
}

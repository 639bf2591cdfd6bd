package coretest_test

import (
	"context"
	"io"
	"testing"
	"time"

	"github.com/certadmin/certadmin-go/mobileiron/core"
	"github.com/certadmin/certadmin-go/mobileiron/core/coretest"
)

func TestExportTimes(t *testing.T) {
	srv, err := coretest.NewServer()
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	srv.SetExportPolls(1)
	c, err := core.NewClient(srv.URL, core.WithBasicAuth(srv.Username, srv.Password))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	filter := core.CertificateFilter{CESettingName: coretest.CESettingName, Status: core.CertificateStatusActive}
	times := func(step string, wantDone, wantDownload bool) (time.Time, time.Time) {
		t.Helper()
		done, download := srv.ExportTimes()
		if done.IsZero() == wantDone || download.IsZero() == wantDownload {
			t.Fatalf("after %s: done reported %v, download requested %v; want set: %t, %t", step, done, download, wantDone, wantDownload)
		}
		return done, download
	}
	status := func(wantRunning bool) {
		t.Helper()
		st, err := c.CertificateExportStatus(ctx)
		if err != nil || st.Running != wantRunning {
			t.Fatalf("status %+v, %v; want running %t", st, err, wantRunning)
		}
	}

	times("start", false, false)
	if _, err := c.InitiateCertificateExport(ctx, filter); err != nil {
		t.Fatal(err)
	}
	status(true)
	times("a running status", false, false)
	before := time.Now()
	status(false)
	done, _ := times("the finished status", true, false)
	if done.Before(before) || done.After(time.Now()) {
		t.Errorf("done reported at %v, outside the status call", done)
	}
	status(false)
	if again, _ := times("a second finished status", true, false); !again.Equal(done) {
		t.Errorf("a later status moved the time done was reported from %v to %v", done, again)
	}
	if _, err := c.DownloadCertificateExport(ctx, io.Discard); err != nil {
		t.Fatal(err)
	}
	_, download := times("the download", true, true)
	if download.Before(done) {
		t.Errorf("download requested at %v, before done was reported at %v", download, done)
	}
	if _, err := c.DownloadCertificateExport(ctx, io.Discard); err != nil {
		t.Fatal(err)
	}
	if _, again := times("a second download", true, true); !again.Equal(download) {
		t.Errorf("a second download moved the first download time from %v to %v", download, again)
	}
	if _, err := c.InitiateCertificateExport(ctx, filter); err != nil {
		t.Fatal(err)
	}
	times("a new export", false, false)
}

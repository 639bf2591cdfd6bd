//go:build audit

package audit_test

// Evidence: /work/shared/seeds/000_124e52d367993ced.txt (MobileIron Core v2
// "Certificate Management"; cited as seed000:<line>) and vendor-notes.md §3.

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/certadmin/certadmin-go/internal/audit"
	"github.com/certadmin/certadmin-go/mobileiron/core"
)

type coreServer struct {
	t         *testing.T
	mu        sync.Mutex
	cnt       audit.Counter
	initMode  string // "drop", "already"
	statusMsg string // "success", "fail", "" (running forever)
	truncate  bool
	queries   []string
}

const coreCSV = "serialNumber,subject,status\n01,CN=a,ACTIVE\n02,CN=b,ACTIVE\n"

func newCore(t *testing.T) (*coreServer, *core.Client) {
	s := &coreServer{t: t, statusMsg: "success"}
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	c, err := core.NewClient(ts.URL, core.WithBasicAuth("apiadmin", "pw"),
		core.WithRetry(core.RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: 2 * time.Millisecond}))
	if err != nil {
		t.Fatal(err)
	}
	return s, c
}

func (s *coreServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cnt.Inc(r.Method + " " + r.URL.Path)
	s.queries = append(s.queries, r.Method+" "+r.URL.RequestURI())
	w.Header().Set("Content-Type", "application/json")
	switch r.URL.Path {
	case "/api/v2/certificates/search_export":
		// seed000:34-38 POST; seed000:188-225 sample answers.
		switch s.initMode {
		case "drop":
			audit.DropConn(w)
			return
		case "already":
			_, _ = io.WriteString(w, `{"messages":[{"type":"Info","messageKey":"com.mobileiron.vsp.rest.controllers.CertificateManagementController.Messages.PROCESS_INITIATED","localizedMessage":"Certificate details export is already progress. It might be issued by a different user","messageParameters":[]}]}`)
			return
		}
		_, _ = io.WriteString(w, `{"results":{"exportStatusPollUrl":"/api/v2/certificates/search_export_status","csvDownloadUrl":"/api/v2/certificates/search_download_csv"},"messages":[{"type":"Info","messageKey":"com.mobileiron.vsp.rest.controllers.CertificateManagementController.Messages.PROCESS_INITIATED","localizedMessage":"Certificate details export process initiated successfully","messageParameters":[]}]}`)
	case "/api/v2/certificates/search_export_status":
		// seed000:266-340: isRunning, exportStatusMsg "success" | "fail".
		if s.statusMsg == "" {
			_, _ = io.WriteString(w, `{"results":{"isRunning":true,"isExportStatusAvailable":true,"initiatedAt":1461110928255}}`)
			return
		}
		_, _ = io.WriteString(w, `{"results":{"isRunning":false,"exportStatusMsg":"`+s.statusMsg+`","csvFileName":"/mi/tomcat/temp/certificates-1.csv","isExportStatusAvailable":true,"initiatedAt":1461110928255}}`)
	case "/api/v2/certificates/search_download_csv":
		// seed000:363-391.
		w.Header().Set("Content-Type", "text/csv")
		if s.truncate {
			w.Header().Set("Content-Length", "1000")
			w.WriteHeader(200)
			_, _ = io.WriteString(w, coreCSV)
			if f, ok := w.(http.Flusher); ok {
				f.Flush()
			}
			audit.DropConn(w)
			return
		}
		_, _ = io.WriteString(w, coreCSV)
	default:
		w.WriteHeader(404)
	}
}

var coreFilter = core.CertificateFilter{CESettingName: "LocalCE", Status: core.CertificateStatusActive}

// Three-call export happy path; adminDeviceSpaceId is a Query parameter of
// the status and download calls (seed000:280-295, :391).
func TestCore_Export_HappyPath(t *testing.T) {
	s, c := newCore(t)
	var buf bytes.Buffer
	sum, err := c.ExportCertificates(context.Background(), coreFilter, &buf, core.WithPollInterval(time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	if buf.String() != coreCSV || sum.Bytes != int64(len(coreCSV)) {
		t.Errorf("csv %q", buf.String())
	}
	for _, q := range s.queries {
		if !bytes.Contains([]byte(q), []byte("adminDeviceSpaceId=1")) {
			t.Errorf("no adminDeviceSpaceId in %s", q)
		}
	}
}

// seed000:310-312: exportStatusMsg "fail" → ErrExportFailed; no download.
func TestCore_Export_Fail(t *testing.T) {
	s, c := newCore(t)
	s.statusMsg = "fail"
	_, err := c.ExportCertificates(context.Background(), coreFilter, io.Discard, core.WithPollInterval(time.Millisecond))
	if !errors.Is(err, core.ErrExportFailed) {
		t.Errorf("want ErrExportFailed, got %v", err)
	}
	if s.cnt.Get("GET /api/v2/certificates/search_download_csv") != 0 {
		t.Error("downloaded after a failed export")
	}
}

// The export initiation answer is lost: never resent.
func TestCore_Export_InitDropped_NoResend(t *testing.T) {
	s, c := newCore(t)
	s.initMode = "drop"
	_, err := c.ExportCertificates(context.Background(), coreFilter, io.Discard, core.WithPollInterval(time.Millisecond))
	if err == nil {
		t.Fatal("no error")
	}
	if n := s.cnt.Get("POST /api/v2/certificates/search_export"); n != 1 {
		t.Errorf("initiation sent %d times", n)
	}
}

// "already in progress … might be issued by a different user"
// (seed000:205-215): the running export may be for another filter; the SDK
// joins it and must say so (ExportSummary.JoinedRunning).
func TestCore_Export_AlreadyRunning_Flagged(t *testing.T) {
	s, c := newCore(t)
	s.initMode = "already"
	sum, err := c.ExportCertificates(context.Background(), coreFilter, io.Discard, core.WithPollInterval(time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	if !sum.JoinedRunning {
		t.Error("joined another export without saying so")
	}
}

// A download cut short (Content-Length not reached) is ErrTruncated and
// leaves no file.
func TestCore_Export_TruncatedDownload(t *testing.T) {
	s, c := newCore(t)
	s.truncate = true
	path := filepath.Join(t.TempDir(), "out.csv")
	_, err := c.ExportCertificatesToFile(context.Background(), coreFilter, path, core.WithPollInterval(time.Millisecond))
	if !errors.Is(err, core.ErrTruncated) {
		t.Errorf("want ErrTruncated, got %v", err)
	}
	if _, e := os.Stat(path); e == nil {
		t.Error("partial file left")
	}
}

// isRunning never ends: bounded by WithWaitTimeout → ErrExportTimeout.
func TestCore_Export_NeverFinishes_Bounded(t *testing.T) {
	s, c := newCore(t)
	s.statusMsg = ""
	start := time.Now()
	_, err := c.ExportCertificates(context.Background(), coreFilter, io.Discard, core.WithPollInterval(time.Millisecond), core.WithWaitTimeout(200*time.Millisecond))
	if !errors.Is(err, core.ErrExportTimeout) {
		t.Errorf("want ErrExportTimeout, got %v", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Error("wait not bounded")
	}
}

package core_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/certadmin/certadmin-go/mobileiron/core"
)

// sentSpace is where one request carried adminDeviceSpaceId ("" where it
// did not).
type sentSpace struct {
	Method, Path string
	Query, Body  string
}

// spaceRecorder is a round tripper noting the adminDeviceSpaceId of every
// request, in the query and in a JSON body.
type spaceRecorder struct {
	mu   sync.Mutex
	sent []sentSpace
}

func (s *spaceRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	rec := sentSpace{Method: req.Method, Path: req.URL.Path, Query: req.URL.Query().Get("adminDeviceSpaceId")}
	if req.Body != nil && req.Header.Get("Content-Type") == "application/json" {
		b, err := io.ReadAll(req.Body)
		if err != nil {
			return nil, err
		}
		_ = req.Body.Close()
		req.Body = io.NopCloser(bytes.NewReader(b))
		var body struct {
			ID json.RawMessage `json:"adminDeviceSpaceId"`
		}
		if json.Unmarshal(b, &body) == nil {
			rec.Body = string(body.ID)
		}
	}
	s.mu.Lock()
	s.sent = append(s.sent, rec)
	s.mu.Unlock()
	return http.DefaultTransport.RoundTrip(req)
}

func (s *spaceRecorder) take() []sentSpace {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.sent
	s.sent = nil
	return out
}

// TestDeviceSpaceSentWhereEveryVersionFindsIt: the POST calls carry
// adminDeviceSpaceId in both the query and the body, the GET calls in the
// query, and every one of them takes the per-call WithAdminDeviceSpaceID
// over the client's.
func TestDeviceSpaceSentWhereEveryVersionFindsIt(t *testing.T) {
	ctx := context.Background()
	ops := []struct {
		name   string
		call   func(c *core.Client, opts ...core.CallOption) error
		method string
		path   string
		inBody bool
	}{
		{"search", func(c *core.Client, opts ...core.CallOption) error {
			_, err := c.SearchCertificates(ctx, core.CertificateFilter{CESettingName: "LocalCE"}, opts...)
			return err
		}, "POST", pathSearch, true},
		{"initiate export", func(c *core.Client, opts ...core.CallOption) error {
			_, err := c.InitiateCertificateExport(ctx, activeLocal, opts...)
			return err
		}, "POST", pathExport, true},
		{"export status", func(c *core.Client, opts ...core.CallOption) error {
			_, err := c.CertificateExportStatus(ctx, opts...)
			return err
		}, "GET", pathExportStatus, false},
		{"download", func(c *core.Client, opts ...core.CallOption) error {
			_, err := c.DownloadCertificateExport(ctx, io.Discard, opts...)
			return err
		}, "GET", pathDownload, false},
	}
	want := func(method, path, id string, inBody bool) sentSpace {
		s := sentSpace{Method: method, Path: path, Query: id}
		if inBody {
			s.Body = id
		}
		return s
	}
	for _, op := range ops {
		t.Run(op.name, func(t *testing.T) {
			rec := &spaceRecorder{}
			srv, c := newFake(t, core.WithTransport(rec), core.WithAdminDeviceSpaceID(7))
			srv.StartExportElsewhere() // so the status and the download have a job to answer for

			// The client's space (7) is not the fake's: refused.
			if err := op.call(c); !errors.Is(err, core.ErrForbidden) {
				t.Fatalf("client space 7: err = %v, want the fake's 403", err)
			}
			// The call's space (1) wins over the client's.
			err := op.call(c, core.WithAdminDeviceSpaceID(1))
			if op.path == pathDownload {
				// The export started elsewhere is still running: Core's 404
				// for a missing file, which proves the space was accepted.
				if !errors.Is(err, core.ErrNotFound) {
					t.Fatalf("call space 1: err = %v, want the fake's no-file answer", err)
				}
			} else if err != nil {
				t.Fatalf("call space 1: %v", err)
			}
			wantSent := []sentSpace{want(op.method, op.path, "7", op.inBody), want(op.method, op.path, "1", op.inBody)}
			if diff := cmp.Diff(wantSent, rec.take()); diff != "" {
				t.Errorf("sent (-want +got):\n%s", diff)
			}
			// A per-call space that is not positive is refused before sending.
			for _, bad := range []int64{0, -1} {
				if err := op.call(c, core.WithAdminDeviceSpaceID(bad)); !errors.Is(err, core.ErrInvalidInput) {
					t.Errorf("call space %d: err = %v, want ErrInvalidInput", bad, err)
				}
			}
			if sent := rec.take(); len(sent) != 0 {
				t.Errorf("invalid spaces sent %v", sent)
			}
		})
	}

	t.Run("workflow", func(t *testing.T) {
		rec := &spaceRecorder{}
		srv, c := newFake(t, core.WithTransport(rec), core.WithAdminDeviceSpaceID(7))
		srv.SetExportPolls(1)
		if _, err := c.ExportCertificates(ctx, activeLocal, io.Discard, fastPoll, core.WithAdminDeviceSpaceID(1)); err != nil {
			t.Fatal(err)
		}
		wantSent := []sentSpace{
			want("POST", pathExport, "1", true),
			want("GET", pathExportStatus, "1", false),
			want("GET", pathExportStatus, "1", false),
			want("GET", pathDownload, "1", false),
		}
		if diff := cmp.Diff(wantSent, rec.take()); diff != "" {
			t.Errorf("sent (-want +got):\n%s", diff)
		}
	})
}

// Package fuzzcheck holds what the vendor packages' fuzz targets share: a
// round tripper that answers every request with one canned response, the
// check of what every *apierror.Error promises, and the loading of the seed
// samples used as seed corpus. It is imported by tests only.
package fuzzcheck

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/certadmin/certadmin-go/internal/apierror"
	"github.com/certadmin/certadmin-go/internal/transport"
)

// ExcerptMax is the longest text field an *apierror.Error may carry: the
// excerpt cap and its truncation mark.
const ExcerptMax = apierror.MaxBodyExcerpt + len(apierror.TruncationMark)

// MaxErrorDetails is the transport's cap on Details plus its "…and N more" entry.
const MaxErrorDetails = transport.MaxDetails + 1

// CannedTransport answers every request with the same response.
type CannedTransport struct {
	Status      int
	ContentType string
	Body        []byte
}

// RoundTrip reads away the request body and returns the canned response.
func (c CannedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		_, _ = io.Copy(io.Discard, req.Body)
		_ = req.Body.Close()
	}
	h := http.Header{}
	if c.ContentType != "" {
		h.Set("Content-Type", c.ContentType)
	}
	return &http.Response{
		Status:     fmt.Sprintf("%d %s", c.Status, http.StatusText(c.Status)),
		StatusCode: c.Status, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: h, Body: io.NopCloser(bytes.NewReader(c.Body)), ContentLength: int64(len(c.Body)), Request: req,
	}, nil
}

// CheckError asserts what every error of the SDK promises: it is an
// *apierror.Error naming its operation whose text fields respect the
// excerpt cap.
func CheckError(t testing.TB, err error) *apierror.Error {
	t.Helper()
	var e *apierror.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not an *apierror.Error", err, err)
	}
	if e.Op == "" {
		t.Errorf("error %q names no operation", err)
	}
	for name, s := range map[string]string{"Message": e.Message, "Body": e.Body, "Code": e.Code, "MessageKey": e.MessageKey, "Hint": e.Hint} {
		if len(s) > ExcerptMax {
			t.Errorf("%s holds %d bytes, more than the excerpt cap %d", name, len(s), ExcerptMax)
		}
	}
	if len(e.Details) > MaxErrorDetails {
		t.Errorf("%d details, more than %d", len(e.Details), MaxErrorDetails)
	}
	for i, d := range e.Details {
		if len(d) > ExcerptMax {
			t.Errorf("detail %d holds %d bytes, more than the excerpt cap %d", i, len(d), ExcerptMax)
		}
	}
	if e.Error() == "" {
		t.Error("empty error text")
	}
	return e
}

// Samples reads every file matching the glob pattern, byte for byte; it
// fails when none matches, so a moved fixture cannot leave a target without
// its seed corpus.
func Samples(t testing.TB, pattern string) [][]byte {
	t.Helper()
	names, err := filepath.Glob(pattern)
	if err != nil || len(names) == 0 {
		t.Fatalf("no samples %s: %v", pattern, err)
	}
	out := make([][]byte, 0, len(names))
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

// LooksHTML is the test's own reading of "this body is an HTML page": after
// white space and a byte-order mark, it opens with a doctype, an html, head
// or body tag, or a comment. Every answer that looks so must be refused
// whatever its Content-Type.
func LooksHTML(body []byte) bool {
	b := bytes.TrimLeft(body, " \t\r\n\ufeff")
	lower := bytes.ToLower(b[:min(len(b), 16)])
	for _, p := range []string{"<!doctype html", "<html", "<head", "<body", "<!--"} {
		if bytes.HasPrefix(lower, []byte(p)) {
			return true
		}
	}
	return false
}

package core

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"math"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/certadmin/certadmin-go/internal/apierror"
	"github.com/certadmin/certadmin-go/internal/fuzzcheck"
	"github.com/certadmin/certadmin-go/mobileiron/core/internal/jsonfix"
)

// The fuzz targets of this file feed arbitrary bodies to the decoders of
// Core's answers. The seed corpus is the vendor's samples in
// coretest/testdata, byte for byte and repaired into the strict JSON a real
// server sends, plus a few hostile bodies; `go test` runs just those, `go
// test -fuzz=FuzzX` explores beyond them.

func fuzzClient(t *testing.T, rt fuzzcheck.CannedTransport) *Client {
	t.Helper()
	c, err := NewClient("https://core.example.com", WithTransport(rt), WithMaxAttempts(1))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// contentTypes are the answer types the targets choose from.
var contentTypes = []string{"application/json", "application/json;charset=UTF-8", "text/plain", "text/html; charset=utf-8", ""}

func samples(f *testing.F, dir, pattern string) [][]byte {
	return fuzzcheck.Samples(f, filepath.Join(dir, pattern))
}

// jsonSamples are the JSON samples as printed and as repaired.
func jsonSamples(f *testing.F) [][]byte {
	var out [][]byte
	for _, b := range samples(f, sampleDir, "*_response.json") {
		out = append(out, b)
		if fixed := jsonfix.Clean(b); !bytes.Equal(fixed, b) {
			out = append(out, fixed)
		}
	}
	return out
}

const sampleDir = "coretest/testdata"

// hostileBodies are answers no documentation shows: error entries inside
// success answers, wrong types, huge values, HTML, truncation.
var hostileBodies = []string{
	``,
	`null`,
	`[]`,
	`{"messages":[{"type":"Error","messageKey":"com.mobileiron.vsp.messages.http.500","localizedMessage":"Internal error"}]}`,
	`{"results":[],"messages":[{"type":"ERROR","messageKey":"k"}]}`,
	`{"results":null,"messages":null}`,
	`{"results":{"isRunning":"yes"}}`,
	`{"results":[{"version":"3","notBefore":1573162384000},{"version":4,"notAfter":"2020-11-06"}]}`,
	`{"results":[]}`,
	`{"results":[{"id":1,"serialNumber":{"a":1},"expiredAt":"yesterday"}]}`,
	`{"results":[{"id":1,"serialNumber":1e400,"expiredAt":-62135596800000,"createdAt":"0001-01-01"}]}`,
	`{"results":[{"certificateExpirationDate":"2017-04-18T10:00:00.123456789+14:00","certificateUploadedDate":9223372036854775807}]}`,
	"{\u00a0\"results\": [\u00a0{\"id\": 2}, ... ,\u00a0],\u00a0\"messages\": [ … ]}",
	`{"results":{"exportStatusPollUrl":"` + strings.Repeat("x", 3000) + `"}}`,
	`{"messages":[{"type":"error","messageKey":"` + strings.Repeat("k", 3000) + `","localizedMessage":"` + strings.Repeat("m", 3000) + `"}]}`,
	`{"messages":[` + strings.Repeat(`{"type":"Info","localizedMessage":"i"},`, 40) + `{"type":"Error","localizedMessage":"e"}]}`,
	"<!DOCTYPE html><html><body>Sign in</body></html>",
	`{"results":[{"id":1}`,
	"\xef\xbb\xbf{\"results\":[]}",
}

// hasErrorMessage reports whether body (strict JSON) holds a messages
// entry of type Error, read independently of the code under test's
// decoding of results.
func hasErrorMessage(body []byte) bool {
	var env struct {
		Messages []struct {
			Type string `json:"type"`
		} `json:"messages"`
	}
	if json.Unmarshal(body, &env) != nil {
		return false
	}
	for _, m := range env.Messages {
		if strings.EqualFold(m.Type, "error") {
			return true
		}
	}
	return false
}

// decodeOps are the operations whose 2xx answers are decoded, each
// returning whether it produced a result.
var decodeOps = []func(t *testing.T, ctx context.Context, c *Client) (bool, error){
	func(t *testing.T, ctx context.Context, c *Client) (bool, error) {
		res, err := c.SearchCertificates(ctx, CertificateFilter{CESettingName: "LocalCE"})
		if res != nil {
			for _, cert := range res.Results {
				for _, tm := range []time.Time{cert.ExpiredAt, cert.CreatedAt} {
					checkTime(t, tm)
				}
			}
		}
		return res != nil, err
	},
	func(t *testing.T, ctx context.Context, c *Client) (bool, error) {
		res, err := c.GetUserProvidedCertificate(ctx, 7, "jdoe")
		if res != nil {
			for _, cert := range res.Results {
				for _, tm := range []time.Time{cert.NotBefore, cert.NotAfter, cert.CreatedAt, cert.ModifiedAt} {
					checkTime(t, tm)
				}
			}
		}
		return res != nil, err
	},
	func(t *testing.T, ctx context.Context, c *Client) (bool, error) {
		list, err := c.ListUserProvidedCertificates(ctx, "jdoe")
		if list != nil {
			for _, e := range list.Results {
				checkTime(t, e.ExpiresAt)
				checkTime(t, e.UploadedAt)
			}
		}
		return list != nil, err
	},
	func(t *testing.T, ctx context.Context, c *Client) (bool, error) {
		_, err := c.RevokePendingCertificates(ctx) // an answer without messages is a nil list
		return err == nil, err
	},
	func(t *testing.T, ctx context.Context, c *Client) (bool, error) {
		list, err := c.SCEPConfigurations(ctx, EnrollmentSubTypeSCEP)
		return list != nil, err
	},
	func(t *testing.T, ctx context.Context, c *Client) (bool, error) {
		list, err := c.CEConfigurations(ctx, EnrollmentSubTypeUserProvided)
		return list != nil, err
	},
	func(t *testing.T, ctx context.Context, c *Client) (bool, error) {
		list, err := c.SearchUsersWithoutCertificates(ctx, 7)
		return list != nil, err
	},
	func(t *testing.T, ctx context.Context, c *Client) (bool, error) {
		st, err := c.InitiateCertificateExport(ctx, CertificateFilter{CESettingName: "LocalCE", Status: CertificateStatusActive})
		return st != nil, err
	},
	func(t *testing.T, ctx context.Context, c *Client) (bool, error) {
		st, err := c.CertificateExportStatus(ctx)
		if st != nil {
			checkTime(t, st.InitiatedAt)
		}
		return st != nil, err
	},
	func(t *testing.T, ctx context.Context, c *Client) (bool, error) {
		st, err := c.InitiateUsersWithoutCertificatesExport(ctx, 7)
		return st != nil, err
	},
	func(t *testing.T, ctx context.Context, c *Client) (bool, error) {
		st, err := c.UsersWithoutCertificatesExportStatus(ctx, 7)
		return st != nil, err
	},
	func(t *testing.T, ctx context.Context, c *Client) (bool, error) {
		_, err := c.DeleteUserProvidedCertificate(ctx, 7, "jdoe") // an answer without messages is a nil list
		return err == nil, err
	},
}

// checkTime fails t when a decoded time is not in UTC (every Core date is
// converted to UTC, zone-less ones taken as UTC).
func checkTime(t *testing.T, tm time.Time) {
	t.Helper()
	if !tm.IsZero() && tm.Location() != time.UTC {
		t.Errorf("time %v is not in UTC", tm)
	}
}

// FuzzDecode feeds a body to the decoder of every operation's 2xx answer:
// no panic, a result exactly when there is no error, an error that keeps
// the caps, and no answer with an Error entry in its messages container
// ever taken for success.
func FuzzDecode(f *testing.F) {
	for _, b := range jsonSamples(f) {
		for op := range len(decodeOps) + 1 {
			f.Add(b, uint8(op), uint8(0))
		}
	}
	for i, s := range hostileBodies {
		for op := range len(decodeOps) + 1 {
			f.Add([]byte(s), uint8(op), uint8(i))
		}
	}
	f.Fuzz(func(t *testing.T, body []byte, which, ctype uint8) {
		contentType := contentTypes[int(ctype)%len(contentTypes)]
		c := fuzzClient(t, fuzzcheck.CannedTransport{Status: http.StatusOK, ContentType: contentType, Body: body})
		if int(which)%(len(decodeOps)+1) == len(decodeOps) {
			checkDownload(t, c, body, contentType)
			return
		}
		got, err := decodeOps[int(which)%(len(decodeOps)+1)](t, context.Background(), c)
		if err == nil {
			if !got {
				t.Fatal("no error and no result")
			}
			if hasErrorMessage(body) {
				t.Fatalf("an answer with an Error message passed for success: %q", body)
			}
			if isHTMLType(contentType) || fuzzcheck.LooksHTML(body) {
				t.Fatalf("an HTML page passed for success: %q", body)
			}
			return
		}
		if got {
			t.Fatalf("a result beside the error %v", err)
		}
		e := fuzzcheck.CheckError(t, err)
		switch {
		case errors.Is(err, ErrVendor):
			if !hasErrorMessage(body) {
				t.Fatalf("vendor error %v for an answer without an Error message: %q", err, body)
			}
		case errors.Is(err, ErrUnexpectedResponse), errors.Is(err, ErrHTMLResponse):
		default:
			t.Fatalf("2xx answer gave error %v of kind %v", err, e.Kind)
		}
	})
}

func isHTMLType(ct string) bool { return strings.HasPrefix(ct, "text/html") }

// checkDownload streams a 200 answer as the CSV download: a JSON or HTML
// answer is never taken for the file, anything else arrives byte for byte.
func checkDownload(t *testing.T, c *Client, body []byte, contentType string) {
	t.Helper()
	var buf bytes.Buffer
	n, err := c.DownloadCertificateExport(context.Background(), &buf)
	switch {
	case isHTMLType(contentType) || (!strings.HasPrefix(contentType, "application/json") && fuzzcheck.LooksHTML(body)):
		if !errors.Is(err, ErrHTMLResponse) {
			t.Fatalf("HTML download gave %d bytes, %v", n, err)
		}
	case strings.HasPrefix(contentType, "application/json"):
		if err == nil {
			t.Fatalf("JSON answer %q taken for the CSV file", body)
		}
		if !errors.Is(err, ErrVendor) && !errors.Is(err, ErrUnexpectedResponse) {
			t.Fatalf("JSON answer to a download gave %v", err)
		}
	default:
		if err != nil || n != int64(len(body)) || !bytes.Equal(buf.Bytes(), body) {
			t.Fatalf("download of %d bytes gave %d bytes (%q), %v", len(body), n, buf.Bytes(), err)
		}
		return
	}
	if e := fuzzcheck.CheckError(t, err); e.StatusCode != http.StatusOK {
		t.Fatalf("error for a 200 download carries status %d: %v", e.StatusCode, err)
	}
	if n != 0 || buf.Len() != 0 {
		t.Fatalf("%d bytes written beside the error %v", n, err)
	}
}

// FuzzDecodeError feeds a body to Core's error decoder, alone and through
// the transport for a non-2xx status: the status always survives, the
// vendor fields come only from a messages container, and the caps hold.
func FuzzDecodeError(f *testing.F) {
	for _, b := range jsonSamples(f) {
		f.Add(b, uint16(400), uint8(0), uint8(0))
	}
	for _, s := range hostileBodies {
		f.Add([]byte(s), uint16(410+len(s)), uint8(len(s)), uint8(len(s)/5))
	}
	f.Add([]byte(`{"messages":[{"type":"Error","messageKey":"com.mobileiron.vsp.messages.http.410","localizedMessage":"V1 API is disabled"}]}`), uint16(410), uint8(2), uint8(0))
	f.Fuzz(func(t *testing.T, body []byte, code uint16, which, ctype uint8) {
		status := 400 + int(code)%200

		e := &apierror.Error{Op: "core.Fuzz", StatusCode: status}
		decodeError(e, body)
		if e.StatusCode != status || e.Op != "core.Fuzz" || e.Kind != nil || e.Err != nil || e.Code != "" {
			t.Fatalf("decodeError changed fields it does not own: %+v", e)
		}
		var env struct {
			Messages []wireMessage `json:"messages"`
		}
		if (e.Message != "" || e.MessageKey != "" || len(e.Details) > 0) && (json.Unmarshal(body, &env) != nil || len(env.Messages) == 0) {
			t.Fatalf("vendor fields %+v from a body without messages: %q", e, body)
		}
		for _, d := range e.Details {
			if d == "" {
				t.Fatal("empty detail")
			}
		}

		contentType := contentTypes[int(ctype)%len(contentTypes)]
		c := fuzzClient(t, fuzzcheck.CannedTransport{Status: status, ContentType: contentType, Body: body})
		ctx := context.Background()
		var err error
		switch which % 4 {
		case 0:
			_, err = c.CertificateExportStatus(ctx)
		case 1:
			_, err = c.RevokePendingCertificates(ctx)
		case 2:
			_, err = c.PendingRevocationStatus(ctx)
		default:
			_, err = c.DownloadCertificateExport(ctx, io.Discard)
		}
		if err == nil {
			t.Fatalf("status %d passed for success", status)
		}
		ae := fuzzcheck.CheckError(t, err)
		if ae.StatusCode != status {
			t.Fatalf("error %v carries status %d, want %d", err, ae.StatusCode, status)
		}
		if errors.Is(err, ErrServer) != (status >= 500) {
			t.Fatalf("errors.Is(%v, ErrServer) wrong for status %d", err, status)
		}
		if status == http.StatusGone && ae.Hint != hintGone {
			t.Fatalf("410 without its hint: %v", err)
		}
	})
}

// FuzzParseRevocationStatus checks the parser of Core's plain-text
// revocation status: idle and running are told apart, the elapsed time is
// the number of seconds Core wrote (never negative or overflowed) and the
// text is kept. Through the client, text that is not a status is an error.
func FuzzParseRevocationStatus(f *testing.F) {
	for _, b := range samples(f, sampleDir, "revocation_status_*.txt") {
		f.Add(string(b))
	}
	for _, s := range []string{
		"", "being processed", "NOT BEING PROCESSED", "being processed 1 second",
		"Pending revocation certs are being processed. Total duration so far 9223372036854775807 Seconds",
		"Pending revocation certs are being processed. Total duration so far 99999999999999999999 Seconds",
		"Pending revocation certs are being processed. Total duration so far 9223372037 Seconds",
		"being processed -5 seconds", "beingprocessed", "notbeing processed", "\u00a0being processed\u00a0",
		`{"messages":[{"type":"Error","localizedMessage":"being processed"}]}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		st, ok := parseRevocationStatus(text)
		if st == nil {
			t.Fatal("nil status")
		}
		if st.Text != strings.TrimSpace(text) {
			t.Fatalf("Text = %q, want the trimmed answer %q", st.Text, strings.TrimSpace(text))
		}
		if st.Elapsed < 0 {
			t.Fatalf("negative elapsed time %s from %q", st.Elapsed, text)
		}
		if st.Elapsed%time.Second != 0 {
			t.Fatalf("elapsed time %s is not whole seconds", st.Elapsed)
		}
		switch {
		case !ok:
			if st.InProgress || st.Elapsed != 0 {
				t.Fatalf("unrecognised text gave %+v", st)
			}
			if strings.Contains(strings.ToLower(text), "being processed") && revocationRunning.MatchString(text) {
				t.Fatalf("%q says being processed but was not recognised", text)
			}
		case !st.InProgress:
			if st.Elapsed != 0 || !revocationIdle.MatchString(text) {
				t.Fatalf("idle status %+v from %q", st, text)
			}
		default:
			if revocationIdle.MatchString(text) {
				t.Fatalf("%q says not being processed but parsed as running", text)
			}
			// Core's count of seconds, when it fits a Duration, is the
			// elapsed time; one that does not is no elapsed time at all.
			want := time.Duration(0)
			if m := revocationSeconds.FindStringSubmatch(text); m != nil {
				if secs, err := strconv.ParseInt(m[1], 10, 64); err == nil && secs <= int64(math.MaxInt64/time.Second) {
					want = time.Duration(secs) * time.Second
				}
			}
			if st.Elapsed != want {
				t.Fatalf("elapsed %s from %q, want %s", st.Elapsed, text, want)
			}
		}

		c := fuzzClient(t, fuzzcheck.CannedTransport{Status: http.StatusOK, ContentType: "text/plain", Body: []byte(text)})
		got, err := c.PendingRevocationStatus(context.Background())
		if ok != (err == nil) {
			t.Fatalf("parse ok = %v but the client said %v", ok, err)
		}
		if err != nil {
			e := fuzzcheck.CheckError(t, err)
			if !errors.Is(err, ErrVendor) && !errors.Is(err, ErrUnexpectedResponse) && !errors.Is(err, ErrHTMLResponse) {
				t.Fatalf("unrecognised status text gave error of kind %v: %v", e.Kind, err)
			}
			return
		}
		if got.InProgress != st.InProgress || got.Elapsed != st.Elapsed {
			t.Fatalf("client status %+v differs from the parser's %+v", got, st)
		}
	})
}

// FuzzParseTime checks Core's date parser (epoch milliseconds, RFC 3339,
// zone-less and date-only text): results are in UTC, a number is exactly
// that many milliseconds, and a parsed time survives RFC 3339 and back.
func FuzzParseTime(f *testing.F) {
	for _, s := range []string{
		"2017-04-18", "2016-04-18", "1492560000000", "0", "-62135596800000", "2017-04-18T10:00:00",
		"2017-04-18 10:00:00", "2017-04-18T10:00:00.123+02:00", "2017-04-18T10:00:00Z", " 2017-04-18 ",
		"9223372036854775807", "0001-01-01", "9999-12-31T23:59:59.999999999-23:59", "yesterday", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tm, err := parseTime(s)
		if err != nil {
			if !tm.IsZero() {
				t.Fatalf("error %v beside time %v", err, tm)
			}
			return
		}
		if tm.Location() != time.UTC {
			t.Fatalf("%q parsed to %v, not UTC", s, tm)
		}
		if ms, perr := strconv.ParseInt(strings.TrimSpace(s), 10, 64); perr == nil && !tm.Equal(time.UnixMilli(ms)) {
			t.Fatalf("%q parsed to %v, want %d ms since the epoch", s, tm, ms)
		}
		if tm.Year() < 0 || tm.Year() > 9999 {
			return // RFC 3339 cannot write it
		}
		back, err := parseTime(tm.Format(time.RFC3339Nano))
		if err != nil || !back.Equal(tm) {
			t.Fatalf("%q parsed to %v; its RFC 3339 form parsed to %v, %v", s, tm, back, err)
		}
	})
}

package mimcm

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/certadmin/certadmin-go/internal/apierror"
	"github.com/certadmin/certadmin-go/internal/fuzzcheck"
)

// The fuzz targets of this file feed arbitrary bodies to the decoders of
// the CM REST API's answers and to its error decoder. The seed corpus is
// the seed's samples in mimcmtest/testdata, byte for byte, plus a few
// hostile bodies; `go test` runs just those.

func fuzzClient(t *testing.T, rt fuzzcheck.CannedTransport) *Client {
	t.Helper()
	c, err := NewClient("https://cm.example.com", WithTransport(rt), WithMaxAttempts(1))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

var contentTypes = []string{"application/json; charset=utf-8", "text/plain", "text/html", ""}

func samples(f *testing.F) [][]byte {
	return fuzzcheck.Samples(f, filepath.Join("mimcmtest", "testdata", "*.json"))
}

var hostileBodies = []string{
	``,
	`null`,
	`[]`,
	`[null]`,
	`{}`,
	`"An error has occurred."`,
	`{"Message":"An error has occurred.","ExceptionMessage":"Correlation ID: 8f1590dc-d932-4b66-8e68-2e91c5880780","ExceptionType":"System.Exception"}`,
	`{"Message":"Failure 8f1590dc-d932-4b66-8e68-2e91c5880780 and a9b4b42c-cc50-4c9b-89d1-bbc0bcd5a099"}`,
	`{"Message":"` + strings.Repeat("m", 3000) + `","MessageDetail":"` + strings.Repeat("d", 3000) + `","ExceptionType":"` + strings.Repeat("T", 3000) + `"}`,
	"Correlation id: 8F1590DCD9324B668E682E91C5880780",
	`{"Message":"An error has occurred. Correlation ID: 0HMPNHL0JHL76:00000001."}`,
	`{"Message":"An error has occurred.","CorrelationId":"  req-42  "}`,
	"Internal error (correlation id = {5D0B3A4E-8C61-4F0E-B2A7-93C1D4E5F607}) " + strings.Repeat("x", 600),
	`"Correlation ID: \"quoted\"."`,
	"correlation id: " + strings.Repeat("é", 100),
	`{"Message":"Correlation ID:"}`,
	strings.Repeat("x", 600),
	`{"Uuid":"a9b4b42c-cc50-4c9b-89d1-bbc0bcd5a099","Submitted":"0001-01-01T00:00:00","Completed":"2015-07-07T23:36:21.93+14:00"}`,
	`{"Uuid":"not-a-guid"}`,
	`{"Submitted":"2015-07-07"}`,
	`{"Completed":"0001-01-01T00:00:00.0000001"}`,
	`{"Completed":"0000-12-31T23:00:00-01:00"}`,
	`[{"Uuid":"a9b4b42c-cc50-4c9b-89d1-bbc0bcd5a099"},{"RequestType":5,"Status":8}]`,
	`{"SecurityDescriptor":"\u0000\u0000"}`,
	strings.Repeat(" ", 70) + `{"Uuid":"a9b4b42c-cc50-4c9b-89d1-bbc0bcd5a099"}`,
	"<!DOCTYPE html><html><body>Sign in</body></html>",
	`{"Uuid":"a9b4b42c-cc50-4c9b-89d1-bbc0bcd5a099"`,
}

// checkCorrelationID asserts what CorrelationID promises of an ID: one
// run of text without white space, quotes at its ends or a trailing full
// stop, valid UTF-8, at most 128 bytes, and found in the error's message
// or details as printed.
func checkCorrelationID(t *testing.T, id string, e *apierror.Error) {
	t.Helper()
	if id == "" {
		return
	}
	if len(id) > maxCorrelationID || !utf8.ValidString(id) || strings.IndexFunc(id, isSpace) >= 0 ||
		strings.ContainsAny(id[:1]+id[len(id)-1:], "\"'`") || strings.HasSuffix(id, ".") {
		t.Fatalf("correlation ID %q is not trimmed and capped", id)
	}
	if !strings.Contains(strings.Join(append([]string{e.Message}, e.Details...), "\n"), id) {
		t.Fatalf("correlation ID %q is not in the message %q or details %q", id, e.Message, e.Details)
	}
}

// FuzzDecodeError feeds a body to the CM error decoder, alone and through
// the transport for a non-2xx status: the status survives, plain text is
// kept only when short and not markup, a correlation ID is pointed out for
// a 5xx only and is trimmed and capped, a 404 gets its hint, and the caps
// hold.
func FuzzDecodeError(f *testing.F) {
	for _, b := range samples(f) {
		f.Add(b, uint16(100), uint8(0), uint8(0))
	}
	for i, s := range hostileBodies {
		f.Add([]byte(s), uint16(i*37), uint8(i), uint8(i))
	}
	f.Fuzz(func(t *testing.T, body []byte, code uint16, which, ctype uint8) {
		status := 400 + int(code)%200

		e := &apierror.Error{Op: "mimcm.Fuzz", StatusCode: status}
		decodeError(e, body)
		if e.StatusCode != status || e.Op != "mimcm.Fuzz" || e.Kind != nil || e.Err != nil || e.MessageKey != "" || e.Hint != "" {
			t.Fatalf("decodeError changed fields it does not own: %+v", e)
		}
		annotate(e)
		switch id := correlationID(e); {
		case status == http.StatusNotFound:
			if e.Hint != disabledHint {
				t.Fatalf("404 hint %q", e.Hint)
			}
		case (e.Hint != "") != (status >= 500 && id != ""):
			t.Fatalf("hint %q for status %d and correlation ID %q", e.Hint, status, id)
		default:
			checkCorrelationID(t, id, e)
		}
		if e.Message != "" && !strings.HasPrefix(strings.TrimSpace(string(body)), "{") && !strings.HasPrefix(strings.TrimSpace(string(body)), `"`) {
			if len(e.Message) > maxPlainText || strings.ContainsAny(e.Message, "<{") {
				t.Fatalf("plain-text message %q kept", e.Message)
			}
		}

		contentType := contentTypes[int(ctype)%len(contentTypes)]
		c := fuzzClient(t, fuzzcheck.CannedTransport{Status: status, ContentType: contentType, Body: body})
		var err error
		if which%2 == 0 {
			_, err = c.GetRequest(context.Background(), uuid.MustParse("a9b4b42c-cc50-4c9b-89d1-bbc0bcd5a099"))
		} else {
			_, err = c.ListRequests(context.Background(), RequestFilter{Status: StatusCompleted})
		}
		if err == nil {
			t.Fatalf("status %d passed for success", status)
		}
		ae := fuzzcheck.CheckError(t, err)
		if ae.StatusCode != status {
			t.Fatalf("error %v carries status %d, want %d", err, ae.StatusCode, status)
		}
		if status == http.StatusNotFound && ae.Hint != disabledHint {
			t.Fatalf("404 without the API-disabled hint: %v", err)
		}
		id := CorrelationID(err)
		if id != "" && status < 500 {
			t.Fatalf("CorrelationID = %q for status %d", id, status)
		}
		checkCorrelationID(t, id, ae)
	})
}

// FuzzDecode feeds a 200 or 204 body to GetRequest and ListRequests: the
// same single object decodes the same way through both, dates are set
// exactly when the server did not send .NET's MinValue, and errors are
// typed and capped.
func FuzzDecode(f *testing.F) {
	for _, b := range samples(f) {
		f.Add(b, false)
	}
	for _, s := range hostileBodies {
		f.Add([]byte(s), len(s) == 0)
	}
	id := uuid.MustParse("a9b4b42c-cc50-4c9b-89d1-bbc0bcd5a099")
	f.Fuzz(func(t *testing.T, body []byte, noContent bool) {
		status := http.StatusOK
		if noContent {
			status = http.StatusNoContent
		}
		c := fuzzClient(t, fuzzcheck.CannedTransport{Status: status, ContentType: "application/json; charset=utf-8", Body: body})
		ctx := context.Background()
		one, errOne := c.GetRequest(ctx, id)
		list, errList := c.ListRequests(ctx, RequestFilter{})
		if (one == nil) == (errOne == nil) {
			t.Fatalf("request %v beside error %v", one, errOne)
		}
		if noContent {
			if !errors.Is(errOne, ErrNotFound) || errList != nil || len(list) != 0 {
				t.Fatalf("204 gave %v / %v, %v", errOne, list, errList)
			}
			return
		}
		for _, err := range []error{errOne, errList} {
			if err != nil {
				if e := fuzzcheck.CheckError(t, err); e.StatusCode != http.StatusOK && e.StatusCode != 0 {
					t.Fatalf("200 answer gave error with status %d: %v", e.StatusCode, err)
				}
				// ErrVendor: the server's error object sent with 200.
				if !errors.Is(err, ErrUnexpectedResponse) && !errors.Is(err, ErrHTMLResponse) && !errors.Is(err, ErrVendor) {
					t.Fatalf("200 answer gave error %v", err)
				}
			}
		}
		for _, r := range list {
			checkRequest(t, r)
		}
		if one != nil {
			checkRequest(t, *one)
		}
		if one != nil && bytes.HasPrefix(bytes.TrimSpace(body), []byte("{")) {
			// A single object is also a list of one.
			if errList != nil || len(list) != 1 || !reflect.DeepEqual(list[0], *one) {
				t.Fatalf("object read by GetRequest as %+v, by ListRequests as %+v, %v", *one, list, errList)
			}
		}
	})
}

// checkRequest asserts the conversion's promises: no all-zero GUID behind
// a pointer, no trailing NULs in the descriptor, IsCompleted following
// Completed, and no date left at .NET's MinValue (year 1) without being
// the zero time.
func checkRequest(t *testing.T, r Request) {
	t.Helper()
	for _, p := range []*uuid.UUID{r.OriginatorUserUUID, r.TargetUserUUID, r.NewProfileUUID, r.OldProfileUUID, r.NewSmartcardUUID, r.OldSmartcardUUID, r.ProfileTemplateUUID} {
		if p != nil && *p == uuid.Nil {
			t.Fatal("all-zero GUID kept as set")
		}
	}
	if strings.HasSuffix(r.SecurityDescriptor, "\x00") {
		t.Fatalf("descriptor keeps its NULs: %q", r.SecurityDescriptor)
	}
	if r.IsCompleted() != !r.Completed.IsZero() {
		t.Fatal("IsCompleted disagrees with Completed")
	}
	for _, tm := range []time.Time{r.Submitted, r.Completed} {
		if !tm.IsZero() && tm.Year() == 1 && tm.YearDay() == 1 && tm.Hour() == 0 && tm.Minute() == 0 && tm.Second() == 0 && tm.Nanosecond() == 0 {
			t.Fatalf("MinValue %v not decoded as the zero time", tm)
		}
	}
}

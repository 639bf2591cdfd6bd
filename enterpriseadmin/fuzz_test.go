package enterpriseadmin

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/certadmin/certadmin-go/internal/apierror"
	"github.com/certadmin/certadmin-go/internal/fuzzcheck"
)

// The fuzz targets of this file feed arbitrary bodies to the decoders of
// the ArcGIS Enterprise Administrator API's answers, its two error shapes
// (inside a 200 and with an error status) and the Java Date.toString()
// parser of certificate dates. The seed corpus is the documentation's sample in
// enterpriseadmintest/testdata, byte for byte, the error bodies the
// documentation shows, and a few hostile bodies; `go test` runs just those.

func fuzzClient(t *testing.T, rt fuzzcheck.CannedTransport) *Client {
	t.Helper()
	c, err := NewClient("https://gis.example.com/arcgis", WithTransport(rt), WithMaxAttempts(1))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

var contentTypes = []string{"application/json", "text/plain;charset=utf-8", "text/html", ""}

func samples(f *testing.F) [][]byte {
	return fuzzcheck.Samples(f, filepath.Join("enterpriseadmintest", "testdata", "*.json"))
}

// errorBodies are the two error shapes as the documentation shows them,
// and variations of them no documentation shows. They are kept small: the
// fuzzer minimises every new input it finds for up to a minute, so large
// seeds stall it. Bodies over the excerpt caps are in largeErrorBodies.
var errorBodies = []string{
	`{"error":{"code":498,"message":"Invalid token.","details":[]}}`,
	`{"status":"error","messages":["Token Expired."],"code":498}`,
	`{"error":{"code":499,"message":"Token Required.","details":[]}}`,
	`{"error":{"code":400,"message":"Unable to generate token.","details":["Invalid username or password."]}}`,
	`{"error":{"code":"404","messageCode":"GWM_0003","message":"Not found","details":null}}`,
	`{"status":"failed","messages":[],"code":null}`,
	`{"status":"error","messages":["a","b","c"],"code":"403"}`,
	`{"error":{"code":500,"message":"Internal error","details":"one string"}}`,
	`{"error":{"code":498,"message":{"text":"x"}}}`,
	`{"status":"error","messages":"Token Expired.","code":498}`,
	`{"status":"error","messages":[1,null,"x"],"code":{"a":1}}`,
	`{"error":{}}`,
	`{"error":null,"status":"success"}`,
	`{"ERROR":{"code":401}}`,
	`{"st\u0061tus":"error","code":404}`,
}

// largeErrorBodies check the caps on what an error keeps from the body
// (excerpt length, number of details). TestDecodeLargeBodies runs them
// through the same checks as the fuzzer.
var largeErrorBodies = []string{
	`{"error":{"code":` + strings.Repeat("9", 3000) + `,"message":"` + strings.Repeat("m", 3000) + `","messageCode":"` + strings.Repeat("K", 3000) + `"}}`,
	`{"error":{"code":500,"details":[` + strings.Repeat(`"d",`, 40) + `"e"]}}`,
	// Once a fuzz corpus entry: a message code over the cap with a token code.
	`{"error":{"code":498,"messageCode":"` + strings.Repeat("K", 3000) + `","message":"Invalid token."}}`,
}

var hostileBodies = []string{
	``,
	`null`,
	`[]`,
	`{}`,
	`{"status":"success"}`,
	`{"certificates":[{"id":"a","validFrom":"Wed Apr 07 10:32:43 UTC 2021","validUntilAsEpoch":0},{"validFromAsEpoch":-1}]}`,
	`{"certificates":[{"validFrom":"Mon Jan 01 00:00:00 PST 2024","validUntil":"Sat Feb 30 10:32:43 UTC 2031"}]}`,
	`{"certificates":null}`,
	`{"certificates":{"id":"a"}}`,
	`{"keySize":"2048"}`,
	`{"validFromAsEpoch":9223372036854775807,"validUntilAsEpoch":-9223372036854775808}`,
	"<!DOCTYPE html><html><body>Sign in</body></html>",
	`{"certificates":[{"id":"a"}`,
}

// looksLikeFault is an independent reading of the two error shapes: an
// "error" member holding an object, or a "status" of "error" or "failed".
// Whatever the types inside, such an answer reports an error.
func looksLikeFault(body []byte) bool {
	var m map[string]json.RawMessage
	if json.Unmarshal(body, &m) != nil {
		return false
	}
	if e := bytes.TrimSpace(m["error"]); len(e) > 0 && e[0] == '{' {
		return true
	}
	var status string
	if json.Unmarshal(m["status"], &status) == nil && (status == "error" || status == "failed") {
		return true
	}
	return false
}

// decodeOps are the calls that decode a 2xx answer, each returning whether
// it produced a result.
var decodeOps = []func(ctx context.Context, c *Client) (bool, error){
	func(ctx context.Context, c *Client) (bool, error) {
		ing, err := c.GetIngressSecurity(ctx)
		return ing != nil, err
	},
	func(ctx context.Context, c *Client) (bool, error) {
		certs, err := c.ListIdentityCertificates(ctx)
		return certs != nil, err
	},
	func(ctx context.Context, c *Client) (bool, error) {
		certs, err := c.ListTrustCertificates(ctx)
		return certs != nil, err
	},
	func(ctx context.Context, c *Client) (bool, error) {
		cert, err := c.GetIdentityCertificate(ctx, "samlcert")
		return cert != nil, err
	},
	func(ctx context.Context, c *Client) (bool, error) {
		cert, err := c.GetTrustCertificate(ctx, "root")
		return cert != nil, err
	},
	func(ctx context.Context, c *Client) (bool, error) {
		_, err := c.GetCertificatesResource(ctx) // a null answer is a nil map
		return err == nil, err
	},
	func(ctx context.Context, c *Client) (bool, error) {
		err := c.DeleteIdentityCertificate(ctx, "samlcert")
		return err == nil, err
	},
	func(ctx context.Context, c *Client) (bool, error) {
		err := c.DeleteTrustCertificate(ctx, "root")
		return err == nil, err
	},
}

// FuzzDecodeBody feeds a 200 body to every call that decodes one: an
// answer in either error shape is always an error (matching the sentinel
// its code names), anything else never a vendor error, and every error is
// typed and capped. Each seed body is added once, for one of the calls in
// turn (the fuzzer varies which): 30-odd small seeds instead of every body
// times every call.
func FuzzDecodeBody(f *testing.F) {
	bodies := append(append([]string(nil), errorBodies...), hostileBodies...)
	for _, b := range samples(f) {
		bodies = append(bodies, string(b))
	}
	for i, s := range bodies {
		f.Add([]byte(s), uint8(i))
	}
	f.Fuzz(checkDecodeBody)
}

// TestDecodeLargeBodies runs the bodies too large for the fuzzers' seeds
// through the checks of FuzzDecodeBody and FuzzDecodeError, for every call.
func TestDecodeLargeBodies(t *testing.T) {
	for i, s := range largeErrorBodies {
		for op := range decodeOps {
			checkDecodeBody(t, []byte(s), uint8(op))
			checkDecodeError(t, []byte(s), uint16(i*7+op), uint8(op), uint8(i+op))
		}
	}
}

func checkDecodeBody(t *testing.T, body []byte, which uint8) {
	c := fuzzClient(t, fuzzcheck.CannedTransport{Status: http.StatusOK, ContentType: "application/json", Body: body})
	got, err := decodeOps[int(which)%len(decodeOps)](context.Background(), c)
	fault, isFault := parseFault(body)
	if looksLikeFault(body) && !isFault {
		t.Fatalf("an error body was not recognised: %q", body)
	}
	if err == nil {
		if !got {
			t.Fatal("no error and no result")
		}
		if isFault {
			t.Fatalf("an error inside a 200 passed for success: %q", body)
		}
		return
	}
	if got {
		t.Fatalf("a result beside the error %v", err)
	}
	e := fuzzcheck.CheckError(t, err)
	if isFault != errors.Is(err, ErrVendor) {
		t.Fatalf("error body %v but error %v", isFault, err)
	}
	if isFault {
		if e.StatusCode != http.StatusOK {
			t.Fatalf("vendor error with status %d", e.StatusCode)
		}
		// The code in the body picks at most one status sentinel (the
		// HTTP status, 200, picks none), and only the one it names.
		unauthorized, forbidden, notFound := errors.Is(err, ErrUnauthorized), errors.Is(err, ErrForbidden), errors.Is(err, ErrNotFound)
		token := fault.code == "401" || fault.code == "498" || fault.code == "499" || fault.messageKey == "GWM_0003"
		if unauthorized != token || forbidden != (!token && fault.code == "403") || notFound != (!token && fault.code == "404") {
			t.Fatalf("code %q key %q maps to the wrong sentinel: %v", fault.code, fault.messageKey, err)
		}
		if IsTokenError(err) != (fault.code == "498" || fault.code == "499" || fault.messageKey == "GWM_0003") {
			t.Fatalf("IsTokenError wrong for code %q key %q", fault.code, fault.messageKey)
		}
		return
	}
	if !errors.Is(err, ErrUnexpectedResponse) && !errors.Is(err, ErrHTMLResponse) {
		t.Fatalf("2xx answer gave error %v", err)
	}
}

// FuzzDecodeError feeds a body to the error decoder, alone and through the
// transport for a non-2xx status: the status survives, vendor fields come
// only from an error shape, and the caps hold.
func FuzzDecodeError(f *testing.F) {
	for _, b := range samples(f) {
		f.Add(b, uint16(0), uint8(0), uint8(0))
	}
	for i, s := range append(append([]string{}, errorBodies...), hostileBodies...) {
		f.Add([]byte(s), uint16(i*7), uint8(i), uint8(i))
	}
	f.Fuzz(checkDecodeError)
}

func checkDecodeError(t *testing.T, body []byte, code uint16, which, ctype uint8) {
	status := 400 + int(code)%200

	e := &apierror.Error{Op: "enterpriseadmin.Fuzz", StatusCode: status}
	decodeError(e, body)
	if e.StatusCode != status || e.Op != "enterpriseadmin.Fuzz" || e.Kind != nil {
		t.Fatalf("decodeError changed fields it does not own: %+v", e)
	}
	if _, isFault := parseFault(body); !isFault && (e.Code != "" || e.Message != "" || e.MessageKey != "" || len(e.Details) > 0 || e.Err != nil) {
		t.Fatalf("vendor fields %+v from a body that is no error shape: %q", e, body)
	}

	contentType := contentTypes[int(ctype)%len(contentTypes)]
	c := fuzzClient(t, fuzzcheck.CannedTransport{Status: status, ContentType: contentType, Body: body})
	_, err := decodeOps[int(which)%len(decodeOps)](context.Background(), c)
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
}

// FuzzJavaDate checks the parser of certificate dates: the epoch field wins
// when set; otherwise the Java Date.toString() text is read with the year it
// wrote, and a parsed date survives being written in that form again. No
// date is made up: text that does not parse is the zero time ("not known").
func FuzzJavaDate(f *testing.F) {
	for _, b := range samples(f) {
		var raw map[string]any
		if err := json.Unmarshal(b, &raw); err != nil {
			f.Fatal(err)
		}
		for _, k := range []string{"validFrom", "validUntil"} {
			if s, ok := raw[k].(string); ok {
				f.Add(s, int64(0))
				if ms, ok := raw[k+"AsEpoch"].(float64); ok {
					f.Add(s, int64(ms))
				}
			}
		}
	}
	for _, s := range []string{
		"Wed Apr 07 10:32:43 GMT 2021", "Mon Jan 01 00:00:00 PST 2024", "Thu Jan 01 00:00:00 UTC 1970",
		"Mon Jan 01 00:00:00 UTC 0001", "Sat Feb 30 10:32:43 UTC 2031", "Wed Apr 7 10:32:43 UTC 2021",
		"Fri Sep 03 16:07:57 PDT 2021", "Fri Sep 03 16:07:57 CEST 2021", "Fri Sep 03 16:07:57 XYZ 2021",
		"Wed Apr 07 10:32:43 GMT+02:00 2021", "Wed Apr 07 10:32:43 GMT+2 2021", "Wed Apr 07 10:32:43 GMT-10 2021", "Wed Apr 07 24:00:00 UTC 2021", "2021-04-07T10:32:43Z", "",
	} {
		f.Add(s, int64(0))
	}
	f.Fuzz(func(t *testing.T, text string, ms int64) {
		got := certificateTime(&ms, text)
		if ms != 0 {
			if !got.Equal(time.UnixMilli(ms)) || got.Location() != time.UTC {
				t.Fatalf("epoch %d gave %v", ms, got)
			}
			return
		}
		if nilEpoch := certificateTime(nil, text); !nilEpoch.Equal(got) {
			t.Fatalf("a null and a 0 epoch read %q differently: %v, %v", text, nilEpoch, got)
		}
		if _, err := time.Parse(javaDateLayout, text); err != nil {
			if !got.IsZero() {
				t.Fatalf("%q does not parse but gave %v", text, got)
			}
			return
		}
		// A zone whose offset is not known leaves the time unknown (a known
		// one may still write the zero instant itself, in year 1).
		if f := strings.Fields(text); got.IsZero() && len(f) == 6 {
			if _, known := javaZoneOffset(f[4]); f[5] != "0001" && (known || (strings.HasPrefix(f[4], "GMT") && len(f[4]) > 3)) {
				t.Fatalf("%q: known zone %s read as unknown", text, f[4])
			}
			return
		}
		if year, perr := strconv.Atoi(text[len(text)-4:]); perr != nil || got.Year() != year {
			t.Fatalf("%q gave %v: not the year the text wrote", text, got)
		}
		// The clock time is the one written, in the zone written: read the
		// text once more without its zone and compare.
		if f := strings.Fields(text); len(f) == 6 {
			wall, err := time.Parse("Mon Jan 02 15:04:05 2006", strings.Join([]string{f[0], f[1], f[2], f[3], f[5]}, " "))
			const clock = "2006-01-02 15:04:05"
			if err == nil && got.Format(clock) != wall.Format(clock) {
				t.Fatalf("%q gave %v: not the clock time written", text, got)
			}
			_, offset := got.Zone()
			if h, ok := strings.CutPrefix(f[4], "GMT"); ok && h != "" {
				if n, err := strconv.Atoi(h); err == nil && offset != n*3600 {
					t.Fatalf("%q gave %v: offset %ds, want %dh", text, got, offset, n)
				}
			}
			if want, known := javaZoneOffset(f[4]); known && offset != int(want/time.Second) {
				t.Fatalf("%q gave %v: offset %ds, want %v", text, got, offset, want)
			}
		}
		again := got.Format(javaDateLayout)
		back := certificateTime(nil, again)
		if !back.Equal(got) || back.Format(javaDateLayout) != again {
			t.Fatalf("%q gave %v, written as %q, read back as %v", text, got, again, back)
		}
	})
}

// FuzzIngressSecurityJSON: any JSON object the server sends as its ingress
// configuration decodes, encodes back with every member as read, and
// decodes again to the same fields: nothing the client does not know is
// lost on the way to an update.
func FuzzIngressSecurityJSON(f *testing.F) {
	for _, s := range []string{
		`{"cipherSuites":"ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256","httpsProtocols":"TLSv1.2","tlsSecretName":"","isTlsSecretSystemManaged":true,"identityCertificateName":"samlcert","hstsEnabled":false}`,
		`{"cipherSuites":["a","b"],"httpsProtocols":["TLSv1.2","TLSv1.3"],"isTlsSecretSystemManaged":"false","tlsSecretName":"wild"}`,
		`{"identityCertificateName":null,"isTlsSecretSystemManaged":1,"x":{"y":[1,2]}}`,
		`{}`, `null`, `[]`, `{"cipherSuites":7}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var s IngressSecurity
		if json.Unmarshal(b, &s) != nil {
			return
		}
		out, err := json.Marshal(s)
		if err != nil {
			t.Fatalf("encode %q: %v", b, err)
		}
		var back IngressSecurity
		if err := json.Unmarshal(out, &back); err != nil {
			t.Fatalf("decode what was encoded %q: %v", out, err)
		}
		if len(back.raw) != len(s.raw) {
			t.Fatalf("members %d after a round trip, want %d: %q -> %q", len(back.raw), len(s.raw), b, out)
		}
		for k, v := range s.raw {
			if !sameJSON(v, back.raw[k]) {
				t.Fatalf("member %q changed from %s to %s", k, v, back.raw[k])
			}
		}
		if back.CipherSuites != s.CipherSuites || back.HTTPSProtocols != s.HTTPSProtocols || back.TLSSecretName != s.TLSSecretName ||
			back.IdentityCertificateName != s.IdentityCertificateName || (back.IsTLSSecretSystemManaged == nil) != (s.IsTLSSecretSystemManaged == nil) {
			t.Fatalf("fields changed in a round trip: %+v -> %+v", s, back)
		}
	})
}

package transport

// Audit probes of the token check that reads the vendor's error once
// (TokenAuth.Rejected's fault, answerFault, peekBody, replayBody,
// Client.errorInBody). Every probe is deterministic: no sleeps, no clocks.
//
// Most probes compare a client whose TokenAuth asks fault() on every answer
// with a baseline client that has no token check at all, which reads the
// answer exactly as the SDK did before the change: what the caller sees
// (error kind, status, code, message, details, excerpt, body) must be the
// same.

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unsafe"

	"github.com/certadmin/certadmin-go/internal/apierror"
)

// a3Answer is one answer of the probe server.
type a3Answer struct {
	status int
	ct     string
	body   string
	// framing: "sized" (Content-Length), "chunked", "gzip" (sized gzip),
	// "gzipchunked", "gzipempty" (gzip declared, Content-Length 0), or a truncated one written on the raw connection:
	// "short" (Content-Length 10 more than sent), "chunkshort" (a chunk
	// that declares 10 bytes more than sent), "gzipshort" (half of the
	// sized gzip stream).
	framing string
	// header: extra headers.
	header http.Header
}

func a3Gzip(s string) []byte {
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	_, _ = zw.Write([]byte(s))
	_ = zw.Close()
	return z.Bytes()
}

// a3Write writes a on w; the truncated framings hijack the connection and
// close it after the partial body.
func a3Write(w http.ResponseWriter, a a3Answer) {
	switch a.framing {
	case "short", "chunkshort", "gzipshort":
		conn, bw, err := w.(http.Hijacker).Hijack()
		if err != nil {
			panic(err)
		}
		defer conn.Close()
		fmt.Fprintf(bw, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\n", a.status, http.StatusText(a.status), a.ct)
		switch a.framing {
		case "short":
			fmt.Fprintf(bw, "Content-Length: %d\r\n\r\n%s", len(a.body)+10, a.body)
		case "chunkshort":
			fmt.Fprintf(bw, "Transfer-Encoding: chunked\r\n\r\n%x\r\n%s", len(a.body)+10, a.body)
		case "gzipshort":
			z := a3Gzip(a.body)
			fmt.Fprintf(bw, "Content-Encoding: gzip\r\nContent-Length: %d\r\n\r\n", len(z))
			_, _ = bw.Write(z[:len(z)/2])
		}
		_ = bw.Flush()
		return
	}
	for k, v := range a.header {
		w.Header()[k] = v
	}
	if a.ct != "" {
		w.Header().Set("Content-Type", a.ct)
	}
	body := []byte(a.body)
	switch a.framing {
	case "gzip", "gzipchunked":
		body = a3Gzip(a.body)
		w.Header().Set("Content-Encoding", "gzip")
	case "gzipempty":
		// gzip declared, no byte sent: not even a gzip header.
		body = nil
		w.Header().Set("Content-Encoding", "gzip")
		a.framing = "sized"
	}
	switch a.framing {
	case "sized", "gzip":
		if w.Header().Get("Content-Length") == "" {
			w.Header().Set("Content-Length", fmt.Sprint(len(body)))
		}
		w.WriteHeader(a.status)
	case "chunked", "gzipchunked":
		w.WriteHeader(a.status)
		w.(http.Flusher).Flush()
	default:
		panic("framing " + a.framing)
	}
	_, _ = w.Write(body)
}

// a3Server answers with answer(n, token): n counts requests from 0, token
// is the X-Tok header the attempt carried.
type a3Server struct {
	*httptest.Server
	hits   atomic.Int32
	conns  atomic.Int32
	mu     sync.Mutex
	tokens []string
}

func a3NewServer(t *testing.T, answer func(n int, tok string) a3Answer) *a3Server {
	t.Helper()
	s := &a3Server{}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		n := int(s.hits.Add(1)) - 1
		tok := r.Header.Get("X-Tok")
		s.mu.Lock()
		s.tokens = append(s.tokens, tok)
		s.mu.Unlock()
		a3Write(w, answer(n, tok))
	}))
	s.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			s.conns.Add(1)
		}
	}
	s.Start()
	t.Cleanup(s.Close)
	return s
}

func (s *a3Server) sentTokens() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.tokens...)
}

// a3Rules reads the stand-in vendor's error shape {"error":{"code":…,
// "message":…}} in a 2xx (ErrorInBody) and in any other answer
// (DecodeError), and counts the ErrorInBody calls.
func a3Rules(calls *atomic.Int32) Rules {
	return Rules{
		ErrorInBody: func(body []byte) *BodyError {
			if calls != nil {
				calls.Add(1)
			}
			return a3Parse(body)
		},
		DecodeError: func(e *apierror.Error, body []byte) {
			if be := a3Parse(body); be != nil {
				e.Code, e.Message, e.Details = be.Code, be.Message, be.Details
			}
		},
	}
}

func a3Parse(body []byte) *BodyError {
	m, ok := OnlyMembers(body, "error")
	if !ok {
		return nil
	}
	var e struct {
		Code    json.RawMessage `json:"code"`
		Message string          `json:"message"`
		Details []string        `json:"details"`
	}
	if json.Unmarshal(m["error"], &e) != nil {
		return nil
	}
	return &BodyError{Code: strings.Trim(string(e.Code), `"`), Message: e.Message, Details: e.Details}
}

// a3Rejected is the stand-in vendor's Rejected: status 498, or code 498
// in the vendor's error the answer carries.
func a3Rejected(status int, fault func() *BodyError) bool {
	if status == 498 {
		return true
	}
	f := fault()
	return f != nil && f.Code == "498"
}

// a3Client is a client whose renewable token (tok-1, tok-2, …, in the
// X-Tok header) is checked by rejected after every answer; rejected nil:
// no TokenAuth at all (the baseline). Retries are off, so only a refused
// token repeats an attempt.
func a3Client(t *testing.T, rules Rules, rejected func(int, func() *BodyError) bool, opts ...Option) *Client {
	t.Helper()
	all := []Option{WithRetry(RetryPolicy{MaxAttempts: 1, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond, MaxRetryAfter: time.Second})}
	if rejected != nil {
		var issued atomic.Int32
		cache := NewTokenCache(func(context.Context) (Token, error) {
			return Token{Value: fmt.Sprintf("tok-%d", issued.Add(1))}, nil
		}, time.Minute, nil)
		all = append(all, WithAuth(&TokenAuth{Source: cache, Place: SetHeaderToken("X-Tok", ""), Rejected: rejected}))
	}
	c, err := New(NewConfig(append(all, opts...)...), rules)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.CloseIdleConnections)
	return c
}

// a3Read runs one call of reader ("json", "nocontent", "stream",
// "decode") and describes what the caller sees.
func a3Read(t *testing.T, c *Client, method, url, reader string) string {
	t.Helper()
	var body io.Reader
	if method == http.MethodPost {
		body = strings.NewReader("f=json")
	}
	req, err := http.NewRequestWithContext(context.Background(), method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	call := Call{Op: "audit.Op", Request: req}
	switch reader {
	case "json":
		var dst map[string]any
		got, err := c.JSONBody(context.Background(), call, &dst)
		return fmt.Sprintf("body=%q %s", got, a3Describe(err))
	case "nocontent":
		return a3Describe(c.NoContent(context.Background(), call))
	case "stream":
		var w bytes.Buffer
		n, err := c.Stream(context.Background(), call, &w)
		return fmt.Sprintf("n=%d w=%q %s", n, w.String(), a3Describe(err))
	case "decodeearly":
		// A reader that stops at the first '}', as a streaming decoder
		// stops at the end of its value, leaving the rest unread.
		var got []byte
		err := c.Decode(context.Background(), call, func(_ *http.Response, r io.Reader) error {
			one := make([]byte, 1)
			for {
				if _, e := io.ReadFull(r, one); e != nil {
					return e
				}
				got = append(got, one[0])
				if one[0] == '}' {
					return nil
				}
			}
		})
		return fmt.Sprintf("got=%q %s", got, a3Describe(err))
	case "decode":
		var got []byte
		err := c.Decode(context.Background(), call, func(_ *http.Response, r io.Reader) error {
			var e error
			got, e = io.ReadAll(r)
			return e
		})
		return fmt.Sprintf("got=%q %s", got, a3Describe(err))
	}
	t.Fatalf("reader %q", reader)
	return ""
}

func a3Describe(err error) string {
	if err == nil {
		return "err=nil"
	}
	var ae *apierror.Error
	if !errors.As(err, &ae) {
		return "err=" + err.Error()
	}
	kind := "<nil>"
	if ae.Kind != nil {
		kind = ae.Kind.Error()
	}
	cause := ""
	if ae.Err != nil {
		cause = ae.Err.Error()
	}
	return fmt.Sprintf("err{kind=%q status=%d code=%q key=%q msg=%q details=%q excerpt=%q cause=%q truncated=%v tooLarge=%v html=%v vendor=%v}",
		kind, ae.StatusCode, ae.Code, ae.MessageKey, ae.Message, ae.Details, ae.Body, cause,
		errors.Is(err, apierror.ErrTruncated), errors.Is(err, apierror.ErrResponseTooLarge),
		errors.Is(err, apierror.ErrHTMLResponse), errors.Is(err, apierror.ErrVendor))
}

// a3Same reads the same answer with the baseline client and with a client
// whose Rejected asks fault() on it, and fails when the caller would see
// anything else. It returns what the caller sees.
func a3Same(t *testing.T, a a3Answer, method, reader string, rules Rules, opts ...Option) string {
	t.Helper()
	srv := a3NewServer(t, func(int, string) a3Answer { return a })
	base := a3Read(t, a3Client(t, rules, nil, opts...), method, srv.URL, reader)
	checked := a3Read(t, a3Client(t, rules, a3Rejected, opts...), method, srv.URL, reader)
	if checked != base {
		t.Errorf("%s %s of %+v:\nwith the token check: %s\nwithout:              %s", method, reader, a, checked, base)
	}
	if n := srv.hits.Load(); n != 2 {
		t.Errorf("%s %s: %d requests, want 2 (one per client; the answer is no refusal)", method, reader, n)
	}
	return checked
}

// ---------------------------------------------------------------------
// Probes expected to fail on the change as committed.
// ---------------------------------------------------------------------

// TestAudit3StreamBlankJSONAnswerKeepsErrorInBody: Stream's check of a
// JSON answer in place of a file asked Rules.ErrorInBody about whatever
// body came, a blank one included. The token check judges a blank body
// without asking ErrorInBody (answerFault skips it) and stream now takes
// that verdict, so a vendor whose ErrorInBody reports a blank answer sees
// a different error once its token can be refused.
func TestAudit3StreamBlankJSONAnswerKeepsErrorInBody(t *testing.T) {
	rules := Rules{ErrorInBody: func(body []byte) *BodyError {
		if len(bytes.TrimSpace(body)) == 0 {
			return &BodyError{Code: "BLANK", Message: "the server answered nothing"}
		}
		return nil
	}}
	for _, body := range []string{" \n ", ""} {
		got := a3Same(t, a3Answer{status: 200, ct: "application/json", body: body, framing: "sized"}, http.MethodGet, "stream", rules)
		if !strings.Contains(got, `code="BLANK"`) {
			t.Errorf("Stream of a blank JSON answer %q: %s; want the ErrVendor ErrorInBody reports", body, got)
		}
	}
}

// TestAudit3FaultAskedTwiceReadsTheAnswerOnce: fault is a function, and a
// Rejected may well call it twice (log it, then test it). The answer must
// still be judged once ("the JSON a 2xx answer holds is then not read for
// the vendor's error a second time"), and stay whole for the call.
func TestAudit3FaultAskedTwiceReadsTheAnswerOnce(t *testing.T) {
	const answer = `{"name":"x"}`
	for _, framing := range []string{"sized", "chunked"} {
		srv := a3NewServer(t, func(int, string) a3Answer {
			return a3Answer{status: 200, ct: "application/json", body: answer, framing: framing}
		})
		var calls atomic.Int32
		c := a3Client(t, a3Rules(&calls), func(status int, fault func() *BodyError) bool {
			logged := fault() // e.g. for a debug log
			_ = logged
			f := fault()
			return f != nil && f.Code == "498"
		})
		got := a3Read(t, c, http.MethodGet, srv.URL, "json")
		if got != fmt.Sprintf("body=%q err=nil", answer) {
			t.Errorf("%s: %s", framing, got)
		}
		if n := calls.Load(); n != 1 {
			t.Errorf("%s: ErrorInBody called %d times for one answer, want 1", framing, n)
		}
	}
}

// TestAudit3RejectedCannotRewriteTheCallersError: the *BodyError fault
// returns is the verdict every reader of the answer then reports. A
// Rejected that tidies what it was given (here: normalises the code and
// message before comparing) rewrites the caller's error.
func TestAudit3RejectedCannotRewriteTheCallersError(t *testing.T) {
	a := a3Answer{status: 200, ct: "application/json", body: `{"error":{"code":"E-1","message":"Boom","details":["d1"]}}`, framing: "sized"}
	srv := a3NewServer(t, func(int, string) a3Answer { return a })
	rules := a3Rules(nil)
	base := a3Read(t, a3Client(t, rules, nil), http.MethodGet, srv.URL, "json")
	tidy := func(status int, fault func() *BodyError) bool {
		f := fault()
		if f == nil {
			return false
		}
		f.Code = strings.TrimPrefix(f.Code, "E-")
		f.Message = strings.ToLower(f.Message)
		if len(f.Details) > 0 {
			f.Details[0] = "seen"
		}
		return f.Code == "498"
	}
	got := a3Read(t, a3Client(t, rules, tidy), http.MethodGet, srv.URL, "json")
	if got != base {
		t.Errorf("the caller's error depends on what Rejected did with fault():\nwith the check: %s\nwithout:        %s", got, base)
	}
}

// TestAudit3FaultOfAnHTMLErrorPageIsNone: fault returns "the vendor error
// the client's Rules read from the answer". The client does not run
// DecodeError on an HTML page (responseError: ErrHTMLResponse, no vendor
// fields), but answerFault does, so a DecodeError that keeps short plain
// text as the message (as mimcm's does) makes fault report an error the
// caller never sees.
func TestAudit3FaultOfAnHTMLErrorPageIsNone(t *testing.T) {
	a := a3Answer{status: 401, ct: "text/html; charset=utf-8", body: "Token expired", framing: "sized"}
	srv := a3NewServer(t, func(int, string) a3Answer { return a })
	rules := Rules{DecodeError: func(e *apierror.Error, body []byte) {
		if text := strings.TrimSpace(string(body)); text != "" && !strings.ContainsAny(text, "<{") {
			e.Message = text // plain text is the message
		}
	}}
	var seen *BodyError
	var asked bool
	c := a3Client(t, rules, func(status int, fault func() *BodyError) bool {
		seen, asked = fault(), true
		return false
	})
	got := a3Read(t, c, http.MethodGet, srv.URL, "json")
	if !asked {
		t.Fatal("Rejected was not asked")
	}
	if !strings.Contains(got, `html=true`) || !strings.Contains(got, `msg=""`) {
		t.Fatalf("the call: %s; want ErrHTMLResponse without a vendor message", got)
	}
	if seen != nil {
		t.Errorf("fault() = %+v for an HTML page whose error the client reads as %s; want nil", *seen, got)
	}
}

// ---------------------------------------------------------------------
// Probes of the rest of the contract.
// ---------------------------------------------------------------------

// TestAudit3ReadJSONKeepsTheReadAheadBuffer: with a declared length, the
// body readJSON returns is the buffer the token check read ahead into, not
// a copy; without one (pooled buffer), it is a copy.
func TestAudit3ReadJSONKeepsTheReadAheadBuffer(t *testing.T) {
	c := a3Client(t, a3Rules(nil), nil)
	const answer = `{"name":"x"}`
	for _, declared := range []bool{true, false} {
		req, _ := http.NewRequest(http.MethodGet, "http://127.0.0.1/x", nil)
		resp := &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
			Body: io.NopCloser(strings.NewReader(answer)), ContentLength: -1, Request: req}
		if declared {
			resp.ContentLength = int64(len(answer))
		}
		if f := answerFault(resp, &c.rules); f != nil {
			t.Fatalf("fault %+v", f)
		}
		rb, ok := resp.Body.(*replayBody)
		if !ok || !rb.judged {
			t.Fatalf("declared=%v: body %T not judged", declared, resp.Body)
		}
		head := unsafe.SliceData(rb.head)
		body, err := c.readJSON(&Call{Op: "audit.Op"}, resp, nil)
		if err != nil || string(body) != answer {
			t.Fatalf("declared=%v: %q %v", declared, body, err)
		}
		if same := unsafe.SliceData(body) == head; same != declared {
			t.Errorf("declared=%v: body is the read-ahead buffer: %v, want %v", declared, same, declared)
		}
	}
}

// TestAudit3ErrorInBodyOnceForEveryReader: JSON, NoContent and Stream's
// JSON check keep the token check's verdict, with a declared length, a
// chunked body and gzip, and report it as before.
func TestAudit3ErrorInBodyOnceForEveryReader(t *testing.T) {
	const good = `{"name":"x"}`
	const vendor = `{"error":{"code":"E1","message":"boom"}}`
	for _, framing := range []string{"sized", "chunked", "gzip", "gzipchunked"} {
		for _, tc := range []struct{ reader, body, want string }{
			{"json", good, `body="{\"name\":\"x\"}" err=nil`},
			{"json", vendor, `code="E1"`},
			{"nocontent", good, `err=nil`},
			{"nocontent", vendor, `code="E1"`},
			{"stream", vendor, `code="E1"`},
		} {
			srv := a3NewServer(t, func(int, string) a3Answer {
				return a3Answer{status: 200, ct: "application/json", body: tc.body, framing: framing}
			})
			var calls atomic.Int32
			got := a3Read(t, a3Client(t, a3Rules(&calls), a3Rejected), http.MethodGet, srv.URL, tc.reader)
			if !strings.Contains(got, tc.want) {
				t.Errorf("%s %s %s: %s; want %s", framing, tc.reader, tc.body, got, tc.want)
			}
			if n := calls.Load(); n != 1 {
				t.Errorf("%s %s %s: ErrorInBody called %d times, want 1", framing, tc.reader, tc.body, n)
			}
		}
	}
}

// a3RefusalOf is a refusal body of exactly n bytes.
func a3RefusalOf(n int) string {
	const pre, suf = `{"error":{"code":498,"message":"`, `"}}`
	return pre + strings.Repeat("y", n-len(pre)-len(suf)) + suf
}

// TestAudit3RefusalAtTheLimit: a refusal inside a 200 of exactly
// MaxRejectionBody bytes (after gzip) renews the token; one byte more is
// no refusal, and the caller gets the vendor's error.
func TestAudit3RefusalAtTheLimit(t *testing.T) {
	for _, framing := range []string{"sized", "chunked", "gzip", "gzipchunked"} {
		for _, size := range []int{MaxRejectionBody, MaxRejectionBody + 1} {
			refusal := a3RefusalOf(size)
			srv := a3NewServer(t, func(_ int, tok string) a3Answer {
				if tok == "tok-1" {
					return a3Answer{status: 200, ct: "application/json", body: refusal, framing: framing}
				}
				return a3Answer{status: 200, ct: "application/json", body: `{"name":"x"}`, framing: framing}
			})
			got := a3Read(t, a3Client(t, a3Rules(nil), a3Rejected), http.MethodPost, srv.URL, "json")
			if size <= MaxRejectionBody {
				if got != `body="{\"name\":\"x\"}" err=nil` || srv.hits.Load() != 2 {
					t.Errorf("%s %d bytes: %.200s after %d requests; want the second token's answer", framing, size, got, srv.hits.Load())
				}
			} else if !strings.Contains(got, `code="498"`) || !strings.Contains(got, `vendor=true`) || srv.hits.Load() != 1 {
				t.Errorf("%s %d bytes: %.200s after %d requests; want the vendor error, no repeat", framing, size, got, srv.hits.Load())
			}
		}
	}
}

// TestAudit3EdgeAnswersReadAsBefore: answers at the edges of the read
// ahead, through every reader, look the same with the token check as
// without it.
func TestAudit3EdgeAnswersReadAsBefore(t *testing.T) {
	rules := a3Rules(nil)
	cases := []struct {
		name   string
		a      a3Answer
		method string
		want   map[string]string // reader -> what the caller must see
	}{
		{"content-length 0", a3Answer{status: 200, ct: "application/json", framing: "sized"}, http.MethodGet,
			map[string]string{"json": `kind="unexpected response"`, "nocontent": "err=nil", "stream": "err{", "decode": "err=nil"}},
		{"HEAD", a3Answer{status: 200, ct: "application/json", framing: "sized", header: http.Header{"Content-Length": {"50"}}}, http.MethodHead,
			map[string]string{"json": `kind="unexpected response"`, "nocontent": "err=nil"}},
		{"2xx HTML", a3Answer{status: 200, ct: "application/json", body: "<html><body>sign in</body></html>", framing: "sized"}, http.MethodGet,
			map[string]string{"json": "html=true", "nocontent": "html=true", "decode": "html=true"}},
		{"2xx HTML chunked", a3Answer{status: 200, ct: "application/json", body: "<!DOCTYPE html><p>sign in", framing: "chunked"}, http.MethodGet,
			map[string]string{"json": "html=true", "nocontent": "html=true"}},
		{"truncated sized", a3Answer{status: 200, ct: "application/json", body: `{"name":"x"}`, framing: "short"}, http.MethodGet,
			map[string]string{"json": "truncated=true", "nocontent": "truncated=true", "decode": "truncated=true"}},
		{"truncated chunked", a3Answer{status: 200, ct: "application/json", body: `{"name":"x"}`, framing: "chunkshort"}, http.MethodGet,
			map[string]string{"json": "truncated=true", "nocontent": "truncated=true", "decode": "truncated=true"}},
		{"truncated gzip", a3Answer{status: 200, ct: "application/json", body: `{"name":"` + strings.Repeat("q", 300) + `"}`, framing: "gzipshort"}, http.MethodGet,
			map[string]string{"json": "truncated=true", "nocontent": "truncated=true", "decode": "truncated=true"}},
		{"truncated file", a3Answer{status: 200, ct: "application/octet-stream", body: "file-bytes", framing: "short"}, http.MethodGet,
			map[string]string{"stream": "truncated=true"}},
		{"empty gzip", a3Answer{status: 200, ct: "application/json", framing: "gzipempty"}, http.MethodGet,
			map[string]string{"nocontent": "truncated=true"}},
		{"malformed", a3Answer{status: 200, ct: "application/json", body: `{"name":`, framing: "sized"}, http.MethodGet,
			map[string]string{"json": `kind="unexpected response"`}},
		{"vendor error 400", a3Answer{status: 400, ct: "application/json", body: `{"error":{"code":"E2","message":"bad"}}`, framing: "chunked"}, http.MethodGet,
			map[string]string{"json": `code="E2"`, "nocontent": `code="E2"`, "stream": `code="E2"`}},
	}
	for _, tc := range cases {
		for _, reader := range []string{"json", "nocontent", "stream", "decode"} {
			if tc.method == http.MethodHead && (reader == "stream" || reader == "decode") {
				continue
			}
			got := a3Same(t, tc.a, tc.method, reader, rules)
			if want, ok := tc.want[reader]; ok && !strings.Contains(got, want) {
				t.Errorf("%s, %s: %s; want %s", tc.name, reader, got, want)
			}
		}
	}
}

// TestAudit3OversizedAnswerIsTooLarge: a JSON answer past Config.MaxJSONBody
// is ErrResponseTooLarge with the token check as without it, declared,
// chunked or gzip.
func TestAudit3OversizedAnswerIsTooLarge(t *testing.T) {
	for _, framing := range []string{"sized", "chunked", "gzip"} {
		a := a3Answer{status: 200, ct: "application/json", body: `{"name":"` + strings.Repeat("z", 40) + `"}`, framing: framing}
		got := a3Same(t, a, http.MethodGet, "json", a3Rules(nil), func(c *Config) { c.MaxJSONBody = 20 })
		if !strings.Contains(got, "tooLarge=true") {
			t.Errorf("%s: %s; want ErrResponseTooLarge", framing, got)
		}
	}
}

// a3LongRT answers every request with a body longer, or shorter (plain
// io.EOF), than its declared Content-Length: a round tripper that is not
// net/http's.
type a3LongRT struct {
	body     string
	declared int64
}

func (r a3LongRT) RoundTrip(req *http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader(r.body)), ContentLength: r.declared, Request: req}, nil
}

// TestAudit3BodyOtherThanDeclared: a body longer or shorter than its
// Content-Length reads as it did without the token check.
func TestAudit3BodyOtherThanDeclared(t *testing.T) {
	for _, rt := range []a3LongRT{
		{body: `{"name":"x"}  tail`, declared: int64(len(`{"name":"x"}`))},
		{body: `{"name":"x"}  {"more":1}`, declared: int64(len(`{"name":"x"}`))},
		{body: `{"error":{"code":"E1"}}{}`, declared: int64(len(`{"error":{"code":"E1"}}`))},
		{body: `{"name":"x"}`, declared: 0},
		{body: `{"name":"x"}`, declared: 40},
	} {
		for _, reader := range []string{"json", "nocontent", "stream"} {
			rules := a3Rules(nil)
			base := a3Read(t, a3Client(t, rules, nil, WithTransport(rt)), http.MethodGet, "http://127.0.0.1/x", reader)
			checked := a3Read(t, a3Client(t, rules, a3Rejected, WithTransport(rt)), http.MethodGet, "http://127.0.0.1/x", reader)
			if base != checked {
				t.Errorf("%q declared %d, %s:\nwith the check: %s\nwithout:        %s", rt.body, rt.declared, reader, checked, base)
			}
		}
	}
}

// TestAudit3RulesWithoutErrorInBody: with no ErrorInBody, a 200 whose body
// looks like a refusal is no refusal (fault is nil) and reads as an answer.
func TestAudit3RulesWithoutErrorInBody(t *testing.T) {
	rules := a3Rules(nil)
	rules.ErrorInBody = nil
	var faults []*BodyError
	srv := a3NewServer(t, func(int, string) a3Answer {
		return a3Answer{status: 200, ct: "application/json", body: `{"error":{"code":498}}`, framing: "sized"}
	})
	c := a3Client(t, rules, func(status int, fault func() *BodyError) bool {
		f := fault()
		faults = append(faults, f)
		return f != nil && f.Code == "498"
	})
	got := a3Read(t, c, http.MethodGet, srv.URL, "json")
	if got != `body="{\"error\":{\"code\":498}}" err=nil` || srv.hits.Load() != 1 {
		t.Errorf("%s after %d requests; want the answer, no repeat", got, srv.hits.Load())
	}
	if len(faults) != 1 || faults[0] != nil {
		t.Errorf("faults %v, want one nil", faults)
	}
}

// TestAudit3RefusedInside200ThenAccepted: a token refused inside a 200
// (any framing) is renewed and the attempt repeated once, for a POST too,
// through every reader; the second answer is the call's.
func TestAudit3RefusedInside200ThenAccepted(t *testing.T) {
	const refusal = `{"error":{"code":498,"message":"Invalid token."}}`
	for _, framing := range []string{"sized", "chunked", "gzip"} {
		for _, tc := range []struct{ method, reader, ct, body, want string }{
			{http.MethodPost, "json", "application/json", `{"name":"x"}`, `body="{\"name\":\"x\"}" err=nil`},
			{http.MethodPost, "nocontent", "application/json", `{"status":"success"}`, `err=nil`},
			{http.MethodGet, "stream", "application/octet-stream", "file-bytes", `n=10 w="file-bytes" err=nil`},
			{http.MethodGet, "decode", "application/json", `{"name":"x"}`, `got="{\"name\":\"x\"}" err=nil`},
		} {
			srv := a3NewServer(t, func(_ int, tok string) a3Answer {
				if tok == "tok-1" {
					return a3Answer{status: 200, ct: "application/json", body: refusal, framing: framing}
				}
				return a3Answer{status: 200, ct: tc.ct, body: tc.body, framing: framing}
			})
			got := a3Read(t, a3Client(t, a3Rules(nil), a3Rejected), tc.method, srv.URL, tc.reader)
			if got != tc.want {
				t.Errorf("%s %s %s: %s; want %s", framing, tc.method, tc.reader, got, tc.want)
			}
			if toks := srv.sentTokens(); fmt.Sprint(toks) != "[tok-1 tok-2]" {
				t.Errorf("%s %s %s: tokens sent %v, want [tok-1 tok-2]", framing, tc.method, tc.reader, toks)
			}
		}
	}
}

// TestAudit3SecondRefusalIsTheAnswer: a second refusal is not renewed: it
// is the call's answer, as the vendor error it carries.
func TestAudit3SecondRefusalIsTheAnswer(t *testing.T) {
	const refusal = `{"error":{"code":498,"message":"Invalid token."}}`
	for _, reader := range []string{"json", "nocontent", "stream"} {
		srv := a3NewServer(t, func(int, string) a3Answer {
			return a3Answer{status: 200, ct: "application/json", body: refusal, framing: "chunked"}
		})
		// Retries on: only the one renewal may repeat the attempt.
		got := a3Read(t, a3Client(t, a3Rules(nil), a3Rejected, WithMaxAttempts(3)), http.MethodPost, srv.URL, reader)
		if !strings.Contains(got, `code="498"`) || !strings.Contains(got, "vendor=true") || !strings.Contains(got, `excerpt="{\"error\"`) {
			t.Errorf("%s: %s; want the vendor error 498 with its excerpt", reader, got)
		}
		if toks := srv.sentTokens(); fmt.Sprint(toks) != "[tok-1 tok-2]" {
			t.Errorf("%s: tokens sent %v, want [tok-1 tok-2]", reader, toks)
		}
	}
}

// TestAudit3RejectedThatNeverAsksFault: when Rejected decides on the status
// alone, nothing is read ahead and the readers ask ErrorInBody themselves.
func TestAudit3RejectedThatNeverAsksFault(t *testing.T) {
	for _, tc := range []struct{ body, want string }{
		{`{"name":"x"}`, `body="{\"name\":\"x\"}" err=nil`},
		{`{"error":{"code":"E1","message":"boom"}}`, `code="E1"`},
	} {
		srv := a3NewServer(t, func(int, string) a3Answer {
			return a3Answer{status: 200, ct: "application/json", body: tc.body, framing: "sized"}
		})
		var calls atomic.Int32
		c := a3Client(t, a3Rules(&calls), func(status int, _ func() *BodyError) bool { return status == 498 })
		got := a3Read(t, c, http.MethodGet, srv.URL, "json")
		if !strings.Contains(got, tc.want) || calls.Load() != 1 {
			t.Errorf("%s: %s, %d ErrorInBody calls; want %s, 1 call", tc.body, got, calls.Load(), tc.want)
		}
	}
}

// a3NoGC turns the collector off for the test, so a sync.Pool keeps what
// is put in it.
func a3NoGC(t *testing.T) {
	old := debug.SetGCPercent(-1)
	t.Cleanup(func() { debug.SetGCPercent(old) })
}

// TestAudit3PooledBufferIsNotTheCallersBody: a chunked answer is read ahead
// into a pooled buffer; the body JSONBody returns must not be that buffer,
// which later calls reuse.
func TestAudit3PooledBufferIsNotTheCallersBody(t *testing.T) {
	a3NoGC(t)
	srv := a3NewServer(t, func(n int, _ string) a3Answer {
		return a3Answer{status: 200, ct: "application/json", body: fmt.Sprintf(`{"n":%d,"pad":%q}`, n, strings.Repeat(string(rune('a'+n%26)), 300)), framing: "chunked"}
	})
	c := a3Client(t, a3Rules(nil), a3Rejected)
	var first []byte
	var kept string
	for i := range 20 {
		req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
		body, err := c.JSONBody(context.Background(), Call{Op: "audit.Op", Request: req}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first, kept = body, string(body)
		}
	}
	if string(first) != kept {
		t.Errorf("the first call's body changed under the caller after later calls:\nnow  %.60q\nwas  %.60q", first, kept)
	}
}

// TestAudit3ReplayBodyAfterClose: once closed, a read-ahead body gives no
// more bytes (its buffer is back in the pool).
func TestAudit3ReplayBodyAfterClose(t *testing.T) {
	resp := &http.Response{StatusCode: 200, Body: io.NopCloser(strings.NewReader(`{"name":"x"}`)), ContentLength: -1}
	if got := peekBody(resp, MaxRejectionBody); string(got) != `{"name":"x"}` {
		t.Fatalf("peek %q", got)
	}
	_ = resp.Body.Close()
	p := make([]byte, 64)
	n, err := resp.Body.Read(p)
	if n != 0 || err == nil {
		t.Errorf("read after Close: %d bytes %q, err %v; want none and an error", n, p[:n], err)
	}
}

// TestAudit3ConcurrentCalls: calls running at once, each reading ahead
// (pooled or not, gzip or not), get their own answers; run with -race.
func TestAudit3ConcurrentCalls(t *testing.T) {
	framings := []string{"sized", "chunked", "gzip", "gzipchunked"}
	srv := a3NewServer(t, func(n int, _ string) a3Answer {
		return a3Answer{status: 200, ct: "application/json", framing: framings[n%len(framings)]}
	})
	// The answer echoes the request's id, so the server above is replaced
	// by one that reads it.
	srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := int(srv.hits.Add(1)) - 1
		id := r.URL.Query().Get("id")
		a3Write(w, a3Answer{status: 200, ct: "application/json",
			body: fmt.Sprintf(`{"id":%q,"pad":%q}`, id, strings.Repeat(id, 40)), framing: framings[n%len(framings)]})
	})
	var calls atomic.Int32
	c := a3Client(t, a3Rules(&calls), a3Rejected)
	var wg sync.WaitGroup
	errs := make(chan string, 200)
	var kept [8][10][]byte // every body, checked again once all calls are done
	for g := range 8 {
		wg.Go(func() {
			for i := range 10 {
				id := fmt.Sprintf("g%di%d-", g, i)
				req, _ := http.NewRequest(http.MethodGet, srv.URL+"?id="+id, nil)
				var out struct{ ID, Pad string }
				body, err := c.JSONBody(context.Background(), Call{Op: "audit.Op", Request: req}, &out)
				want := fmt.Sprintf(`{"id":%q,"pad":%q}`, id, strings.Repeat(id, 40))
				if err != nil || string(body) != want || out.ID != id {
					errs <- fmt.Sprintf("%s: body %.50q err %v", id, body, err)
				}
				kept[g][i] = body
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	for g := range kept {
		for i, body := range kept[g] {
			id := fmt.Sprintf("g%di%d-", g, i)
			if want := fmt.Sprintf(`{"id":%q,"pad":%q}`, id, strings.Repeat(id, 40)); string(body) != want {
				t.Errorf("%s: the body returned changed after the call: %.50q", id, body)
			}
		}
	}
	if n := calls.Load(); n != 80 {
		t.Errorf("ErrorInBody called %d times for 80 answers, want 80", n)
	}
}

// TestAudit3ConnectionReuse: reading ahead does not cost connections:
// sequential calls reuse one, as they do without the token check, also
// when the body is longer than the read ahead and the reader stops before
// its end (the rest is drained on Close).
func TestAudit3ConnectionReuse(t *testing.T) {
	// Longer than the read ahead, short enough for the drain on Close to
	// reach its end behind a reader that stops at the first '}'.
	long := `{"name":"x"}` + strings.Repeat(" ", MaxRejectionBody+300)
	for _, framing := range []string{"sized", "chunked", "gzip", "gzipchunked"} {
		for _, reader := range []string{"json", "nocontent", "decode", "decodeearly"} {
			body := `{"name":"x"}`
			if reader == "decodeearly" {
				body = long
			}
			count := func(rejected func(int, func() *BodyError) bool) int32 {
				srv := a3NewServer(t, func(int, string) a3Answer {
					return a3Answer{status: 200, ct: "application/json", body: body, framing: framing}
				})
				c := a3Client(t, a3Rules(nil), rejected)
				for range 5 {
					if got := a3Read(t, c, http.MethodGet, srv.URL, reader); !strings.Contains(got, "err=nil") {
						t.Fatalf("%s %s: %s", framing, reader, got)
					}
				}
				return srv.conns.Load()
			}
			if checked, base := count(a3Rejected), count(nil); checked != base || checked != 1 {
				t.Errorf("%s %s: %d connections with the token check, %d without; want 1", framing, reader, checked, base)
			}
		}
	}
}

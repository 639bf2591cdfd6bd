// Package fakeserver is the common part of the vendor fake servers
// (coretest, cloudtest, …): an httptest server on loopback whose traffic is
// validated against the vendor's OpenAPI document, a request counter, and
// fault knobs (status codes, Retry-After, delays, dropped connections,
// truncated bodies, HTML pages) for testing how a client copes.
package fakeserver

import (
	"bufio"
	"crypto/tls"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/certadmin/certadmin-go/internal/contract"
	"github.com/certadmin/certadmin-go/openapi"
)

// Server is a running fake. Vendor fakes embed it.
type Server struct {
	*httptest.Server
	validator *contract.Validator
	faults    faultList

	mu   sync.Mutex
	hits map[string]int

	newConns atomic.Int64

	vendorViolations func() []string

	log atomic.Pointer[func(LoggedRequest)]
}

// SetLog sets (nil: removes) the function told of every request once it
// is answered; it may be called while the server runs. The function is
// called from the server's goroutines, concurrently.
func (s *Server) SetLog(f func(LoggedRequest)) {
	if f == nil {
		s.log.Store(nil)
		return
	}
	s.log.Store(&f)
}

// Options configure Start.
type Options struct {
	// Spec is the file name under openapi/ to validate against ("" skips validation).
	Spec string
	// TLS serves HTTPS with httptest's certificate; TLSConfig customises it
	// (e.g. to require client certificates).
	TLS       bool
	TLSConfig *tls.Config
	// Canonical, when set, rewrites each request before anything else sees
	// it (hit counts, faults, validation, the handler): a vendor that
	// matches paths in any letter case gets them in the spec's spelling.
	Canonical func(*http.Request) *http.Request
	// VendorViolations, when set, lists what a second check of the
	// traffic, against the vendor's own published documents, found; the
	// test server fails a test for these as for SpecViolations.
	VendorViolations func() []string
	// Log, when set, is told of every request once it is answered (see
	// SetLog, which sets it after the start).
	Log func(LoggedRequest)
}

// LoggedRequest is one request as the request log reports it: its method,
// its path without the query, and the status answered (0 when the
// connection was dropped without an answer). Nothing else of the request
// is kept, so no credential (header, query, form, body) can reach a log.
type LoggedRequest struct {
	Method string
	Path   string
	Status int
}

// Start serves handler on a loopback port.
func Start(handler http.Handler, opts Options) (*Server, error) {
	s := &Server{hits: map[string]int{}, vendorViolations: opts.VendorViolations}
	if opts.Log != nil {
		s.SetLog(opts.Log)
	}
	h := handler
	if opts.Spec != "" {
		spec, err := openapi.Spec(opts.Spec)
		if err != nil {
			return nil, err
		}
		v, err := contract.Load(spec)
		if err != nil {
			return nil, err
		}
		s.validator = v
		h = v.Middleware(h)
	}
	h = s.faults.middleware(h)
	h = s.count(h)
	if opts.Canonical != nil {
		inner := h
		h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { inner.ServeHTTP(w, opts.Canonical(r)) })
	}
	s.Server = httptest.NewUnstartedServer(h)
	// TLS handshake failures and dropped connections are what the faults
	// and the tests provoke; they are not news on a test's stderr.
	s.Config.ErrorLog = log.New(io.Discard, "", 0)
	s.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			s.newConns.Add(1)
		}
	}
	if opts.TLS || opts.TLSConfig != nil {
		if opts.TLSConfig != nil {
			s.TLS = opts.TLSConfig
		}
		s.StartTLS()
	} else {
		s.Start()
	}
	return s, nil
}

func (s *Server) count(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.hits[r.Method+" "+r.URL.Path]++
		s.hits[""]++
		s.mu.Unlock()
		logf := s.log.Load()
		if logf == nil {
			next.ServeHTTP(w, r)
			return
		}
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		status := sw.status
		if status == 0 && !sw.hijacked {
			status = http.StatusOK // the handler wrote nothing: net/http answers 200
		}
		(*logf)(LoggedRequest{Method: r.Method, Path: r.URL.Path, Status: status})
	})
}

// statusWriter notes the status a handler answers, for the request log.
// It passes Flush and Hijack through: the faults use both.
type statusWriter struct {
	http.ResponseWriter
	status   int
	hijacked bool
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(p)
}

func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (w *statusWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	hj, ok := w.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, http.ErrNotSupported
	}
	w.hijacked = true
	return hj.Hijack()
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Hits counts requests to method and path ("" and "" for all requests).
func (s *Server) Hits(method, path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if method == "" && path == "" {
		return s.hits[""]
	}
	return s.hits[method+" "+path]
}

// HitsMatching counts requests whose method is method ("" for any) and
// whose path ends in suffix.
func (s *Server) HitsMatching(method, suffix string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for k, v := range s.hits {
		m, p, ok := strings.Cut(k, " ")
		if ok && (method == "" || m == method) && strings.HasSuffix(p, suffix) {
			n += v
		}
	}
	return n
}

// TotalHits counts every request the server received.
func (s *Server) TotalHits() int { return s.Hits("", "") }

// NewConnections counts TCP connections accepted so far.
func (s *Server) NewConnections() int64 { return s.newConns.Load() }

// SpecViolations lists requests and responses that did not match the spec.
func (s *Server) SpecViolations() []string {
	if s.validator == nil {
		return nil
	}
	return s.validator.Violations()
}

// VendorViolations lists what the check against the vendor's own
// documents found (nil for a fake without such a check).
func (s *Server) VendorViolations() []string {
	if s.vendorViolations == nil {
		return nil
	}
	return s.vendorViolations()
}

// Inject queues a fault; faults apply in the order injected, each to the
// next Times matching requests.
func (s *Server) Inject(f Fault) { s.faults.add(f) }

// ClearFaults removes every pending fault.
func (s *Server) ClearFaults() { s.faults.clear() }

// Unmatched lists the injected faults that did not apply to as many
// requests as they were meant to.
func (s *Server) Unmatched() []Fault { return s.faults.pending() }

// Close shuts the server down and reports the injected faults no request
// used up: a fault that never applied means a test did not test what it
// meant to.
func (s *Server) Close() error {
	s.Server.Close()
	if left := s.faults.pending(); len(left) > 0 {
		desc := make([]string, len(left))
		for i, f := range left {
			desc[i] = fmt.Sprintf("%s %q (status %d, reset %v, truncate at %d)", or(f.Method, "any method"), or(f.PathSuffix, "any path"), f.Status, f.Reset, f.TruncateAt)
		}
		return fmt.Errorf("fake server closed with %d injected fault(s) no request matched: %s", len(left), strings.Join(desc, "; "))
	}
	return nil
}

func or(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}

// Fault describes how to misbehave on matching requests.
type Fault struct {
	// Method and PathSuffix select requests ("" matches any).
	Method     string
	PathSuffix string
	// Times is how many matching requests it applies to (0 means 1).
	Times int

	// Status, with Body and ContentType, replaces the response.
	Status      int
	Body        string
	ContentType string
	// RetryAfter is sent as the Retry-After header with Status.
	RetryAfter string
	// DeclaredLength, when larger than Body, is sent as Content-Length with
	// Status and the connection is dropped after Body: a body shorter than
	// its declared length.
	DeclaredLength int
	// Delay before answering (before the real handler, when Status is 0).
	Delay time.Duration
	// Reset closes the connection without an answer.
	Reset bool
	// TruncateAt lets the real handler answer but cuts the body after this
	// many bytes while keeping the declared Content-Length, then drops the
	// connection. Zero disables it.
	TruncateAt int64
}

// HTMLLoginPage is what a single-sign-on proxy answers in place of the API.
const HTMLLoginPage = "<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body><form action=\"/login\" method=\"post\"><input name=\"username\"><input type=\"password\" name=\"password\"></form></body></html>\n"

type faultList struct {
	mu   sync.Mutex
	list []*pendingFault
}

type pendingFault struct {
	Fault
	left int
}

func (l *faultList) add(f Fault) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.list = append(l.list, &pendingFault{Fault: f, left: max(f.Times, 1)})
}

func (l *faultList) pending() []Fault {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []Fault
	for _, f := range l.list {
		out = append(out, f.Fault)
	}
	return out
}

func (l *faultList) clear() {
	l.mu.Lock()
	l.list = nil
	l.mu.Unlock()
}

func (l *faultList) take(r *http.Request) (Fault, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for i, f := range l.list {
		if (f.Method == "" || f.Method == r.Method) && strings.HasSuffix(r.URL.Path, f.PathSuffix) {
			f.left--
			if f.left <= 0 {
				l.list = append(l.list[:i], l.list[i+1:]...)
			}
			return f.Fault, true
		}
	}
	return Fault{}, false
}

func (l *faultList) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, ok := l.take(r)
		if !ok {
			next.ServeHTTP(w, r)
			return
		}
		if f.Delay > 0 {
			select {
			case <-time.After(f.Delay):
			case <-r.Context().Done():
				return
			}
		}
		switch {
		case f.Reset:
			hijackAndClose(w, true)
		case f.Status != 0:
			if f.RetryAfter != "" {
				w.Header().Set("Retry-After", f.RetryAfter)
			}
			if f.ContentType != "" {
				w.Header().Set("Content-Type", f.ContentType)
			}
			if f.DeclaredLength > len(f.Body) {
				w.Header().Set("Connection", "close")
			}
			w.Header().Set("Content-Length", strconv.Itoa(max(len(f.Body), f.DeclaredLength)))
			w.WriteHeader(f.Status)
			_, _ = w.Write([]byte(f.Body))
			if f.DeclaredLength > len(f.Body) {
				hijackAndClose(w, false)
			}
		case f.TruncateAt > 0:
			// The connection ends after this answer: say so, so a client
			// that reads no body does not reuse a connection about to close.
			w.Header().Set("Connection", "close")
			next.ServeHTTP(&truncatingWriter{ResponseWriter: w, left: f.TruncateAt}, r)
			hijackAndClose(w, false)
		default:
			next.ServeHTTP(w, r)
		}
	})
}

// hijackAndClose drops the connection after what was written so far:
// with reset, abruptly (RST, like a crashed proxy), else with a clean close
// so the client reads the bytes sent and then an early end.
func hijackAndClose(w http.ResponseWriter, reset bool) {
	if f, ok := w.(http.Flusher); ok && !reset {
		f.Flush()
	}
	if hj, ok := w.(http.Hijacker); ok {
		if conn, buf, err := hj.Hijack(); err == nil {
			_ = buf.Flush()
			if tc, ok := conn.(*net.TCPConn); ok && reset {
				_ = tc.SetLinger(0)
			}
			_ = conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}

// truncatingWriter forwards at most left body bytes, then swallows the rest
// so the handler finishes; the caller then drops the connection.
type truncatingWriter struct {
	http.ResponseWriter
	left int64
}

func (t *truncatingWriter) Write(p []byte) (int, error) {
	if t.left <= 0 {
		return 0, fmt.Errorf("fakeserver: body truncated")
	}
	n := int64(len(p))
	if n > t.left {
		p = p[:t.left]
	}
	w, err := t.ResponseWriter.Write(p)
	t.left -= int64(w)
	if f, ok := t.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
	if err == nil && int64(w) < n {
		return w, fmt.Errorf("fakeserver: body truncated")
	}
	return w, err
}

// CheckBasicAuth reports whether r carries the given basic credentials and,
// if not, answers 401 with a WWW-Authenticate challenge.
func CheckBasicAuth(w http.ResponseWriter, r *http.Request, user, password string) bool {
	u, p, ok := r.BasicAuth()
	if ok && u == user && p == password {
		return true
	}
	w.Header().Set("WWW-Authenticate", `Basic realm="fake"`)
	http.Error(w, "unauthorized", http.StatusUnauthorized)
	return false
}

// Route serves mux, but answers a request that matches no route (404) or
// no method of its route (405) with answer, so a fake replies in its
// vendor's error shape instead of net/http's plain text. The Allow header
// of a 405 is set before answer runs.
func Route(mux *http.ServeMux, answer func(w http.ResponseWriter, r *http.Request, status int)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h, pattern := mux.Handler(r)
		if pattern != "" {
			mux.ServeHTTP(w, r)
			return
		}
		rec := &statusRecorder{header: http.Header{}}
		h.ServeHTTP(rec, r)
		if rec.status != http.StatusNotFound && rec.status != http.StatusMethodNotAllowed {
			// A redirect or anything else the mux answers itself passes through.
			mux.ServeHTTP(w, r)
			return
		}
		if allow := rec.header.Get("Allow"); allow != "" {
			w.Header().Set("Allow", allow)
		}
		answer(w, r, rec.status)
	})
}

// statusRecorder notes the status net/http's mux would answer.
type statusRecorder struct {
	header http.Header
	status int
}

func (s *statusRecorder) Header() http.Header { return s.header }

func (s *statusRecorder) Write(p []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return len(p), nil
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
}

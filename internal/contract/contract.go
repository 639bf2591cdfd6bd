// Package contract validates HTTP traffic against an OpenAPI document. The
// vendor fake servers wrap their handlers with it, so every request a client
// sends and every response a fake gives is checked against the same spec the
// client was generated from: spec, client and fake cannot drift apart.
package contract

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// maxValidatedBody: response bodies larger than this (a streamed CSV) are
// checked for status and content type only.
const maxValidatedBody = 4 << 20

func init() {
	// text/html: vendors document HTML answers (an IIS 401 page, a
	// disabled API's 404 page); they are checked for status and type only.
	for _, ct := range []string{"text/csv", "text/plain", "text/html", "application/xhtml+xml", "application/octet-stream", "application/x-pkcs12", "application/x-x509-ca-cert"} {
		openapi3filter.RegisterBodyDecoder(ct, openapi3filter.FileBodyDecoder)
	}
}

// Validator checks traffic against one OpenAPI document.
type Validator struct {
	doc    *openapi3.T
	router routers.Router

	mu         sync.Mutex
	violations []string
}

// Load parses and validates an OpenAPI document. The servers list is
// replaced by "/" so routes match any host a test server listens on; base
// paths written into server URLs are kept.
func Load(spec []byte) (*Validator, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(spec)
	if err != nil {
		return nil, fmt.Errorf("contract: load spec: %w", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("contract: invalid spec: %w", err)
	}
	base := "/"
	if len(doc.Servers) > 0 {
		if u, err := url.Parse(doc.Servers[0].URL); err == nil && u.Path != "" {
			base = u.Path
		}
	}
	doc.Servers = openapi3.Servers{{URL: base}}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("contract: router: %w", err)
	}
	return &Validator{doc: doc, router: router}, nil
}

// Doc is the parsed document.
func (v *Validator) Doc() *openapi3.T { return v.doc }

// Violations lists every mismatch seen so far.
func (v *Validator) Violations() []string {
	v.mu.Lock()
	defer v.mu.Unlock()
	return append([]string(nil), v.violations...)
}

func (v *Validator) record(format string, args ...any) {
	v.mu.Lock()
	v.violations = append(v.violations, fmt.Sprintf(format, args...))
	v.mu.Unlock()
}

var options = &openapi3filter.Options{
	AuthenticationFunc: openapi3filter.NoopAuthenticationFunc,
	MultiError:         true,
}

// ValidateRequest checks r (its body is restored afterwards) and returns the
// route it matched.
func (v *Validator) ValidateRequest(r *http.Request) (*openapi3filter.RequestValidationInput, error) {
	route, params, err := v.router.FindRoute(r)
	if err != nil {
		return nil, fmt.Errorf("%s %s: no such operation in the spec: %w", r.Method, r.URL.Path, err)
	}
	var body []byte
	if r.Body != nil {
		body, _ = io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	in := &openapi3filter.RequestValidationInput{Request: r, PathParams: params, Route: route, Options: options}
	if err := openapi3filter.ValidateRequest(r.Context(), in); err != nil {
		r.Body = io.NopCloser(bytes.NewReader(body))
		return in, fmt.Errorf("%s %s (%s): %w", r.Method, r.URL.Path, route.Operation.OperationID, err)
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	return in, nil
}

// Middleware validates each request before next sees it and each response
// next writes. Both are only recorded (see Violations): next answers every
// request, an invalid one too, the way the vendor's server would. Responses over 4 MiB are checked for status and
// content type only, and stream through without being held.
func (v *Validator) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		in, err := v.ValidateRequest(r)
		if err != nil {
			// Recorded for the contract tests; the answer on the wire is
			// the fake's, as the vendor's server would give it (404, 405,
			// 401, its own error envelope), not a validator's.
			v.record("request: %v", err)
			next.ServeHTTP(w, r)
			return
		}
		rec := &recorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		if rec.hijacked {
			return
		}
		out := &openapi3filter.ResponseValidationInput{
			RequestValidationInput: in,
			Status:                 rec.status,
			Header:                 rec.Header(),
			Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
		}
		if rec.overflow {
			out.Options.ExcludeResponseBody = true
		} else {
			out.SetBodyBytes(rec.buf.Bytes())
		}
		if err := openapi3filter.ValidateResponse(r.Context(), out); err != nil {
			v.record("response %d to %s %s: %v", rec.status, r.Method, r.URL.Path, err)
		}
	})
}

// recorder passes the response through while keeping a copy of a small body.
type recorder struct {
	http.ResponseWriter
	status   int
	wrote    bool
	buf      bytes.Buffer
	overflow bool
	hijacked bool
}

func (r *recorder) WriteHeader(code int) {
	if !r.wrote {
		r.status, r.wrote = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(p []byte) (int, error) {
	r.wrote = true
	if !r.overflow {
		if r.buf.Len()+len(p) > maxValidatedBody {
			r.overflow = true
			r.buf = bytes.Buffer{}
		} else {
			r.buf.Write(p)
		}
	}
	return r.ResponseWriter.Write(p)
}

func (r *recorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Hijack lets fault knobs drop connections; a hijacked exchange is not validated.
func (r *recorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	h, ok := r.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, fmt.Errorf("contract: response writer cannot hijack")
	}
	r.hijacked = true
	return h.Hijack()
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

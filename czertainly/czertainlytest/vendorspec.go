package czertainlytest

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// VendorRelease is the release whose published OpenAPI documents the fake
// validates its traffic against (testdata/vendor/<release>).
const VendorRelease = "2.17.0"

// VendorDocuments are the vendor's documents the fake loads.
var VendorDocuments = []string{
	"doc-openapi-core-auth.yaml",
	"doc-openapi-core-certificate.yaml",
	"doc-openapi-core-client-operations-v2.yaml",
	"doc-openapi-core-approval.yaml",
	"doc-openapi-core-ra-profile.yaml",
	"doc-openapi-core-authority.yaml",
	"doc-openapi-core-group.yaml",
	"doc-openapi-core-connector.yaml",
	// Last: the subset the vendor's cert-manager issuer uses, for the
	// calls the others do not have (info, health).
	"doc-openapi-cert-manager.yaml",
}

// knownDifference is a place where Core, as its source shows, answers
// otherwise than its published document says; the fake answers as Core
// does, and the vendor check lets exactly this through.
type knownDifference struct {
	operationID string // "" for every operation
	status      int
	contentType string
	why         string
}

// knownDifferences of the 2.17.0 documents.
var knownDifferences = []knownDifference{
	{status: http.StatusForbidden, contentType: "application/problem+json",
		why: "the documents give the 403 body as application/json; Core's ExceptionHandlingAdvice sends it as application/problem+json"},
	{status: http.StatusUnprocessableEntity, contentType: "application/json",
		why: "Core answers a ValidationException with 422 and a list of messages on every operation; the documents list 422 only for some"},
	{status: http.StatusConflict, contentType: "application/json",
		why: "Core answers AlreadyExistException with 409 {message}; the documents list no 409"},
	{status: http.StatusBadRequest, contentType: "application/problem+json",
		why: "an error of the Auth service (ENTITY_NOT_UNIQUE) reaches the caller as 400 application/problem+json with AuthenticationServiceExceptionDto (ExceptionHandlingAdvice.java:447-453); the documents give 400 as application/json ErrorMessageDto"},
}

// ambiguousContent reports whether every problem in err is the documents'
// attribute content oneOf (String, Text, Object, … content all accept the
// same {"data": …}) matching more than one schema. Core picks the content
// class by the attribute's contentType (CZERTAINLY-Interfaces
// BaseAttributeContentV2 and its Jackson type info); the documents cannot
// say that, so any attribute with content breaks them.
func ambiguousContent(err error) bool {
	var walk func(error) bool
	walk = func(e error) bool {
		switch x := e.(type) { //nolint:errorlint // the walk unwraps one level at a time itself
		case openapi3.MultiError:
			for _, m := range x {
				if !walk(m) {
					return false
				}
			}
			return len(x) > 0
		case *openapi3.SchemaError:
			if slices.Contains(x.JSONPointer(), "content") && strings.Contains(x.Error(), "more than one oneOf") {
				return true
			}
			return x.Origin != nil && walk(x.Origin)
		}
		if u := errors.Unwrap(e); u != nil {
			return walk(u)
		}
		return false
	}
	return walk(err)
}

func excused(op string, status int, contentType string) bool {
	mt, _, _ := strings.Cut(contentType, ";")
	for _, d := range knownDifferences {
		if (d.operationID == "" || d.operationID == op) && d.status == status && strings.EqualFold(strings.TrimSpace(mt), d.contentType) {
			return true
		}
	}
	return false
}

// vendorValidator checks traffic against the vendor's documents.
type vendorValidator struct {
	routers []routers.Router

	mu         sync.Mutex
	violations []string
}

// loadVendorDocs parses the vendor's 3.1 documents with kin-openapi. The
// documents' own examples are not checked: one of them (BaseAttributeDto's
// version, a number where the schema says string) does not match its
// schema), nor the defaults: ClientCertificateRevocationDto.reason
// defaults to "UNSPECIFIED", which is not in its own enum (Core sends
// and takes the lower-case "unspecified"). See TestVendorDocuments.
func loadVendorDocs() (*vendorValidator, error) {
	vendorOnce.Do(func() { vendorRouters, vendorErr = parseVendorDocs() })
	if vendorErr != nil {
		return nil, vendorErr
	}
	return &vendorValidator{routers: vendorRouters}, nil
}

// The documents are parsed once per process: half a megabyte of YAML, and
// the routers only read them.
var (
	vendorOnce    sync.Once
	vendorRouters []routers.Router
	vendorErr     error
)

func parseVendorDocs() ([]routers.Router, error) {
	v := &vendorValidator{}
	for _, name := range VendorDocuments {
		b, err := testdata.ReadFile("testdata/vendor/" + VendorRelease + "/" + name)
		if err != nil {
			return nil, err
		}
		doc, err := LoadVendorDocument(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		r, err := gorillamux.NewRouter(doc)
		if err != nil {
			return nil, fmt.Errorf("%s: router: %w", name, err)
		}
		v.routers = append(v.routers, r)
	}
	return v.routers, nil
}

// LoadVendorDocument parses one of the vendor's documents as the fake uses
// it: validated without its examples, served from /api on any host.
func LoadVendorDocument(b []byte) (*openapi3.T, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(b)
	if err != nil {
		return nil, err
	}
	if err := doc.Validate(context.Background(), openapi3.DisableExamplesValidation(), openapi3.DisableSchemaDefaultsValidation()); err != nil {
		return nil, err
	}
	doc.Servers = openapi3.Servers{{URL: "/api"}}
	return doc, nil
}

func (v *vendorValidator) record(format string, args ...any) {
	v.mu.Lock()
	v.violations = append(v.violations, fmt.Sprintf("vendor %s document: ", VendorRelease)+fmt.Sprintf(format, args...))
	v.mu.Unlock()
}

func (v *vendorValidator) list() []string {
	v.mu.Lock()
	defer v.mu.Unlock()
	out := append([]string(nil), v.violations...)
	sort.Strings(out)
	return out
}

var vendorOptions = &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, MultiError: true}

func (v *vendorValidator) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var route *routers.Route
		var params map[string]string
		for _, rt := range v.routers {
			if rr, pp, err := rt.FindRoute(r); err == nil {
				route, params = rr, pp
				break
			}
		}
		if route == nil {
			v.record("request %s %s: no such operation", r.Method, r.URL.Path)
			next.ServeHTTP(w, r)
			return
		}
		op := route.Operation.OperationID
		var body []byte
		if r.Body != nil {
			body, _ = io.ReadAll(r.Body)
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		in := &openapi3filter.RequestValidationInput{Request: r, PathParams: params, Route: route, Options: vendorOptions}
		if err := openapi3filter.ValidateRequest(r.Context(), in); err != nil && !ambiguousContent(err) {
			v.record("request %s %s (%s): %v", r.Method, r.URL.Path, op, err)
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		rec := &vendorRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		if rec.hijacked {
			return
		}
		ct := rec.Header().Get("Content-Type")
		if excused(op, rec.status, ct) {
			return
		}
		if route.Operation.Responses.Status(rec.status) == nil {
			if rec.status < 300 {
				v.record("response %d to %s %s (%s): status not in the document", rec.status, r.Method, r.URL.Path, op)
			}
			// An error status the document does not list (405, 401 on an
			// operation without it) is Core's, not the document's.
			return
		}
		out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: rec.status, Header: rec.Header(),
			Options: &openapi3filter.Options{MultiError: true, IncludeResponseStatus: true}}
		out.SetBodyBytes(rec.buf.Bytes())
		if err := openapi3filter.ValidateResponse(r.Context(), out); err != nil && !ambiguousContent(err) {
			v.record("response %d to %s %s (%s): %v", rec.status, r.Method, r.URL.Path, op, err)
		}
	})
}

type vendorRecorder struct {
	http.ResponseWriter
	status   int
	wrote    bool
	buf      bytes.Buffer
	hijacked bool
}

func (r *vendorRecorder) WriteHeader(code int) {
	if !r.wrote {
		r.status, r.wrote = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *vendorRecorder) Write(p []byte) (int, error) {
	r.wrote = true
	if r.buf.Len() < 4<<20 {
		r.buf.Write(p)
	}
	return r.ResponseWriter.Write(p)
}

func (r *vendorRecorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (r *vendorRecorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	h, ok := r.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, fmt.Errorf("czertainlytest: cannot hijack")
	}
	r.hijacked = true
	return h.Hijack()
}

func (r *vendorRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

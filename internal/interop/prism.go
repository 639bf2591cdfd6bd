package interop

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
)

// PrismVersion is the version of @stoplight/prism-cli that
// internal/interop/npm/package-lock.json pins.
const PrismVersion = "5.16.0"

// Prism is one running Prism mock server serving one OpenAPI document.
type Prism struct {
	// Document is the path of the document it serves; Name its base name.
	Document, Name string
	// URL is its loopback address, http://127.0.0.1:<port>.
	URL string
	// Startup is how long it took to start, for the oracle's cost report.
	Startup time.Duration

	routes []route
}

type route struct {
	method string
	re     *regexp.Regexp
}

// Defines reports whether the document has an operation for method and
// path (a request path without the server's base path).
func (p *Prism) Defines(method, path string) bool {
	for _, r := range p.routes {
		if r.method == method && r.re.MatchString(path) {
			return true
		}
	}
	return false
}

// Operations is the number of operations the document defines.
func (p *Prism) Operations() int { return len(p.routes) }

// LoadDocuments reads the operations of each document, without starting
// anything: a router over them knows which documents define a request even
// where no Prism serves the document (Running is false).
func LoadDocuments(t testing.TB, documents ...string) []*Prism {
	t.Helper()
	out := make([]*Prism, len(documents))
	for i, doc := range documents {
		routes, err := documentRoutes(doc)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = &Prism{Document: doc, Name: filepath.Base(doc), routes: routes}
	}
	return out
}

// Running reports whether a Prism serves the document.
func (p *Prism) Running() bool { return p.URL != "" }

// StartPrisms starts one Prism mock server for each of the documents, all at
// once (each takes seconds of CPU to load its document), on free loopback
// ports, and stops them when the test ends. Prism answers statically from
// the documents' examples unless a request asks otherwise with a Prefer
// header (see PrismRouter.Prefer).
func StartPrisms(t testing.TB, prisms ...*Prism) {
	t.Helper()
	bin := filepath.Join(NodeModules(t), ".bin", "prism")
	LookPath(t, "node", "npm.sh")
	errs := make([]error, len(prisms))
	var wg sync.WaitGroup
	for i, p := range prisms {
		wg.Go(func() { errs[i] = p.start(t, bin) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
}

// prismReady is the line Prism logs once it accepts connections.
const prismReady = "Prism is listening on"

func (p *Prism) start(t testing.TB, bin string) error {
	// A port picked free can be taken before Prism binds it; try again then.
	for attempt := 0; ; attempt++ {
		start := time.Now()
		err := p.run(t, bin)
		p.Startup = time.Since(start)
		if err == nil || attempt == 2 || !strings.Contains(err.Error(), "EADDRINUSE") {
			return err
		}
	}
}

func (p *Prism) run(t testing.TB, bin string) error {
	port, err := freeTCPPort()
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(context.Background(), bin, "mock", "--host", "127.0.0.1", "--port", strconv.Itoa(port), p.Document)
	dieWithTest(cmd)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("prism %s: %w", p.Name, err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	// Readiness is Prism's own "listening" line, then a connection to the
	// port; an exit before it ends the wait with Prism's last words.
	var tail bytes.Buffer
	sc := bufio.NewScanner(stdout)
	ready := false
	for sc.Scan() {
		line := sc.Text()
		if tail.Len() < 64<<10 {
			tail.WriteString(line + "\n")
		}
		if strings.Contains(line, prismReady) {
			ready = true
			break
		}
	}
	if !ready {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return fmt.Errorf("prism %s exited before listening:\n%s", p.Name, tail.String())
	}
	go func() { _, _ = io.Copy(io.Discard, stdout) }() // Prism logs every request
	d := net.Dialer{Timeout: time.Minute}
	c, err := d.DialContext(context.Background(), "tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		return fmt.Errorf("prism %s said it listens but its port refuses: %w", p.Name, err)
	}
	p.URL = "http://127.0.0.1:" + strconv.Itoa(port)
	return c.Close()
}

// freeTCPPort returns a TCP port free on 127.0.0.1 (the KDC's freePort
// also needs the same UDP port).
func freeTCPPort() (int, error) {
	var lc net.ListenConfig
	l, err := lc.Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

var pathParam = regexp.MustCompile(`\{[^}/]+\}`)

func documentRoutes(doc string) ([]route, error) {
	loader := openapi3.NewLoader()
	d, err := loader.LoadFromFile(doc)
	if err != nil {
		return nil, fmt.Errorf("prism: load %s: %w", doc, err)
	}
	var out []route
	for path, item := range d.Paths.Map() {
		parts := pathParam.Split(path, -1)
		for i := range parts {
			parts[i] = regexp.QuoteMeta(parts[i])
		}
		re := regexp.MustCompile("^" + strings.Join(parts, "[^/]+") + "$")
		for method := range item.Operations() {
			out = append(out, route{method: strings.ToUpper(method), re: re})
		}
	}
	return out, nil
}

// Violation is one entry of Prism's sl-violations header: a way in which
// the request (Location[0] "request") or Prism's own answer ("response")
// breaks the document.
type Violation struct {
	Location []string `json:"location"`
	Severity string   `json:"severity"`
	Code     any      `json:"code"`
	Message  string   `json:"message"`
}

func (v Violation) String() string {
	return fmt.Sprintf("%s %s: %s", strings.Join(v.Location, "."), v.Severity, v.Message)
}

// Exchange is one request a PrismRouter forwarded and what Prism said of it.
type Exchange struct {
	Method, Path string
	// Document is the Prism that answered; Defined every document that
	// has the operation.
	Document string
	Defined  []string
	// Unserved are documents that define the request but that no Prism
	// serves.
	Unserved []string
	Status   int
	// Violations are the request's, ResponseViolations those of Prism's
	// answer (a document whose examples or schemas contradict themselves).
	Violations, ResponseViolations []Violation
	// PrismFailed is Prism's own failure to make an answer from the
	// document (a 5xx problem of Prism's, not an answer the document gives).
	PrismFailed string
}

// ErrNoDocument is returned for a request that no document defines.
var ErrNoDocument = errors.New("no document defines this operation")

// PrismRouter is an http.RoundTripper that sends each request to a Prism
// whose document defines it, strips the server's base path (Prism serves
// the paths at its root), and records the violations Prism reports.
type PrismRouter struct {
	Prisms []*Prism
	// StripPrefix is the base path the client puts before the documents'
	// paths ("/api" for CZERTAINLY's context path).
	StripPrefix string
	// First, when set, names the document asked first; the others follow in
	// order.
	First string
	// Prefer is sent as the Prefer header, e.g. "dynamic=true, seed=3".
	Prefer string
	Base   http.RoundTripper

	mu        sync.Mutex
	exchanges []Exchange
}

// RoundTrip implements http.RoundTripper.
func (r *PrismRouter) RoundTrip(req *http.Request) (*http.Response, error) {
	path := strings.TrimPrefix(req.URL.Path, r.StripPrefix)
	ex := Exchange{Method: req.Method, Path: path}
	var target *Prism
	for _, p := range r.order() {
		if p.Defines(req.Method, path) {
			ex.Defined = append(ex.Defined, p.Name)
			if !p.Running() {
				ex.Unserved = append(ex.Unserved, p.Name)
				continue
			}
			if target == nil {
				target = p
			}
		}
	}
	if target == nil {
		if req.Body != nil {
			_ = req.Body.Close()
		}
		r.record(ex)
		return nil, fmt.Errorf("%s %s: %w", req.Method, path, ErrNoDocument)
	}
	out := req.Clone(req.Context())
	u := *req.URL
	base, _ := req.URL.Parse(target.URL)
	u.Scheme, u.Host, u.Path, u.RawPath = base.Scheme, base.Host, path, ""
	out.URL, out.Host = &u, ""
	if r.Prefer != "" {
		out.Header.Set("Prefer", r.Prefer)
	}
	rt := r.Base
	if rt == nil {
		rt = freshConnections
	}
	resp, err := rt.RoundTrip(out)
	ex.Document = target.Name
	if resp != nil {
		ex.Status = resp.StatusCode
		ex.Violations, ex.ResponseViolations = parseViolations(resp.Header.Get("sl-violations"))
		if resp.StatusCode >= 500 && strings.HasPrefix(resp.Header.Get("Content-Type"), "application/problem+json") {
			body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
			_ = resp.Body.Close()
			if strings.Contains(string(body), "stoplight.io/prism/errors") {
				ex.PrismFailed = string(body)
			}
			resp.Body = io.NopCloser(bytes.NewReader(body))
		}
	}
	r.record(ex)
	return resp, err
}

// freshConnections opens a connection per request. Prism (Node) closes an
// idle keep-alive connection after 5 s (its Keep-Alive: timeout=5), and a
// request written to a connection as it closes is reset; the tests call
// with retries off, to count requests exactly, so they must not meet that
// race.
var freshConnections = &http.Transport{DisableKeepAlives: true}

// tooMany is the prefix Prism puts before a list of violations it cut
// short (the list may then be truncated JSON).
const tooMany = "Too many violations!"

// parseViolations splits Prism's sl-violations header into the request's
// violations and those of Prism's own answer. A list too long to parse
// whole is scanned: any request violation in it counts as one.
func parseViolations(h string) (req, resp []Violation) {
	h = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(h), tooMany))
	if h == "" {
		return nil, nil
	}
	// Read the list item by item, so that a list Prism cut short (at 8 KiB)
	// still gives every whole item. Prism lists the request's violations
	// before its answer's (prism-http-server dist/server.js:80-82 in
	// 5.16.0), so once a whole answer item is read nothing of the request
	// was cut; otherwise what was cut counts as a request violation, never
	// as a pass.
	var all []Violation
	dec := json.NewDecoder(strings.NewReader(h))
	complete := false
	if tok, err := dec.Token(); err == nil && tok == json.Delim('[') {
		for dec.More() {
			var v Violation
			if dec.Decode(&v) != nil {
				break
			}
			all = append(all, v)
		}
		if tok, err := dec.Token(); err == nil && tok == json.Delim(']') {
			complete = true
		}
	}
	sawAnswer := false
	for _, v := range all {
		sawAnswer = sawAnswer || (len(v.Location) > 0 && v.Location[0] == "response")
	}
	if !complete && !sawAnswer {
		all = append(all, Violation{Location: []string{"request", "(unknown)"}, Severity: "Error", Message: "sl-violations list cut short or unreadable: " + h})
	}
	for _, v := range all {
		if len(v.Location) > 0 && v.Location[0] == "response" {
			resp = append(resp, v)
		} else {
			req = append(req, v)
		}
	}
	return req, resp
}

func (r *PrismRouter) order() []*Prism {
	out := make([]*Prism, 0, len(r.Prisms))
	for _, p := range r.Prisms {
		if p.Name == r.First {
			out = append(out, p)
		}
	}
	for _, p := range r.Prisms {
		if p.Name != r.First {
			out = append(out, p)
		}
	}
	return out
}

func (r *PrismRouter) record(ex Exchange) {
	r.mu.Lock()
	r.exchanges = append(r.exchanges, ex)
	r.mu.Unlock()
}

// Take returns the exchanges recorded since the last Take and forgets them.
func (r *PrismRouter) Take() []Exchange {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.exchanges
	r.exchanges = nil
	return out
}

// Names returns the documents' base names, sorted.
func Names(prisms []*Prism) []string {
	out := make([]string, len(prisms))
	for i, p := range prisms {
		out[i] = p.Name
	}
	sort.Strings(out)
	return out
}

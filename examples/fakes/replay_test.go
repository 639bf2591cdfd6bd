package main

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/certadmin/certadmin-go/internal/interop"
	"github.com/certadmin/certadmin-go/internal/testcert"
)

// sample is one block of testdata/curl-samples.txt (its header says what
// each key means).
type sample struct {
	Name, Vendor, Doc string
	Curl, Shell       string
	Request           string
	Body              []string // body: or form: lines
	Form, JSONBody    bool
	Markers           bool
	Fills             [][2]string
	Auth, Token       bool
	Status            int
	Type, Text        string
	JSON              []jsonCheck
	Has               []string
	Output            string
	Violates          []string
	Notes             []string
	line              int
}

type jsonCheck struct {
	Path string
	Want any
}

// readSamples parses the samples file strictly: an unknown key, a block
// without a name or a status, or a value that does not parse is an error.
func readSamples(path string) ([]sample, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []sample
	var cur *sample
	var body *[]string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	n := 0
	finish := func() error {
		if cur == nil {
			return nil
		}
		switch {
		case cur.Name == "" || cur.Vendor == "" || cur.Status == 0:
			return fmt.Errorf("line %d: a sample needs sample:, vendor: and status:", cur.line)
		case (cur.Curl == "") == (cur.Request == ""):
			return fmt.Errorf("line %d: %s: give curl: or request:", cur.line, cur.Name)
		}
		out = append(out, *cur)
		cur, body = nil, nil
		return nil
	}
	for sc.Scan() {
		n++
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			continue
		}
		if strings.TrimSpace(line) == "" {
			if err := finish(); err != nil {
				return nil, err
			}
			continue
		}
		if cur == nil {
			cur = &sample{line: n}
		}
		if rest, ok := strings.CutPrefix(line, "| "); ok || line == "|" {
			if body == nil {
				return nil, fmt.Errorf("line %d: a | line outside body: or form:", n)
			}
			*body = append(*body, rest)
			continue
		}
		body = nil
		key, val, ok := strings.Cut(line, ":")
		if !ok {
			return nil, fmt.Errorf("line %d: not key: value", n)
		}
		val = strings.TrimPrefix(val, " ")
		switch key {
		case "sample":
			cur.Name = val
		case "vendor":
			cur.Vendor = val
		case "doc":
			cur.Doc = strings.TrimSpace(cur.Doc + " " + val)
		case "curl":
			cur.Curl = val
		case "shell":
			if val != "cmd" {
				return nil, fmt.Errorf("line %d: shell %q", n, val)
			}
			cur.Shell = val
		case "request":
			cur.Request = val
		case "body", "form", "send-body":
			cur.Form = key == "form"
			body = &cur.Body
		case "json-body":
			cur.JSONBody = true
		case "markers":
			cur.Markers = true
		case "fill":
			old, repl, ok := strings.Cut(val, " => ")
			if !ok {
				return nil, fmt.Errorf("line %d: fill is OLD => NEW", n)
			}
			cur.Fills = append(cur.Fills, [2]string{old, repl})
		case "auth":
			cur.Auth = true
		case "token":
			cur.Token = true
		case "status":
			if cur.Status, err = strconv.Atoi(val); err != nil {
				return nil, fmt.Errorf("line %d: %w", n, err)
			}
		case "type":
			cur.Type = val
		case "text":
			cur.Text = val
		case "json":
			p, v, ok := strings.Cut(val, " = ")
			if !ok {
				return nil, fmt.Errorf("line %d: json is PATH = VALUE", n)
			}
			var want any
			if err := json.Unmarshal([]byte(v), &want); err != nil {
				return nil, fmt.Errorf("line %d: %w", n, err)
			}
			cur.JSON = append(cur.JSON, jsonCheck{p, want})
		case "has":
			cur.Has = append(cur.Has, val)
		case "output":
			cur.Output = val
		case "violates":
			cur.Violates = append(cur.Violates, val)
		case "note":
			cur.Notes = append(cur.Notes, val)
		default:
			return nil, fmt.Errorf("line %d: unknown key %q", n, key)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if err := finish(); err != nil {
		return nil, err
	}
	return out, nil
}

// placeholders are what the documents write for the server, the
// credentials and their example hosts, per vendor prefix, and what the
// replay sends instead: the values the command prints.
func placeholders(f *fakes) map[string][][2]string {
	basic := func(prefix string) string {
		return base64.StdEncoding.EncodeToString([]byte(f.Get(prefix+"_USER") + ":" + f.Get(prefix+"_PASSWORD")))
	}
	core, cloud := f.Get("CORE_URL"), f.Get("CLOUD_URL")
	return map[string][][2]string{
		"CORE": {
			{"https://<core>", core},
			{"<userName>", f.Get("CORE_USER")},
			{"<username>", f.Get("CORE_USER")},
			{"<password>", f.Get("CORE_PASSWORD")},
			// The upload sample writes its author's own credentials.
			{"miadmin:Mi4man11", f.Get("CORE_USER") + ":" + f.Get("CORE_PASSWORD")},
		},
		"CLOUD": {
			{"https://<mobileiron_cloud>", cloud},
			{"https://[mobileiron_cloud]", cloud},
			{"https://[mobileiron cloud]", cloud},
			{"https://mobileiron_cloud", cloud},
			// The tenants the pages' examples were taken from.
			{"https://na1.mobileiron.com", cloud},
			{"https://na1.anyware.com", cloud},
			{"https://cluster056.auto.acme.com", cloud},
			{"username:password", f.Get("CLOUD_USER") + ":" + f.Get("CLOUD_PASSWORD")},
			// A redacted Authorization header of the pages' examples.
			{"Basic xxxxxEBzYW5kYm94Lm1vYmlsZWlyb24uY29tOk1pNG1hbjEx", "Basic " + basic("CLOUD")},
		},
		"ARCGIS": {
			{"https://organization.example.com/<context>", f.Get("ARCGIS_URL")},
		},
	}
}

// p12File writes the PKCS#12 file the upload sample sends, encrypted with
// the sample's password.
func p12File(t *testing.T, dir string) string {
	cert, key := testcert.ForName(t, "theadmin")
	path := filepath.Join(dir, "MIQAMDMProduction.p12")
	if err := os.WriteFile(path, testcert.PFX(t, cert, key, "xyzsdmobile"), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// renderMarker is the "- " the CZERTAINLY page puts before each member and
// array item.
var renderMarker = regexp.MustCompile(`(?m)(^|[\[{]|, )- `)

// TestReplayVendorSamples sends every request sample of the vendor's
// documents, pointed at the fakes with the settings the command prints,
// and checks the documented answer.
func TestReplayVendorSamples(t *testing.T) {
	t.Parallel()
	samples, err := readSamples(filepath.Join("testdata", "curl-samples.txt"))
	if err != nil {
		t.Fatal(err)
	}
	f, err := startFakes(config{TLS: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.Close)
	for _, p := range []string{"CORE", "CLOUD", "MIMCM", "ARCGIS", "CZERTAINLY", "CZERTAINLY1"} {
		if !strings.HasPrefix(f.Get(p+"_URL"), "https://127.0.0.1:") || f.Get(p+"_CA_FILE") == "" {
			t.Fatalf("with TLS: %s_URL = %q, %s_CA_FILE = %q", p, f.Get(p+"_URL"), p, f.Get(p+"_CA_FILE"))
		}
	}
	ph := placeholders(f)
	dir := t.TempDir()
	p12 := p12File(t, dir)

	names := map[string]bool{}
	curls := map[string]int{}
	for _, s := range samples {
		if names[s.Name] {
			t.Fatalf("two samples named %s", s.Name)
		}
		names[s.Name] = true
		if s.Curl != "" {
			curls[s.Vendor]++
		}
		ok := t.Run(s.Name, func(t *testing.T) {
			srv := f.server(s.Vendor)
			if srv == nil {
				t.Fatalf("vendor %q", s.Vendor)
			}
			before := len(srv.SpecViolations())
			req, cmd := buildRequest(t, f, ph, s, p12, dir)
			resp, body := send(t, f, s, req, cmd)
			check(t, s, resp, body, cmd, dir)
			checkViolations(t, s, srv.SpecViolations()[before:])
			t.Logf("%s %s %s: %d", s.Vendor, req.Method, req.URL.Path, resp.StatusCode)
		})
		if !ok {
			// The samples build on each other's state; stop at the first.
			t.FailNow()
		}
	}
	// Every curl line of the documents is in the file: 16 on the Core
	// page, 11 on the Cloud page (one "cURL", two "$curl").
	if curls["CORE"] != 16 || curls["CLOUD"] != 11 {
		t.Errorf("curl samples: %v, want CORE 16 and CLOUD 11", curls)
	}
}

// checkViolations compares what the fake's check against the project's
// OpenAPI document found in the sample's traffic with what the sample
// expects: nothing, unless violates: names a known mismatch (each must be
// found, and nothing else).
func checkViolations(t *testing.T, s sample, got []string) {
	t.Helper()
	left := append([]string(nil), got...)
	for _, want := range s.Violates {
		found := false
		for i, v := range left {
			if strings.Contains(v, want) {
				left = append(left[:i], left[i+1:]...)
				found = true
				break
			}
		}
		if !found {
			t.Errorf("the fake no longer reports the violation %q; update the sample", want)
		}
	}
	for _, v := range left {
		t.Errorf("spec violation: %.400s", v)
	}
}

// buildRequest turns a sample into the request curl (or the document's
// raw request) would send to the fakes.
func buildRequest(t *testing.T, f *fakes, ph map[string][][2]string, s sample, p12, dir string) (*http.Request, *curlCommand) {
	t.Helper()
	subst := func(text string) string {
		for _, p := range ph[s.Vendor] {
			text = strings.ReplaceAll(text, p[0], p[1])
		}
		return text
	}
	fill := func(text string) string {
		for _, fl := range s.Fills {
			text = strings.Replace(text, fl[0], strings.ReplaceAll(fl[1], "{p12}", p12), 1)
		}
		return text
	}
	for _, fl := range s.Fills {
		if !strings.Contains(s.Curl+s.Request+strings.Join(s.Body, "\n"), fl[0]) {
			t.Fatalf("fill %q: not in the sample", fl[0])
		}
	}
	if s.Curl != "" {
		return curlRequest(t, f, s, subst(fill(s.Curl)), dir)
	}
	return rawRequest(t, f, s, subst(fill(s.Request)), fill(strings.Join(s.Body, "\n")))
}

func curlRequest(t *testing.T, f *fakes, s sample, line, dir string) (*http.Request, *curlCommand) {
	t.Helper()
	split := shWords
	if s.Shell == "cmd" {
		split = cmdWords
	}
	words, err := split(line)
	if err != nil {
		t.Fatalf("%s: %v", line, err)
	}
	c, err := parseCurl(words)
	if err != nil {
		t.Fatalf("%s: %v", line, err)
	}
	b, err := c.build()
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(b.Method, b.URL, bytes.NewReader(b.Body))
	if err != nil {
		t.Fatal(err)
	}
	if b.ContentType != "" {
		req.Header.Set("Content-Type", b.ContentType)
	}
	req.Header.Set("User-Agent", "curl/8") // as curl, not Go, announces itself
	req.Header.Set("Accept", "*/*")
	for _, h := range c.Headers {
		k, v, ok := strings.Cut(h, ":")
		if !ok {
			t.Fatalf("header %q", h)
		}
		req.Header.Set(strings.TrimSpace(k), strings.TrimSpace(v))
	}
	switch {
	case c.HasUser && s.Auth:
		t.Fatal("auth: given, but the sample carries -u")
	case c.HasUser:
		u, p, _ := strings.Cut(c.User, ":")
		req.SetBasicAuth(u, p)
	case s.Auth:
		req.SetBasicAuth(f.Get(s.Vendor+"_USER"), f.Get(s.Vendor+"_PASSWORD"))
	}
	if c.Output != "" {
		c.Output = filepath.Join(dir, c.Output)
	}
	if !strings.HasPrefix(req.URL.String(), serverRoot(f.Get(s.Vendor+"_URL"))) {
		t.Fatalf("%s is not the %s fake: a placeholder was not replaced", req.URL, s.Vendor)
	}
	return req, c
}

// rawRequest builds a request a document shows as METHOD TARGET [HTTP/1.1]
// with an optional body. A TARGET that is a path is relative to the
// vendor's URL (MIMCM_URL is the host, CZERTAINLY1_URL ends in the servlet
// context). A body is sent with the Content-Type the pages require:
// application/json, or a form's.
func rawRequest(t *testing.T, f *fakes, s sample, line, body string) (*http.Request, *curlCommand) {
	t.Helper()
	parts := strings.Fields(line)
	if len(parts) == 3 && parts[2] == "HTTP/1.1" {
		parts = parts[:2]
	}
	if len(parts) != 2 {
		t.Fatalf("request %q is not METHOD TARGET [HTTP/1.1]", line)
	}
	target := parts[1]
	if strings.HasPrefix(target, "/") {
		target = f.Get(s.Vendor+"_URL") + target
	}
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	if s.Token {
		q := u.Query()
		q.Set("token", f.Get("ARCGIS_TOKEN"))
		u.RawQuery = q.Encode()
	}
	var contentType string
	switch {
	case s.Form:
		body = strings.ReplaceAll(body, "\n", "&")
		contentType = "application/x-www-form-urlencoded"
	case body != "":
		if s.Markers {
			body = renderMarker.ReplaceAllString(body, "$1")
		}
		contentType = "application/json"
	}
	if s.JSONBody && contentType != "application/json" {
		t.Fatal("json-body: without a body")
	}
	req, err := http.NewRequest(parts[0], u.String(), strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if s.Auth {
		req.SetBasicAuth(f.Get(s.Vendor+"_USER"), f.Get(s.Vendor+"_PASSWORD"))
	}
	if !strings.HasPrefix(req.URL.String(), serverRoot(f.Get(s.Vendor+"_URL"))) {
		t.Fatalf("%s is not the %s fake: a placeholder was not replaced", req.URL, s.Vendor)
	}
	return req, nil
}

// send sends req as curl would: trusting the vendor's CA file (as
// --cacert would), skipping verification only for -k against the
// loopback fake, presenting the CZERTAINLY client certificate from its
// files, following redirects only for -L.
func send(t *testing.T, f *fakes, s sample, req *http.Request, c *curlCommand) (*http.Response, []byte) {
	t.Helper()
	tc := &tls.Config{MinVersion: tls.VersionTLS12}
	if ca := f.Get(s.Vendor + "_CA_FILE"); ca != "" {
		pemData, err := os.ReadFile(ca)
		if err != nil {
			t.Fatal(err)
		}
		tc.RootCAs = x509.NewCertPool()
		if !tc.RootCAs.AppendCertsFromPEM(pemData) {
			t.Fatalf("%s holds no certificate", ca)
		}
	}
	if certFile := f.Get(s.Vendor + "_CERT_FILE"); certFile != "" {
		pair, err := tls.LoadX509KeyPair(certFile, f.Get(s.Vendor+"_KEY_FILE"))
		if err != nil {
			t.Fatal(err)
		}
		tc.Certificates = []tls.Certificate{pair}
	}
	follow := false
	if c != nil {
		follow = c.Follow
		if c.Insecure {
			if host := req.URL.Hostname(); net.ParseIP(host) == nil || !net.ParseIP(host).IsLoopback() {
				t.Fatalf("-k against %s, which is not the loopback fake", host)
			}
			tc.InsecureSkipVerify = true
		}
	}
	tr := &http.Transport{TLSClientConfig: tc, ForceAttemptHTTP2: false}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	if !follow {
		client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

// check compares the answer with the documented one.
func check(t *testing.T, s sample, resp *http.Response, body []byte, c *curlCommand, dir string) {
	t.Helper()
	if resp.StatusCode != s.Status {
		t.Fatalf("status %d, documented %d; body %.300s", resp.StatusCode, s.Status, body)
	}
	if s.Type != "" && !strings.HasPrefix(resp.Header.Get("Content-Type"), s.Type) {
		t.Errorf("Content-Type %q, documented %q", resp.Header.Get("Content-Type"), s.Type)
	}
	if s.Text != "" && !strings.HasPrefix(strings.TrimSpace(string(body)), s.Text) {
		t.Errorf("body %.200q does not start with %q", body, s.Text)
	}
	if len(s.JSON)+len(s.Has) > 0 {
		var doc any
		if err := json.Unmarshal(body, &doc); err != nil {
			t.Fatalf("answer is not JSON: %v: %.300s", err, body)
		}
		for _, p := range s.Has {
			if _, ok := lookup(doc, p); !ok {
				t.Errorf("no member %s in %.300s", p, body)
			}
		}
		for _, jc := range s.JSON {
			got, ok := lookup(doc, jc.Path)
			if !ok {
				t.Errorf("no member %s in %.300s", jc.Path, body)
			} else if !reflect.DeepEqual(got, jc.Want) {
				t.Errorf("%s = %v, documented %v", jc.Path, got, jc.Want)
			}
		}
	}
	if s.Output != "" {
		if c == nil || c.Output != filepath.Join(dir, s.Output) {
			t.Fatalf("output: %s, but the command writes %v", s.Output, c)
		}
		// curl -o writes the body to the file; the replay does the same
		// and checks there was a body to write.
		if len(body) == 0 {
			t.Errorf("empty body for -o %s", s.Output)
		}
		if err := os.WriteFile(c.Output, body, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// lookup follows a dot-separated path ("." is the whole document) through
// objects and arrays.
func lookup(doc any, path string) (any, bool) {
	if path == "." {
		return doc, true
	}
	cur := doc
	for _, seg := range strings.Split(path, ".") {
		switch v := cur.(type) {
		case map[string]any:
			next, ok := v[seg]
			if !ok {
				return nil, false
			}
			cur = next
		case []any:
			i, err := strconv.Atoi(seg)
			if err != nil || i < 0 || i >= len(v) {
				return nil, false
			}
			cur = v[i]
		default:
			return nil, false
		}
	}
	return cur, true
}

// exampleHeading is a heading of an example request or response on a MIM
// CM reference page ("### Example: Request 2").
var exampleHeading = regexp.MustCompile(`(?m)^#+ Example: (Request|Response)\b`)

// TestReplayCoversEveryMIMCMSample holds the samples file to the MIM CM
// reference pages: every example request on every page is a sample of
// its own (doc: names the page), so a page whose examples are not all
// replayed, or a sample naming no page, fails. The responses the pages
// show are checked by those samples' json:/has:/text: lines; a page
// whose example answer is a placeholder ("body coming soon") is held to
// its status.
func TestReplayCoversEveryMIMCMSample(t *testing.T) {
	t.Parallel()
	dir := filepath.Dir(interop.Reference(t, "mimcm/SOURCE.md"))
	samples, err := readSamples(filepath.Join("testdata", "curl-samples.txt"))
	if err != nil {
		t.Fatal(err)
	}
	perPage := map[string]int{}
	for _, s := range samples {
		if s.Vendor != "MIMCM" {
			continue
		}
		page, _, _ := strings.Cut(s.Doc, " ")
		if _, err := os.Stat(filepath.Join(dir, page)); err != nil {
			t.Errorf("sample %s: doc %q names no reference page", s.Name, s.Doc)
		}
		perPage[page]++
	}
	pages, err := filepath.Glob(filepath.Join(dir, "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	requests, responses := 0, 0
	for _, p := range pages {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, m := range exampleHeading.FindAllStringSubmatch(string(b), -1) {
			if m[1] == "Request" {
				n++
			} else {
				responses++
			}
		}
		requests += n
		if got := perPage[filepath.Base(p)]; got != n {
			t.Errorf("%s shows %d example requests; the samples file replays %d", filepath.Base(p), n, got)
		}
	}
	mimcmSamples := 0
	for _, n := range perPage {
		mimcmSamples += n
	}
	t.Logf("MIM CM reference: %d pages, %d example requests, %d example responses; %d MIM CM samples replayed", len(pages), requests, responses, mimcmSamples)
}

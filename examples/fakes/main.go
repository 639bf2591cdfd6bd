// Command fakes runs every fake server of this SDK as a real server on
// loopback, for tools written in any language: scripts, other languages'
// clients, curl. It prints the settings a tool needs as NAME=value lines
// on stdout, so a shell can source them, and serves until it is
// interrupted.
//
//	go run ./examples/fakes -o fakes.env &
//	until [ -f fakes.env ]; do sleep 0.2; done
//	. ./fakes.env
//	curl -sS -u "$CORE_USER:$CORE_PASSWORD" "$CORE_URL/api/v2/configuration/SCEP/USER_PROVIDED/summary"
//	kill "$FAKES_PID"
//
// The settings, one per line (a value is single-quoted when it holds
// anything but letters, digits and _ . / : @ -):
//
//	CORE_URL, CORE_USER, CORE_PASSWORD         MobileIron Core (coretest), basic authentication
//	CLOUD_URL, CLOUD_USER, CLOUD_PASSWORD      MobileIron Cloud (cloudtest), basic authentication
//	MIMCM_URL, MIMCM_USER, MIMCM_PASSWORD      MIM CM (mimcmtest), basic authentication; the URL is
//	                                           the host, the API under /CertificateManagement/api/v1.0
//	CZERTAINLY_URL                             CZERTAINLY 2.x (czertainlytest), HTTPS; the URL is the
//	                                           host, the API under /api
//	CZERTAINLY_CERT_FILE, CZERTAINLY_KEY_FILE  the administrator's client certificate and key (PEM)
//	CZERTAINLY_CA_FILE                         the certificate to trust for the server (PEM)
//	CZERTAINLY_TOKEN                           a bearer token the fake accepts as well
//	CZERTAINLY1_URL, CZERTAINLY1_CERT_FILE,    CZERTAINLY 1.x Administrator API (adminv1test), the same
//	CZERTAINLY1_KEY_FILE, CZERTAINLY1_CA_FILE  way; the URL includes the servlet context /api
//	ARCGIS_URL, ARCGIS_USER, ARCGIS_PASSWORD   ArcGIS Enterprise (enterpriseadmintest); the URL
//	                                           includes the web context /arcgis
//	ARCGIS_TOKEN_URL                           the generateToken operation, which trades
//	                                           ARCGIS_USER and ARCGIS_PASSWORD for a token
//	ARCGIS_TOKEN                               a token issued at start, valid for a day
//	FAKES_PID                                  the process to signal to stop the fakes
//
// FAKES_PID matters under go run: signalling go run itself leaves the
// command running.
//
// With -tls, Core, Cloud, MIM CM and ArcGIS serve HTTPS too, and
// CORE_CA_FILE, CLOUD_CA_FILE, MIMCM_CA_FILE and ARCGIS_CA_FILE name the
// certificate to trust (curl --cacert "$CORE_CA_FILE"). The CZERTAINLY
// fakes always serve HTTPS, since CZERTAINLY authenticates by client
// certificate (curl --cert "$CZERTAINLY_CERT_FILE" --key
// "$CZERTAINLY_KEY_FILE" --cacert "$CZERTAINLY_CA_FILE"); the 1.x fake's
// certificates are valid for a day, so restart the command after that.
//
// The fakes hold the samples of the vendor's documentation, with their
// identifiers, and answer the documentation's request samples as
// documented: replay_test.go sends every curl line of the MobileIron
// documents, and the requests the MIM CM, CZERTAINLY and ArcGIS documents
// show, from testdata/curl-samples.txt. Long-running jobs (Core's exports,
// Cloud's LDAP imports, CZERTAINLY's issuing) are done at the first status
// check, as the samples show; -polls N keeps them running for N checks,
// to test a tool's polling.
//
// With -o FILE the settings are also written to FILE, at once when
// every fake is up (so FILE appearing means it is complete), and FILE is
// removed on stop.
//
// A line on stderr says when the fakes are up. SIGINT (Ctrl-C) or SIGTERM
// stops them: every fake is closed, the certificate files are removed, the
// requests and answers that did not match the API specification each fake
// checks its traffic against are listed on stderr (what a tool sent that
// the API does not take), and the command exits with status 0. -h prints the flags and exits 0; a bad
// flag or an argument exits 2; a fake that cannot start exits 1.
//
// With -v every request a fake serves is logged on stderr as it is
// answered: the fake, the method, the path without its query, and the
// status (0 for a dropped connection). Nothing else of the request is
// logged, so no credential is.
package main

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
)

// Exit statuses.
const (
	exitOK     = 0
	exitFailed = 1
	exitUsage  = 2
)

func main() {
	ctx, stop := signalContext()
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// signalContext ends at the first SIGINT or SIGTERM.
func signalContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}

// run is the command: it parses args, starts the fakes, prints their
// settings to stdout and serves until ctx is done.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("fakes", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg config
	var envFile string
	fs.BoolVar(&cfg.TLS, "tls", false, "serve HTTPS from every fake (and print <PREFIX>_CA_FILE)")
	fs.IntVar(&cfg.Polls, "polls", 0, "status checks a job stays running (Core exports, Cloud LDAP imports, CZERTAINLY issuing)")
	fs.StringVar(&envFile, "o", "", "also write the settings to `file` once every fake is up (removed on stop)")
	var verbose bool
	fs.BoolVar(&verbose, "v", false, "log every request the fakes serve to stderr: fake, method, path, status (no credentials)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: fakes [-tls] [-polls N] [-o file] [-v]")
		fmt.Fprintln(stderr, "Starts the SDK's fake servers on loopback, prints NAME=value settings on stdout")
		fmt.Fprintln(stderr, "and serves until interrupted (Ctrl-C or SIGTERM).")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "fakes: unexpected argument %q\n", fs.Arg(0))
		fs.Usage()
		return exitUsage
	}
	if cfg.Polls < 0 {
		fmt.Fprintln(stderr, "fakes: -polls must not be negative")
		return exitUsage
	}

	f, err := startFakes(cfg)
	if err != nil {
		fmt.Fprintf(stderr, "fakes: %v\n", err)
		return exitFailed
	}
	defer f.Close()
	if verbose {
		f.logRequests(stderr)
	}
	if err := writeSettings(stdout, f.Settings); err != nil {
		fmt.Fprintf(stderr, "fakes: writing the settings: %v\n", err)
		return exitFailed
	}
	if envFile != "" {
		if err := writeEnvFile(envFile, f.Settings); err != nil {
			fmt.Fprintf(stderr, "fakes: %v\n", err)
			return exitFailed
		}
		// The file goes first on the way out: once it is gone, the
		// settings it held no longer hold.
		removeEnv := func() { _ = os.Remove(envFile) }
		defer removeEnv()
		f.closers = append(f.closers, removeEnv)
	}
	fmt.Fprintf(stderr, "fakes: running %d fakes on loopback; press Ctrl-C or send SIGTERM to process %d (FAKES_PID) to stop\n",
		len(launchers), os.Getpid())
	<-ctx.Done()
	fmt.Fprintln(stderr, "fakes: interrupted")
	violations := f.violations()
	f.Close()
	if len(violations) > 0 {
		fmt.Fprintf(stderr, "fakes: %d requests or answers did not match the API specification:\n", len(violations))
		for _, v := range violations {
			fmt.Fprintf(stderr, "fakes:   %s\n", v)
		}
	}
	fmt.Fprintln(stderr, "fakes: stopped")
	return exitOK
}

// config says how startFakes starts the fakes.
type config struct {
	// TLS serves HTTPS from the fakes that serve plain HTTP by default.
	TLS bool
	// Polls is how many status checks a job stays running.
	Polls int
}

// setting is one NAME=value line of the output.
type setting struct {
	Name, Value string
}

// fakes are the running fakes.
type fakes struct {
	// Settings are what the command prints, in order.
	Settings []setting
	// dir holds the certificate files; Close removes it.
	dir string

	// running are the fakes started, in launcher order.
	running []runningFake

	closers []func()
	once    sync.Once
}

// Get returns the value of the named setting, "" when there is none.
func (f *fakes) Get(name string) string {
	for _, s := range f.Settings {
		if s.Name == name {
			return s.Value
		}
	}
	return ""
}

// Close stops every fake and removes the certificate files. It may be
// called more than once.
func (f *fakes) Close() {
	f.once.Do(func() {
		for i := len(f.closers) - 1; i >= 0; i-- {
			f.closers[i]()
		}
		if f.dir != "" {
			_ = os.RemoveAll(f.dir)
		}
	})
}

func (f *fakes) set(name, value string) { f.Settings = append(f.Settings, setting{name, value}) }

// launchers start the fakes, one line per vendor (its start function in
// <vendor>.go beside this file): each starts its vendor's fake as cfg
// says, adds its settings and closer to f and appends it to f.running.
var launchers = []func(f *fakes, cfg config) error{
	startCore,
	startCloud,
	startMIMCM,
	startCzertainly,
	startAdminV1,
	startArcGIS,
}

// fakeServer is what the command needs of every fake (the surface
// internal/cmd/gensurface gives each).
type fakeServer interface {
	LogRequests(func(method, path string, status int))
	SpecViolations() []string
}

// runningFake is one started fake.
type runningFake struct {
	// Name is the vendor's name in the log; Prefix its settings' prefix.
	Name, Prefix string
	Server       fakeServer
	// Vendor, when set, lists the traffic that broke the vendor's own
	// documents (a fake that checks against them too).
	Vendor func() []string
}

// server returns the running fake whose settings have the prefix, or nil.
func (f *fakes) server(prefix string) fakeServer {
	for _, r := range f.running {
		if r.Prefix == prefix {
			return r.Server
		}
	}
	return nil
}

// startFakes starts every fake as cfg says and collects their settings.
// The command and its tests start them through it alike.
func startFakes(cfg config) (_ *fakes, err error) {
	dir, err := os.MkdirTemp("", "certadmin-fakes-")
	if err != nil {
		return nil, err
	}
	f := &fakes{dir: dir}
	defer func() {
		if err != nil {
			f.Close()
		}
	}()

	for _, launch := range launchers {
		if err := launch(f, cfg); err != nil {
			return nil, err
		}
	}
	f.set("FAKES_PID", strconv.Itoa(os.Getpid()))
	return f, nil
}

// logRequests writes a line to w for every request a fake serves: the
// fake, the method, the path without its query, and the status (0 for a
// dropped connection). The fakes pass nothing else of a request, so no
// credential (header, query, form field, body) reaches the log.
func (f *fakes) logRequests(w io.Writer) {
	var mu sync.Mutex
	to := func(name string) func(method, path string, status int) {
		return func(method, path string, status int) {
			mu.Lock()
			defer mu.Unlock()
			fmt.Fprintf(w, "fakes: %s: %s %s %d\n", name, method, path, status)
		}
	}
	for _, r := range f.running {
		r.Server.LogRequests(to(r.Name))
	}
}

// violations lists what the fakes' checks of their traffic against the
// API specifications found, one line each: what a tool in another
// language sent that the API does not take.
func (f *fakes) violations() []string {
	var out []string
	add := func(name string, found []string) {
		for _, v := range found {
			first, _, _ := strings.Cut(v, "\n")
			out = append(out, name+": "+first)
		}
	}
	for _, r := range f.running {
		add(r.Name, r.Server.SpecViolations())
		if r.Vendor != nil {
			add(r.Name+" (the vendor's documents)", r.Vendor())
		}
	}
	return out
}

// caFile writes cert (the server's TLS certificate, nil for plain HTTP)
// as <prefix>_CA_FILE.
func (f *fakes) caFile(prefix string, cert *x509.Certificate) error {
	if cert == nil {
		return nil
	}
	path := filepath.Join(f.dir, strings.ToLower(prefix)+"-ca.pem")
	if err := os.WriteFile(path, certificatePEM(cert), 0o600); err != nil {
		return err
	}
	f.set(prefix+"_CA_FILE", path)
	return nil
}

func certificatePEM(cert *x509.Certificate) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw})
}

// serverRoot cuts the path off an absolute URL.
func serverRoot(u string) string {
	scheme, rest, _ := strings.Cut(u, "://")
	host, _, _ := strings.Cut(rest, "/")
	return scheme + "://" + host
}

// writeSettings writes one NAME=value line per setting, in one write, so
// a reader never sees half of them.
func writeSettings(w io.Writer, settings []setting) error {
	var b strings.Builder
	for _, s := range settings {
		b.WriteString(s.Name)
		b.WriteByte('=')
		b.WriteString(shellQuote(s.Value))
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// writeEnvFile writes the settings to a file beside path and renames it
// into place, so path exists only once it is complete.
func writeEnvFile(path string, settings []setting) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer func() { _ = os.Remove(tmp.Name()) }() // gone after the rename
	if err := writeSettings(tmp, settings); err != nil {
		_ = tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// shellQuote returns v as a POSIX shell word: as it is when it holds only
// letters, digits and _ . / : @ -, else in single quotes (a single quote
// inside is closed, written escaped, and reopened).
func shellQuote(v string) string {
	if v != "" && strings.IndexFunc(v, func(r rune) bool { return !plain(r) }) < 0 {
		return v
	}
	return "'" + strings.ReplaceAll(v, "'", `'\''`) + "'"
}

func plain(r rune) bool {
	switch {
	case 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z', '0' <= r && r <= '9':
		return true
	}
	return strings.ContainsRune("_./:@-", r)
}

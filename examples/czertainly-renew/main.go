// Command czertainly-renew renews the certificates of a CZERTAINLY 2.x
// (ILM) platform that expire within a number of days, each through its RA
// profile, and prints one result per certificate and a summary.
//
// With no -url it starts the in-memory fake (package czertainlytest),
// seeded with certificates about to expire, and runs against it. Against a
// real platform:
//
//	czertainly-renew -url https://ilm.example.com -cert admin.crt -key admin.key -days 30 -dry-run
//	CZERTAINLY_TOKEN_FILE=token.txt czertainly-renew -url https://ilm.example.com -days 30
//
// Credentials come from files or the environment, never from a flag's
// value: a client certificate and key (mutual TLS to the ingress), or an
// OIDC access token in CZERTAINLY_TOKEN or the file CZERTAINLY_TOKEN_FILE
// names. Progress goes to stderr, the results to stdout or, with -o, to a
// file that appears only once complete: a table with a summary, or with
// -format csv or jsonl one record per certificate (the summary then on
// stderr). Exit status: 0 when every candidate was renewed or skipped, 1
// when one failed or its outcome is unknown (or the run failed), 2 for
// bad usage.
//
// A failure that carries issued material (a *czertainly.EnrollError with a
// Result: a private key, a certificate) never loses it: the tool writes it
// under -save-dir, each file mode 0600 and complete or absent, before it
// exits non-zero, and names the files on stderr.
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	czertainly "github.com/certadmin/certadmin-go/czertainly"
	"github.com/certadmin/certadmin-go/czertainly/czertainlytest"
	"github.com/certadmin/certadmin-go/examples/internal/toolflag"
	"github.com/certadmin/certadmin-go/internal/atomicfile"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}

type config struct {
	url, certFile, keyFile, caFile string
	days, concurrency              int
	dryRun, wait, verbose          bool
	timeout                        time.Duration
	saveDir                        string
	output, format                 string
}

var errUsage = errors.New("usage")

// usageError is a command line that cannot work, found after parsing (a
// credential missing from the environment too); it exits 2 like a bad flag.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func parse(args []string, stderr io.Writer) (config, error) {
	fs := flag.NewFlagSet("czertainly-renew", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg config
	fs.StringVar(&cfg.url, "url", "", "platform URL, e.g. https://ilm.example.com (default: an in-process fake)")
	fs.StringVar(&cfg.certFile, "cert", "", "PEM client certificate for mutual TLS")
	fs.StringVar(&cfg.keyFile, "key", "", "PEM private key of -cert")
	fs.StringVar(&cfg.caFile, "ca", "", "PEM CA certificates to trust for the platform (default: system roots)")
	fs.IntVar(&cfg.days, "days", 30, "renew certificates expiring within this many days")
	fs.IntVar(&cfg.concurrency, "concurrency", 4, "renewals in flight at once")
	fs.BoolVar(&cfg.dryRun, "dry-run", false, "only list the certificates that would be renewed")
	fs.BoolVar(&cfg.wait, "wait", true, "wait until each renewed certificate is issued")
	fs.DurationVar(&cfg.timeout, "timeout", 5*time.Minute, "how long to wait for one certificate (0: no limit but an interrupt)")
	fs.BoolVar(&cfg.verbose, "v", false, "log every HTTP attempt (credentials redacted) to stderr")
	fs.StringVar(&cfg.saveDir, "save-dir", ".", "directory where a failure's issued material (key, certificate) is saved, mode 0600")
	fs.StringVar(&cfg.output, "o", "", "write the results to this file instead of stdout (it appears only when complete)")
	format := toolflag.Format(fs, toolflag.Table, toolflag.CSV, toolflag.JSONL)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: czertainly-renew [flags]\n\nRenews the certificates that expire within -days days.\nCredentials: -cert/-key files, or CZERTAINLY_TOKEN / CZERTAINLY_TOKEN_FILE.\n\nflags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return cfg, err
		}
		return cfg, errUsage
	}
	cfg.format = *format
	switch {
	case fs.NArg() > 0:
		fmt.Fprintf(stderr, "czertainly-renew: unexpected argument %q (all input is given with flags)\n", fs.Arg(0))
		return cfg, errUsage
	case cfg.days < 1:
		fmt.Fprintf(stderr, "czertainly-renew: -days %d: must be at least 1\n", cfg.days)
		return cfg, errUsage
	case cfg.timeout < 0:
		fmt.Fprintf(stderr, "czertainly-renew: -timeout %v: must not be negative (0: no limit)\n", cfg.timeout)
		return cfg, errUsage
	case cfg.concurrency < 1:
		fmt.Fprintf(stderr, "czertainly-renew: -concurrency %d: must be at least 1\n", cfg.concurrency)
		return cfg, errUsage
	case (cfg.certFile == "") != (cfg.keyFile == ""):
		fmt.Fprintln(stderr, "czertainly-renew: -cert and -key go together")
		return cfg, errUsage
	case cfg.url == "" && (cfg.certFile != "" || cfg.caFile != ""):
		// Without -url the in-process fake serves, and would ignore them.
		fmt.Fprintln(stderr, "czertainly-renew: -cert, -key and -ca need -url")
		return cfg, errUsage
	case cfg.url != "" && !httpURL(cfg.url):
		fmt.Fprintf(stderr, "czertainly-renew: -url %q: want an https:// (or http://) URL with a host\n", cfg.url)
		return cfg, errUsage
	}
	return cfg, nil
}

// httpURL reports whether s is an absolute http or https URL with a host.
func httpURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}

// lockedWriter serialises writes: progress lines (from the renewals'
// goroutines) and the -v log share stderr.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	stderr = &lockedWriter{w: stderr}
	cfg, err := parse(args, stderr)
	switch {
	case errors.Is(err, flag.ErrHelp):
		return 0
	case err != nil:
		return 2
	}
	c, cleanup, err := connect(cfg, stderr, getenv)
	if err != nil {
		fmt.Fprintln(stderr, "czertainly-renew:", err)
		var ue *usageError
		if errors.As(err, &ue) {
			return 2
		}
		return 1
	}
	defer cleanup()
	code, err := renew(ctx, c, cfg, stdout, stderr)
	if err != nil {
		if ctx.Err() != nil {
			fmt.Fprintln(stderr, "czertainly-renew: interrupted")
			return 130
		}
		fmt.Fprintln(stderr, "czertainly-renew:", err)
		return 1
	}
	return code
}

func connect(cfg config, stderr io.Writer, getenv func(string) string) (*czertainly.Client, func(), error) {
	opts := []czertainly.Option{czertainly.WithWaitTimeout(cfg.timeout)}
	if cfg.verbose {
		opts = append(opts, czertainly.WithLogger(slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	}
	if cfg.url == "" {
		srv, err := czertainlytest.NewServer()
		if err != nil {
			return nil, nil, err
		}
		for i, days := range []int{2, 9} {
			if _, err := srv.AddCertificate(czertainlytest.SeedCertificate{CommonName: fmt.Sprintf("api%d.example.com", i+1),
				ExpiresIn: time.Duration(days) * 24 * time.Hour, RAProfileUUID: czertainlytest.RAProfileUUID}); err != nil {
				return nil, nil, err
			}
		}
		if _, err := srv.AddCertificate(czertainlytest.SeedCertificate{CommonName: "legacy.example.com", ExpiresIn: 4 * 24 * time.Hour}); err != nil {
			return nil, nil, err
		}
		fmt.Fprintf(stderr, "using an in-process fake platform at %s\n", srv.URL)
		c, err := srv.NewClient(append(opts, czertainly.WithPollInterval(10*time.Millisecond))...)
		if err != nil {
			srv.Close()
			return nil, nil, err
		}
		return c, srv.Close, nil
	}
	if cfg.caFile != "" {
		pem, err := os.ReadFile(cfg.caFile)
		if err != nil {
			return nil, nil, err
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, nil, fmt.Errorf("-ca %s: no PEM certificates", cfg.caFile)
		}
		opts = append(opts, czertainly.WithRootCAs(pool))
	}
	switch {
	case cfg.certFile != "":
		cert, err := tls.LoadX509KeyPair(cfg.certFile, cfg.keyFile)
		if err != nil {
			return nil, nil, fmt.Errorf("client certificate: %w", err)
		}
		opts = append(opts, czertainly.WithClientCertificate(cert))
	case getenv("CZERTAINLY_TOKEN_FILE") != "":
		name := getenv("CZERTAINLY_TOKEN_FILE")
		// Read on every expiry of a cached copy, so a sidecar that renews
		// the file is picked up.
		opts = append(opts, czertainly.WithToken(czertainly.NewRefreshingTokenSource(func(context.Context) (string, time.Time, error) {
			b, err := os.ReadFile(name)
			return strings.TrimSpace(string(b)), time.Now().Add(time.Minute), err
		})))
	case getenv("CZERTAINLY_TOKEN") != "":
		opts = append(opts, czertainly.WithBearerToken(getenv("CZERTAINLY_TOKEN")))
	default:
		return nil, nil, &usageError{"-url needs credentials: -cert and -key, or CZERTAINLY_TOKEN / CZERTAINLY_TOKEN_FILE"}
	}
	c, err := czertainly.NewClient(cfg.url, opts...)
	if err != nil {
		return nil, nil, err
	}
	return c, c.Close, nil
}

func renew(ctx context.Context, c *czertainly.Client, cfg config, stdout, stderr io.Writer) (int, error) {
	what := "renewing"
	if cfg.dryRun {
		what = "listing"
	}
	fmt.Fprintf(stderr, "%s certificates expiring within %d days…\n", what, cfg.days)
	rep, err := c.RenewExpiring(ctx, czertainly.RenewExpiringInput{
		Days: cfg.days, Concurrency: cfg.concurrency, DryRun: cfg.dryRun, Wait: cfg.wait,
		OnResult: func(r czertainly.RenewalResult) {
			fmt.Fprintf(stderr, "  %s: %s\n", r.Certificate.CommonName, r.Outcome)
		},
	})
	if err != nil {
		return 1, err
	}
	// The issued material of failures first: a report that cannot be
	// written must not lose it.
	saveErr := saveMaterials(cfg.saveDir, rep.Results, stderr)
	summary := stdout // with the table; beside CSV or JSON lines, on stderr
	if cfg.format != toolflag.Table {
		summary = stderr
	}
	if err := writeResults(cfg.output, cfg.format, rep.Results, stdout); err != nil {
		return 1, err
	}
	fmt.Fprintf(summary, "\n%d candidates: %d renewed, %d pending, %d already renewed, %d skipped, %d failed, %d unknown\n", len(rep.Results),
		rep.Count(czertainly.RenewalOutcomeRenewed), rep.Count(czertainly.RenewalOutcomePending), rep.Count(czertainly.RenewalOutcomeAlreadyRenewed),
		rep.Count(czertainly.RenewalOutcomeSkipped), rep.Count(czertainly.RenewalOutcomeFailed), rep.Count(czertainly.RenewalOutcomeUnknown))
	for _, u := range rep.Unknown() {
		fmt.Fprintf(summary, "outcome unknown for %s (%s): check the inventory before renewing it again\n", u.CommonName, u.UUID)
	}
	if saveErr != nil {
		return 1, saveErr
	}
	if ctx.Err() != nil {
		return 1, ctx.Err()
	}
	if rep.Count(czertainly.RenewalOutcomeFailed)+rep.Count(czertainly.RenewalOutcomeUnknown) > 0 {
		return 1, nil
	}
	return 0, nil
}

// resultRecord is one result as a CSV row or a JSON line.
type resultRecord struct {
	UUID               string `json:"uuid"`
	CommonName         string `json:"commonName"`
	NotAfter           string `json:"notAfter"`
	RAProfile          string `json:"raProfile,omitempty"`
	Outcome            string `json:"outcome"`
	NewCertificateUUID string `json:"newCertificateUuid,omitempty"`
	Note               string `json:"note,omitempty"`
}

func record(r czertainly.RenewalResult) resultRecord {
	rec := resultRecord{UUID: r.Certificate.UUID, CommonName: r.Certificate.CommonName, Outcome: string(r.Outcome),
		NewCertificateUUID: r.NewCertificateUUID, Note: r.Reason}
	if !r.Certificate.NotAfter.IsZero() {
		rec.NotAfter = r.Certificate.NotAfter.UTC().Format(time.RFC3339)
	}
	if r.Certificate.RAProfile != nil {
		rec.RAProfile = r.Certificate.RAProfile.Name
	}
	if r.Err != nil {
		rec.Note = r.Err.Error()
	}
	return rec
}

// writeResults writes the results in format to stdout, or to path, where
// the file appears only once complete.
func writeResults(path, format string, results []czertainly.RenewalResult, stdout io.Writer) error {
	if path != "" {
		return atomicfile.Write(path, 0o644, func(w io.Writer) error { return formatResults(w, format, results) })
	}
	return formatResults(stdout, format, results)
}

func formatResults(w io.Writer, format string, results []czertainly.RenewalResult) error {
	switch format {
	case toolflag.JSONL:
		enc := json.NewEncoder(w)
		for _, r := range results {
			if err := enc.Encode(record(r)); err != nil {
				return err
			}
		}
		return nil
	case toolflag.CSV:
		cw := csv.NewWriter(w)
		_ = cw.Write([]string{"uuid", "common_name", "not_after", "ra_profile", "outcome", "new_certificate_uuid", "note"})
		for _, r := range results {
			rec := record(r)
			_ = cw.Write([]string{rec.UUID, rec.CommonName, rec.NotAfter, rec.RAProfile, rec.Outcome, rec.NewCertificateUUID, rec.Note})
		}
		cw.Flush()
		return cw.Error()
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "COMMON NAME\tEXPIRES\tRA PROFILE\tOUTCOME\tNEW CERTIFICATE\tNOTE")
	for _, r := range results {
		rec := record(r)
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", rec.CommonName, r.Certificate.NotAfter.Format(time.DateOnly), dash(rec.RAProfile),
			rec.Outcome, dash(rec.NewCertificateUUID), dash(rec.Note))
	}
	return tw.Flush()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// saveMaterials writes the issued material that failed results carry (the
// Received of a *czertainly.EnrollError) to dir: <name>-key.pem and
// <name>-cert.pem, mode 0600, each written atomically, where name is the
// new certificate's UUID (or the old one's with "-renewal" when Core's
// UUID for the new one is not known). It saves all it can and returns the
// first write error; a run with such a result exits non-zero anyway, as
// the result is failed.
func saveMaterials(dir string, results []czertainly.RenewalResult, stderr io.Writer) error {
	var first error
	for _, r := range results {
		var ee *czertainly.EnrollError
		if r.Err == nil || !errors.As(r.Err, &ee) || ee.Received == nil {
			continue
		}
		name := ee.CertificateUUID
		if name == "" {
			name = r.Certificate.UUID + "-renewal"
		}
		files, err := saveMaterial(dir, name, ee.Received)
		for _, f := range files {
			fmt.Fprintf(stderr, "saved issued material of %s to %s (keep it; the renewal did not finish)\n", r.Certificate.CommonName, f)
		}
		if err != nil {
			fmt.Fprintf(stderr, "czertainly-renew: could not save the issued material of %s: %v\n", r.Certificate.CommonName, err)
			if first == nil {
				first = err
			}
		}
	}
	return first
}

// saveMaterial writes the key and the certificate with its chain that e
// holds, key first, and returns the files written.
func saveMaterial(dir, name string, e *czertainly.Enrollment) ([]string, error) {
	var files []string
	keyPEM, err := e.KeyPEM()
	if err != nil {
		return nil, err
	}
	for _, f := range []struct {
		suffix string
		data   []byte
	}{{"-key.pem", keyPEM}, {"-cert.pem", e.CertificatePEM()}} {
		if len(f.data) == 0 {
			continue
		}
		path := filepath.Join(dir, name+f.suffix)
		if err := atomicfile.Write(path, 0o600, func(w io.Writer) error {
			_, err := w.Write(f.data)
			return err
		}); err != nil {
			return files, err
		}
		files = append(files, path)
	}
	return files, nil
}

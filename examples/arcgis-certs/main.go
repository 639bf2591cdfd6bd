// Command arcgis-certs reports on the identity certificates of an ArcGIS
// Enterprise deployment: subject, fingerprints and days until expiry. It
// exits with status 3 when one expires within -warn-days.
//
// With -rotate NAME -pfx FILE it replaces the certificate the Ingress
// controller serves (ArcGIS Enterprise on Kubernetes): it imports FILE
// under NAME, points the ingress at it, reads the ingress back until it
// names NAME and, with -delete-old, deletes the certificate it served
// before. The PFX password comes from ARCGIS_PFX_PASSWORD. A failed
// rotation says which stage failed and what the server holds; running the
// same command again resumes it without importing twice (add -old NAME to
// delete the old certificate when only that step failed):
//
//	ARCGIS_PFX_PASSWORD=… arcgis-certs -url … -user admin -rotate wildcard-2026 -pfx wildcard.pfx -delete-old
//
// With no -url it starts the in-process fake server and reports on it. To
// talk to a real deployment:
//
//	ARCGIS_PASSWORD=… arcgis-certs -url https://gis.example.com/arcgis -user admin
//	ARCGIS_TOKEN=…    arcgis-certs -url https://gis.example.com -context arcgis
//
// Passwords and tokens are read only from the environment, never from
// flags. Progress goes to stderr, the report to stdout or, with -o, to a
// file that appears only once it is complete. -v logs every HTTP attempt
// to stderr, with credentials masked.
//
// Exit status: 0 all well, 1 the report failed, 2 bad usage, 3 a
// certificate expires within -warn-days, 130 interrupted.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/certadmin/certadmin-go/enterpriseadmin"
	"github.com/certadmin/certadmin-go/enterpriseadmin/enterpriseadmintest"
	"github.com/certadmin/certadmin-go/examples/internal/toolflag"
	"github.com/certadmin/certadmin-go/internal/atomicfile"
)

// Exit statuses.
const (
	exitOK          = 0
	exitFailed      = 1
	exitUsage       = 2
	exitExpiring    = 3
	exitInterrupted = 130
)

// errExpiring is returned when a certificate expires within the warning window.
var errExpiring = errors.New("certificate expiring soon")

// usageError is a command line the tool cannot act on.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return &usageError{msg: fmt.Sprintf(format, a...)} }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := realMain(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr, time.Now())
	stop()
	os.Exit(code)
}

// realMain runs the tool and turns its outcome into a message on stderr
// and an exit status.
func realMain(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer, now time.Time) int {
	err := run(ctx, args, getenv, stdout, stderr, now)
	var usage *usageError
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, flag.ErrHelp):
		return exitOK
	case ctx.Err() != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)):
		fmt.Fprintln(stderr, "arcgis-certs: interrupted")
		return exitInterrupted
	case errors.Is(err, errExpiring):
		fmt.Fprintln(stderr, "arcgis-certs:", err)
		return exitExpiring
	case errors.As(err, &usage), errors.Is(err, enterpriseadmin.ErrInvalidInput):
		fmt.Fprintln(stderr, "arcgis-certs:", err)
		fmt.Fprintln(stderr, "run arcgis-certs -h for usage")
		return exitUsage
	default:
		fmt.Fprintln(stderr, "arcgis-certs:", err)
		return exitFailed
	}
}

// options are the parsed command line.
type options struct {
	baseURL, webContext, user, id, output string
	warnDays                              int
	timeout                               time.Duration
	jsonOut, verbose                      bool

	// Rotation mode (-rotate).
	rotate, pfx, oldName string
	deleteOld            bool
	wait                 time.Duration
}

func parseFlags(args []string, stderr io.Writer) (*options, error) {
	var o options
	fs := flag.NewFlagSet("arcgis-certs", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: arcgis-certs [flags]\n\n"+
			"Reports the identity certificates of an ArcGIS Enterprise deployment and\n"+
			"exits with status 3 when one expires within -warn-days. Without -url it\n"+
			"reports on an in-process fake. Credentials come from the environment:\n"+
			"ARCGIS_PASSWORD (with -user) or ARCGIS_TOKEN.\n\n"+
			"With -rotate NAME -pfx FILE [-delete-old] it rotates the certificate the\n"+
			"ingress serves instead (PFX password from ARCGIS_PFX_PASSWORD); rerun the\n"+
			"same command to resume a rotation that failed.\n\nflags:\n")
		fs.PrintDefaults()
	}
	fs.StringVar(&o.baseURL, "url", "", "the web context's URL, e.g. https://gis.example.com/arcgis (default: an in-process fake)")
	fs.StringVar(&o.webContext, "context", "", "web context, when -url is only the host")
	fs.StringVar(&o.user, "user", "", "administrator name (password from ARCGIS_PASSWORD; or set ARCGIS_TOKEN)")
	fs.StringVar(&o.id, "id", "", "report only this identity certificate id")
	fs.IntVar(&o.warnDays, "warn-days", 30, "exit with status 3 when a certificate expires within this many days")
	fs.StringVar(&o.output, "o", "", "write the report to this file instead of stdout (it appears only when complete)")
	format := toolflag.Format(fs, toolflag.Table, toolflag.JSONL)
	fs.DurationVar(&o.timeout, "timeout", time.Minute, "bound on each request's wait for an answer (0: none)")
	fs.BoolVar(&o.verbose, "v", false, "log every HTTP attempt to stderr (credentials masked)")
	fs.StringVar(&o.rotate, "rotate", "", "rotate the ingress's certificate to a new one imported under this name (needs -pfx)")
	fs.StringVar(&o.pfx, "pfx", "", "with -rotate: the new certificate and key, a PKCS#12 file (password from ARCGIS_PFX_PASSWORD)")
	fs.BoolVar(&o.deleteOld, "delete-old", false, "with -rotate: delete the old certificate once the ingress serves the new one")
	fs.StringVar(&o.oldName, "old", "", "with -rotate -delete-old: the old certificate's name (default: the one the ingress serves at the start)")
	fs.DurationVar(&o.wait, "wait", enterpriseadmin.DefaultWaitTimeout, "with -rotate: bound on waiting for the ingress to name the new certificate (0: none)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, &usageError{msg: err.Error()}
	}
	o.jsonOut = *format == toolflag.JSONL
	switch {
	case fs.NArg() > 0:
		return nil, usagef("unexpected arguments %q: every input is a flag", fs.Args())
	case o.warnDays < 0:
		return nil, usagef("-warn-days must not be negative, got %d", o.warnDays)
	case o.timeout < 0:
		return nil, usagef("-timeout must not be negative, got %v", o.timeout)
	case o.baseURL == "" && o.webContext != "":
		return nil, usagef("-context needs -url (the host of a real deployment)")
	case o.baseURL == "" && o.user != "":
		return nil, usagef("-user needs -url (the in-process fake signs in by itself)")
	case strings.TrimSpace(o.output) != o.output:
		return nil, usagef("-o %q has leading or trailing spaces", o.output)
	case o.rotate == "" && (o.pfx != "" || o.deleteOld || o.oldName != ""):
		return nil, usagef("-pfx, -delete-old and -old need -rotate")
	case o.rotate != "" && o.pfx == "":
		return nil, usagef("-rotate needs -pfx FILE, the new certificate and its key")
	case o.rotate != "" && o.id != "":
		return nil, usagef("-rotate and -id do not go together")
	case o.oldName != "" && !o.deleteOld:
		return nil, usagef("-old names the certificate -delete-old deletes: give -delete-old too")
	case o.wait < 0:
		return nil, usagef("-wait must not be negative, got %v", o.wait)
	}
	return &o, nil
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer, now time.Time) error {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	progress := func(format string, a ...any) { _, _ = fmt.Fprintf(stderr, format+"\n", a...) }

	opts := []enterpriseadmin.Option{enterpriseadmin.WithTimeout(o.timeout)}
	if o.verbose {
		opts = append(opts, enterpriseadmin.WithLogger(slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	}
	var rot *rotation
	if o.rotate != "" {
		if rot, err = readRotation(o, getenv); err != nil {
			return err
		}
	}
	var c *enterpriseadmin.Client
	if o.baseURL == "" {
		// The fake refuses to delete the certificate its ingress serves, so
		// a rotation against it shows the order the tool keeps.
		srv, err := enterpriseadmintest.NewServer(enterpriseadmintest.WithServedCertificateProtected())
		if err != nil {
			return err
		}
		defer srv.Close()
		progress("no -url given: using the in-process fake at %s", srv.URL)
		if c, err = srv.NewClient(opts...); err != nil {
			return err
		}
	} else {
		if o.webContext != "" {
			opts = append(opts, enterpriseadmin.WithWebContext(o.webContext))
		}
		switch tok := getenv("ARCGIS_TOKEN"); {
		case o.user != "":
			pw := getenv("ARCGIS_PASSWORD")
			if pw == "" {
				return usagef("-user needs the password in ARCGIS_PASSWORD")
			}
			opts = append(opts, enterpriseadmin.WithCredentials(o.user, pw))
		case tok != "":
			opts = append(opts, enterpriseadmin.WithToken(enterpriseadmin.StaticToken(tok)))
		default:
			return usagef("give -user (with ARCGIS_PASSWORD) or set ARCGIS_TOKEN")
		}
		if c, err = enterpriseadmin.NewClient(o.baseURL, opts...); err != nil {
			return err
		}
	}
	defer c.Close()

	if rot != nil {
		return rot.run(ctx, c, o, stdout, progress)
	}

	var certs []enterpriseadmin.Certificate
	if o.id != "" {
		progress("reading identity certificate %s", o.id)
		cert, err := c.GetIdentityCertificate(ctx, o.id)
		if err != nil {
			return err
		}
		certs = append(certs, *cert)
	} else {
		progress("listing identity certificates")
		if certs, err = c.ListIdentityCertificates(ctx); err != nil {
			return err
		}
	}

	expiring := 0
	for _, cert := range certs {
		if cert.DaysToExpiry(now) < o.warnDays {
			expiring++
		}
	}
	report, err := render(certs, now, o.jsonOut)
	if err != nil {
		return err
	}
	if o.output != "" {
		if err := atomicfile.Write(o.output, 0o644, func(w io.Writer) error {
			_, err := io.WriteString(w, report)
			return err
		}); err != nil {
			return fmt.Errorf("write %s: %w", o.output, err)
		}
		progress("wrote %s", o.output)
	} else if _, err := io.WriteString(stdout, report); err != nil {
		return err
	}
	progress("%d certificate(s), %d expiring within %d days", len(certs), expiring, o.warnDays)
	if expiring > 0 {
		return fmt.Errorf("%w: %d within %d days", errExpiring, expiring, o.warnDays)
	}
	return nil
}

// render writes the report as a table or as JSON lines. The table holds
// the SHA-256 fingerprint; the JSON lines every member the server sent
// (SHA-1 and MD5 fingerprints too).
func render(certs []enterpriseadmin.Certificate, now time.Time, asJSON bool) (string, error) {
	var b strings.Builder
	if asJSON { // JSON lines: one certificate per line, in the server's form
		enc := json.NewEncoder(&b)
		for _, cert := range certs {
			if err := enc.Encode(cert); err != nil {
				return "", err
			}
		}
		return b.String(), nil
	}
	tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tID\tSUBJECT\tISSUER\tVALID UNTIL\tDAYS\tSHA256")
	for _, cert := range certs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%s\n", cert.Name, cert.ID, cert.Subject, cert.Issuer,
			cert.ValidUntil.Format(time.RFC3339), cert.DaysToExpiry(now), cert.SHA256Fingerprint)
	}
	if err := tw.Flush(); err != nil {
		return "", err
	}
	return b.String(), nil
}

// Command quickstart exports the certificate details of a MobileIron Core
// server to a CSV file: it starts Core's export, waits for it, streams the
// file to disk (it appears only once complete, and an existing file is left
// as it was if the export fails) and prints a summary. Progress goes to
// stderr, the summary to stdout.
//
// With no flags it runs against an in-memory Core (coretest) so it works
// anywhere:
//
//	go run ./examples/quickstart
//
// Against a real server, the password comes from the environment, never
// from a flag:
//
//	CORE_PASSWORD=… go run ./examples/quickstart -url https://core.example.com -user apiadmin
//
// -v logs every HTTP attempt (method, redacted URL, status) to stderr.
// Ctrl-C stops the export and exits with status 130; bad usage exits with
// status 2, a failed export with status 1.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/certadmin/certadmin-go/mobileiron/core"
	"github.com/certadmin/certadmin-go/mobileiron/core/coretest"
)

// passwordEnv names the environment variable holding the Core password.
const passwordEnv = "CORE_PASSWORD"

// Exit statuses.
const (
	exitOK          = 0
	exitFailed      = 1
	exitUsage       = 2
	exitInterrupted = 130 // 128 + SIGINT, as shells report it
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		// After the first interrupt, a second one kills the program at once.
		<-ctx.Done()
		stop()
	}()
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// options are the parsed and checked command line.
type options struct {
	baseURL, user, out, ceName string
	status                     core.CertificateStatus
	space                      int64
	insecure, verbose          bool
	fakeSize                   int64
	interval, timeout          time.Duration
}

// usageError is a command line that cannot be run. printed is set when
// the flag package has already said what is wrong.
type usageError struct {
	msg     string
	printed bool
}

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return &usageError{msg: fmt.Sprintf(format, args...)} }

// parse reads args; flag.ErrHelp means -h was asked for.
func parse(args []string, stderr io.Writer) (*options, error) {
	fs := flag.NewFlagSet("quickstart", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		_, _ = fmt.Fprintf(fs.Output(), "Usage: quickstart [flags]\n\n"+
			"Exports the certificate details of a MobileIron Core server to a CSV file.\n"+
			"Without -url it runs against an in-memory Core. The password of -user is\n"+
			"read from $%s.\n\nFlags:\n", passwordEnv)
		fs.PrintDefaults()
	}
	o := &options{}
	var status string
	fs.StringVar(&o.baseURL, "url", "", "Core base URL, e.g. https://core.example.com (empty: start an in-memory Core)")
	fs.StringVar(&o.user, "user", "", "Core administrator user name, with -url (password from $"+passwordEnv+")")
	fs.StringVar(&o.out, "o", "certificates.csv", "CSV file to write")
	fs.StringVar(&o.ceName, "ce", coretest.CESettingName, "certificate enrollment configuration name (ceSettingName)")
	fs.StringVar(&status, "status", string(core.CertificateStatusActive), "certificate status to export")
	fs.Int64Var(&o.space, "space", core.DefaultAdminDeviceSpaceID, "administrator's device space ID (adminDeviceSpaceId)")
	fs.BoolVar(&o.insecure, "insecure", false, "with -url: skip TLS verification (lab servers only)")
	fs.Int64Var(&o.fakeSize, "fake-size", 0, "in-memory Core only: bytes of generated CSV to export (0: the sample certificates)")
	fs.DurationVar(&o.interval, "poll", 0, "interval between export status checks (0: 1s, or 20ms for the in-memory Core)")
	fs.DurationVar(&o.timeout, "timeout", core.DefaultWaitTimeout, "how long to wait for the export to finish (0: no limit)")
	fs.BoolVar(&o.verbose, "v", false, "log every HTTP attempt (redacted) to stderr")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, &usageError{msg: err.Error(), printed: true}
	}
	o.status = core.CertificateStatus(status)
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	switch {
	case fs.NArg() > 0:
		return nil, usagef("unexpected argument %q: quickstart takes flags only (see -h)", fs.Arg(0))
	case strings.TrimSpace(o.out) == "":
		return nil, usagef("-o must name a file")
	case strings.TrimSpace(o.ceName) == "":
		return nil, usagef("-ce must name a certificate enrollment configuration")
	case !o.status.Valid():
		return nil, usagef("-status %q is not a certificate status (one of ACTIVE, EXPIRED, PENDING_REVOCATION, MANUAL_REVOCATION_REQUIRED, REVOKED, SENT, WAITING_SEND, GENERATING, HIGH_GENERATING)", status)
	case o.space <= 0:
		return nil, usagef("-space must be a positive device space ID, got %d", o.space)
	case o.interval < 0:
		return nil, usagef("-poll must not be negative, got %s", o.interval)
	case o.timeout < 0:
		return nil, usagef("-timeout must not be negative, got %s", o.timeout)
	case o.fakeSize < 0:
		return nil, usagef("-fake-size must not be negative, got %d", o.fakeSize)
	case o.baseURL != "" && set["fake-size"]:
		return nil, usagef("-fake-size applies to the in-memory Core only, not with -url")
	case o.baseURL == "" && (set["user"] || set["insecure"]):
		return nil, usagef("-user and -insecure apply with -url only")
	case o.baseURL != "" && o.user == "":
		return nil, usagef("-url needs -user (and the password in $%s)", passwordEnv)
	}
	return o, nil
}

// run is the program: it returns the exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o, err := parse(args, stderr)
	if err == nil {
		err = export(ctx, o, stdout, stderr)
	}
	var ue *usageError
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.As(err, &ue):
		if !ue.printed {
			_, _ = fmt.Fprintln(stderr, "quickstart:", err)
		}
		return exitUsage
	case ctx.Err() != nil:
		_, _ = fmt.Fprintln(stderr, "quickstart: interrupted")
		return exitInterrupted
	default:
		_, _ = fmt.Fprintln(stderr, "quickstart:", err)
		return exitFailed
	}
}

func export(ctx context.Context, o *options, stdout, stderr io.Writer) error {
	opts := []core.Option{core.WithAdminDeviceSpaceID(o.space)}
	if o.verbose {
		opts = append(opts, core.WithLogger(slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	}
	interval := o.interval
	var c *core.Client
	if o.baseURL == "" {
		srv, err := coretest.NewServer()
		if err != nil {
			return err
		}
		defer srv.Close()
		srv.SetExportSize(o.fakeSize)
		if interval == 0 {
			interval = 20 * time.Millisecond // the in-memory export finishes at once
		}
		_, _ = fmt.Fprintf(stderr, "no -url given: using an in-memory Core at %s\n", srv.URL)
		if c, err = srv.NewClient(opts...); err != nil {
			return err
		}
	} else {
		password := os.Getenv(passwordEnv)
		if password == "" {
			return usagef("-url needs the password of %s in $%s", o.user, passwordEnv)
		}
		opts = append(opts, core.WithBasicAuth(o.user, password))
		if o.insecure {
			opts = append(opts, core.WithInsecureSkipVerify())
		}
		var err error
		if c, err = core.NewClient(o.baseURL, opts...); err != nil {
			if errors.Is(err, core.ErrInvalidInput) {
				return &usageError{msg: "-url: " + err.Error()}
			}
			return err
		}
	}
	defer c.Close()
	if interval == 0 {
		interval = core.DefaultPollInterval
	}

	filter := core.CertificateFilter{CESettingName: o.ceName, Status: o.status}
	_, _ = fmt.Fprintf(stderr, "exporting %s certificates of %s to %s\n", o.status, o.ceName, o.out)
	start := time.Now()
	sum, err := c.ExportCertificatesToFile(ctx, filter, o.out,
		core.WithPollInterval(interval),
		core.WithWaitTimeout(o.timeout),
		core.WithProgress(func(st core.ExportStatus) {
			state := "running"
			if !st.Running {
				state = st.Result
			}
			_, _ = fmt.Fprintf(stderr, "export %s (started %s)\n", state, st.InitiatedAt.Local().Format(time.TimeOnly))
		}))
	if err != nil {
		if errors.Is(err, core.ErrExportInProgress) {
			return fmt.Errorf("%w; try again later", err)
		}
		return err
	}
	elapsed := time.Since(start)
	rows, err := countRows(o.out)
	if err != nil {
		return err
	}
	_, _ = fmt.Fprintf(stdout, "wrote %s: %d row(s), %d bytes in %s\n", o.out, rows, sum.Bytes, elapsed.Round(time.Millisecond))
	if sum.JoinedRunning {
		_, _ = fmt.Fprintln(stdout, "note: an export was already running; this is its result")
	}
	return nil
}

// countRows counts the data rows of the finished CSV file without loading it.
func countRows(path string) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	var rc rowCounter
	if _, err := io.Copy(&rc, f); err != nil {
		return 0, err
	}
	return rc.rows(), nil
}

// rowCounter counts non-empty lines.
type rowCounter struct {
	lines int64
	prev  byte
}

func (r *rowCounter) Write(p []byte) (int, error) {
	for _, b := range p {
		if b == '\n' && r.prev != '\n' && r.prev != 0 {
			r.lines++
		}
		r.prev = b
	}
	return len(p), nil
}

// rows is the line count without the header (and a last line without newline).
func (r *rowCounter) rows() int64 {
	n := r.lines
	if r.prev != '\n' && r.prev != 0 {
		n++
	}
	return max(n-1, 0)
}

// Command cloud-accounts lists every account of a MobileIron Cloud tenant
// and writes them as CSV or JSON lines.
//
// With no -url it starts the in-process fake tenant (cloudtest) with
// generated accounts, so it runs anywhere:
//
//	go run ./examples/cloud-accounts -format jsonl
//
// Against a real tenant, the Tenant Admin password comes from the
// MI_CLOUD_PASSWORD environment variable, never from a flag:
//
//	MI_CLOUD_PASSWORD=… go run ./examples/cloud-accounts -url https://na1.mobileiron.com -user admin@example.com -o accounts.csv
//
// Progress goes to stderr; the accounts go to stdout or the -o file. The
// file appears only once the listing is complete: a failure or Ctrl-C
// leaves an existing file as it was. -v logs every HTTP attempt to
// stderr, with credentials masked.
package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strconv"
	"sync"
	"time"

	"github.com/certadmin/certadmin-go/examples/internal/toolflag"
	"github.com/certadmin/certadmin-go/internal/atomicfile"
	"github.com/certadmin/certadmin-go/mobileiron/cloud"
	"github.com/certadmin/certadmin-go/mobileiron/cloud/cloudtest"
)

// passwordEnv names the environment variable holding the password.
const passwordEnv = "MI_CLOUD_PASSWORD"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(exitCode(err, os.Stderr))
}

// usageError is a command line that makes no sense; it exits 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return &usageError{fmt.Sprintf(format, args...)} }

// exitCode reports err on stderr and returns the process's exit status:
// 0 for success and -h, 2 for a bad command line, 130 when interrupted,
// 1 otherwise.
func exitCode(err error, stderr io.Writer) int {
	var ue *usageError
	var ie *interruptedError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ie):
		_, _ = fmt.Fprintln(stderr, "cloud-accounts:", err)
		return 130 // the shell's code for a command ended by SIGINT
	case errors.As(err, &ue):
		_, _ = fmt.Fprintln(stderr, "cloud-accounts:", err)
		_, _ = fmt.Fprintln(stderr, "run cloud-accounts -h for the flags")
		return 2
	default:
		_, _ = fmt.Fprintln(stderr, "cloud-accounts:", err)
		return 1
	}
}

type options struct {
	url, user, out, query, sortBy string
	format                        string
	rows, parallel, fakeAccounts  int
	timeout                       time.Duration
	verbose                       bool
}

func parse(args []string, stderr io.Writer) (*options, error) {
	var o options
	fs := flag.NewFlagSet("cloud-accounts", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.url, "url", "", "tenant URL, e.g. https://na1.mobileiron.com (default: an in-process fake tenant)")
	fs.StringVar(&o.user, "user", "", "Tenant Admin user name (password from $"+passwordEnv+")")
	format := toolflag.Format(fs, toolflag.CSV, toolflag.JSONL)
	fs.StringVar(&o.out, "o", "", "write to this file instead of stdout")
	fs.StringVar(&o.query, "q", "", "free-text query")
	fs.StringVar(&o.sortBy, "sort", "", "sort field, e.g. displayName")
	fs.IntVar(&o.rows, "rows", cloud.MaxPageSize, "rows per page, 1 to 500")
	fs.IntVar(&o.parallel, "parallel", 0, fmt.Sprintf("fetch up to this many pages at once, at most %d (large, quiet tenants)", cloud.MaxParallel))
	fs.IntVar(&o.fakeAccounts, "fake-accounts", 1200, "accounts the fake tenant (without -url) holds beside the documentation's sample accounts")
	fs.DurationVar(&o.timeout, "timeout", 60*time.Second, "how long to wait for each answer's headers (0: no limit)")
	fs.BoolVar(&o.verbose, "v", false, "log every HTTP attempt to stderr (credentials masked)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, &usageError{err.Error()}
	}
	o.format = *format
	switch {
	case fs.NArg() > 0:
		return nil, usagef("unexpected argument %q (every setting is a flag)", fs.Arg(0))
	case o.rows < 1 || o.rows > cloud.MaxPageSize:
		return nil, usagef("-rows %d: the API takes 1 to %d rows per page", o.rows, cloud.MaxPageSize)
	case o.parallel < 0 || o.parallel > cloud.MaxParallel:
		return nil, usagef("-parallel %d: want 0 to %d", o.parallel, cloud.MaxParallel)
	case o.fakeAccounts < 0:
		return nil, usagef("-fake-accounts %d must not be negative", o.fakeAccounts)
	case o.timeout < 0:
		return nil, usagef("-timeout %s must not be negative", o.timeout)
	case o.url == "" && o.user != "":
		return nil, usagef("-user needs -url (the fake tenant has its own credentials)")
	}
	return &o, nil
}

// lockedWriter serialises writes: the debug log (written from the
// goroutines that fetch pages ahead) and the progress share stderr.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	o, err := parse(args, stderr)
	if err != nil {
		return err
	}
	stderr = &lockedWriter{w: stderr}
	clientOpts := []cloud.Option{cloud.WithTimeout(o.timeout)}
	if o.verbose {
		clientOpts = append(clientOpts, cloud.WithLogger(slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	}
	var c *cloud.Client
	if o.url == "" {
		srv, err := cloudtest.NewServer(cloudtest.WithGeneratedAccounts(o.fakeAccounts))
		if err != nil {
			return err
		}
		defer srv.Close()
		_, _ = fmt.Fprintf(stderr, "using an in-process fake tenant at %s with %d accounts\n", srv.URL, srv.AccountCount())
		if c, err = srv.NewClient(clientOpts...); err != nil {
			return err
		}
	} else {
		password := getenv(passwordEnv)
		if o.user == "" || password == "" {
			return usagef("-url needs -user and the password in $%s", passwordEnv)
		}
		if c, err = cloud.NewClient(o.url, append(clientOpts, cloud.WithBasicAuth(o.user, password))...); err != nil {
			return err
		}
	}
	defer c.Close()

	opts := cloud.ListOptions{Query: o.query, SortBy: o.sortBy, PageSize: o.rows, Prefetch: true, Parallel: o.parallel}
	list := func(w io.Writer) error { return listAccounts(ctx, c, opts, o.format, w, stderr) }
	if o.out == "" {
		err = list(stdout)
	} else {
		// The file appears under its name only once the listing is
		// complete; a failure or an interruption leaves an existing file
		// as it was and no partial file behind.
		err = atomicfile.Write(o.out, 0o644, list)
	}
	if err != nil && ctx.Err() != nil {
		return &interruptedError{err: ctx.Err(), out: o.out}
	}
	return err
}

// interruptedError reports a listing stopped by Ctrl-C.
type interruptedError struct {
	err error
	out string
}

func (e *interruptedError) Error() string {
	if e.out != "" {
		return "interrupted; " + e.out + " was not written"
	}
	return "interrupted"
}

func (e *interruptedError) Unwrap() error { return e.err }

// listAccounts writes every account to w, with progress on stderr. Only
// complete rows are written, also when the listing fails half-way.
func listAccounts(ctx context.Context, c *cloud.Client, opts cloud.ListOptions, format string, w, stderr io.Writer) error {
	write, flush := writer(format, w)
	began, n := time.Now(), 0
	for a, err := range c.ListAccounts(ctx, opts) {
		if err != nil {
			_ = flush() // the rows before the failure, whole
			_, _ = fmt.Fprintln(stderr)
			return err
		}
		if err := write(a); err != nil {
			return err
		}
		n++
		if n%opts.PageSize == 0 {
			_, _ = fmt.Fprintf(stderr, "\r%d accounts…", n)
		}
	}
	if err := flush(); err != nil {
		return err
	}
	_, _ = fmt.Fprintf(stderr, "\r%d accounts in %s\n", n, time.Since(began).Round(time.Millisecond))
	return nil
}

var header = []string{"id", "uid", "emailAddress", "displayName", "firstName", "lastName", "accountSource", "inviteState", "enabled", "createdAt"}

// writer returns a function writing one account and one flushing the output.
// JSON lines are the API's own form of an account (cloud.Account's JSON).
func writer(format string, w io.Writer) (func(cloud.Account) error, func() error) {
	if format == toolflag.JSONL {
		enc := json.NewEncoder(w)
		return func(a cloud.Account) error { return enc.Encode(a) }, func() error { return nil }
	}
	cw := csv.NewWriter(w)
	wroteHeader := false
	return func(a cloud.Account) error {
			if !wroteHeader {
				wroteHeader = true
				if err := cw.Write(header); err != nil {
					return err
				}
			}
			created := ""
			if !a.CreatedAt.IsZero() {
				created = a.CreatedAt.Format(time.RFC3339)
			}
			return cw.Write([]string{strconv.FormatInt(a.ID, 10), a.UID, a.EmailAddress, a.DisplayName, a.FirstName, a.LastName,
				string(a.AccountSource), a.InviteState, strconv.FormatBool(a.Enabled), created})
		}, func() error {
			cw.Flush()
			return cw.Error()
		}
}

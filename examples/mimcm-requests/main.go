// Command mimcm-requests lists MIM Certificate Management requests, by
// default the pending ones, as a table or as JSON lines in the server's
// form (-format jsonl).
//
// With no -url it starts the in-memory fake (package mimcmtest) and lists
// its requests, so it runs anywhere:
//
//	go run ./examples/mimcm-requests -status any
//
// Against a real server, credentials come from the environment or files,
// never from flags. -auth says how to sign in: basic or ntlm with the
// password of -user (DOMAIN\user or user@REALM) from MIMCM_PASSWORD;
// kerberos with that password, a -keytab FILE, or the credential cache of
// KRB5CCNAME (kinit), krb5.conf from KRB5_CONFIG and -spn overriding
// HTTP/<host>; token with an ADFS bearer token from MIMCM_TOKEN (the
// default when it is set).
//
//	MIMCM_PASSWORD=… mimcm-requests -url https://cm.contoso.com -auth ntlm -user 'CONTOSO\jdoe' -status Pending -o pending.txt
//	KRB5CCNAME=/tmp/krb5cc_1000 mimcm-requests -url https://cm.contoso.com -auth kerberos -status any
//
// Progress goes to stderr (-v adds a debug line per HTTP attempt, with
// credentials masked), the result to stdout or to the -o file, which
// appears only once complete. Exit status: 0 on success, 1 when the call
// fails, 2 for a usage error, 130 when interrupted.
package main

import (
	"context"
	"crypto/x509"
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

	"github.com/certadmin/certadmin-go/examples/internal/mimcmauth"
	"github.com/certadmin/certadmin-go/examples/internal/toolflag"
	"github.com/certadmin/certadmin-go/internal/atomicfile"
	"github.com/certadmin/certadmin-go/mimcm"
	"github.com/certadmin/certadmin-go/mimcm/mimcmtest"
)

const name = "mimcm-requests"

// Environment variables holding the credentials.
const (
	passwordEnv = "MIMCM_PASSWORD"
	tokenEnv    = "MIMCM_TOKEN"
)

// Exit statuses.
const (
	exitOK          = 0
	exitFailed      = 1
	exitUsage       = 2
	exitInterrupted = 130
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv)
	code := exitCode(ctx, err, os.Stderr)
	stop()
	os.Exit(code)
}

// usageError is a mistake in the command line or the environment: nothing
// was sent to a server.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// exitCode reports err on stderr and returns the exit status for it. ctx
// is the signal context: once it is done, a failure is an interruption.
func exitCode(ctx context.Context, err error, stderr io.Writer) int {
	var ue *usageError
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, flag.ErrHelp):
		return exitOK
	case ctx.Err() != nil:
		_, _ = fmt.Fprintln(stderr, name+": interrupted")
		return exitInterrupted
	case errors.As(err, &ue):
		_, _ = fmt.Fprintf(stderr, "%s: %v\nrun %s -h for help\n", name, err, name)
		return exitUsage
	default:
		_, _ = fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return exitFailed
	}
}

// options are the checked command line.
type options struct {
	url, caFile, out string
	auth             mimcmauth.Flags
	filter           mimcm.RequestFilter
	format           string
	verbose          bool
	timeout          time.Duration
}

func parse(args []string, stderr io.Writer) (*options, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		_, _ = fmt.Fprintf(stderr, "usage: %s [flags]\n\nLists MIM CM requests. Without -url it lists those of an in-process fake server.\n"+
			"Credentials come from $%s (with -user) or $%s.\n\nflags:\n", name, passwordEnv, tokenEnv)
		fs.PrintDefaults()
	}
	var o options
	fs.StringVar(&o.url, "url", "", "base URL of the CM REST API host, e.g. https://cm.contoso.com (default: an in-process fake)")
	o.auth.Register(fs)
	status := fs.String("status", string(mimcm.StatusPending), "only requests in this status ("+statusNames()+"), or any")
	fs.BoolVar(&o.filter.CurrentUser, "mine", false, "only requests whose target is the signed-in user")
	fs.StringVar(&o.caFile, "ca", "", "PEM file of the CA that issued the server's certificate (default: the system roots)")
	fs.StringVar(&o.out, "o", "", "write the result to this file instead of stdout")
	format := toolflag.Format(fs, toolflag.Table, toolflag.JSONL)
	fs.DurationVar(&o.timeout, "timeout", time.Minute, "overall time limit")
	fs.BoolVar(&o.verbose, "v", false, "log every HTTP attempt to stderr (credentials masked)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, &usageError{msg: err.Error()}
	}
	o.format = *format
	if fs.NArg() > 0 {
		return nil, usagef("unexpected argument %q (every setting is a flag)", fs.Arg(0))
	}
	if !strings.EqualFold(*status, "any") && *status != "" {
		s, err := mimcm.ParseStatus(*status)
		if err != nil {
			return nil, usagef("-status %q is not a request status (want one of %s, or any)", *status, statusNames())
		}
		o.filter.Status = s
	}
	if o.timeout <= 0 {
		return nil, usagef("-timeout must be positive, got %s", o.timeout)
	}
	if err := o.auth.Check(); err != nil {
		return nil, usagef("%v", err)
	}
	if o.url == "" && (o.auth.Given() || o.caFile != "") {
		return nil, usagef("-auth, -user, -keytab, -spn and -ca need -url (without -url the in-process fake is used)")
	}
	if strings.TrimSpace(o.out) == "" && o.out != "" {
		return nil, usagef("-o needs a file name")
	}
	return &o, nil
}

func statusNames() string {
	var names []string
	for _, s := range mimcm.Statuses() {
		names = append(names, string(s))
	}
	return strings.Join(names, ", ")
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	o, err := parse(args, stderr)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()

	var opts []mimcm.Option
	if o.verbose {
		opts = append(opts, mimcm.WithLogger(slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	}
	var c *mimcm.Client
	if o.url == "" {
		srv, err := mimcmtest.NewServer()
		if err != nil {
			return err
		}
		defer srv.Close()
		progress(stderr, "no -url given: using an in-process fake server at %s\n", srv.URL)
		if c, err = srv.NewClient(opts...); err != nil {
			return err
		}
	} else {
		auth, err := credentials(&o.auth, getenv)
		if err != nil {
			return err
		}
		opts = append(opts, auth)
		if o.caFile != "" {
			pool, err := readCA(o.caFile)
			if err != nil {
				return err
			}
			opts = append(opts, mimcm.WithRootCAs(pool))
		}
		if c, err = mimcm.NewClient(o.url, opts...); err != nil {
			if errors.Is(err, mimcm.ErrInvalidInput) {
				return usagef("-url: %v", err)
			}
			return err
		}
	}
	defer c.Close()

	progress(stderr, "listing requests (status %s, only mine: %t)\n", orAny(string(o.filter.Status)), o.filter.CurrentUser)
	list, err := c.ListRequests(ctx, o.filter)
	if err != nil {
		return err
	}
	write := func(w io.Writer) error { return writeTable(w, list) }
	if o.format == toolflag.JSONL {
		write = func(w io.Writer) error { return writeJSON(w, list) }
	}
	if o.out != "" {
		if err := atomicfile.Write(o.out, 0o644, write); err != nil {
			return err
		}
		progress(stderr, "%d request(s) written to %s\n", len(list), o.out)
		return nil
	}
	if err := write(stdout); err != nil {
		return err
	}
	progress(stderr, "%d request(s)\n", len(list))
	return nil
}

// progress reports to stderr; a failed write there is not worth stopping for.
func progress(w io.Writer, format string, args ...any) { _, _ = fmt.Fprintf(w, format, args...) }

// credentials picks the authentication from the environment: a bearer
// token, or the password of user.
// credentials picks the sign-in from the flags and the environment (see
// package mimcmauth); a mistake there is a usage error.
func credentials(f *mimcmauth.Flags, getenv func(string) string) (mimcm.Option, error) {
	opt, err := f.Option(getenv)
	var ue *mimcmauth.UsageError
	if errors.As(err, &ue) {
		return nil, usagef("%s", ue.Msg)
	}
	return opt, err
}

func readCA(file string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("-ca: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, usagef("-ca: %s holds no PEM certificate", file)
	}
	return pool, nil
}

func orAny(s string) string {
	if s == "" {
		return "any"
	}
	return s
}

// writeTable prints one line per request; unset values print as "-".
func writeTable(w io.Writer, list []mimcm.Request) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	_, _ = fmt.Fprintln(tw, "REQUEST\tTYPE\tSTATUS\tSUBMITTED (UTC)\tCOMPLETED\tTARGET USER\tSMART CARD\tCOMMENT")
	for _, r := range list {
		completed := "-"
		if r.IsCompleted() {
			completed = r.Completed.UTC().Format(time.DateTime)
		}
		target := "-"
		if r.TargetUserUUID != nil {
			target = r.TargetUserUUID.String()
		}
		card := "-"
		if r.NewSmartcardUUID != nil {
			card = r.NewSmartcardUUID.String()
		}
		comment := strings.Join(strings.Fields(r.Comment), " ")
		if comment == "" {
			comment = "-"
		}
		_, _ = fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.UUID, r.Type, r.Status,
			r.Submitted.UTC().Format(time.DateTime), completed, target, card, comment)
	}
	return tw.Flush()
}

// writeJSON writes the requests as JSON lines, one request per line in
// the server's form.
func writeJSON(w io.Writer, list []mimcm.Request) error {
	enc := json.NewEncoder(w)
	for _, r := range list {
		if err := enc.Encode(r); err != nil {
			return err
		}
	}
	return nil
}

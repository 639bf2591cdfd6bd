// Command czertainly-admins walks an administrator through its life on a
// CZERTAINLY 1.x platform: it creates one from a certificate, lists the
// administrators, updates the new one's description, disables it and
// deletes it again (or keeps it, disabled, with -keep).
//
// With no -url it starts the in-memory fake (package adminv1test) and
// runs against it, so it works anywhere:
//
//	go run ./examples/czertainly-admins
//
// Against a real platform (the base URL includes the /api context path):
//
//	czertainly-admins -url https://czertainly.example.com/api \
//	    -cert admin.crt -key admin.key -ca platform-ca.pem \
//	    -new-cert jdoe.crt -username jdoe -email jdoe@example.com
//
// The client certificate of a super administrator authenticates (mutual
// TLS); its key is read from the file -key names, so no secret is ever
// given on the command line. Progress goes to stderr, the administrator
// list to stdout or, with -o, to a file that appears only once it is
// complete; -format jsonl writes it as JSON lines (one administrator per
// line) instead of a table. -v logs every HTTP attempt (redacted) to
// stderr. Exit status: 0 done, 1 failed, 2 bad usage, 130 interrupted.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/mail"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/certadmin/certadmin-go/czertainly/adminv1"
	"github.com/certadmin/certadmin-go/czertainly/adminv1/adminv1test"
	"github.com/certadmin/certadmin-go/examples/internal/toolflag"
	"github.com/certadmin/certadmin-go/internal/atomicfile"
)

// Exit statuses.
const (
	exitOK          = 0
	exitFailed      = 1
	exitUsage       = 2
	exitInterrupted = 130
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

type config struct {
	url, certFile, keyFile, caFile, newCertFile string
	username, name, surname, email              string
	role                                        adminv1.Role
	out                                         string
	format                                      string
	keep, verbose                               bool
	timeout                                     time.Duration
}

// usageError is a command line that makes no sense: exit status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg, err := parse(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	var ue usageError
	if errors.As(err, &ue) {
		fmt.Fprintln(stderr, "czertainly-admins:", err)
		fmt.Fprintln(stderr, "run czertainly-admins -h for the flags")
		return exitUsage
	}
	if err != nil {
		// The flag package has printed the problem and the usage.
		return exitUsage
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.timeout)
	defer cancel()
	err = admins(ctx, cfg, stdout, stderr)
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, context.Canceled) && ctx.Err() != nil:
		fmt.Fprintln(stderr, "czertainly-admins: interrupted")
		return exitInterrupted
	default:
		fmt.Fprintln(stderr, "czertainly-admins:", err)
		return exitFailed
	}
}

// parse reads the command line and refuses what makes no sense before
// anything is done.
func parse(args []string, stderr io.Writer) (config, error) {
	fs := flag.NewFlagSet("czertainly-admins", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: czertainly-admins [flags]\n\nCreates, lists, updates, disables and deletes an administrator of a CZERTAINLY 1.x platform\n(an in-memory one unless -url is given).\n\nFlags:")
		fs.PrintDefaults()
	}
	var cfg config
	role := string(adminv1.RoleAdministrator)
	fs.StringVar(&cfg.url, "url", "", "platform base URL including the /api context path (default: an in-memory fake)")
	fs.StringVar(&cfg.certFile, "cert", "", "PEM client certificate of a super administrator (with -url)")
	fs.StringVar(&cfg.keyFile, "key", "", "PEM private key file of that certificate (with -url)")
	fs.StringVar(&cfg.caFile, "ca", "", "PEM CA certificates to trust for the server (default: system roots)")
	fs.StringVar(&cfg.newCertFile, "new-cert", "", "PEM or DER certificate of the administrator to create (with -url)")
	fs.StringVar(&cfg.username, "username", "certadmin-example", "username of the administrator to create")
	fs.StringVar(&cfg.name, "name", "Example", "first name of the administrator to create")
	fs.StringVar(&cfg.surname, "surname", "Administrator", "surname of the administrator to create")
	fs.StringVar(&cfg.email, "email", "certadmin-example@example.com", "e-mail of the administrator to create")
	fs.StringVar(&role, "role", role, "role of the administrator to create: administrator or superAdministrator")
	fs.StringVar(&cfg.out, "o", "", "write the administrator list to this file instead of stdout (it appears only when complete)")
	format := toolflag.Format(fs, toolflag.Table, toolflag.JSONL)
	fs.BoolVar(&cfg.keep, "keep", false, "keep the administrator (disabled) instead of deleting it")
	fs.BoolVar(&cfg.verbose, "v", false, "log every HTTP attempt (redacted) to stderr")
	fs.DurationVar(&cfg.timeout, "timeout", 2*time.Minute, "give up after this long")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	cfg.role = adminv1.Role(role)
	cfg.format = *format
	switch {
	case fs.NArg() > 0:
		return cfg, usagef("unexpected argument %q: this command takes flags only", fs.Arg(0))
	case !cfg.role.Valid():
		return cfg, usagef("-role %q is not %s or %s", role, adminv1.RoleAdministrator, adminv1.RoleSuperAdministrator)
	case cfg.timeout <= 0:
		return cfg, usagef("-timeout must be positive, got %s", cfg.timeout)
	case strings.TrimSpace(cfg.username) == "" || strings.ContainsAny(cfg.username, " \t\r\n"):
		return cfg, usagef("-username %q must be one word", cfg.username)
	case strings.TrimSpace(cfg.name) == "" || strings.TrimSpace(cfg.surname) == "":
		return cfg, usagef("-name and -surname must not be blank")
	}
	if _, err := mail.ParseAddress(cfg.email); err != nil || strings.Contains(cfg.email, "<") {
		return cfg, usagef("-email %q is not an e-mail address", cfg.email)
	}
	if (cfg.certFile == "") != (cfg.keyFile == "") {
		return cfg, usagef("-cert and -key go together")
	}
	if cfg.url == "" {
		if cfg.certFile != "" || cfg.caFile != "" || cfg.newCertFile != "" {
			return cfg, usagef("-cert, -key, -ca and -new-cert need -url (the in-memory fake brings its own)")
		}
		return cfg, nil
	}
	u, err := url.Parse(cfg.url)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return cfg, usagef("-url %q is not an https:// URL", cfg.url)
	}
	if cfg.certFile == "" || cfg.newCertFile == "" {
		return cfg, usagef("-url needs -cert, -key and -new-cert")
	}
	return cfg, nil
}

// admins runs the whole life of one administrator.
func admins(ctx context.Context, cfg config, stdout, stderr io.Writer) error {
	var opts []adminv1.Option
	if cfg.verbose {
		opts = append(opts, adminv1.WithLogger(slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	}
	c, newCert, cleanup, err := connect(cfg, opts, stderr)
	if err != nil {
		return err
	}
	defer cleanup()
	defer c.Close()

	progress(stderr, "creating administrator %s", cfg.username)
	id, err := c.CreateAdmin(ctx, adminv1.CreateAdminInput{
		Username: cfg.username, Name: cfg.name, Surname: cfg.surname, Email: cfg.email,
		Role: cfg.role, Certificate: newCert, Enabled: true,
		Description: "created by czertainly-admins",
	})
	if err != nil {
		return err
	}
	progress(stderr, "created %s", id)

	list, err := c.ListAdmins(ctx)
	if err != nil {
		return err
	}
	if err := writeList(cfg.out, cfg.format, list, stdout); err != nil {
		return err
	}
	if cfg.out != "" {
		progress(stderr, "wrote %d administrators to %s", len(list), cfg.out)
	}

	progress(stderr, "updating the description of %s", id)
	if _, err := c.UpdateAdmin(ctx, id, adminv1.UpdateAdminInput{Description: new("created and disabled by czertainly-admins")}); err != nil {
		return err
	}
	progress(stderr, "disabling %s", id)
	if err := c.DisableAdmins(ctx, []string{id}); err != nil {
		return err
	}
	a, err := c.GetAdmin(ctx, id)
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintf(stdout, "%s enabled=%t after disable (%s)\n", a.Username, a.Enabled, a.Description); err != nil {
		return err
	}
	if cfg.keep {
		return nil
	}
	progress(stderr, "deleting %s", id)
	if err := c.DeleteAdmin(ctx, id); err != nil {
		return err
	}
	if _, err := c.GetAdmin(ctx, id); !errors.Is(err, adminv1.ErrNotFound) {
		return fmt.Errorf("administrator %s still present after deletion: %w", id, err)
	}
	_, err = fmt.Fprintf(stdout, "%s deleted\n", a.Username)
	return err
}

// connect builds the client for -url, or starts the fake and a client for
// it. newCert is the certificate of the administrator to create.
func connect(cfg config, opts []adminv1.Option, stderr io.Writer) (c *adminv1.Client, newCert []byte, cleanup func(), err error) {
	if cfg.url == "" {
		srv, err := adminv1test.NewServer()
		if err != nil {
			return nil, nil, nil, err
		}
		cleanup := srv.Close
		progress(stderr, "no -url: using an in-memory platform at %s", srv.URL)
		c, err := srv.NewClient(opts...)
		if err != nil {
			cleanup()
			return nil, nil, nil, err
		}
		cert, err := srv.CA.IssueClientCertificate(cfg.username)
		if err != nil {
			cleanup()
			return nil, nil, nil, err
		}
		return c, cert.Leaf.Raw, cleanup, nil
	}
	newCert, err = os.ReadFile(cfg.newCertFile)
	if err != nil {
		return nil, nil, nil, err
	}
	opts = append(opts, adminv1.WithClientCertificateFiles(cfg.certFile, cfg.keyFile))
	if cfg.caFile != "" {
		opts = append(opts, adminv1.WithRootCAFile(cfg.caFile))
	}
	c, err = adminv1.NewClient(cfg.url, opts...)
	if err != nil {
		return nil, nil, nil, err
	}
	return c, newCert, func() {}, nil
}

// writeList writes the administrators as a table, or as JSON, to stdout
// or to path, where the file appears only once complete.
func writeList(path, format string, list []adminv1.Admin, stdout io.Writer) error {
	if path != "" {
		return atomicfile.Write(path, 0o644, func(w io.Writer) error { return formatList(w, format, list) })
	}
	return formatList(stdout, format, list)
}

// formatList writes the list as a table or as JSON lines, one
// administrator per line in the server's form.
func formatList(w io.Writer, format string, list []adminv1.Admin) error {
	if format == toolflag.JSONL {
		enc := json.NewEncoder(w)
		for _, a := range list {
			if err := enc.Encode(a); err != nil {
				return err
			}
		}
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "UUID\tUSERNAME\tROLE\tENABLED\tSERIAL")
	for _, a := range list {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%t\t%s\n", a.UUID, a.Username, a.Role, a.Enabled, a.SerialNumber)
	}
	return tw.Flush()
}

// progress writes one line to stderr; a failed write of progress is not
// worth stopping for.
func progress(w io.Writer, format string, args ...any) {
	_, _ = fmt.Fprintf(w, format+"\n", args...)
}

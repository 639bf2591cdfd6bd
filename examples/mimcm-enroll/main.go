// Command mimcm-enroll enrolls a software certificate through MIM
// Certificate Management and writes it, with its private key and chain,
// to a PKCS#12 file.
//
// With no -url it starts the in-memory fake (package mimcmtest) and
// enrolls for the fake's auto-approved software template, so it runs
// anywhere:
//
//	go run ./examples/mimcm-enroll -o me.p12
//
// Against a real server, credentials come from the environment or files,
// never from flags. -auth says how to sign in: basic or ntlm with the
// password of -user (DOMAIN\user or user@REALM) from MIMCM_PASSWORD;
// kerberos with that password, a -keytab FILE, or the credential cache of
// KRB5CCNAME (kinit), krb5.conf from KRB5_CONFIG and -spn overriding
// HTTP/<host>; token with an ADFS bearer token from MIMCM_TOKEN (the
// default when it is set). The PKCS#12 file's password comes from
// MIMCM_P12_PASSWORD (the fake run uses a fixed demo password when it is
// not set).
//
//	MIMCM_PASSWORD=… MIMCM_P12_PASSWORD=… mimcm-enroll -url https://cm.contoso.com \
//	    -auth ntlm -user 'CONTOSO\jdoe' -template 12bd5120-86a2-4ee1-8d05-131066871578 -o jdoe.p12
//
// A request that needs a person's approval makes the command wait (-wait,
// default 2 minutes); if no approval comes it exits 3 naming the request,
// and -resume <request GUID> picks it up later.
//
// Progress goes to stderr (-v adds a debug line per HTTP attempt, with
// credentials masked); the certificate's subject, serial number, issuer
// and expiry go to stdout. The output file appears only once complete:
// an existing file is left untouched when the run fails. When a run fails
// after the CA may have issued (no answer to the certificate data, an
// answer that does not pass the checks, a failed completion), whatever was
// received and the generated keys are saved before the command exits 1,
// beside the output file: <o>.received.pem (certificates and private
// keys), <o>.received-<n>.pfx, <o>.received.pfx-password and
// <o>.received.answer.json, each written atomically with mode 0600; when
// only the completion failed, the PKCS#12 file is written too. Exit status: 0
// on success, 1 when enrollment fails, 2 for a usage error, 3 when the
// request still waits for approval, 130 when interrupted.
package main

import (
	"context"
	"crypto/x509"
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

	"github.com/google/uuid"

	"github.com/certadmin/certadmin-go/examples/internal/mimcmauth"
	"github.com/certadmin/certadmin-go/mimcm"
	"github.com/certadmin/certadmin-go/mimcm/mimcmtest"
)

const name = "mimcm-enroll"

// Environment variables holding the secrets.
const (
	passwordEnv    = "MIMCM_PASSWORD"
	tokenEnv       = "MIMCM_TOKEN"
	p12PasswordEnv = "MIMCM_P12_PASSWORD"
)

// demoP12Password protects the file of a run against the in-process fake
// when MIMCM_P12_PASSWORD is not set.
const demoP12Password = "mimcm-enroll-demo"

// Exit statuses.
const (
	exitOK          = 0
	exitFailed      = 1
	exitUsage       = 2
	exitPending     = 3
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
	var ee *mimcm.EnrollError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return exitOK
	case ctx.Err() != nil:
		_, _ = fmt.Fprintln(stderr, name+": interrupted")
		return exitInterrupted
	case errors.As(err, &ue):
		_, _ = fmt.Fprintf(stderr, "%s: %v\nrun %s -h for help\n", name, err, name)
		return exitUsage
	case errors.Is(err, mimcm.ErrApprovalPending) && errors.As(err, &ee):
		status := fmt.Sprint(int32(ee.Status))
		if ee.StatusName != "" {
			status += " = " + string(ee.StatusName)
		}
		_, _ = fmt.Fprintf(stderr, "%s: request %s waits for approval (status %s); once it is approved, run again with -resume %s\n",
			name, ee.RequestID, status, ee.RequestID)
		return exitPending
	default:
		_, _ = fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return exitFailed
	}
}

// options are the checked command line.
type options struct {
	url, caFile, out, comment string
	auth                      mimcmauth.Flags
	template, resume          uuid.UUID
	data                      []mimcm.DataValue
	wait, timeout             time.Duration
	verbose                   bool
}

// dataFlag collects repeated -data name=value items.
type dataFlag struct{ items *[]mimcm.DataValue }

func (d dataFlag) String() string { return "" }

func (d dataFlag) Set(v string) error {
	k, val, ok := strings.Cut(v, "=")
	if !ok || strings.TrimSpace(k) == "" {
		return fmt.Errorf("want name=value, got %q", v)
	}
	*d.items = append(*d.items, mimcm.DataValue{Name: strings.TrimSpace(k), Value: val})
	return nil
}

func parse(args []string, stderr io.Writer) (*options, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		_, _ = fmt.Fprintf(stderr, "usage: %s [flags]\n\nEnrolls a software certificate through MIM CM and writes it to a PKCS#12 file.\n"+
			"Without -url it enrolls against an in-process fake server.\n"+
			"Credentials come from $%s (with -user) or $%s; the file's password from $%s.\n\nflags:\n",
			name, passwordEnv, tokenEnv, p12PasswordEnv)
		fs.PrintDefaults()
	}
	var o options
	var template, resume string
	fs.StringVar(&o.url, "url", "", "base URL of the CM REST API host, e.g. https://cm.contoso.com (default: an in-process fake)")
	o.auth.Register(fs)
	fs.StringVar(&template, "template", "", "GUID of the profile template to enroll for (default with the fake: its auto-approved software template)")
	fs.StringVar(&resume, "resume", "", "GUID of an existing request to continue (one that waited for approval)")
	fs.Var(dataFlag{&o.data}, "data", "a data collection item of the request, name=value (repeatable)")
	fs.StringVar(&o.comment, "comment", "", "comment recorded with the request")
	fs.StringVar(&o.out, "o", "certificate.p12", "PKCS#12 file to write")
	fs.StringVar(&o.caFile, "ca", "", "PEM file of the CA that issued the server's certificate (default: the system roots)")
	fs.DurationVar(&o.wait, "wait", mimcm.DefaultApprovalWait, "how long to wait for the request's approval (0: check once)")
	fs.DurationVar(&o.timeout, "timeout", 5*time.Minute, "overall time limit")
	fs.BoolVar(&o.verbose, "v", false, "log every HTTP attempt to stderr (credentials masked)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, &usageError{msg: err.Error()}
	}
	if fs.NArg() > 0 {
		return nil, usagef("unexpected argument %q (every setting is a flag)", fs.Arg(0))
	}
	var err error
	if template != "" {
		if o.template, err = mimcm.ParseID("profile template", template); err != nil {
			return nil, usagef("-template: %v", err)
		}
	}
	if resume != "" {
		if o.resume, err = mimcm.ParseID("request", resume); err != nil {
			return nil, usagef("-resume: %v", err)
		}
		if template != "" {
			return nil, usagef("-resume continues an existing request: it does not go with -template")
		}
	}
	if err := o.auth.Check(); err != nil {
		return nil, usagef("%v", err)
	}
	if o.timeout <= 0 {
		return nil, usagef("-timeout must be positive, got %s", o.timeout)
	}
	if o.wait < 0 {
		return nil, usagef("-wait must not be negative, got %s", o.wait)
	}
	if strings.TrimSpace(o.out) == "" {
		return nil, usagef("-o needs a file name")
	}
	if o.url == "" && (o.auth.Given() || o.caFile != "") {
		return nil, usagef("-auth, -user, -keytab, -spn and -ca need -url (without -url the in-process fake is used)")
	}
	if o.url != "" && o.template == uuid.Nil && o.resume == uuid.Nil {
		return nil, usagef("-url needs -template (or -resume)")
	}
	return &o, nil
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
	p12Password := getenv(p12PasswordEnv)
	var c *mimcm.Client
	in := mimcm.EnrollInput{ProfileTemplateUUID: o.template, DataCollection: o.data, Comment: o.comment}
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
		if in.ProfileTemplateUUID == uuid.Nil {
			in.ProfileTemplateUUID = mimcmtest.TemplateSoftware
		}
		in.Roots = srv.IssuingCAs()
		if p12Password == "" {
			p12Password = demoP12Password
			progress(stderr, "$%s is not set: the file's password is %q (demo run only)\n", p12PasswordEnv, demoP12Password)
		}
	} else {
		if p12Password == "" {
			return usagef("set $%s to the password the PKCS#12 file is to have", p12PasswordEnv)
		}
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

	callOpts := []mimcm.CallOption{mimcm.WithApprovalWait(o.wait), mimcm.WithProgress(func(p mimcm.Progress) {
		s, r := p.Stage, p.Request
		if r != nil {
			progress(stderr, "request %s: %s (status %v)\n", r.UUID, s, r.Status)
			return
		}
		progress(stderr, "%s\n", s)
	})}
	var e *mimcm.Enrollment
	if o.resume != uuid.Nil {
		progress(stderr, "resuming request %s\n", o.resume)
		e, err = c.ResumeEnrollment(ctx, &mimcm.PendingError{RequestID: o.resume, PFXPassword: in.PFXPassword, Roots: in.Roots, Comment: in.Comment}, callOpts...)
	} else {
		progress(stderr, "enrolling for profile template %s\n", in.ProfileTemplateUUID)
		e, err = c.EnrollSoftwareCertificate(ctx, in, callOpts...)
	}
	if err != nil {
		return saveIssued(err, o.out, p12Password, stderr)
	}
	if err := e.WritePKCS12(o.out, p12Password); err != nil {
		return fmt.Errorf("write %s: %w", o.out, err)
	}
	progress(stderr, "certificate, key and %d chain certificate(s) written to %s\n", len(e.Chain), o.out)
	cert := e.Certificate
	_, _ = fmt.Fprintf(stdout, "request:  %s\nsubject:  %s\nserial:   %X\nissuer:   %s\nexpires:  %s\n",
		e.RequestID, cert.Subject, cert.SerialNumber, cert.Issuer, cert.NotAfter.UTC().Format(time.RFC3339))
	return nil
}

// saveIssued keeps what a failed enrollment received before the error
// is reported: the certificate and key as the PKCS#12 file when they
// passed the checks (only the completion failed), and in every case where
// the CA may have issued, everything received (certificates, keys, PFX
// blobs and their password, the answer) in files beside it, each written
// atomically with mode 0600. It returns err, joined with any failure to
// save.
func saveIssued(err error, out, p12Password string, stderr io.Writer) error {
	var ee *mimcm.EnrollError
	if !errors.As(err, &ee) {
		return err
	}
	if ee.Result != nil {
		if werr := ee.Result.WritePKCS12(out, p12Password); werr != nil {
			err = errors.Join(err, fmt.Errorf("write %s: %w", out, werr))
		} else {
			progress(stderr, "the certificate and key were written to %s anyway\n", out)
		}
	}
	if ee.Received != nil {
		names, werr := ee.Received.WriteFiles(out + ".received")
		if len(names) > 0 {
			progress(stderr, "what the server sent and the generated keys were saved (mode 0600) to %s\n", strings.Join(names, ", "))
		}
		if werr != nil {
			err = errors.Join(err, fmt.Errorf("save what was received: %w", werr))
		}
	}
	return err
}

// progress reports to stderr; a failed write there is not worth stopping for.
func progress(w io.Writer, format string, args ...any) { _, _ = fmt.Fprintf(w, format, args...) }

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

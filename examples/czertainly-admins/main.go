// Command czertainly-admins creates an administrator on a CZERTAINLY 1.x
// platform, lists the administrators, disables the new one and removes it
// again: the whole life of an administrator through the Administrator API.
//
// With no flags it starts the in-memory fake (package czertainlytest) and
// runs against it. Against a real platform:
//
//	czertainly-admins -url https://czertainly.example.com/api \
//	    -cert admin.crt -key admin.key -ca platform-ca.pem \
//	    -new-cert jdoe.crt -username jdoe -email jdoe@example.com
//
// The client certificate authenticates (mutual TLS). Its key file is read
// from disk; no secret is taken from a flag. Progress goes to stderr, the
// administrator list to stdout.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"text/tabwriter"
	"time"

	"github.com/certadmin/certadmin-go/czertainly"
	"github.com/certadmin/certadmin-go/czertainly/czertainlytest"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "czertainly-admins:", err)
		os.Exit(1)
	}
}

type config struct {
	url, certFile, keyFile, caFile, newCertFile string
	username, name, surname, email              string
	keep                                        bool
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("czertainly-admins", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg config
	fs.StringVar(&cfg.url, "url", "", "platform base URL including /api (default: an in-process fake)")
	fs.StringVar(&cfg.certFile, "cert", "", "PEM client certificate of an administrator")
	fs.StringVar(&cfg.keyFile, "key", "", "PEM private key of that certificate")
	fs.StringVar(&cfg.caFile, "ca", "", "PEM CA certificates to trust for the server (default: system roots)")
	fs.StringVar(&cfg.newCertFile, "new-cert", "", "PEM or DER certificate of the administrator to create")
	fs.StringVar(&cfg.username, "username", "certadmin-example", "username of the administrator to create")
	fs.StringVar(&cfg.name, "name", "Example", "first name of the administrator to create")
	fs.StringVar(&cfg.surname, "surname", "Administrator", "surname of the administrator to create")
	fs.StringVar(&cfg.email, "email", "certadmin-example@example.com", "e-mail of the administrator to create")
	fs.BoolVar(&cfg.keep, "keep", false, "keep the administrator (disabled) instead of removing it")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()

	client, newCert, cleanup, err := connect(cfg, stderr)
	if err != nil {
		return err
	}
	defer cleanup()
	return lifecycle(ctx, client, cfg, newCert, stdout, stderr)
}

// connect builds the client for -url, or starts the fake.
func connect(cfg config, stderr io.Writer) (*czertainly.Client, []byte, func(), error) {
	if cfg.url == "" {
		srv, err := czertainlytest.NewServer()
		if err != nil {
			return nil, nil, nil, err
		}
		logf(stderr, "no -url: using the in-process fake at %s", srv.URL)
		c, err := srv.NewClient()
		if err != nil {
			_ = srv.Close()
			return nil, nil, nil, err
		}
		cert, err := srv.CA.IssueClientCertificate(cfg.username)
		if err != nil {
			_ = srv.Close()
			return nil, nil, nil, err
		}
		return c, cert.Leaf.Raw, func() { _ = srv.Close() }, nil
	}
	if cfg.certFile == "" || cfg.keyFile == "" || cfg.newCertFile == "" {
		return nil, nil, nil, errors.New("-url needs -cert, -key and -new-cert")
	}
	opts := []czertainly.Option{czertainly.WithClientCertificateFiles(cfg.certFile, cfg.keyFile)}
	if cfg.caFile != "" {
		opts = append(opts, czertainly.WithRootCAFile(cfg.caFile))
	}
	c, err := czertainly.NewClient(cfg.url, opts...)
	if err != nil {
		return nil, nil, nil, err
	}
	newCert, err := os.ReadFile(cfg.newCertFile)
	if err != nil {
		return nil, nil, nil, err
	}
	return c, newCert, func() {}, nil
}

func lifecycle(ctx context.Context, c *czertainly.Client, cfg config, newCert []byte, stdout, stderr io.Writer) error {
	logf(stderr, "creating administrator %s", cfg.username)
	id, err := c.CreateAdmin(ctx, czertainly.CreateAdminInput{
		Username: cfg.username, Name: cfg.name, Surname: cfg.surname, Email: cfg.email,
		Role: czertainly.RoleAdministrator, Certificate: newCert, Enabled: true,
		Description: "created by czertainly-admins",
	})
	if err != nil {
		return err
	}
	logf(stderr, "created %s", id)

	admins, err := c.ListAdmins(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	logf(tw, "UUID\tUSERNAME\tROLE\tENABLED\tSERIAL")
	for _, a := range admins {
		logf(tw, "%s\t%s\t%s\t%t\t%s", a.UUID, a.Username, a.Role, a.Enabled, a.SerialNumber)
	}
	if err := tw.Flush(); err != nil {
		return err
	}

	logf(stderr, "disabling %s", id)
	if err := c.DisableAdmins(ctx, []string{id}); err != nil {
		return err
	}
	a, err := c.GetAdmin(ctx, id)
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintf(stdout, "%s enabled=%t after disable\n", a.Username, a.Enabled); err != nil {
		return err
	}
	if cfg.keep {
		return nil
	}
	logf(stderr, "removing %s", id)
	if err := c.DeleteAdmin(ctx, id); err != nil {
		return err
	}
	if _, err := c.GetAdmin(ctx, id); !errors.Is(err, czertainly.ErrNotFound) {
		return fmt.Errorf("administrator %s still present after removal: %w", id, err)
	}
	_, err = fmt.Fprintf(stdout, "%s removed\n", a.Username)
	return err
}

// logf writes one line; a failed write of progress or a table row is not
// worth stopping for (the final result lines are checked).
func logf(w io.Writer, format string, args ...any) {
	_, _ = fmt.Fprintf(w, format+"\n", args...)
}

// Command arcgis-certs prints the identity certificates of an ArcGIS
// Enterprise deployment: subject, fingerprints and days until expiry, and
// exits with status 3 when one expires within -warn-days.
//
// With no flags it starts the in-process fake server and reports on it. To
// talk to a real deployment:
//
//	ARCGIS_PASSWORD=… arcgis-certs -url https://gis.example.com/arcgis -user admin
//	ARCGIS_TOKEN=…    arcgis-certs -url https://gis.example.com -context arcgis
//
// Passwords and tokens are read only from the environment, never from flags.
// Progress goes to stderr, the report to stdout.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/certadmin/certadmin-go/enterpriseadmin"
	"github.com/certadmin/certadmin-go/enterpriseadmin/enterpriseadmintest"
)

// errExpiring is returned when a certificate expires within the warning window.
var errExpiring = errors.New("certificate expiring soon")

func main() {
	err := run(context.Background(), os.Args[1:], os.Getenv, os.Stdout, os.Stderr, time.Now())
	switch {
	case errors.Is(err, errExpiring):
		fmt.Fprintln(os.Stderr, "arcgis-certs:", err)
		os.Exit(3)
	case err != nil:
		fmt.Fprintln(os.Stderr, "arcgis-certs:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer, now time.Time) error {
	fs := flag.NewFlagSet("arcgis-certs", flag.ContinueOnError)
	fs.SetOutput(stderr)
	baseURL := fs.String("url", "", "the web context's URL, e.g. https://gis.example.com/arcgis (default: an in-process fake)")
	webContext := fs.String("context", "", "web context, when -url is only the host")
	user := fs.String("user", "", "administrator name (password from ARCGIS_PASSWORD; or set ARCGIS_TOKEN)")
	id := fs.String("id", "", "report only this identity certificate id")
	warnDays := fs.Int("warn-days", 30, "exit with status 3 when a certificate expires within this many days")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %v", fs.Args())
	}

	progress := func(format string, a ...any) { _, _ = fmt.Fprintf(stderr, format+"\n", a...) }
	var opts []enterpriseadmin.Option
	if *webContext != "" {
		opts = append(opts, enterpriseadmin.WithWebContext(*webContext))
	}
	var c *enterpriseadmin.Client
	if *baseURL == "" {
		srv, err := enterpriseadmintest.NewServer()
		if err != nil {
			return err
		}
		defer srv.Close()
		progress("no -url given: using the in-process fake at %s", srv.URL)
		if c, err = srv.NewClient(); err != nil {
			return err
		}
	} else {
		switch tok := getenv("ARCGIS_TOKEN"); {
		case *user != "":
			pw := getenv("ARCGIS_PASSWORD")
			if pw == "" {
				return errors.New("-user needs the password in ARCGIS_PASSWORD")
			}
			opts = append(opts, enterpriseadmin.WithCredentials(*user, pw))
		case tok != "":
			opts = append(opts, enterpriseadmin.WithToken(enterpriseadmin.StaticToken(tok)))
		default:
			return errors.New("give -user (with ARCGIS_PASSWORD) or set ARCGIS_TOKEN")
		}
		var err error
		if c, err = enterpriseadmin.NewClient(*baseURL, opts...); err != nil {
			return err
		}
	}
	defer c.Close()
	var err error
	var certs []enterpriseadmin.Certificate
	if *id != "" {
		progress("reading identity certificate %s", *id)
		cert, err := c.GetIdentityCertificate(ctx, *id)
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
	var report strings.Builder
	expiring := 0
	for _, cert := range certs {
		days := cert.DaysToExpiry(now)
		fmt.Fprintf(&report, "%s (%s)\n", cert.Name, cert.ID)
		fmt.Fprintf(&report, "  subject:     %s\n", cert.Subject)
		fmt.Fprintf(&report, "  issuer:      %s\n", cert.Issuer)
		fmt.Fprintf(&report, "  sha256:      %s\n", cert.SHA256Fingerprint)
		fmt.Fprintf(&report, "  sha1:        %s\n", cert.SHA1Fingerprint)
		fmt.Fprintf(&report, "  md5:         %s\n", cert.MD5Fingerprint)
		fmt.Fprintf(&report, "  valid until: %s (%d days)\n", cert.ValidUntil.Format(time.RFC3339), days)
		if days < *warnDays {
			expiring++
		}
	}
	if _, err := io.WriteString(stdout, report.String()); err != nil {
		return err
	}
	progress("%d certificate(s), %d expiring within %d days", len(certs), expiring, *warnDays)
	if expiring > 0 {
		return fmt.Errorf("%w: %d within %d days", errExpiring, expiring, *warnDays)
	}
	return nil
}

// Command mimcm-requests lists MIM Certificate Management requests as a
// table, by default the pending ones.
//
// With no flags it starts the in-memory fake (package mimcmtest) and lists
// its requests, so it runs anywhere. Against a real server:
//
//	MIMCM_PASSWORD=… mimcm-requests -url https://cm.contoso.com -user 'CONTOSO\jdoe' -status Pending
//
// The password (basic authentication) comes only from the MIMCM_PASSWORD
// environment variable; an ADFS bearer token from MIMCM_TOKEN. Progress goes
// to stderr, the table to stdout (or -o FILE).
package main

import (
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/certadmin/certadmin-go/mimcm"
	"github.com/certadmin/certadmin-go/mimcm/mimcmtest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, "mimcm-requests:", err)
		stop()
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	fs := flag.NewFlagSet("mimcm-requests", flag.ContinueOnError)
	fs.SetOutput(stderr)
	url := fs.String("url", "", "base URL of the CM REST API host (default: an in-process fake)")
	user := fs.String("user", "", `user name for basic authentication, e.g. CONTOSO\jdoe (password from MIMCM_PASSWORD)`)
	status := fs.String("status", "Pending", "only requests in this status (None, Pending, Approved, Denied, Executing, Completed, Failed, Canceled); empty for all")
	mine := fs.Bool("mine", false, "only requests whose target is the signed-in user")
	caFile := fs.String("ca", "", "PEM file of the CA that issued the server's certificate (default: system roots)")
	out := fs.String("o", "", "write the table to this file instead of stdout")
	timeout := fs.Duration("timeout", time.Minute, "overall time limit")
	if err := fs.Parse(args); err != nil {
		return err
	}
	filter := mimcm.RequestFilter{CurrentUser: *mine}
	if *status != "" {
		name, err := mimcm.ParseStatus(*status)
		if err != nil {
			return err
		}
		filter.Status = name
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()

	var opts []mimcm.Option
	base := *url
	if base == "" {
		srv, err := mimcmtest.NewServer()
		if err != nil {
			return err
		}
		defer srv.Close()
		base = srv.URL
		progress(stderr, "no -url given: using an in-process fake server at %s\n", base)
		opts = append(opts, mimcm.WithBasicAuth(srv.Username, srv.Password))
	} else {
		auth, err := credentials(*user, getenv)
		if err != nil {
			return err
		}
		opts = append(opts, auth)
		if *caFile != "" {
			pem, err := os.ReadFile(*caFile)
			if err != nil {
				return err
			}
			pool := x509.NewCertPool()
			if !pool.AppendCertsFromPEM(pem) {
				return fmt.Errorf("%s holds no PEM certificate", *caFile)
			}
			opts = append(opts, mimcm.WithRootCAs(pool))
		}
	}
	c, err := mimcm.NewClient(base, opts...)
	if err != nil {
		return err
	}
	progress(stderr, "listing requests (status %s, only mine: %t)\n", orAll(string(filter.Status)), filter.CurrentUser)
	list, err := c.ListRequests(ctx, filter)
	if err != nil {
		return err
	}
	var table bytes.Buffer
	if err := writeTable(&table, list); err != nil {
		return err
	}
	if *out != "" {
		if err := os.WriteFile(*out, table.Bytes(), 0o644); err != nil {
			return err
		}
	} else if _, err := stdout.Write(table.Bytes()); err != nil {
		return err
	}
	progress(stderr, "%d request(s)\n", len(list))
	return nil
}

// progress reports to stderr; a failed write there is not worth stopping for.
func progress(w io.Writer, format string, args ...any) { _, _ = fmt.Fprintf(w, format, args...) }

// credentials picks the authentication from the environment: a bearer
// token (MIMCM_TOKEN) or the user's password (MIMCM_PASSWORD).
func credentials(user string, getenv func(string) string) (mimcm.Option, error) {
	if tok := getenv("MIMCM_TOKEN"); tok != "" {
		return mimcm.WithToken(mimcm.StaticToken(tok)), nil
	}
	if user == "" {
		return nil, errors.New("-url needs -user (password in MIMCM_PASSWORD) or a token in MIMCM_TOKEN")
	}
	pw := getenv("MIMCM_PASSWORD")
	if pw == "" {
		return nil, errors.New("set MIMCM_PASSWORD to the password of -user")
	}
	return mimcm.WithBasicAuth(user, pw), nil
}

func orAll(s string) string {
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

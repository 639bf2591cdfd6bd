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
// Progress goes to stderr; the accounts go to stdout or the -o file.
package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"time"

	"github.com/certadmin/certadmin-go/mobileiron/cloud"
	"github.com/certadmin/certadmin-go/mobileiron/cloud/cloudtest"
)

// passwordEnv names the environment variable holding the password.
const passwordEnv = "MI_CLOUD_PASSWORD"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "cloud-accounts:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("cloud-accounts", flag.ContinueOnError)
	fs.SetOutput(stderr)
	url := fs.String("url", "", "tenant URL, e.g. https://na1.mobileiron.com (default: an in-process fake tenant)")
	user := fs.String("user", "", "Tenant Admin user name (password from $"+passwordEnv+")")
	format := fs.String("format", "csv", "output format: csv or jsonl")
	out := fs.String("o", "", "write to this file instead of stdout")
	query := fs.String("q", "", "free-text query")
	sortBy := fs.String("sort", "", "sort field, e.g. displayName")
	pageSize := fs.Int("rows", cloud.MaxPageSize, "rows per page (at most 500)")
	parallel := fs.Int("parallel", 0, "fetch up to this many pages at once (large, quiet tenants)")
	fakeAccounts := fs.Int("fake-accounts", 1200, "accounts in the fake tenant (without -url)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *format != "csv" && *format != "jsonl" {
		return fmt.Errorf("unknown -format %q (csv or jsonl)", *format)
	}

	baseURL, username, password := *url, *user, getenv(passwordEnv)
	if baseURL == "" {
		srv, err := cloudtest.NewServer(cloudtest.WithGeneratedAccounts(*fakeAccounts))
		if err != nil {
			return err
		}
		defer srv.Close()
		baseURL, username, password = srv.URL, cloudtest.Username, cloudtest.Password
		_, _ = fmt.Fprintf(stderr, "using an in-process fake tenant at %s with %d accounts\n", srv.URL, srv.AccountCount())
	} else if username == "" || password == "" {
		return fmt.Errorf("-url needs -user and the password in $%s", passwordEnv)
	}
	c, err := cloud.NewClient(baseURL, cloud.WithBasicAuth(username, password))
	if err != nil {
		return err
	}

	w := stdout
	var file *os.File
	if *out != "" {
		if file, err = os.Create(*out); err != nil {
			return err
		}
		defer file.Close() // on error paths; the normal path closes and checks below
		w = file
	}
	write, flush := writer(*format, w)

	opts := cloud.ListOptions{Query: *query, SortBy: *sortBy, PageSize: *pageSize, Prefetch: true, Parallel: *parallel}
	began, n := time.Now(), 0
	for a, err := range c.Accounts(ctx, opts) {
		if err != nil {
			return err
		}
		if err := write(a); err != nil {
			return err
		}
		n++
		if *pageSize > 0 && n%*pageSize == 0 {
			_, _ = fmt.Fprintf(stderr, "\r%d accounts…", n)
		}
	}
	if err := flush(); err != nil {
		return err
	}
	_, _ = fmt.Fprintf(stderr, "\r%d accounts in %s\n", n, time.Since(began).Round(time.Millisecond))
	if file != nil {
		return file.Close()
	}
	return nil
}

var header = []string{"id", "uid", "emailAddress", "displayName", "firstName", "lastName", "accountSource", "inviteState", "enabled", "createdAt"}

// writer returns a function writing one account and one flushing the output.
func writer(format string, w io.Writer) (func(cloud.Account) error, func() error) {
	if format == "jsonl" {
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

// Command quickstart exports the certificate details of a MobileIron Core
// server to a CSV file: it starts Core's export, waits for it, streams the
// file to disk (it appears only once complete) and prints a summary.
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
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"

	"github.com/certadmin/certadmin-go/mobileiron/core"
	"github.com/certadmin/certadmin-go/mobileiron/core/coretest"
)

// passwordEnv names the environment variable holding the Core password.
const passwordEnv = "CORE_PASSWORD"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("quickstart", flag.ContinueOnError)
	fs.SetOutput(stderr)
	baseURL := fs.String("url", "", "Core base URL, e.g. https://core.example.com (empty: start an in-memory Core)")
	user := fs.String("user", "", "Core administrator user name (password from $"+passwordEnv+")")
	out := fs.String("out", "certificates.csv", "CSV file to write")
	ceName := fs.String("ce", "LocalCE", "certificate enrollment configuration name (ceSettingName)")
	status := fs.String("status", string(core.StatusActive), "certificate status to export")
	space := fs.Int64("space", core.DefaultAdminDeviceSpaceID, "administrator's device space ID (adminDeviceSpaceId)")
	insecure := fs.Bool("insecure", false, "skip TLS verification (lab servers only)")
	fakeSize := fs.Int64("fake-size", 0, "in-memory Core only: bytes of generated CSV to export (0: the sample certificates)")
	interval := fs.Duration("poll", 0, "interval between export status checks (0: 1s, or 20ms for the in-memory Core)")
	if err := fs.Parse(args); err != nil {
		return err
	}

	opts := []core.Option{core.WithAdminDeviceSpaceID(*space)}
	if *baseURL == "" {
		srv, err := coretest.NewServer()
		if err != nil {
			return err
		}
		defer srv.Close()
		srv.SetExportSize(*fakeSize)
		*baseURL = srv.URL
		opts = append(opts, core.WithBasicAuth(srv.Username, srv.Password))
		if *interval == 0 {
			*interval = 20 * time.Millisecond // the in-memory export finishes at once
		}
		_, _ = fmt.Fprintf(stderr, "no -url given: using an in-memory Core at %s\n", srv.URL)
	} else {
		password := os.Getenv(passwordEnv)
		if *user == "" || password == "" {
			return fmt.Errorf("-url needs -user and the password in $%s", passwordEnv)
		}
		opts = append(opts, core.WithBasicAuth(*user, password))
		if *insecure {
			opts = append(opts, core.WithInsecureSkipVerify())
		}
	}
	if *interval == 0 {
		*interval = core.DefaultPollInterval
	}
	c, err := core.NewClient(*baseURL, opts...)
	if err != nil {
		return err
	}

	filter := core.CertificateFilter{CESettingName: *ceName, Status: core.CertificateStatus(*status)}
	rows := &rowCounter{}
	start := time.Now()
	sum, err := c.ExportCertificatesToFile(ctx, filter, *out,
		core.WithPollInterval(*interval),
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
	if err := countRows(*out, rows); err != nil {
		return err
	}
	_, _ = fmt.Fprintf(stdout, "wrote %s: %d row(s), %d bytes in %s\n", *out, rows.rows(), sum.Bytes, elapsed.Round(time.Millisecond))
	if sum.JoinedRunning {
		_, _ = fmt.Fprintln(stdout, "note: an export was already running; this is its result")
	}
	return nil
}

// countRows counts the data rows of the finished CSV file without loading it.
func countRows(path string, rc *rowCounter) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(rc, f)
	return err
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

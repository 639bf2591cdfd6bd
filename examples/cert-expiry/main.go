// Command cert-expiry lists the certificates that expire soon across every
// system that holds them — MobileIron Core, MIM CM, CZERTAINLY and ArcGIS
// Enterprise, side by side — and exits as a monitoring check expects.
//
//	cert-expiry                                   # every fake, in-process
//	cert-expiry -config systems.json -within 30d  # real systems
//	cert-expiry -config systems.json -format csv -o expiring.csv -prometheus /var/lib/node_exporter/certs.prom
//
// The systems are read concurrently (inventory.Walk); the certificates that
// expire within -within (or have expired) are written as a table, CSV or
// JSON lines, soonest first, to stdout or the -o file. Progress and every
// system's failure go to stderr; a system that cannot be read never hides
// the others.
//
// A certificate its system says is no longer in use (inventory's Retired:
// revoked or in the trash on Core, revoked or archived on CZERTAINLY, on a
// retired smart card on MIM CM) has nothing to renew: it is left out of the
// list, the exit status and the expiry metrics, and counted in the summary
// line on stderr; -include-retired reports it like any other. An expired
// certificate is not retired by expiring alone.
//
// # Config file
//
// JSON, one object with a list of systems. Secrets are never in the file,
// only the names of the environment variables that hold them:
//
//	{"systems": [
//	  {"name": "core-prod", "vendor": "mobileiron/core", "url": "https://core.example.com",
//	   "username": "miadmin", "passwordEnv": "CORE_PASSWORD",
//	   "options": {"adminDeviceSpaceId": 1, "ceSettings": ["LocalCE"]}},
//	  {"name": "mim", "vendor": "mimcm", "url": "https://cm.example.com/CertificateManagement/api/v1.0",
//	   "usernameEnv": "MIM_USER", "passwordEnv": "MIM_PASSWORD", "options": {"auth": "ntlm"}},
//	  {"name": "ilm", "vendor": "czertainly", "url": "https://ilm.example.com",
//	   "clientCertFile": "/etc/cert-expiry/ilm.crt", "clientKeyFile": "/etc/cert-expiry/ilm.key"},
//	  {"name": "gis", "vendor": "enterpriseadmin", "url": "https://gis.example.com/arcgis",
//	   "tokenEnv": "GIS_TOKEN", "caFile": "/etc/ssl/corp-ca.pem", "timeout": "30s"}
//	]}
//
// Fields of a system: name (unique; the "system" label), vendor
// (mobileiron/core, mimcm, czertainly, enterpriseadmin), url (https, or
// http to a loopback host), and the
// sign-in the vendor takes: username or usernameEnv with passwordEnv
// (Core: basic; MIM CM: basic, or NTLM with options.auth "ntlm";
// ArcGIS: a token is generated from them), tokenEnv (MIM CM, CZERTAINLY,
// ArcGIS: a bearer token), clientCertFile and clientKeyFile (PEM, mutual
// TLS; CZERTAINLY's usual sign-in). caFile adds the roots of a private CA;
// timeout bounds each answer's wait (default 1m). options are the
// vendor's own: adminDeviceSpaceId and ceSettings (Core: the enrollments
// to list, default every one the CE configurations name), auth (MIM CM),
// webContext (ArcGIS, when url is only the host). Unknown fields are
// refused. Kerberos sign-in to MIM CM is not offered here (use the
// mimcm-requests tool's flags for it).
//
// Without -config the tool starts the four fakes, seeded with some
// certificates expiring within 30 days; -fake-certificates N adds N more,
// spread over them, to watch progress and memory on a large inventory.
//
// # Exit status
//
//	0    every system was read and nothing expires within -within
//	1    a certificate expires within -within or has expired (whatever else happened)
//	2    usage: a bad flag, an unreadable or invalid config, an unset credential variable
//	3    nothing found within -within, but the check is incomplete: a system
//	     could not be read (wholly or in part; a system whose client the
//	     vendor package refuses to make, for example credentials over plain
//	     http to a host that is not loopback, counts as one that could not
//	     be read) or an output could not be written
//	130  interrupted (no output file is replaced)
//
// # Metrics
//
// -prometheus FILE writes node-exporter textfile metrics, atomically (the
// old file stays in place until the new one is complete; an interrupted
// run leaves it untouched):
//
//	certadmin_certificate_expiry_timestamp_seconds{system,vendor,id,subject,serial}  not-after of each certificate (those without one, and retired ones unless -include-retired, are left out)
//	certadmin_inventory_system_up{system,vendor}                                   1 read to the end, 0 failed
//	certadmin_inventory_certificates{system,vendor}                                certificates read, retired ones included (before a failure, if any)
//	certadmin_inventory_last_run_timestamp_seconds                                 when this run finished
//
// -v logs every HTTP attempt to stderr, credentials masked.
package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"iter"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/certadmin/certadmin-go/internal/atomicfile"
	"github.com/certadmin/certadmin-go/inventory"
)

// Exit statuses.
const (
	exitOK          = 0
	exitExpiring    = 1
	exitUsage       = 2
	exitIncomplete  = 3
	exitInterrupted = 130
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// usageError is a command line or config the tool cannot act on.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return &usageError{msg: fmt.Sprintf(format, a...)} }

// within is the -within flag: a Go duration (720h) or a number of days
// (30d).
type within time.Duration

func (w *within) String() string { return time.Duration(*w).String() }

func (w *within) Set(s string) error {
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n < 0 {
			return fmt.Errorf("want a duration such as 720h or a number of days such as 30d")
		}
		*w = within(time.Duration(n) * 24 * time.Hour)
		return nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return fmt.Errorf("want a duration such as 720h or a number of days such as 30d")
	}
	*w = within(d)
	return nil
}

// options are the parsed command line.
type options struct {
	config, format, output, prometheus string
	within                             time.Duration
	concurrency, fakeCertificates      int
	verbose, includeRetired            bool
}

var formats = []string{"table", "csv", "jsonl"}

func parseFlags(args []string, stderr io.Writer) (*options, error) {
	o := options{within: 30 * 24 * time.Hour}
	w := within(o.within)
	fs := flag.NewFlagSet("cert-expiry", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "usage: cert-expiry [-config FILE] [flags]\n\n"+
			"Lists the certificates expiring within -within across every configured system\n"+
			"(MobileIron Core, MIM CM, CZERTAINLY, ArcGIS Enterprise); without -config, across\n"+
			"in-process fakes of all four. Exit status: 0 none, 1 some, 2 usage, 3 a system\n"+
			"could not be read, 130 interrupted. The config format is in `go doc` of the tool.\n\nflags:\n")
		fs.PrintDefaults()
	}
	fs.StringVar(&o.config, "config", "", "JSON file listing the systems (default: every fake, in-process)")
	fs.Var(&w, "within", "report certificates expiring within this long: a duration (720h) or days (30d)")
	fs.StringVar(&o.format, "format", "table", "output format: "+strings.Join(formats, ", "))
	fs.StringVar(&o.output, "o", "", "write the list to this file instead of stdout (it appears only when complete)")
	fs.StringVar(&o.prometheus, "prometheus", "", "write node-exporter textfile metrics to this file, atomically")
	fs.IntVar(&o.concurrency, "concurrency", 0, "read at most this many systems at once (default: all)")
	fs.IntVar(&o.fakeCertificates, "fake-certificates", 0, "without -config: this many more certificates, spread over the four fakes (to watch a large inventory)")
	fs.BoolVar(&o.includeRetired, "include-retired", false, "also report certificates their system says are no longer in use (revoked, trashed, archived, on a retired card)")
	fs.BoolVar(&o.verbose, "v", false, "log every HTTP attempt to stderr (credentials masked)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, &usageError{msg: err.Error()}
	}
	o.within = time.Duration(w)
	switch {
	case fs.NArg() > 0:
		return nil, usagef("unexpected argument %q (every setting is a flag)", fs.Arg(0))
	case !slices.Contains(formats, o.format):
		return nil, usagef("-format %q: want one of %s", o.format, strings.Join(formats, ", "))
	case o.concurrency < 0:
		return nil, usagef("-concurrency %d must not be negative", o.concurrency)
	case o.fakeCertificates < 0:
		return nil, usagef("-fake-certificates %d must not be negative", o.fakeCertificates)
	case o.fakeCertificates > 0 && o.config != "":
		return nil, usagef("-fake-certificates goes without -config (it seeds the in-process fakes)")
	case o.output != "" && o.prometheus != "" && sameFile(o.output, o.prometheus):
		return nil, usagef("-o %s and -prometheus %s name the same file", o.output, o.prometheus)
	}
	return &o, nil
}

// sameFile reports whether two names are one file: the same absolute,
// cleaned path ("dir/out" and "dir/./out"), or, when both exist, the same
// file by os.SameFile (a link, another spelling of a directory). Either
// way one output would replace the other.
func sameFile(a, b string) bool {
	absA, errA := filepath.Abs(a)
	absB, errB := filepath.Abs(b)
	if errA != nil || errB != nil {
		return filepath.Clean(a) == filepath.Clean(b)
	}
	if absA == absB {
		return true
	}
	fa, errA := os.Stat(a)
	fb, errB := os.Stat(b)
	return errA == nil && errB == nil && os.SameFile(fa, fb)
}

// lockedWriter serialises writes to stderr: the debug log is written by
// every system's goroutine at once.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// run is the whole tool; main only adds the process around it.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	stderr = &lockedWriter{w: stderr}
	o, err := parseFlags(args, stderr)
	switch {
	case errors.Is(err, flag.ErrHelp):
		return exitOK
	case err != nil:
		fmt.Fprintln(stderr, "cert-expiry:", err)
		fmt.Fprintln(stderr, "run cert-expiry -h for usage")
		return exitUsage
	}
	logger := slog.New(slog.DiscardHandler)
	if o.verbose {
		logger = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	systems, closeAll, err := connect(o, os.Getenv, logger, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "cert-expiry:", err)
		var ue *usageError
		if errors.As(err, &ue) {
			fmt.Fprintln(stderr, "run cert-expiry -h for usage")
			return exitUsage
		}
		return exitIncomplete
	}
	defer closeAll()
	return check(ctx, o, systems, time.Now(), stdout, stderr)
}

// connect opens a client of every configured system, or starts the fakes.
func connect(o *options, getenv func(string) string, logger *slog.Logger, stderr io.Writer) ([]system, func(), error) {
	if o.config == "" {
		fmt.Fprintln(stderr, "no -config: reading in-process fakes of MobileIron Core, MIM CM, CZERTAINLY and ArcGIS Enterprise")
		return startFakes(o.fakeCertificates, logger)
	}
	cf, err := loadConfig(o.config)
	if err != nil {
		return nil, nil, err
	}
	var systems []system
	var closers []func()
	closeAll := func() {
		for _, c := range closers {
			c()
		}
	}
	for i := range cf.Systems {
		sc := &cf.Systems[i]
		s, closeFn, err := open(sc, getenv, logger)
		var ue *usageError
		switch {
		case errors.As(err, &ue):
			closeAll()
			return nil, nil, err
		case err != nil:
			// The vendor package refused to make the client (for example
			// credentials over plain http to a host that is not
			// loopback): that system is down, reported by name like an
			// unreachable one, and the others are still read.
			s = system{name: sc.Name, vendor: sc.Vendor, lister: failedLister{fmt.Errorf("cannot make its client: %w", err)}}
			closeFn = func() {}
		}
		systems = append(systems, s)
		closers = append(closers, closeFn)
	}
	return systems, closeAll, nil
}

// failedLister is a system whose client could not be made: its listing
// fails at once with that error, so the walk reports it as down.
type failedLister struct{ err error }

func (f failedLister) CertificateInventory(context.Context) iter.Seq2[inventory.Certificate, error] {
	return func(yield func(inventory.Certificate, error) bool) { yield(inventory.Certificate{}, f.err) }
}

// systemResult is what became of one system.
type systemResult struct {
	vendor string
	listed int
	err    error
}

// check walks every system, writes the metrics (during the walk: the
// expiry gauges stream to the file, whatever the inventory's size) and
// the list, and turns the outcome into the exit status.
func check(ctx context.Context, o *options, systems []system, now time.Time, stdout, stderr io.Writer) int {
	results := map[string]*systemResult{}
	var walk []inventory.System
	for _, s := range systems {
		results[s.name] = &systemResult{vendor: s.vendor}
		walk = append(walk, inventory.System{Name: s.name, Lister: s.lister})
	}
	deadline := now.Add(o.within)
	var expiring []inventory.Certificate
	noExpiry, retired := 0, 0
	walkOpts := []inventory.Option{inventory.WithProgress(func(p inventory.Progress) {
		switch {
		case !p.Done:
			fmt.Fprintf(stderr, "%s: %d certificates…\n", p.System, p.Listed)
		case p.Err == nil:
			fmt.Fprintf(stderr, "%s: %d certificates\n", p.System, p.Listed)
		}
	})}
	if o.concurrency > 0 {
		walkOpts = append(walkOpts, inventory.WithConcurrency(o.concurrency))
	}

	readAll := func(metrics *metricsWriter) error {
		for c, err := range inventory.Walk(ctx, walk, walkOpts...) {
			if err != nil {
				var se *inventory.SystemError
				if !errors.As(err, &se) {
					return err // ctx: interrupted
				}
				results[se.System].err = se.Err
				fmt.Fprintf(stderr, "cert-expiry: %s: cannot read: %v (after %d certificates)\n", se.System, se.Err, results[se.System].listed)
				continue
			}
			results[c.System].listed++
			if c.Retired && !o.includeRetired {
				// The system says it is no longer in use: nothing to
				// renew, so neither listed nor exported as an expiry.
				retired++
				continue
			}
			metrics.certificate(c)
			switch {
			case c.NotAfter.IsZero():
				noExpiry++
			case c.NotAfter.Before(deadline):
				c.Record = nil // the vendor's record is not printed: do not hold it
				expiring = append(expiring, c)
			}
		}
		return metrics.finish(results, time.Now())
	}

	incomplete := false
	if o.prometheus != "" {
		err := atomicfile.Write(o.prometheus, 0o644, func(w io.Writer) error { return readAll(newMetricsWriter(w)) })
		if err != nil && ctx.Err() == nil {
			fmt.Fprintf(stderr, "cert-expiry: -prometheus %s: %v (the old file, if any, is left in place)\n", o.prometheus, err)
			incomplete = true
		}
	} else if err := readAll(newMetricsWriter(io.Discard)); err != nil && ctx.Err() == nil {
		fmt.Fprintln(stderr, "cert-expiry:", err)
		incomplete = true
	}
	if ctx.Err() != nil {
		fmt.Fprintln(stderr, "cert-expiry: interrupted")
		return exitInterrupted
	}

	slices.SortFunc(expiring, func(a, b inventory.Certificate) int {
		return cmp.Or(a.NotAfter.Compare(b.NotAfter), cmp.Compare(a.System, b.System), cmp.Compare(a.ID, b.ID))
	})
	writeList := func(w io.Writer) error { return writeCertificates(w, o.format, expiring, now) }
	if o.output != "" {
		if err := atomicfile.Write(o.output, 0o644, writeList); err != nil {
			fmt.Fprintf(stderr, "cert-expiry: -o %s: %v\n", o.output, err)
			incomplete = true
		}
	} else if err := writeList(stdout); err != nil {
		fmt.Fprintf(stderr, "cert-expiry: writing the list: %v\n", err)
		incomplete = true
	}

	total, failed, expired := 0, 0, 0
	for _, r := range results {
		total += r.listed
		if r.err != nil {
			failed++
			incomplete = true
		}
	}
	for _, c := range expiring {
		if !c.NotAfter.After(now) {
			expired++
		}
	}
	fmt.Fprintf(stderr, "%d certificates from %d systems (%d could not be read); %d expire within %s (%d already expired)",
		total, len(systems), failed, len(expiring), days(o.within), expired)
	if noExpiry > 0 {
		fmt.Fprintf(stderr, "; %d without an expiry date", noExpiry)
	}
	if retired > 0 {
		fmt.Fprintf(stderr, "; %d retired left out (-include-retired reports them)", retired)
	}
	fmt.Fprintln(stderr)
	switch {
	case len(expiring) > 0:
		return exitExpiring
	case incomplete:
		return exitIncomplete
	}
	return exitOK
}

// days writes a window in days when it is a whole number of them.
func days(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%d days", d/(24*time.Hour))
	}
	return d.String()
}

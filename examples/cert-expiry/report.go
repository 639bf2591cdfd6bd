package main

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"

	"github.com/certadmin/certadmin-go/inventory"
)

// The metric names of -prometheus.
const (
	metricExpiry       = "certadmin_certificate_expiry_timestamp_seconds"
	metricUp           = "certadmin_inventory_system_up"
	metricCertificates = "certadmin_inventory_certificates"
	metricLastRun      = "certadmin_inventory_last_run_timestamp_seconds"
)

// metricsWriter writes the Prometheus text format for node-exporter's
// textfile collector, one certificate at a time, so a large inventory is
// never held in memory. Write errors are sticky (bufio) and come back
// from finish.
type metricsWriter struct {
	w *bufio.Writer
	// seen holds a hash of each expiry series' labels: a repeated series
	// would make the collector drop the whole file, so a certificate a
	// system lists twice is written once.
	seen map[[16]byte]struct{}
}

func newMetricsWriter(w io.Writer) *metricsWriter {
	m := &metricsWriter{w: bufio.NewWriter(w), seen: map[[16]byte]struct{}{}}
	m.family(metricExpiry, "Expiry (not after) of a certificate, in seconds since the Unix epoch.")
	return m
}

func (m *metricsWriter) family(name, help string) {
	fmt.Fprintf(m.w, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name)
}

// certificate writes the expiry gauge of one certificate; one without a
// not-after date has none.
func (m *metricsWriter) certificate(c inventory.Certificate) {
	if c.NotAfter.IsZero() {
		return
	}
	labels := labelSet("system", c.System, "vendor", c.Vendor, "id", c.ID, "subject", c.Subject, "serial", c.Serial)
	h := fnv.New128a()
	_, _ = io.WriteString(h, labels)
	var key [16]byte
	h.Sum(key[:0])
	if _, dup := m.seen[key]; dup {
		return
	}
	m.seen[key] = struct{}{}
	fmt.Fprintf(m.w, "%s{%s} %d\n", metricExpiry, labels, c.NotAfter.Unix())
}

// finish writes each system's state and the time of the run, and flushes.
func (m *metricsWriter) finish(results map[string]*systemResult, now time.Time) error {
	names := make([]string, 0, len(results))
	for n := range results {
		names = append(names, n)
	}
	slices.Sort(names)
	m.family(metricUp, "Whether the system's inventory was read to the end (1) or not (0).")
	for _, n := range names {
		up := 1
		if results[n].err != nil {
			up = 0
		}
		fmt.Fprintf(m.w, "%s{%s} %d\n", metricUp, labelSet("system", n, "vendor", results[n].vendor), up)
	}
	m.family(metricCertificates, "Certificates read from the system (up to its failure, if any).")
	for _, n := range names {
		fmt.Fprintf(m.w, "%s{%s} %d\n", metricCertificates, labelSet("system", n, "vendor", results[n].vendor), results[n].listed)
	}
	m.family(metricLastRun, "When cert-expiry finished reading, in seconds since the Unix epoch.")
	fmt.Fprintf(m.w, "%s %d\n", metricLastRun, now.Unix())
	return m.w.Flush()
}

// labelSet writes name="value" pairs, values escaped as the text format
// requires (backslash, double quote, line feed) and made valid UTF-8.
func labelSet(pairs ...string) string {
	var b strings.Builder
	for i := 0; i < len(pairs); i += 2 {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(pairs[i])
		b.WriteString(`="`)
		b.WriteString(labelEscaper.Replace(strings.ToValidUTF8(pairs[i+1], "\uFFFD")))
		b.WriteByte('"')
	}
	return b.String()
}

var labelEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)

// daysLeft is the whole days until t, rounded down: negative once expired.
func daysLeft(t, now time.Time) int {
	return int(math.Floor(t.Sub(now).Hours() / 24))
}

var csvHeader = []string{"system", "vendor", "id", "subject", "serial", "issuer", "notBefore", "notAfter", "daysLeft", "status", "ownerKind", "ownerId", "ownerName", "sans"}

// writeCertificates writes the list in the -format asked for.
func writeCertificates(w io.Writer, format string, certs []inventory.Certificate, now time.Time) error {
	switch format {
	case "csv":
		cw := csv.NewWriter(w)
		_ = cw.Write(csvHeader)
		for _, c := range certs {
			_ = cw.Write([]string{c.System, c.Vendor, c.ID, c.Subject, c.Serial, c.Issuer, rfc3339(c.NotBefore), rfc3339(c.NotAfter),
				strconv.Itoa(daysLeft(c.NotAfter, now)), c.Status, string(c.Owner.Kind), c.Owner.ID, c.Owner.Name, strings.Join(c.SANs, ";")})
		}
		cw.Flush()
		return cw.Error()
	case "jsonl":
		enc := json.NewEncoder(w)
		for _, c := range certs {
			// The common record's own JSON, plus the days left.
			if err := enc.Encode(struct {
				inventory.Certificate
				DaysLeft int `json:"daysLeft"`
			}{c, daysLeft(c.NotAfter, now)}); err != nil {
				return err
			}
		}
		return nil
	}
	if len(certs) == 0 {
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NOT AFTER\tDAYS\tSYSTEM\tID\tSUBJECT\tSERIAL\tSTATUS\tOWNER")
	for _, c := range certs {
		owner := c.Owner.Name
		if owner == "" {
			owner = c.Owner.ID
		}
		if c.Owner.Kind != "" {
			owner = string(c.Owner.Kind) + " " + owner
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\n", c.NotAfter.UTC().Format("2006-01-02 15:04Z"), daysLeft(c.NotAfter, now),
			cell(c.System), cell(c.ID), cell(c.Subject), cell(c.Serial), cell(c.Status), cell(owner))
	}
	return tw.Flush()
}

// cell makes a server's text safe for a terminal table: control
// characters (tabs, escape sequences) become spaces, empty becomes "-".
func cell(s string) string {
	if s == "" {
		return "-"
	}
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
}

func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

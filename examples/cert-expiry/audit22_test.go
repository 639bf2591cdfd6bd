//go:build audit

package main

// Audit round 22: cert-expiry against the vendors' certificate states and
// the output formats.
//
// Evidence:
//   [CORE] /work/shared/seeds/000_124e52d367993ced.txt, api/v2/certificates/search
//          (lines 419-691): certificateStatus is one of ACTIVE, EXPIRED,
//          PENDING_REVOCATION, MANUAL_REVOCATION_REQUIRED, REVOKED, SENT,
//          WAITING_SEND, GENERATING, HIGH_GENERATING; the sample result
//          carries "trash": true.
//   [CZ]   /work/shared/reference/czertainly/2.17.0/doc-openapi-core-certificate.yaml,
//          CertificateState enum (line 1789): requested, rejected,
//          pending_approval, pending_issue, pending_revoke, failed, issued,
//          revoked, ...
//   go doc ./examples/cert-expiry, "Exit status": 1 "a certificate expires
//   within -within or has expired".

import (
	"bytes"
	"encoding/csv"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/certadmin/certadmin-go/inventory"
)

// Finding: the vendors keep certificates that are no longer in use and
// say so in their state ([CORE] EXPIRED and REVOKED, [CZ] revoked). The
// tool ignores Status, so a Core that once let a certificate lapse (Core
// itself marks it EXPIRED) or revoked one makes the check exit 1 ("has
// expired") on every run, forever, and lists it among those to renew.
// A monitoring check that can never return to 0 hides the certificates
// that do need renewing.
//
// Resolved (fix-inv): the vendors map these states to
// inventory.Certificate.Retired (inventory/FIELDS.md, tested in each vendor
// package), and the stand-ins below carry it as the vendor mapping would.
// Core's EXPIRED alone is deliberately not retired (an expired certificate
// may still be deployed: that is what the check is for); a trashed EXPIRED
// one is.
func TestAudit22RetiredCertificatesKeepCheckFailing(t *testing.T) {
	for _, tc := range []struct {
		name string
		c    inventory.Certificate
	}{
		{"core EXPIRED in trash", inventory.Certificate{Vendor: "mobileiron/core", ID: "2", Serial: "102", Status: "EXPIRED", Retired: true,
			NotAfter: time.Date(2017, 4, 18, 0, 0, 0, 0, time.UTC)}},
		{"core REVOKED", inventory.Certificate{Vendor: "mobileiron/core", ID: "3", Serial: "103", Status: "REVOKED", Retired: true,
			NotAfter: time.Now().Add(3 * day).Truncate(time.Second)}},
		{"czertainly revoked", inventory.Certificate{Vendor: "czertainly", ID: "0b1c", Subject: "CN=old", Status: "revoked/revoked", Retired: true,
			NotAfter: time.Now().Add(3 * day).Truncate(time.Second)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			config := writeConfig(t, map[string]*standIn{
				"sys":  {certs: []inventory.Certificate{tc.c}},
				"good": {certs: []inventory.Certificate{cert("1", 400*day)}},
			})
			code, stdout, stderr := runTool(t, t.Context(), "-config", config)
			if code != exitOK {
				t.Errorf("exit %d for a certificate whose vendor state is %q (no longer in use), want 0; stdout:\n%s\nstderr:\n%s",
					code, tc.c.Status, stdout, stderr)
			}
		})
	}
}

// Confirmation: CSV escaping of subjects with commas, quotes, newlines
// (the vendor's identity example subject "CN=*.esri.com, OU=Dev, O=Esri,
// L=Redlands, ST=CA, C=US"), read back field for field.
func TestAudit22CSVRoundTrip(t *testing.T) {
	c := cert("1", 3*day)
	c.Subject = "CN=*.esri.com, OU=Dev, O=\"Esri\", L=Redlands\nST=CA, C=US"
	c.Issuer = `CN=ESRI Enterprise Root, DC=empty\, "x"`
	c.SANs = []string{"DNSName: *.esri.com", "DNSName: a,b"}
	config := writeConfig(t, map[string]*standIn{"s,1": {certs: []inventory.Certificate{c}}})
	code, stdout, stderr := runTool(t, t.Context(), "-config", config, "-format", "csv")
	if code != exitExpiring {
		t.Fatalf("exit %d; %s", code, stderr)
	}
	recs, err := csv.NewReader(strings.NewReader(stdout)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 || len(recs[1]) != len(csvHeader) {
		t.Fatalf("records %q", recs)
	}
	got := map[string]string{}
	for i, h := range recs[0] {
		got[h] = recs[1][i]
	}
	if got["subject"] != c.Subject || got["issuer"] != c.Issuer || got["system"] != "s,1" {
		t.Errorf("read back %q", got)
	}
	if got["notAfter"] != c.NotAfter.UTC().Format(time.RFC3339) {
		t.Errorf("notAfter %q, want %q", got["notAfter"], c.NotAfter.UTC().Format(time.RFC3339))
	}
}

// Confirmation (timestamps): a NotAfter in a non-UTC zone is written as the
// same instant in UTC, and the Prometheus value is that instant's Unix time.
func TestAudit22ZonesInOutputs(t *testing.T) {
	loc := time.FixedZone("UTC+10", 10*3600)
	c := cert("z", 2*day)
	c.NotAfter = c.NotAfter.In(loc)
	config := writeConfig(t, map[string]*standIn{"z": {certs: []inventory.Certificate{c}}})
	prom := t.TempDir() + "/m.prom"
	code, stdout, stderr := runTool(t, t.Context(), "-config", config, "-format", "csv", "-prometheus", prom)
	if code != exitExpiring {
		t.Fatalf("exit %d; %s", code, stderr)
	}
	if !strings.Contains(stdout, c.NotAfter.UTC().Format(time.RFC3339)) {
		t.Errorf("csv lacks %s:\n%s", c.NotAfter.UTC().Format(time.RFC3339), stdout)
	}
	var buf bytes.Buffer
	m := newMetricsWriter(&buf)
	c.System = "z"
	m.certificate(c)
	_ = m.finish(map[string]*systemResult{"z": {vendor: "stand-in", listed: 1}}, time.Unix(0, 0))
	for _, s := range parseTextFormat(t, buf.String()) {
		if s.name == metricExpiry && int64(s.value) != c.NotAfter.Unix() {
			t.Errorf("metric %v, want %d", s.value, c.NotAfter.Unix())
		}
	}
}

// Finding (output files): -o and -prometheus are refused as the same file
// only when spelled identically. Spelled "dir/out" and "dir/./out" they
// are one file: the metrics are written, then replaced by the list, and
// node-exporter's textfile collector is left reading a table. The tool
// should refuse it as a usage error (exit 2), as it does for the same
// spelling.
func TestAudit22SameOutputFileDifferentSpelling(t *testing.T) {
	config := writeConfig(t, map[string]*standIn{"a": {certs: []inventory.Certificate{cert("1", 400*day)}}})
	dir := t.TempDir()
	code, _, stderr := runTool(t, t.Context(), "-config", config, "-o", dir+"/certs.prom", "-prometheus", dir+"/./certs.prom")
	if code != exitUsage {
		t.Errorf("exit %d, want %d (usage: one file named twice); stderr:\n%s", code, exitUsage, stderr)
	}
}

// Finding (exit codes as documented; a failing system never hides
// others): a system whose client cannot be made (here a plain-http URL to
// a host that is not loopback, which the SDK refuses before any request)
// ends the whole run before any system is read, with exit 3 ("a system
// could not be read"). The tool's documentation gives such a config exit 2
// ("an unreadable or invalid config"); if it is instead a failure of that
// one system, the other systems must still be read and reported.
func TestAudit22ClientSetupFailureHidesOthers(t *testing.T) {
	standIns = map[string]*standIn{"good": {certs: []inventory.Certificate{cert("1", 3*day)}}}
	cf := `{"systems":[` +
		`{"name":"good","vendor":"stand-in","url":"https://good.example"},` +
		`{"name":"gis","vendor":"enterpriseadmin","url":"http://192.0.2.1/arcgis","usernameEnv":"A22_USER","passwordEnv":"A22_PASS","timeout":"1s"}]}`
	name := t.TempDir() + "/systems.json"
	if err := os.WriteFile(name, []byte(cf), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("A22_USER", "admin")
	t.Setenv("A22_PASS", "pw")
	code, stdout, stderr := runTool(t, t.Context(), "-config", name)
	read := strings.Contains(stderr, "good: 1 certificates")
	if code != exitUsage && (!read || code != exitExpiring) {
		t.Errorf("exit %d and the healthy system read=%v; want exit 2 (invalid config) or the healthy system's expiring certificate reported (exit 1)\nstdout:\n%s\nstderr:\n%s",
			code, read, stdout, stderr)
	}
}

package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/certadmin/certadmin-go/inventory"
)

// standIn is a system of the test's own: the certificates it holds, then
// optionally a failure, or a hang until the walk's context ends (after
// calling hang, so a test can cancel the run from there).
type standIn struct {
	certs []inventory.Certificate
	err   error
	hang  func()
}

func (s *standIn) CertificateInventory(ctx context.Context) iter.Seq2[inventory.Certificate, error] {
	return func(yield func(inventory.Certificate, error) bool) {
		for _, c := range s.certs {
			if !yield(c, nil) {
				return
			}
		}
		switch {
		case s.hang != nil:
			s.hang()
			<-ctx.Done()
			yield(inventory.Certificate{}, ctx.Err())
		case s.err != nil:
			yield(inventory.Certificate{}, s.err)
		}
	}
}

// standIns are the systems of vendor "stand-in", by name; each test sets
// its own (the tests of this package do not run in parallel).
var standIns map[string]*standIn

func init() {
	vendors["stand-in"] = func(s *systemConfig, _ credentials, _ tlsSettings, _ *slog.Logger) (inventory.Lister, func(), error) {
		l, ok := standIns[s.Name]
		if !ok {
			return nil, nil, fmt.Errorf("no stand-in %q", s.Name)
		}
		return l, func() {}, nil
	}
}

// writeConfig writes a config of stand-in systems, one per name.
func writeConfig(t *testing.T, systems map[string]*standIn) string {
	t.Helper()
	standIns = systems
	var cf configFile
	for name := range systems {
		cf.Systems = append(cf.Systems, systemConfig{Name: name, Vendor: "stand-in", URL: "https://" + name + ".example"})
	}
	b, err := json.Marshal(cf)
	if err != nil {
		t.Fatal(err)
	}
	name := filepath.Join(t.TempDir(), "systems.json")
	if err := os.WriteFile(name, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return name
}

func runTool(t *testing.T, ctx context.Context, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(ctx, args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// cert is a certificate of vendor "stand-in" expiring in the given time
// from now.
func cert(id string, expiresIn time.Duration) inventory.Certificate {
	return inventory.Certificate{Vendor: "stand-in", ID: id, Subject: "CN=" + id, Serial: "0A" + id,
		NotBefore: time.Now().Add(-day).Truncate(time.Second), NotAfter: time.Now().Add(expiresIn).Truncate(time.Second)}
}

func TestExitStatus(t *testing.T) {
	errDown := errors.New("dial tcp 192.0.2.1:443: connect: connection refused")
	for _, tc := range []struct {
		name    string
		systems map[string]*standIn
		args    []string
		want    int
		stderr  string // a part of stderr
	}{
		{"nothing within the window", map[string]*standIn{
			"a": {certs: []inventory.Certificate{cert("1", 90*day), cert("2", 31*day)}},
			"b": {certs: []inventory.Certificate{cert("3", 400*day)}},
		}, nil, 0, "3 certificates from 2 systems (0 could not be read); 0 expire within 30 days"},
		{"one within the window", map[string]*standIn{
			"a": {certs: []inventory.Certificate{cert("1", 90*day), cert("2", 10*day)}},
			"b": {certs: []inventory.Certificate{cert("3", 400*day)}},
		}, nil, 1, "1 expire within 30 days (0 already expired)"},
		{"a narrower window", map[string]*standIn{
			"a": {certs: []inventory.Certificate{cert("1", 90*day), cert("2", 10*day)}},
		}, []string{"-within", "5d"}, 0, "0 expire within 5 days"},
		{"a window as a duration", map[string]*standIn{
			"a": {certs: []inventory.Certificate{cert("2", 10*day)}},
		}, []string{"-within", "250h"}, 1, "1 expire within 250h0m0s"},
		{"already expired", map[string]*standIn{
			"a": {certs: []inventory.Certificate{cert("1", -3*day)}},
		}, nil, 1, "(1 already expired)"},
		{"no expiry date is not expiring", map[string]*standIn{
			"a": {certs: []inventory.Certificate{{Vendor: "stand-in", ID: "x"}}},
		}, nil, 0, "; 1 without an expiry date"},
		{"a system down, nothing expiring elsewhere", map[string]*standIn{
			"up":   {certs: []inventory.Certificate{cert("1", 90*day)}},
			"down": {err: errDown},
		}, nil, 3, "cert-expiry: down: cannot read: dial tcp 192.0.2.1:443: connect: connection refused (after 0 certificates)"},
		{"a system down does not hide an expiring one", map[string]*standIn{
			"up":   {certs: []inventory.Certificate{cert("1", 2*day)}},
			"down": {err: errDown},
		}, nil, 1, "1 certificates from 2 systems (1 could not be read); 1 expire within 30 days"},
		{"a system failing half-way", map[string]*standIn{
			"half": {certs: []inventory.Certificate{cert("1", 90*day), cert("2", 80*day)}, err: errDown},
		}, nil, 3, "(after 2 certificates)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			config := writeConfig(t, tc.systems)
			code, _, stderr := runTool(t, t.Context(), append([]string{"-config", config}, tc.args...)...)
			if code != tc.want {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tc.want, stderr)
			}
			if !strings.Contains(stderr, tc.stderr) {
				t.Errorf("stderr lacks %q:\n%s", tc.stderr, stderr)
			}
		})
	}
}

func TestUsageErrors(t *testing.T) {
	dir := t.TempDir()
	file := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	link := func(target, name string) string {
		p := filepath.Join(dir, name)
		if err := os.Symlink(filepath.Join(dir, target), p); err != nil {
			t.Skip("no symlinks:", err)
		}
		return p
	}
	// Relative names are in dir: a run that got past the usage check
	// writes nothing into the package.
	t.Chdir(dir)
	cwd := dir
	good := `{"systems":[{"name":"c","vendor":"mobileiron/core","url":"https://core.example","username":"u","passwordEnv":"CERT_EXPIRY_TEST_UNSET"}]}`
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"unknown flag", []string{"-nope"}, "flag provided but not defined"},
		{"argument", []string{"extra"}, `unexpected argument "extra"`},
		{"format", []string{"-format", "xml"}, `-format "xml": want one of table, csv, jsonl`},
		{"within", []string{"-within", "soon"}, "want a duration such as 720h"},
		{"negative within", []string{"-within", "-5d"}, "want a duration such as 720h"},
		{"concurrency", []string{"-concurrency", "-1"}, "must not be negative"},
		{"same file", []string{"-o", "x", "-prometheus", "x"}, "name the same file"},
		{"same file spelled twice", []string{"-o", filepath.Join(dir, "out"), "-prometheus", dir + "/./sub/../out"}, "name the same file"},
		{"same file, relative and absolute", []string{"-o", "out.prom", "-prometheus", filepath.Join(cwd, "out.prom")}, "name the same file"},
		{"same file through a link", []string{"-o", file("real.prom", ""), "-prometheus", link("real.prom", "link.prom")}, "name the same file"},
		{"missing config", []string{"-config", filepath.Join(dir, "absent.json")}, "-config: open"},
		{"not JSON", []string{"-config", file("bad.json", `{"systems": [`)}, "unexpected EOF"},
		{"unknown field", []string{"-config", file("field.json", `{"systems":[{"name":"c","vendor":"mimcm","url":"https://x.example","password":"secret"}]}`)}, `unknown field "password"`},
		{"unknown vendor", []string{"-config", file("vendor.json", `{"systems":[{"name":"c","vendor":"mobileiron/cloud","url":"https://x.example"}]}`)}, `vendor "mobileiron/cloud": want one of`},
		{"no systems", []string{"-config", file("empty.json", `{"systems":[]}`)}, "no systems"},
		{"twice", []string{"-config", file("twice.json", `{"systems":[{"name":"c","vendor":"mimcm","url":"https://x.example"},{"name":"c","vendor":"mimcm","url":"https://y.example"}]}`)}, "the name is used twice"},
		{"relative url", []string{"-config", file("url.json", `{"systems":[{"name":"c","vendor":"mimcm","url":"cm.example"}]}`)}, "want an absolute URL: https, or http to a loopback host"},
		{"unknown vendor option", []string{"-config", file("opt.json", `{"systems":[{"name":"c","vendor":"mobileiron/core","url":"https://x.example","username":"u","passwordEnv":"HOME","options":{"space":1}}]}`)}, `options: json: unknown field "space"`},
		{"unset credential variable", []string{"-config", file("good.json", good)}, "passwordEnv names $CERT_EXPIRY_TEST_UNSET, which is not set"},
		{"a sign-in the vendor does not take", []string{"-config", file("czt.json", `{"systems":[{"name":"z","vendor":"czertainly","url":"https://x.example","username":"u","passwordEnv":"HOME"}]}`)}, "give clientCertFile and clientKeyFile"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runTool(t, t.Context(), tc.args...)
			if code != exitUsage {
				t.Errorf("exit %d, want 2; stderr:\n%s", code, stderr)
			}
			if !strings.Contains(stderr, tc.want) {
				t.Errorf("stderr lacks %q:\n%s", tc.want, stderr)
			}
			if stdout != "" {
				t.Errorf("stdout %q", stdout)
			}
		})
	}
	if code, _, _ := runTool(t, t.Context(), "-h"); code != 0 {
		t.Errorf("-h: exit %d", code)
	}
}

// sample is a metric line parsed back: name, labels unescaped, value.
type sample struct {
	name   string
	labels map[string]string
	value  float64
}

// parseTextFormat reads Prometheus' text format strictly: every family
// has HELP and TYPE gauge before its samples, samples of a family are
// together, label values are escaped as the format says, no series
// repeats.
func parseTextFormat(t *testing.T, text string) []sample {
	t.Helper()
	var out []sample
	typed := map[string]bool{}
	series := map[string]bool{}
	current := ""
	lineRE := regexp.MustCompile(`^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$`)
	for i, line := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		if rest, ok := strings.CutPrefix(line, "# HELP "); ok {
			name, _, _ := strings.Cut(rest, " ")
			if typed[name] {
				t.Fatalf("line %d: family %s declared twice", i+1, name)
			}
			current = name
			continue
		}
		if rest, ok := strings.CutPrefix(line, "# TYPE "); ok {
			if rest != current+" gauge" {
				t.Fatalf("line %d: %q, want TYPE %s gauge", i+1, line, current)
			}
			typed[current] = true
			continue
		}
		m := lineRE.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("line %d: not a sample: %q", i+1, line)
		}
		if m[1] != current || !typed[current] {
			t.Fatalf("line %d: sample of %s outside its family (%s)", i+1, m[1], current)
		}
		if series[m[1]+"{"+m[2]+"}"] {
			t.Fatalf("line %d: series repeated: %s", i+1, line)
		}
		series[m[1]+"{"+m[2]+"}"] = true
		v, err := strconv.ParseFloat(m[3], 64)
		if err != nil {
			t.Fatalf("line %d: value %q", i+1, m[3])
		}
		out = append(out, sample{name: m[1], labels: parseLabels(t, m[2]), value: v})
	}
	return out
}

func parseLabels(t *testing.T, s string) map[string]string {
	labels := map[string]string{}
	for s != "" {
		name, rest, ok := strings.Cut(s, `="`)
		if !ok {
			t.Fatalf("labels %q", s)
		}
		var v strings.Builder
		i := 0
		for ; i < len(rest) && rest[i] != '"'; i++ {
			if rest[i] != '\\' {
				v.WriteByte(rest[i])
				continue
			}
			i++
			switch rest[i] {
			case '\\':
				v.WriteByte('\\')
			case '"':
				v.WriteByte('"')
			case 'n':
				v.WriteByte('\n')
			default:
				t.Fatalf("bad escape \\%c in %q", rest[i], s)
			}
		}
		if i == len(rest) {
			t.Fatalf("unterminated label value in %q", s)
		}
		labels[name] = v.String()
		s = strings.TrimPrefix(rest[i+1:], ",")
	}
	return labels
}

func TestPrometheusFile(t *testing.T) {
	tricky := cert("7", 5*day)
	tricky.Subject = "CN=a\\,b, O=\"Quoted\" Inc.\nOU=two lines"
	tricky.Serial = "0a:ff"
	noExpiry := inventory.Certificate{Vendor: "stand-in", ID: "no-date", Subject: "CN=undated"}
	repeated := cert("8", 100*day)
	systems := map[string]*standIn{
		"ilm": {certs: []inventory.Certificate{tricky, noExpiry, repeated, repeated}},
		"gis": {err: errors.New("connection refused")},
	}
	config := writeConfig(t, systems)
	prom := filepath.Join(t.TempDir(), "certs.prom")
	code, _, stderr := runTool(t, t.Context(), "-config", config, "-prometheus", prom)
	if code != 1 {
		t.Fatalf("exit %d, want 1; stderr:\n%s", code, stderr)
	}
	b, err := os.ReadFile(prom)
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	lastRun := regexp.MustCompile(`(?m)^certadmin_inventory_last_run_timestamp_seconds (\d+)\n\z`).FindStringSubmatch(text)
	if lastRun == nil {
		t.Fatalf("no last run line at the end:\n%s", text)
	}
	if ran, _ := strconv.ParseInt(lastRun[1], 10, 64); time.Since(time.Unix(ran, 0)) > time.Hour || time.Until(time.Unix(ran, 0)) > time.Minute {
		t.Errorf("last run %s is not this run", lastRun[1])
	}
	want := fmt.Sprintf(`# HELP certadmin_certificate_expiry_timestamp_seconds Expiry (not after) of a certificate, in seconds since the Unix epoch.
# TYPE certadmin_certificate_expiry_timestamp_seconds gauge
certadmin_certificate_expiry_timestamp_seconds{system="ilm",vendor="stand-in",id="7",subject="CN=a\\,b, O=\"Quoted\" Inc.\nOU=two lines",serial="0a:ff"} %d
certadmin_certificate_expiry_timestamp_seconds{system="ilm",vendor="stand-in",id="8",subject="CN=8",serial="0A8"} %d
# HELP certadmin_inventory_system_up Whether the system's inventory was read to the end (1) or not (0).
# TYPE certadmin_inventory_system_up gauge
certadmin_inventory_system_up{system="gis",vendor="stand-in"} 0
certadmin_inventory_system_up{system="ilm",vendor="stand-in"} 1
# HELP certadmin_inventory_certificates Certificates read from the system (up to its failure, if any).
# TYPE certadmin_inventory_certificates gauge
certadmin_inventory_certificates{system="gis",vendor="stand-in"} 0
certadmin_inventory_certificates{system="ilm",vendor="stand-in"} 4
# HELP certadmin_inventory_last_run_timestamp_seconds When cert-expiry finished reading, in seconds since the Unix epoch.
# TYPE certadmin_inventory_last_run_timestamp_seconds gauge
certadmin_inventory_last_run_timestamp_seconds %s
`, tricky.NotAfter.Unix(), repeated.NotAfter.Unix(), lastRun[1])
	if text != want {
		t.Errorf("file:\n%s\nwant:\n%s", text, want)
	}

	// Parsed back, the labels are the certificate's own text.
	samples := parseTextFormat(t, text)
	var got *sample
	for i := range samples {
		if samples[i].name == metricExpiry && samples[i].labels["id"] == "7" {
			got = &samples[i]
		}
	}
	if got == nil {
		t.Fatal("no expiry sample of certificate 7")
	}
	if got.labels["subject"] != tricky.Subject || got.labels["serial"] != tricky.Serial || got.labels["system"] != "ilm" {
		t.Errorf("labels read back %q", got.labels)
	}
	if int64(got.value) != tricky.NotAfter.Unix() {
		t.Errorf("value %v, want %d", got.value, tricky.NotAfter.Unix())
	}
	if info, err := os.Stat(prom); err != nil || info.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, %v: want 0644 (node-exporter reads it)", info.Mode(), err)
	}
}

// An existing file is replaced whole; a run that is interrupted, or never
// starts, leaves it as it was, with no temporary file beside it.
func TestPrometheusFileIsAtomic(t *testing.T) {
	dir := t.TempDir()
	prom := filepath.Join(dir, "certs.prom")
	old := strings.Repeat("# an old, longer file\n", 500)
	if err := os.WriteFile(prom, []byte(old), 0o644); err != nil {
		t.Fatal(err)
	}
	config := writeConfig(t, map[string]*standIn{"a": {certs: []inventory.Certificate{cert("1", 90*day)}}})
	if code, _, stderr := runTool(t, t.Context(), "-config", config, "-prometheus", prom); code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr)
	}
	b, _ := os.ReadFile(prom)
	if strings.Contains(string(b), "old") || !strings.HasPrefix(string(b), "# HELP "+metricExpiry) {
		t.Fatalf("not replaced whole:\n%.300s", b)
	}
	parseTextFormat(t, string(b))
	current := string(b)

	// Interrupted half-way: certificates were already streamed into the
	// temporary file when the run was cancelled.
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	config = writeConfig(t, map[string]*standIn{
		"a": {certs: []inventory.Certificate{cert("1", 2*day), cert("2", 3*day)}, hang: cancel},
		"b": {certs: []inventory.Certificate{cert("3", 90*day)}},
	})
	code, stdout, stderr := runTool(t, ctx, "-config", config, "-prometheus", prom)
	if code != exitInterrupted || !strings.Contains(stderr, "interrupted") {
		t.Errorf("exit %d, want 130; stderr:\n%s", code, stderr)
	}
	if stdout != "" {
		t.Errorf("an interrupted run printed a list:\n%s", stdout)
	}
	if b, _ := os.ReadFile(prom); string(b) != current {
		t.Errorf("an interrupted run changed the file:\n%s", b)
	}

	// A usage error touches nothing.
	if code, _, _ := runTool(t, t.Context(), "-config", config, "-prometheus", prom, "-format", "xml"); code != exitUsage {
		t.Errorf("exit %d, want 2", code)
	}
	if b, _ := os.ReadFile(prom); string(b) != current {
		t.Error("a usage error changed the file")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("files left beside the metrics: %v", names)
	}

	// A directory that does not exist: the run reports it and is
	// incomplete, but still checks and lists.
	config = writeConfig(t, map[string]*standIn{"a": {certs: []inventory.Certificate{cert("1", 90*day)}}})
	code, _, stderr = runTool(t, t.Context(), "-config", config, "-prometheus", filepath.Join(dir, "absent", "certs.prom"))
	if code != exitIncomplete || !strings.Contains(stderr, "-prometheus") {
		t.Errorf("exit %d, want 3; stderr:\n%s", code, stderr)
	}
}

func TestFormats(t *testing.T) {
	late, soon, gone := cert("late", 20*day), cert("soon", 2*day), cert("gone", -12*time.Hour)
	soon.SANs = []string{"DNSName: a.example", "DNSName: b.example"}
	soon.Owner = inventory.Owner{Kind: inventory.OwnerUser, ID: "42", Name: "jdoe"}
	soon.Status = "ACTIVE"
	systems := map[string]*standIn{
		"a": {certs: []inventory.Certificate{late, cert("far", 300*day)}},
		"b": {certs: []inventory.Certificate{soon, gone}},
	}

	t.Run("csv", func(t *testing.T) {
		code, stdout, stderr := runTool(t, t.Context(), "-config", writeConfig(t, systems), "-format", "csv")
		if code != 1 {
			t.Fatalf("exit %d; stderr:\n%s", code, stderr)
		}
		rows, err := csv.NewReader(strings.NewReader(stdout)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(rows[0], ",") != strings.Join(csvHeader, ",") || len(rows) != 4 {
			t.Fatalf("rows %q", rows)
		}
		var ids []string
		for _, r := range rows[1:] {
			ids = append(ids, r[0]+"/"+r[2])
		}
		if got := strings.Join(ids, " "); got != "b/gone b/soon a/late" {
			t.Errorf("rows %s, want the expiring ones, soonest first", got)
		}
		r := rows[2]
		want := []string{"b", "stand-in", "soon", "CN=soon", "0Asoon", "", rfc3339(soon.NotBefore), rfc3339(soon.NotAfter), "1", "ACTIVE", "user", "42", "jdoe", "DNSName: a.example;DNSName: b.example"}
		if strings.Join(r, "|") != strings.Join(want, "|") {
			t.Errorf("row %q\nwant %q", r, want)
		}
		if rows[1][8] != "-1" {
			t.Errorf("days left of an expired certificate %q, want -1", rows[1][8])
		}
	})

	t.Run("jsonl", func(t *testing.T) {
		code, stdout, stderr := runTool(t, t.Context(), "-config", writeConfig(t, systems), "-format", "jsonl")
		if code != 1 {
			t.Fatalf("exit %d; stderr:\n%s", code, stderr)
		}
		sc := bufio.NewScanner(strings.NewReader(stdout))
		var got []string
		for sc.Scan() {
			var c struct {
				inventory.Certificate
				DaysLeft *int `json:"daysLeft"`
			}
			dec := json.NewDecoder(strings.NewReader(sc.Text()))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&c); err != nil {
				t.Fatalf("line %q: %v", sc.Text(), err)
			}
			if c.DaysLeft == nil || !c.NotAfter.Equal(map[string]time.Time{"gone": gone.NotAfter, "soon": soon.NotAfter, "late": late.NotAfter}[c.ID]) {
				t.Errorf("line %q", sc.Text())
			}
			got = append(got, c.System+"/"+c.ID)
			if c.ID == "soon" && (c.Owner != soon.Owner || len(c.SANs) != 2) {
				t.Errorf("line %q lost the owner or SANs", sc.Text())
			}
		}
		if strings.Join(got, " ") != "b/gone b/soon a/late" {
			t.Errorf("lines %v", got)
		}
	})

	t.Run("table", func(t *testing.T) {
		evil := cert("evil", 3*day)
		evil.Subject = "CN=x\x1b[2J\tinjected"
		code, stdout, _ := runTool(t, t.Context(), "-config", writeConfig(t, map[string]*standIn{"a": {certs: []inventory.Certificate{evil}}}))
		if code != 1 {
			t.Fatalf("exit %d", code)
		}
		lines := strings.Split(strings.TrimSpace(stdout), "\n")
		if len(lines) != 2 || !strings.HasPrefix(lines[0], "NOT AFTER") {
			t.Fatalf("table:\n%s", stdout)
		}
		if strings.ContainsAny(stdout, "\x1b\t") || !strings.Contains(lines[1], "CN=x [2J injected") {
			t.Errorf("a server's control characters reached the terminal: %q", lines[1])
		}
	})

	t.Run("-o", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "expiring.csv")
		code, stdout, _ := runTool(t, t.Context(), "-config", writeConfig(t, systems), "-format", "csv", "-o", out)
		if code != 1 || stdout != "" {
			t.Fatalf("exit %d, stdout %q", code, stdout)
		}
		b, err := os.ReadFile(out)
		if err != nil || strings.Count(string(b), "\n") != 4 {
			t.Errorf("file %q, %v", b, err)
		}
	})
}

// A large inventory reports its progress on stderr, per system, every
// inventory.ProgressEvery certificates, and each system's total.
func TestProgress(t *testing.T) {
	var many []inventory.Certificate
	for i := range 2500 {
		many = append(many, cert(strconv.Itoa(i), 90*day))
	}
	config := writeConfig(t, map[string]*standIn{"big": {certs: many}, "small": {certs: many[:10]}})
	code, _, stderr := runTool(t, t.Context(), "-config", config)
	if code != exitOK {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr)
	}
	for _, line := range []string{"big: 1000 certificates…\n", "big: 2000 certificates…\n", "big: 2500 certificates\n", "small: 10 certificates\n"} {
		if !strings.Contains(stderr, line) {
			t.Errorf("stderr lacks %q:\n%s", line, stderr)
		}
	}
	if strings.Contains(stderr, "small: 1000") || strings.Count(stderr, "…") != 2 {
		t.Errorf("progress lines beyond the counts:\n%s", stderr)
	}
	if code, _, _ := runTool(t, t.Context(), "-fake-certificates", "10", "-config", config); code != exitUsage {
		t.Errorf("-fake-certificates with -config: exit %d, want 2", code)
	}
}

// A system whose client the vendor package refuses to make (credentials
// over plain http to a host that is not loopback: no request is sent) is
// down like an unreachable one, reported by its name, and the others are
// still read: here the healthy system's expiring certificate gives exit 1,
// and the metrics say the refused system is not up.
func TestClientSetupFailureIsOneSystemDown(t *testing.T) {
	standIns = map[string]*standIn{"good": {certs: []inventory.Certificate{cert("1", 3*day)}}}
	cf := `{"systems":[` +
		`{"name":"good","vendor":"stand-in","url":"https://good.example"},` +
		`{"name":"gis","vendor":"enterpriseadmin","url":"http://192.0.2.1/arcgis","usernameEnv":"CERT_EXPIRY_TEST_USER","passwordEnv":"CERT_EXPIRY_TEST_PASS"}]}`
	dir := t.TempDir()
	name := filepath.Join(dir, "systems.json")
	if err := os.WriteFile(name, []byte(cf), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("CERT_EXPIRY_TEST_USER", "admin")
	t.Setenv("CERT_EXPIRY_TEST_PASS", "pw")
	prom := filepath.Join(dir, "certs.prom")
	code, stdout, stderr := runTool(t, t.Context(), "-config", name, "-prometheus", prom)
	if code != exitExpiring {
		t.Errorf("exit %d, want %d; stderr:\n%s", code, exitExpiring, stderr)
	}
	for _, want := range []string{"gis: cannot read: cannot make its client", "good: 1 certificates", "(1 could not be read)"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if !strings.Contains(stdout, "CN=1") {
		t.Errorf("the healthy system's certificate is not listed:\n%s", stdout)
	}
	b, err := os.ReadFile(prom)
	if err != nil {
		t.Fatal(err)
	}
	up := map[string]float64{}
	for _, s := range parseTextFormat(t, string(b)) {
		if s.name == metricUp {
			up[s.labels["system"]] = s.value
		}
	}
	if up["gis"] != 0 || up["good"] != 1 || len(up) != 2 {
		t.Errorf("%s: %v, want gis 0 and good 1", metricUp, up)
	}
}

// A certificate its system says is retired is left out of the list, the
// exit status and the expiry metric, and counted in the summary line;
// -include-retired reports it like any other.
func TestRetiredCertificates(t *testing.T) {
	gone := cert("gone", 2*day)
	gone.Retired, gone.Status = true, "REVOKED"
	systems := map[string]*standIn{"a": {certs: []inventory.Certificate{gone, cert("ok", 400*day)}}}
	prom := filepath.Join(t.TempDir(), "certs.prom")
	expiries := func() int {
		b, err := os.ReadFile(prom)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, s := range parseTextFormat(t, string(b)) {
			if s.name == metricExpiry {
				n++
			}
		}
		return n
	}

	code, stdout, stderr := runTool(t, t.Context(), "-config", writeConfig(t, systems), "-prometheus", prom)
	if code != exitOK || stdout != "" {
		t.Errorf("exit %d, stdout %q: want 0 and nothing listed; stderr:\n%s", code, stdout, stderr)
	}
	if want := "2 certificates from 1 systems (0 could not be read); 0 expire within 30 days (0 already expired); 1 retired left out"; !strings.Contains(stderr, want) {
		t.Errorf("stderr lacks %q:\n%s", want, stderr)
	}
	if n := expiries(); n != 1 {
		t.Errorf("%d expiry series, want 1 (the retired one left out)", n)
	}

	code, stdout, stderr = runTool(t, t.Context(), "-config", writeConfig(t, systems), "-prometheus", prom, "-include-retired", "-format", "jsonl")
	if code != exitExpiring || !strings.Contains(stdout, `"id":"gone"`) || !strings.Contains(stdout, `"retired":true`) {
		t.Errorf("-include-retired: exit %d, stdout %q: want 1 and the retired certificate listed; stderr:\n%s", code, stdout, stderr)
	}
	if strings.Contains(stderr, "retired left out") {
		t.Errorf("-include-retired: stderr still counts retired certificates as left out:\n%s", stderr)
	}
	if n := expiries(); n != 2 {
		t.Errorf("-include-retired: %d expiry series, want 2", n)
	}
}

package crossvendor_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Each vendor's Error type matches only that vendor's errors: a program
// that uses two clients must be able to tell whose call failed with
// errors.As. Before, every vendor's type matched every vendor's error.
//
// A program written from the vendors found (vendorPackages) and their
// fakes (fakePackages) gets one error from each client (a call through
// Do to a path its fake does not serve, answered in the vendor's own
// shape) and asks errors.As of every vendor's *Error on each; the test
// runs it and wants a match exactly where the two vendors are the same.
func TestEachVendorErrorTypeMatchesOnlyItsOwnErrors(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a program with the go command")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	vendors := vendorPackages(t)
	fakes := fakePackages(t)
	var b strings.Builder
	b.WriteString("// Command errortypes prints, for each vendor's error, whether each vendor's *Error matches it.\npackage main\n\nimport (\n\t\"context\"\n\t\"errors\"\n\t\"fmt\"\n\t\"net/http\"\n\n")
	for i, v := range vendors {
		fake := fakes[v.ImportPath]
		if fake == "" {
			t.Fatalf("vendor %s has no fake (a package running gensurface -kind fake -client %s)", v.ImportPath, v.ImportPath)
		}
		fmt.Fprintf(&b, "\tv%d %q\n\tf%d %q\n", i, v.ImportPath, i, fake)
	}
	b.WriteString(")\n\nfunc main() {\n\tctx := context.Background()\n\tvar errs []error\n")
	for i := range vendors {
		fmt.Fprintf(&b, `	{
		srv, err := f%[1]d.NewServer()
		if err != nil {
			panic(err)
		}
		c, err := srv.NewClient(v%[1]d.WithMaxAttempts(1))
		if err != nil {
			panic(err)
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/certadmin-no-such-path", nil)
		if err != nil {
			panic(err)
		}
		errs = append(errs, c.Do(ctx, req, nil))
		srv.Close()
	}
`, i)
	}
	b.WriteString("\tfor i, err := range errs {\n\t\tfmt.Printf(\"%d %v")
	for range vendors {
		b.WriteString(" %v")
	}
	b.WriteString("\\n\", i, err != nil")
	for j := range vendors {
		fmt.Fprintf(&b, ", errors.As(err, new(*v%d.Error))", j)
	}
	b.WriteString(")\n\t}\n}\n")

	// testdata is left out of ./..., but a path to it builds; it must be
	// inside the module for the imports to resolve.
	dir := filepath.Join("testdata", "errortypes")
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(goBin, "run", "./"+filepath.ToSlash(dir)).CombinedOutput()
	if err != nil {
		t.Fatalf("the program: %v\n%s\n%s", err, out, b.String())
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != len(vendors) {
		t.Fatalf("%d lines for %d vendors:\n%s", len(lines), len(vendors), out)
	}
	for _, line := range lines {
		f := strings.Fields(line)
		if len(f) != 2+len(vendors) || f[1] != "true" {
			t.Errorf("want the vendor, true (an error) and a match per vendor: %q", line)
			continue
		}
		i, err := strconv.Atoi(f[0])
		if err != nil || i < 0 || i >= len(vendors) {
			t.Errorf("vendor number %q", f[0])
			continue
		}
		for j, m := range f[2:] {
			if (m == "true") != (i == j) {
				t.Errorf("errors.As(%s error, *%s.Error) = %s", vendors[i].Name, vendors[j].Name, m)
			}
		}
	}
}

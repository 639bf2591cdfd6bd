package crossvendor_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

// listedPackage is what `go list -json` says of one package of the module.
type listedPackage struct {
	Dir, ImportPath, Name                   string
	GoFiles                                 []string
	Imports, TestImports, XTestImports      []string
	TestGoFiles, XTestGoFiles, IgnoredFiles []string
}

var (
	listOnce sync.Once
	listed   []listedPackage
	listErr  error
)

// modulePackages lists every package of the module with the go command,
// with the audit probes' build tag so that their imports count too.
func modulePackages(t *testing.T) []listedPackage {
	t.Helper()
	listOnce.Do(func() {
		cmd := exec.Command("go", "list", "-tags", "audit", "-json", "./...")
		cmd.Dir = ".."
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			listErr = errors.New("go list: " + err.Error() + "\n" + stderr.String())
			return
		}
		dec := json.NewDecoder(bytes.NewReader(out))
		for {
			var p listedPackage
			if err := dec.Decode(&p); err == io.EOF {
				break
			} else if err != nil {
				listErr = err
				return
			}
			listed = append(listed, p)
		}
	})
	if listErr != nil {
		t.Fatal(listErr)
	}
	return listed
}

// vendorPackages are the vendors' client packages, found rather than
// named, so that a new vendor needs no line here: a package is a vendor's
// client when one of its files runs internal/cmd/gensurface with
// -kind client (CONTRIBUTING, "Adding a vendor", step 3).
func vendorPackages(t *testing.T) []listedPackage {
	t.Helper()
	var out []listedPackage
	for _, p := range modulePackages(t) {
		for _, f := range p.GoFiles {
			src, err := os.ReadFile(filepath.Join(p.Dir, f))
			if err != nil {
				t.Fatal(err)
			}
			if isClientDirective(string(src)) {
				out = append(out, p)
				break
			}
		}
	}
	// Six vendors today: fewer found means the search broke, not that a
	// vendor left.
	if len(out) < 6 {
		t.Fatalf("found %d vendor client packages (a file running gensurface -kind client), want at least 6", len(out))
	}
	return out
}

// isClientDirective reports whether src has the go:generate line that
// makes a vendor's client surface.
func isClientDirective(src string) bool {
	for line := range strings.Lines(src) {
		if strings.HasPrefix(line, "//go:generate ") && strings.Contains(line, "internal/cmd/gensurface") && strings.Contains(line, "-kind client") {
			return true
		}
	}
	return false
}

// vendorOf returns the vendor client package an import path belongs to
// (the package itself, its fake, its generated client, its oracle and
// audit tests: everything in its folder), or "".
func vendorOf(vendors []listedPackage, importPath string) string {
	for _, v := range vendors {
		if importPath == v.ImportPath || strings.HasPrefix(importPath, v.ImportPath+"/") {
			return v.ImportPath
		}
	}
	return ""
}

// fakePackages maps each vendor client's import path to its fake's: the
// package whose gensurface line (-kind fake -client <import path>) names
// the client.
func fakePackages(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, p := range modulePackages(t) {
		for _, f := range p.GoFiles {
			src, err := os.ReadFile(filepath.Join(p.Dir, f))
			if err != nil {
				t.Fatal(err)
			}
			for line := range strings.Lines(string(src)) {
				if !strings.HasPrefix(line, "//go:generate ") || !strings.Contains(line, "internal/cmd/gensurface") || !strings.Contains(line, "-kind fake") {
					continue
				}
				_, after, ok := strings.Cut(line, " -client ")
				if client := strings.Fields(after); ok && len(client) > 0 {
					out[client[0]] = p.ImportPath
				}
			}
		}
	}
	return out
}

// TestVendorPackagesFound: the search finds the same vendors as a second,
// independent one: the client each vendor's fake names in its own
// gensurface line (-kind fake -client <import path>), so neither a client
// without a fake nor a search that misses a vendor goes unnoticed.
func TestVendorPackagesFound(t *testing.T) {
	var found, named []string
	for _, v := range vendorPackages(t) {
		found = append(found, v.ImportPath)
	}
	for client := range fakePackages(t) {
		named = append(named, client)
	}
	slices.Sort(found)
	slices.Sort(named)
	if !slices.Equal(found, named) {
		t.Errorf("client packages found %v; the fakes name %v", found, named)
	}
}

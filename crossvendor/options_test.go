package crossvendor_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// Each vendor package declares its own Option type, so an option of one
// vendor must not compile with another vendor's client (it would be
// silently ignored otherwise). Two programs are written from the vendors
// found (vendorPackages) and built with the go command: "same", each
// client with its own options, must build; every line of "mixed", a
// client given the next vendor's option (an Option and a
// ClientOrCallOption, the two kinds every client has), must be refused
// with a type error naming both vendors' option types.
func TestOptionsOfAnotherVendorDoNotCompile(t *testing.T) {
	if testing.Short() {
		t.Skip("builds programs with the go command")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	vendors := vendorPackages(t)
	// testdata is left out of ./..., but a path to it builds; it must be
	// inside the module for the imports to resolve.
	const root = "testdata/options"
	t.Cleanup(func() { _ = os.RemoveAll(root) })
	write := func(name, doc string, line func(i int, v listedPackage) []string) string {
		var b strings.Builder
		b.WriteString("// Command " + name + " " + doc + "\npackage main\n\nimport (\n")
		names := map[string]bool{}
		for _, v := range vendors {
			if names[v.Name] {
				t.Fatalf("two vendor packages named %s: give the generated imports aliases", v.Name)
			}
			names[v.Name] = true
			b.WriteString("\t\"" + v.ImportPath + "\"\n")
		}
		b.WriteString(")\n\nfunc main() {\n")
		for i, v := range vendors {
			for _, l := range line(i, v) {
				b.WriteString("\t" + l + "\n")
			}
		}
		b.WriteString("}\n")
		dir := filepath.Join(root, name)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	build := func(dir string) (string, error) {
		// -e: every type error, not the first ten.
		cmd := exec.Command(goBin, "build", "-gcflags=-e", "-o", os.DevNull, "./"+filepath.ToSlash(dir))
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	const url = `"https://vendor.example.com/api"`
	same := write("same", "uses each vendor's own options: it must compile.", func(_ int, v listedPackage) []string {
		return []string{"_, _ = " + v.Name + ".NewClient(" + url + ", " + v.Name + `.WithUserAgent("same"), ` + v.Name + ".WithMaxAttempts(2))"}
	})
	if out, err := build(same); err != nil {
		t.Fatalf("each vendor's own options must compile:\n%s", out)
	}
	mixed := write("mixed", "passes options of one vendor to another vendor's client; every line must be refused by the compiler.", func(i int, v listedPackage) []string {
		o := vendors[(i+1)%len(vendors)].Name
		return []string{
			"_, _ = " + v.Name + ".NewClient(" + url + ", " + o + `.WithUserAgent("mixed"))`,
			"_, _ = " + v.Name + ".NewClient(" + url + ", " + o + ".WithMaxAttempts(2))",
		}
	})
	want := 2 * len(vendors)
	out, err := build(mixed)
	if err == nil {
		t.Fatal("a program passing one vendor's options to another vendor's client compiled")
	}
	refused := regexp.MustCompile(`cannot use \S+\.With\w+\([^)]*\) \(value of (?:interface )?type (\w+)\.(?:Option|ClientOrCallOption)\) as (\w+)\.Option value`).FindAllStringSubmatch(out, -1)
	if len(refused) != want {
		t.Fatalf("%d of %d cross-vendor options refused; go build said:\n%s", len(refused), want, out)
	}
	for _, m := range refused {
		if m[1] == m[2] {
			t.Errorf("refused for another reason: %v", m[0])
		}
	}
}

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
// silently ignored otherwise). The programs under testdata/crossvendor are
// built with the go command: "same" must build, every line of "mixed"
// must be refused with a type error naming both vendors' Option types.
func TestOptionsOfAnotherVendorDoNotCompile(t *testing.T) {
	if testing.Short() {
		t.Skip("builds programs with the go command")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	build := func(dir string) (string, error) {
		cmd := exec.Command(goBin, "build", "-o", os.DevNull, "./"+filepath.ToSlash(dir))
		cmd.Dir = "."
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := build("testdata/crossvendor/same"); err != nil {
		t.Fatalf("each vendor's own options must compile:\n%s", out)
	}
	src, err := os.ReadFile("testdata/crossvendor/mixed/main.go")
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Count(string(src), "// want ")
	out, err := build("testdata/crossvendor/mixed")
	if err == nil {
		t.Fatal("a program passing one vendor's options to another vendor's client compiled")
	}
	// The go command stops after 10 type errors; the file holds fewer.
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

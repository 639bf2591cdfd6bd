//go:build audit

package audit21

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// fuzzTargets finds targets as .ci/fuzz does: `^func Fuzz…` in the
// package folder's *_test.go files.
func fuzzTargets(t *testing.T, dir string) []string {
	files, _ := filepath.Glob(filepath.Join(repoRoot(t), dir, "*_test.go"))
	var out []string
	for _, fn := range files {
		b, _ := os.ReadFile(fn)
		if regexp.MustCompile(`(?m)^//go:build`).Match(b) {
			continue // a tagged file is not built by go test ./... in .ci/fuzz
		}
		for _, m := range regexp.MustCompile(`(?m)^func (Fuzz\w*)`).FindAllStringSubmatch(string(b), -1) {
			out = append(out, m[1])
		}
	}
	return out
}

// Issue: "Fuzzing: every vendor package's decoders have a fuzz target in
// .ci/fuzz; the CZERTAINLY 2.x package has none today." .ci/fuzz walks every
// package; each vendor package has at least one target it finds, the 2.x
// package (czertainly, not adminv1) included, and its seed corpus passes.
func TestFuzzTargetsForEveryVendor(t *testing.T) {
	script := readFile(t, ".ci/fuzz")
	if !strings.Contains(script, "go list ./...") || !strings.Contains(script, "^func Fuzz") {
		t.Fatalf(".ci/fuzz no longer discovers targets as this probe assumes")
	}
	for _, v := range vendors {
		if len(fuzzTargets(t, v)) == 0 {
			t.Errorf("%s: no fuzz target .ci/fuzz would run", v)
		}
	}
	ts := fuzzTargets(t, "czertainly")
	if len(ts) == 0 {
		return
	}
	cmd := exec.Command("go", "test", "-run", "^("+strings.Join(ts, "|")+")$", "./czertainly/")
	cmd.Dir = repoRoot(t)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("czertainly's fuzz seeds fail: %v\n%s", err, out)
	}
}

// Issue: "CHANGELOG lists every tool." Every examples/<tool> with a main
// package is named in CHANGELOG.md (as `name`).
func TestChangelogListsEveryTool(t *testing.T) {
	cl := readFile(t, "CHANGELOG.md")
	for _, n := range toolNames(t) {
		if !strings.Contains(cl, "`"+n+"`") {
			t.Errorf("CHANGELOG.md does not name the tool `%s`", n)
		}
	}
}

// README's tool table too ("Documentation and tools"): every tool has a row.
func TestReadmeListsEveryTool(t *testing.T) {
	rd := readFile(t, "README.md")
	for _, n := range toolNames(t) {
		if !strings.Contains(rd, "./examples/"+n) {
			t.Errorf("README.md has no row for examples/%s", n)
		}
	}
}

// Issue: "Runnable Examples for every workflow … and for every …test
// package" – they must also pass. Runs the Examples of the workflow vendors
// and of every fake.
func TestExamplesPass(t *testing.T) {
	pkgs := []string{"./mimcm/", "./czertainly/", "./enterpriseadmin/", "./mobileiron/cloud/", "./mobileiron/core/"}
	for _, f := range fakes {
		pkgs = append(pkgs, "./"+f+"/")
	}
	cmd := exec.Command("go", append([]string{"test", "-run", "^Example"}, pkgs...)...)
	cmd.Dir = repoRoot(t)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("Examples fail: %v\n%s", err, out)
	}
}

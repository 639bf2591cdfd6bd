package toolflag_test

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// forbidden are the names a flag of the tools must not have: each meaning
// has one name in every tool (-o for the output file, -format for its
// form).
var forbidden = map[string]string{
	"out": "-o", "output": "-o", "outfile": "-o",
	"json": "-format jsonl", "jsonl": "-format jsonl", "csv": "-format csv", "table": "-format table",
}

var flagLine = regexp.MustCompile(`(?m)^\s+-([\w-]+)`)

// TestEveryToolSharesTheConventions builds every command under examples/
// (a folder with a main.go, found by globbing, so a new tool is covered)
// and checks, as a user would meet them: the usage lists -v; an unknown
// flag, a stray argument and, where there is a -format, an unknown form
// each exit 2; no flag goes by a name another tool spells differently.
func TestEveryToolSharesTheConventions(t *testing.T) {
	if testing.Short() {
		t.Skip("builds every example tool")
	}
	root := filepath.Join("..", "..", "..")
	mains, err := filepath.Glob(filepath.Join(root, "examples", "*", "main.go"))
	if err != nil || len(mains) < 5 {
		t.Fatalf("found %d tools (%v): the glob is broken", len(mains), err)
	}
	bin := t.TempDir()
	args := []string{"build", "-o", bin + string(filepath.Separator)}
	var tools []string
	for _, m := range mains {
		tool := filepath.Base(filepath.Dir(m))
		tools = append(tools, tool)
		args = append(args, "./examples/"+tool)
	}
	build := exec.Command("go", args...)
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	// No credentials from the developer's environment reach the tools.
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}
	for _, tool := range tools {
		t.Run(tool, func(t *testing.T) {
			run := func(args ...string) (int, string) {
				cmd := exec.Command(filepath.Join(bin, tool), args...)
				cmd.Env = env
				cmd.Dir = t.TempDir()
				var stderr bytes.Buffer
				cmd.Stdout, cmd.Stderr = &stderr, &stderr
				err := cmd.Run()
				var ee *exec.ExitError
				switch {
				case err == nil:
					return 0, stderr.String()
				case errors.As(err, &ee):
					return ee.ExitCode(), stderr.String()
				}
				t.Fatalf("%s %q: %v", tool, args, err)
				return -1, ""
			}
			_, usage := run("-h")
			var flags []string
			for _, m := range flagLine.FindAllStringSubmatch(usage, -1) {
				flags = append(flags, m[1])
			}
			if !slices.Contains(flags, "v") {
				t.Errorf("the usage lists no -v (flags %v):\n%s", flags, usage)
			}
			for _, f := range flags {
				if want, bad := forbidden[f]; bad {
					t.Errorf("-%s: the tools spell it %s", f, want)
				}
			}
			cases := [][]string{{"-no-such-flag"}, {"-v", "stray-argument"}}
			if slices.Contains(flags, "format") {
				cases = append(cases, []string{"-format", "yaml"})
			}
			for _, c := range cases {
				if code, out := run(c...); code != 2 {
					t.Errorf("%s %s: exit %d, want 2 (usage error)\n%s", tool, strings.Join(c, " "), code, out)
				}
			}
		})
	}
}

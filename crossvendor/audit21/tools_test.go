//go:build audit

package audit21

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

var (
	toolsOnce sync.Once
	toolsDir  string
	toolsErr  error
)

// tools lists examples/<dir> holding a main package.
func toolNames(t *testing.T) []string {
	ents, err := os.ReadDir(filepath.Join(repoRoot(t), "examples"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		if !e.IsDir() || e.Name() == "internal" {
			continue
		}
		b, err := os.ReadFile(filepath.Join(repoRoot(t), "examples", e.Name(), "main.go"))
		if err == nil && regexp.MustCompile(`(?m)^package main`).Match(b) {
			out = append(out, e.Name())
		}
	}
	if len(out) < 8 {
		t.Fatalf("only %d tools found", len(out))
	}
	return out
}

// buildTools builds every tool once into a temporary folder.
func buildTools(t *testing.T) string {
	toolsOnce.Do(func() {
		toolsDir, toolsErr = os.MkdirTemp("", "audit21-tools")
		if toolsErr != nil {
			return
		}
		for _, n := range toolNames(t) {
			cmd := exec.Command("go", "build", "-o", filepath.Join(toolsDir, n), "./examples/"+n)
			cmd.Dir = repoRoot(t)
			if out, err := cmd.CombinedOutput(); err != nil {
				toolsErr = errors.New(string(out))
				return
			}
		}
	})
	if toolsErr != nil {
		t.Fatal(toolsErr)
	}
	return toolsDir
}

// runTool runs a tool in a fresh folder, for at most 60 s, and returns its
// exit status and output.
func runTool(t *testing.T, name string, args ...string) (int, string) {
	dir := buildTools(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(dir, name), args...)
	cmd.Dir = t.TempDir()
	cmd.Stdin = nil
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0, string(out)
	case errors.As(err, &ee):
		return ee.ExitCode(), string(out)
	default:
		t.Fatalf("%s %v: %v", name, args, err)
		return -1, ""
	}
}

// flags returns the flag names a tool's -h lists.
func toolFlags(t *testing.T, name string) []string {
	_, out := runTool(t, name, "-h")
	var fl []string
	for _, m := range regexp.MustCompile(`(?m)^\s+-([a-zA-Z0-9-]+)`).FindAllStringSubmatch(out, -1) {
		fl = append(fl, m[1])
	}
	return fl
}

// Issue: "Every tool answers -v (fakes does not) and exits 2 on a usage error
// (czertainly-renew exits 1)." Every tool lists -v, and an unknown flag, a
// stray argument and an invalid -timeout are usage errors: exit status 2.
func TestToolsVerboseAndUsageExit(t *testing.T) {
	for _, n := range toolNames(t) {
		t.Run(n, func(t *testing.T) {
			fl := toolFlags(t, n)
			if !slices.Contains(fl, "v") {
				t.Errorf("%s has no -v (flags %v)", n, fl)
			}
			if rc, out := runTool(t, n, "-no-such-flag"); rc != 2 {
				t.Errorf("%s -no-such-flag: exit %d, want 2\n%s", n, rc, tail(out))
			}
			if rc, out := runTool(t, n, "stray-argument"); rc != 2 {
				t.Errorf("%s stray-argument: exit %d, want 2\n%s", n, rc, tail(out))
			}
			if slices.Contains(fl, "timeout") {
				if rc, out := runTool(t, n, "-timeout", "-1s"); rc != 2 {
					t.Errorf("%s -timeout -1s: exit %d, want 2\n%s", n, rc, tail(out))
				}
			}
		})
	}
}

func tail(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > 3 {
		lines = lines[len(lines)-3:]
	}
	return strings.Join(lines, "\n")
}

// Issue: "All tools use the same flag names (output -o or -out, JSON -json or
// -format jsonl: pick one)"; brief: "-o for output file and -format
// table|csv|jsonl". No tool spells the output file or the format another way;
// every tool that writes records has both -o and -format.
func TestToolsFlagNames(t *testing.T) {
	records := []string{"arcgis-certs", "cert-expiry", "cloud-accounts", "czertainly-admins", "czertainly-renew", "mimcm-requests"}
	writesFile := []string{"quickstart", "mimcm-enroll", "fakes"}
	for _, n := range toolNames(t) {
		fl := toolFlags(t, n)
		for _, bad := range []string{"out", "output", "json", "jsonl", "csv", "env", "file", "outfile"} {
			if slices.Contains(fl, bad) {
				t.Errorf("%s has -%s: output file is -o, format is -format", n, bad)
			}
		}
		if slices.Contains(records, n) {
			for _, want := range []string{"o", "format"} {
				if !slices.Contains(fl, want) {
					t.Errorf("%s writes records but has no -%s (flags %v)", n, want, fl)
				}
			}
		}
		if slices.Contains(writesFile, n) && !slices.Contains(fl, "o") {
			t.Errorf("%s writes a file but has no -o (flags %v)", n, fl)
		}
	}
}

// Brief: "-format table|csv|jsonl"; issue: "JSON -json or -format jsonl: pick
// one". Every tool with -format takes jsonl and no value outside table, csv,
// jsonl (no "text", no "json"), and writes its -o file.
func TestToolsFormatValues(t *testing.T) {
	for _, n := range toolNames(t) {
		fl := toolFlags(t, n)
		if !slices.Contains(fl, "format") {
			continue
		}
		for _, f := range []string{"table", "csv", "jsonl", "text", "json"} {
			out := filepath.Join(t.TempDir(), "out")
			rc, msg := runTool(t, n, "-format", f, "-o", out)
			allowed := f == "table" || f == "csv" || f == "jsonl"
			switch {
			case rc == 2 && f == "jsonl":
				t.Errorf("%s -format jsonl: usage error\n%s", n, tail(msg))
			case rc != 2 && !allowed:
				t.Errorf("%s accepts -format %s: a format name outside table|csv|jsonl", n, f)
			case rc != 2:
				if _, err := os.Stat(out); err != nil {
					t.Errorf("%s -format %s -o FILE: exit %d, no output file (%v)\n%s", n, f, rc, err, tail(msg))
				}
			}
		}
	}
}

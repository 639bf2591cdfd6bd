// Package readme_test keeps the README's Go snippets true: each one is
// built as a program, and those that need no real server are run.
package readme_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestREADMESnippetsBuildAndRun(t *testing.T) {
	if testing.Short() {
		t.Skip("builds programs with the go command")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)```go\n(.*?)```").FindAllStringSubmatch(string(readme), -1)
	if len(blocks) < 2 {
		t.Fatalf("README has %d Go snippets, want the client and the fake-server ones", len(blocks))
	}
	for i, b := range blocks {
		src := b[1]
		if !strings.HasPrefix(src, "package main") {
			t.Errorf("snippet %d is not a whole program (package main …)", i+1)
			continue
		}
		// testdata is left out of ./..., but a path to it builds.
		dir := filepath.Join("testdata", "snippet"+string(rune('a'+i)))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = os.RemoveAll("testdata") })
		if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		bin := filepath.Join(t.TempDir(), "snippet")
		if out, err := exec.Command(goBin, "build", "-o", bin, "./"+filepath.ToSlash(dir)).CombinedOutput(); err != nil {
			t.Errorf("snippet %d does not build:\n%s\n%s", i+1, out, src)
			continue
		}
		if strings.Contains(src, "example.com") {
			continue // talks to a real server
		}
		out, err := exec.Command(bin).CombinedOutput()
		if err != nil {
			t.Errorf("snippet %d failed: %v\n%s", i+1, err, out)
			continue
		}
		if len(strings.TrimSpace(string(out))) == 0 {
			t.Errorf("snippet %d printed nothing", i+1)
		}
		t.Logf("snippet %d printed: %s", i+1, strings.TrimSpace(string(out)))
	}
}

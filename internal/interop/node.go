package interop

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// RunNodeScript runs a script with node, beside the node_modules that
// .ci/oracles/npm.sh installed from internal/interop/npm (an ES module
// resolves its imports from its own directory, so the script is copied
// next to a link to them). script is a path relative to the calling test's
// package directory: the vendor's oracle folder keeps its own scripts. It
// returns the script's stdout and stderr.
func RunNodeScript(t testing.TB, ctx context.Context, script string, env ...string) (stdout, stderr string, err error) {
	t.Helper()
	modules := NodeModules(t)
	node := LookPath(t, "node", "npm.sh")
	src, err := os.ReadFile(script)
	if err != nil {
		t.Fatalf("interop: node script: %v", err)
	}
	dir := t.TempDir()
	if err := os.Symlink(modules, filepath.Join(dir, "node_modules")); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, filepath.Base(script))
	if err := os.WriteFile(path, src, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(ctx, node, path)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return out.String(), errb.String(), fmt.Errorf("node %s: %w", script, err)
	}
	return out.String(), errb.String(), nil
}

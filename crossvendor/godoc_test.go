package crossvendor_test

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestGoDocShowsNoInternalNames: what go doc shows of a public package
// names only what a user can import. A declaration such as
// `ErrUnauthorized = apierror.ErrUnauthorized` sends the reader to a
// package they cannot open; the generated surface and the hand-written
// sentinels hide the shared values behind unexported functions instead
// (as io/fs does). Every public package of the module is checked, found
// by walking the tree, so a new vendor is covered without a list.
func TestGoDocShowsNoInternalNames(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go doc on every public package")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	root := filepath.Join("..")
	public, internalNames := walkPackageDirs(t, root)
	if len(public) < 10 || len(internalNames) < 10 {
		t.Fatalf("found %d public packages and %d internal ones: the walk is broken", len(public), len(internalNames))
	}
	bad := internalReference(internalNames)
	for _, dir := range public {
		cmd := exec.Command(goBin, "doc", "-all", "./"+filepath.ToSlash(dir))
		cmd.Dir = root
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Errorf("go doc -all ./%s: %v\n%s", dir, err, out)
			continue
		}
		for i, line := range strings.Split(string(out), "\n") {
			if m := bad.FindString(line); m != "" {
				t.Errorf("go doc -all ./%s, line %d names %q, which a user cannot import:\n\t%s", dir, i+1, strings.TrimSpace(m), line)
			}
		}
	}
}

// walkPackageDirs walks the module for directories holding Go source: the
// public ones (outside internal/, examples/ and testdata/) and the base
// names of the internal ones.
func walkPackageDirs(t *testing.T, root string) (public, internalNames []string) {
	t.Helper()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		name := d.Name()
		if path != root && (strings.HasPrefix(name, ".") || name == "testdata") {
			return filepath.SkipDir
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		if !hasGoSource(t, path) {
			return nil
		}
		parts := strings.Split(filepath.ToSlash(rel), "/")
		switch {
		case slices.Contains(parts, "internal"):
			internalNames = append(internalNames, name)
		case parts[0] == "examples" || parts[0] == "crossvendor" || rel == ".":
		default:
			public = append(public, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return public, internalNames
}

func hasGoSource(t *testing.T, dir string) bool {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if n := e.Name(); strings.HasSuffix(n, ".go") && !strings.HasSuffix(n, "_test.go") {
			return true
		}
	}
	return false
}

// internalReference matches a qualified name from an internal package
// (apierror.ErrNotFound, pager.Keyed), an internal/ path, or the
// generator's name. "free-form." or "pager." ending a sentence are not
// references: the name must follow a non-word, non-hyphen character and
// be followed by an exported identifier.
func internalReference(names []string) *regexp.Regexp {
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = regexp.QuoteMeta(n)
	}
	return regexp.MustCompile(`(^|[^\w-])(` + strings.Join(quoted, "|") + `)\.[A-Z]|internal/|gensurface`)
}

//go:build audit

package audit21

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Issue: "No package under internal/ outside internal/cmd should import a
// vendor package." Every .go file under internal/ (whatever its build tags,
// test files included, testdata excluded) outside internal/cmd imports no
// vendor package and nothing below one.
func TestNoInternalPackageImportsAVendor(t *testing.T) {
	root := repoRoot(t)
	files := 0
	filepath.WalkDir(filepath.Join(root, "internal"), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if rel == "internal/cmd" || d.Name() == "testdata" {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") {
			return nil
		}
		files++
		f, err := parser.ParseFile(token.NewFileSet(), p, nil, parser.ImportsOnly)
		if err != nil {
			t.Errorf("%s: %v", rel, err)
			return nil
		}
		for _, im := range f.Imports {
			path, _ := strconv.Unquote(im.Path.Value)
			for _, v := range vendors {
				if path == mod+"/"+v || strings.HasPrefix(path, mod+"/"+v+"/") {
					t.Errorf("%s imports vendor package %s", rel, path)
				}
			}
			for _, v := range []string{"mobileiron", "czertainly"} {
				if strings.HasPrefix(path, mod+"/"+v+"/") {
					// covered above for the known vendors; a new subpackage too
					_ = v
				}
			}
		}
		return nil
	})
	if files < 50 {
		t.Fatalf("only %d files under internal/: probe broken", files)
	}
}

package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// repeatNames are the transport's names for whether a call may be
// repeated; outside the spec (operations.gen.go) only a vendor's
// Rules.Repeat function may use them.
var repeatNames = map[string]bool{"Repeat": true, "ByMethod": true, "ReadOnly": true, "Never": true}

// The spec is the one place that says whether an operation may be
// repeated: in every package that generates its operation table with
// genops, no hand-written (non-test) file names a repeat value outside the
// function the package gives as transport.Rules.Repeat (the vendor-wide
// fallback for requests the spec does not describe), and the package's
// transport.Rules carry the table (Operations: operations).
func TestVendorsStateRepeatOnlyInTheSpec(t *testing.T) {
	root := filepath.Join("..", "..", "..")
	pkgs := genopsPackages(t, root)
	if len(pkgs) < 6 {
		t.Fatalf("found %d packages generating operations.gen.go (%v), want the six vendor client packages at least", len(pkgs), pkgs)
	}
	for _, dir := range pkgs {
		for _, bad := range repeatOutsideSpec(t, dir) {
			t.Errorf("%s", bad)
		}
	}
}

// genopsPackages lists the directories with a go:generate line running genops.
func genopsPackages(t *testing.T, root string) []string {
	t.Helper()
	var dirs []string
	seen := map[string]bool{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") && p != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if strings.Contains(string(b), "internal/cmd/genops -spec") && !seen[filepath.Dir(p)] && !strings.Contains(p, filepath.Join("internal", "cmd", "genops")) {
			seen[filepath.Dir(p)] = true
			dirs = append(dirs, filepath.Dir(p))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return dirs
}

// repeatOutsideSpec returns, for the hand-written files of dir, each use of
// a repeat name outside its Rules.Repeat function, and a missing table.
func repeatOutsideSpec(t *testing.T, dir string) []string {
	t.Helper()
	fset := token.NewFileSet()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var files []*ast.File
	for _, e := range entries {
		n := e.Name()
		if !strings.HasSuffix(n, ".go") || strings.HasSuffix(n, "_test.go") || strings.HasSuffix(n, ".gen.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, n), nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	// The functions given as transport.Rules{Repeat: f}, and whether the
	// Rules carry Operations: operations.
	rulesRepeat := map[string]bool{}
	hasTable := false
	for _, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			cl, ok := n.(*ast.CompositeLit)
			if !ok || !isTransport(cl.Type, "Rules") {
				return true
			}
			for _, el := range cl.Elts {
				kv, ok := el.(*ast.KeyValueExpr)
				if !ok {
					continue
				}
				key, _ := kv.Key.(*ast.Ident)
				val, _ := kv.Value.(*ast.Ident)
				switch {
				case key == nil || val == nil:
				case key.Name == "Repeat":
					rulesRepeat[val.Name] = true
				case key.Name == "Operations" && val.Name == "operations":
					hasTable = true
				}
			}
			return true
		})
	}
	var bad []string
	if !hasTable {
		bad = append(bad, dir+": no transport.Rules{…, Operations: operations}: the spec's table is not used")
	}
	for _, f := range files {
		for _, decl := range f.Decls {
			if fd, ok := decl.(*ast.FuncDecl); ok && fd.Recv == nil && rulesRepeat[fd.Name.Name] {
				continue
			}
			ast.Inspect(decl, func(n ast.Node) bool {
				if isRepeatName(n) {
					bad = append(bad, fset.Position(n.Pos()).String()+": states a repeat outside the spec (mark the operation x-repeat in openapi/<vendor>.yaml)")
				}
				if cl, ok := n.(*ast.CompositeLit); ok && !isTransport(cl.Type, "Rules") {
					for _, el := range cl.Elts {
						if kv, ok := el.(*ast.KeyValueExpr); ok {
							if key, ok := kv.Key.(*ast.Ident); ok && key.Name == "Repeat" {
								bad = append(bad, fset.Position(kv.Pos()).String()+": a Repeat field set outside the spec")
							}
						}
					}
				}
				return true
			})
		}
	}
	return bad
}

func isTransport(e ast.Expr, name string) bool {
	sel, ok := e.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	x, ok := sel.X.(*ast.Ident)
	return ok && x.Name == "transport" && sel.Sel.Name == name
}

func isRepeatName(n ast.Node) bool {
	sel, ok := n.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	x, ok := sel.X.(*ast.Ident)
	return ok && x.Name == "transport" && repeatNames[sel.Sel.Name]
}

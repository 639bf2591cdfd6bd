//go:build audit

package audit21

import (
	"go/types"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// Issue: "go doc must not show internal names (ErrUnauthorized =
// apierror.ErrUnauthorized)." For every public package the issue names (and
// its fake), go doc -all shows no identifier qualified by a package under
// internal/ and no internal import path.
func TestGoDocShowsNoInternalNames(t *testing.T) {
	root := repoRoot(t)
	ents, err := os.ReadDir(filepath.Join(root, "internal"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		if e.IsDir() {
			names = append(names, regexp.QuoteMeta(e.Name()))
		}
	}
	// Package names may differ from folder names; add the ones the
	// folders declare.
	for _, e := range ents {
		if !e.IsDir() {
			continue
		}
		fs, _ := filepath.Glob(filepath.Join(root, "internal", e.Name(), "*.go"))
		for _, f := range fs {
			b, _ := os.ReadFile(f)
			if m := regexp.MustCompile(`(?m)^package (\w+)`).FindSubmatch(b); m != nil && !strings.HasSuffix(string(m[1]), "_test") {
				names = append(names, string(m[1]))
				break
			}
		}
	}
	re := regexp.MustCompile(`\b(` + strings.Join(names, "|") + `)\.[A-Z]\w*`)
	for _, p := range append(append(append([]string{}, vendors...), fakes...), "inventory") {
		doc := goDoc(t, "-all", "./"+p)
		for i, line := range strings.Split(doc, "\n") {
			if strings.Contains(line, "certadmin-go/internal") {
				t.Errorf("%s: go doc line %d names an internal path: %s", p, i+1, strings.TrimSpace(line))
			}
			// Only declarations (indented code lines start with a tab).
			if !strings.HasPrefix(line, "\t") && !strings.HasPrefix(line, "func ") && !strings.HasPrefix(line, "type ") && !strings.HasPrefix(line, "var ") && !strings.HasPrefix(line, "const ") {
				continue
			}
			if m := re.FindString(line); m != "" && !strings.HasPrefix(strings.TrimSpace(line), "//") {
				t.Errorf("%s: go doc line %d shows internal name %s: %s", p, i+1, m, strings.TrimSpace(line))
			}
		}
	}
}

// The same point, through the types: no exported function, method, field,
// variable or constant of a public package has a type that names a package
// under internal/ (which go doc would print and a user cannot import) or an
// unexported type.
func TestExportedAPIReachesNoInternalType(t *testing.T) {
	for _, p := range publicPackages {
		pkg := pkgTypes(t, p)
		seen := map[types.Type]bool{}
		var walk func(where string, typ types.Type)
		walk = func(where string, typ types.Type) {
			if seen[typ] {
				return
			}
			seen[typ] = true
			switch tt := typ.(type) {
			case *types.Named:
				obj := tt.Obj()
				if obj.Pkg() != nil {
					if strings.Contains(obj.Pkg().Path(), "/internal/") || strings.HasSuffix(obj.Pkg().Path(), "/internal") {
						t.Errorf("%s: %s names internal type %s.%s", p, where, obj.Pkg().Path(), obj.Name())
					} else if !obj.Exported() && obj.Pkg() == pkg {
						t.Errorf("%s: %s names unexported type %s", p, where, obj.Name())
					}
				}
				for i := range tt.TypeArgs().Len() {
					walk(where, tt.TypeArgs().At(i))
				}
				if obj.Pkg() == pkg && obj.Exported() {
					if st, ok := tt.Underlying().(*types.Struct); ok {
						for i := range st.NumFields() {
							if f := st.Field(i); f.Exported() {
								walk(where+"."+f.Name(), f.Type())
							}
						}
					}
				}
			case *types.Alias:
				// type X = internalpkg.Y: go doc prints the internal name.
				walk(where, types.Unalias(tt))
			case *types.Pointer:
				walk(where, tt.Elem())
			case *types.Slice:
				walk(where, tt.Elem())
			case *types.Array:
				walk(where, tt.Elem())
			case *types.Map:
				walk(where, tt.Key())
				walk(where, tt.Elem())
			case *types.Chan:
				walk(where, tt.Elem())
			case *types.Signature:
				for i := range tt.Params().Len() {
					walk(where, tt.Params().At(i).Type())
				}
				for i := range tt.Results().Len() {
					walk(where, tt.Results().At(i).Type())
				}
			case *types.Struct:
				for i := range tt.NumFields() {
					if f := tt.Field(i); f.Exported() {
						walk(where+"."+f.Name(), f.Type())
					}
				}
			}
		}
		sc := pkg.Scope()
		for _, n := range sc.Names() {
			o := sc.Lookup(n)
			if !o.Exported() {
				continue
			}
			walk(n, o.Type())
			if tn, ok := o.(*types.TypeName); ok {
				ms := types.NewMethodSet(types.NewPointer(tn.Type()))
				for i := range ms.Len() {
					if m := ms.At(i).Obj(); m.Exported() {
						walk(n+"."+m.Name(), m.Type())
					}
				}
			}
		}
	}
}

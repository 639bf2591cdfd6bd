package crossvendor_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// workflowMethod names the client methods that are a workflow a reader
// wants to see run end to end: enrol, renew, import, export, rotate and
// resume. A …ToFile variant is the same workflow writing a file; the
// example of its base method covers it.
var workflowMethod = regexp.MustCompile(`^(Enroll|Renew|Resume|Import|Export|Rotate)`)

// TestEveryWorkflowAndFakeHasARunnableExample: each workflow method of a
// vendor client has an ExampleClient_<Method> in its package, and each
// fake server package an ExampleNewServer, each with an // Output: line so
// that go test runs it against the fake. Packages and methods are found
// by parsing the tree, so a new vendor or workflow is covered.
func TestEveryWorkflowAndFakeHasARunnableExample(t *testing.T) {
	root := ".."
	public, _ := walkPackageDirs(t, root)
	checked := 0
	for _, dir := range public {
		fset := token.NewFileSet()
		names, err := filepath.Glob(filepath.Join(root, dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		var methods []string
		examples := map[string]bool{} // example name → has an output comment
		for _, name := range names {
			f, err := parser.ParseFile(fset, name, nil, parser.ParseComments)
			if err != nil {
				t.Fatal(err)
			}
			if ast.IsGenerated(f) {
				continue // the raw clients: the wrappers' examples cover them
			}
			isTest := strings.HasSuffix(name, "_test.go")
			for _, d := range f.Decls {
				fn, ok := d.(*ast.FuncDecl)
				if !ok {
					continue
				}
				if isTest && fn.Recv == nil && strings.HasPrefix(fn.Name.Name, "Example") {
					examples[fn.Name.Name] = hasOutput(f, fn)
					continue
				}
				if !isTest && fn.Recv != nil && fn.Name.IsExported() && receiverIs(fn, "Client") && workflowMethod.MatchString(fn.Name.Name) {
					methods = append(methods, strings.TrimSuffix(fn.Name.Name, "ToFile"))
				}
			}
		}
		slices.Sort(methods)
		for _, m := range slices.Compact(methods) {
			checked++
			if !runnable(examples, "ExampleClient_"+m) {
				t.Errorf("%s: Client.%s is a workflow without a runnable ExampleClient_%s (one with an // Output: line)", dir, m, m)
			}
		}
		if strings.HasSuffix(dir, "test") && filepath.Base(dir) != "crossvendor" {
			checked++
			if !runnable(examples, "ExampleNewServer") {
				t.Errorf("%s: a fake server package without a runnable ExampleNewServer", dir)
			}
		}
	}
	if checked < 15 {
		t.Fatalf("checked %d workflows and fakes: the walk is broken", checked)
	}
}

// runnable reports whether an example named name, or one of its
// _suffix variants, has an output comment.
func runnable(examples map[string]bool, name string) bool {
	for ex, out := range examples {
		if out && (ex == name || strings.HasPrefix(ex, name+"_")) {
			return true
		}
	}
	return false
}

func receiverIs(fn *ast.FuncDecl, typ string) bool {
	if len(fn.Recv.List) != 1 {
		return false
	}
	t := fn.Recv.List[0].Type
	if star, ok := t.(*ast.StarExpr); ok {
		t = star.X
	}
	id, ok := t.(*ast.Ident)
	return ok && id.Name == typ
}

// hasOutput reports whether fn's body holds an "Output:" comment.
func hasOutput(f *ast.File, fn *ast.FuncDecl) bool {
	for _, cg := range f.Comments {
		if cg.Pos() < fn.Body.Lbrace || cg.End() > fn.Body.Rbrace {
			continue
		}
		for _, c := range cg.List {
			text := strings.TrimSpace(strings.TrimPrefix(c.Text, "//"))
			if strings.HasPrefix(text, "Output:") || strings.HasPrefix(text, "Unordered output:") {
				return true
			}
		}
	}
	return false
}

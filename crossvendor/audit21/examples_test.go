//go:build audit

package audit21

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runnableExamples returns, for the _test.go files of dir (any build tags),
// the Example functions with an "Output:" comment, mapped to their source.
func runnableExamples(t *testing.T, dir string) map[string]string {
	out := map[string]string{}
	files, _ := filepath.Glob(filepath.Join(repoRoot(t), dir, "*_test.go"))
	for _, fn := range files {
		src, err := os.ReadFile(fn)
		if err != nil {
			t.Fatal(err)
		}
		// Build-tagged files are not run by go test: skip them.
		if strings.Contains(string(src), "//go:build") {
			continue
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, fn, src, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || !strings.HasPrefix(fd.Name.Name, "Example") || fd.Body == nil {
				continue
			}
			body := string(src[fset.Position(fd.Body.Pos()).Offset:fset.Position(fd.Body.End()).Offset])
			runnable := false
			for _, cg := range f.Comments {
				if cg.Pos() > fd.Body.Pos() && cg.End() < fd.Body.End() {
					txt := strings.TrimSpace(cg.Text())
					if strings.HasPrefix(txt, "Output:") || strings.HasPrefix(txt, "Unordered output:") {
						runnable = true
					}
				}
			}
			if runnable {
				out[fd.Name.Name] = body
			}
		}
	}
	return out
}

// Issue: "Runnable Examples for every workflow (renew, import, rotate,
// resume) and for every …test package." Each workflow method is called by a
// runnable Example (one with an Output: comment) of its package, and each
// fake package has a runnable Example of its own.
func TestRunnableExamples(t *testing.T) {
	workflows := map[string][]string{
		"czertainly":       {"RenewExpiring", "ResumeEnrollment", "Enroll"},
		"mimcm":            {"RenewSoftwareCertificate", "ResumeEnrollment", "EnrollSoftwareCertificate"},
		"enterpriseadmin":  {"ImportIdentityCertificate", "RotateIdentityCertificate"},
		"mobileiron/cloud": {"ImportLDAPUser"},
		"mobileiron/core":  {"ExportCertificates"},
	}
	for pkg, methods := range workflows {
		ex := runnableExamples(t, pkg)
		for _, m := range methods {
			found := ""
			for name, body := range ex {
				if strings.Contains(body, "."+m+"(") {
					found = name
					break
				}
			}
			if found == "" {
				t.Errorf("%s: no runnable Example calls %s", pkg, m)
			}
		}
	}
	for _, f := range fakes {
		if len(runnableExamples(t, f)) == 0 {
			t.Errorf("%s: no runnable Example", f)
		}
	}
}

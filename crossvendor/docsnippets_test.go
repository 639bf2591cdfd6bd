package crossvendor_test

import (
	"errors"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// snippetPreamble declares what the sketches take for granted: a context,
// a test's t (the fakes' sketches) and the inputs a reader would have at hand. Each sketch runs in a block
// of its own below it, so its := declarations may shadow these.
const snippetPreamble = `
	var ctx context.Context
	var auth, ra, p12Password, id string
	var tmpl uuid.UUID
	var pemBytes []byte
	var t testing.TB
	_, _, _, _, _, _, _, _ = ctx, auth, ra, tmpl, p12Password, id, pemBytes, t
`

// snippetImports are the packages a sketch may use; the unused ones are
// only soft errors, which the check ignores.
var snippetImports = []string{"context", "crypto/tls", "crypto/x509", "crypto/x509/pkix", "errors", "fmt", "os", "testing", "time", "github.com/google/uuid"}

// elisions are the ways the sketches write "…", and what stands in for
// each so that the code compiles.
var elisions = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`\{ … \}`), "{ return }"},
	{regexp.MustCompile(`:\s*…\s*$`), ": return"},
	{regexp.MustCompile(`,\s*…\)`), ")"},
	{regexp.MustCompile(`^\s*…\s*$`), ""},
}

// docSnippets returns the code blocks of a doc comment: runs of lines
// that start with "//\t".
func docSnippets(src string) []string {
	var out []string
	var cur []string
	flush := func() {
		if len(cur) > 0 {
			out = append(out, strings.Join(cur, "\n"))
			cur = nil
		}
	}
	for _, line := range strings.Split(src, "\n") {
		if code, ok := strings.CutPrefix(line, "//\t"); ok {
			for _, e := range elisions {
				code = e.re.ReplaceAllString(code, e.with)
			}
			cur = append(cur, code)
			continue
		}
		flush()
	}
	flush()
	return out
}

func TestPackageDocSnippetsTypeCheck(t *testing.T) {
	if testing.Short() {
		t.Skip("type-checks against the packages' sources")
	}
	fset := token.NewFileSet()
	imp := importer.ForCompiler(fset, "source", nil)
	// Every public package of the module (found, not listed) whose package
	// comment sketches code must have sketches that type-check, so that a
	// renamed field or method cannot leave the first code a user reads
	// wrong; a vendor's client package (vendorPackages) must have one.
	clients := map[string]bool{}
	for _, v := range vendorPackages(t) {
		clients[v.ImportPath] = true
	}
	const module = "github.com/certadmin/certadmin-go/"
	for _, lp := range modulePackages(t) {
		dir := strings.TrimPrefix(lp.ImportPath, module)
		if lp.Name == "main" || strings.HasPrefix(dir, "internal/") || strings.Contains(dir, "/internal/") || len(lp.GoFiles) == 0 {
			continue
		}
		docFile, comment := packageComment(t, lp)
		snippets := docSnippets(comment)
		if len(snippets) == 0 {
			if clients[lp.ImportPath] {
				t.Errorf("%s: the package comment has no code sketch", dir)
			}
			continue
		}
		// The sketch may use the package and the module's public packages
		// it imports (a fake's sketch uses its client's package).
		p := struct {
			dir, importPath string
			also            []string
		}{dir: dir, importPath: lp.ImportPath}
		for _, i := range lp.Imports {
			if strings.HasPrefix(i, module) && !strings.Contains(i, "/internal/") {
				p.also = append(p.also, i)
			}
		}
		var b strings.Builder
		b.WriteString("package snippet\n\nimport (\n")
		for _, i := range snippetImports {
			b.WriteString("\t\"" + i + "\"\n")
		}
		for _, i := range append([]string{p.importPath}, p.also...) {
			b.WriteString("\t\"" + i + "\"\n")
		}
		b.WriteString(")\n\nfunc _() {" + snippetPreamble)
		for _, s := range snippets {
			b.WriteString("\t{\n" + s + "\n\t}\n")
		}
		b.WriteString("}\n")
		file, err := parser.ParseFile(fset, p.dir+"/doc_snippet.go", b.String(), 0)
		if err != nil {
			t.Errorf("%s/%s: the sketch does not parse: %v\n%s", p.dir, docFile, err, b.String())
			continue
		}
		var hard []string
		conf := types.Config{Importer: imp, Error: func(err error) {
			var te types.Error
			if errors.As(err, &te) && te.Soft {
				return // unused variables and imports: a sketch may leave them
			}
			hard = append(hard, err.Error())
		}}
		_, _ = conf.Check("snippet", fset, []*ast.File{file}, nil)
		if len(hard) > 0 {
			t.Errorf("%s/%s: the sketch does not compile:\n  %s\n%s", p.dir, docFile, strings.Join(hard, "\n  "), b.String())
		}
	}
}

// packageComment returns the file of lp holding its package comment and
// the comment's text ("" when the package has none).
func packageComment(t *testing.T, lp listedPackage) (file, text string) {
	t.Helper()
	fset := token.NewFileSet()
	for _, f := range lp.GoFiles {
		src, err := os.ReadFile(filepath.Join(lp.Dir, f))
		if err != nil {
			t.Fatal(err)
		}
		af, err := parser.ParseFile(fset, f, src, parser.PackageClauseOnly|parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		if af.Doc != nil {
			return f, string(src[fset.Position(af.Doc.Pos()).Offset:fset.Position(af.Doc.End()).Offset])
		}
	}
	return "", ""
}

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

// snippetPreamble declares what the sketches take for granted: a context
// and the inputs a reader would have at hand. Each sketch runs in a block
// of its own below it, so its := declarations may shadow these.
const snippetPreamble = `
	var ctx context.Context
	var auth, ra, p12Password, id string
	var tmpl uuid.UUID
	var pemBytes []byte
	_, _, _, _, _, _, _ = ctx, auth, ra, tmpl, p12Password, id, pemBytes
`

// snippetImports are the packages a sketch may use; the unused ones are
// only soft errors, which the check ignores.
var snippetImports = []string{"context", "crypto/tls", "crypto/x509", "crypto/x509/pkix", "errors", "fmt", "os", "time", "github.com/google/uuid"}

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
	// Every vendor's client package (found, not listed: vendorPackages)
	// sketches code in its doc.go; each sketch must type-check, so that a
	// renamed field or method cannot leave the first code a user reads
	// wrong.
	for _, v := range vendorPackages(t) {
		p := struct{ dir, importPath string }{strings.TrimPrefix(v.ImportPath, "github.com/certadmin/certadmin-go/"), v.ImportPath}
		src, err := os.ReadFile(filepath.Join(v.Dir, "doc.go"))
		if err != nil {
			t.Errorf("%s has no doc.go: %v", p.dir, err)
			continue
		}
		snippets := docSnippets(string(src))
		if len(snippets) == 0 {
			t.Errorf("%s/doc.go has no code sketch", p.dir)
			continue
		}
		var b strings.Builder
		b.WriteString("package snippet\n\nimport (\n")
		for _, i := range snippetImports {
			b.WriteString("\t\"" + i + "\"\n")
		}
		b.WriteString("\t\"" + p.importPath + "\"\n)\n\nfunc _() {" + snippetPreamble)
		for _, s := range snippets {
			b.WriteString("\t{\n" + s + "\n\t}\n")
		}
		b.WriteString("}\n")
		file, err := parser.ParseFile(fset, p.dir+"/doc_snippet.go", b.String(), 0)
		if err != nil {
			t.Errorf("%s/doc.go: the sketch does not parse: %v\n%s", p.dir, err, b.String())
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
			t.Errorf("%s/doc.go: the sketch does not compile:\n  %s\n%s", p.dir, strings.Join(hard, "\n  "), b.String())
		}
	}
}

package readme_test

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

// docSnippetPackages are the packages whose package comment sketches
// code (in doc.go unless file says otherwise, importing also the packages
// of also); each sketch must type-check, so that a renamed field or method
// cannot leave the first code a user reads wrong.
var docSnippetPackages = []struct {
	dir, importPath, name string
	file                  string
	also                  []string
}{
	{"mobileiron/core", "github.com/certadmin/certadmin-go/mobileiron/core", "core", "", nil},
	{"mobileiron/cloud", "github.com/certadmin/certadmin-go/mobileiron/cloud", "cloud", "", nil},
	{"mimcm", "github.com/certadmin/certadmin-go/mimcm", "mimcm", "", nil},
	{"czertainly", "github.com/certadmin/certadmin-go/czertainly", "czertainly", "", nil},
	{"czertainly/adminv1", "github.com/certadmin/certadmin-go/czertainly/adminv1", "adminv1", "", nil},
	{"enterpriseadmin", "github.com/certadmin/certadmin-go/enterpriseadmin", "enterpriseadmin", "", nil},
	{"mimcm/kerberos", "github.com/certadmin/certadmin-go/mimcm/kerberos", "kerberos", "", []string{"github.com/certadmin/certadmin-go/mimcm"}},
	{"mimcm/mimcmtest", "github.com/certadmin/certadmin-go/mimcm/mimcmtest", "mimcmtest", "mimcmtest.go", []string{"github.com/certadmin/certadmin-go/mimcm"}},
}

// snippetPreamble declares what the sketches take for granted: a context
// and the inputs a reader would have at hand. Each sketch runs in a block
// of its own below it, so its := declarations may shadow these.
const snippetPreamble = `
	var ctx context.Context
	var t *testing.T
	var auth, ra, p12Password, id string
	var tmpl uuid.UUID
	var pemBytes []byte
	_, _, _, _, _, _, _, _ = ctx, t, auth, ra, tmpl, p12Password, id, pemBytes
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
	for _, p := range docSnippetPackages {
		docFile := p.file
		if docFile == "" {
			docFile = "doc.go"
		}
		src, err := os.ReadFile(filepath.Join("..", "..", p.dir, docFile))
		if err != nil {
			t.Fatal(err)
		}
		// Only the package comment: the sketches a user reads first.
		comment, _, _ := strings.Cut(string(src), "\npackage ")
		snippets := docSnippets(comment)
		if len(snippets) == 0 {
			t.Errorf("%s/%s has no code sketch", p.dir, docFile)
			continue
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

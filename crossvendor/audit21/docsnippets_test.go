//go:build audit

package audit21

import (
	"fmt"
	"go/ast"
	"go/doc/comment"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// packageDoc returns the package comment of the package in dir.
func packageDoc(t *testing.T, dir string) string {
	files, _ := filepath.Glob(filepath.Join(repoRoot(t), dir, "*.go"))
	var docs []string
	for _, fn := range files {
		if strings.HasSuffix(fn, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), fn, nil, parser.ParseComments|parser.PackageClauseOnly)
		if err != nil {
			t.Fatal(err)
		}
		if f.Doc != nil {
			docs = append(docs, f.Doc.Text())
		}
	}
	return strings.Join(docs, "\n")
}

// importsFor maps the package names a snippet may use to import paths.
var snippetImports = map[string]string{
	"log": "log", "fmt": "fmt", "os": "os", "errors": "errors", "context": "context", "time": "time",
	"http": "net/http", "x509": "crypto/x509", "tls": "crypto/tls", "slog": "log/slog", "io": "io",
	"strings": "strings", "pem": "encoding/pem", "testing": "testing", "signal": "os/signal", "json": "encoding/json",
	"pkix": "crypto/x509/pkix", "uuid": "github.com/google/uuid", "crypto": "crypto", "ecdsa": "crypto/ecdsa",
	"elliptic": "crypto/elliptic", "rand": "crypto/rand", "httptest": "net/http/httptest", "sync": "sync",
}

func init() {
	for _, p := range publicPackages {
		snippetImports[filepath.Base(p)] = mod + "/" + p
	}
}

// compileSnippet type-checks a doc snippet as the body of a function (or as
// top-level declarations), with "…" placeholders made valid. Free lower-case
// variables (ctx, t, tmpl) are allowed: their "undefined" errors are ignored,
// as are unused variables and imports. Every other error is returned.
func compileSnippet(t *testing.T, code string) []string {
	pkgTypes(t, "mimcm") // loads gcImporter
	body := code
	body = regexp.MustCompile(`\{\s*…\s*\}`).ReplaceAllString(body, "{ panic(0) }")
	body = regexp.MustCompile(`(?m):\s*…\s*$`).ReplaceAllString(body, ": panic(0)")
	body = regexp.MustCompile(`(?m)^\s*…\s*$`).ReplaceAllString(body, "")
	body = regexp.MustCompile(`,\s*…`).ReplaceAllString(body, "")
	body = strings.ReplaceAll(body, "…", "0")
	used := map[string]bool{}
	for _, m := range regexp.MustCompile(`\b([a-z][a-z0-9]*)\.[A-Za-z_]`).FindAllStringSubmatch(body, -1) {
		if _, ok := snippetImports[m[1]]; ok {
			used[m[1]] = true
		}
	}
	var names []string
	for n := range used {
		names = append(names, n)
	}
	sort.Strings(names)
	var imp strings.Builder
	for _, n := range names {
		fmt.Fprintf(&imp, "import %s %q\n", n, snippetImports[n])
	}
	srcs := []string{
		"package snippet\n" + imp.String() + "func _() {\n" + body + "\n}\n",
		"package snippet\n" + imp.String() + body + "\n",
	}
	var errs []string
	for i, src := range srcs {
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, "snippet.go", src, 0)
		if err != nil {
			if i == 0 {
				continue
			}
			return []string{"does not parse: " + err.Error()}
		}
		errs = nil
		conf := types.Config{Importer: gcImporter, Error: func(err error) {
			msg := err.Error()
			if m := regexp.MustCompile(`undefined: ([a-zA-Z_]\w*)$`).FindStringSubmatch(msg); m != nil && m[1][0] >= 'a' && m[1][0] <= 'z' {
				if _, isPkg := snippetImports[m[1]]; !isPkg {
					return
				}
			}
			if strings.Contains(msg, "declared and not used") || strings.Contains(msg, "imported and not used") || strings.Contains(msg, "is not used") {
				return
			}
			errs = append(errs, msg)
		}}
		conf.Check("snippet", fset, []*ast.File{f}, nil)
		return errs
	}
	return errs
}

// Issue: "Every package doc's code snippet compiles in a test, as the
// README's do; czertainly/doc.go's EnrollInput snippet does not compile."
// Each code block of each public package's documentation type-checks
// against the package's API.
func TestPackageDocSnippetsCompile(t *testing.T) {
	var p comment.Parser
	blocks := 0
	for _, pkg := range publicPackages {
		d := p.Parse(packageDoc(t, pkg))
		for i, b := range d.Content {
			code, ok := b.(*comment.Code)
			if !ok {
				continue
			}
			// Only Go: a block with a call, an assignment or a declaration.
			if !regexp.MustCompile(`:=|\w\(|^\s*(func|type|var) `).MatchString(code.Text) {
				continue
			}
			if regexp.MustCompile(`(?m)^\s*(\$|curl |go (run|test|get) )`).MatchString(code.Text) {
				continue
			}
			blocks++
			t.Logf("%s block %d: %.60q", pkg, i, code.Text)
			if errs := compileSnippet(t, code.Text); len(errs) > 0 {
				t.Errorf("%s: doc code block %d does not compile:\n%s\n--- errors:\n%s", pkg, i, code.Text, strings.Join(errs, "\n"))
			}
		}
	}
	t.Logf("%d Go code blocks checked", blocks)
	if blocks < 5 {
		t.Fatalf("only %d snippets found: probe broken", blocks)
	}
	_ = os.Getenv
}

// The checker itself: a snippet naming a field EnrollInput does not have
// must be reported (guards the probe above against passing vacuously).
func TestSnippetCheckerCatchesBadField(t *testing.T) {
	errs := compileSnippet(t, "in := czertainly.EnrollInput{NoSuchField: 1}\n_ = in")
	if len(errs) == 0 {
		t.Fatal("the snippet checker accepted an unknown field")
	}
}

package main

import (
	"bytes"
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/printer"
	"go/token"
	"io"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/certadmin/certadmin-go/internal/transport"
)

// wantRefreshing is the one signature of NewRefreshingTokenSource.
const wantRefreshing = "func(fetch func(ctx context.Context) (token string, expiry time.Time, err error)) TokenSource"

// tokenAPI is what one public package declares of the token vocabulary.
type tokenAPI struct {
	importPath       string
	tokenSource      bool
	refreshing       string // NewRefreshingTokenSource's signature, "" when absent
	refreshingDoc    string
	margin           bool // DefaultRefreshMargin is a constant
	marginDoc        string
	marginValue      string
	withTokenPresent bool
}

// publicTokenAPIs reads every public package of the module (none under
// internal/, no command) with the go command and the parser, so that a new
// vendor is checked without a line here.
func publicTokenAPIs(t *testing.T) []tokenAPI {
	t.Helper()
	cmd := exec.Command("go", "list", "-json", "./...")
	cmd.Dir = filepath.Join("..", "..", "..")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	var apis []tokenAPI
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p struct {
			Dir, ImportPath, Name string
			GoFiles               []string
		}
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		if p.Name == "main" || strings.Contains(p.ImportPath+"/", "/internal/") {
			continue
		}
		apis = append(apis, readTokenAPI(t, p.ImportPath, p.Dir, p.GoFiles))
	}
	return apis
}

func readTokenAPI(t *testing.T, importPath, dir string, files []string) tokenAPI {
	t.Helper()
	api := tokenAPI{importPath: importPath}
	fset := token.NewFileSet()
	for _, name := range files {
		f, err := parser.ParseFile(fset, filepath.Join(dir, name), nil, parser.ParseComments|parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv != nil {
					continue
				}
				switch d.Name.Name {
				case "NewRefreshingTokenSource":
					var b bytes.Buffer
					if err := printer.Fprint(&b, fset, d.Type); err != nil {
						t.Fatal(err)
					}
					api.refreshing, api.refreshingDoc = b.String(), d.Doc.Text()
				case "WithToken":
					api.withTokenPresent = true
				}
			case *ast.GenDecl:
				for _, s := range d.Specs {
					switch s := s.(type) {
					case *ast.TypeSpec:
						if s.Name.Name == "TokenSource" {
							api.tokenSource = true
						}
					case *ast.ValueSpec:
						for i, n := range s.Names {
							if n.Name != "DefaultRefreshMargin" || d.Tok != token.CONST || i >= len(s.Values) {
								continue
							}
							var b bytes.Buffer
							if err := printer.Fprint(&b, fset, s.Values[i]); err != nil {
								t.Fatal(err)
							}
							api.margin, api.marginValue, api.marginDoc = true, b.String(), d.Doc.Text()
						}
					}
				}
			}
		}
	}
	return api
}

// refusal is the one clause of NewRefreshingTokenSource's doc that each
// package words for its vendor (-token-refused).
var refusal = regexp.MustCompile(`a token the server .*? is dropped`)

// TestEveryTokenSourceHasARefreshingSource: every public package that
// takes a caller's TokenSource also offers NewRefreshingTokenSource with
// the one signature, and DefaultRefreshMargin, with the same doc and value
// everywhere (the clause saying how the vendor refuses a token aside), so
// a caller whose tokens expire finds the same helper in every vendor.
func TestEveryTokenSourceHasARefreshingSource(t *testing.T) {
	var found []tokenAPI
	for _, api := range publicTokenAPIs(t) {
		if !api.tokenSource {
			if api.refreshing != "" || api.margin {
				t.Errorf("%s: NewRefreshingTokenSource or DefaultRefreshMargin without a TokenSource", api.importPath)
			}
			continue
		}
		found = append(found, api)
		if api.refreshing != wantRefreshing {
			t.Errorf("%s: NewRefreshingTokenSource is %q, want %q", api.importPath, api.refreshing, wantRefreshing)
		}
		if !api.margin {
			t.Errorf("%s: declares TokenSource but no DefaultRefreshMargin constant", api.importPath)
		}
		if !api.withTokenPresent {
			t.Errorf("%s: declares TokenSource but no WithToken to take one", api.importPath)
		}
		if !refusal.MatchString(strings.Join(strings.Fields(api.refreshingDoc), " ")) {
			t.Errorf("%s: NewRefreshingTokenSource's doc does not say which token is dropped (%q)", api.importPath, refusal)
		}
	}
	// czertainly, mimcm and enterpriseadmin today: fewer found means the
	// search broke, not that a vendor dropped tokens.
	if len(found) < 3 {
		t.Fatalf("found %d public packages declaring TokenSource, want at least 3", len(found))
	}
	first := found[0]
	doc := func(a tokenAPI) string {
		return refusal.ReplaceAllString(strings.Join(strings.Fields(a.refreshingDoc), " "), "a token the server … is dropped")
	}
	for _, api := range found[1:] {
		if doc(api) != doc(first) {
			t.Errorf("NewRefreshingTokenSource's doc differs between %s and %s:\n%s\n%s", first.importPath, api.importPath, doc(first), doc(api))
		}
		if api.marginDoc != first.marginDoc || api.marginValue != first.marginValue {
			t.Errorf("DefaultRefreshMargin differs between %s (%s) and %s (%s)", first.importPath, first.marginValue, api.importPath, api.marginValue)
		}
	}
}

// TestRefreshingDocMatchesTheCache: the generated doc states the shared
// cache's fetch bound in words; it must stay the cache's.
func TestRefreshingDocMatchesTheCache(t *testing.T) {
	if !strings.Contains(clientTemplate, "is bounded to 2 minutes") || transport.DefaultFetchTimeout != 2*time.Minute {
		t.Errorf("the template's NewRefreshingTokenSource doc says 2 minutes; transport.DefaultFetchTimeout is %v", transport.DefaultFetchTimeout)
	}
}

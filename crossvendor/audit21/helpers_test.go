//go:build audit

// Package audit21 holds black-box probes of issue 21 ("One vocabulary across
// vendors, and a call path a newcomer can follow in five minutes"). Each probe
// passes where the code agrees with the issue and fails where it does not.
// Run: go test -tags audit ./crossvendor/audit21/
package audit21

import (
	"bufio"
	"bytes"
	"fmt"
	"go/importer"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"testing"
)

const mod = "github.com/certadmin/certadmin-go"

// vendors are the public vendor packages the issue names.
var vendors = []string{
	"mobileiron/core", "mobileiron/cloud", "mimcm", "czertainly", "czertainly/adminv1", "enterpriseadmin",
}

// fakes are the vendors' …test packages.
var fakes = []string{
	"mobileiron/core/coretest", "mobileiron/cloud/cloudtest", "mimcm/mimcmtest",
	"czertainly/czertainlytest", "czertainly/adminv1/adminv1test", "enterpriseadmin/enterpriseadmintest",
}

func repoRoot(t testing.TB) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

var (
	loadOnce sync.Once
	loaded   map[string]*types.Package
	loadErr  error
	// gcImporter reads export data of every public package and its deps.
	gcImporter types.Importer
)

// publicPackages are the module's public packages (not the generated *api
// ones, not internal, examples, oracle or audit folders).
var publicPackages = []string{
	"czertainly", "czertainly/adminv1", "czertainly/adminv1/adminv1test", "czertainly/czertainlytest",
	"enterpriseadmin", "enterpriseadmin/enterpriseadmintest", "inventory", "mimcm", "mimcm/kerberos",
	"mimcm/mimcmtest", "mobileiron/cloud", "mobileiron/cloud/cloudtest", "mobileiron/core", "mobileiron/core/coretest",
}

// pkgTypes loads the type information of every public package once.
func pkgTypes(t testing.TB, rel string) *types.Package {
	t.Helper()
	loadOnce.Do(func() {
		var pats []string
		for _, v := range publicPackages {
			pats = append(pats, mod+"/"+v)
		}
		// Export data from the go command (stdlib importer only, so that
		// the probes add no module requirement).
		extra := []string{"log", "fmt", "os", "errors", "context", "time", "net/http", "crypto/x509", "crypto/tls",
			"log/slog", "io", "strings", "encoding/pem", "testing", "os/signal", "encoding/json", "iter",
			"crypto/x509/pkix", "github.com/google/uuid", "crypto", "crypto/ecdsa", "crypto/elliptic", "crypto/rand", "net/http/httptest", "sync"}
		cmd := exec.Command("go", append([]string{"list", "-export", "-deps", "-f", "{{.ImportPath}}\t{{.Export}}"}, append(pats, extra...)...)...)
		cmd.Dir = repoRoot(t)
		out, err := cmd.Output()
		if err != nil {
			loadErr = fmt.Errorf("go list -export: %v", err)
			return
		}
		files := map[string]string{}
		sc := bufio.NewScanner(bytes.NewReader(out))
		for sc.Scan() {
			path, file, _ := strings.Cut(sc.Text(), "\t")
			files[path] = file
		}
		imp := importer.ForCompiler(token.NewFileSet(), "gc", func(path string) (io.ReadCloser, error) {
			f, ok := files[path]
			if !ok || f == "" {
				return nil, fmt.Errorf("no export data for %s", path)
			}
			return os.Open(f)
		})
		gcImporter = imp
		loaded = map[string]*types.Package{}
		for _, p := range pats {
			tp, err := imp.Import(p)
			if err != nil {
				loadErr = err
				return
			}
			loaded[strings.TrimPrefix(p, mod+"/")] = tp
		}
	})
	if loadErr != nil {
		t.Fatal(loadErr)
	}
	p := loaded[rel]
	if p == nil {
		t.Fatalf("package %s not loaded", rel)
	}
	return p
}

// lookup returns the object name of package rel, nil when absent.
func lookup(t testing.TB, rel, name string) types.Object {
	return pkgTypes(t, rel).Scope().Lookup(name)
}

// qualified prints a type relative to its own package (so that
// czertainly.ClientOrCallOption and mimcm.ClientOrCallOption print alike).
func typeString(t testing.TB, rel string, typ types.Type) string {
	p := pkgTypes(t, rel)
	return types.TypeString(typ, func(q *types.Package) string {
		if q == p {
			return ""
		}
		return q.Name()
	})
}

func goDoc(t testing.TB, args ...string) string {
	t.Helper()
	cmd := exec.Command("go", append([]string{"doc"}, args...)...)
	cmd.Dir = repoRoot(t)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go doc %v: %v\n%s", args, err, out)
	}
	return string(out)
}

func readFile(t testing.TB, rel string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot(t), rel))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// reflectPointer is the address of a map's header, to compare identities.
func reflectPointer(h map[string][]string) uintptr { return reflect.ValueOf(h).Pointer() }

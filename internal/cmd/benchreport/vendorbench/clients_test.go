package vendorbench_test

import (
	"context"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"testing"

	"github.com/certadmin/certadmin-go/internal/bench"
	"github.com/certadmin/certadmin-go/internal/cmd/benchreport/vendorbench"
)

// BenchmarkClientSmallGET is figure P1 per client: each vendor's small GET
// through the client (sdk) and with bare net/http plus encoding/json
// (net-http) and through the generated client on go-retryablehttp
// (oapi-codegen) against the same fake endpoint. Compare with benchstat, or
// run go run ./internal/cmd/benchreport -only P1 for the ratios.
func BenchmarkClientSmallGET(b *testing.B) {
	gets, err := vendorbench.ClientGETs()
	if err != nil {
		b.Fatal(err)
	}
	for _, g := range gets {
		defer g.Close()
		b.Run(g.Vendor+"/sdk", bench.Loop(g.SDK))
		b.Run(g.Vendor+"/net-http", bench.Loop(g.Bare))
		b.Run(g.Vendor+"/oapi-codegen", bench.Loop(g.Peer))
	}
}

// TestClientGETs checks that both sides of every P1 benchmark succeed and
// agree on the answer (each call checks what it read).
func TestClientGETs(t *testing.T) {
	gets, err := vendorbench.ClientGETs()
	if err != nil {
		t.Fatal(err)
	}
	checkEveryVendor(t, gets)
	for _, g := range gets {
		defer g.Close()
		for range 3 {
			if err := g.SDK(context.Background()); err != nil {
				t.Errorf("%s %s through the client: %v", g.Vendor, g.Call, err)
			}
			if err := g.Bare(context.Background()); err != nil {
				t.Errorf("%s %s with net/http: %v", g.Vendor, g.Call, err)
			}
			if err := g.Peer(context.Background()); err != nil {
				t.Errorf("%s %s with the generated client: %v", g.Vendor, g.Call, err)
			}
		}
	}
}

// noSmallGET are the vendor client packages without a P1 small GET yet,
// each with the reason; one that gains a GET must leave this list.
var noSmallGET = map[string]string{}

// checkEveryVendor fails unless every vendor client package of the module
// (found with go list: a package with a file running gensurface -kind
// client, as in crossvendor) has exactly one small GET, named by its path
// under the module or its last element, or is in noSmallGET.
func checkEveryVendor(t *testing.T, gets []*bench.ClientGET) {
	t.Helper()
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}} {{.Dir}} {{.GoFiles}}", "github.com/certadmin/certadmin-go/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	have := map[string]int{}
	for _, g := range gets {
		have[g.Vendor]++
	}
	vendors := 0
	for line := range strings.Lines(string(out)) {
		importPath, rest, _ := strings.Cut(strings.TrimSpace(line), " ")
		dir, files, _ := strings.Cut(rest, " ")
		if !clientPackage(t, dir, strings.Fields(strings.Trim(files, "[]"))) {
			continue
		}
		vendors++
		rel := strings.TrimPrefix(importPath, "github.com/certadmin/certadmin-go/")
		n := have[rel]
		delete(have, rel)
		if base := path.Base(rel); base != rel {
			n += have[base]
			delete(have, base)
		}
		switch _, exempt := noSmallGET[rel]; {
		case exempt && n > 0:
			t.Errorf("%s has a small GET: drop it from noSmallGET", rel)
		case !exempt && n != 1:
			t.Errorf("vendor %s has %d small GETs in ClientGETs, want 1 (add its <Vendor>GET to clientGETs)", rel, n)
		}
	}
	if vendors < 6 {
		t.Errorf("found %d vendor client packages, want at least 6: the search broke", vendors)
	}
	for v := range have {
		t.Errorf("small GET for %q names no vendor client package", v)
	}
}

// clientPackage reports whether one of the files runs gensurface -kind
// client.
func clientPackage(t *testing.T, dir string, files []string) bool {
	for _, f := range files {
		src, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		for line := range strings.Lines(string(src)) {
			if strings.HasPrefix(line, "//go:generate ") && strings.Contains(line, "internal/cmd/gensurface") && strings.Contains(line, "-kind client") {
				return true
			}
		}
	}
	return false
}

package crossvendor_test

import (
	"strings"
	"testing"
)

const module = "github.com/certadmin/certadmin-go/"

// TestInternalImportsNoVendor holds the layers of CONTRIBUTING: no package
// under internal/ other than internal/cmd imports a vendor's package (its
// client, fake, generated client, or anything else in its folder), in its
// code or its tests, audit probes included; nor does it import
// internal/cmd, which may. A vendor's registrations (proof rows,
// concurrency mix, oracle and audit tests) live in its own folder.
func TestInternalImportsNoVendor(t *testing.T) {
	vendors := vendorPackages(t)
	checked := 0
	for _, p := range modulePackages(t) {
		rel := strings.TrimPrefix(p.ImportPath, module)
		if !strings.HasPrefix(rel, "internal/") || strings.HasPrefix(rel, "internal/cmd/") {
			continue
		}
		checked++
		for _, imports := range [][]string{p.Imports, p.TestImports, p.XTestImports} {
			for _, imp := range imports {
				if v := vendorOf(vendors, imp); v != "" {
					t.Errorf("%s imports %s, a package of vendor %s: move what needs it into the vendor's folder", rel, imp, strings.TrimPrefix(v, module))
				}
				if strings.HasPrefix(imp, module+"internal/cmd/") {
					t.Errorf("%s imports %s: internal/cmd may name vendors, the rest of internal/ may not depend on it", rel, imp)
				}
			}
		}
	}
	if checked < 10 {
		t.Fatalf("checked %d packages under internal/, want the module's (at least 10)", checked)
	}
}

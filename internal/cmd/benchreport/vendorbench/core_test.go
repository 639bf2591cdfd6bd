package vendorbench_test

import (
	"flag"
	"testing"

	"github.com/certadmin/certadmin-go/internal/cmd/benchreport/vendorbench"
)

var coreExportSize = flag.Int64("coreexport.size", 4<<20, "bytes of CSV TestCoreExport streams (1073741824 for the 1 GiB figure)")

// TestCoreExport checks that CoreExport measures and reports its figures;
// it does not judge them (timing targets belong to the report).
func TestCoreExport(t *testing.T) {
	figs, err := vendorbench.CoreExport(*coreExportSize)
	if err != nil {
		t.Fatal(err)
	}
	if len(figs) != 5 {
		t.Fatalf("got %d figures, want 5", len(figs))
	}
	for _, f := range figs {
		if f.Value <= 0 {
			t.Errorf("%s: value %v, want a positive measurement", f.Name, f.Value)
		}
		t.Log(f)
	}
}

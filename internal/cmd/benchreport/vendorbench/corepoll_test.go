package vendorbench_test

import (
	"strings"
	"testing"
	"time"

	"github.com/certadmin/certadmin-go/internal/cmd/benchreport/vendorbench"
)

// TestCorePoll checks that CorePoll measures its figures: a delay is
// never negative (the download cannot come before the status that allowed
// it). The target itself is the report's to judge.
func TestCorePoll(t *testing.T) {
	figs, err := vendorbench.CorePoll(20*time.Millisecond, 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(figs) != 2 {
		t.Fatalf("got %d figures, want 2", len(figs))
	}
	for _, f := range figs {
		if f.Value < 0 || f.Unit != "ms" || f.Target != "<= 20" || !strings.HasPrefix(f.Name, "P4 ") {
			t.Errorf("figure %v", f)
		}
		t.Log(f)
	}
}

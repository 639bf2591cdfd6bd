package bench_test

import (
	"context"
	"errors"
	"testing"

	"github.com/certadmin/certadmin-go/internal/bench"
)

// CPURatio makes the calls it says, on both sides, and a failed call
// fails the figure instead of timing nothing.
func TestCPURatioCallsBothSidesAndReportsFailures(t *testing.T) {
	var na, nb int
	a := func(context.Context) error { na++; return nil }
	b := func(context.Context) error { nb++; return nil }
	ratio, ok, err := bench.CPURatio(3, 50, a, b)
	if err != nil {
		t.Fatal(err)
	}
	if !ok {
		t.Skip("no CPU time on this platform")
	}
	if na != 150 || nb != 150 {
		t.Errorf("calls: %d and %d, want 150 each", na, nb)
	}
	if ratio <= 0 {
		t.Errorf("ratio %v, want > 0", ratio)
	}
	broken := errors.New("broken")
	if _, _, err := bench.CPURatio(3, 50, a, func(context.Context) error { return broken }); !errors.Is(err, broken) {
		t.Errorf("a failing side: %v, want its error", err)
	}
}

package bench_test

import (
	"context"
	"errors"
	"math"
	"testing"

	"github.com/certadmin/certadmin-go/internal/bench"
)

var sink []*[64]byte

// Compare makes the calls it says on both sides, counts each side's
// allocations apart, and a failed call fails the comparison instead of
// timing nothing. (No assertion on time: the machine may be loaded.)
func TestCompareCallsBothSidesCountsAllocationsAndReportsFailures(t *testing.T) {
	var na, nb int
	a := func(context.Context) error {
		na++
		for range 3 {
			sink = append(sink[:0], new([64]byte))
		}
		return nil
	}
	b := func(context.Context) error { nb++; return nil }
	sink = make([]*[64]byte, 0, 1)
	c, err := bench.Compare(5, 40, a, b)
	if err != nil {
		t.Fatal(err)
	}
	if na != 200 || nb != 200 {
		t.Errorf("calls: %d and %d, want 200 each", na, nb)
	}
	if c.Blocks != 5 || c.Calls != 40 {
		t.Errorf("blocks, calls = %d, %d; want 5, 40", c.Blocks, c.Calls)
	}
	if math.Abs(c.AllocsA-3) > 0.5 || c.AllocsB > 0.5 {
		t.Errorf("allocs per call: %.2f and %.2f, want 3 and 0", c.AllocsA, c.AllocsB)
	}
	if c.Wall <= 0 || c.NsA <= 0 || c.NsB <= 0 {
		t.Errorf("wall ratio %v, ns %v / %v: want all > 0", c.Wall, c.NsA, c.NsB)
	}
	if c.CPUOK && c.CPU <= 0 {
		t.Errorf("CPU ratio %v, want > 0", c.CPU)
	}
	broken := errors.New("broken")
	if _, err := bench.Compare(3, 10, a, func(context.Context) error { return broken }); !errors.Is(err, broken) {
		t.Errorf("a failing side: %v, want its error", err)
	}
	if _, err := bench.Compare(3, 0, func(context.Context) error { return broken }, b); !errors.Is(err, broken) {
		t.Errorf("a side failing while calls are chosen: %v, want its error", err)
	}
}

package bench

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"time"
)

// Comparison is what Compare measured of two calls a and b.
type Comparison struct {
	// Wall is the median, over the blocks, of a's wall time per call
	// divided by b's in the same block.
	Wall float64
	// CPU is the same median for the process's CPU time (user and
	// system); CPUOK is false where the platform does not tell it.
	CPU   float64
	CPUOK bool
	// NsA and NsB are the mean wall time per call of each side, over all
	// blocks.
	NsA, NsB float64
	// AllocsA and AllocsB are heap allocations per call (the process's,
	// so an in-process fake's count on both sides).
	AllocsA, AllocsB float64
	// Blocks and Calls are how many blocks ran, and calls per side in each.
	Blocks, Calls int
}

// Compare measures a against b in blocks pairs of short runs: each block
// runs calls calls of one side and then of the other, the order swapping
// every block, and Wall and CPU are medians of the blocks' ratios.
//
// Why blocks and not two long benchmarks: on a shared 2-core machine the
// speed of the machine drifts over seconds (other processes, the
// scheduler, frequency), and two one-second runs side by side mostly
// measure that drift. The same ratio here swung 0.95-1.14 between runs of
// alternating one-second rounds. Blocks of a few tens of milliseconds see
// nearly the same machine on both sides, and the median drops the blocks a
// pause or a neighbour hit. calls is chosen by the caller; 0 picks it so a
// block of the slower side takes about 20 ms. A failing call fails the
// comparison instead of timing nothing.
func Compare(blocks, calls int, a, b func(ctx context.Context) error) (Comparison, error) {
	ctx := context.Background()
	if blocks < 1 {
		return Comparison{}, fmt.Errorf("bench.Compare: %d blocks", blocks)
	}
	if calls <= 0 {
		var err error
		if calls, err = callsPerBlock(ctx, a, b); err != nil {
			return Comparison{}, err
		}
	}
	type side struct {
		fn      func(context.Context) error
		wall    time.Duration
		cpu     time.Duration
		mallocs uint64
	}
	run := func(s *side) (wall, cpu time.Duration, err error) {
		runtime.GC() // neither side pays for the other's garbage
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		mallocs := ms.Mallocs
		cpuBefore, cpuOK := processCPU()
		began := time.Now()
		for range calls {
			if err := s.fn(ctx); err != nil {
				return 0, 0, err
			}
		}
		wall = time.Since(began)
		cpuAfter, _ := processCPU()
		runtime.ReadMemStats(&ms)
		s.mallocs += ms.Mallocs - mallocs
		s.wall += wall
		if cpuOK {
			cpu = max(cpuAfter-cpuBefore, 1)
			s.cpu += cpu
		}
		return wall, cpu, nil
	}
	sa, sb := &side{fn: a}, &side{fn: b}
	walls := make([]float64, 0, blocks)
	cpus := make([]float64, 0, blocks)
	for i := range blocks {
		first, second := sa, sb
		if i%2 == 1 {
			first, second = sb, sa
		}
		w1, c1, err1 := run(first)
		w2, c2, err2 := run(second)
		if err := errors.Join(err1, err2); err != nil {
			return Comparison{}, err
		}
		wa, wb, ca, cb := w1, w2, c1, c2
		if first == sb {
			wa, wb, ca, cb = w2, w1, c2, c1
		}
		walls = append(walls, float64(wa)/float64(wb))
		if ca > 0 && cb > 0 {
			cpus = append(cpus, float64(ca)/float64(cb))
		}
	}
	n := float64(blocks * calls)
	c := Comparison{
		Wall:    median(walls),
		NsA:     float64(sa.wall.Nanoseconds()) / n,
		NsB:     float64(sb.wall.Nanoseconds()) / n,
		AllocsA: float64(sa.mallocs) / n,
		AllocsB: float64(sb.mallocs) / n,
		Blocks:  blocks,
		Calls:   calls,
	}
	if len(cpus) == blocks {
		c.CPU, c.CPUOK = median(cpus), true
	}
	return c, nil
}

// callsPerBlock is the number of calls after which the slower of a and b
// has run about 20 ms, at least 20.
func callsPerBlock(ctx context.Context, a, b func(context.Context) error) (int, error) {
	const probe = 50
	slowest := time.Duration(0)
	for _, fn := range []func(context.Context) error{a, b} {
		began := time.Now()
		for range probe {
			if err := fn(ctx); err != nil {
				return 0, err
			}
		}
		slowest = max(slowest, time.Since(began)/probe)
	}
	return max(20, int(20*time.Millisecond/max(slowest, 1))), nil
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	slices.Sort(xs)
	return xs[len(xs)/2]
}

// Package bench holds the bodies of the performance measurements, shared by
// the packages' Benchmark functions and the report command
// (go run ./internal/cmd/benchreport), which prints each figure beside its
// target.
package bench

import "fmt"

// Figure is one measured value and its target.
type Figure struct {
	Name   string // e.g. "P1 core small GET wall ratio (SDK / net/http)"
	Value  float64
	Unit   string // "x", "MiB", "allocs/op", "ms"
	Target string // e.g. "<= 1.05"
	Met    bool
}

func (f Figure) String() string {
	mark := "met"
	if !f.Met {
		mark = "MISSED"
	}
	return fmt.Sprintf("%-60s %10.3f %-9s target %-8s %s", f.Name, f.Value, f.Unit, f.Target, mark)
}

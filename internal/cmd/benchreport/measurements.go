package main

import (
	"time"

	"github.com/certadmin/certadmin-go/internal/bench"
	"github.com/certadmin/certadmin-go/internal/cmd/benchreport/vendorbench"
	"github.com/certadmin/certadmin-go/internal/transport"
)

// measurements lists what the report runs, in order.
func measurements() []measurement {
	return []measurement{
		{"P1 transport", bench.TransportSmallGET},
		{"P1 clients", vendorbench.ClientsSmallGET},
		{"P2 core export", tagged("P2", func() ([]bench.Figure, error) { return vendorbench.CoreExport(1 << 30) })},
		{"P3 cloud paging", tagged("P3", func() ([]bench.Figure, error) {
			return vendorbench.CloudPaging(100_000, 5*time.Millisecond, 5*time.Millisecond)
		})},
		{"P4 core export poll", func() ([]bench.Figure, error) { return vendorbench.CorePoll(100*time.Millisecond, 10) }},
		{"L1 load", func() ([]bench.Figure, error) { return bench.Load(200, 20_000) }},
		{"INV inventory walk", tagged("INV", func() ([]bench.Figure, error) {
			return bench.InventoryWalk(4, 10, 100, 20*time.Millisecond)
		})},
		{"INV inventory heap", tagged("INV", func() ([]bench.Figure, error) { return bench.InventoryHeap(100_000, 4, 1000) })},
		{"INV inventory of the fakes", tagged("INV", func() ([]bench.Figure, error) { return vendorbench.InventoryFakes(100_000) })},
		{"M1 capped answers", func() ([]bench.Figure, error) {
			return bench.CappedAnswers(transport.DefaultMaxJSONBody, transport.DefaultMaxJSONBody+16<<20)
		}},
	}
}

// tagged puts the figure's tag (P2, …) in front of the names run reports.
func tagged(tag string, run func() ([]bench.Figure, error)) func() ([]bench.Figure, error) {
	return func() ([]bench.Figure, error) {
		figs, err := run()
		for i := range figs {
			figs[i].Name = tag + " " + figs[i].Name
		}
		return figs, err
	}
}

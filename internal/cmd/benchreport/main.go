// Command benchreport runs the SDK's performance measurements in one process
// against loopback fake servers and prints each figure beside its target:
//
//	go run ./internal/cmd/benchreport            # everything
//	go run ./internal/cmd/benchreport -only P1   # figures whose name contains P1
//
// It exits 1 when a target is missed.
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/certadmin/certadmin-go/internal/bench"
	"github.com/certadmin/certadmin-go/internal/cmd/benchreport/vendorbench"
)

type measurement struct {
	name string
	run  func() ([]bench.Figure, error)
}

func main() {
	if vendorbench.ServeInventoryFakes() { // a child serving fakes for a measurement
		return
	}
	only := flag.String("only", "", "run only measurements whose name contains this text")
	flag.Parse()
	missed := 0
	for _, m := range measurements() {
		if *only != "" && !strings.Contains(m.name, *only) {
			continue
		}
		fmt.Fprintf(os.Stderr, "measuring %s…\n", m.name)
		figs, err := m.run()
		if err != nil {
			fmt.Printf("%-60s ERROR %v\n", m.name, err)
			missed++
			continue
		}
		for _, f := range figs {
			fmt.Println(f)
			if !f.Met {
				missed++
			}
		}
	}
	if missed > 0 {
		os.Exit(1)
	}
}

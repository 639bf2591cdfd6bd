package main

import "github.com/certadmin/certadmin-go/internal/bench"

// measurements lists what the report runs, in order.
func measurements() []measurement {
	return []measurement{
		{"P1 transport", bench.TransportSmallGET},
	}
}

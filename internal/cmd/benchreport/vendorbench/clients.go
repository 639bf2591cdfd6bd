// Package vendorbench holds each vendor's benchmarks for benchreport: the
// P1 small GET per client, the Core export and poll figures and the Cloud
// paging figure. It is under internal/cmd because it names vendors;
// internal/bench holds the vendor-neutral measuring code.
package vendorbench

import (
	"github.com/certadmin/certadmin-go/internal/bench"
)

// clientGETs start each vendor's P1 small GET, one line per vendor (its
// <Vendor>GET in <vendor>.go); TestClientGETs fails for a vendor client
// package without one.
var clientGETs = []func() (*bench.ClientGET, error){
	CoreGET,
	CloudGET,
	MIMCMGET,
	AdminV1GET,
	Czertainly2GET,
	EnterpriseGET,
}

// ClientGETs starts every vendor's fake and returns its small GET. Close
// each when done.
func ClientGETs() ([]*bench.ClientGET, error) {
	var out []*bench.ClientGET
	for _, start := range clientGETs {
		g, err := start()
		if err != nil {
			for _, g := range out {
				g.Close()
			}
			return nil, err
		}
		out = append(out, g)
	}
	return out, nil
}

// ClientsSmallGET is figure P1 for every vendor client (bench.ClientsSmallGET).
func ClientsSmallGET() ([]bench.Figure, error) {
	gets, err := ClientGETs()
	if err != nil {
		return nil, err
	}
	return bench.ClientsSmallGET(gets)
}

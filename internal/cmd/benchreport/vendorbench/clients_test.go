package vendorbench_test

import (
	"context"
	"testing"

	"github.com/certadmin/certadmin-go/internal/bench"
	"github.com/certadmin/certadmin-go/internal/cmd/benchreport/vendorbench"
)

// BenchmarkClientSmallGET is figure P1 per client: each vendor's small GET
// through the client (sdk) and with bare net/http plus encoding/json
// (net-http) and through the generated client on go-retryablehttp
// (oapi-codegen) against the same fake endpoint. Compare with benchstat, or
// run go run ./internal/cmd/benchreport -only P1 for the ratios.
func BenchmarkClientSmallGET(b *testing.B) {
	gets, err := vendorbench.ClientGETs()
	if err != nil {
		b.Fatal(err)
	}
	for _, g := range gets {
		defer g.Close()
		b.Run(g.Vendor+"/sdk", bench.Loop(g.SDK))
		b.Run(g.Vendor+"/net-http", bench.Loop(g.Bare))
		b.Run(g.Vendor+"/oapi-codegen", bench.Loop(g.Peer))
	}
}

// TestClientGETs checks that both sides of every P1 benchmark succeed and
// agree on the answer (each call checks what it read).
func TestClientGETs(t *testing.T) {
	gets, err := vendorbench.ClientGETs()
	if err != nil {
		t.Fatal(err)
	}
	if len(gets) != 6 {
		t.Fatalf("got %d vendors, want 6", len(gets))
	}
	for _, g := range gets {
		defer g.Close()
		for range 3 {
			if err := g.SDK(context.Background()); err != nil {
				t.Errorf("%s %s through the client: %v", g.Vendor, g.Call, err)
			}
			if err := g.Bare(context.Background()); err != nil {
				t.Errorf("%s %s with net/http: %v", g.Vendor, g.Call, err)
			}
			if err := g.Peer(context.Background()); err != nil {
				t.Errorf("%s %s with the generated client: %v", g.Vendor, g.Call, err)
			}
		}
	}
}

package cloud_test

import (
	"context"
	"flag"
	"fmt"
	"testing"
	"time"

	"github.com/certadmin/certadmin-go/internal/bench"
	"github.com/certadmin/certadmin-go/mobileiron/cloud"
	"github.com/certadmin/certadmin-go/mobileiron/cloud/cloudtest"
)

// -cloud.accounts sets the size of BenchmarkCloudPagingFigures; the
// report's figures use 100 000 (go test -bench CloudPagingFigures -cloud.accounts 100000).
var benchAccounts = flag.Int("cloud.accounts", 5000, "accounts in the fake for BenchmarkCloudPagingFigures")

// BenchmarkCloudPagingFigures runs the paging measurement once and reports
// its figures as metrics.
func BenchmarkCloudPagingFigures(b *testing.B) {
	for b.Loop() {
		figs, err := bench.CloudPaging(*benchAccounts, 5*time.Millisecond, 5*time.Millisecond)
		if err != nil {
			b.Fatal(err)
		}
		for _, f := range figs {
			fmt.Println(f) // b.Log truncates after ten lines
		}
	}
}

// BenchmarkAccounts lists 5 000 accounts (10 pages) with 1 ms of latency per
// page in each paging mode.
func BenchmarkAccounts(b *testing.B) {
	srv, err := cloudtest.NewServer(cloudtest.WithGeneratedAccounts(4998), cloudtest.WithPageLatency(time.Millisecond), cloudtest.WithoutValidation())
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	c, err := cloud.NewClient(srv.URL, cloud.WithBasicAuth(cloudtest.Username, cloudtest.Password))
	if err != nil {
		b.Fatal(err)
	}
	for _, mode := range []struct {
		name string
		opts cloud.ListOptions
	}{
		{"sequential", cloud.ListOptions{}},
		{"prefetch", cloud.ListOptions{Prefetch: true}},
		{"parallel4", cloud.ListOptions{Parallel: 4}},
	} {
		b.Run(mode.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				n := 0
				for _, err := range c.Accounts(context.Background(), mode.opts) {
					if err != nil {
						b.Fatal(err)
					}
					n++
				}
				if n != 5000 {
					b.Fatalf("got %d accounts", n)
				}
			}
		})
	}
}

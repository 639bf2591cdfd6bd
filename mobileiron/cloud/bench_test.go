package cloud_test

import (
	"context"
	"testing"
	"time"

	"github.com/certadmin/certadmin-go/mobileiron/cloud"
	"github.com/certadmin/certadmin-go/mobileiron/cloud/cloudtest"
)

// BenchmarkAccounts lists about 5 000 accounts (11 pages: 4 998 generated
// beside the seeded ones) with 1 ms of latency per page in each paging mode.
func BenchmarkAccounts(b *testing.B) {
	srv := cloudtest.NewTestServer(b, cloudtest.WithGeneratedAccounts(4998), cloudtest.WithPageLatency(time.Millisecond), cloudtest.WithoutValidation())
	c, err := srv.NewClient()
	if err != nil {
		b.Fatal(err)
	}
	want := srv.AccountCount()
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
				for _, err := range c.ListAccounts(context.Background(), mode.opts) {
					if err != nil {
						b.Fatal(err)
					}
					n++
				}
				if n != want {
					b.Fatalf("got %d accounts, want %d", n, want)
				}
			}
		})
	}
}

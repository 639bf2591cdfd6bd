package core_test

import (
	"context"
	"io"
	"testing"

	"github.com/certadmin/certadmin-go/mobileiron/core"
)

// BenchmarkExportCSV streams a generated 16 MiB export through the whole
// workflow (initiate, poll, download). For the 1 GiB comparison with bare
// net/http, see internal/cmd/benchreport/vendorbench.CoreExport.
func BenchmarkExportCSV(b *testing.B) {
	const size = 16 << 20
	srv, c := newFake(b, core.WithMaxAttempts(1))
	srv.SetExportSize(size)
	srv.SetExportPolls(0)
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		sum, err := c.ExportCertificates(context.Background(), activeLocal, io.Discard, fastPoll)
		if err != nil {
			b.Fatal(err)
		}
		if sum.Bytes != size {
			b.Fatalf("got %d bytes, want %d", sum.Bytes, size)
		}
	}
}

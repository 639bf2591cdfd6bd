package bench_test

import (
	"errors"
	"testing"

	"github.com/certadmin/certadmin-go/internal/apierror"
	"github.com/certadmin/certadmin-go/internal/bench"
)

// An answer larger than the JSON cap costs at most the cap plus a constant
// of heap, whether it declares its length, comes chunked or comes gzipped,
// through the buffered JSON path and through the streamed Decode path the
// page decoders use. The measure is bytes allocated during the call
// (runtime.MemStats.TotalAlloc), which bounds the heap's growth whatever
// the collector did; a doubling buffer costs twice the cap and fails.
func TestCappedAnswerHeapIsTheCapPlusAConstant(t *testing.T) {
	const limit, size = 4 << 20, 6 << 20
	for _, enc := range bench.Encodings {
		srv, err := bench.NewCappedAnswer(enc, size)
		if err != nil {
			t.Fatal(err)
		}
		for _, path := range bench.Paths {
			use, err := bench.MeasureCapped(path, srv.URL, limit)
			if err != nil {
				t.Fatal(err)
			}
			if !errors.Is(use.Err, apierror.ErrResponseTooLarge) {
				t.Errorf("%s %s: %v, want ErrResponseTooLarge", path, enc, use.Err)
			}
			if use.TotalAlloc > limit+bench.CappedHeapSlack {
				t.Errorf("%s %s: %d bytes allocated for a %d-byte cap, want at most the cap plus %d",
					path, enc, use.TotalAlloc, limit, bench.CappedHeapSlack)
			}
			t.Logf("%s %s: %d bytes allocated, heap grew %d", path, enc, use.TotalAlloc, use.HeapGrowth)
		}
		srv.Close()
	}
}

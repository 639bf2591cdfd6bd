package cloud_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/certadmin/certadmin-go/internal/apierror"
	"github.com/certadmin/certadmin-go/internal/bench"
	"github.com/certadmin/certadmin-go/internal/pager"
	"github.com/certadmin/certadmin-go/mobileiron/cloud"
)

// Invariant 4, memory: a page decode costs a bounded heap whatever the
// answer holds and however it comes (declared length, chunked, gzip). The
// capped answers of the buffered path are measured by internal/bench
// (TestCappedAnswerHeapIsTheCapPlusAConstant, figure M1); here the page
// decoder of the one vendor that streams its pages (MobileIron Cloud) is
// measured through its public call, at the SDK's default cap. Measured as
// bytes allocated during the call (runtime.MemStats.TotalAlloc), which
// bounds the heap's growth whatever the collector did.

// pageHeapBound is what one page decode may allocate here: 500 accounts
// are a few hundred KiB, the decoder's buffer a few times the 1 MiB value
// bound, the connection's buffers and the gzip window a few tens of KiB.
const pageHeapBound = 6 << 20

func TestInvariantPageDecodeHeapIsBounded(t *testing.T) {
	// 4 MiB of accounts a few bytes each: about 400,000 of them, each a
	// full Account once decoded, for a page of 500.
	var tiny strings.Builder
	tiny.WriteString(`{"errors":null,"result":{"totalCount":400000,"offset":0,"searchResults":[`)
	for i := 0; tiny.Len() < 4<<20; i++ {
		if i > 0 {
			tiny.WriteByte(',')
		}
		fmt.Fprintf(&tiny, `{"id":%d}`, i+1)
	}
	tiny.WriteString("]}}")
	// One account holding a 16 MiB name: within the 64 MiB cap, past the
	// decoder's bound on one value.
	huge := `{"errors":null,"result":{"totalCount":1,"offset":0,"searchResults":[{"id":1,"displayName":"` +
		strings.Repeat("n", 16<<20) + `"}]}}`
	for _, tc := range []struct {
		name string
		body string
		want error
	}{
		{"400,000 tiny accounts for 500 rows", tiny.String(), pager.ErrPagingMismatch},
		{"one account of 16 MiB", huge, apierror.ErrResponseTooLarge},
	} {
		for _, enc := range bench.Encodings {
			srv, err := bench.NewRawAnswer(enc, []byte(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			base := strings.TrimSuffix(srv.URL, "/capped")
			c, err := cloud.NewClient(base, cloud.WithBasicAuth("proof", "proof-password"), cloud.WithMaxAttempts(1))
			if err != nil {
				t.Fatal(err)
			}
			use := bench.MeasureCall(func() error {
				_, err := c.ListAccountsPage(context.Background(), cloud.ListOptions{PageSize: 500})
				return err
			})
			srv.Close()
			if !errors.Is(use.Err, tc.want) {
				t.Errorf("%s, %s: %v, want %v", tc.name, enc, use.Err, tc.want)
			}
			if use.TotalAlloc > pageHeapBound {
				t.Errorf("%s, %s: %d bytes allocated, want at most %d", tc.name, enc, use.TotalAlloc, pageHeapBound)
			}
			t.Logf("%s, %s: %d bytes allocated, heap grew %d", tc.name, enc, use.TotalAlloc, use.HeapGrowth)
		}
	}
}

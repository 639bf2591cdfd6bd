package pager_test

import (
	"context"
	"fmt"
	"runtime"
	"testing"

	"github.com/certadmin/certadmin-go/internal/pager"
)

// The keyed listing holds the keys of the previous page only: its memory
// stays within what a page costs, whatever the length of the list. Counted
// in bytes of live heap at the last item of a list of 200,000 items with
// keys of 64 bytes, against 4 MiB (pager.Unique, which kept every key, grew by 26 MiB).
func TestKeyedMemoryDoesNotGrowWithTheList(t *testing.T) {
	const total, rows = 200_000, 1000
	type item struct{ Key string }
	fetch := func(_ context.Context, start, n int) (pager.Page[item], error) {
		items := make([]item, 0, n)
		for i := start; i < min(start+n, total); i++ {
			items = append(items, item{Key: fmt.Sprintf("%064d", i)})
		}
		return pager.Page[item]{Items: items, Total: total}, nil
	}
	var before, at runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	n := 0
	for _, err := range pager.Keyed(context.Background(), pager.Options{PageSize: rows}, func(it item) string { return it.Key }, fetch) {
		if err != nil {
			t.Fatal(err)
		}
		n++
		if n == total {
			runtime.GC()
			runtime.ReadMemStats(&at)
		}
	}
	if n != total {
		t.Fatalf("%d items, want %d", n, total)
	}
	grown := int64(at.HeapAlloc) - int64(before.HeapAlloc)
	t.Logf("live heap grew by %d bytes over %d items", grown, total)
	if grown > 4<<20 {
		t.Errorf("live heap grew by %d bytes: the listing keeps what it has yielded", grown)
	}
}

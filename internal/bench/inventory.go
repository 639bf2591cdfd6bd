package bench

import (
	"context"
	"fmt"
	"iter"
	"runtime"
	"strconv"
	"time"

	"github.com/certadmin/certadmin-go/inventory"
)

// pagedLister is a synthetic system for inventory.Walk: pages certificates
// in all, pageSize at a time, each page decoded (allocated) only after
// latency, as a vendor's list waits for its answer, and dropped once
// consumed, as the vendor iterators do.
type pagedLister struct {
	name            string
	total, pageSize int
	latency         time.Duration
}

func (l pagedLister) CertificateInventory(ctx context.Context) iter.Seq2[inventory.Certificate, error] {
	return func(yield func(inventory.Certificate, error) bool) {
		for start := 0; start < l.total; start += l.pageSize {
			if l.latency > 0 {
				t := time.NewTimer(l.latency)
				select {
				case <-t.C:
				case <-ctx.Done():
					t.Stop()
					yield(inventory.Certificate{}, ctx.Err())
					return
				}
			}
			page := syntheticPage(l.name, start, min(l.pageSize, l.total-start))
			for _, c := range page {
				if !yield(c, nil) {
					return
				}
			}
		}
	}
}

// syntheticPage is n certificates with the text a real record has (a
// subject, an issuer, a serial, an ID, two SANs, an owner).
func syntheticPage(system string, start, n int) []inventory.Certificate {
	page := make([]inventory.Certificate, n)
	now := time.Now()
	for i := range page {
		id := strconv.Itoa(start + i)
		page[i] = inventory.Certificate{
			Vendor: system, ID: "7f3c2a10-5b6e-4d8f-9a01-" + fmt.Sprintf("%012d", start+i),
			Subject: "CN=host-" + id + ".example.com,OU=Servers,O=Example Corp,C=US",
			SANs:    []string{"DNSName: host-" + id + ".example.com", "DNSName: alt-" + id + ".example.com"},
			Serial:  fmt.Sprintf("%040x", start+i+1), Issuer: "CN=Example Issuing CA 2,O=Example Corp,C=US",
			NotBefore: now, NotAfter: now.Add(time.Duration(start+i) * time.Hour), Status: "issued/valid",
			Owner: inventory.Owner{Kind: inventory.OwnerUser, ID: "user-" + id, Name: "User " + id},
		}
	}
	return page
}

func walkSystems(n, total, pageSize int, latency time.Duration) []inventory.System {
	s := make([]inventory.System, n)
	for i := range s {
		name := "system-" + strconv.Itoa(i+1)
		s[i] = inventory.System{Name: name, Lister: pagedLister{name: name, total: total, pageSize: pageSize, latency: latency}}
	}
	return s
}

// walkAll ranges over Walk with an instant consumer, calling each on
// every certificate, and checks the count.
func walkAll(systems []inventory.System, want int, each func(i int), opts ...inventory.Option) (time.Duration, error) {
	began := time.Now()
	n := 0
	for _, err := range inventory.Walk(context.Background(), systems, opts...) {
		if err != nil {
			return 0, err
		}
		if each != nil {
			each(n)
		}
		n++
	}
	if n != want {
		return 0, fmt.Errorf("walk saw %d of %d certificates", n, want)
	}
	return time.Since(began), nil
}

// InventoryWalk times inventory.Walk over systems synthetic systems, each
// answering pages pages of pageSize certificates after pageLatency each:
// the concurrent walk (one goroutine per system) against the sequential
// one (WithConcurrency(1)), and against the slowest system read alone,
// which is what a concurrent walk should come close to.
func InventoryWalk(systems, pages, pageSize int, pageLatency time.Duration) ([]Figure, error) {
	sys := walkSystems(systems, pages*pageSize, pageSize, pageLatency)
	want := systems * pages * pageSize
	if _, err := walkAll(sys, want, nil); err != nil { // warm-up
		return nil, err
	}
	seq, err := walkAll(sys, want, nil, inventory.WithConcurrency(1))
	if err != nil {
		return nil, err
	}
	conc, err := walkAll(sys, want, nil)
	if err != nil {
		return nil, err
	}
	alone, err := walkAll(sys[:1], pages*pageSize, nil)
	if err != nil {
		return nil, err
	}
	// Throughput with no latency and an instant consumer: the same
	// systems ranged over directly, one after the other, against Walk
	// (the synthetic records are built in both).
	fast := walkSystems(systems, pages*pageSize*25, pageSize, 0)
	began := time.Now()
	for _, s := range fast {
		for _, err := range s.Lister.CertificateInventory(context.Background()) {
			if err != nil {
				return nil, err
			}
		}
	}
	direct := time.Since(began)
	walked, err := walkAll(fast, want*25, nil)
	if err != nil {
		return nil, err
	}
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	speedup := float64(seq) / float64(conc)
	overSlowest := float64(conc) / float64(alone)
	label := fmt.Sprintf("%d systems × %d pages × %s", systems, pages, pageLatency)
	return []Figure{
		{Name: "inventory walk sequential (" + label + ")", Value: ms(seq), Unit: "ms", Target: "-", Met: true},
		{Name: "inventory walk concurrent", Value: ms(conc), Unit: "ms", Target: "-", Met: true},
		{Name: "inventory walk slowest system alone", Value: ms(alone), Unit: "ms", Target: "-", Met: true},
		{Name: "inventory walk speed-up concurrent vs sequential", Value: speedup, Unit: "x", Target: ">= 3", Met: speedup >= 3},
		{Name: "inventory walk concurrent / slowest system alone", Value: overSlowest, Unit: "x", Target: "<= 1.3", Met: overSlowest <= 1.3},
		{Name: fmt.Sprintf("inventory walk, %d certificates, no latency: ranged directly", want*25), Value: ms(direct), Unit: "ms", Target: "-", Met: true},
		{Name: "inventory walk, same, through Walk (concurrent)", Value: ms(walked), Unit: "ms", Target: "-", Met: true},
	}, nil
}

// InventoryHeap lists total certificates spread over systems synthetic
// systems (pages of pageSize, no latency: the systems outrun the
// consumer) and samples the live heap, with a forced collection, every
// pageSize/2 certificates consumed. A page is the measured live size of
// one decoded page; the figure in pages says how many are in flight
// across all systems (each system's current page, the hand-off buffer,
// the consumer's certificate), which must not grow with the inventory.
func InventoryHeap(total, systems, pageSize int) ([]Figure, error) {
	per := total / systems
	sys := walkSystems(systems, per, pageSize, 0)
	want := per * systems

	before := liveHeap()
	page := syntheticPage("x", 0, pageSize)
	pageBytes := float64(liveHeap()) - float64(before)
	runtime.KeepAlive(page)
	if pageBytes <= 0 {
		return nil, fmt.Errorf("page size measured as %v bytes", pageBytes)
	}

	base := liveHeap()
	var top float64
	if _, err := walkAll(sys, want, func(i int) {
		if i%(pageSize/2) == pageSize/4 {
			if h := float64(liveHeap()) - float64(base); h > top {
				top = h
			}
		}
	}); err != nil {
		return nil, err
	}
	inFlight := top / pageBytes
	perSystem := inFlight / float64(systems)
	mib := func(b float64) float64 { return b / (1 << 20) }
	label := fmt.Sprintf("%d certificates, %d systems, pages of %d", want, systems, pageSize)
	return []Figure{
		{Name: "inventory heap: one page (" + label + ")", Value: mib(pageBytes), Unit: "MiB", Target: "-", Met: true},
		{Name: "inventory heap: whole inventory if held", Value: mib(pageBytes * float64(want) / float64(pageSize)), Unit: "MiB", Target: "-", Met: true},
		{Name: "inventory heap: peak live heap during the walk", Value: mib(top), Unit: "MiB", Target: "-", Met: true},
		{Name: "inventory heap: pages in flight, all systems", Value: inFlight, Unit: "pages", Target: "-", Met: true},
		{Name: "inventory heap: pages in flight per system", Value: perSystem, Unit: "pages", Target: "<= 2", Met: perSystem <= 2},
	}, nil
}

// liveHeap is the heap still reachable after a full collection; twice,
// so objects allocated while a cycle runs do not count as live.
func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

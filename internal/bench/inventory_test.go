package bench

import (
	"testing"
	"time"
)

// The measurements run end to end on a small inventory: every
// certificate is seen (walkAll checks the count), every figure is there.
func TestInventoryMeasurementsRun(t *testing.T) {
	figs, err := InventoryWalk(3, 2, 10, time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	if len(figs) != 7 {
		t.Errorf("%d walk figures, want 7", len(figs))
	}
	figs, err = InventoryHeap(4000, 4, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(figs) != 5 {
		t.Errorf("%d heap figures, want 5", len(figs))
	}
}

// A synthetic system yields exactly its certificates, page by page, and
// stops when asked.
func TestPagedLister(t *testing.T) {
	l := pagedLister{name: "s", total: 25, pageSize: 10}
	n := 0
	for c, err := range l.CertificateInventory(t.Context()) {
		if err != nil || c.Vendor != "s" || c.Subject == "" {
			t.Fatalf("certificate %d: %+v, %v", n, c, err)
		}
		n++
	}
	if n != 25 {
		t.Errorf("%d certificates, want 25", n)
	}
	n = 0
	for _, err := range l.CertificateInventory(t.Context()) {
		if err != nil {
			t.Fatal(err)
		}
		if n++; n == 3 {
			break
		}
	}
	if n != 3 {
		t.Errorf("stopped after %d", n)
	}
}

package vendorbench

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/certadmin/certadmin-go/czertainly"
	"github.com/certadmin/certadmin-go/czertainly/czertainlytest"
	"github.com/certadmin/certadmin-go/enterpriseadmin"
	"github.com/certadmin/certadmin-go/enterpriseadmin/enterpriseadmintest"
	"github.com/certadmin/certadmin-go/internal/bench"
	"github.com/certadmin/certadmin-go/inventory"
	"github.com/certadmin/certadmin-go/mimcm"
	"github.com/certadmin/certadmin-go/mimcm/mimcmtest"
	"github.com/certadmin/certadmin-go/mobileiron/core"
	"github.com/certadmin/certadmin-go/mobileiron/core/coretest"
)

// inventoryFakesEnv, set to a number of certificates, makes the report's
// process a server of the four fakes holding them (ServeInventoryFakes):
// the measuring process then holds only the clients, so the heap it
// samples is theirs and the walk's, not the fakes' (their OpenAPI
// validation and answer buffers would dwarf a page).
const inventoryFakesEnv = "CERTADMIN_BENCH_INVENTORY_FAKES"

// ServeInventoryFakes reports whether this process was started to serve
// the inventory fakes; if so it has served them until its stdin closed.
func ServeInventoryFakes() bool {
	v := os.Getenv(inventoryFakesEnv)
	if v == "" {
		return false
	}
	total, err := strconv.Atoi(v)
	if err != nil {
		fmt.Fprintln(os.Stderr, inventoryFakesEnv, err)
		os.Exit(1)
	}
	urls, closeAll, err := startInventoryFakes(total)
	if err != nil {
		fmt.Fprintln(os.Stderr, "inventory fakes:", err)
		os.Exit(1)
	}
	defer closeAll()
	fmt.Println(strings.Join(urls, " "))
	_, _ = io.Copy(io.Discard, os.Stdin) // until the measuring process goes
	return true
}

// startInventoryFakes spreads total certificates evenly over the four
// certificate-holding fakes: Core in enrollments of 1000 (it answers one
// enrollment per search), MIM CM in profiles of 10, CZERTAINLY in its
// pages of 1000, ArcGIS in one trust store. It returns their URLs in the
// order core, mimcm, czertainly, enterpriseadmin.
func startInventoryFakes(total int) ([]string, func(), error) {
	share := total / 4
	year := 365 * 24 * time.Hour
	var closers []func()
	closeAll := func() {
		for _, c := range closers {
			c()
		}
	}
	cs, err := coretest.NewServer()
	if err != nil {
		return nil, nil, err
	}
	closers = append(closers, cs.Close)
	for i := 0; i*1000 < share; i++ {
		if err := cs.AddGeneratedCertificates(fmt.Sprintf("FleetCE%d", i+1), min(1000, share-i*1000), year); err != nil {
			closeAll()
			return nil, nil, err
		}
	}
	ms, err := mimcmtest.NewServer()
	if err != nil {
		closeAll()
		return nil, nil, err
	}
	closers = append(closers, ms.Close)
	ms.AddGeneratedProfiles(share/10, 10, year)
	zs, err := czertainlytest.NewServer()
	if err != nil {
		closeAll()
		return nil, nil, err
	}
	closers = append(closers, zs.Close)
	if err := zs.AddGeneratedCertificates(share, year); err != nil {
		closeAll()
		return nil, nil, err
	}
	es, err := enterpriseadmintest.NewServer()
	if err != nil {
		closeAll()
		return nil, nil, err
	}
	closers = append(closers, es.Close)
	if err := es.AddGeneratedCertificates(enterpriseadmin.CertificateTypeTrust, share, year); err != nil {
		closeAll()
		return nil, nil, err
	}
	return []string{cs.URL, ms.URL, zs.URL, es.URL}, closeAll, nil
}

// InventoryFakes lists total certificates spread over the four
// certificate-holding fakes (startInventoryFakes), served by a child
// process, through the vendor clients and inventory.Walk with an instant
// consumer, and samples the live heap (forced collection) every 2500
// certificates: all four at once, then each alone. The reference is the
// same inventory held: every inventory.Certificate with its vendor
// record, collected into a slice. Core and CZERTAINLY page (an
// enrollment, a page of 1000), so their peak must stay a small part of
// what they hold; ArcGIS answers a whole store at once and MIM CM's walk
// holds the user's certificate list (inventory/FIELDS.md), so theirs is
// that answer, whatever the walk does.
func InventoryFakes(total int) ([]bench.Figure, error) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel() // the child goes with the measurement, whatever happens
	cmd := exec.CommandContext(ctx, os.Args[0])
	cmd.Env = append(os.Environ(), inventoryFakesEnv+"="+strconv.Itoa(total))
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	defer func() {
		stdin.Close()
		_ = cmd.Wait()
	}()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		return nil, fmt.Errorf("inventory fakes: %w", err)
	}
	urls := strings.Fields(line)
	if len(urls) != 4 {
		return nil, fmt.Errorf("inventory fakes answered %q", line)
	}
	c, err := core.NewClient(urls[0], core.WithBasicAuth(coretest.Username, coretest.Password))
	if err != nil {
		return nil, err
	}
	defer c.Close()
	m, err := mimcm.NewClient(urls[1], mimcm.WithBasicAuth(mimcmtest.Username, mimcmtest.Password))
	if err != nil {
		return nil, err
	}
	defer m.Close()
	z, err := czertainly.NewClient(urls[2], czertainly.WithBearerToken(czertainlytest.BearerToken))
	if err != nil {
		return nil, err
	}
	defer z.Close()
	e, err := enterpriseadmin.NewClient(urls[3], enterpriseadmin.WithCredentials(enterpriseadmintest.Username, enterpriseadmintest.Password))
	if err != nil {
		return nil, err
	}
	defer e.Close()
	systems := []inventory.System{{Name: "core", Lister: c}, {Name: "mimcm", Lister: m}, {Name: "czertainly", Lister: z}, {Name: "arcgis", Lister: e}}

	walk := func(sys []inventory.System, each func(i int, c inventory.Certificate)) (int, time.Duration, error) {
		began := time.Now()
		n := 0
		for c, err := range inventory.Walk(ctx, sys) {
			if err != nil {
				return 0, 0, err
			}
			each(n, c)
			n++
		}
		return n, time.Since(began), nil
	}
	// peak is the highest live heap above the start, sampled every 2500
	// certificates.
	peak := func(sys []inventory.System) (uint64, time.Duration, error) {
		base := liveHeap()
		var top uint64
		_, took, err := walk(sys, func(i int, _ inventory.Certificate) {
			if i%2500 == 1250 {
				if h := liveHeap(); h > base && h-base > top {
					top = h - base
				}
			}
		})
		return top, took, err
	}
	// held is the live heap of the systems' certificates collected.
	held := func(sys []inventory.System) (uint64, error) {
		before := liveHeap()
		var all []inventory.Certificate
		if _, _, err := walk(sys, func(_ int, c inventory.Certificate) { all = append(all, c) }); err != nil {
			return 0, err
		}
		after := liveHeap()
		runtime.KeepAlive(all)
		if after <= before {
			return 1, nil
		}
		return after - before, nil
	}
	mib := func(b uint64) float64 { return float64(b) / (1 << 20) }
	millis := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

	want, _, err := walk(systems, func(int, inventory.Certificate) {}) // warm-up: connections, the fakes' caches
	if err != nil {
		return nil, err
	}
	if want < total {
		return nil, fmt.Errorf("the fakes listed %d certificates, want at least %d", want, total)
	}
	_, fast, err := walk(systems, func(int, inventory.Certificate) {})
	if err != nil {
		return nil, err
	}
	top, _, err := peak(systems)
	if err != nil {
		return nil, err
	}
	whole, err := held(systems)
	if err != nil {
		return nil, err
	}
	r := float64(top) / float64(whole)
	figs := []bench.Figure{
		{Name: fmt.Sprintf("inventory of the fakes: %d certificates, 4 systems, walk", want), Value: millis(fast), Unit: "ms", Target: "-", Met: true},
		{Name: "inventory of the fakes: whole inventory held (live heap)", Value: mib(whole), Unit: "MiB", Target: "-", Met: true},
		{Name: "inventory of the fakes: peak live heap during the walk", Value: mib(top), Unit: "MiB", Target: "-", Met: true},
		{Name: "inventory of the fakes: peak / whole inventory", Value: r, Unit: "x", Target: "-", Met: true},
	}
	for _, s := range systems {
		one := []inventory.System{s}
		top, took, err := peak(one)
		if err != nil {
			return nil, err
		}
		all, err := held(one)
		if err != nil {
			return nil, err
		}
		r := float64(top) / float64(all)
		f := bench.Figure{Name: fmt.Sprintf("inventory of the fakes: %s alone, peak / its inventory held (%.1f of %.1f MiB, %.0f ms)", s.Name, mib(top), mib(all), millis(took)),
			Value: r, Unit: "x", Target: "-", Met: true}
		if s.Name == "core" || s.Name == "czertainly" {
			f.Target, f.Met = "<= 0.25", r <= 0.25
		}
		figs = append(figs, f)
	}
	return figs, nil
}

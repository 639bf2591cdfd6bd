package proof

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/certadmin/certadmin-go/internal/fakeserver"
)

// The concurrency proof: per vendor, concWorkers goroutines share one
// client and make ConcCalls calls in total against the vendor's fake
// (fewer where the vendor's total says so).
const (
	// ConcCalls is how many calls a vendor's run makes unless its Total says
	// otherwise.
	ConcCalls   = 10_000
	concWorkers = 64
	// concPool is the idle connections per host the transport keeps
	// (MaxIdleConnsPerHost in internal/transport): a client that reuses
	// its connections never needs more than that many for 64 goroutines.
	concPool = 64
)

// ConcCall is one kind of call in a vendor's mix. Do makes call number n
// (unique across the run) and returns an error when the call fails or its
// result is not the expected one.
type ConcCall struct {
	Name string
	// Weight is how many of every ConcCycle consecutive calls are this one.
	Weight int
	Do     func(ctx context.Context, n int) error
}

// ConcCycle is the length of the repeating call schedule; the weights of
// a vendor's mix add up to it.
const ConcCycle = 100

// ConcVendor is a fake with a client shared by every goroutine.
type ConcVendor struct {
	Srv    Fake
	Inject func(fakeserver.Fault)
	Calls  []ConcCall
	// Total is how many calls the run makes (0: ConcCalls): fewer for a
	// fake that costs far more per request than the others.
	Total int
	// ExtraRequests are requests the shared client sends beside one per
	// call, and ExtraConns the connections it may open beside its pool
	// (a session token fetched over a transport of its own).
	ExtraRequests, ExtraConns int
	// Verify runs after the calls; made counts the calls of each name.
	Verify func(t *testing.T, made map[string]int)
}

// Concurrency is the concurrency proof for one vendor: concWorkers
// goroutines share one client and make ConcCalls calls (the vendor's
// reads, and writes the fake takes cheaply) against its fake; a fake far
// costlier per request takes fewer (ConcVendor.Total).
// Under -race, as .ci/run runs it, it shows that the clients have no data
// race. It asserts that no call fails, that every answer equals the one read
// before the run (and every write is stored exactly once), that the fake
// received exactly one request per call (nothing retried or repeated), and
// that the client opened no more connections than its pool keeps. Under
// -race on two cores a vendor takes 5 to 15 s: instrumented, the client and
// the fake (which checks every request and answer against the vendor's
// OpenAPI document) cost about 1 ms of CPU per call.
func Concurrency(t *testing.T, setup func(t *testing.T) *ConcVendor) {
	concRun(t, setup(t))
}

// concSchedule expands the weights into the order calls are made in: call
// n is schedule[n%ConcCycle], so every kind is spread over the whole run.
func concSchedule(t *testing.T, calls []ConcCall) []int {
	t.Helper()
	total := 0
	for _, c := range calls {
		total += c.Weight
	}
	if total != ConcCycle {
		t.Fatalf("weights add up to %d, want %d", total, ConcCycle)
	}
	// Interleave: take each kind in turn while it has weight left.
	left := make([]int, len(calls))
	for i, c := range calls {
		left[i] = c.Weight
	}
	schedule := make([]int, 0, ConcCycle)
	for len(schedule) < ConcCycle {
		for i := range calls {
			if left[i] > 0 {
				schedule = append(schedule, i)
				left[i]--
			}
		}
	}
	return schedule
}

// concHold is how long the fake holds each answer of the first round:
// long enough for every goroutine to ask for a connection before the first
// answer comes, even on a loaded machine under -race.
const concHold = 500 * time.Millisecond

// concRun makes the calls and checks the counts.
//
// The first round is every goroutine's first call, made together while
// the fake holds each answer for concHold (a cold start against a slow
// server): every goroutine then needs a connection at the same moment, so
// the pool fills with one connection per goroutine. The goroutines wait for
// each other and then make the remaining calls freely; with a full pool,
// each of them finds a free pooled connection, so none is opened after the
// first round. The transport caps connections per host at the pool size,
// so the count cannot exceed it; the hold makes the first round fill the
// pool every time, so that "no connection opened after the first round" is
// a stable assertion rather than a race against dials still in progress.
func concRun(t *testing.T, v *ConcVendor) {
	schedule := concSchedule(t, v.Calls)
	calls := v.Total
	if calls == 0 {
		calls = ConcCalls
	}
	want := map[string]int{}
	for n := range calls {
		want[v.Calls[schedule[n%ConcCycle]].Name]++
	}
	hitsBefore, connsBefore := v.Srv.TotalHits(), v.Srv.NewConnections()
	v.Inject(fakeserver.Fault{Delay: concHold, Times: concWorkers + v.ExtraRequests})

	ctx := t.Context()
	var failures atomic.Int64
	made := make([]atomic.Int64, len(v.Calls))
	var mu sync.Mutex
	var firstErrors []string
	call := func(n int) {
		k := schedule[n%ConcCycle]
		err := v.Calls[k].Do(ctx, n)
		made[k].Add(1)
		if err != nil {
			failures.Add(1)
			mu.Lock()
			if len(firstErrors) < 10 {
				firstErrors = append(firstErrors, fmt.Sprintf("%s (call %d): %v", v.Calls[k].Name, n, err))
			}
			mu.Unlock()
		}
	}
	var next atomic.Int64
	next.Store(concWorkers) // calls 0 to concWorkers-1 are the first round
	var round sync.WaitGroup
	round.Add(concWorkers)
	var connsAfterRound int64
	var once sync.Once
	began := time.Now()
	var wg sync.WaitGroup
	for w := range concWorkers {
		wg.Go(func() {
			call(w)
			round.Done()
			round.Wait()
			once.Do(func() { connsAfterRound = v.Srv.NewConnections() - connsBefore })
			for {
				n := int(next.Add(1)) - 1
				if n >= calls {
					return
				}
				call(n)
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(began)

	got := map[string]int{}
	total := 0
	for k, c := range v.Calls {
		got[c.Name] += int(made[k].Load())
		total += int(made[k].Load())
	}
	if total != calls || !reflect.DeepEqual(got, want) {
		t.Errorf("made %d calls %v, want %d %v", total, got, calls, want)
	}
	if n := failures.Load(); n != 0 {
		t.Errorf("%d of %d calls failed or returned a wrong result; first:\n%s", n, calls, strings.Join(firstErrors, "\n"))
	}
	// One request per call (plus the token): a retried or repeated
	// request would show here.
	hits := v.Srv.TotalHits() - hitsBefore
	if wantHits := calls + v.ExtraRequests; hits != wantHits {
		t.Errorf("the fake received %d requests, want %d", hits, wantHits)
	}
	// Connections: the pool caps them at concPool, and a client that drops
	// a connection (an answer closed before its end, a cancelled attempt
	// context) replaces it, once per call in the bugs this guards against.
	// Stray drops (one extra connection now and then, with no cause found
	// in the SDK once attempts stopped cancelling their contexts) grow with
	// the machine's load: 2 sufficed with the machine to itself, and 5
	// were counted in one run at a load average near 15. A quarter of the
	// pool is allowed; the bugs this guards against drop a connection on
	// every call, thousands in a run.
	const strayDrops = concPool / 4
	conns := v.Srv.NewConnections() - connsBefore
	if limit := int64(concPool + v.ExtraConns + strayDrops); conns < 1 || conns > limit {
		t.Errorf("the client opened %d connections for %d requests from %d goroutines, want 1 to %d (the pool size and %d stray); "+
			"a connection beyond the pool replaces one the client dropped, e.g. by closing an answer before reading it to the end",
			conns, hits, concWorkers, limit, strayDrops)
	}
	// With the pool filled in the first round, every later request found a
	// pooled connection (unless the client dropped some).
	if connsAfterRound >= concWorkers && conns-connsAfterRound > strayDrops {
		t.Errorf("the client opened %d connections after the first round filled the pool with %d, want at most %d", conns-connsAfterRound, connsAfterRound, strayDrops)
	}
	if bad := v.Srv.SpecViolations(); len(bad) > 0 {
		t.Errorf("%d requests or answers did not match the spec; first: %s", len(bad), bad[0])
	}
	if v.Verify != nil {
		v.Verify(t, got)
	}
	t.Logf("%d calls from %d goroutines in %s (%.0f calls/s): %d requests over %d connections, %d of them opened in the first round",
		total, concWorkers, elapsed.Round(time.Millisecond), float64(total)/elapsed.Seconds(), hits, conns, connsAfterRound)
}

// ConcSame fails unless got equals the baseline want read before the run.
func ConcSame[T any](what string, got, want T) error {
	if !reflect.DeepEqual(got, want) {
		return fmt.Errorf("%s = %+v, want %+v", what, got, want)
	}
	return nil
}

// ConcMust holds a setup call's result: ConcMust(call(…)).In(t) is the
// value, or the test stops with the error.
func ConcMust[T any](v T, err error) ConcResult[T] { return ConcResult[T]{v, err} }

type ConcResult[T any] struct {
	v   T
	err error
}

func (r ConcResult[T]) In(t *testing.T) T {
	t.Helper()
	if r.err != nil {
		t.Fatal(r.err)
	}
	return r.v
}

// ConcCertificate makes a throwaway self-signed certificate and key.
func ConcCertificate(t *testing.T, cn string) (*ecdsa.PrivateKey, *x509.Certificate) {
	t.Helper()
	key := ConcMust(ecdsa.GenerateKey(elliptic.P256(), rand.Reader)).In(t)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour)}
	der := ConcMust(x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)).In(t)
	return key, ConcMust(x509.ParseCertificate(der)).In(t)
}

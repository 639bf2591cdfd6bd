package bench

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"sort"
	"testing"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// ClientGET is figure P1 for one vendor client: one small GET against the
// vendor's fake, made through the client and made with bare net/http plus
// encoding/json, both against the same loopback endpoint. The bare call
// sends the same credentials, checks the status and decodes the same JSON
// into the vendor's generated (or published) model; the client call also
// does whatever the client adds (retry bookkeeping, redaction, error
// envelopes, conversion to its own types). Both calls check the answer.
type ClientGET struct {
	Vendor string
	// Call describes the call, e.g. "GetRequest".
	Call      string
	SDK, Bare func(ctx context.Context) error
	// Peer is the same call through the vendor's generated oapi-codegen
	// client on go-retryablehttp's defaults (its logger off): what a user
	// would build without this SDK.
	Peer func(ctx context.Context) error
	// Stop stops the fake.
	Stop func()
}

// Close stops the fake.
func (g *ClientGET) Close() { g.Stop() }

// Loop runs fn as a benchmark body.
func Loop(fn func(ctx context.Context) error) func(b *testing.B) {
	return func(b *testing.B) {
		ctx := context.Background()
		b.ReportAllocs()
		for b.Loop() {
			if err := fn(ctx); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// ClientsSmallGET is figure P1 for each vendor client given (closed when
// done): the median wall-time
// ratio of five alternating rounds, the allocations of both calls and the
// time the client adds to each call at that ratio. The fake runs in the
// same process, so allocations per call include the fake's own (the same
// on both sides) and the time of a call includes the fake's work.
func ClientsSmallGET(gets []*ClientGET) ([]Figure, error) {
	defer func() {
		for _, g := range gets {
			g.Close()
		}
	}()
	var figs []Figure
	for _, g := range gets {
		// One call each first: a broken setup fails here, not as a benchmark.
		for _, fn := range []func(context.Context) error{g.SDK, g.Bare, g.Peer} {
			if err := fn(context.Background()); err != nil {
				return nil, fmt.Errorf("%s %s: %w", g.Vendor, g.Call, err)
			}
		}
		ratio, s, r := Ratio(5, Loop(g.SDK), Loop(g.Bare))
		peerRatio, _, p := Ratio(5, Loop(g.SDK), Loop(g.Peer))
		if s.N == 0 || r.N == 0 || p.N == 0 {
			return nil, fmt.Errorf("%s: benchmark did not run", g.Vendor)
		}
		name := "P1 " + g.Vendor + " small GET (" + g.Call + ")"
		cpuPeer, cpuOK, err := CPURatio(5, 2000, g.SDK, g.Peer)
		if err != nil {
			return nil, fmt.Errorf("%s: CPU time: %w", g.Vendor, err)
		}
		bare := float64(r.NsPerOp()) / 1e3
		figs = append(figs,
			Figure{Name: name + " wall ratio (SDK / net/http)", Value: ratio, Unit: "x", Target: "<= 1.05", Met: ratio <= 1.05},
			Figure{Name: name + " allocs/op (SDK)", Value: float64(s.AllocsPerOp()), Unit: "allocs/op", Target: "info", Met: true},
			Figure{Name: name + " allocs/op (net/http)", Value: float64(r.AllocsPerOp()), Unit: "allocs/op", Target: "info", Met: true},
			Figure{Name: name + " wall ratio (SDK / oapi-codegen + retryablehttp)", Value: peerRatio, Unit: "x", Target: "<= 1.05", Met: peerRatio <= 1.05},
			Figure{Name: name + " allocs/op (oapi-codegen + retryablehttp)", Value: float64(p.AllocsPerOp()), Unit: "allocs/op", Target: "info", Met: true},
		)
		if cpuOK {
			figs = append(figs, Figure{Name: name + " CPU-time ratio (SDK / oapi-codegen + retryablehttp)", Value: cpuPeer, Unit: "x", Target: "info", Met: true})
		}
		figs = append(figs,
			Figure{Name: name + " time/op (net/http)", Value: bare, Unit: "µs", Target: "info", Met: true},
			Figure{Name: name + " time added by the SDK", Value: (ratio - 1) * bare, Unit: "µs/op", Target: "info", Met: true},
		)
	}
	return figs, nil
}

// CPURatio runs a and b calls times each, alternately, rounds times, and
// returns the median ratio of the process CPU time (user and system) a
// call of a costs to one of b; ok is false where the platform does not
// tell CPU time. On a loaded machine the wall-time ratio mostly measures
// the scheduler (the same benchmark swung 0.4x-1.9x between runs here); CPU
// time counts only the work done, the in-process fake's included (the
// same on both sides).
func CPURatio(rounds, calls int, a, b func(ctx context.Context) error) (ratio float64, ok bool, err error) {
	ctx := context.Background()
	run := func(fn func(context.Context) error) (time.Duration, error) {
		runtime.GC()
		before, ok := processCPU()
		if !ok {
			return 0, errNoCPU
		}
		for range calls {
			if err := fn(ctx); err != nil {
				return 0, err
			}
		}
		after, _ := processCPU()
		return max(after-before, 1), nil
	}
	ratios := make([]float64, 0, rounds)
	for i := range rounds {
		var ta, tb time.Duration
		var errA, errB error
		if i%2 == 0 {
			ta, errA = run(a)
			tb, errB = run(b)
		} else {
			tb, errB = run(b)
			ta, errA = run(a)
		}
		if errors.Is(errA, errNoCPU) {
			return 0, false, nil
		}
		if err := errors.Join(errA, errB); err != nil {
			return 0, true, err
		}
		ratios = append(ratios, float64(ta)/float64(tb))
	}
	sort.Float64s(ratios)
	return ratios[len(ratios)/2], true, nil
}

var errNoCPU = errors.New("no CPU time on this platform")

// BareClient is net/http with the default transport's settings.
func BareClient(tlsConfig *tls.Config) *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	if tlsConfig != nil {
		t.TLSClientConfig = tlsConfig
	}
	return &http.Client{Transport: t}
}

// BareGET sends a GET with the headers set and decodes a 200 JSON answer into out.
func BareGET(ctx context.Context, hc *http.Client, url string, header http.Header, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

// PeerClient is go-retryablehttp's default client (logging off: its
// default logger writes every request to stderr) as an *http.Client.
func PeerClient(tlsConfig *tls.Config) *http.Client {
	rc := retryablehttp.NewClient()
	rc.Logger = nil
	if tlsConfig != nil {
		rc.HTTPClient.Transport.(*http.Transport).TLSClientConfig = tlsConfig
	}
	return rc.StandardClient()
}

// SetHeaders is a generated client's request editor adding header.
func SetHeaders(header http.Header) func(context.Context, *http.Request) error {
	return func(_ context.Context, req *http.Request) error {
		for k, v := range header {
			req.Header[k] = v
		}
		return nil
	}
}

// BasicHeader is the Authorization header of basic credentials.
func BasicHeader(user, password string) http.Header {
	req := &http.Request{Header: http.Header{}}
	req.SetBasicAuth(user, password)
	return req.Header
}

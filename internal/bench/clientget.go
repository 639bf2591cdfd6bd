package bench

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

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

// compareBlocks is how many blocks Compare runs for each P1 ratio. With
// 81, four quiet runs of the transport's ratio spread 1.006-1.128 against
// a 1.05 target; with 401 they spread 1.040-1.070, so a run says which
// side of the target a figure is on. A P1 report takes about 3 minutes.
const compareBlocks = 401

// ClientsSmallGET is figure P1 for each vendor client given (closed when
// done): the client's call against bare net/http and against the peer,
// each by Compare (the median ratio of 81 interleaved blocks of calls),
// with the allocations per call of all three and the time the client
// adds to each call. The fake runs in the same process, so allocations per
// call include the fake's own (the same on every side) and the time of a
// call includes the fake's work.
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
		vsBare, err := Compare(compareBlocks, 0, g.SDK, g.Bare)
		if err != nil {
			return nil, fmt.Errorf("%s %s against net/http: %w", g.Vendor, g.Call, err)
		}
		vsPeer, err := Compare(compareBlocks, 0, g.SDK, g.Peer)
		if err != nil {
			return nil, fmt.Errorf("%s %s against the peer: %w", g.Vendor, g.Call, err)
		}
		name := "P1 " + g.Vendor + " small GET (" + g.Call + ")"
		figs = append(figs,
			Figure{Name: name + " wall ratio (SDK / net/http)", Value: vsBare.Wall, Unit: "x", Target: "<= 1.05", Met: vsBare.Wall <= 1.05},
			Figure{Name: name + " allocs/op (SDK)", Value: vsBare.AllocsA, Unit: "allocs/op", Target: "info", Met: true},
			Figure{Name: name + " allocs/op (net/http)", Value: vsBare.AllocsB, Unit: "allocs/op", Target: "info", Met: true},
			Figure{Name: name + " wall ratio (SDK / oapi-codegen + retryablehttp)", Value: vsPeer.Wall, Unit: "x", Target: "<= 1.05", Met: vsPeer.Wall <= 1.05},
			Figure{Name: name + " allocs/op (oapi-codegen + retryablehttp)", Value: vsPeer.AllocsB, Unit: "allocs/op", Target: "info", Met: true},
		)
		if vsPeer.CPUOK {
			figs = append(figs, Figure{Name: name + " CPU-time ratio (SDK / oapi-codegen + retryablehttp)", Value: vsPeer.CPU, Unit: "x", Target: "info", Met: true})
		}
		bare := vsBare.NsB / 1e3
		figs = append(figs,
			Figure{Name: name + " time/op (net/http)", Value: bare, Unit: "µs", Target: "info", Met: true},
			Figure{Name: name + " time added by the SDK", Value: (vsBare.Wall - 1) * bare, Unit: "µs/op", Target: "info", Met: true},
		)
	}
	return figs, nil
}

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

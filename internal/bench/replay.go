package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"testing"

	"github.com/certadmin/certadmin-go/inventory"
)

// Replay records the answers of a walk through a fake and then serves them
// again from memory, byte for byte, so a measured walk costs the fake
// nothing (no handler, no spec validation running beside the client): what
// the heap holds beyond the recording is the client's. Give it to a client
// with the vendor's WithTransport.
type Replay struct {
	inner     http.RoundTripper
	mu        sync.Mutex
	answers   map[string]recorded
	replaying bool
}

type recorded struct {
	status int
	header http.Header
	body   []byte
}

// NewReplay returns a Replay that records until MeasureWalk switches it to
// replaying.
func NewReplay() *Replay {
	return &Replay{inner: http.DefaultTransport.(*http.Transport).Clone(), answers: map[string]recorded{}}
}

// RoundTrip records the answer to req, or serves the recorded one.
func (r *Replay) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		var err error
		if body, err = io.ReadAll(req.Body); err != nil {
			return nil, err
		}
		_ = req.Body.Close()
		req.Body = io.NopCloser(bytes.NewReader(body))
	}
	key := req.Method + " " + req.URL.String() + " " + string(body)
	r.mu.Lock()
	replaying := r.replaying
	a, ok := r.answers[key]
	r.mu.Unlock()
	if replaying {
		if !ok {
			return nil, fmt.Errorf("replay: no answer recorded for %s", key)
		}
		return &http.Response{StatusCode: a.status, Header: a.header.Clone(), Body: io.NopCloser(bytes.NewReader(a.body)),
			ContentLength: int64(len(a.body)), Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1, Request: req}, nil
	}
	resp, err := r.inner.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	b, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Header.Del("Content-Encoding")
	r.mu.Lock()
	r.answers[key] = recorded{resp.StatusCode, resp.Header.Clone(), b}
	r.mu.Unlock()
	resp.Body, resp.ContentLength = io.NopCloser(bytes.NewReader(b)), int64(len(b))
	return resp, nil
}

// MeasureWalk walks l once through rec (recording) and fails unless it
// yields want certificates, then walks from the recording b.N times and
// reports the largest live heap above the heap before the walk (sampled
// every 1000 certificates) as held-KiB: what the walk holds.
func MeasureWalk(b *testing.B, rec *Replay, l inventory.Lister, want int) {
	walkN := func(sample func()) int {
		n := 0
		for _, err := range l.CertificateInventory(context.Background()) {
			if err != nil {
				b.Fatal(err)
			}
			if n++; n%1000 == 0 && sample != nil {
				sample()
			}
		}
		return n
	}
	if n := walkN(nil); n != want {
		b.Fatalf("%d certificates, want %d", n, want)
	}
	rec.mu.Lock()
	rec.replaying = true
	rec.mu.Unlock()
	var held uint64
	for b.Loop() {
		base := liveHeap()
		walkN(func() {
			if cur := liveHeap(); cur > base {
				held = max(held, cur-base)
			}
		})
	}
	b.ReportMetric(float64(held)/(1<<10), "held-KiB")
}

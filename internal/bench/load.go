package bench

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/certadmin/certadmin-go/internal/transport"
)

// Load is figure L1: one client shared by many goroutines making small
// GETs against a server that answers one request in a hundred with 503
// and drops the connection of another one in a hundred without an answer.
// It reports errors (every fault must be absorbed by one retry), the
// requests the server saw (each fault retried exactly once), connections
// opened, bytes allocated per call, and goroutines left once the client
// is closed.
func Load(goroutines, calls int) ([]Figure, error) {
	runtime.GC()
	baseline := runtime.NumGoroutine()

	var requests, faults503, resets, conns atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch n := requests.Add(1); n % 100 {
		case 17:
			faults503.Add(1)
			w.Header().Set("Retry-After", "0")
			http.Error(w, `{"message":"busy"}`, http.StatusServiceUnavailable)
			return
		case 67:
			resets.Add(1)
			if hj, ok := w.(http.Hijacker); ok {
				if conn, _, err := hj.Hijack(); err == nil {
					if tc, ok := conn.(*net.TCPConn); ok {
						_ = tc.SetLinger(0)
					}
					_ = conn.Close()
					return
				}
			}
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, smallJSON)
	}))
	srv.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()

	policy := transport.DefaultRetryPolicy()
	policy.BaseDelay, policy.MaxDelay = time.Millisecond, 20*time.Millisecond
	c, err := transport.New(transport.NewConfig(transport.WithBasicAuth("load", "load-password"), transport.WithRetry(policy)), transport.Rules{})
	if err != nil {
		srv.Close()
		return nil, err
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	var errs atomic.Int64
	var firstErr atomic.Value
	var wg sync.WaitGroup
	next := atomic.Int64{}
	for range goroutines {
		wg.Go(func() {
			for next.Add(1) <= int64(calls) {
				req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, srv.URL+"/small", nil)
				var out smallResult
				err = c.JSON(context.Background(), transport.Call{Op: "load.Get", Request: req, BuildErr: err}, &out)
				if err == nil && out.ResultCount != 1 {
					err = fmt.Errorf("decoded %d results", out.ResultCount)
				}
				if err != nil {
					errs.Add(1)
					firstErr.CompareAndSwap(nil, err)
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	runtime.ReadMemStats(&after)

	c.CloseIdleConnections()
	srv.Close()
	left := runtime.NumGoroutine()
	for deadline := time.Now().Add(5 * time.Second); left > baseline && time.Now().Before(deadline); left = runtime.NumGoroutine() {
		time.Sleep(10 * time.Millisecond)
	}

	injected := faults503.Load() + resets.Load()
	wantRequests := int64(calls) + injected
	figs := []Figure{
		{Name: fmt.Sprintf("L1 errors (%d goroutines, %d GETs, 1%% 503, 1%% resets)", goroutines, calls), Value: float64(errs.Load()), Unit: "calls", Target: "0", Met: errs.Load() == 0},
		{Name: "L1 server requests minus (calls + faults)", Value: float64(requests.Load() - wantRequests), Unit: "requests", Target: "0", Met: requests.Load() == wantRequests},
		{Name: "L1 faults injected (503 + resets)", Value: float64(injected), Unit: "faults", Target: "info", Met: true},
		{Name: "L1 connections opened (resets close one each)", Value: float64(conns.Load()), Unit: "conns", Target: fmt.Sprintf("<= %d", 64+resets.Load()), Met: conns.Load() <= 64+resets.Load()},
		{Name: "L1 bytes allocated per call (client and server)", Value: float64(after.TotalAlloc-before.TotalAlloc) / float64(calls), Unit: "B/call", Target: "info", Met: true},
		{Name: "L1 wall time", Value: elapsed.Seconds(), Unit: "s", Target: "info", Met: true},
		{Name: "L1 goroutines left after Close (over the baseline)", Value: float64(left - baseline), Unit: "goroutines", Target: "<= 0", Met: left <= baseline},
	}
	if err, ok := firstErr.Load().(error); ok {
		return figs, fmt.Errorf("first error: %w", err)
	}
	return figs, nil
}

package transport

// The caller's cause for ending a call's context (apierror.WithCause) in
// the call path, first written as a fresh review's probes. Nothing here is
// timed: the server says when a call has reached it, and a deadline that
// decides nothing only bounds a wait.

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/certadmin/certadmin-go/internal/apierror"
)

// hangingServer tells arrived about every request and answers none until
// the client goes away.
func hangingServer(t *testing.T) (*httptest.Server, <-chan struct{}) {
	arrived := make(chan struct{}, 16)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		<-r.Context().Done()
	}))
	t.Cleanup(srv.Close)
	return srv, arrived
}

// The cause errgroup.WithContext gives: the first failing goroutine's
// error, which for this SDK is an *apierror.Error of another call.
func otherCallsError() *apierror.Error {
	return &apierror.Error{Op: "other.Call", Method: http.MethodDelete, URL: "https://other.example/x", StatusCode: http.StatusInternalServerError}
}

// A call in flight, cancelled with a cause that is another call's
// *apierror.Error (errgroup.WithContext's pattern), must still fail with
// an error that matches context.Canceled and the cause.
func TestCauseThatIsAnotherCallsErrorInFlight(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts []Option
	}{
		{name: "header watch", opts: []Option{WithMaxAttempts(1)}},
		{name: "no header timeout", opts: []Option{WithMaxAttempts(1), WithTimeout(0)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, arrived := hangingServer(t)
			c, err := New(NewConfig(tc.opts...), Rules{})
			if err != nil {
				t.Fatal(err)
			}
			defer c.CloseIdleConnections()
			cause := otherCallsError()
			ctx, cancel := context.WithCancelCause(context.Background())
			go func() {
				<-arrived
				cancel(cause)
			}()
			err = c.JSON(ctx, getCall(t, ctx, http.MethodGet, srv.URL+"/hang", nil), nil)
			if !errors.Is(err, context.Canceled) || !errors.Is(err, cause) {
				t.Fatalf("err = %v; want it to match context.Canceled and the cause", err)
			}
			// The cause is not this call's answer: no status of its own.
			var ae *apierror.Error
			if !errors.As(err, &ae) || ae.StatusCode != 0 || ae.Op == cause.Op {
				t.Fatalf("err = %v reads as the cause's answer (status %d, op %q)", err, ae.StatusCode, ae.Op)
			}
		})
	}
}

// The caller's cause is the caller's value: the call path must not write
// this call's operation, method or URL into it.
func TestCallDoesNotRewriteTheCallersCause(t *testing.T) {
	for _, tc := range []struct {
		name   string
		before bool
	}{
		{name: "not yet sent", before: true},
		{name: "in flight"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, arrived := hangingServer(t)
			c, err := New(NewConfig(WithMaxAttempts(1)), Rules{})
			if err != nil {
				t.Fatal(err)
			}
			defer c.CloseIdleConnections()
			// Another goroutine's failure before it sent anything: no
			// operation, method or URL.
			cause := &apierror.Error{Kind: apierror.ErrInvalidInput, Message: "bad input elsewhere"}
			ctx, cancel := context.WithCancelCause(context.Background())
			if tc.before {
				cancel(cause)
			} else {
				go func() {
					<-arrived
					cancel(cause)
				}()
			}
			err = c.JSON(ctx, getCall(t, ctx, http.MethodGet, srv.URL+"/hang", nil), nil)
			if cause.Op != "" || cause.Method != "" || cause.URL != "" {
				t.Errorf("the caller's cause was rewritten: Op %q Method %q URL %q (call error %v)", cause.Op, cause.Method, cause.URL, err)
			}
			if errors.Is(err, apierror.ErrInvalidInput) && !errors.Is(err, context.Canceled) {
				t.Errorf("err = %v: reads as this call's invalid input, not as cancelled", err)
			}
		})
	}
}

// The same while the body is read (Decode): the read's error carries an
// *apierror.Error cause, which Decode must not take for the reader's
// verdict on the body.
func TestBodyReadCauseThatIsAnotherCallsError(t *testing.T) {
	c, srvURL := slowBodyClient(t)
	cause := &apierror.Error{Kind: apierror.ErrInvalidInput, Message: "bad input elsewhere"}
	ctx, cancel := context.WithCancelCause(context.Background())
	_, err := readPastFirstChunk(t, c, ctx, srvURL+"/f", func() { cancel(cause) })
	if !errors.Is(err, context.Canceled) || !errors.Is(err, cause) {
		t.Errorf("err = %v, want context.Canceled and the cause", err)
	}
	if cause.Op != "" || cause.Method != "" || cause.StatusCode != 0 {
		t.Errorf("the caller's cause was rewritten: Op %q Method %q Status %d", cause.Op, cause.Method, cause.StatusCode)
	}
}

// A deadline the caller gave a cause (WithTimeoutCause) that passes while
// the call waits for its answer: DeadlineExceeded and the cause. The
// server holds the answer until the client goes away, so the outcome does
// not depend on when the deadline passes (before sending is the other
// path, which must give the same answer).
func TestDeadlineCauseInFlight(t *testing.T) {
	for _, tc := range []struct {
		name     string
		opts     []Option
		settings *CallSettings
	}{
		{name: "header watch", opts: []Option{WithMaxAttempts(1)}},
		{name: "no header timeout", opts: []Option{WithMaxAttempts(1), WithTimeout(0)}},
		{name: "own attempt timer", opts: []Option{WithMaxAttempts(1)}, settings: &CallSettings{Timeout: time.Hour, HasTimeout: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, _ := hangingServer(t)
			c, err := New(NewConfig(tc.opts...), Rules{})
			if err != nil {
				t.Fatal(err)
			}
			defer c.CloseIdleConnections()
			ctx, cancel := context.WithTimeoutCause(context.Background(), 20*time.Millisecond, errGaveUp)
			defer cancel()
			call := getCall(t, ctx, http.MethodGet, srv.URL+"/hang", nil)
			call.Settings = tc.settings
			err = c.JSON(ctx, call, nil)
			if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, errGaveUp) {
				t.Fatalf("err = %v, want DeadlineExceeded and the cause", err)
			}
			if n := strings.Count(err.Error(), errGaveUp.Error()); n != 1 {
				t.Errorf("err = %v names the cause %d times", err, n)
			}
		})
	}
}

// RawDoer (the generated clients' path) keeps the cause too.
func TestRawDoerKeepsTheCause(t *testing.T) {
	srv, arrived := hangingServer(t)
	c, err := New(NewConfig(WithMaxAttempts(1)), Rules{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseIdleConnections()
	ctx, cancel := context.WithCancelCause(context.Background())
	go func() {
		<-arrived
		cancel(errGaveUp)
	}()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/hang", nil)
	resp, err := c.RawDoer().Do(req)
	if resp != nil {
		_ = resp.Body.Close()
	}
	if !errors.Is(err, context.Canceled) || !errors.Is(err, errGaveUp) {
		t.Fatalf("err = %v, want context.Canceled and the cause", err)
	}
}

// h2Server answers firstChunk over HTTP/2 and TLS, then holds the rest of
// the body until release or the client goes away; its client trusts it.
func h2Server(t *testing.T, release <-chan struct{}) (*httptest.Server, Option) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/octet-stream")
		_, _ = io.WriteString(w, firstChunk)
		w.(http.Flusher).Flush()
		select {
		case <-release:
		case <-r.Context().Done():
			return
		}
		_, _ = io.WriteString(w, "rest")
	}))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	t.Cleanup(srv.Close)
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	return srv, WithRootCAs(pool)
}

// expiringContext is a context whose deadline the test passes by hand
// (expire), so no clock decides when it ends.
type expiringContext struct {
	context.Context
	done chan struct{}
}

func (c *expiringContext) Done() <-chan struct{} { return c.done }
func (c *expiringContext) Err() error {
	select {
	case <-c.done:
		return context.DeadlineExceeded
	default:
		return nil
	}
}
func (c *expiringContext) expire() { close(c.done) }

// A body read over HTTP/2 (the SDK's transport asks for it over TLS) that
// the caller's context ends mid-body fails with the call's own context
// error: a cancel keeps the caller's cause, and a deadline is
// DeadlineExceeded, not the Canceled of the attempt's own context
// (attemptCtx cancels it when the call's context ends).
func TestBodyReadOverHTTP2EndedByTheCaller(t *testing.T) {
	for _, transportCase := range []struct {
		name string
		opts []Option
	}{
		{name: "header watch"},
		{name: "no header timeout", opts: []Option{WithTimeout(0)}},
	} {
		for _, ending := range []struct {
			name  string
			start func() (ctx context.Context, end func())
			check func(err error) bool
			want  string
		}{
			{
				name: "cancel with a cause",
				start: func() (context.Context, func()) {
					ctx, cancel := context.WithCancelCause(context.Background())
					return ctx, func() { cancel(errGaveUp) }
				},
				check: func(err error) bool { return errors.Is(err, context.Canceled) && errors.Is(err, errGaveUp) },
				want:  "context.Canceled and the cause",
			},
			{
				name: "deadline",
				start: func() (context.Context, func()) {
					ctx := &expiringContext{Context: context.Background(), done: make(chan struct{})}
					return ctx, ctx.expire
				},
				check: func(err error) bool {
					return errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, context.Canceled)
				},
				want: "DeadlineExceeded (not Canceled)",
			},
		} {
			t.Run(transportCase.name+"/"+ending.name, func(t *testing.T) {
				release := make(chan struct{})
				defer close(release)
				srv, trust := h2Server(t, release)
				c, err := New(NewConfig(append([]Option{trust, WithMaxAttempts(1)}, transportCase.opts...)...), Rules{})
				if err != nil {
					t.Fatal(err)
				}
				defer c.CloseIdleConnections()
				ctx, end := ending.start()
				proto, err := readPastFirstChunk(t, c, ctx, srv.URL+"/f", end)
				if proto != "HTTP/2.0" {
					t.Fatalf("answered over %q, want HTTP/2.0", proto)
				}
				if !ending.check(err) {
					t.Errorf("err = %v, want %s", err, ending.want)
				}
			})
		}
	}
}

// readPastFirstChunk decodes a GET of url: it reads the body's first
// chunk, calls end (which ends ctx), then reads the rest. It returns the
// answer's protocol and the call's error.
func readPastFirstChunk(t *testing.T, c *Client, ctx context.Context, url string, end func()) (proto string, err error) {
	t.Helper()
	err = c.Decode(ctx, getCall(t, ctx, http.MethodGet, url, nil), func(resp *http.Response, body io.Reader) error {
		proto = resp.Proto
		buf := make([]byte, len(firstChunk))
		if _, err := io.ReadFull(body, buf); err != nil {
			return fmt.Errorf("first chunk: %w", err)
		}
		end()
		_, err := io.ReadAll(body)
		return err
	})
	return proto, err
}

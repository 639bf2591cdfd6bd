package czertainly_test

// The caller's cause for ending a context at the czertainly level, first
// written as a fresh review's probes. Nothing is timed: counts and
// channels decide.

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	czertainly "github.com/certadmin/certadmin-go/czertainly"
)

const (
	causeCert = "11111111-1111-4111-8111-111111111111"
	causeAuth = "22222222-2222-4222-8222-222222222222"
	causeRA   = "33333333-3333-4333-8333-333333333333"
)

// causeRenewal renews causeCert.
var causeRenewal = czertainly.RenewInput{
	Profile:         czertainly.Profile{AuthorityUUID: causeAuth, RAProfileUUID: causeRA},
	CertificateUUID: causeCert,
}

// clientWithAFailedCall is a one-attempt client of the server at url and
// the error of a GET of causeCert there, which the server must fail: the
// other call's error that a group then gives as its cancel cause.
func clientWithAFailedCall(t *testing.T, url string) (*czertainly.Client, error) {
	t.Helper()
	c, err := czertainly.NewClient(url, czertainly.WithInsecurePlainHTTP(), czertainly.WithBearerToken("t"), czertainly.WithMaxAttempts(1))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	_, other := c.GetCertificate(context.Background(), causeCert)
	if other == nil {
		t.Fatal("the server's failing answer was no error")
	}
	return c, other
}

// errgroup.WithContext cancels the group's context with the first
// failure: another goroutine's call that the server answered 500. A
// renewal that was then never sent is not of unknown outcome, and its
// error says it was cancelled.
func TestRenewCancelledWithAnotherCallsErrorIsNotUnknown(t *testing.T) {
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte(`{"message":"boom"}`))
	}))
	defer srv.Close()
	c, other := clientWithAFailedCall(t, srv.URL)
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(other)
	_, err := c.RenewCertificate(ctx, causeRenewal)
	if n := requests.Load(); n != 1 {
		t.Fatalf("%d requests, want only the GET (the renewal's context had ended)", n)
	}
	if errors.Is(err, czertainly.ErrOutcomeUnknown) {
		t.Errorf("err = %v: a renewal never sent reported as of unknown outcome", err)
	}
	if !errors.Is(err, context.Canceled) || !errors.Is(err, other) {
		t.Errorf("err = %v, want context.Canceled and the cause", err)
	}
}

// NewRefreshingTokenSource's Token is a wait that ends with the caller's
// context: it must keep the caller's cause like the other waits.
func TestRefreshingTokenSourceKeepsTheCause(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	src := czertainly.NewRefreshingTokenSource(func(ctx context.Context) (string, time.Time, error) {
		<-release
		return "", time.Time{}, errors.New("released")
	})
	stop := errors.New("operator pressed stop")
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(stop)
	_, err := src.Token(ctx)
	if !errors.Is(err, context.Canceled) || !errors.Is(err, stop) {
		t.Errorf("err = %v, want context.Canceled and the cause", err)
	}
}

// The other side: a renewal cancelled with another call's error once the
// server holds it may have been acted on, so it stays of unknown outcome
// (never resent blindly), whatever the cause says. The cause is a 400,
// which, taken for the renewal's own answer, would read as refused.
func TestRenewCancelledInFlightWithAnotherCallsErrorIsUnknown(t *testing.T) {
	arrived := make(chan struct{}, 1)
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"message":"bad request elsewhere"}`))
			return
		}
		select {
		case arrived <- struct{}{}:
		default:
		}
		select { // holds the renewal until the client gives up or the test ends
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer srv.Close()
	defer close(release)
	c, other := clientWithAFailedCall(t, srv.URL)
	ctx, cancel := context.WithCancelCause(context.Background())
	go func() {
		<-arrived
		cancel(other)
	}()
	_, err := c.RenewCertificate(ctx, causeRenewal)
	if !errors.Is(err, czertainly.ErrOutcomeUnknown) {
		t.Errorf("err = %v: a renewal the server held, then cancelled, must be of unknown outcome", err)
	}
	if !errors.Is(err, context.Canceled) || !errors.Is(err, other) {
		t.Errorf("err = %v, want context.Canceled and the cause", err)
	}
}

package mimcm

import (
	"context"
	"errors"
	"net/http"
	"testing"
)

// A call that waits for a free NTLM lane and is cancelled by its caller
// ends with the caller's context error and keeps the caller's cause.
func TestNTLMLaneWaitKeepsTheCallersCause(t *testing.T) {
	tr := newNTLMTransport("u", "p", &http.Transport{}, 1)
	busy, err := http.NewRequest(http.MethodGet, "https://mimcm.example/x", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tr.lane(busy); err != nil {
		t.Fatal(err) // the only lane, now busy
	}
	cause := errors.New("the operator stopped the run")
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(cause)
	waiting, err := http.NewRequestWithContext(ctx, http.MethodGet, "https://mimcm.example/x", nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = tr.lane(waiting)
	if !errors.Is(err, context.Canceled) || !errors.Is(err, cause) {
		t.Fatalf("lane wait ended with %v; want context.Canceled carrying the caller's cause", err)
	}
}

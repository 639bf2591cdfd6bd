package oracle

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/google/uuid"

	"github.com/certadmin/certadmin-go/internal/interop"
	"github.com/certadmin/certadmin-go/mimcm"
)

var sampleRequest = uuid.MustParse("f5e6a5c3-4f29-4bd5-8f2f-d2d6ebc4a0b2")

// The mimcm client against impacket's acceptor, in each of its modes.
// Counts are the acceptor's: requests, CHALLENGE messages, accepted
// AUTHENTICATE messages.
func TestNTLMAgainstImpacket(t *testing.T) {
	for _, tc := range []struct {
		mode interop.NTLMMode
		// firstCall is the requests of a new client's first call: its
		// first NEGOTIATE goes under "NTLM"; under "Negotiate" the client
		// tries SPNEGO, then raw NTLM.
		firstCall int
	}{
		{interop.NTLMRaw, 2},          // NEGOTIATE, AUTHENTICATE
		{interop.NTLMNegotiateRaw, 4}, // under NTLM (refused), SPNEGO (refused), raw NEGOTIATE, AUTHENTICATE
		{interop.NTLMSPNEGO, 3},       // under NTLM (refused), SPNEGO NEGOTIATE, AUTHENTICATE
	} {
		t.Run(string(tc.mode), func(t *testing.T) {
			a := interop.StartNTLMAcceptor(t, tc.mode)
			ctx := context.Background()

			t.Run("right password", func(t *testing.T) {
				c, err := mimcm.NewClient(a.URL, mimcm.WithNTLM(a.User, a.Password))
				if err != nil {
					t.Fatal(err)
				}
				before := a.Stats(t)
				r, err := c.GetRequest(ctx, sampleRequest)
				if err != nil {
					t.Fatal(err)
				}
				if want := "authenticated as " + a.User; r.Comment != want {
					t.Errorf("acceptor says %q, want %q", r.Comment, want)
				}
				s := a.Stats(t)
				if n := s.Requests - before.Requests; n != tc.firstCall {
					t.Errorf("first call: %d requests, want %d", n, tc.firstCall)
				}
				if h := s.Handshakes - before.Handshakes; h != 1 {
					t.Errorf("%d handshakes, want 1", h)
				}
				// The connection stays authenticated: one request per call.
				for range 3 {
					if _, err := c.GetRequest(ctx, sampleRequest); err != nil {
						t.Fatal(err)
					}
				}
				if n := a.Stats(t).Requests - s.Requests; n != 3 {
					t.Errorf("3 more calls: %d requests, want 3", n)
				}
			})

			t.Run("wrong password", func(t *testing.T) {
				c, err := mimcm.NewClient(a.URL, mimcm.WithNTLM(a.User, a.Password+"-wrong"))
				if err != nil {
					t.Fatal(err)
				}
				before := a.Stats(t)
				_, err = c.GetRequest(ctx, sampleRequest)
				if !errors.Is(err, mimcm.ErrUnauthorized) {
					t.Fatalf("got %v, want ErrUnauthorized", err)
				}
				s := a.Stats(t)
				// One handshake, refused: no second one, no retry.
				if n := s.Requests - before.Requests; n != tc.firstCall {
					t.Errorf("wrong password: %d requests, want %d (one handshake, no loop)", n, tc.firstCall)
				}
				if s.Handshakes != before.Handshakes || s.Challenges-before.Challenges != 1 {
					t.Errorf("wrong password: %d handshakes accepted, %d challenges", s.Handshakes-before.Handshakes, s.Challenges-before.Challenges)
				}
			})

			t.Run("20 concurrent calls", func(t *testing.T) {
				c, err := mimcm.NewClient(a.URL, mimcm.WithNTLM(a.User, a.Password))
				if err != nil {
					t.Fatal(err)
				}
				// The first call finds the dialect; every connection after
				// it needs two legs.
				if _, err := c.GetRequest(ctx, sampleRequest); err != nil {
					t.Fatal(err)
				}
				before := a.Stats(t)
				var wg sync.WaitGroup
				errs := make(chan error, 20)
				for range 20 {
					wg.Go(func() {
						if _, err := c.GetRequest(ctx, sampleRequest); err != nil {
							errs <- err
						}
					})
				}
				wg.Wait()
				close(errs)
				failed := 0
				for err := range errs {
					failed++
					if failed <= 3 {
						t.Error(err)
					}
				}
				s := a.Stats(t)
				d := func(x, y int) int { return x - y }
				h, conns := d(s.Handshakes, before.Handshakes), d(s.Connections, before.Connections)
				t.Logf("%s: %d of 20 failed; %d requests, %d handshakes over %d new connections",
					tc.mode, failed, d(s.Requests, before.Requests), h, conns)
				if h != conns || h > 20 {
					t.Errorf("%d handshakes over %d new connections: want one per connection", h, conns)
				}
				// Each call is one request, plus a NEGOTIATE where it opened a connection.
				if n, want := d(s.Requests, before.Requests), 20+d(s.Challenges, before.Challenges); n != want || s.Refused != before.Refused {
					t.Errorf("%d requests, %d refusals; want %d and 0", n, d(s.Refused, before.Refused), want)
				}
			})
		})
	}
}

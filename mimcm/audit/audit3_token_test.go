//go:build audit

package audit_test

// Probe of mimcm.NewRefreshingTokenSource (the package doc of
// NewRefreshingTokenSource and WithToken): WithToken sends "Authorization:
// Bearer <token>" for deployments behind ADFS; IIS answers 401 before the
// application runs when the bearer token is not accepted, so the request
// was not acted on. The refreshing source must drop a token answered 401,
// fetch one more and send the request once more, a POST included (the
// rule that mimcm repeats only GET and HEAD is about answers the server
// may have acted on); a second 401 is the call's ErrUnauthorized.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/certadmin/certadmin-go/mimcm"
)

type a3tokens struct {
	mu      sync.Mutex
	fetched int    // fetches of the refreshing source
	valid   string // the token the stand-in accepts
	hits    map[string]int
}

func (s *a3tokens) fetch(context.Context) (string, time.Time, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fetched++
	return fmt.Sprintf("adfs-%d", s.fetched), time.Now().Add(time.Hour), nil
}

func (s *a3tokens) counts() (fetched int, hits map[string]int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]int{}
	for k, v := range s.hits {
		out[k] = v
	}
	return s.fetched, out
}

func TestAudit3_MIM_RefreshingTokenRenewedOnceOn401(t *testing.T) {
	id := uuid.New()
	s := &a3tokens{valid: "adfs-2", hits: map[string]int{}}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.hits[r.Method]++
		valid := s.valid
		s.mu.Unlock()
		if r.Header.Get("Authorization") != "Bearer "+valid {
			w.Header().Set("WWW-Authenticate", "Bearer")
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.Method == "GET" && strings.HasSuffix(strings.ToLower(r.URL.Path), "/requests/"+id.String()):
			fmt.Fprint(w, mustJSON(t, a2request(id, 1, 1, "", "")))
		case r.Method == "POST":
			w.WriteHeader(http.StatusNoContent)
		default:
			w.WriteHeader(http.StatusNotFound)
		}
	}))
	t.Cleanup(ts.Close)
	c, err := mimcm.NewClient(ts.URL, mimcm.WithInsecurePlainHTTP(), mimcm.WithToken(mimcm.NewRefreshingTokenSource(s.fetch)),
		mimcm.WithRetry(mimcm.RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond}))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()

	// adfs-1 is refused: dropped, adfs-2 fetched, the GET sent once more.
	if r, err := c.GetRequest(ctx, id); err != nil || r.UUID != id {
		t.Fatalf("GetRequest after a 401: %+v, %v", r, err)
	}
	if f, h := s.counts(); f != 2 || h["GET"] != 2 {
		t.Errorf("fetches %d, GETs %d; want 2 and 2", f, h["GET"])
	}
	// The new token is cached: no fetch for the next call.
	if _, err := c.GetRequest(ctx, id); err != nil {
		t.Fatal(err)
	}
	if f, h := s.counts(); f != 2 || h["GET"] != 3 {
		t.Errorf("fetches %d, GETs %d; want 2 and 3", f, h["GET"])
	}

	// The server stops accepting adfs-2: a POST answered 401 is sent
	// once more with adfs-3, although mimcm never repeats a POST the
	// server may have acted on.
	s.mu.Lock()
	s.valid = "adfs-3"
	s.mu.Unlock()
	req, _ := http.NewRequestWithContext(ctx, "POST", ts.URL+a2mimBase+"requests", bytes.NewReader([]byte(`{"type":"Enroll"}`)))
	req.Header.Set("Content-Type", "application/json")
	if err := c.Do(ctx, req, nil); err != nil {
		t.Errorf("POST after a 401: %v", err)
	}
	if f, h := s.counts(); f != 3 || h["POST"] != 2 {
		t.Errorf("fetches %d, POSTs %d; want 3 and 2", f, h["POST"])
	}

	// Every token refused: one renewal, then ErrUnauthorized; no loop.
	s.mu.Lock()
	s.valid = "none"
	s.mu.Unlock()
	_, err = c.GetRequest(ctx, id)
	if !errors.Is(err, mimcm.ErrUnauthorized) {
		t.Errorf("every token refused: %v, want ErrUnauthorized", err)
	}
	if f, h := s.counts(); f != 4 || h["GET"] != 5 {
		t.Errorf("fetches %d, GETs %d; want 4 and 5", f, h["GET"])
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	var b bytes.Buffer
	if err := json.NewEncoder(&b).Encode(v); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

package transport

import (
	"crypto/tls"
	"net/http"
	"testing"
	"time"
)

// TestTLSFloorIsTLS12: the SDK sets TLS 1.2 as the floor itself, on its
// own transport and on a caller's, rather than leaning on crypto/tls's
// default (which a GODEBUG setting such as tls10server=1 lowers). A
// MinVersion below the floor is raised; one above it is kept.
func TestTLSFloorIsTLS12(t *testing.T) {
	minVersion := func(t *testing.T, cfg *Config) uint16 {
		t.Helper()
		rt, err := baseTransport(cfg)
		if err != nil {
			t.Fatal(err)
		}
		ht, ok := rt.(*http.Transport)
		if !ok || ht.TLSClientConfig == nil {
			t.Fatalf("base transport %T has no TLS config", rt)
		}
		return ht.TLSClientConfig.MinVersion
	}
	for _, tc := range []struct {
		name string
		cfg  *Config
		want uint16
	}{
		{"default transport", NewConfig(), tls.VersionTLS12},
		{"default transport asked for TLS 1.0", &Config{TLS: TLSSettings{MinVersion: tls.VersionTLS10}}, tls.VersionTLS12},
		{"default transport asked for TLS 1.3", &Config{TLS: TLSSettings{MinVersion: tls.VersionTLS13}}, tls.VersionTLS13},
		{"caller's transport without TLS config", NewConfig(WithTransport(&http.Transport{})), tls.VersionTLS12},
		{"caller's transport allowing TLS 1.0", NewConfig(WithTransport(&http.Transport{TLSClientConfig: &tls.Config{MinVersion: tls.VersionTLS10}})), tls.VersionTLS12},
		{"caller's transport asking for TLS 1.3", NewConfig(WithTransport(&http.Transport{TLSClientConfig: &tls.Config{MinVersion: tls.VersionTLS13}})), tls.VersionTLS13},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := minVersion(t, tc.cfg); got != tc.want {
				t.Fatalf("MinVersion = %s, want %s", tls.VersionName(got), tls.VersionName(tc.want))
			}
		})
	}
}

// TestJitterBackoffStaysWithinMaxDelay: full jitter draws from [0,
// ceiling]; the ceiling doubles per attempt but never passes MaxDelay, so no
// wait is longer than the policy allows. The bound is checked over many
// draws at every attempt up to past the point where doubling overshoots.
func TestJitterBackoffStaysWithinMaxDelay(t *testing.T) {
	p := DefaultRetryPolicy() // 200 ms doubling to 10 s: attempt 6 would be 12.8 s
	for attempt := range 20 {
		for range 200 {
			if d := jitterBackoff(p.BaseDelay, p.MaxDelay, attempt); d < 0 || d > p.MaxDelay {
				t.Fatalf("attempt %d: backoff %s outside [0, %s]", attempt, d, p.MaxDelay)
			}
		}
	}
	if d := jitterBackoff(0, time.Second, 3); d != 0 {
		t.Fatalf("no base delay: backoff %s, want 0", d)
	}
}

package czertainlytest_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"time"

	czertainly "github.com/certadmin/certadmin-go/czertainly"
	"github.com/certadmin/certadmin-go/czertainly/czertainlytest"
)

// Start an in-memory CZERTAINLY Core, read its RA profiles, then make it
// answer 503 once: the list, a read, is retried and the fake counts both
// attempts.
func ExampleNewServer() {
	srv, err := czertainlytest.NewServer()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	c, err := srv.NewClient(czertainly.WithRetry(czertainly.RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond, MaxRetryAfter: time.Second}))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	profiles, err := c.ListRAProfiles(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(profiles), "RA profiles after", srv.HitsMatching(http.MethodGet, "/raProfiles"), "request")

	srv.Inject(czertainlytest.Fault{Method: http.MethodGet, PathSuffix: "/raProfiles", Status: http.StatusServiceUnavailable})
	profiles, err = c.ListRAProfiles(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(profiles), "RA profiles after", srv.HitsMatching(http.MethodGet, "/raProfiles"), "requests")
	// Output:
	// 2 RA profiles after 1 request
	// 2 RA profiles after 3 requests
}

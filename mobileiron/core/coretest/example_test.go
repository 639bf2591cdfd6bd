package coretest_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/certadmin/certadmin-go/mobileiron/core"
	"github.com/certadmin/certadmin-go/mobileiron/core/coretest"
)

// Start an in-memory Core, read from it, then make it answer 503 once: the
// client retries the read and the fake counts both attempts.
func ExampleNewServer() {
	srv, err := coretest.NewServer()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	c, err := srv.NewClient(core.WithRetry(core.RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond, MaxRetryAfter: time.Second}))
	if err != nil {
		log.Fatal(err)
	}
	_, err = c.CertificateExportStatus(context.Background())
	fmt.Println("status read:", err == nil, srv.HitsMatching("GET", "/search_export_status"))

	srv.Inject(coretest.Fault{Method: "GET", PathSuffix: "/search_export_status", Status: 503})
	_, err = c.CertificateExportStatus(context.Background())
	fmt.Println("after a 503:", err == nil, srv.HitsMatching("GET", "/search_export_status"))
	// Output:
	// status read: true 1
	// after a 503: true 3
}

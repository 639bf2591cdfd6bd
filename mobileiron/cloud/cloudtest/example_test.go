package cloudtest_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"time"

	"github.com/certadmin/certadmin-go/mobileiron/cloud"
	"github.com/certadmin/certadmin-go/mobileiron/cloud/cloudtest"
)

// Start an in-memory tenant, list a page of accounts, then make the tenant
// answer 503 once: the list, a read, is retried and succeeds.
func ExampleNewServer() {
	srv, err := cloudtest.NewServer()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	c, err := srv.NewClient(cloud.WithRetry(cloud.RetryPolicy{MaxAttempts: 2, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond}))
	if err != nil {
		log.Fatal(err)
	}
	page, err := c.ListAccountsPage(context.Background(), cloud.ListOptions{PageSize: 10})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(page.Accounts), "accounts after", srv.TotalHits(), "request")

	srv.Inject(cloudtest.Fault{Method: http.MethodGet, PathSuffix: "/api/v1/account", Status: http.StatusServiceUnavailable})
	page, err = c.ListAccountsPage(context.Background(), cloud.ListOptions{PageSize: 10})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(page.Accounts), "accounts after", srv.TotalHits(), "requests")
	// Output:
	// 10 accounts after 1 request
	// 10 accounts after 3 requests
}

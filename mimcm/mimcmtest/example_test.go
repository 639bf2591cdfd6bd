package mimcmtest_test

import (
	"context"
	"fmt"
	"log"
	"net/http"

	"github.com/certadmin/certadmin-go/mimcm"
	"github.com/certadmin/certadmin-go/mimcm/mimcmtest"
)

// Start an in-memory MIM CM, list its requests, then make it answer 503
// once: the list, a read, is retried and the fake counts both attempts.
func ExampleNewServer() {
	srv, err := mimcmtest.NewServer()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	c, err := srv.NewClient()
	if err != nil {
		log.Fatal(err)
	}
	list, err := c.ListRequests(context.Background(), mimcm.RequestFilter{})
	fmt.Println(len(list), err, srv.TotalHits())

	srv.Inject(mimcmtest.Fault{Method: http.MethodGet, Status: http.StatusServiceUnavailable, RetryAfter: "0"})
	list, err = c.ListRequests(context.Background(), mimcm.RequestFilter{})
	fmt.Println(len(list), err, srv.TotalHits())
	// Output:
	// 2 <nil> 1
	// 2 <nil> 3
}

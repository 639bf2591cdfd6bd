package adminv1test_test

import (
	"context"
	"fmt"
	"log"
	"net/http"

	"github.com/certadmin/certadmin-go/czertainly/adminv1/adminv1test"
)

// A test can make the fake misbehave: here the next list answers 503 once
// and the client retries.
func ExampleServer_Inject() {
	srv, err := adminv1test.NewServer()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	srv.Inject(adminv1test.Fault{Method: http.MethodGet, PathSuffix: "/v1/admins", Status: http.StatusServiceUnavailable, RetryAfter: "0"})
	c, err := srv.NewClient()
	if err != nil {
		log.Fatal(err)
	}
	admins, err := c.ListAdmins(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(admins), "administrators after", srv.HitsMatching(http.MethodGet, "/v1/admins"), "requests")
	// Output: 2 administrators after 2 requests
}

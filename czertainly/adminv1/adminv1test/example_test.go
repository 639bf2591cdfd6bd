package adminv1test_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"

	"github.com/certadmin/certadmin-go/czertainly/adminv1"
	"github.com/certadmin/certadmin-go/czertainly/adminv1/adminv1test"
)

// Start an in-memory 1.x Administrator API, list its administrators, then
// make it answer 503 to a delete: a write is never sent twice, so the
// caller gets the typed error after one request and the administrator is
// still there.
func ExampleNewServer() {
	srv, err := adminv1test.NewServer()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	c, err := srv.NewClient()
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	admins, err := c.ListAdmins(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(admins), "administrators")

	id := admins[0].UUID
	srv.Inject(adminv1test.Fault{Method: http.MethodDelete, Status: http.StatusServiceUnavailable, RetryAfter: "0"})
	err = c.DeleteAdmin(ctx, id)
	var e *adminv1.Error
	fmt.Println(errors.As(err, &e), e.StatusCode, errors.Is(err, adminv1.ErrServer), srv.HitsMatching(http.MethodDelete, "/v1/admins/"+id))
	_, err = c.GetAdmin(ctx, id)
	fmt.Println("still there:", err == nil)
	// Output:
	// 2 administrators
	// true 503 true 1
	// still there: true
}

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

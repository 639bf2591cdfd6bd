package cloud_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"os"
	"time"

	"github.com/certadmin/certadmin-go/mobileiron/cloud"
	"github.com/certadmin/certadmin-go/mobileiron/cloud/cloudtest"
)

func ExampleNewClient() {
	c, err := cloud.NewClient("https://na1.mobileiron.com",
		cloud.WithBasicAuth("admin@example.com", os.Getenv("MI_CLOUD_PASSWORD")),
		cloud.WithTimeout(50*time.Second))
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	_, err = cloud.NewClient("na1.mobileiron.com") // no scheme
	fmt.Println(errors.Is(err, cloud.ErrInvalidInput))
	// Output: true
}

func ExampleClient_ListAccounts() {
	srv, err := cloudtest.NewServer(cloudtest.WithGeneratedAccounts(3)) // an in-memory tenant
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	c, err := srv.NewClient()
	if err != nil {
		log.Fatal(err)
	}
	n := 0
	for a, err := range c.ListAccounts(context.Background(), cloud.ListOptions{Prefetch: true, SortBy: "displayName", SortOrder: cloud.SortOrderDescending}) {
		if err != nil {
			fmt.Println(err)
			return
		}
		if n++; n <= 3 {
			fmt.Println(a.ID, a.DisplayName)
		}
	}
	fmt.Println(n, "accounts")
	// Output:
	// 47253017 Viability Check
	// 1000003 User 000003
	// 1000002 User 000002
	// 16 accounts
}

func ExampleError() {
	srv, err := cloudtest.NewServer()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	c, err := srv.NewClient()
	if err != nil {
		log.Fatal(err)
	}
	_, err = c.GetLDAPImportStatus(context.Background(), 99)
	var e *cloud.Error
	if errors.As(err, &e) {
		fmt.Println(e.Code, e.Message)
	}
	// Output: LDAP_USER_IMPORT-100 The LDAP user import request id 99 not found.
}

func Example_faultInjection() {
	srv, err := cloudtest.NewServer()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	// The tenant is busy for the first request; the list call, a read, is
	// retried.
	srv.Inject(cloudtest.Fault{Method: http.MethodGet, PathSuffix: "/api/v1/account", Status: http.StatusServiceUnavailable})
	c, err := srv.NewClient(cloud.WithRetry(cloud.RetryPolicy{MaxAttempts: 2, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond}))
	if err != nil {
		log.Fatal(err)
	}
	page, err := c.ListAccountsPage(context.Background(), cloud.ListOptions{PageSize: 10})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(page.Accounts), "accounts after", srv.TotalHits(), "requests")
	// Output: 10 accounts after 2 requests
}

func ExampleClient_UpdateAccount() {
	srv, err := cloudtest.NewServer()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	c, err := srv.NewClient()
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	if _, err := c.CreateAccount(ctx, cloud.CreateAccountInput{EmailAddress: "ann@example.test", FirstName: "Ann", LastName: "Lee", Password: "example-Pw-1"}); err != nil {
		log.Fatal(err)
	}
	// Only the display name changes; the other fields go back as the
	// server showed them. The update call clears what it does not carry,
	// so fields the read did not show stop the update before anything is
	// sent, until the caller sets them or agrees to clear them.
	rename := func(f *cloud.AccountFields) { f.DisplayName = "Ann L." }
	_, err = c.UpdateAccount(ctx, "ann@example.test", rename)
	var unshown *cloud.UnshownFieldsError
	if !errors.Is(err, cloud.ErrWouldClear) || !errors.As(err, &unshown) {
		log.Fatal(err)
	}
	fmt.Println("refused, would clear:", unshown.Fields)
	up, err := c.UpdateAccount(ctx, "ann@example.test", rename, cloud.WithClearUnshown(unshown.Fields...))
	if err != nil {
		log.Fatal(err)
	}
	a, err := c.GetAccountByUID(ctx, "ann@example.test")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(a.FirstName, a.LastName, "/", a.DisplayName)
	fmt.Println("cleared:", up.Cleared)
	// Output:
	// refused, would clear: [managedAppleId edipi androidWorkDeviceAccountEnabled gdprProfileId passwordNeverExpire]
	// Ann Lee / Ann L.
	// cleared: [managedAppleId edipi androidWorkDeviceAccountEnabled gdprProfileId passwordNeverExpire]
}

func ExampleClient_ImportLDAPUser() {
	srv, err := cloudtest.NewServer()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	c, err := srv.NewClient(cloud.WithPollInterval(time.Millisecond), cloud.WithWaitTimeout(time.Minute))
	if err != nil {
		log.Fatal(err)
	}
	_, err = c.ImportLDAPUser(context.Background(), cloud.ImportLDAPUserInput{UIDOrEmail: "ghost@example.test"})
	var e *cloud.Error
	if errors.Is(err, cloud.ErrImportFailed) && errors.As(err, &e) {
		fmt.Println(e.Code)
	}
	// Output: LDAP_USER_IMPORT-106
}

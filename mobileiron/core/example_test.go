package core_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/certadmin/certadmin-go/mobileiron/core"
	"github.com/certadmin/certadmin-go/mobileiron/core/coretest"
)

func ExampleClient_ExportCertificates() {
	srv, err := coretest.NewServer() // an in-memory Core
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	c, err := core.NewClient(srv.URL, core.WithBasicAuth(coretest.Username, coretest.Password))
	if err != nil {
		fmt.Println(err)
		return
	}
	sum, err := c.ExportCertificates(context.Background(),
		core.CertificateFilter{CESettingName: "LocalCE", Status: core.CertificateStatusActive},
		os.Stdout, core.WithPollInterval(10*time.Millisecond))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("bytes:", sum.Bytes)
	// Output:
	// id,serialNumber,type,userId,deviceUuid,ceSettingName,certificateStatus,createdAt,expiredAt
	// 2,102,Centralized,9002,,LocalCE,ACTIVE,2016-04-18,2017-04-18
	// bytes: 152
}

func ExampleClient_SearchCertificates() {
	srv, err := coretest.NewServer()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	c, err := core.NewClient(srv.URL, core.WithBasicAuth(coretest.Username, coretest.Password), core.WithAdminDeviceSpaceID(1))
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := c.SearchCertificates(context.Background(), core.CertificateFilter{
		CESettingName: "LocalCE",
		ExpiresBefore: time.Date(2018, 1, 1, 0, 0, 0, 0, time.UTC),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, cert := range res.Results {
		fmt.Println(cert.ID, cert.SerialNumber, cert.Status, cert.ExpiredAt.Format(time.DateOnly))
	}
	fmt.Println(res.ResultCount, "result(s):", res.Messages[0].Text)
	// Output:
	// 2 102 ACTIVE 2017-04-18
	// 1 result(s): Certificates successfully retrieved
}

func ExampleClient_PendingRevocationStatus() {
	srv, err := coretest.NewServer()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	c, err := core.NewClient(srv.URL, core.WithBasicAuth(coretest.Username, coretest.Password))
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	if _, err := c.RevokePendingCertificates(ctx); err != nil {
		fmt.Println(err)
		return
	}
	st, err := c.PendingRevocationStatus(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(st.InProgress, st.Elapsed)
	// Output:
	// true 1m16s
}

// A client for a real Core server; the password comes from the environment.
func ExampleNewClient() {
	c, err := core.NewClient("https://core.example.com",
		core.WithBasicAuth("miadmin", os.Getenv("CORE_PASSWORD")),
		core.WithAdminDeviceSpaceID(1),
		core.WithMaxAttempts(3))
	if err != nil {
		log.Print(err)
		return
	}
	defer c.Close()
}

// Errors are *core.Error values: errors.As gives the status and Core's
// message key; errors.Is matches a sentinel.
func ExampleError() {
	srv, err := coretest.NewServer()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	c, err := core.NewClient(srv.URL, core.WithBasicAuth(srv.Username, "not-the-password"))
	if err != nil {
		log.Fatal(err)
	}
	_, err = c.CertificateExportStatus(context.Background())
	var ce *core.Error
	if errors.As(err, &ce) {
		fmt.Println(ce.StatusCode, errors.Is(err, core.ErrUnauthorized))
	}
	// Output: 401 true
}

// A fake with an injected fault: a 503 is retried, an upload is not.
func Example_faultInjection() {
	srv, err := coretest.NewServer()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	c, err := srv.NewClient(core.WithRetry(core.RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond, MaxRetryAfter: time.Second}))
	if err != nil {
		log.Fatal(err)
	}
	srv.Inject(coretest.Fault{Method: "GET", PathSuffix: "/search_export_status", Status: 503})
	_, err = c.CertificateExportStatus(context.Background())
	fmt.Println(err == nil, srv.HitsMatching("GET", "/search_export_status"))
	// Output: true 2
}

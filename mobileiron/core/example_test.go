package core_test

import (
	"context"
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

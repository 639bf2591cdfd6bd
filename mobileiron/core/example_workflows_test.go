package core_test

import (
	"bytes"
	"context"
	"fmt"
	"log"
	"strings"
	"time"

	"github.com/certadmin/certadmin-go/mobileiron/core"
	"github.com/certadmin/certadmin-go/mobileiron/core/coretest"
)

// The users of a certificate enrollment who have no certificate from it,
// exported end to end: initiate, wait, stream the CSV. JoinedRunning says
// whether the call joined an export already running instead of starting
// one.
func ExampleClient_ExportUsersWithoutCertificates() {
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
	var csv bytes.Buffer // or a file: ExportUsersWithoutCertificatesToFile writes it atomically
	sum, err := c.ExportUsersWithoutCertificates(context.Background(), coretest.UserProvidedCEID,
		&csv, core.WithPollInterval(10*time.Millisecond))
	if err != nil {
		fmt.Println(err)
		return
	}
	header, rows, _ := strings.Cut(csv.String(), "\n")
	fmt.Println(header)
	fmt.Println("users:", strings.Count(rows, "\n"), "bytes:", sum.Bytes, "joined a running export:", sum.JoinedRunning)
	// Output:
	// id,principal,displayName,firstName,lastName,emailAddress
	// users: 1 bytes: 99 joined a running export: false
}

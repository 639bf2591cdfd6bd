package czertainly_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/certadmin/certadmin-go/czertainly"
	"github.com/certadmin/certadmin-go/czertainly/czertainlytest"
)

// startFake starts the fake and a client signed in as its super administrator.
func startFake() (*czertainlytest.Server, *czertainly.Client) {
	srv, err := czertainlytest.NewServer()
	if err != nil {
		log.Fatal(err)
	}
	c, err := czertainly.NewClient(srv.BaseURL(),
		czertainly.WithClientCertificate(srv.AdminCertificate),
		czertainly.WithRootCAs(srv.CA.Pool()))
	if err != nil {
		log.Fatal(err)
	}
	return srv, c
}

func ExampleClient_ListAdmins() {
	srv, c := startFake()
	defer srv.Close()
	admins, err := c.ListAdmins(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	for _, a := range admins {
		fmt.Println(a.Username, a.Role, a.Enabled)
	}
	// Output:
	// string administrator true
	// superadmin superAdministrator true
}

func ExampleClient_CreateAdmin() {
	srv, c := startFake()
	defer srv.Close()
	ctx := context.Background()

	// The new administrator's certificate, as PEM or DER.
	cert, err := srv.CA.IssueClientCertificate("jdoe")
	if err != nil {
		log.Fatal(err)
	}
	certPEM, _, err := czertainlytest.EncodePEM(cert)
	if err != nil {
		log.Fatal(err)
	}
	id, err := c.CreateAdmin(ctx, czertainly.CreateAdminInput{
		Username: "jdoe", Name: "John", Surname: "Doe", Email: "jdoe@example.com",
		Role: czertainly.RoleAdministrator, Certificate: certPEM, Enabled: true,
	})
	if err != nil {
		log.Fatal(err)
	}
	a, err := c.GetAdmin(ctx, id)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(a.Username, a.Certificate.CommonName, a.SerialNumber == cert.Leaf.SerialNumber.Text(16))
	// Output: jdoe jdoe true
}

func ExampleClient_DisableAdmins() {
	srv, c := startFake()
	defer srv.Close()
	err := c.DisableAdmins(context.Background(), []string{"c2f685d4-6a3e-11ec-90d6-0242ac120003"})
	var e *czertainly.Error
	if errors.As(err, &e) {
		fmt.Println(e.StatusCode, e.Message)
	}
	// Output: 404 Admin with uuid c2f685d4-6a3e-11ec-90d6-0242ac120003 not found
}

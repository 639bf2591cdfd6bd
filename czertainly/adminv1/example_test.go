package adminv1_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/certadmin/certadmin-go/czertainly/adminv1"
	"github.com/certadmin/certadmin-go/czertainly/adminv1/adminv1test"
)

// A client for a real platform: the administrator's certificate and key
// from PEM files, the platform's CA, and the base URL with the /api
// context path. (Not run: there is no platform here.)
func ExampleNewClient() {
	c, err := adminv1.NewClient("https://czertainly.example.com/api",
		adminv1.WithClientCertificateFiles("admin.crt", "admin.key"),
		adminv1.WithRootCAFile("platform-ca.pem"))
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	admins, err := c.ListAdmins(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(admins), "administrators")
}

func ExampleClient_ListAdmins() {
	srv, err := adminv1test.NewServer() // an in-memory platform
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	c, err := srv.NewClient() // signed in as its super administrator
	if err != nil {
		log.Fatal(err)
	}
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

// The life of an administrator: create it from its certificate, read it
// back, disable it and delete it.
func ExampleClient_CreateAdmin() {
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

	// The new administrator's certificate, as PEM or DER.
	cert, err := srv.CA.IssueClientCertificate("jdoe")
	if err != nil {
		log.Fatal(err)
	}
	certPEM, _, err := adminv1test.EncodePEM(cert)
	if err != nil {
		log.Fatal(err)
	}
	id, err := c.CreateAdmin(ctx, adminv1.CreateAdminInput{
		Username: "jdoe", Name: "John", Surname: "Doe", Email: "jdoe@example.com",
		Role: adminv1.RoleAdministrator, Certificate: certPEM, Enabled: true,
	})
	if err != nil {
		log.Fatal(err)
	}
	a, err := c.GetAdmin(ctx, id)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(a.Username, a.Certificate.CommonName, a.Enabled, a.SerialNumber == cert.Leaf.SerialNumber.Text(16))
	if err := c.DisableAdmin(ctx, id); err != nil {
		log.Fatal(err)
	}
	if err := c.DeleteAdmin(ctx, id); err != nil {
		log.Fatal(err)
	}
	_, err = c.GetAdmin(ctx, id)
	fmt.Println(errors.Is(err, adminv1.ErrNotFound))
	// Output:
	// jdoe jdoe true true
	// true
}

// Every failed call returns a *adminv1.Error carrying the status and
// the server's message.
func ExampleError() {
	srv, err := adminv1test.NewServer()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	c, err := srv.NewClient()
	if err != nil {
		log.Fatal(err)
	}
	_, err = c.GetAdmin(context.Background(), "c2f685d4-6a3e-11ec-90d6-0242ac120003")
	var e *adminv1.Error
	if errors.As(err, &e) {
		fmt.Println(e.StatusCode, e.Message)
	}
	fmt.Println(errors.Is(err, adminv1.ErrNotFound))
	// Output:
	// 404 Object of type 'Admin' identified by c2f685d4-6a3e-11ec-90d6-0242ac120003 was not found or is not enabled.
	// true
}

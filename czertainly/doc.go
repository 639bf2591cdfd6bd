// Package czertainly manages the administrators of a CZERTAINLY 1.x
// platform through its Administrator API: list, get, create, edit, remove,
// enable and disable, one at a time or in bulk.
//
// Usage:
//
//	cert, _ := tls.LoadX509KeyPair("admin.crt", "admin.key")
//	c, err := czertainly.NewClient("https://czertainly.example.com/api",
//		czertainly.WithClientCertificate(cert),
//		czertainly.WithRootCAFile("platform-ca.pem"))
//	if err != nil { … }
//	admins, err := c.ListAdmins(ctx)
//	id, err := c.CreateAdmin(ctx, czertainly.CreateAdminInput{
//		Username: "jdoe", Name: "John", Surname: "Doe", Email: "jdoe@example.com",
//		Role: czertainly.RoleAdministrator, Certificate: pemBytes})
//	err = c.DisableAdmins(ctx, []string{id})
//
// # Authentication
//
// CZERTAINLY authenticates administrators by client certificate (mutual
// TLS): the server looks the administrator up by the certificate's serial
// number and refuses disabled administrators and revoked or expired
// certificates. Give the certificate with WithClientCertificate or
// WithClientCertificateFiles, and the platform's CA with WithRootCAs or
// WithRootCAFile; the server certificate is always verified unless
// WithInsecureSkipVerify says otherwise. Behind a TLS-terminating proxy
// the certificate travels in a header instead (WithCertificateHeader;
// X-APP-CERTIFICATE in 1.x, WithCertificateHeaderName for another name).
//
// # Versions and quirks
//
// The Administrator API exists in CZERTAINLY 1.x only; a 2.x server
// answers 404 and the error matches ErrNoAdminAPI. Identifiers in answers
// are kept as strings without UUID parsing (the vendor's own samples hold
// invalid ones); identifiers sent are validated first. Edit is a POST;
// remove, enable and disable in bulk take a JSON array of UUIDs. Errors are
// *Error values: the server's {"message": …} becomes Message and the bare
// array a 422 carries becomes Details.
//
// Package czertainlytest provides an in-memory fake server with a
// throwaway CA for tests.
package czertainly

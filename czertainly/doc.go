// Package czertainly manages the administrators of a CZERTAINLY platform
// through the 1.x Administrator API: list, get, create, update, delete,
// enable and disable, one at a time or in bulk.
//
// The Administrator API belongs to CZERTAINLY 1.x; it was removed with
// 2.0.0 (October 2022), which manages users and roles instead. A client for
// the 2.x API will be a separate package.
//
// Usage:
//
//	c, err := czertainly.NewClient("https://czertainly.example.com/api",
//		czertainly.WithClientCertificateFiles("admin.crt", "admin.key"),
//		czertainly.WithRootCAFile("platform-ca.pem"))
//	if err != nil { … }
//	defer c.Close()
//	admins, err := c.ListAdmins(ctx)
//	id, err := c.CreateAdmin(ctx, czertainly.CreateAdminInput{
//		Username: "jdoe", Name: "John", Surname: "Doe", Email: "jdoe@example.com",
//		Role: czertainly.RoleAdministrator, Certificate: pemBytes})
//	err = c.DisableAdmins(ctx, []string{id})
//
// Every operation takes trailing per-call options (WithHeader,
// WithTimeout, WithRetry, WithMaxAttempts).
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
// # Identifiers
//
// Administrator and certificate UUIDs are strings everywhere, in answers
// and in arguments: the server stores and compares them as text, and the
// vendor's own samples hold values such as
// "7b55ge1c-844f-11dc-a8a3-0242ac120002" that are not RFC 4122 UUIDs, so a
// uuid.UUID could not carry every identifier the server hands out.
// Identifiers passed in are checked to be UUIDs before anything is sent.
//
// # Errors and retries
//
// Failed calls return *Error (match sentinels such as ErrNotFound or
// ErrNoAdminAPI with errors.Is): the server's {"message": …} becomes
// Message and the bare array a 422 carries becomes Details. A 2.x server
// answers 404 and the error matches ErrNoAdminAPI. Input is checked before
// anything is sent (ErrInvalidInput). Reads are retried on transient
// failures; creates, updates, deletes, enables and disables are never
// repeated once they may have reached the server.
//
// Package czertainlytest provides an in-memory fake server with a
// throwaway CA for tests.
package czertainly

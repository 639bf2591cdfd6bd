// Package adminv1 manages the administrators of a CZERTAINLY 1.x platform
// through its Administrator API: list, get, create, update, delete, enable
// and disable, one at a time or in bulk.
//
// The Administrator API belongs to CZERTAINLY 1.x and the 2.x releases up
// to 2.4.0; it was removed with 2.5.0 (October 2022; CZERTAINLY-Core
// commit e70ee525), and every current installation (also sold as ILM)
// answers it with 404. For a current platform use the parent package,
// github.com/certadmin/certadmin-go/czertainly, which manages users, roles,
// the certificate inventory, issuance and approvals.
//
// Usage:
//
//	c, err := adminv1.NewClient("https://czertainly.example.com/api",
//		adminv1.WithClientCertificateFiles("admin.crt", "admin.key"),
//		adminv1.WithRootCAFile("platform-ca.pem"))
//	if err != nil { … }
//	defer c.Close()
//	admins, err := c.ListAdmins(ctx)
//	id, err := c.CreateAdmin(ctx, adminv1.CreateAdminInput{
//		Username: "jdoe", Name: "John", Surname: "Doe", Email: "jdoe@example.com",
//		Role: adminv1.RoleAdministrator, Certificate: pemBytes})
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
// Identifiers passed in are checked before anything is sent: a UUID is
// sent in its canonical lower-case form (the form the server writes), any
// other identifier of the same shape (five groups of letters and digits
// joined by '-') as it is.
//
// # What the server does
//
// The semantics below are the server's, read in its source:
// src/main/java/com/czertainly/core/service/impl/AdminServiceImpl.java of
// CZERTAINLY-Core, the same from revision 3bdd33a2 (December 2021) to
// ebb1c18f (September 2022, the last before the API was removed), which
// covers the Core releases 2.0.2 to 2.4.0.
//
// Edit is not a patch: the server sets name, surname, email and
// description to what the request holds (an absent description clears
// it), answers 422 when name, surname or email is blank, and fails with
// 500 when adminCertificate comes without certificateUuid. UpdateAdmin
// therefore reads the administrator first and sends its current values
// with the caller's changes, and sends the certificate fields only to
// change the certificate, in the combination the server accepts.
//
// Bulk remove, enable and disable skip UUIDs the server does not know (it
// logs a warning) and answer 204: DeleteAdmins, EnableAdmins and
// DisableAdmins cannot report an unknown UUID; the single-administrator
// calls answer 404 for one.
//
// The API is for super administrators only (the service is secured for
// that role); any other administrator gets 403.
//
// # Errors and retries
//
// Failed calls return *Error (match sentinels such as ErrNotFound or
// ErrNoAdminAPI with errors.Is): the server's {"message": …} becomes
// Message and the bare array a 422 carries becomes Details (empty for a
// blank field: the server keeps its text out of the list). A 2.x server,
// or a base URL without the /api context path, answers 404 and the error
// matches ErrNoAdminAPI, with a hint saying which; an http:// base URL for
// the server's TLS port gets its plain-HTTP refusal, reported as
// ErrTLSRequired. Input is checked before
// anything is sent (ErrInvalidInput). Reads are retried on transient
// failures; creates, updates, deletes, enables and disables are never
// repeated once they may have reached the server.
//
// Package adminv1test provides an in-memory fake server with a
// throwaway CA for tests.
package adminv1

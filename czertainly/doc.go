// Package czertainly is a client for the Core API of CZERTAINLY 2.x, the
// certificate lifecycle platform lately branded ILM: users, roles and
// permissions, the certificate inventory, issuing, renewing, rekeying and
// revoking certificates through an authority's RA profile (client
// operations v2), and approvals. It was checked against the vendor's
// published OpenAPI documents of release 2.17.0 and the Core server's
// source (CZERTAINLY/CZERTAINLY-Core, revision cad4432a of April 2026).
//
// Users of the 1.x releases and of 2.x up to 2.4.0, whose Administrator
// API was removed in 2.5.0 (October 2022; a later platform answers it with
// 404), use the 1.x package instead (czertainly/adminv1).
//
// Usage:
//
//	cert, err := tls.LoadX509KeyPair("admin.crt", "admin.key")
//	…
//	c, err := czertainly.NewClient("https://ilm.example.com",
//		czertainly.WithClientCertificate(cert))
//	…
//	for crt, err := range c.ListCertificates(ctx, czertainly.CertificateQuery{
//		Filters: []czertainly.SearchFilter{czertainly.FilterExpiresWithin(30)},
//	}) {
//		…
//	}
//	res, err := c.Enroll(ctx, czertainly.EnrollInput{
//		Profile: czertainly.Profile{AuthorityUUID: auth, RAProfileUUID: ra},
//		Subject: pkix.Name{CommonName: "www.example.com"},
//		DNSNames: []string{"www.example.com"},
//	})
//
// # Authentication
//
// Core names three schemes in its documents, and the client speaks each:
//
//   - mutual TLS to the platform's ingress, which verifies the client
//     certificate and forwards it to Core: WithClientCertificate;
//   - the forwarded certificate itself, header ssl-client-cert with the
//     URL-escaped PEM, for deployments where your own proxy terminates
//     TLS in front of Core: WithCertificateHeader (and
//     WithCertificateHeaderName for another HEADER_NAME);
//   - an OIDC access token as a bearer token: WithToken (with
//     NewRefreshingTokenSource for a token that expires) or
//     WithBearerToken;
//
// and, for a browser session, the czertainly-session cookie:
// WithSessionCookie. The certificate's user must hold the permissions
// each call needs; Core answers 403 with its AuthenticationServiceException
// body otherwise, and 401 without a body when no credentials reached it.
//
// # Asynchronous operations
//
// Issue, renew and rekey answer at once with the new certificate's UUID
// and an empty certificate: Core hands the request to the authority in the
// background, after an approval where the RA profile has an approval
// profile. Enroll and RenewExpiring wait for the certificate with the
// shared poller (WithPollInterval, WithWaitTimeout, WithApprovalWait); a certificate still
// waiting for approval is returned as a *PendingError, which names the
// pending approvals (ListCertificateApprovals) and from which
// ResumeEnrollment continues without submitting again.
//
// Revocation, bulk delete and bulk update are background work too. A
// RevokeCertificate answered 204 has not revoked anything yet: the
// certificate stays issued, or becomes pending_approval under an approval
// profile, until Core has done it; WaitForRevocation reads the state until
// it is revoked. DeleteCertificates and BulkUpdateCertificates are only
// accepted (Core's answer to a bulk delete always says SUCCESS with 0
// failed items, whatever happens later); RemainingCertificates and
// WaitForDeletion read the inventory to confirm.
//
// RenewExpiring renews each certificate once however often it runs: Core
// leaves a renewed certificate issued and expiring, so before renewing a
// candidate it reads the candidate's relations and leaves alone one that
// already has a successor (RenewalOutcomeAlreadyRenewed).
//
// # Updates
//
// Core's user and role updates replace the whole object: a field left out
// is cleared, a user's login certificate is unlinked unless the update
// names it, and custom attributes become exactly the update's list.
// UpdateUser and UpdateRole therefore read the object first and send it
// back with the caller's changes; a zero field of UserInput or RoleInput
// is a field left as it is. UpdateCertificate changes only what its
// CertificateUpdate sets, "" removing an owner or an RA profile. The
// semantics of every operation, with the vendor's evidence, are in
// SEMANTICS.md beside this file.
//
// Issue, renew, rekey and revoke are sent once: a lost answer or a server
// error is an *UnknownOutcomeError (ErrOutcomeUnknown), since Core may
// have acted. Once Core may have created the certificate, every failure of
// Enroll and ResumeEnrollment is an *EnrollError whose Received holds the
// generated key and whatever was received; ResumeEnrollment reads Core's
// state first and never submits again. SEMANTICS-enroll.md gives Core's
// behaviour for each of these calls, with its evidence.
//
// # Errors
//
// Core answers most errors with {"message": …}, a 422 validation error
// with a JSON array of messages (Error.Details), and a 403, or whatever
// its Auth service refused, with {"statusCode", "code", "message"} as
// application/problem+json. A name already taken is a 400 with code
// ENTITY_NOT_UNIQUE (ErrConflict, as is a 409). A connector's failure is
// a 502 or 503, a 400 naming the connector, or the 400 "Failed to submit
// certificate request…" of an issue, renew or rekey Core could not submit
// (ErrConnector). A paged list that meets a page holding only what it has
// already listed stops with ErrPagingMismatch. Every error is an *Error;
// match ErrValidation, ErrConflict, ErrConnector, ErrPagingMismatch and
// the shared sentinels with errors.Is.
//
// # Where the documents leave things open
//
//   - Searching: pageNumber counts from 1, itemsPerPage is at most 1000,
//     and Core orders the inventory newest first, so a certificate issued
//     while an iteration runs shifts later pages. ListCertificates drops a
//     certificate it has already yielded; RenewExpiring collects its
//     candidates before renewing anything.
//   - The CSR of an issue, renew or rekey is base64 DER (PEM armour is
//     tolerated by Core and by the fake); this client sends base64 DER.
//   - Renew without a CSR reuses the certificate's stored CSR (so its
//     key); Core refuses (422) a certificate that has none.
//   - The documents give the client operations' path UUIDs as plain
//     strings; Core parses them as UUIDs, so the client checks them first.
//   - Attribute definitions carry version as a number (2 or 3) and, for
//     version 3, schemaVersion "v3"; AttributeDefinition accepts the
//     number or a string holding it.
package czertainly

// Package mimcm drives Microsoft Identity Manager (MIM) Certificate
// Management (CM) through its REST API (version 1.0): profile templates
// and their policies, requests (create, read, complete, cancel, abandon),
// certificate request generation and certificate data, software profiles,
// smart cards and certificates — every operation of the vendor's
// reference — and the workflows built on them: enrolling a software
// certificate end to end, renewing, revoking and retiring a profile, and
// an inventory of a user's certificates with their expiry.
//
// Usage:
//
//	c, err := mimcm.NewClient("https://cm.contoso.com",
//		mimcm.WithNTLM(`CONTOSO\jdoe`, os.Getenv("MIMCM_PASSWORD")))
//	if err != nil { … }
//	e, err := c.EnrollSoftwareCertificate(ctx, mimcm.EnrollInput{ProfileTemplateUUID: tmpl})
//	var pending *mimcm.EnrollError
//	switch {
//	case errors.As(err, &pending) && errors.Is(err, mimcm.ErrApprovalPending):
//		// Resume later: c.ResumeEnrollment(ctx, pending.RequestID, in)
//	case err != nil: …
//	}
//	err = e.WritePKCS12("jdoe.p12", p12Password)
//
// The base URL is the host chosen when the API was deployed (plus any
// prefix a reverse proxy adds); the client appends
// /CertificateManagement/api/v1.0/….
//
// # Enrolling a software certificate
//
// EnrollSoftwareCertificate creates an Enroll request, waits until it is
// approved (polling its status; WithApprovalWait, WithApprovalPollInterval),
// reads the certificate request generation options, generates each key
// pair and PKCS#10 request in Go as they say (RSA 2048–16384 or ECDSA
// P-256/384/521; SHA-1 to SHA-512; the subject parsed from its X.500
// string by ParseSubject), submits them with a PFX password (the
// caller's, or a random one), reads the certificates from the PKCS#7 or
// PFX blobs, checks that a certificate carries the generated key (and its
// chain against EnrollInput.Roots), marks the request completed and
// returns the certificate, its chain and the key (Enrollment, which
// writes a PKCS#12 file atomically). A workflow that stops early returns
// an *EnrollError naming its EnrollStage, the request and what to do
// next:
//
//   - EnrollStageAwaitingApproval with ErrApprovalPending: a person has
//     to approve; nothing was generated yet; ResumeEnrollment continues.
//   - EnrollStageSubmitting with ErrIssuanceUnknown: the certificate data
//     call may have reached the CA but no answer came; it is never sent
//     twice; abandon the request (AbandonRequest) and enroll anew.
//   - EnrollStageCertificatesReceived: the certificates arrived (a PFX
//     that does not open with the password is ErrPFXPassword; a
//     certificate without the key ErrKeyMismatch); if only the completion
//     failed, EnrollError.Result holds the certificate and key.
//
// RenewSoftwareCertificate runs the same steps with a Renew request for a
// profile; RevokeProfile and RetireProfile create the request, wait for
// its approval and complete it. Inventory walks the user's profiles and
// smart cards and yields their certificates with the validity dates of
// the user's certificate list.
//
// # What the server sends, and what this package makes of it
//
// Requests send a request's type and status by name (RequestTypeName,
// Status); responses carry numbers, which Microsoft does not publish.
// Every number is kept and prints as the number unless named. Named
// because the vendor's samples pin them: request type 1 Enroll and 5
// Unblock (RequestType), request status 8 Completed, profile status 2
// Active (ProfileStatus, from a ?status=Active sample), smart card status
// 6 Retired (SmartcardStatus). Inferred, not pinned: request status 3 is
// read as Approved (StatusNumberApproved), because the sample enroll
// request reads 3 right after it was created and is then executed, which
// the enrollment walkthrough does only with an approved request. The
// enrollment workflow waits for 3; a request in any other status (also a
// denied one) is waited on until WithApprovalWait ends.
//
// "Completed" and other .NET dates arrive without a zone
// ("0001-01-01T00:00:00" for not set) and are read as UTC, the zero
// time.Time for not set. All-zero GUIDs ("none") are nil pointers, and
// the NUL padding of SecurityDescriptor is trimmed. Request, Profile,
// Smartcard and Certificate read the server's JSON with encoding/json as
// the client does.
//
// Where the vendor's pages contradict themselves, the client sends the
// form of their examples and the fake (mimcmtest) accepts every form:
// the workflow policy is GET profiletemplates/{id}/policies/{type} (the
// table says policy/workflow/{type}); a smart card is retired with PUT
// requests/{reqid}/smartcards/{scid} (the table says GET); the proposed
// PIN is GET smartcards/{id}/serverproposedpin (the controller table puts
// it under requests/{requestid}/…). A new request's data collection goes
// as a JSON string holding the array of one-member objects
// ("datacollection":"[]"), the form of the examples that show the
// server's answer; its priority as a string of digits, as the one example
// that sets it. The member naming the profile of a Renew, Revoke or
// Retire is not documented; it is sent as "profile", by analogy with the
// "smartcard" member of the Unblock example. Create and assign answer 201
// with the new URI as a JSON string; the GUID at its end is returned.
// Certificate requests go as base64 in 64-character CRLF lines, as in
// the example; blobs are read with or without line breaks. A smart card
// looked up by card ID comes back as one object, not a list; lists that
// may be one object are read either way.
//
// A 204 answer to a list is an empty list; to a Get it is ErrNotFound.
// A 404 on every call usually means the API is disabled on the server
// (Clm.WebApi.Enabled in the CM web.config); the error says so. A 500
// carries the server's correlation ID in its message, which the error
// keeps and points out in its Hint; CorrelationID returns it as the
// server printed it, so an administrator can find the event log entry.
// Creates, assignments, status changes and certificate data are never
// sent twice once they may have reached the server (the PUTs included);
// PFX passwords travel as secrets, masked wherever a server echoes them.
//
// # Authentication
//
// Real deployments use Windows Integrated Authentication (Negotiate:
// Kerberos or NTLM) or ADFS:
//
//   - WithNTLM(`DOMAIN\user`, password): NTLMv2 under the "NTLM" or
//     "Negotiate" scheme, whichever the server offers, with one handshake
//     per connection (the client keeps HTTP/1.1 connections of its own for
//     it) and the server's session cookie kept. The NTLM messages come
//     from github.com/Azure/go-ntlmssp; its Negotiator round tripper is
//     not used, since its handshake legs may spread over several pooled
//     connections and fail under concurrent calls.
//   - Kerberos: package mimcm/kerberos (kerberos.New(…).Option()), on
//     gokrb5, with a password, a keytab or the credential cache, tickets
//     cached and renewed, the server's AP-REP checked; its documentation
//     says what it covers and what not (channel binding among them). It
//     plugs into WithNegotiate(spn, src), which takes any
//     NegotiateTokenSource (SSPI on Windows, another library).
//   - WithToken(ts): an ADFS bearer token from a TokenSource, asked for
//     on every attempt, so a refreshing source is used as it refreshes.
//   - WithBasicAuth, for deployments that allow it; WithTransport or
//     WithHTTPClient still take any round tripper of your own (another
//     Windows authentication implementation), below the retries, typed
//     errors and logging.
//
// Credentials are refused over plain http to a host that is not loopback
// (WithInsecurePlainHTTP for a lab) and never appear in errors or logs.
// The TLS options (WithRootCAs, WithClientCertificate,
// WithInsecureSkipVerify) apply to the SDK's connections, NTLM's
// included; with a custom round tripper configure TLS on it.
//
// Every operation takes trailing per-call options (WithHeader,
// WithMaxAttempts, WithTimeout, WithRetry, and for the workflows
// WithApprovalWait, WithApprovalPollInterval, WithEnrollProgress), which
// apply to that call only.
//
// The mimcmtest package is a stateful in-memory fake of the API for
// tests, with an in-memory CA and the Windows authentication handshakes.
package mimcm

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
//	var pending *mimcm.PendingError
//	switch {
//	case errors.As(err, &pending) && errors.Is(err, mimcm.ErrApprovalPending):
//		// Resume later: c.ResumeEnrollment(ctx, pending)
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
// approved (polling its status; WithApprovalWait, WithPollInterval),
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
//     to approve; nothing was generated yet; ResumeEnrollment continues
//     from the *PendingError the EnrollError wraps (ErrPending).
//     With ErrTerminalStatus: the request was denied, canceled or failed
//     (EnrollError.StatusName); the wait ends at once.
//   - EnrollStageSubmitting with ErrIssuanceUnknown: the certificate data
//     call may have reached the CA but no answer came (or a 5xx); it is
//     never sent twice, the generated keys are in EnrollError.Received,
//     and ResumeEnrollment refuses a request that shows it was executed;
//     have an administrator check it, or abandon it (AbandonRequest) and
//     enroll anew.
//   - EnrollStageCertificatesReceived: a 200 answer came, so the CA
//     issued (a PFX that does not open with the password is
//     ErrPFXPassword; a certificate without the key or whose chain does
//     not verify ErrKeyMismatch; an answer that does not read
//     ErrUnexpectedResponse); EnrollError.Received holds everything that
//     came and the keys (Received.WriteFiles saves them, mode 0600), and
//     if only the completion failed, EnrollError.Result holds the checked
//     certificate and key.
//
// RenewSoftwareCertificate runs the same steps with a Renew request for a
// profile, after asking the server that the profile is active and that no
// request on it is open (ErrProfileNotActive, ErrRenewalInProgress), so a
// second run renews nothing twice; RevokeProfile and RetireProfile create the request, wait for
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
// enrollment workflows wait for 3; any other number is named by the
// server itself, through the status filter (ListRequests with a Status
// returns the requests of that name, with their number): Denied, Canceled
// and Failed end the wait at once (ErrTerminalStatus), Pending is waited
// on. Every request other than a GET is sent once, whichever path sends
// it (a method, Do, or the generated client of Raw). SEMANTICS.md beside
// this package has the table of what the reference says, what the client
// does and what the fake does, operation by operation.
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
// Real deployments use Windows Integrated Authentication (IIS's Negotiate
// and NTLM providers: Kerberos or NTLM) or ADFS. WithToken sends an ADFS
// bearer token from a TokenSource on every attempt; ADFS tokens expire, so
// for a program that runs longer than one token's lifetime give it
// NewRefreshingTokenSource, which fetches a new token before the old one
// expires and once more when the server refuses one (StaticToken for a
// fixed token); WithBasicAuth suits
// deployments that allow it; WithTransport or WithHTTPClient take any
// round tripper of your own (another Windows authentication
// implementation), below the retries, typed errors and logging.
//
// # NTLM (WithNTLM)
//
// WithNTLM(`DOMAIN\user`, password) signs in with NTLMv2. Covered:
//
//   - the "NTLM" scheme, and NTLM under "Negotiate" in both forms: inside
//     SPNEGO (a NegTokenInit, then NegTokenResp tokens, RFC 4178 and
//     4559, as browsers and gss-ntlmssp send it) and raw (as Windows
//     clients send it when only NTLM is possible). A first call tries, as
//     the server's 401 offers them: raw NTLM under "NTLM", then SPNEGO
//     under "Negotiate", then raw under "Negotiate", each at most once;
//     the form that worked is used from then on.
//   - one handshake per connection (the client keeps HTTP/1.1
//     connections of its own, up to 32), redone when the server asks
//     again; the server's session cookie is kept.
//   - a refused AUTHENTICATE message is one 401 (ErrUnauthorized), never a
//     second handshake; the error's hint names the causes.
//
// Not covered: NTLMv1 and LM, message signing and sealing, the MIC and
// channel bindings. The messages come from github.com/Azure/go-ntlmssp
// v0.1.1 (its Negotiator round tripper is not used: its legs may spread
// over several pooled connections and fail under concurrent calls), which
// sends neither a channel binding nor a MIC. So IIS with Extended
// Protection for Authentication set to "Required" (tokenChecking="Require")
// refuses it over HTTPS even with the right password; with "Allow" or
// "None" it signs in. The refusal is the same 401 as a wrong password:
// over HTTPS the error's hint names both. Checked against impacket's
// acceptor in all three forms (mimcm/oracle).
//
// # Negotiate and Kerberos (WithNegotiate)
//
// WithNegotiate(spn, src) sends "Authorization: Negotiate <token>" on
// every attempt with a token from a NegotiateTokenSource (a Kerberos
// client logged in from a password, keytab or credential cache, or SSPI
// on Windows) for the service principal spn ("" means HTTP/<URL host>).
//
// Given together with WithNTLM the order is: Kerberos first; NTLM when no
// token can be had (the source fails: no ticket, no KDC, an unknown SPN)
// or when the server does not offer "Negotiate". A Kerberos ticket the
// server refuses is the caller's 401; NTLM is not tried after it, as
// browsers do not. The server's answer token (mutual authentication) is
// shown to a source that checks it (a CheckNegotiateResponse method),
// also when NTLM is given too; a failed check fails the call and NTLM does
// not sign in in its place. The SPNEGO wrapping of the Kerberos token is
// the token source's.
//
// Package mimcm/kerberos is such a source (kerberos.New(…).Option()), on
// gokrb5, with a password, a keytab or the credential cache, tickets
// cached and renewed and the server's AP-REP checked; its documentation
// says what it covers and what not (channel binding among them). It is a
// package of its own so that a program without Kerberos does not link it.
//
// Credentials are refused over plain http to a host that is not loopback
// (WithInsecurePlainHTTP for a lab) and never appear in errors or logs.
// The TLS options (WithRootCAs, WithClientCertificate,
// WithInsecureSkipVerify) apply to the SDK's connections, NTLM's
// included; with a custom round tripper configure TLS on it.
//
// Every operation takes trailing per-call options (WithHeader,
// WithMaxAttempts, WithTimeout, WithRetry, and for the workflows
// WithApprovalWait, WithPollInterval, WithProgress), which apply to that
// call only; the workflow options given to NewClient apply to every call.
//
// The mimcmtest package is a stateful in-memory fake of the API for
// tests, with an in-memory CA and the Windows authentication handshakes.
package mimcm

// Package core is a client for the certificate management calls of the
// MobileIron Core (Ivanti EPMM) v2 API: exporting certificate details to
// CSV, searching certificates, managing user-provided PKCS#12 certificates,
// revoking certificates pending revocation, reading SCEP and certificate
// enrollment configurations, and finding (and exporting) the users of an
// enrollment who have no certificate.
//
// Usage:
//
//	c, err := core.NewClient("https://core.example.com",
//		core.WithBasicAuth("apiadmin", os.Getenv("CORE_PASSWORD")),
//		core.WithAdminDeviceSpaceID(1))
//	if err != nil { … }
//	sum, err := c.ExportCertificatesToFile(ctx,
//		core.CertificateFilter{CESettingName: "LocalCE", Status: core.CertificateStatusActive},
//		"certificates.csv")
//
// ExportCertificates runs Core's three-call export (initiate, poll the
// status, download) as one call and streams the CSV without holding it in
// memory; ExportCertificatesToFile makes the file appear only once it is
// complete. The single steps are methods too.
//
// # Authentication
//
// Core's v2 API uses HTTP basic authentication and does not send a
// challenge, so WithBasicAuth sends the credentials with every request. The
// user needs the role each call names in the vendor's documentation (e.g.
// "Manage certificates, View certificates"). A Client keeps cookies across
// calls, because Core's multipart calls may need the session cookie of an
// earlier call. TLS certificates are verified unless
// WithInsecureSkipVerify is given.
//
// # Device space
//
// The certificate calls need the administrator's device space,
// adminDeviceSpaceId: the value of WithAdminDeviceSpaceID, given to
// NewClient for every call or to one call (default 1, the global space).
// The vendor's pages disagree on where it goes: the 11.x page puts it in
// the request body, the 11.3 page in the query, the certificate chapter in
// the query for the export calls and in the body for the search, and
// community clients send it in the query. So it is sent where every
// documented version finds it: the two POST calls (SearchCertificates,
// InitiateCertificateExport) carry the same value in both the query and
// the JSON body; the GET calls (CertificateExportStatus,
// DownloadCertificateExport) carry it in the query, the only place a GET
// has. The users-without-certificates calls are not documented with it and
// do not send it.
//
// # Results
//
// A call returns everything Core's answer holds: lists come in result
// types with Core's resultCount and messages (SearchCertificates returns a
// CertificateSearchResult), uploads, deletes and revocations return the
// messages, and every result type encodes to JSON under Core's field
// names. Where the vendor's documentation contradicts itself about an
// answer (getCertificate's results as an object or an array, deviceUuid or
// deviceUUid), both forms are read; where it gives two paths for a call
// (CEConfigurations), the second is tried when the first is not found.
//
// # Errors and retries
//
// Failed calls return *Error (match sentinels such as ErrNotFound or
// ErrExportFailed with errors.Is); it carries Core's messageKey and
// localized message. Input is checked before anything is sent
// (ErrInvalidInput). Reads, including the POST searches and status checks,
// are retried on transient failures; uploads, deletes, revocations and
// export initiations are never repeated once they may have reached the
// server. A 410 answer, which Core gives for the retired V1 API, comes with
// a hint to use the v2 API.
//
// Answers are decoded as the strict JSON a server sends. The samples in
// the vendor's documentation are printed with non-breaking spaces, "..."
// for elided entries and trailing commas; nothing is repaired on the wire,
// so such an answer is ErrUnexpectedResponse rather than a guess.
//
// The coretest package is an in-memory Core for tests.
package core

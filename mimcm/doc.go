// Package mimcm reads Microsoft Identity Manager (MIM) Certificate
// Management (CM) requests through the CM REST API (version 1.0): one
// request by its GUID, or the list of requests filtered by status and by
// "target is the current user".
//
// Usage:
//
//	c, err := mimcm.NewClient("https://cm.contoso.com",
//		mimcm.WithBasicAuth(`CONTOSO\jdoe`, os.Getenv("MIMCM_PASSWORD")))
//	if err != nil { … }
//	pending, err := c.ListRequests(ctx, mimcm.RequestFilter{Status: mimcm.StatusPending})
//	for _, r := range pending {
//		fmt.Println(r.UUID, r.Type, r.Submitted.Format(time.RFC3339))
//	}
//
// The base URL is the host chosen when the API was deployed (plus any
// prefix a reverse proxy adds); the client appends
// /CertificateManagement/api/v1.0/….
//
// # What the server sends, and what this package makes of it
//
// Microsoft does not publish the numbers behind a request's type and
// status. RequestType and StatusNumber keep every number and name only the
// ones the samples of the vendor's documentation pin (see their doc
// comments); the status filter takes the published names (Status).
// "Completed" arrives as .NET's zone-less "0001-01-01T00:00:00" while a
// request is not completed: Request.Completed is then the zero time.Time.
// All-zero GUIDs ("none") are nil pointers, and the NUL padding of
// SecurityDescriptor is trimmed. A Request marshals back to the server's
// JSON form.
//
// A 204 answer to ListRequests is an empty list; to GetRequest it is
// ErrNotFound. A 404 on every call usually means the API is disabled on
// the server (Clm.WebApi.Enabled in the CM web.config); the error says so.
// A 500 carries the server's correlation ID in its message, which the
// error keeps and points out in its Hint; CorrelationID returns it as the
// server printed it, so an administrator can find the event log entry.
//
// # Authentication
//
// Basic authentication works out of the box (WithBasicAuth). Real
// deployments normally use Windows Integrated Authentication (Negotiate:
// Kerberos or NTLM) and sometimes a session cookie (WithCookieJar); ADFS
// deployments take a bearer token (WithToken with a TokenSource, e.g.
// StaticToken). This package does not depend on an NTLM or
// Kerberos library: plug one in as the base round tripper with
// WithTransport or WithHTTPClient, and retries, typed errors and logging
// still apply above it. For example with github.com/Azure/go-ntlmssp,
// whose Negotiator takes the credentials from the request's basic
// authorization header and runs the NTLM handshake in their place:
//
//	base := http.DefaultTransport.(*http.Transport).Clone()
//	base.TLSClientConfig = &tls.Config{RootCAs: pool} // TLS goes on the inner transport
//	c, err := mimcm.NewClient(url,
//		mimcm.WithTransport(ntlmssp.Negotiator{RoundTripper: base}),
//		mimcm.WithBasicAuth(`CONTOSO\jdoe`, password),
//		mimcm.WithCookieJar(jar)) // keeps the server's session cookie
//
// The TLS options (WithRootCAs, WithClientCertificate,
// WithInsecureSkipVerify) configure the default transport only; with a
// custom round tripper configure TLS on it, as above. A Kerberos SPNEGO
// round tripper (e.g. from github.com/jcmturner/gokrb5) plugs in the same
// way, without WithBasicAuth.
//
// Every operation takes trailing per-call options (WithHeader,
// WithMaxAttempts, WithTimeout, WithRetry), which apply to that call only.
//
// The mimcmtest package is an in-memory fake of the API for tests.
package mimcm

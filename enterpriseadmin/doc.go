// Package enterpriseadmin manages the identity and trust certificates of an
// ArcGIS Enterprise (on Kubernetes) deployment through its Administrator API
// (https://<host>/<context>/admin/security/certificates/…): list and read
// certificates with their fingerprints and validity, import a PKCS#12
// identity certificate or a CA certificate, and delete them.
//
// Usage:
//
//	c, err := enterpriseadmin.NewClient("https://gis.example.com/arcgis",
//		enterpriseadmin.WithCredentials("admin", os.Getenv("ARCGIS_PASSWORD")))
//	certs, err := c.ListIdentityCertificates(ctx)
//	for _, cert := range certs {
//		fmt.Println(cert.Subject, cert.SHA256Fingerprint, cert.DaysToExpiry(time.Now()))
//	}
//
// # The base URL
//
// NewClient takes the URL of the deployment's web context, as the vendor's
// documentation writes every URL of the API: https://gis.example.com/arcgis
// for the web context "arcgis". Its last path segment is the web context;
// a deployment behind a path prefix is https://host/prefix/arcgis. When the
// host and the web context are configured apart, give the host alone and
// the context with WithWebContext:
//
//	enterpriseadmin.NewClient("https://gis.example.com", enterpriseadmin.WithWebContext("arcgis"), …)
//
// # Authentication
//
// The API takes a session token from the portal's generateToken operation
// (POST /<context>/sharing/rest/generateToken). With WithCredentials the
// client generates it on first use, caches it, replaces it shortly before
// it expires (WithRefreshMargin) and, when the server refuses the token
// (code 498, invalid or expired; 499, token required; or messageCode
// GWM_0003; as the status or in an error body of up to 4 KiB, also inside a
// 200 answer), replaces it once and sends the request again (also for
// requests sent through Do or Raw, since the transport's retry loop does
// it). A refusal inside a larger body is not renewed; it is the call's
// ErrUnauthorized. Concurrent calls share one generateToken request, which
// goes over the client's own connections and is never repeated once it may
// have reached the server. WithToken takes tokens obtained elsewhere
// instead: a NewRefreshingTokenSource is renewed the same way, while a
// StaticToken or a TokenSource of your own is used as it is.
//
// The token travels in the body of every POST, as the API requires, and in
// the X-Esri-Authorization header of GETs (WithLegacyTokenQuery puts it in
// the query instead). It never appears in an error or log line. Requests
// carry the referer the token was generated for (WithReferer). A token
// issued with ssl: true is refused for plain-HTTP URLs, and a password or
// token is never sent over plain http to a host that is not loopback
// unless WithInsecurePlainHTTP is given.
//
// # Errors
//
// Every failed call returns an *Error (match it with errors.As) naming the
// operation. The server reports most errors with HTTP status 200, as
// {"error":{"code":…}} or {"status":"error","code":…}; every call checks
// for both and returns an *Error with the vendor's code: it matches
// ErrVendor, and ErrUnauthorized, ErrForbidden or ErrNotFound for the codes
// 498/499, 403 and 404. IsTokenError tells token rejections apart.
//
// A token that cannot be had (a refused password, generateToken
// unreachable, a failing TokenSource) fails the call that needed it with
// an *Error naming that call's operation and matching ErrUnauthorized;
// generateToken's own error is its cause (errors.Is(err, ErrServer) for a
// portal answering 503, ErrVendor for a refusal inside a 200).
//
// # The ingress and rotating its certificate
//
// On Kubernetes the Ingress controller serves one identity certificate,
// named in its security configuration (security/ingress).
// GetIngressSecurity reads that configuration; UpdateIngressSecurity
// changes it. The vendor's update takes the whole configuration as one
// JSON object and does not say whether members left out keep their value,
// so the update reads first and sends every member back, the ones this
// package does not know included.
//
// RotateIdentityCertificate imports a new certificate, points the ingress
// at it, reads the ingress back until it names it (WithPollInterval,
// WithWaitTimeout, WithProgress) and only then, if asked, deletes the old
// one. A failure is a *RotationError naming the RotationStage that failed;
// until the new certificate is seen served, the old one serves and is
// kept. Running the rotation again resumes it: it reads the ingress and
// the identity store first, recognises the new certificate by name and
// SHA-256 fingerprint and never imports it twice, and no POST is ever
// resent on an unknown outcome.
//
// SEMANTICS.md in this directory gives, for every operation, the vendor's
// evidence, the wrapper's policy and the fake's behaviour.
//
// The enterpriseadmintest package is an in-memory fake of the API for tests.
package enterpriseadmin

// Package enterpriseadmin manages the identity and trust certificates of an
// ArcGIS Enterprise (on Kubernetes) deployment through its Administrator API
// (https://<host>/<context>/admin/security/certificates/…): list and read
// certificates with their fingerprints and validity, import a PKCS#12
// identity certificate or a CA certificate, and delete them.
//
// Usage:
//
//	c, err := enterpriseadmin.NewClient("https://gis.example.com", "arcgis",
//		enterpriseadmin.WithCredentials("admin", os.Getenv("ARCGIS_PASSWORD")))
//	certs, err := c.ListIdentityCertificates(ctx)
//	for _, cert := range certs {
//		fmt.Println(cert.Subject, cert.SHA256Fingerprint, cert.DaysToExpiry(time.Now()))
//	}
//
// # Authentication
//
// The API takes a session token from the portal's generateToken operation
// (POST /<context>/sharing/rest/generateToken). With WithCredentials the
// client generates it on first use, caches it, replaces it shortly before
// it expires (WithRefreshMargin) and, when the server answers that the token
// is invalid or expired (codes 498/499), replaces it once and sends the
// request again. Concurrent calls share one generateToken request, and
// generateToken itself is never repeated once it may have reached the
// server. WithToken takes a token obtained elsewhere instead; it is never
// refreshed.
//
// The token travels in the body of every POST, as the API requires, and in
// the X-Esri-Authorization header of GETs (WithLegacyTokenQuery puts it in
// the query instead). It never appears in an error or log line. Requests
// carry the referer the token was generated for (WithReferer). A token
// issued with ssl: true is refused for plain-HTTP URLs.
//
// # Errors
//
// The server reports most errors with HTTP status 200, as
// {"error":{"code":…}} or {"status":"error","code":…}. Every call checks
// for both and returns an *Error with the vendor's code: it matches
// ErrVendor, and ErrUnauthorized, ErrForbidden or ErrNotFound for the codes
// 498/499, 403 and 404. IsTokenError tells token rejections apart.
//
// The enterpriseadmintest package is an in-memory fake of the API for tests.
package enterpriseadmin

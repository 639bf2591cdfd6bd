// Package cloud is a client for the user (account) calls of the MobileIron
// Cloud v1 REST API: creating users with or without a password, listing
// and searching accounts, updates and password changes, deletion,
// invitations, enrollment URLs, registration PINs and policy, custom
// attributes, account metadata, and LDAP user import.
//
// Usage:
//
//	c, err := cloud.NewClient("https://na1.mobileiron.com",
//		cloud.WithBasicAuth("admin@example.com", os.Getenv("MI_PASSWORD")))
//	if err != nil { … }
//	for acct, err := range c.ListAccounts(ctx, cloud.ListOptions{Prefetch: true}) {
//		if err != nil { … }
//		fmt.Println(acct.ID, acct.EmailAddress)
//	}
//
// # Authentication
//
// Every call needs Tenant Admin credentials, sent as HTTP basic
// authentication on every request (the API does not challenge first).
// Passwords never appear in errors or log lines.
//
// # Paging
//
// The API returns at most 500 rows per request; ListAccounts pages with
// start and rows (community clients report that offset does not work as
// documented). A page size above 500 is rejected before anything is sent.
// See ListOptions for prefetching and the opt-in parallel fetch;
// ListAccountsPage reads one page.
//
// A server that does not page as asked is caught, never followed: a page
// whose offset member is not the start asked for, a page that repeats an
// earlier one (a server that ignores start), or one holding more accounts
// than the rows asked for (a server that ignores rows) ends the listing,
// the page call or the UID lookup with an error matching
// ErrPagingMismatch, the sentinel every vendor package shares. Nothing of
// that page is yielded, and such a server costs two requests. The page
// decoder streams: it holds at most the rows asked for, one account of at
// most 1 MiB of JSON at a time, and a body past the JSON cap is an
// ErrResponseTooLarge error.
//
// # Updates clear absent fields
//
// The update call clears every field of its table it is not given.
// UpdateAccount therefore reads the account first and sends back what the
// server showed plus what the change set, and never a value it made up.
// A field of the table the read did not show (the documented reads leave
// out edipi, managedAppleId, gdprProfileId, passwordNeverExpire and
// androidWorkDeviceAccountEnabled) would be cleared blindly, so the update
// is refused before sending (ErrWouldClear, naming the fields) unless the
// change sets them or WithClearUnshown names them; AccountUpdate.Cleared
// says what was cleared. It refuses to write back values the server masked (a GDPR
// profile on the API user), with an error matching ErrMaskedField.
// ChangePassword is the documentation's own call with its five fields.
// ReplaceAccount sends exactly the fields it is given and is meant for
// callers who hold the complete account.
//
// # Retries
//
// Reads (list, search, status, metadata) and the idempotent PUT calls
// (update, password change, registration policy) are retried on transient
// failures. Creates, deletes, invitations, PIN and enrollment URL
// generation, custom attributes and LDAP imports are never sent twice once
// they may have reached the server.
//
// # Errors
//
// Failed calls return *Error (errors.As); the errors envelope, even inside
// an HTTP 200 answer, fills Code and Message with the vendor's code, e.g.
// LDAP_USER_IMPORT-103 or Range. Input is checked before anything is sent
// (ErrInvalidInput).
//
// The cloudtest package is an in-memory tenant for tests.
package cloud

package cloud

import (
	"context"
	"errors"
	"fmt"

	"github.com/certadmin/certadmin-go/internal/apierror"
	"github.com/certadmin/certadmin-go/internal/poll"
	"github.com/certadmin/certadmin-go/mobileiron/cloud/cloudapi"
)

// ErrImportFailed is matched (errors.Is) by the error ImportLDAPUser
// returns when the server reports the import FAILED; the *Error carries
// the server's errorCode (e.g. LDAP_USER_IMPORT-106, KC-103) in Code and
// its errorMessage in Message.
var ErrImportFailed = errors.New("LDAP user import failed")

// ErrImportTimeout is matched by the error ImportLDAPUser returns when the
// import is still running at the end of the wait.
var ErrImportTimeout = poll.ErrTimeout

// ImportState is the state of an LDAP user import.
type ImportState string

// Import states.
const (
	ImportInProgress ImportState = "IN_PROGRESS"
	ImportCompleted  ImportState = "COMPLETED"
	ImportFailed     ImportState = "FAILED"
)

// ImportStatus is the answer of the LDAP import status call.
type ImportStatus struct {
	RequestID    int64
	State        ImportState
	ErrorCode    string
	ErrorMessage string
}

// LDAPImport names the LDAP user to import.
type LDAPImport struct {
	// UIDOrEmail of the LDAP user.
	UIDOrEmail string
	// ServerName may be empty when the tenant has a single LDAP server.
	ServerName string
	SendInvite bool
	// DeviceOwnership is optional.
	DeviceOwnership DeviceOwnership
}

// StartLDAPImport requests the import and returns the request ID for
// ImportStatus. Not retried once sent.
func (c *Client) StartLDAPImport(ctx context.Context, imp LDAPImport) (int64, error) {
	return c.startImport(ctx, "cloud.StartLDAPImport", imp)
}

func (c *Client) startImport(ctx context.Context, op string, imp LDAPImport) (int64, error) {
	if imp.UIDOrEmail == "" {
		return 0, apierror.Invalid(op, "empty UID or email")
	}
	if !imp.DeviceOwnership.Valid() {
		return 0, apierror.Invalid(op, "device ownership %q is not EMPLOYEE, COMPANY or UNKNOWN", imp.DeviceOwnership)
	}
	p := &cloudapi.ImportLdapUserParams{UidOrEmail: imp.UIDOrEmail, LdapServerName: nonZero(imp.ServerName)}
	if imp.SendInvite {
		p.SendInvite = ptr(true)
	}
	if imp.DeviceOwnership != "" {
		p.DeviceOwnershipType = ptr(cloudapi.DeviceOwnershipType(imp.DeviceOwnership))
	}
	resp, err := c.raw.ImportLdapUser(notRepeated(ctx), p) //nolint:bodyclose // result, action or JSONBody closes it
	id, err := result[*int64](c, op, resp, err)
	if err != nil {
		return 0, err
	}
	if id == nil {
		return 0, unexpected(op, "no request ID in the answer")
	}
	return *id, nil
}

// ImportStatus returns the state of an import request. A FAILED import is
// a status, not an error; an unknown request ID (LDAP_USER_IMPORT-100) is
// an error.
func (c *Client) ImportStatus(ctx context.Context, requestID int64) (ImportStatus, error) {
	return c.importStatus(ctx, "cloud.ImportStatus", requestID)
}

func (c *Client) importStatus(ctx context.Context, op string, requestID int64) (ImportStatus, error) {
	var st cloudapi.LdapImportStatus
	resp, err := c.raw.GetLdapImportStatus(ctx, &cloudapi.GetLdapImportStatusParams{RequestId: requestID}) //nolint:bodyclose // result, action or JSONBody closes it
	body, err := c.t.JSONBody(op, resp, err, &st)
	if err != nil {
		return ImportStatus{}, err
	}
	if st.Errors != nil {
		code, msg, details := describe(st.Errors)
		return ImportStatus{}, c.t.VendorError(op, resp, body, code, msg, details...)
	}
	out := ImportStatus{RequestID: deref(st.RequestId), State: ImportState(deref(st.Status)), ErrorCode: deref(st.ErrorCode), ErrorMessage: deref(st.ErrorMessage)}
	if out.State == "" {
		return out, unexpected(op, "no status in the answer")
	}
	return out, nil
}

// ImportLDAPUser imports an LDAP user and waits for the import to end,
// checking its status on the client's ImportWait rhythm (by default the
// seed's: after 15 s, then every 15 s, for up to 90 s; see
// WithImportWait). progress, when non-nil, sees every status. COMPLETED
// returns the final status; FAILED is an error matching ErrImportFailed
// with the server's errorCode in Code; running past the wait matches
// ErrImportTimeout. The import request itself is never sent twice.
func (c *Client) ImportLDAPUser(ctx context.Context, imp LDAPImport, progress func(ImportStatus)) (ImportStatus, error) {
	const op = "cloud.ImportLDAPUser"
	id, err := c.startImport(ctx, op, imp)
	if err != nil {
		return ImportStatus{}, err
	}
	w := c.importWait
	cfg := poll.Config{InitialDelay: w.InitialDelay, Interval: w.Interval, Timeout: w.Timeout}
	st, err := poll.Until(ctx, cfg, func(ctx context.Context) (ImportStatus, bool, error) {
		st, err := c.importStatus(ctx, op, id)
		if err != nil {
			return st, false, err
		}
		switch st.State {
		case ImportCompleted:
			return st, true, nil
		case ImportFailed:
			return st, true, &apierror.Error{Op: op, Kind: apierror.ErrVendor, Code: st.ErrorCode, Message: st.ErrorMessage, Err: ErrImportFailed}
		}
		return st, false, nil
	}, progress)
	if err != nil {
		var ae *apierror.Error
		if !errors.As(err, &ae) {
			err = fmt.Errorf("%s: request %d: %w", op, id, err)
		}
		return st, err
	}
	return st, nil
}

package cloud

import (
	"context"
	"errors"
	"fmt"

	"github.com/certadmin/certadmin-go/internal/apierror"
	"github.com/certadmin/certadmin-go/internal/poll"
	"github.com/certadmin/certadmin-go/internal/transport"
	"github.com/certadmin/certadmin-go/internal/workflow"
	"github.com/certadmin/certadmin-go/mobileiron/cloud/cloudapi"
)

// ErrImportFailed is matched (errors.Is) by the error ImportLDAPUser
// returns when the server reports the import FAILED; the *Error carries
// the server's errorCode (e.g. LDAP_USER_IMPORT-106, KC-103) in Code and
// its errorMessage in Message.
var ErrImportFailed = errors.New("LDAP user import failed")

// ErrImportTimeout is matched by the error ImportLDAPUser returns when the
// import is still running at the end of the wait.
var ErrImportTimeout = errImportTimeout()

// errImportTimeout is the shared poller's sentinel, behind a function so
// that go doc shows no internal package.
func errImportTimeout() error { return poll.ErrTimeout }

// ImportState is the state of an LDAP user import.
type ImportState string

// Import states.
const (
	ImportStateInProgress ImportState = "IN_PROGRESS"
	ImportStateCompleted  ImportState = "COMPLETED"
	ImportStateFailed     ImportState = "FAILED"
)

// ImportStatus is the answer of the LDAP import status call.
type ImportStatus struct {
	RequestID    int64       `json:"requestId"`
	State        ImportState `json:"status"`
	ErrorCode    string      `json:"errorCode"`
	ErrorMessage string      `json:"errorMessage"`
}

// ImportLDAPUserInput names the LDAP user to import.
type ImportLDAPUserInput struct {
	// UIDOrEmail of the LDAP user.
	UIDOrEmail string
	// ServerName may be empty when the tenant has a single LDAP server.
	ServerName string
	SendInvite bool
	// DeviceOwnership is optional.
	DeviceOwnership DeviceOwnership
}

// StartLDAPImport requests the import and returns the request ID for
// GetLDAPImportStatus. It is never repeated once it may have reached the
// server.
func (c *Client) StartLDAPImport(ctx context.Context, in ImportLDAPUserInput, opts ...CallOption) (int64, error) {
	return c.startImport(ctx, "cloud.StartLDAPImport", in, callSettings(opts))
}

func (c *Client) startImport(ctx context.Context, op string, in ImportLDAPUserInput, cs *transport.CallSettings) (int64, error) {
	if in.UIDOrEmail == "" {
		return 0, apierror.Invalid(op, "empty UID or email")
	}
	if !in.DeviceOwnership.Valid() {
		return 0, apierror.Invalid(op, "device ownership %q is not EMPLOYEE, COMPANY or UNKNOWN", in.DeviceOwnership)
	}
	p := &cloudapi.ImportLdapUserParams{UidOrEmail: in.UIDOrEmail, LdapServerName: nonZero(in.ServerName)}
	if in.SendInvite {
		p.SendInvite = ptr(true)
	}
	if in.DeviceOwnership != "" {
		p.DeviceOwnershipType = ptr(cloudapi.DeviceOwnershipType(in.DeviceOwnership))
	}
	req, err := cloudapi.NewImportLdapUserRequest(c.server, p)
	id, err := result[*int64](c, ctx, transport.Call{Op: op, Request: req, BuildErr: err, Settings: cs})
	if err != nil {
		return 0, err
	}
	if id == nil {
		return 0, unexpected(op, "no request ID in the answer")
	}
	return *id, nil
}

// GetLDAPImportStatus returns the state of an import request. A FAILED
// import is a status, not an error; an unknown request ID
// (LDAP_USER_IMPORT-100) is an error.
func (c *Client) GetLDAPImportStatus(ctx context.Context, requestID int64, opts ...CallOption) (*ImportStatus, error) {
	return c.importStatus(ctx, "cloud.GetLDAPImportStatus", requestID, callSettings(opts))
}

func (c *Client) importStatus(ctx context.Context, op string, requestID int64, cs *transport.CallSettings) (*ImportStatus, error) {
	var st cloudapi.LdapImportStatus
	req, err := cloudapi.NewGetLdapImportStatusRequest(c.server, &cloudapi.GetLdapImportStatusParams{RequestId: requestID})
	if err := c.t.JSON(ctx, transport.Call{Op: op, Request: req, BuildErr: err, Settings: cs}, &st); err != nil {
		return nil, err
	}
	out := &ImportStatus{RequestID: deref(st.RequestId), State: ImportState(deref(st.Status)), ErrorCode: deref(st.ErrorCode), ErrorMessage: deref(st.ErrorMessage)}
	if out.State == "" {
		return nil, unexpected(op, "no status in the answer")
	}
	return out, nil
}

// ImportLDAPUser imports an LDAP user and waits for the import to end,
// checking its status on the client's rhythm (by default the vendor's:
// after 15 s, then every 15 s, for up to 90 s; see WithPollInterval and
// WithWaitTimeout, which also apply to one call). WithProgress sees every
// status. COMPLETED returns the final status; FAILED is an error
// matching ErrImportFailed with the server's errorCode in Code; running
// past the wait matches ErrImportTimeout. Both failures return the last
// status beside the error. The import request itself is never sent twice.
func (c *Client) ImportLDAPUser(ctx context.Context, in ImportLDAPUserInput, opts ...CallOption) (*ImportStatus, error) {
	const op = "cloud.ImportLDAPUser"
	cs := callSettings(opts)
	w, err := workflow.ForCall(op, c.importWait, cs)
	if err != nil {
		return nil, err
	}
	progress := func(st ImportStatus) { workflow.Report(w, st) }
	id, err := c.startImport(ctx, op, in, cs)
	if err != nil {
		return nil, err
	}
	cfg := w.Poll(w.WaitTimeout)
	var last *ImportStatus // what the last check read, also when the wait runs out
	_, err = poll.Until(ctx, cfg, func(ctx context.Context) (ImportStatus, bool, error) {
		st, err := c.importStatus(ctx, op, id, cs)
		if err != nil {
			return ImportStatus{}, false, err
		}
		last = st
		switch st.State {
		case ImportStateCompleted:
			return *st, true, nil
		case ImportStateFailed:
			return *st, true, &apierror.Error{Op: op, Kind: apierror.ErrVendor, Code: st.ErrorCode, Message: st.ErrorMessage, Err: ErrImportFailed}
		}
		return *st, false, nil
	}, progress)
	if err != nil {
		var ae *apierror.Error
		if !errors.As(err, &ae) {
			err = fmt.Errorf("%s: request %d: %w", op, id, err)
		}
		return last, err
	}
	return last, nil
}

package cloud

import (
	"context"
	"errors"
	"strings"

	"github.com/certadmin/certadmin-go/internal/apierror"
	"github.com/certadmin/certadmin-go/internal/form"
	"github.com/certadmin/certadmin-go/internal/transport"
	"github.com/certadmin/certadmin-go/mobileiron/cloud/cloudapi"
)

// AccountFields are every field the update call sets. The server clears
// each field the call does not carry, so this is the complete editable
// state of an account, not a patch.
type AccountFields struct {
	ID            int64
	EmailAddress  string
	UID           string
	FirstName     string
	LastName      string
	DisplayName   string
	AccountSource AccountSource
	Enabled       bool
	// ManagedAppleID, EDIPI and GDPRProfileID ("": none) are cleared when empty.
	ManagedAppleID                  string
	EDIPI                           FlexString
	GDPRProfileID                   FlexString
	PasswordNeverExpire             bool
	AndroidWorkDeviceAccountEnabled bool
}

// Fields returns the editable state of a, as UpdateAccount starts from it.
// Fields the server did not return (nil in Account) are empty.
func (a Account) Fields() AccountFields {
	return AccountFields{
		ID:                              a.ID,
		EmailAddress:                    a.EmailAddress,
		UID:                             a.UID,
		FirstName:                       a.FirstName,
		LastName:                        a.LastName,
		DisplayName:                     a.DisplayName,
		AccountSource:                   a.AccountSource,
		Enabled:                         a.Enabled,
		ManagedAppleID:                  a.ManagedAppleID,
		EDIPI:                           a.EDIPI,
		GDPRProfileID:                   a.GDPRProfileID,
		PasswordNeverExpire:             a.PasswordNeverExpire,
		AndroidWorkDeviceAccountEnabled: a.AndroidWorkDeviceAccountEnabled,
	}
}

// updateForm is the wire form, in the order of the vendor's example.
type updateForm struct {
	FirstName           string `form:"firstName"`
	LastName            string `form:"lastName"`
	EmailAddress        string `form:"emailAddress"`
	UID                 string `form:"uid"`
	DisplayName         string `form:"displayName"`
	ID                  int64  `form:"id"`
	AccountSource       string `form:"accountSource,omitempty"`
	Enabled             bool   `form:"enabled"`
	ManagedAppleID      string `form:"managedAppleId"`
	Password            string `form:"password,omitempty"`
	ConfirmPassword     string `form:"confirmPassword,omitempty"`
	EDIPI               string `form:"edipi"`
	AndroidWork         bool   `form:"androidWorkDeviceAccountEnabled"`
	GDPRProfileID       string `form:"gdprProfileId"`
	PasswordNeverExpire bool   `form:"passwordNeverExpire"`
}

func (c *Client) put(ctx context.Context, op string, f AccountFields, password string, cs *transport.CallSettings) error {
	if f.ID <= 0 {
		return apierror.Invalid(op, "account ID %d must be positive", f.ID)
	}
	if strings.TrimSpace(f.EmailAddress) == "" {
		// The server would clear the address; an account without one is
		// almost certainly a mistake in the caller's fields.
		return apierror.Invalid(op, "empty email address")
	}
	w := updateForm{
		FirstName: f.FirstName, LastName: f.LastName, EmailAddress: f.EmailAddress, UID: f.UID,
		DisplayName: f.DisplayName, ID: f.ID, AccountSource: string(f.AccountSource), Enabled: f.Enabled,
		ManagedAppleID: f.ManagedAppleID, Password: password, ConfirmPassword: password, EDIPI: string(f.EDIPI),
		AndroidWork: f.AndroidWorkDeviceAccountEnabled, PasswordNeverExpire: f.PasswordNeverExpire,
		GDPRProfileID: string(f.GDPRProfileID),
	}
	body, err := formBody(op, w)
	if err != nil {
		return err
	}
	var secrets []string
	if password != "" {
		secrets = []string{password}
	}
	req, err := cloudapi.NewUpdateAccountRequestWithBody(c.server, form.ContentType, body)
	return c.action(ctx, transport.Call{Op: op, Request: req, BuildErr: err, Secrets: secrets, Settings: cs})
}

// ReplaceAccount sends f as the account's complete state: every field that
// is empty in f is cleared on the server. Use UpdateAccount to change some
// fields and keep the rest.
func (c *Client) ReplaceAccount(ctx context.Context, f AccountFields, opts ...CallOption) error {
	return c.put(ctx, "cloud.ReplaceAccount", f, "", callSettings(opts))
}

// UpdateAccount reads the account with the given UID, lets change edit its
// current fields, and sends them all, so fields change does not touch keep
// their values. It returns the fields sent.
//
// Two limits: the read and the write are separate calls, so a change made
// by someone else in between is overwritten; and a field the server does
// not return in its answers (see Account) cannot be kept unless change
// sets it.
func (c *Client) UpdateAccount(ctx context.Context, uid string, change func(*AccountFields), opts ...CallOption) (*AccountFields, error) {
	const op = "cloud.UpdateAccount"
	if change == nil {
		return nil, apierror.Invalid(op, "nil change function")
	}
	cs := callSettings(opts)
	f, err := c.currentFields(ctx, op, uid, cs)
	if err != nil {
		return nil, err
	}
	id := f.ID
	change(&f)
	if f.ID != id {
		return nil, apierror.Invalid(op, "the change function altered the account ID")
	}
	if err := c.put(ctx, op, f, "", cs); err != nil {
		return nil, err
	}
	return &f, nil
}

// ChangePassword sets the password of the account with the given UID. Like
// UpdateAccount it reads the account first and sends every field with the
// password (as password and confirmPassword), so nothing else is cleared.
func (c *Client) ChangePassword(ctx context.Context, uid, password string, opts ...CallOption) error {
	const op = "cloud.ChangePassword"
	if password == "" {
		return apierror.Invalid(op, "empty password")
	}
	cs := callSettings(opts)
	f, err := c.currentFields(ctx, op, uid, cs)
	if err != nil {
		return err
	}
	return c.put(ctx, op, f, password, cs)
}

func (c *Client) currentFields(ctx context.Context, op, uid string, cs *transport.CallSettings) (AccountFields, error) {
	if uid == "" {
		return AccountFields{}, apierror.Invalid(op, "empty UID")
	}
	a, err := c.getAccountByUID(ctx, uid, cs)
	if err != nil {
		return AccountFields{}, renameOp(op, err)
	}
	return a.Fields(), nil
}

// renameOp renames the operation of an error from a call made on op's behalf.
func renameOp(op string, err error) error {
	var ae *apierror.Error
	if errors.As(err, &ae) {
		cp := *ae
		cp.Op = op + " (" + ae.Op + ")"
		return &cp
	}
	return err
}

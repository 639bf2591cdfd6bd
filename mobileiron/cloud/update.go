package cloud

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/certadmin/certadmin-go/internal/apierror"
	"github.com/certadmin/certadmin-go/internal/form"
	"github.com/certadmin/certadmin-go/internal/transport"
	"github.com/certadmin/certadmin-go/mobileiron/cloud/cloudapi"
)

// AccountFields are the fields of the update call (the documentation's
// Update User Account). The server clears each field of that call's
// table it is not given, so a value left out is not "unchanged".
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
	// MAMWithoutMDM is the mamWithOutMDM member the update example sends.
	MAMWithoutMDM FlexString
}

// Fields returns the editable state of a, as UpdateAccount starts from it.
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
		MAMWithoutMDM:                   a.MAMWithoutMDM,
	}
}

// updateField is one member of the update call: its wire name, whether
// the documentation says the server clears it when the call does not
// carry it, and its value in AccountFields as form text.
type updateField struct {
	name    string
	cleared bool
	text    func(*AccountFields) string
}

// updateFields are the update call's members, in the order of the
// vendor's example (id is handled on its own).
var updateFields = []updateField{
	{"firstName", true, func(f *AccountFields) string { return f.FirstName }},
	{"lastName", true, func(f *AccountFields) string { return f.LastName }},
	{"emailAddress", true, func(f *AccountFields) string { return f.EmailAddress }},
	{"uid", false, func(f *AccountFields) string { return f.UID }},
	{"displayName", true, func(f *AccountFields) string { return f.DisplayName }},
	{"id", false, nil},
	{"accountSource", false, func(f *AccountFields) string { return string(f.AccountSource) }},
	{"enabled", true, func(f *AccountFields) string { return strconv.FormatBool(f.Enabled) }},
	{"managedAppleId", true, func(f *AccountFields) string { return f.ManagedAppleID }},
	{"mamWithOutMDM", false, func(f *AccountFields) string { return string(f.MAMWithoutMDM) }},
	{"edipi", true, func(f *AccountFields) string { return string(f.EDIPI) }},
	{"androidWorkDeviceAccountEnabled", true, func(f *AccountFields) string {
		return strconv.FormatBool(f.AndroidWorkDeviceAccountEnabled)
	}},
	{"gdprProfileId", true, func(f *AccountFields) string { return string(f.GDPRProfileID) }},
	{"passwordNeverExpire", true, func(f *AccountFields) string { return strconv.FormatBool(f.PasswordNeverExpire) }},
}

// replaceForm is ReplaceAccount's wire form, in the order of the vendor's
// example.
type replaceForm struct {
	FirstName           string `form:"firstName"`
	LastName            string `form:"lastName"`
	EmailAddress        string `form:"emailAddress"`
	UID                 string `form:"uid"`
	DisplayName         string `form:"displayName"`
	ID                  int64  `form:"id"`
	AccountSource       string `form:"accountSource,omitempty"`
	Enabled             bool   `form:"enabled"`
	ManagedAppleID      string `form:"managedAppleId"`
	MAMWithoutMDM       string `form:"mamWithOutMDM,omitempty"`
	EDIPI               string `form:"edipi"`
	AndroidWork         bool   `form:"androidWorkDeviceAccountEnabled"`
	GDPRProfileID       string `form:"gdprProfileId"`
	PasswordNeverExpire bool   `form:"passwordNeverExpire"`
}

// ReplaceAccount sends f as the account's complete state: every field of
// AccountFields, so each that is empty in f is cleared on the server
// (mamWithOutMDM and accountSource are left out when empty). It is meant
// for callers who hold the complete account; UpdateAccount changes some
// fields and keeps what the server showed.
func (c *Client) ReplaceAccount(ctx context.Context, f AccountFields, opts ...CallOption) error {
	const op = "cloud.ReplaceAccount"
	if f.ID <= 0 {
		return apierror.Invalid(op, "account ID %d must be positive", f.ID)
	}
	if strings.TrimSpace(f.EmailAddress) == "" {
		// The server would clear the address; an account without one is
		// almost certainly a mistake in the caller's fields.
		return apierror.Invalid(op, "empty email address")
	}
	body, err := formBody(op, replaceForm{
		FirstName: f.FirstName, LastName: f.LastName, EmailAddress: f.EmailAddress, UID: f.UID,
		DisplayName: f.DisplayName, ID: f.ID, AccountSource: string(f.AccountSource), Enabled: f.Enabled,
		ManagedAppleID: f.ManagedAppleID, MAMWithoutMDM: string(f.MAMWithoutMDM), EDIPI: string(f.EDIPI),
		AndroidWork: f.AndroidWorkDeviceAccountEnabled, GDPRProfileID: string(f.GDPRProfileID),
		PasswordNeverExpire: f.PasswordNeverExpire,
	})
	if err != nil {
		return err
	}
	return c.putAccount(ctx, op, body, nil, callSettings(opts))
}

// putAccount sends the account-update PUT (PUT /api/v1/account, form body)
// that UpdateAccount, ReplaceAccount and ChangePassword share. Each sends
// the whole state it sets (the merged account, or ChangePassword's five
// members), so sending the same body again leaves the same account. The
// transport repeats it as it repeats any repeatable call, after an answer
// whose status the RetryPolicy retries (429, 500, 502, 503 and 504 by
// default) or a connection lost or an attempt timed out before the
// answer, because the
// spec gives the operation no x-repeat, so it repeats by its method
// (operations.gen.go); nothing here decides it.
func (c *Client) putAccount(ctx context.Context, op string, body *strings.Reader, secrets []string, cs *transport.CallSettings) error {
	req, err := cloudapi.NewUpdateAccountRequestWithBody(c.server, form.ContentType, body)
	return c.action(ctx, transport.Call{Op: op, Request: req, BuildErr: err, Secrets: secrets, Settings: cs})
}

// AccountUpdate is what UpdateAccount did.
type AccountUpdate struct {
	// Fields are the account's fields as the change left them.
	Fields AccountFields
	// Sent are the members the update call carried, by wire name, with
	// the text sent.
	Sent map[string]string
	// Cleared names the fields of the update call's table that the call
	// did not carry, so the server cleared them: fields the read showed
	// as null (empty already), and fields the caller named in
	// WithClearUnshown.
	Cleared []string
}

// UnshownFieldsError is the Err of UpdateAccount's refusal (it matches
// ErrWouldClear): the read did not show these members of the update
// call's table and the change did not set them, so the update would clear
// values the SDK cannot see. Nothing was sent.
type UnshownFieldsError struct {
	// Fields are the members' wire names, e.g. "edipi".
	Fields []string
}

func (e *UnshownFieldsError) Error() string {
	return "the read did not show " + strings.Join(e.Fields, ", ") + ", which the update would clear"
}

// WithClearUnshown lets UpdateAccount clear the named members of the
// update call's table (wire names: "edipi", "managedAppleId",
// "gdprProfileId", "passwordNeverExpire", "androidWorkDeviceAccountEnabled",
// …) when the server's read does not show them. Without it UpdateAccount
// refuses such an update (ErrWouldClear), because the server clears every
// field the call does not carry and the SDK cannot tell whether the
// account holds a value there. Name a field here only when you know it is
// empty or want it emptied; to keep a value, set it in the change.
func WithClearUnshown(fields ...string) CallOption {
	return callOption(func(cs *transport.CallSettings) {
		s := transport.CallExtension[settings](cs)
		s.clearUnshown = append(s.clearUnshown, fields...)
	})
}

// UpdateAccount reads the account with the given UID (GetAccountByUID),
// lets change edit its fields, and sends the update call, which replaces
// the whole account: the server clears every field of the call's table
// that the call does not carry. UpdateAccount therefore sends:
//
//   - id;
//   - each field the change altered, with its new value (an emptied
//     field is sent empty, which clears it);
//   - each other field of the update call (firstName, lastName,
//     emailAddress, uid, displayName, accountSource, enabled,
//     managedAppleId, mamWithOutMDM, edipi, androidWorkDeviceAccountEnabled,
//     gdprProfileId, passwordNeverExpire) that the server's answer
//     carried with a value, as the answer gave it (a number as its
//     digits, a boolean as true or false).
//
// It never makes up a value, and it never clears what it cannot see. A
// field the answer carried as null is empty already and is left out. A
// field of the table the answer did not carry at all (the documented
// reads do not show edipi, managedAppleId, gdprProfileId,
// passwordNeverExpire or androidWorkDeviceAccountEnabled) and the change
// did not set would be cleared blindly: UpdateAccount sends nothing and
// returns an error matching ErrWouldClear, its *UnshownFieldsError naming
// the members. Set those fields in the change to keep their values, or
// name them in WithClearUnshown to clear them. If the answer shows a
// value the server masked ("*****", or an empty address, as a GDPR
// profile on the API user makes it answer) and the change does not
// replace it, nothing is sent and the error matches ErrMaskedField, its
// *MaskedFieldError naming the members: writing the mask back would store
// it.
//
// The read is GET /api/v1/account with fq=UID=<uid>, paged (findUID); the
// write is one PUT /api/v1/account (putAccount). The PUT carries the whole
// account, so it is sent again like any PUT after a transient failure
// (a status the RetryPolicy retries, a connection lost or an attempt
// timed out before the answer).
//
// The read and the write are separate calls, so a change someone else
// makes in between is overwritten.
func (c *Client) UpdateAccount(ctx context.Context, uid string, change func(*AccountFields), opts ...CallOption) (*AccountUpdate, error) {
	const op = "cloud.UpdateAccount"
	if change == nil {
		return nil, apierror.Invalid(op, "nil change function")
	}
	cs := callSettings(opts)
	a, raw, err := c.lookupUID(ctx, op, uid, cs, true)
	if err != nil {
		return nil, err
	}
	read, shown, err := textMembers(op, raw)
	if err != nil {
		return nil, err
	}
	var clearUnshown []string
	if cs != nil {
		if s := transport.LookupCallExtension[settings](cs); s != nil {
			clearUnshown = s.clearUnshown
		}
	}
	before := a.Fields()
	after := before
	change(&after)
	if after.ID != before.ID {
		return nil, apierror.Invalid(op, "the change function altered the account ID")
	}
	vals := &form.Values{}
	up := &AccountUpdate{Fields: after, Sent: map[string]string{}}
	var masked, unshown []string
	for _, f := range updateFields {
		var v string
		switch text, present := read[f.name]; {
		case f.name == "id":
			v = strconv.FormatInt(a.ID, 10)
		case f.text(&after) != f.text(&before):
			v = f.text(&after)
		case present:
			if isMasked(text) || text == "" && (f.name == "emailAddress" || f.name == "uid") {
				masked = append(masked, f.name)
			}
			v = text
		default:
			if !f.cleared {
				continue // the server keeps what the call does not carry
			}
			if !shown[f.name] && !slices.Contains(clearUnshown, f.name) {
				unshown = append(unshown, f.name)
				continue
			}
			up.Cleared = append(up.Cleared, f.name)
			continue
		}
		vals.Add(f.name, v)
		up.Sent[f.name] = v
	}
	if len(masked) > 0 {
		return nil, maskedError(op, masked, fmt.Sprintf("the server masks %s of account %d (a GDPR profile on the API user?); the update would write the mask back, so nothing was sent (set the real values in the change)",
			strings.Join(masked, ", "), a.ID))
	}
	if len(unshown) > 0 {
		return nil, &apierror.Error{Op: op, Kind: ErrWouldClear, Err: &UnshownFieldsError{Fields: unshown},
			Message: fmt.Sprintf("account %d: the update call clears every field it does not carry, so nothing was sent (set the fields in the change to keep them, or name them in WithClearUnshown)", a.ID)}
	}
	if strings.TrimSpace(up.Sent["emailAddress"]) == "" {
		return nil, apierror.Invalid(op, "the update would clear the email address of account %d (the server showed none and the change set none)", a.ID)
	}
	if err := c.putAccount(ctx, op, vals.Reader(), nil, cs); err != nil {
		return nil, err
	}
	return up, nil
}

// textMembers reads the members of an account's JSON object that have a
// value (not null) as form text: a string as itself, a number or a
// boolean as its JSON text. An object or array is kept as JSON text.
// shown holds every member the object carries, null ones included.
func textMembers(op string, raw json.RawMessage) (text map[string]string, shown map[string]bool, err error) {
	var members map[string]json.RawMessage
	if err := json.Unmarshal(raw, &members); err != nil {
		return nil, nil, &apierror.Error{Op: op, Kind: apierror.ErrUnexpectedResponse, Message: "the account is not a JSON object", Err: err}
	}
	out := make(map[string]string, len(members))
	shown = make(map[string]bool, len(members))
	for k, v := range members {
		shown[k] = true
		v = bytes.TrimSpace(v)
		switch {
		case len(v) == 0 || string(v) == "null":
		case v[0] == '"':
			var s string
			if err := json.Unmarshal(v, &s); err != nil {
				return nil, nil, &apierror.Error{Op: op, Kind: apierror.ErrUnexpectedResponse, Message: "member " + k + " does not decode", Err: err}
			}
			out[k] = s
		default:
			out[k] = string(v)
		}
	}
	return out, shown, nil
}

// ChangePasswordInput is what ChangePassword sends.
type ChangePasswordInput struct {
	// UID names the account; ChangePassword reads it (GetAccountByUID) for
	// its id, emailAddress and enabled state.
	UID string
	// Password is the new password, sent as password and confirmPassword.
	// It is masked wherever the server echoes it.
	Password string
	// EmailAddress, when set, is sent instead of the address the read
	// shows (needed when the server masks it).
	EmailAddress string
	// Enabled, when set, is sent instead of the read's enabled state.
	Enabled *bool
}

// ChangePassword is the documentation's Change Password call. It sends
// its five fields and nothing else: id, emailAddress and enabled (from
// the account read by in.UID unless in gives them) and the password as
// password and confirmPassword. A masked address in the read (a GDPR
// profile on the API user) without in.EmailAddress is an error matching
// ErrMaskedField; a read without an enabled state needs in.Enabled.
func (c *Client) ChangePassword(ctx context.Context, in ChangePasswordInput, opts ...CallOption) error {
	const op = "cloud.ChangePassword"
	if in.Password == "" {
		return apierror.Invalid(op, "empty password")
	}
	cs := callSettings(opts)
	a, raw, err := c.lookupUID(ctx, op, in.UID, cs, true)
	if err != nil {
		return err
	}
	read, _, err := textMembers(op, raw)
	if err != nil {
		return err
	}
	email := in.EmailAddress
	if email == "" {
		email = read["emailAddress"]
		if email == "" || isMasked(email) {
			return maskedError(op, []string{"emailAddress"}, fmt.Sprintf("the server masks the address of account %d (a GDPR profile on the API user?); give it in ChangePasswordInput.EmailAddress", a.ID))
		}
	}
	enabled, present := read["enabled"]
	switch {
	case in.Enabled != nil:
		enabled = strconv.FormatBool(*in.Enabled)
	case !present:
		return apierror.Invalid(op, "the server showed no enabled state for account %d and the call would set one; give it in ChangePasswordInput.Enabled", a.ID)
	}
	vals := &form.Values{}
	vals.Add("emailAddress", email)
	vals.Add("id", strconv.FormatInt(a.ID, 10))
	vals.Add("enabled", enabled)
	vals.Add("password", in.Password)
	vals.Add("confirmPassword", in.Password)
	return c.putAccount(ctx, op, vals.Reader(), []string{in.Password}, cs)
}

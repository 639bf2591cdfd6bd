package cloud

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"strings"
	"time"

	"github.com/certadmin/certadmin-go/internal/apierror"
	"github.com/certadmin/certadmin-go/internal/form"
	"github.com/certadmin/certadmin-go/internal/pager"
	"github.com/certadmin/certadmin-go/internal/transport"
	"github.com/certadmin/certadmin-go/mobileiron/cloud/cloudapi"
)

// MaxPageSize is the largest rows value the API accepts.
const MaxPageSize = 500

// MaxParallel caps ListOptions.Parallel.
const MaxParallel = 16

// AccountSource is where an account comes from.
type AccountSource string

// Account sources seen in the API's answers.
const (
	AccountSourceLocal      AccountSource = "LOCAL"
	AccountSourceLDAP       AccountSource = "LDAP"
	AccountSourceSalesforce AccountSource = "SALESFORCE"
)

// SortOrder orders a listing.
type SortOrder string

// Sort orders.
const (
	SortOrderAscending  SortOrder = "ASC"
	SortOrderDescending SortOrder = "DESC"
)

// Account is a user account. As JSON (encoding/json) it takes the API's
// form: the wire names of its tags, times as milliseconds since the epoch.
type Account struct {
	ID                    int64         `json:"id"`
	UID                   string        `json:"uid,omitempty"`
	EmailAddress          string        `json:"emailAddress,omitempty"`
	Username              string        `json:"username,omitempty"`
	DisplayName           string        `json:"displayName,omitempty"`
	FirstName             string        `json:"firstName,omitempty"`
	LastName              string        `json:"lastName,omitempty"`
	AccountSource         AccountSource `json:"accountSource,omitempty"`
	AccountType           string        `json:"accountType,omitempty"`
	InviteState           string        `json:"inviteState,omitempty"`
	InviteResendCount     int           `json:"inviteResendCount"`
	InviteLastSentAt      time.Time     `json:"inviteLastSentAt,omitzero"`
	Locale                string        `json:"locale,omitempty"`
	Enabled               bool          `json:"enabled"`
	Locked                bool          `json:"locked"`
	SuperUser             bool          `json:"superUser"`
	TermsAccepted         bool          `json:"termsAccepted"`
	Trash                 bool          `json:"trash"`
	Mutable               bool          `json:"mutable"`
	LDAPServerID          FlexString    `json:"ldapServerId,omitempty"`
	DistinguishedName     string        `json:"distinguishedName,omitempty"`
	ObjectGUID            string        `json:"objectGuid,omitempty"`
	LoginFailureCount     int           `json:"loginFailureCount"`
	LoginSuccessAt        time.Time     `json:"loginSuccessAt,omitzero"`
	PasswordExpiresAt     time.Time     `json:"passwordExpiresAt,omitzero"`
	AndroidWorkUserStatus string        `json:"androidWorkUserStatus,omitempty"`
	Groups                []string      `json:"groups,omitempty"`
	DeviceCount           int           `json:"deviceCount"`
	RegistrationPIN       *AccountPIN   `json:"registrationPin,omitempty"`
	CreatedAt             time.Time     `json:"createdAt,omitzero"`
	CreatedBy             int64         `json:"createdBy,omitempty"`
	ModifiedAt            time.Time     `json:"modifiedAt,omitzero"`
	ModifiedBy            int64         `json:"modifiedBy,omitempty"`

	// PasswordHistory and AccountSettings are JSON documents the API sends
	// as text ("{}", "null" in the samples), kept as they came.
	PasswordHistory       string `json:"passwordHistory,omitempty"`
	AccountSettings       string `json:"accountSettings,omitempty"`
	AndroidWorkRetryCount int    `json:"androidWorkRetryCount"`
	GUID                  string `json:"guid,omitempty"`
	// ActionExceptionCodes is null in every sample and its shape is not
	// documented; it is kept as JSON (nil when null or absent).
	ActionExceptionCodes json.RawMessage `json:"actionExceptionCodes,omitempty"`
	// MAMWithoutMDM is the mamWithOutMDM member, which the update example
	// sends empty; its type is not documented.
	MAMWithoutMDM FlexString `json:"mamWithOutMDM,omitempty"`

	// The update call's own fields. The vendor's samples do not show them
	// in answers; they are zero when the server did not return them.
	EDIPI                           FlexString `json:"edipi,omitempty"`
	ManagedAppleID                  string     `json:"managedAppleId,omitempty"`
	GDPRProfileID                   FlexString `json:"gdprProfileId,omitempty"`
	PasswordNeverExpire             bool       `json:"passwordNeverExpire"`
	AndroidWorkDeviceAccountEnabled bool       `json:"androidWorkDeviceAccountEnabled"`

	// Unreadable names the members of the answer whose JSON type was not
	// the one documented (a number where text belongs, say); their fields
	// are left zero and the rest of the account is read. It is nil for a
	// well-formed account.
	Unreadable []string `json:"-"`
}

// AccountPIN is the registration PIN state shown with an account.
type AccountPIN struct {
	PIN       string    `json:"pin,omitempty"`
	CreatedAt time.Time `json:"createdAt,omitzero"`
	ExpiresAt time.Time `json:"expiresAt,omitzero"`
	Used      bool      `json:"used"`
}

// millis is t in milliseconds since the epoch; the zero time is 0.
func millis(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// MarshalJSON writes a in the API's form, times as milliseconds.
func (a Account) MarshalJSON() ([]byte, error) {
	type plain Account
	return json.Marshal(struct {
		plain
		InviteLastSentAt  int64 `json:"inviteLastSentAt,omitempty"`
		LoginSuccessAt    int64 `json:"loginSuccessAt,omitempty"`
		PasswordExpiresAt int64 `json:"passwordExpiresAt,omitempty"`
		CreatedAt         int64 `json:"createdAt,omitempty"`
		ModifiedAt        int64 `json:"modifiedAt,omitempty"`
	}{
		plain: plain(a), InviteLastSentAt: millis(a.InviteLastSentAt), LoginSuccessAt: millis(a.LoginSuccessAt),
		PasswordExpiresAt: millis(a.PasswordExpiresAt), CreatedAt: millis(a.CreatedAt), ModifiedAt: millis(a.ModifiedAt),
	})
}

// UnmarshalJSON reads an account in the API's form, as the list, search
// and create calls answer it.
func (a *Account) UnmarshalJSON(b []byte) error {
	var w wireAccount
	acct, err := readAccount(&w, json.Unmarshal(b, &w))
	if err != nil {
		return err
	}
	*a = acct
	return nil
}

// readAccount converts what decoding w gave: a member of the wrong JSON
// type (err is a *json.UnmarshalTypeError, after which everything else has
// been read) is named in Unreadable instead of failing the account; any
// other error is returned.
func readAccount(w *wireAccount, err error) (Account, error) {
	var te *json.UnmarshalTypeError
	if err != nil && !errors.As(err, &te) {
		return Account{}, err
	}
	a := w.account()
	if te != nil {
		a.Unreadable = []string{te.Field}
	}
	return a, nil
}

// MarshalJSON writes p in the API's form, times as milliseconds.
func (p AccountPIN) MarshalJSON() ([]byte, error) {
	type plain AccountPIN
	return json.Marshal(struct {
		plain
		CreatedAt int64 `json:"createdAt,omitempty"`
		ExpiresAt int64 `json:"expiresAt,omitempty"`
	}{plain: plain(p), CreatedAt: millis(p.CreatedAt), ExpiresAt: millis(p.ExpiresAt)})
}

// UnmarshalJSON reads a PIN in the API's form.
func (p *AccountPIN) UnmarshalJSON(b []byte) error {
	var w wirePIN
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*p = AccountPIN{PIN: w.PIN, CreatedAt: epoch(w.CreatedAt), ExpiresAt: epoch(w.ExpiresAt), Used: w.Used}
	return nil
}

// wireAccount decodes an account of an answer. It mirrors
// cloudapi.Account with values instead of pointers (null leaves the zero
// value): decoding 500-account pages into the generated model's forty
// pointers per account cost more CPU than the rest of a listing. The
// members whose JSON type the documentation leaves open take either form
// (FlexString, flexBool).
type wireAccount struct {
	ID                    int64           `json:"id"`
	CreatedAt             int64           `json:"createdAt"`
	CreatedBy             int64           `json:"createdBy"`
	ModifiedAt            int64           `json:"modifiedAt"`
	ModifiedBy            int64           `json:"modifiedBy"`
	DisplayName           string          `json:"displayName"`
	FirstName             string          `json:"firstName"`
	LastName              string          `json:"lastName"`
	LDAPServerID          FlexString      `json:"ldapServerId"`
	UID                   string          `json:"uid"`
	EmailAddress          string          `json:"emailAddress"`
	Username              string          `json:"username"`
	AccountSource         string          `json:"accountSource"`
	InviteState           string          `json:"inviteState"`
	InviteResendCount     int             `json:"inviteResendCount"`
	InviteLastSentAt      int64           `json:"inviteLastSentAt"`
	AccountType           string          `json:"accountType"`
	Locale                string          `json:"locale"`
	Enabled               bool            `json:"enabled"`
	Locked                bool            `json:"locked"`
	SuperUser             bool            `json:"superUser"`
	TermsAccepted         bool            `json:"termsAccepted"`
	PasswordExpiresAt     int64           `json:"passwordExpiresAt"`
	DistinguishedName     string          `json:"distinguishedName"`
	ObjectGUID            string          `json:"objectGuid"`
	Trash                 bool            `json:"trash"`
	Mutable               bool            `json:"mutable"`
	LoginFailureCount     int             `json:"loginFailureCount"`
	LoginSuccessAt        int64           `json:"loginSuccessAt"`
	AndroidWorkUserStatus string          `json:"androidWorkUserStatus"`
	Groups                []string        `json:"groups"`
	DeviceCount           int             `json:"deviceCount"`
	RegistrationPIN       *wirePIN        `json:"registrationPin"`
	EDIPI                 FlexString      `json:"edipi"`
	ManagedAppleID        string          `json:"managedAppleId"`
	GDPRProfileID         FlexString      `json:"gdprProfileId"`
	PasswordNeverExpire   flexBool        `json:"passwordNeverExpire"`
	AndroidWorkEnabled    flexBool        `json:"androidWorkDeviceAccountEnabled"`
	PasswordHistory       string          `json:"passwordHistory"`
	AccountSettings       string          `json:"accountSettings"`
	AndroidWorkRetryCount int             `json:"androidWorkRetryCount"`
	GUID                  string          `json:"guid"`
	ActionExceptionCodes  json.RawMessage `json:"actionExceptionCodes"`
	MAMWithoutMDM         FlexString      `json:"mamWithOutMDM"`
}

type wirePIN struct {
	CreatedAt int64  `json:"createdAt"`
	ExpiresAt int64  `json:"expiresAt"`
	PIN       string `json:"pin"`
	Used      bool   `json:"used"`
}

// epoch converts milliseconds since the epoch; 0 (null) is the zero time.
func epoch(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}

func (a *wireAccount) account() Account {
	out := Account{
		ID: a.ID, UID: a.UID, EmailAddress: a.EmailAddress, Username: a.Username, DisplayName: a.DisplayName,
		FirstName: a.FirstName, LastName: a.LastName, AccountSource: AccountSource(a.AccountSource),
		AccountType: a.AccountType, InviteState: a.InviteState, InviteResendCount: a.InviteResendCount,
		InviteLastSentAt: epoch(a.InviteLastSentAt), Locale: a.Locale, Enabled: a.Enabled, Locked: a.Locked,
		SuperUser: a.SuperUser, TermsAccepted: a.TermsAccepted, Trash: a.Trash, Mutable: a.Mutable,
		LDAPServerID: a.LDAPServerID, DistinguishedName: a.DistinguishedName, ObjectGUID: a.ObjectGUID,
		LoginFailureCount: a.LoginFailureCount, LoginSuccessAt: epoch(a.LoginSuccessAt),
		PasswordExpiresAt: epoch(a.PasswordExpiresAt), AndroidWorkUserStatus: a.AndroidWorkUserStatus,
		Groups: a.Groups, DeviceCount: a.DeviceCount, CreatedAt: epoch(a.CreatedAt), CreatedBy: a.CreatedBy,
		ModifiedAt: epoch(a.ModifiedAt), ModifiedBy: a.ModifiedBy, EDIPI: a.EDIPI, ManagedAppleID: a.ManagedAppleID,
		GDPRProfileID: a.GDPRProfileID, PasswordNeverExpire: bool(a.PasswordNeverExpire),
		AndroidWorkDeviceAccountEnabled: bool(a.AndroidWorkEnabled),
		PasswordHistory:                 a.PasswordHistory, AccountSettings: a.AccountSettings, AndroidWorkRetryCount: a.AndroidWorkRetryCount,
		GUID: a.GUID, MAMWithoutMDM: a.MAMWithoutMDM,
	}
	if len(a.ActionExceptionCodes) > 0 && string(a.ActionExceptionCodes) != "null" {
		out.ActionExceptionCodes = a.ActionExceptionCodes
	}
	if p := a.RegistrationPIN; p != nil {
		out.RegistrationPIN = &AccountPIN{PIN: p.PIN, CreatedAt: epoch(p.CreatedAt), ExpiresAt: epoch(p.ExpiresAt), Used: p.Used}
	}
	return out
}

func accountsFrom(list []wireAccount) []Account {
	if list == nil {
		return nil
	}
	out := make([]Account, len(list))
	for i := range list {
		out[i] = list[i].account()
	}
	return out
}

// ListOptions select and order accounts and shape the paging.
type ListOptions struct {
	// Query is the free-text query (q).
	Query string
	// Filter is a filter query (fq), e.g. "UID=user@example.com".
	Filter string
	// SortBy is a field name such as "displayName"; SortOrder defaults to ASC.
	SortBy    string
	SortOrder SortOrder
	// PageSize is the rows per request: 1 to 500, default 500.
	PageSize int
	// Start is the offset of the first account.
	Start int

	// Prefetch makes ListAccounts fetch the next page while the caller
	// works on the current one (two pages at most in memory).
	Prefetch bool
	// Parallel, above 1, makes ListAccounts fetch up to that many pages at
	// once once the first page has told the total, still yielding in
	// order. Pages are separate queries: accounts created or deleted during
	// the listing can shift the start offsets between pages, so an account
	// may be skipped or seen twice, more likely than with sequential paging
	// because the pages are read at slightly different moments. Use it for
	// large, quiet tenants; at most MaxParallel.
	Parallel int
}

// AccountPage is one answer of the list call.
type AccountPage struct {
	Accounts   []Account `json:"searchResults"`
	TotalCount int       `json:"totalCount"`
	Offset     int       `json:"offset"`
	// QueryTime is the server's queryTime (milliseconds on the wire).
	QueryTime time.Duration `json:"queryTime"`
	// Facets counts accounts per facet value, e.g. Facets["INVITESTATE"]["Pending"].
	Facets map[string]map[string]int64 `json:"facetedResults,omitempty"`
	// TotalUnfiltered is the server's totalUnfilteredResultCount.
	TotalUnfiltered int `json:"totalUnfilteredResultCount"`

	raw       []json.RawMessage // with pageRead.keepRaw, each account's JSON object
	items     []*Account        // with pageRead.chunked, the accounts (Accounts is empty)
	sawOffset bool              // the answer had an offset member
}

// checkOffset refuses a page whose offset is not the start asked for.
func (p *AccountPage) checkOffset(op string, start int) error {
	if p.sawOffset && p.Offset != start {
		return pager.Mismatch(op, "asked for the page at start %d, the answer says offset %d", start, p.Offset)
	}
	return nil
}

// MarshalJSON writes p in the API's form, the query time in milliseconds.
func (p AccountPage) MarshalJSON() ([]byte, error) {
	type plain AccountPage
	return json.Marshal(struct {
		plain
		QueryTime int64 `json:"queryTime"`
	}{plain: plain(p), QueryTime: p.QueryTime.Milliseconds()})
}

// UnmarshalJSON reads a page in the API's form (the result member of a
// listing answer).
func (p *AccountPage) UnmarshalJSON(b []byte) error {
	type plain AccountPage
	var w struct {
		plain
		QueryTime int64 `json:"queryTime"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*p = AccountPage(w.plain)
	p.QueryTime = msDuration(w.QueryTime)
	return nil
}

func (o *ListOptions) validate(op string) error {
	if o.PageSize == 0 {
		o.PageSize = MaxPageSize
	}
	switch {
	case o.PageSize < 0:
		return apierror.Invalid(op, "page size %d must be positive", o.PageSize)
	case o.PageSize > MaxPageSize:
		return apierror.Invalid(op, "page size %d exceeds the API's maximum of %d rows", o.PageSize, MaxPageSize)
	case o.Start < 0:
		return apierror.Invalid(op, "start %d must not be negative", o.Start)
	case o.Parallel < 0 || o.Parallel > MaxParallel:
		return apierror.Invalid(op, "parallel %d must be between 0 and %d", o.Parallel, MaxParallel)
	}
	switch o.SortOrder {
	case "", SortOrderAscending, SortOrderDescending:
	default:
		return apierror.Invalid(op, "sort order %q is not ASC or DESC", o.SortOrder)
	}
	if o.SortOrder != "" && o.SortBy == "" {
		return apierror.Invalid(op, "sort order given without a sort field")
	}
	return nil
}

// ListAccountsPage returns one page: opts.PageSize accounts from
// opts.Start (Prefetch and Parallel do not apply). The page is returned
// as the server gave it; its Offset says where the server says it starts.
func (c *Client) ListAccountsPage(ctx context.Context, opts ListOptions, callOpts ...CallOption) (*AccountPage, error) {
	const op = "cloud.ListAccountsPage"
	if err := opts.validate(op); err != nil {
		return nil, err
	}
	return c.listPage(ctx, op, opts, opts.Start, pageRead{rows: opts.PageSize, expect: opts.PageSize, facets: true}, callSettings(callOpts))
}

// listPage fetches the page of read.rows accounts at start.
func (c *Client) listPage(ctx context.Context, op string, opts ListOptions, start int, read pageRead, cs *transport.CallSettings) (*AccountPage, error) {
	p := &cloudapi.GetAccountsParams{Rows: ptr(int32(read.rows)), Start: ptr(int32(start))}
	if opts.Query != "" {
		p.Q = &opts.Query
	}
	if opts.Filter != "" {
		p.Fq = &opts.Filter
	}
	if opts.SortBy != "" {
		order := cloudapi.SortOrder(SortOrderAscending)
		if opts.SortOrder != "" {
			order = cloudapi.SortOrder(opts.SortOrder)
		}
		p.SortFields0Name, p.SortFields0Order = &opts.SortBy, &order
	}
	req, err := cloudapi.NewGetAccountsRequest(c.server, p)
	return c.decodePage(ctx, transport.Call{Op: op, Request: req, BuildErr: err, Settings: cs}, read)
}

// ListAccounts iterates over every account matching opts, fetching pages
// of opts.PageSize (default 500) lazily with start/rows. It stops at an
// empty or short page or when start reaches the latest totalCount, so a
// total that changes during the listing cannot make it loop. Invalid
// options yield one ErrInvalidInput error before any request; a failed
// page yields its error and ends the iteration. A page whose offset is not
// the start asked for, or that repeats another page's accounts, ends the
// iteration with an error matching ErrPagingMismatch: the server is not
// paging by start, and going on would yield the same accounts again.
func (c *Client) ListAccounts(ctx context.Context, opts ListOptions, callOpts ...CallOption) iter.Seq2[Account, error] {
	const op = "cloud.ListAccounts"
	if err := opts.validate(op); err != nil {
		return func(yield func(Account, error) bool) { yield(Account{}, err) }
	}
	cs := callSettings(callOpts)
	inFlight := 1
	if opts.Prefetch {
		inFlight = 2
	}
	if opts.Parallel > 1 {
		inFlight = opts.Parallel
	}
	popts := pager.Options{Op: op, PageSize: opts.PageSize, MaxPageSize: MaxPageSize, Start: opts.Start, InFlight: inFlight}
	return func(yield func(Account, error) bool) {
		// The pager gets pointers into the pages' chunks (pageRead.chunked)
		// and drops each as it yields it: what the caller has been handed
		// is freed a chunk at a time while the rest of the page, and the
		// pages fetched ahead, are held. The page checks (Guard) read the
		// accounts, not the pointers.
		pages := pager.Offset(ctx, popts, func(ctx context.Context, start, rows int) (pager.Page[*Account], error) {
			page, err := c.listPage(ctx, op, opts, start, pageRead{rows: rows, expect: rows, chunked: true}, cs)
			if err == nil {
				err = page.checkOffset(op, start)
			}
			if err != nil {
				return pager.Page[*Account]{}, err
			}
			return pager.Page[*Account]{Items: page.items, Total: page.TotalCount}, nil
		})
		for a, err := range pages {
			var acct Account
			if a != nil {
				acct = *a
			}
			if !yield(acct, err) {
				return
			}
		}
	}
}

// GetAccountByUID finds the account whose UID is uid, searching with
// fq=UID=<uid>. The search's hits are not taken on trust: only an account
// whose UID is uid is returned, compared without regard to case, as
// e-mail addresses are (the documentation says a UID is the user's e-mail
// address). Of hits that differ only in case, the one spelled exactly as
// uid wins; several without one is an ErrUnexpectedResponse error. No
// such account is an error matching ErrNotFound; hits whose UID the
// server masked (a GDPR profile on the API user) cannot be confirmed and
// give an error matching ErrMaskedField.
func (c *Client) GetAccountByUID(ctx context.Context, uid string, opts ...CallOption) (*Account, error) {
	a, _, err := c.lookupUID(ctx, "cloud.GetAccountByUID", uid, callSettings(opts), false)
	return a, err
}

// The UID search reads its hits in pages of uidPage, up to uidMaxHits: a
// filter on one UID that matches more means the server ignored it.
const (
	uidPage    = 100
	uidMaxHits = 1000
)

// hit is an account a lookup found, with its JSON object when asked for.
type hit struct {
	a   *Account // in its page's Accounts
	raw json.RawMessage
}

// lookupUID is GetAccountByUID for op; with keepRaw it also returns the
// account's JSON object as the server answered it.
func (c *Client) lookupUID(ctx context.Context, op, uid string, cs *transport.CallSettings, keepRaw bool) (*Account, json.RawMessage, error) {
	h, err := c.findUID(ctx, op, uid, cs, keepRaw)
	if err != nil {
		return nil, nil, err
	}
	return h.a, h.raw, nil
}

// findUID pages through the search for uid. It keeps the first exact and
// the first case-folded hit and counts them, no more: one of them is the
// answer or there is none.
func (c *Client) findUID(ctx context.Context, op, uid string, cs *transport.CallSettings, keepRaw bool) (hit, error) {
	if strings.TrimSpace(uid) == "" {
		return hit{}, apierror.Invalid(op, "empty UID")
	}
	var exactHit, foldedHit hit
	var exact, folded int
	masked := false
	var guard pager.Guard[Account] // a server that ignores start repeats the first page
	filter := ListOptions{Filter: "UID=" + uid}
	for start := 0; ; {
		page, err := c.listPage(ctx, op, filter, start, pageRead{rows: uidPage, expect: 1, keepRaw: keepRaw}, cs)
		if err == nil {
			err = page.checkOffset(op, start)
		}
		if err == nil {
			_, err = guard.Check(op, start, uidPage, page.Accounts)
		}
		if err != nil {
			return hit{}, err
		}
		for i := range page.Accounts {
			h := hit{a: &page.Accounts[i]}
			if keepRaw {
				h.raw = page.raw[i]
			}
			switch a := h.a; {
			case a.UID == uid:
				if exact == 0 {
					exactHit = h.own(page.Accounts)
				}
				exact++
			case strings.EqualFold(a.UID, uid):
				if folded == 0 {
					foldedHit = h.own(page.Accounts)
				}
				folded++
			case isMasked(a.UID):
				masked = true
			}
		}
		start += len(page.Accounts)
		if len(page.Accounts) < uidPage || page.TotalCount >= 0 && start >= page.TotalCount {
			break
		}
		if start >= uidMaxHits {
			return hit{}, &apierror.Error{Op: op, Kind: apierror.ErrUnexpectedResponse,
				Message: fmt.Sprintf("the search for UID %q matched more than %d accounts: the server does not filter by UID", uid, uidMaxHits)}
		}
	}
	switch {
	case exact == 1:
		return exactHit, nil
	case exact == 0 && folded == 1:
		return foldedHit, nil
	case exact+folded > 1:
		return hit{}, &apierror.Error{Op: op, Kind: apierror.ErrUnexpectedResponse,
			Message: fmt.Sprintf("%d accounts have UID %q (without regard to case)", exact+folded, uid)}
	case masked:
		return hit{}, maskedError(op, []string{"uid"}, fmt.Sprintf("the search for UID %q found accounts whose UID the server masks (a GDPR profile on the API user?), so none can be confirmed as the one", uid))
	}
	return hit{}, &apierror.Error{Op: op, Kind: apierror.ErrNotFound, Message: fmt.Sprintf("no account with UID %q", uid)}
}

// own returns h with an account of its own when its page holds room for
// others, so the account returned does not keep a page of them in memory.
func (h hit) own(page []Account) hit {
	if cap(page) > 1 {
		a := *h.a
		h.a = &a
	}
	return h
}

// NewLocalAccount is a user CreateAccounts creates without a password.
type NewLocalAccount struct {
	// EmailAddress is also the UID.
	EmailAddress string
}

// CreateAccountsInput is what CreateAccounts sends.
type CreateAccountsInput struct {
	Accounts []NewLocalAccount
	// SendInvite emails each new user an invitation.
	SendInvite bool
}

type createAccountsForm struct {
	Accounts []newAccountRow `form:"accounts"`
}

type newAccountRow struct {
	EmailAddress  string `form:"emailAddress"`
	AccountSource string `form:"accountSource"`
	UID           string `form:"uid"`
}

// CreateAccounts creates LOCAL users without a password (they set one when
// invited). It is never repeated once it may have reached the server.
func (c *Client) CreateAccounts(ctx context.Context, in CreateAccountsInput, opts ...CallOption) ([]Account, error) {
	const op = "cloud.CreateAccounts"
	if len(in.Accounts) == 0 {
		return nil, apierror.Invalid(op, "no accounts given")
	}
	f := createAccountsForm{Accounts: make([]newAccountRow, len(in.Accounts))}
	for i, a := range in.Accounts {
		if err := checkEmail(op, a.EmailAddress); err != nil {
			return nil, err
		}
		f.Accounts[i] = newAccountRow{EmailAddress: a.EmailAddress, AccountSource: string(AccountSourceLocal), UID: a.EmailAddress}
	}
	body, err := formBody(op, f)
	if err != nil {
		return nil, err
	}
	req, err := cloudapi.NewCreateAccountsRequestWithBody(c.server, &cloudapi.CreateAccountsParams{SendInvite: &in.SendInvite}, form.ContentType, body)
	list, err := result[[]wireAccount](c, ctx, transport.Call{Op: op, Request: req, BuildErr: err, Settings: callSettings(opts)})
	if err != nil {
		return nil, err
	}
	return accountsFrom(list), nil
}

// CreateAccountInput is a user CreateAccount creates with a password.
type CreateAccountInput struct {
	// EmailAddress is also the UID.
	EmailAddress string
	FirstName    string
	LastName     string
	// DisplayName defaults to "FirstName LastName".
	DisplayName string
	// AccountSource is LOCAL (the default) or LDAP.
	AccountSource AccountSource
	Password      string
	// ConfirmPassword, when set, must equal Password (e.g. typed twice in a
	// form); when empty Password is sent as both.
	ConfirmPassword string
	// SendInvite emails the new user an invitation.
	SendInvite bool
}

type createAccountForm struct {
	AccountSource   string `form:"accountSource"`
	UID             string `form:"uid"`
	EmailAddress    string `form:"emailAddress"`
	FirstName       string `form:"firstName"`
	LastName        string `form:"lastName"`
	DisplayName     string `form:"displayName"`
	Password        string `form:"password"`
	ConfirmPassword string `form:"confirmPassword"`
}

// CreateAccount creates a user with a password. It is never repeated once
// it may have reached the server.
func (c *Client) CreateAccount(ctx context.Context, in CreateAccountInput, opts ...CallOption) (*Account, error) {
	const op = "cloud.CreateAccount"
	if err := checkEmail(op, in.EmailAddress); err != nil {
		return nil, err
	}
	if in.Password == "" {
		return nil, apierror.Invalid(op, "empty password")
	}
	if in.ConfirmPassword != "" && in.ConfirmPassword != in.Password {
		return nil, apierror.Invalid(op, "password and confirmation differ")
	}
	switch in.AccountSource {
	case "":
		in.AccountSource = AccountSourceLocal
	case AccountSourceLocal, AccountSourceLDAP:
	default:
		return nil, apierror.Invalid(op, "account source %q is not LOCAL or LDAP", in.AccountSource)
	}
	if in.DisplayName == "" {
		in.DisplayName = strings.TrimSpace(in.FirstName + " " + in.LastName)
	}
	body, err := formBody(op, createAccountForm{
		AccountSource: string(in.AccountSource), UID: in.EmailAddress, EmailAddress: in.EmailAddress,
		FirstName: in.FirstName, LastName: in.LastName, DisplayName: in.DisplayName,
		Password: in.Password, ConfirmPassword: in.Password,
	})
	if err != nil {
		return nil, err
	}
	req, err := cloudapi.NewCreateAccountRequestWithBody(c.server, &cloudapi.CreateAccountParams{SendInvite: &in.SendInvite}, form.ContentType, body)
	acct, err := result[*wireAccount](c, ctx, transport.Call{Op: op, Request: req, BuildErr: err,
		Secrets: []string{in.Password}, Settings: callSettings(opts)})
	if err != nil {
		return nil, err
	}
	if acct == nil {
		return nil, unexpected(op, "result is null")
	}
	a := acct.account()
	return &a, nil
}

func checkEmail(op, email string) error {
	if strings.TrimSpace(email) == "" {
		return apierror.Invalid(op, "empty email address")
	}
	if !strings.Contains(email, "@") {
		return apierror.Invalid(op, "email address %q has no @", email)
	}
	return nil
}

// DeleteViability is the server's answer to CheckDeleteViability, as it
// gave it.
type DeleteViability struct {
	TotalCount int `json:"totalCount"`
	Offset     int `json:"offset"`
	Limit      int `json:"limit"`
	// SearchResults are the entries the server listed. The documentation
	// shows only an empty list, so their shape is unknown and they are
	// kept as JSON.
	SearchResults []json.RawMessage `json:"searchResults"`
}

// CheckDeleteViability asks the server whether the accounts can be
// deleted (GET /api/v1/account?checkDeleteViability=true&ids=…) and
// returns its answer as given. The documentation does not say what the
// answer's entries mean: its sample is an empty list with totalCount 0,
// for the account its Delete User example then deletes. Reading an empty
// list as "nothing blocks the deletion" and each entry as a reason it
// cannot go ahead is an inference this package leaves to the caller.
func (c *Client) CheckDeleteViability(ctx context.Context, ids []int64, opts ...CallOption) (*DeleteViability, error) {
	const op = "cloud.CheckDeleteViability"
	if err := checkIDs(op, ids); err != nil {
		return nil, err
	}
	req, err := cloudapi.NewGetAccountsRequest(c.server, &cloudapi.GetAccountsParams{CheckDeleteViability: ptr(true), Ids: &ids})
	res, err := result[*DeleteViability](c, ctx, transport.Call{Op: op, Request: req, BuildErr: err, Settings: callSettings(opts)})
	if err != nil {
		return nil, err
	}
	if res == nil {
		return nil, unexpected(op, "result is null")
	}
	return res, nil
}

// DeleteAccount deletes an account. Call CheckDeleteViability first. It is
// never sent twice once it may have reached the server: a repeat of a
// delete that succeeded would report the account as missing.
func (c *Client) DeleteAccount(ctx context.Context, id int64, opts ...CallOption) error {
	const op = "cloud.DeleteAccount"
	if err := checkIDs(op, []int64{id}); err != nil {
		return err
	}
	req, err := cloudapi.NewDeleteAccountRequest(c.server, &cloudapi.DeleteAccountParams{Id: id})
	return c.action(ctx, transport.Call{Op: op, Request: req, BuildErr: err, Settings: callSettings(opts)})
}

func checkIDs(op string, ids []int64) error {
	if len(ids) == 0 {
		return apierror.Invalid(op, "no account IDs given")
	}
	for _, id := range ids {
		if id <= 0 {
			return apierror.Invalid(op, "account ID %d must be positive", id)
		}
	}
	return nil
}

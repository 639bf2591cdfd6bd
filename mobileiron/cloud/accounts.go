package cloud

import (
	"context"
	"encoding/json"
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
	SourceLocal      AccountSource = "LOCAL"
	SourceLDAP       AccountSource = "LDAP"
	SourceSalesforce AccountSource = "SALESFORCE"
)

// SortOrder orders a listing.
type SortOrder string

// Sort orders.
const (
	Ascending  SortOrder = "ASC"
	Descending SortOrder = "DESC"
)

// Account is a user account.
type Account struct {
	ID                    int64
	UID                   string
	EmailAddress          string
	Username              string
	DisplayName           string
	FirstName             string
	LastName              string
	AccountSource         AccountSource
	AccountType           string
	InviteState           string
	InviteResendCount     int
	InviteLastSentAt      time.Time
	Locale                string
	Enabled               bool
	Locked                bool
	SuperUser             bool
	TermsAccepted         bool
	Trash                 bool
	Mutable               bool
	LDAPServerID          int64
	DistinguishedName     string
	ObjectGUID            string
	LoginFailureCount     int
	LoginSuccessAt        time.Time
	PasswordExpiresAt     time.Time
	AndroidWorkUserStatus string
	Groups                []string
	DeviceCount           int
	RegistrationPIN       *AccountPIN
	CreatedAt             time.Time
	CreatedBy             int64
	ModifiedAt            time.Time
	ModifiedBy            int64

	// The update call's own fields. The seed's samples do not show them in
	// answers; they are nil when the server did not return them, and then
	// UpdateAccount cannot keep them (see UpdateAccount).
	EDIPI                           *string
	ManagedAppleID                  *string
	GDPRProfileID                   *int64
	PasswordNeverExpire             *bool
	AndroidWorkDeviceAccountEnabled *bool
}

// AccountPIN is the registration PIN state shown with an account.
type AccountPIN struct {
	PIN       string
	CreatedAt time.Time
	ExpiresAt time.Time
	Used      bool
}

// wireAccount decodes an account of an answer. It mirrors
// cloudapi.Account with values instead of pointers (null leaves the zero
// value): decoding 500-account pages into the generated model's forty
// pointers per account cost more CPU than the rest of a listing. The
// update call's fields stay pointers, so "not returned" remains visible.
type wireAccount struct {
	ID                    int64    `json:"id"`
	CreatedAt             int64    `json:"createdAt"`
	CreatedBy             int64    `json:"createdBy"`
	ModifiedAt            int64    `json:"modifiedAt"`
	ModifiedBy            int64    `json:"modifiedBy"`
	DisplayName           string   `json:"displayName"`
	FirstName             string   `json:"firstName"`
	LastName              string   `json:"lastName"`
	LDAPServerID          int64    `json:"ldapServerId"`
	UID                   string   `json:"uid"`
	EmailAddress          string   `json:"emailAddress"`
	Username              string   `json:"username"`
	AccountSource         string   `json:"accountSource"`
	InviteState           string   `json:"inviteState"`
	InviteResendCount     int      `json:"inviteResendCount"`
	InviteLastSentAt      int64    `json:"inviteLastSentAt"`
	AccountType           string   `json:"accountType"`
	Locale                string   `json:"locale"`
	Enabled               bool     `json:"enabled"`
	Locked                bool     `json:"locked"`
	SuperUser             bool     `json:"superUser"`
	TermsAccepted         bool     `json:"termsAccepted"`
	PasswordExpiresAt     int64    `json:"passwordExpiresAt"`
	DistinguishedName     string   `json:"distinguishedName"`
	ObjectGUID            string   `json:"objectGuid"`
	Trash                 bool     `json:"trash"`
	Mutable               bool     `json:"mutable"`
	LoginFailureCount     int      `json:"loginFailureCount"`
	LoginSuccessAt        int64    `json:"loginSuccessAt"`
	AndroidWorkUserStatus string   `json:"androidWorkUserStatus"`
	Groups                []string `json:"groups"`
	DeviceCount           int      `json:"deviceCount"`
	RegistrationPIN       *wirePIN `json:"registrationPin"`
	EDIPI                 *string  `json:"edipi"`
	ManagedAppleID        *string  `json:"managedAppleId"`
	GDPRProfileID         *int64   `json:"gdprProfileId"`
	PasswordNeverExpire   *bool    `json:"passwordNeverExpire"`
	AndroidWorkEnabled    *bool    `json:"androidWorkDeviceAccountEnabled"`
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
		GDPRProfileID: a.GDPRProfileID, PasswordNeverExpire: a.PasswordNeverExpire,
		AndroidWorkDeviceAccountEnabled: a.AndroidWorkEnabled,
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

	// Prefetch fetches the next page while the caller works on the current
	// one (two pages at most in memory).
	Prefetch bool
	// Parallel, above 1, fetches up to that many pages at once once the
	// first page has told the total, still yielding in order. Pages are
	// separate queries: accounts created or deleted during the listing can
	// shift the start offsets between pages, so an account may be skipped
	// or seen twice, more likely than with sequential paging because the
	// pages are read at slightly different moments. Use it for large,
	// quiet tenants; at most MaxParallel.
	Parallel int
}

// AccountPage is one answer of the list call.
type AccountPage struct {
	Accounts   []Account
	TotalCount int
	Offset     int
	QueryTime  time.Duration
	// Facets counts accounts per facet value, e.g. Facets["INVITESTATE"]["Pending"].
	Facets map[string]map[string]int64
	// TotalUnfiltered is the server's totalUnfilteredResultCount.
	TotalUnfiltered int
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
	case "", Ascending, Descending:
	default:
		return apierror.Invalid(op, "sort order %q is not ASC or DESC", o.SortOrder)
	}
	if o.SortOrder != "" && o.SortBy == "" {
		return apierror.Invalid(op, "sort order given without a sort field")
	}
	return nil
}

// ListAccounts returns one page: opts.PageSize accounts from opts.Start.
func (c *Client) ListAccounts(ctx context.Context, opts ListOptions) (*AccountPage, error) {
	const op = "cloud.ListAccounts"
	if err := opts.validate(op); err != nil {
		return nil, err
	}
	return c.listPage(ctx, op, opts, opts.Start, opts.PageSize)
}

func (c *Client) listPage(ctx context.Context, op string, opts ListOptions, start, rows int) (*AccountPage, error) {
	p := &cloudapi.GetAccountsParams{Rows: ptr(int32(rows)), Start: ptr(int32(start))}
	if opts.Query != "" {
		p.Q = &opts.Query
	}
	if opts.Filter != "" {
		p.Fq = &opts.Filter
	}
	if opts.SortBy != "" {
		order := cloudapi.SortOrder(Ascending)
		if opts.SortOrder != "" {
			order = cloudapi.SortOrder(opts.SortOrder)
		}
		p.SortFields0Name, p.SortFields0Order = &opts.SortBy, &order
	}
	resp, err := c.raw.GetAccounts(ctx, p) //nolint:bodyclose // result closes it
	return c.decodePage(op, resp, err, rows)
}

// Accounts iterates over every account matching opts, fetching pages of
// opts.PageSize (default 500) lazily with start/rows. It stops at an empty
// or short page or when start reaches the latest totalCount, so a total
// that changes during the listing cannot make it loop. Invalid options
// yield one ErrInvalidInput error before any request; a failed page yields
// its error and ends the iteration.
func (c *Client) Accounts(ctx context.Context, opts ListOptions) iter.Seq2[Account, error] {
	const op = "cloud.Accounts"
	if err := opts.validate(op); err != nil {
		return func(yield func(Account, error) bool) { yield(Account{}, err) }
	}
	inFlight := 1
	if opts.Prefetch {
		inFlight = 2
	}
	if opts.Parallel > 1 {
		inFlight = opts.Parallel
	}
	popts := pager.Options{PageSize: opts.PageSize, MaxPageSize: MaxPageSize, Start: opts.Start, InFlight: inFlight}
	return pager.Offset(ctx, popts, func(ctx context.Context, start, rows int) (pager.Page[Account], error) {
		page, err := c.listPage(ctx, op, opts, start, rows)
		if err != nil {
			return pager.Page[Account]{}, err
		}
		return pager.Page[Account]{Items: page.Accounts, Total: page.TotalCount}, nil
	})
}

// AccountByUID finds the account whose UID is uid (fq=UID=<uid>). No match
// is an error matching ErrNotFound.
func (c *Client) AccountByUID(ctx context.Context, uid string) (Account, error) {
	const op = "cloud.AccountByUID"
	if strings.TrimSpace(uid) == "" {
		return Account{}, apierror.Invalid(op, "empty UID")
	}
	page, err := c.listPage(ctx, op, ListOptions{Filter: "UID=" + uid}, 0, 2)
	if err != nil {
		return Account{}, err
	}
	for _, a := range page.Accounts {
		if strings.EqualFold(a.UID, uid) {
			return a, nil
		}
	}
	if len(page.Accounts) == 1 {
		return page.Accounts[0], nil
	}
	return Account{}, &apierror.Error{Op: op, Kind: apierror.ErrNotFound, Message: fmt.Sprintf("no account with UID %q", uid)}
}

// NewLocalAccount is a user created without a password (CreateAccounts).
type NewLocalAccount struct {
	// EmailAddress is also the UID.
	EmailAddress string
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
// invited). sendInvite emails each an invitation. It is never retried once
// it may have reached the server.
func (c *Client) CreateAccounts(ctx context.Context, sendInvite bool, accounts ...NewLocalAccount) ([]Account, error) {
	const op = "cloud.CreateAccounts"
	if len(accounts) == 0 {
		return nil, apierror.Invalid(op, "no accounts given")
	}
	f := createAccountsForm{Accounts: make([]newAccountRow, len(accounts))}
	for i, a := range accounts {
		if err := checkEmail(op, a.EmailAddress); err != nil {
			return nil, err
		}
		f.Accounts[i] = newAccountRow{EmailAddress: a.EmailAddress, AccountSource: string(SourceLocal), UID: a.EmailAddress}
	}
	body, err := formBody(op, f)
	if err != nil {
		return nil, err
	}
	resp, err := c.raw.CreateAccountsWithBody(notRepeated(ctx), &cloudapi.CreateAccountsParams{SendInvite: &sendInvite}, form.ContentType, body) //nolint:bodyclose // result closes it
	list, err := result[[]wireAccount](c, op, resp, err)
	if err != nil {
		return nil, err
	}
	return accountsFrom(list), nil
}

// NewAccount is a user created with a password (CreateAccount).
type NewAccount struct {
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

// CreateAccount creates a user with a password. It is never retried once
// it may have reached the server.
func (c *Client) CreateAccount(ctx context.Context, a NewAccount, sendInvite bool) (Account, error) {
	const op = "cloud.CreateAccount"
	if err := checkEmail(op, a.EmailAddress); err != nil {
		return Account{}, err
	}
	if a.Password == "" {
		return Account{}, apierror.Invalid(op, "empty password")
	}
	if a.ConfirmPassword != "" && a.ConfirmPassword != a.Password {
		return Account{}, apierror.Invalid(op, "password and confirmation differ")
	}
	switch a.AccountSource {
	case "":
		a.AccountSource = SourceLocal
	case SourceLocal, SourceLDAP:
	default:
		return Account{}, apierror.Invalid(op, "account source %q is not LOCAL or LDAP", a.AccountSource)
	}
	if a.DisplayName == "" {
		a.DisplayName = strings.TrimSpace(a.FirstName + " " + a.LastName)
	}
	body, err := formBody(op, createAccountForm{
		AccountSource: string(a.AccountSource), UID: a.EmailAddress, EmailAddress: a.EmailAddress,
		FirstName: a.FirstName, LastName: a.LastName, DisplayName: a.DisplayName,
		Password: a.Password, ConfirmPassword: a.Password,
	})
	if err != nil {
		return Account{}, err
	}
	resp, err := c.raw.CreateAccountWithBody(notRepeated(transport.WithSecrets(ctx, a.Password, a.ConfirmPassword)), &cloudapi.CreateAccountParams{SendInvite: &sendInvite}, form.ContentType, body) //nolint:bodyclose // result closes it
	acct, err := result[*wireAccount](c, op, resp, err)
	if err != nil {
		return Account{}, err
	}
	if acct == nil {
		return Account{}, unexpected(op, "result is null")
	}
	return acct.account(), nil
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

// DeleteViability is the answer of CheckDeleteViability.
type DeleteViability struct {
	// Deletable is true when the server listed nothing that blocks deletion.
	Deletable bool
	// Blocking holds the entries the server listed; their shape is not
	// documented, so they are kept as JSON.
	Blocking []json.RawMessage
}

// CheckDeleteViability asks whether the accounts can be deleted.
func (c *Client) CheckDeleteViability(ctx context.Context, ids ...int64) (DeleteViability, error) {
	const op = "cloud.CheckDeleteViability"
	if err := checkIDs(op, ids); err != nil {
		return DeleteViability{}, err
	}
	resp, err := c.raw.GetAccounts(ctx, &cloudapi.GetAccountsParams{CheckDeleteViability: ptr(true), Ids: &ids}) //nolint:bodyclose // result, action or JSONBody closes it
	res, err := result[*struct {
		TotalCount    int64             `json:"totalCount"`
		SearchResults []json.RawMessage `json:"searchResults"`
	}](c, op, resp, err)
	if err != nil {
		return DeleteViability{}, err
	}
	if res == nil {
		return DeleteViability{}, unexpected(op, "result is null")
	}
	return DeleteViability{Deletable: len(res.SearchResults) == 0 && res.TotalCount == 0, Blocking: res.SearchResults}, nil
}

// DeleteAccount deletes an account. Call CheckDeleteViability first. It is
// never sent twice once it may have reached the server: a repeat of a delete
// that succeeded would report the account as missing.
func (c *Client) DeleteAccount(ctx context.Context, id int64) error {
	const op = "cloud.DeleteAccount"
	if err := checkIDs(op, []int64{id}); err != nil {
		return err
	}
	resp, err := c.raw.DeleteAccount(notRepeated(ctx), &cloudapi.DeleteAccountParams{Id: id}) //nolint:bodyclose // result, action or JSONBody closes it
	return c.action(op, resp, err)
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

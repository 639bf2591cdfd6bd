package cloudtest

import (
	"embed"
	"encoding/json"
	"fmt"

	"github.com/certadmin/certadmin-go/mobileiron/cloud/cloudapi"
	"github.com/certadmin/certadmin-go/mobileiron/cloud/internal/lenient"
)

// fixtures are the sample answers of the vendor's documentation, verbatim.
//
//go:embed testdata/*.json
var fixtures embed.FS

// Fixture returns a sample of the vendor's documentation by file name (e.g.
// "get_all_accounts_response.json"), exactly as the vendor printed it.
func Fixture(name string) ([]byte, error) { return fixtures.ReadFile("testdata/" + name) }

// Lenient decodes a vendor sample that is not quite JSON, as the vendor's
// documentation prints some: an elided array element written as "…", and
// an object whose opening brace was lost. The fixture files stay verbatim;
// only the decoding copes.
func Lenient(data []byte, v any) error {
	if err := lenient.Decode(data, v); err != nil {
		return fmt.Errorf("cloudtest: %w", err)
	}
	return nil
}

// account is the fake's stored form of an account: values, not pointers,
// so 100 000 of them stay small.
type account struct {
	ID                              int64
	CreatedAt, ModifiedAt           int64 // ms; 0 is null
	CreatedBy, ModifiedBy           int64
	UID, Email, Username            string
	FirstName, LastName, Display    string
	Source, AccountType, Locale     string
	InviteState                     string
	InviteResendCount               int32
	InviteLastSentAt                int64
	Enabled, Locked, SuperUser      bool
	TermsAccepted, Mutable, Trash   bool
	LoginFailureCount               int32
	LoginSuccessAt                  int64
	PasswordHistory                 string
	AndroidWorkUserStatus           string
	Groups                          []string
	DeviceCount                     int32
	PIN                             *cloudapi.AccountPin
	EDIPI, ManagedAppleID           string
	GDPRProfileID                   int64
	PasswordNeverExpire             bool
	AndroidWorkDeviceAccountEnabled bool
	PasswordSet                     bool
	Ownership                       string
	Attrs                           map[string][]string

	// enc caches the account's JSON for listings; nil after a change.
	enc []byte
}

// encoded returns a's JSON, encoding it on first use after a change. The
// cache keeps the fake's CPU out of paging benchmarks, where the server's
// cost is meant to be the configured latency only.
func (a *account) encoded() []byte {
	if a.enc == nil {
		a.enc, _ = json.Marshal(toWire(*a))
	}
	return a.enc
}

func fromWire(a *cloudapi.Account) *account {
	d := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	b := func(p *bool) bool { return p != nil && *p }
	i := func(p *int64) int64 {
		if p == nil {
			return 0
		}
		return *p
	}
	i32 := func(p *int32) int32 {
		if p == nil {
			return 0
		}
		return *p
	}
	out := &account{
		ID: i(a.Id), CreatedAt: i(a.CreatedAt), ModifiedAt: i(a.ModifiedAt), CreatedBy: i(a.CreatedBy), ModifiedBy: i(a.ModifiedBy),
		UID: d(a.Uid), Email: d(a.EmailAddress), Username: d(a.Username), FirstName: d(a.FirstName), LastName: d(a.LastName),
		Display: d(a.DisplayName), Source: d(a.AccountSource), AccountType: d(a.AccountType), Locale: d(a.Locale),
		InviteState: d(a.InviteState), InviteResendCount: i32(a.InviteResendCount), InviteLastSentAt: i(a.InviteLastSentAt),
		Enabled: b(a.Enabled), Locked: b(a.Locked), SuperUser: b(a.SuperUser), TermsAccepted: b(a.TermsAccepted),
		Mutable: b(a.Mutable), Trash: b(a.Trash), LoginFailureCount: i32(a.LoginFailureCount), LoginSuccessAt: i(a.LoginSuccessAt),
		PasswordHistory: d(a.PasswordHistory), AndroidWorkUserStatus: d(a.AndroidWorkUserStatus), DeviceCount: i32(a.DeviceCount),
		PIN: a.RegistrationPin,
	}
	if a.Groups != nil {
		out.Groups = *a.Groups
	}
	return out
}

func toWire(a account) *cloudapi.Account {
	s := func(v string) *string {
		if v == "" {
			return nil
		}
		return &v
	}
	ms := func(v int64) *int64 {
		if v == 0 {
			return nil
		}
		return &v
	}
	out := &cloudapi.Account{
		Id: &a.ID, CreatedAt: ms(a.CreatedAt), CreatedBy: ms(a.CreatedBy), ModifiedAt: ms(a.ModifiedAt), ModifiedBy: ms(a.ModifiedBy),
		Uid: s(a.UID), EmailAddress: s(a.Email), Username: s(a.Username), FirstName: s(a.FirstName), LastName: s(a.LastName),
		DisplayName: s(a.Display), AccountSource: s(a.Source), AccountType: s(a.AccountType), Locale: s(a.Locale),
		InviteState: s(a.InviteState), InviteResendCount: &a.InviteResendCount, InviteLastSentAt: ms(a.InviteLastSentAt),
		Enabled: &a.Enabled, Locked: &a.Locked, SuperUser: &a.SuperUser, TermsAccepted: &a.TermsAccepted, Mutable: &a.Mutable,
		Trash: &a.Trash, LoginFailureCount: &a.LoginFailureCount, LoginSuccessAt: ms(a.LoginSuccessAt),
		PasswordHistory: s(a.PasswordHistory), AndroidWorkUserStatus: s(a.AndroidWorkUserStatus), DeviceCount: &a.DeviceCount,
		RegistrationPin: a.PIN, Edipi: &a.EDIPI, ManagedAppleId: &a.ManagedAppleID, PasswordNeverExpire: &a.PasswordNeverExpire,
		AndroidWorkDeviceAccountEnabled: &a.AndroidWorkDeviceAccountEnabled,
	}
	if a.GDPRProfileID != 0 {
		out.GdprProfileId = &a.GDPRProfileID
	}
	if a.Groups != nil {
		g := a.Groups
		out.Groups = &g
	}
	return out
}

package cloud

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"github.com/certadmin/certadmin-go/internal/apierror"
	"github.com/certadmin/certadmin-go/internal/form"
	"github.com/certadmin/certadmin-go/mobileiron/cloud/cloudapi"
)

// DeviceOwnership is the ownership set on a user's devices.
type DeviceOwnership string

// Device ownership types.
const (
	OwnershipEmployee DeviceOwnership = "EMPLOYEE"
	OwnershipCompany  DeviceOwnership = "COMPANY"
	OwnershipUnknown  DeviceOwnership = "UNKNOWN"
)

// Valid reports whether o is one of the API's values; "" (not set) is valid.
func (o DeviceOwnership) Valid() bool {
	switch o {
	case "", OwnershipEmployee, OwnershipCompany, OwnershipUnknown:
		return true
	}
	return false
}

type inviteForm struct {
	AccountIDs []int64 `form:"accountIds"`
	Ownership  string  `form:"deviceOwnershipType,omitempty"`
}

// InviteUsers invites the accounts to register, optionally setting their
// device ownership ("" leaves it unset). It is never retried once it may
// have reached the server (the user would get two emails).
func (c *Client) InviteUsers(ctx context.Context, ownership DeviceOwnership, accountIDs ...int64) error {
	const op = "cloud.InviteUsers"
	if err := checkIDs(op, accountIDs); err != nil {
		return err
	}
	if !ownership.Valid() {
		return apierror.Invalid(op, "device ownership %q is not EMPLOYEE, COMPANY or UNKNOWN", ownership)
	}
	body, err := formBody(op, inviteForm{AccountIDs: accountIDs, Ownership: string(ownership)})
	if err != nil {
		return err
	}
	resp, err := c.raw.InviteEndUsersWithBody(notRepeated(ctx), form.ContentType, body) //nolint:bodyclose // result, action or JSONBody closes it
	ok, err := result[*bool](c, op, resp, err)
	if err != nil {
		return err
	}
	if ok == nil || !*ok {
		return unexpected(op, "result is not true")
	}
	return nil
}

// EnrollmentURLs creates enrollment URLs (no PIN needed) valid for
// lifetime, keyed by account ID. Not retried once sent.
func (c *Client) EnrollmentURLs(ctx context.Context, lifetime time.Duration, accountIDs ...int64) (map[int64]string, error) {
	const op = "cloud.EnrollmentURLs"
	if err := checkIDs(op, accountIDs); err != nil {
		return nil, err
	}
	if lifetime < time.Millisecond {
		return nil, apierror.Invalid(op, "token lifetime %s must be at least 1ms", lifetime)
	}
	resp, err := c.raw.CreateEnrollmentUrls(notRepeated(ctx), cloudapi.EnrollmentUrlRequest{AccountIds: accountIDs, TokenLifetime: lifetime.Milliseconds()}) //nolint:bodyclose // result, action or JSONBody closes it
	m, err := result[map[string]string](c, op, resp, err)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]string, len(m))
	for k, v := range m {
		id, perr := strconv.ParseInt(k, 10, 64)
		if perr != nil {
			return nil, unexpected(op, "result key "+strconv.Quote(k)+" is not an account ID")
		}
		out[id] = v
	}
	return out, nil
}

// RegistrationPIN is a generated device registration PIN.
type RegistrationPIN struct {
	ID        int64
	AccountID int64
	PIN       string
	CreatedAt time.Time
	CreatedBy int64
	ExpiresAt time.Time
	Used      bool
}

type accountIDsForm struct {
	AccountIDs []int64 `form:"accountIds"`
}

// GenerateRegistrationPINs creates a registration PIN per account. The
// registration policy must be PIN mode first (SetRegistrationPolicy). Not
// retried once sent.
func (c *Client) GenerateRegistrationPINs(ctx context.Context, accountIDs ...int64) ([]RegistrationPIN, error) {
	const op = "cloud.GenerateRegistrationPINs"
	if err := checkIDs(op, accountIDs); err != nil {
		return nil, err
	}
	body, err := formBody(op, accountIDsForm{AccountIDs: accountIDs})
	if err != nil {
		return nil, err
	}
	resp, err := c.raw.GenerateRegistrationPinsWithBody(notRepeated(ctx), form.ContentType, body) //nolint:bodyclose // result, action or JSONBody closes it
	list, err := result[[]cloudapi.RegistrationPin](c, op, resp, err)
	if err != nil {
		return nil, err
	}
	out := make([]RegistrationPIN, 0, len(list))
	for _, p := range list {
		out = append(out, RegistrationPIN{
			ID: deref(p.Id), AccountID: deref(p.AccountId), PIN: deref(p.Pin), CreatedAt: msTime(p.CreatedAt),
			CreatedBy: deref(p.CreatedBy), ExpiresAt: msTime(p.ExpiresAt), Used: deref(p.Used),
		})
	}
	return out, nil
}

// RegistrationAuthMode is what a user is asked for when registering a
// device. The seed gives the value of PIN-only mode; the password and
// password-and-PIN modes exist but their values are not documented.
type RegistrationAuthMode string

// AuthModePIN asks for a PIN only (needed by GenerateRegistrationPINs).
const AuthModePIN RegistrationAuthMode = "PIN"

// RegistrationPolicy is the device registration authentication policy.
type RegistrationPolicy struct {
	// ID and UUID identify the tenant's policy (read-only; sent back as is).
	ID          int64
	UUID        string
	SystemName  string
	Name        string
	Description string
	Enabled     bool
	Priority    int64

	PolicyDataMutable   bool
	DistributionMutable bool
	PriorityMutable     bool
	Deletable           bool

	Mode           RegistrationAuthMode
	PINType        string // "NUMERIC" in the seed
	PINLength      int
	PINLifetime    time.Duration
	PINResetByUser bool
}

// PINOnlyPolicy is the seed's example policy: a 4-digit numeric PIN valid
// for 7 days, resettable by the user.
func PINOnlyPolicy() RegistrationPolicy {
	return RegistrationPolicy{
		SystemName: "registrationAuthUserPolicy", Name: "Device Registration Authentication Type",
		Description: "PIN Only Setting", Enabled: true, Priority: 2147483647, PolicyDataMutable: true,
		Mode: AuthModePIN, PINType: "NUMERIC", PINLength: 4, PINLifetime: 7 * 24 * time.Hour, PINResetByUser: true,
	}
}

// SetRegistrationPolicy sets the registration authentication policy
// (policyType REGISTRATION_AUTH).
func (c *Client) SetRegistrationPolicy(ctx context.Context, p RegistrationPolicy) error {
	const op = "cloud.SetRegistrationPolicy"
	switch {
	case p.Mode == "":
		return apierror.Invalid(op, "empty registration auth mode")
	case p.PINLength < 0:
		return apierror.Invalid(op, "PIN length %d is negative", p.PINLength)
	case p.PINLifetime < 0:
		return apierror.Invalid(op, "PIN lifetime %s is negative", p.PINLifetime)
	}
	body := cloudapi.RegistrationPolicy{
		SystemName: nonZero(p.SystemName), Name: nonZero(p.Name), Description: nonZero(p.Description),
		PolicyType: ptr("REGISTRATION_AUTH"), Priority: nonZero(p.Priority), Enabled: &p.Enabled,
		PolicyDataMutable: &p.PolicyDataMutable, DistributionMutable: &p.DistributionMutable,
		PriorityMutable: &p.PriorityMutable, Deletable: &p.Deletable,
		RegistrationAuthMode: string(p.Mode), PinType: nonZero(p.PINType), PinResetByUser: &p.PINResetByUser,
		Id: nonZero(p.ID), Uuid: nonZero(p.UUID),
	}
	if p.PINLength > 0 {
		body.PinLength = ptr(int32(p.PINLength))
	}
	if p.PINLifetime > 0 {
		body.PinLifetimeMillis = ptr(p.PINLifetime.Milliseconds())
	}
	resp, err := c.raw.UpdateUserPolicy(ctx, &cloudapi.UpdateUserPolicyParams{PolicyType: cloudapi.REGISTRATIONAUTH}, body) //nolint:bodyclose // result, action or JSONBody closes it
	return c.action(op, resp, err)
}

func nonZero[T comparable](v T) *T {
	var zero T
	if v == zero {
		return nil
	}
	return &v
}

// SetCustomAttributes applies custom attributes (name → values) to the
// accounts. forceOverwrite replaces values already set. Not retried once
// sent (a PATCH).
func (c *Client) SetCustomAttributes(ctx context.Context, attrs map[string][]string, forceOverwrite bool, accountIDs ...int64) error {
	const op = "cloud.SetCustomAttributes"
	if err := checkIDs(op, accountIDs); err != nil {
		return err
	}
	if len(attrs) == 0 {
		return apierror.Invalid(op, "no attributes given")
	}
	for name := range attrs {
		if name == "" {
			return apierror.Invalid(op, "empty attribute name")
		}
	}
	req := cloudapi.CustomAttributesRequest{ForceOverwrite: &forceOverwrite}
	req.Attrs.Attrs = attrs
	for _, id := range accountIDs {
		req.Ids = append(req.Ids, strconv.FormatInt(id, 10))
	}
	resp, err := c.raw.SetCustomAttributes(ctx, req) //nolint:bodyclose // result, action or JSONBody closes it
	return c.action(op, resp, err)
}

// AccountMetadata describes the calling account: its authorities,
// partitions and console preferences.
type AccountMetadata struct {
	AccountID             int64
	DisplayName           string
	FirstName             string
	LastName              string
	EmailAddress          string
	DefaultCMPartitionID  int64
	DefaultDMPartitionID  int64
	GlobalAuthorities     []string
	DMPartitions          map[int64]Partition
	CMPartitions          map[int64]Partition
	GroupIDAllUsers       int64
	AllDevicesRuleGroupID int64
	// Preferences are the web console's preferences, as JSON.
	Preferences json.RawMessage
}

// Partition is a device (DM) or content (CM) partition and the caller's
// authorities in it.
type Partition struct {
	Name        string
	Authorities []string
}

// Metadata returns the calling account's metadata.
func (c *Client) Metadata(ctx context.Context) (*AccountMetadata, error) {
	const op = "cloud.Metadata"
	resp, err := c.raw.GetAccountMetadata(ctx) //nolint:bodyclose // result, action or JSONBody closes it
	m, err := result[*cloudapi.AccountMetadata](c, op, resp, err)
	if err != nil {
		return nil, err
	}
	if m == nil {
		return nil, unexpected(op, "result is null")
	}
	out := &AccountMetadata{
		AccountID: deref(m.AccountId), DisplayName: deref(m.DisplayName), FirstName: deref(m.FirstName),
		LastName: deref(m.LastName), EmailAddress: deref(m.EmailAddress),
		DefaultCMPartitionID: deref(m.DefaultCmPartitionId), DefaultDMPartitionID: deref(m.DefaultDmPartitionId),
		GlobalAuthorities: deref(m.GlobalAuthorities), GroupIDAllUsers: deref(m.GroupIdAllUsers),
		AllDevicesRuleGroupID: deref(m.AllDevicesRuleGroupId),
	}
	if out.DMPartitions, err = partitions(op, m.DmPartitions); err != nil {
		return nil, err
	}
	if out.CMPartitions, err = partitions(op, m.CmPartitions); err != nil {
		return nil, err
	}
	if m.Preferences != nil {
		out.Preferences, _ = json.Marshal(*m.Preferences)
	}
	return out, nil
}

func partitions(op string, in *map[string]cloudapi.Partition) (map[int64]Partition, error) {
	if in == nil {
		return nil, nil
	}
	out := make(map[int64]Partition, len(*in))
	for k, p := range *in {
		id, err := strconv.ParseInt(k, 10, 64)
		if err != nil {
			return nil, unexpected(op, "partition key "+strconv.Quote(k)+" is not an ID")
		}
		out[id] = Partition{Name: deref(p.Name), Authorities: deref(p.Authorities)}
	}
	return out, nil
}

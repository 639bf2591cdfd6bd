package cloud

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/certadmin/certadmin-go/internal/apierror"
	"github.com/certadmin/certadmin-go/internal/form"
	"github.com/certadmin/certadmin-go/internal/transport"
	"github.com/certadmin/certadmin-go/mobileiron/cloud/cloudapi"
)

// DeviceOwnership is the ownership set on a user's devices.
type DeviceOwnership string

// Device ownership types.
const (
	DeviceOwnershipEmployee DeviceOwnership = "EMPLOYEE"
	DeviceOwnershipCompany  DeviceOwnership = "COMPANY"
	DeviceOwnershipUnknown  DeviceOwnership = "UNKNOWN"
)

// Valid reports whether o is one of the API's values; "" (not set) is valid.
func (o DeviceOwnership) Valid() bool {
	switch o {
	case "", DeviceOwnershipEmployee, DeviceOwnershipCompany, DeviceOwnershipUnknown:
		return true
	}
	return false
}

// InviteUsersInput is what InviteUsers sends.
type InviteUsersInput struct {
	AccountIDs []int64
	// Ownership, when set, is the ownership of the users' devices.
	Ownership DeviceOwnership
}

type inviteForm struct {
	AccountIDs []int64 `form:"accountIds"`
	Ownership  string  `form:"deviceOwnershipType,omitempty"`
}

// InviteUsers invites the accounts to register, optionally setting their
// device ownership. It is never repeated once it may have reached the
// server (the user would get two emails).
func (c *Client) InviteUsers(ctx context.Context, in InviteUsersInput, opts ...CallOption) error {
	const op = "cloud.InviteUsers"
	if err := checkIDs(op, in.AccountIDs); err != nil {
		return err
	}
	if !in.Ownership.Valid() {
		return apierror.Invalid(op, "device ownership %q is not EMPLOYEE, COMPANY or UNKNOWN", in.Ownership)
	}
	body, err := formBody(op, inviteForm{AccountIDs: in.AccountIDs, Ownership: string(in.Ownership)})
	if err != nil {
		return err
	}
	req, err := cloudapi.NewInviteEndUsersRequestWithBody(c.server, form.ContentType, body)
	ok, err := result[*bool](c, ctx, transport.Call{Op: op, Request: req, BuildErr: err, Settings: callSettings(opts)})
	if err != nil {
		return err
	}
	if ok == nil || !*ok {
		return unexpected(op, "result is not true")
	}
	return nil
}

// CreateEnrollmentURLsInput is what CreateEnrollmentURLs sends.
type CreateEnrollmentURLsInput struct {
	AccountIDs []int64
	// Lifetime is how long the URLs' tokens stay valid (at least 1 ms).
	Lifetime time.Duration
}

// CreateEnrollmentURLs creates enrollment URLs, with which users enroll
// without entering a PIN, keyed by account ID. It is never repeated once
// it may have reached the server.
func (c *Client) CreateEnrollmentURLs(ctx context.Context, in CreateEnrollmentURLsInput, opts ...CallOption) (map[int64]string, error) {
	const op = "cloud.CreateEnrollmentURLs"
	if err := checkIDs(op, in.AccountIDs); err != nil {
		return nil, err
	}
	if in.Lifetime < time.Millisecond {
		return nil, apierror.Invalid(op, "token lifetime %s must be at least 1ms", in.Lifetime)
	}
	req, err := cloudapi.NewCreateEnrollmentUrlsRequest(c.server, cloudapi.EnrollmentUrlRequest{AccountIds: in.AccountIDs, TokenLifetime: in.Lifetime.Milliseconds()})
	m, err := result[map[string]string](c, ctx, transport.Call{Op: op, Request: req, BuildErr: err, Settings: callSettings(opts)})
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
	ID        int64     `json:"id"`
	AccountID int64     `json:"accountId"`
	PIN       string    `json:"pin"`
	CreatedAt time.Time `json:"createdAt,omitzero"`
	CreatedBy int64     `json:"createdBy,omitempty"`
	ExpiresAt time.Time `json:"expiresAt,omitzero"`
	Used      bool      `json:"used"`
}

// MarshalJSON writes p in the API's form, times as milliseconds.
func (p RegistrationPIN) MarshalJSON() ([]byte, error) {
	type plain RegistrationPIN
	return json.Marshal(struct {
		plain
		CreatedAt int64 `json:"createdAt,omitempty"`
		ExpiresAt int64 `json:"expiresAt,omitempty"`
	}{plain: plain(p), CreatedAt: millis(p.CreatedAt), ExpiresAt: millis(p.ExpiresAt)})
}

// UnmarshalJSON reads a PIN in the API's form.
func (p *RegistrationPIN) UnmarshalJSON(b []byte) error {
	type plain RegistrationPIN
	var w struct {
		plain
		CreatedAt int64 `json:"createdAt"`
		ExpiresAt int64 `json:"expiresAt"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*p = RegistrationPIN(w.plain)
	p.CreatedAt, p.ExpiresAt = epoch(w.CreatedAt), epoch(w.ExpiresAt)
	return nil
}

type accountIDsForm struct {
	AccountIDs []int64 `form:"accountIds"`
}

// GenerateRegistrationPINs creates a registration PIN per account. The
// registration policy must be in PIN mode first (UpdateRegistrationPolicy).
// It is never repeated once it may have reached the server.
func (c *Client) GenerateRegistrationPINs(ctx context.Context, accountIDs []int64, opts ...CallOption) ([]RegistrationPIN, error) {
	const op = "cloud.GenerateRegistrationPINs"
	if err := checkIDs(op, accountIDs); err != nil {
		return nil, err
	}
	body, err := formBody(op, accountIDsForm{AccountIDs: accountIDs})
	if err != nil {
		return nil, err
	}
	req, err := cloudapi.NewGenerateRegistrationPinsRequestWithBody(c.server, form.ContentType, body)
	list, err := result[[]cloudapi.RegistrationPin](c, ctx, transport.Call{Op: op, Request: req, BuildErr: err, Settings: callSettings(opts)})
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
// device. The vendor's documentation gives the value of PIN-only mode; the
// password and password-and-PIN modes exist but their values are not
// documented.
type RegistrationAuthMode string

// RegistrationAuthModePIN asks for a PIN only (needed by
// GenerateRegistrationPINs).
const RegistrationAuthModePIN RegistrationAuthMode = "PIN"

// RegistrationPolicy is the device registration authentication policy. As
// JSON it takes the API's form (the PIN lifetime as pinLifetimeMillis).
type RegistrationPolicy struct {
	// ID and UUID identify the tenant's policy (read-only; sent back as is).
	ID          int64  `json:"id,omitempty"`
	UUID        string `json:"uuid,omitempty"`
	SystemName  string `json:"systemName,omitempty"`
	Name        string `json:"name,omitempty"`
	Description string `json:"description,omitempty"`
	Enabled     bool   `json:"enabled"`
	Priority    int64  `json:"priority,omitempty"`

	PolicyDataMutable   bool `json:"policyDataMutable"`
	DistributionMutable bool `json:"distributionMutable"`
	PriorityMutable     bool `json:"priorityMutable"`
	Deletable           bool `json:"deletable"`

	Mode           RegistrationAuthMode `json:"registrationAuthMode"`
	PINType        string               `json:"pinType,omitempty"` // "NUMERIC" in the vendor's example
	PINLength      int                  `json:"pinLength,omitempty"`
	PINLifetime    time.Duration        `json:"pinLifetimeMillis,omitempty"`
	PINResetByUser bool                 `json:"pinResetByUser"`
}

// MarshalJSON writes p in the API's form, the PIN lifetime in milliseconds.
func (p RegistrationPolicy) MarshalJSON() ([]byte, error) {
	type plain RegistrationPolicy
	return json.Marshal(struct {
		plain
		PolicyType  string `json:"policyType"`
		PINLifetime int64  `json:"pinLifetimeMillis,omitempty"`
	}{plain: plain(p), PolicyType: "REGISTRATION_AUTH", PINLifetime: p.PINLifetime.Milliseconds()})
}

// UnmarshalJSON reads a policy in the API's form.
func (p *RegistrationPolicy) UnmarshalJSON(b []byte) error {
	type plain RegistrationPolicy
	var w struct {
		plain
		PINLifetime int64 `json:"pinLifetimeMillis"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*p = RegistrationPolicy(w.plain)
	p.PINLifetime = msDuration(w.PINLifetime)
	return nil
}

// PINOnlyPolicy is the policy of the vendor's example: a 4-digit numeric
// PIN valid for 7 days, resettable by the user.
func PINOnlyPolicy() RegistrationPolicy {
	return RegistrationPolicy{
		SystemName: "registrationAuthUserPolicy", Name: "Device Registration Authentication Type",
		Description: "PIN Only Setting", Enabled: true, Priority: 2147483647, PolicyDataMutable: true,
		Mode: RegistrationAuthModePIN, PINType: "NUMERIC", PINLength: 4, PINLifetime: 7 * 24 * time.Hour, PINResetByUser: true,
	}
}

// UpdateRegistrationPolicy sets the registration authentication policy
// (policyType REGISTRATION_AUTH).
func (c *Client) UpdateRegistrationPolicy(ctx context.Context, p RegistrationPolicy, opts ...CallOption) error {
	const op = "cloud.UpdateRegistrationPolicy"
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
	req, err := cloudapi.NewUpdateUserPolicyRequest(c.server, &cloudapi.UpdateUserPolicyParams{PolicyType: cloudapi.REGISTRATIONAUTH}, body)
	return c.action(ctx, transport.Call{Op: op, Request: req, BuildErr: err, Settings: callSettings(opts)})
}

func nonZero[T comparable](v T) *T {
	var zero T
	if v == zero {
		return nil
	}
	return &v
}

// ApplyCustomAttributesInput is what ApplyCustomAttributes sends.
type ApplyCustomAttributesInput struct {
	AccountIDs []int64
	// Attributes maps an attribute name to its values.
	Attributes map[string][]string
	// ForceOverwrite replaces values already set.
	ForceOverwrite bool
}

// ApplyCustomAttributes applies custom attributes to the accounts. It is a
// PATCH and never repeated once it may have reached the server.
func (c *Client) ApplyCustomAttributes(ctx context.Context, in ApplyCustomAttributesInput, opts ...CallOption) error {
	const op = "cloud.ApplyCustomAttributes"
	if err := checkIDs(op, in.AccountIDs); err != nil {
		return err
	}
	if len(in.Attributes) == 0 {
		return apierror.Invalid(op, "no attributes given")
	}
	for name := range in.Attributes {
		if name == "" {
			return apierror.Invalid(op, "empty attribute name")
		}
	}
	body := cloudapi.CustomAttributesRequest{ForceOverwrite: &in.ForceOverwrite}
	body.Attrs.Attrs = in.Attributes
	for _, id := range in.AccountIDs {
		body.Ids = append(body.Ids, strconv.FormatInt(id, 10))
	}
	req, err := cloudapi.NewSetCustomAttributesRequest(c.server, body)
	return c.action(ctx, transport.Call{Op: op, Request: req, BuildErr: err, Settings: callSettings(opts)})
}

// AccountMetadata describes the calling account: its authorities,
// partitions and console preferences.
type AccountMetadata struct {
	AccountID             int64               `json:"accountId"`
	DisplayName           string              `json:"displayName,omitempty"`
	FirstName             string              `json:"firstName,omitempty"`
	LastName              string              `json:"lastName,omitempty"`
	EmailAddress          string              `json:"emailAddress,omitempty"`
	DefaultCMPartitionID  int64               `json:"defaultCmPartitionId"`
	DefaultDMPartitionID  int64               `json:"defaultDmPartitionId"`
	GlobalAuthorities     []string            `json:"globalAuthorities"`
	DMPartitions          map[int64]Partition `json:"dmPartitions"`
	CMPartitions          map[int64]Partition `json:"cmPartitions"`
	GroupIDAllUsers       int64               `json:"groupIdAllUsers"`
	AllDevicesRuleGroupID int64               `json:"allDevicesRuleGroupId"`
	// Preferences are the web console's preferences, as JSON.
	Preferences json.RawMessage `json:"preferences,omitempty"`
}

// Partition is a device (DM) or content (CM) partition and the caller's
// authorities in it.
type Partition struct {
	Name        string   `json:"name"`
	Authorities []string `json:"authorities"`
}

// GetAccountMetadata returns the calling account's metadata. It sends
// GET /api/v1/account?metadata, the form of the documentation's example
// and parameter table. The documentation's Request URI line names
// /api/v1/account/metadata instead; that is asked when the first form is
// answered 404, or with an account list (a server that does not know the
// metadata parameter answers the plain listing).
func (c *Client) GetAccountMetadata(ctx context.Context, opts ...CallOption) (*AccountMetadata, error) {
	const op = "cloud.GetAccountMetadata"
	cs := callSettings(opts)
	req, err := cloudapi.NewGetAccountsRequest(c.server, nil)
	if req != nil {
		req.URL.RawQuery = "metadata" // bare, as the documentation writes it
	}
	m, err := c.metadata(ctx, transport.Call{Op: op, Request: req, BuildErr: err, Settings: cs})
	var ae *apierror.Error
	if errors.Is(err, errListAnswer) || errors.As(err, &ae) && ae.StatusCode == http.StatusNotFound {
		fallback, buildErr := cloudapi.NewGetAccountMetadataRequest(c.server)
		m, err = c.metadata(ctx, transport.Call{Op: op, Request: fallback, BuildErr: buildErr, Settings: cs})
		if errors.Is(err, errListAnswer) {
			return nil, unexpected(op, "both metadata calls were answered with an account list")
		}
	}
	if err != nil {
		return nil, err
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

// errListAnswer marks a metadata call answered with an account list.
var errListAnswer = errors.New("answered with an account list")

// metadata sends one metadata call and decodes its result, telling a list
// answer (searchResults, totalCount and no accountId) apart.
func (c *Client) metadata(ctx context.Context, call transport.Call) (*cloudapi.AccountMetadata, error) {
	raw, err := result[json.RawMessage](c, ctx, call)
	if err != nil {
		return nil, err
	}
	if len(raw) == 0 || string(raw) == "null" {
		return nil, unexpected(call.Op, "result is null")
	}
	var probe struct {
		AccountID     *json.RawMessage `json:"accountId"`
		SearchResults *json.RawMessage `json:"searchResults"`
		TotalCount    *json.RawMessage `json:"totalCount"`
	}
	if err := json.Unmarshal(raw, &probe); err != nil {
		return nil, &apierror.Error{Op: call.Op, Kind: apierror.ErrUnexpectedResponse, Message: "result is not an object", Err: err}
	}
	if probe.AccountID == nil && (probe.SearchResults != nil || probe.TotalCount != nil) {
		return nil, errListAnswer
	}
	var m cloudapi.AccountMetadata
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, &apierror.Error{Op: call.Op, Kind: apierror.ErrUnexpectedResponse, Message: "malformed metadata", Err: err}
	}
	return &m, nil
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

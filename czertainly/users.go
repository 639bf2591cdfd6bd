package czertainly

import (
	"context"
	"crypto/x509"
	"encoding/base64"
	"net/http"
	"strings"

	"github.com/certadmin/certadmin-go/czertainly/czertainlyapi"
	"github.com/certadmin/certadmin-go/internal/apierror"
	"github.com/certadmin/certadmin-go/internal/transport"
)

// NameAndUUID names an object.
type NameAndUUID struct {
	UUID string `json:"uuid"`
	Name string `json:"name"`
}

// UserCertificate is the certificate a user authenticates with.
type UserCertificate struct {
	UUID        string `json:"uuid"`
	Fingerprint string `json:"fingerprint"`
}

// User is a platform user as lists show it.
type User struct {
	UUID        string        `json:"uuid"`
	Username    string        `json:"username"`
	FirstName   string        `json:"firstName,omitempty"`
	LastName    string        `json:"lastName,omitempty"`
	Email       string        `json:"email,omitempty"`
	Description string        `json:"description,omitempty"`
	Groups      []NameAndUUID `json:"groups"`
	Enabled     bool          `json:"enabled"`
	SystemUser  bool          `json:"systemUser"`
}

// UserDetail is a user with their certificate and roles.
type UserDetail struct {
	User
	Certificate      *UserCertificate    `json:"certificate,omitempty"`
	Roles            []Role              `json:"roles"`
	CustomAttributes []ResponseAttribute `json:"customAttributes,omitempty"`
}

// Role is a set of permissions given to users.
type Role struct {
	UUID        string `json:"uuid"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	Email       string `json:"email,omitempty"`
	SystemRole  bool   `json:"systemRole"`
}

// RoleDetail is a role with its users.
type RoleDetail struct {
	Role
	Users            []User              `json:"users"`
	CustomAttributes []ResponseAttribute `json:"customAttributes,omitempty"`
}

// Permissions are a role's (or a user's combined) permissions.
type Permissions struct {
	AllowAllResources bool                  `json:"allowAllResources"`
	Resources         []ResourcePermissions `json:"resources"`
}

// ResourcePermissions are the permissions on one resource.
type ResourcePermissions struct {
	Name            string              `json:"name"`
	AllowAllActions bool                `json:"allowAllActions"`
	Actions         []string            `json:"actions"`
	Objects         []ObjectPermissions `json:"objects"`
}

// ObjectPermissions allow and deny actions on one object of a resource.
type ObjectPermissions struct {
	UUID  string   `json:"uuid"`
	Name  string   `json:"name"`
	Allow []string `json:"allow"`
	Deny  []string `json:"deny"`
}

// UserProfile is the calling user with their permissions (GetAuthProfile).
type UserProfile struct {
	UserDetail
	Permissions map[string]any `json:"permissions"`
}

// AuthResource is a resource of the authorization catalogue.
type AuthResource struct {
	UUID                string       `json:"uuid"`
	Name                string       `json:"name"`
	DisplayName         string       `json:"displayName"`
	ListObjectsEndpoint string       `json:"listObjectsEndpoint,omitempty"`
	ObjectAccess        bool         `json:"objectAccess"`
	Actions             []AuthAction `json:"actions"`
}

// AuthAction is an action on a resource.
type AuthAction struct {
	UUID        string `json:"uuid"`
	Name        string `json:"name"`
	DisplayName string `json:"displayName"`
}

type (
	userID  = czertainlyapi.UserUuid
	httpReq = http.Request
)

// ListUsers returns every user.
func (c *Client) ListUsers(ctx context.Context, opts ...CallOption) ([]User, error) {
	const op = "czertainly.ListUsers"
	req, err := czertainlyapi.NewListUsersRequest(c.server)
	var out []User
	if err := c.t.JSON(ctx, transport.Call{Op: op, Request: req, BuildErr: err, Settings: callSettings(opts)}, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// GetUser returns one user.
func (c *Client) GetUser(ctx context.Context, uuid string, opts ...CallOption) (*UserDetail, error) {
	return c.userCall(ctx, "czertainly.GetUser", uuid, func(id userID) (*httpReq, error) { return czertainlyapi.NewGetUserRequest(c.server, id) }, opts)
}

// UserInput is what CreateUser sends, and the changes UpdateUser makes.
// For UpdateUser a zero field is a field left as it is: an empty string,
// a nil GroupUUIDs, no certificate, no CustomAttributes.
type UserInput struct {
	// Username is required for CreateUser and ignored by UpdateUser.
	Username    string
	FirstName   string
	LastName    string
	Email       string
	Description string
	// GroupUUIDs (ListGroups) replace the user's groups; for UpdateUser
	// a non-nil empty list removes every group.
	GroupUUIDs []string
	// Enabled is for CreateUser only (default false, as in Core); use
	// EnableUser and DisableUser afterwards.
	Enabled bool
	// The user's certificate: CertificateUUID of one in the inventory, or
	// Certificate (DER or PEM) to add; at most one of them.
	CertificateUUID string
	Certificate     []byte
	// UnlinkCertificate, for UpdateUser, removes the user's certificate:
	// the user can no longer sign in with it.
	UnlinkCertificate bool
	// CustomAttributes are the platform's custom attributes of users. For
	// UpdateUser each replaces the user's attribute of the same name (or
	// UUID) and the others are kept.
	CustomAttributes []RequestAttribute
	// RemoveCustomAttributes, for UpdateUser, names (or gives the UUIDs
	// of) custom attributes to remove.
	RemoveCustomAttributes []string
}

type userFields struct {
	certUUID, certData *string
	groups             *[]string
	custom             *[]czertainlyapi.RequestAttribute
}

func (in UserInput) check(op string) (userFields, error) {
	var f userFields
	if in.CertificateUUID != "" && in.Certificate != nil {
		return f, apierror.Invalid(op, "give the certificate's UUID or its data, not both")
	}
	if in.CertificateUUID != "" {
		if _, err := parseUUID(op, "certificate UUID", in.CertificateUUID); err != nil {
			return f, err
		}
		f.certUUID = &in.CertificateUUID
	}
	if in.Certificate != nil {
		der, err := certDER(op, in.Certificate)
		if err != nil {
			return f, err
		}
		data := base64.StdEncoding.EncodeToString(der)
		f.certData = &data
	}
	groups := []string{}
	if len(in.GroupUUIDs) > 0 {
		if _, err := parseUUIDs(op, "group UUID", in.GroupUUIDs); err != nil {
			return f, err
		}
		groups = append(groups, in.GroupUUIDs...)
	}
	f.groups = &groups
	return f, nil
}

func strPtr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// CreateUser adds a user. It is never repeated once it may have reached
// the server.
func (c *Client) CreateUser(ctx context.Context, in UserInput, opts ...CallOption) (*UserDetail, error) {
	const op = "czertainly.CreateUser"
	if strings.TrimSpace(in.Username) == "" {
		return nil, apierror.Invalid(op, "username is required")
	}
	if in.UnlinkCertificate || len(in.RemoveCustomAttributes) > 0 {
		return nil, apierror.Invalid(op, "UnlinkCertificate and RemoveCustomAttributes are for UpdateUser")
	}
	f, err := in.check(op)
	if err != nil {
		return nil, err
	}
	if len(in.CustomAttributes) > 0 {
		// A new user has nothing to fill an attribute in from: each
		// must be whole.
		attrs, err := wireAttributes(op, in.CustomAttributes)
		if err != nil {
			return nil, err
		}
		f.custom = &attrs
	}
	body := czertainlyapi.AddUserRequestDto{Username: in.Username, FirstName: strPtr(in.FirstName), LastName: strPtr(in.LastName),
		Email: strPtr(in.Email), Description: strPtr(in.Description), GroupUuids: f.groups, Enabled: &in.Enabled,
		CertificateUuid: f.certUUID, CertificateData: f.certData, CustomAttributes: f.custom}
	req, err := czertainlyapi.NewCreateUserRequest(c.server, body)
	var out UserDetail
	if err := c.t.JSON(ctx, transport.Call{Op: op, Request: req, BuildErr: err, Settings: callSettings(opts)}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// UpdateUser changes what in sets and keeps everything else the user
// has. Core's update replaces the whole user: the Auth service stores
// every field it is sent, a field left out is cleared, the user's
// certificate is unlinked unless the request names one
// (UserManagementServiceImpl.java:167-172, 381-388 at cad4432a), and the
// custom attributes become exactly the request's list (AttributeEngine
// .java:897-905). So UpdateUser first reads the user (GET), merges in
// (see UserInput) and sends all of it: names, email, description, groups,
// the certificate link and the custom attributes. It refuses, before
// sending, what it cannot keep (a linked certificate Core names without a
// UUID, a custom attribute it cannot send back). Core refuses (422) to
// link a certificate that is archived or no longer issued
// (UserManagementServiceImpl.java:339-343), so a user whose login
// certificate was revoked is updated with UnlinkCertificate or a new
// certificate. A change made by someone
// else between the read and the update is overwritten: Core has no
// version check. Repeated by the transport like any PUT.
func (c *Client) UpdateUser(ctx context.Context, uuid string, in UserInput, opts ...CallOption) (*UserDetail, error) {
	const op = "czertainly.UpdateUser"
	id, err := parseUUID(op, "user UUID", uuid)
	if err != nil {
		return nil, err
	}
	if in.UnlinkCertificate && (in.CertificateUUID != "" || in.Certificate != nil) {
		return nil, apierror.Invalid(op, "UnlinkCertificate and a certificate to link given together")
	}
	f, err := in.check(op)
	if err != nil {
		return nil, err
	}
	if err := checkAttributeRefs(op, in.CustomAttributes); err != nil {
		return nil, err
	}
	cur, err := c.GetUser(ctx, uuid, opts...)
	if err != nil {
		return nil, err
	}
	keep := func(set, had string) *string {
		if set != "" {
			return &set
		}
		return strPtr(had)
	}
	body := czertainlyapi.UpdateUserRequestDto{FirstName: keep(in.FirstName, cur.FirstName), LastName: keep(in.LastName, cur.LastName),
		Description: keep(in.Description, cur.Description), CertificateUuid: f.certUUID, CertificateData: f.certData}
	if email := keep(in.Email, cur.Email); email != nil {
		body.Email = *email
	} else {
		return nil, apierror.Invalid(op, "the user has no email and none is given: Core's update requires one")
	}
	groups := make([]string, 0, len(cur.Groups))
	for _, g := range cur.Groups {
		groups = append(groups, g.UUID)
	}
	if in.GroupUUIDs != nil {
		groups = *f.groups
	}
	body.GroupUuids = &groups
	if f.certUUID == nil && f.certData == nil && !in.UnlinkCertificate && cur.Certificate != nil {
		if _, err := parseUUID(op, "the user's certificate UUID", cur.Certificate.UUID); err != nil {
			return nil, apierror.Invalid(op, "the user has a certificate (fingerprint %s) that Core names without a UUID, so the update cannot keep it linked; give CertificateUUID, Certificate or UnlinkCertificate", cur.Certificate.Fingerprint)
		}
		certUUID := cur.Certificate.UUID
		body.CertificateUuid = &certUUID
	}
	custom, err := mergeCustomAttributes(op, cur.CustomAttributes, in.CustomAttributes, in.RemoveCustomAttributes)
	if err != nil {
		return nil, err
	}
	body.CustomAttributes = &custom
	req, err := czertainlyapi.NewUpdateUserRequest(c.server, id, body)
	var out UserDetail
	if err := c.t.JSON(ctx, transport.Call{Op: op, Request: req, BuildErr: err, Settings: callSettings(opts)}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// mergeCustomAttributes is what an update that replaces the whole list of
// custom attributes must send to change only set and remove: the
// attributes the object has, each replaced by the one of set with its
// name or UUID, then the rest of set, less those remove names.
func mergeCustomAttributes(op string, had []ResponseAttribute, set []RequestAttribute, remove []string) ([]czertainlyapi.RequestAttribute, error) {
	drop := map[string]bool{}
	for _, r := range remove {
		drop[r] = true
	}
	for _, a := range set {
		if drop[a.Name] || drop[a.UUID] {
			return nil, apierror.Invalid(op, "custom attribute %q is both set and removed", a.Name)
		}
	}
	used := make([]bool, len(set))
	var merged []RequestAttribute
	for _, a := range had {
		if drop[a.Name] || drop[a.UUID] {
			continue
		}
		replaced := false
		for i, s := range set {
			if !used[i] && ((s.Name != "" && s.Name == a.Name) || (s.UUID != "" && s.UUID == a.UUID)) {
				// The caller may name the attribute by name or UUID alone
				// and give only its content: the rest of what Core needs
				// on the wire comes from the object as read.
				if s.UUID == "" {
					s.UUID = a.UUID
				}
				if s.Name == "" {
					s.Name = a.Name
				}
				if s.ContentType == "" {
					s.ContentType = a.ContentType
				}
				if s.Version == "" {
					s.Version = attributeVersion(a)
				}
				merged, used[i], replaced = append(merged, s), true, true
				break
			}
		}
		if replaced {
			continue
		}
		merged = append(merged, RequestAttribute{UUID: a.UUID, Name: a.Name, ContentType: a.ContentType, Version: attributeVersion(a), Content: a.Content})
	}
	for i, s := range set {
		if !used[i] {
			merged = append(merged, s)
		}
	}
	// An attribute Core gave that cannot be sent back is refused here,
	// before anything is sent.
	return wireAttributes(op, merged)
}

// attributeVersion is the request version for sending a as read: its own,
// else v3 when its content items name their type (only v3 items do),
// else v2.
func attributeVersion(a ResponseAttribute) string {
	if a.Version != "" {
		return a.Version
	}
	for _, item := range a.Content {
		if _, ok := item["contentType"]; ok {
			return "v3"
		}
	}
	return "v2"
}

// checkAttributeRefs refuses, before anything is sent, a custom attribute
// an update names by neither name nor UUID; the rest of an attribute
// named after one the object has is filled in from the read, and a new
// one is checked whole by the merge.
func checkAttributeRefs(op string, set []RequestAttribute) error {
	for i, a := range set {
		if a.Name == "" && a.UUID == "" {
			return apierror.Invalid(op, "custom attribute %d has neither a name nor a UUID", i)
		}
	}
	return nil
}

// DeleteUser removes a user.
func (c *Client) DeleteUser(ctx context.Context, uuid string, opts ...CallOption) error {
	const op = "czertainly.DeleteUser"
	id, err := parseUUID(op, "user UUID", uuid)
	if err != nil {
		return err
	}
	req, err := czertainlyapi.NewDeleteUserRequest(c.server, id)
	return c.t.NoContent(ctx, transport.Call{Op: op, Request: req, BuildErr: err, Settings: callSettings(opts)})
}

// EnableUser lets a user sign in again.
func (c *Client) EnableUser(ctx context.Context, uuid string, opts ...CallOption) (*UserDetail, error) {
	return c.userCall(ctx, "czertainly.EnableUser", uuid, func(id userID) (*httpReq, error) { return czertainlyapi.NewEnableUserRequest(c.server, id) }, opts)
}

// DisableUser stops a user from signing in.
func (c *Client) DisableUser(ctx context.Context, uuid string, opts ...CallOption) (*UserDetail, error) {
	return c.userCall(ctx, "czertainly.DisableUser", uuid, func(id userID) (*httpReq, error) { return czertainlyapi.NewDisableUserRequest(c.server, id) }, opts)
}

func (c *Client) userCall(ctx context.Context, op, uuid string, build func(userID) (*httpReq, error), opts []CallOption) (*UserDetail, error) {
	id, err := parseUUID(op, "user UUID", uuid)
	if err != nil {
		return nil, err
	}
	req, err := build(id)
	var out UserDetail
	if err := c.t.JSON(ctx, transport.Call{Op: op, Request: req, BuildErr: err, Settings: callSettings(opts)}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// GetUserRoles returns the roles of a user.
func (c *Client) GetUserRoles(ctx context.Context, uuid string, opts ...CallOption) ([]Role, error) {
	const op = "czertainly.GetUserRoles"
	id, err := parseUUID(op, "user UUID", uuid)
	if err != nil {
		return nil, err
	}
	req, err := czertainlyapi.NewGetUserRolesRequest(c.server, id)
	var out []Role
	if err := c.t.JSON(ctx, transport.Call{Op: op, Request: req, BuildErr: err, Settings: callSettings(opts)}, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// SetUserRoles replaces the roles of a user with roleUUIDs.
func (c *Client) SetUserRoles(ctx context.Context, uuid string, roleUUIDs []string, opts ...CallOption) (*UserDetail, error) {
	const op = "czertainly.SetUserRoles"
	id, err := parseUUID(op, "user UUID", uuid)
	if err != nil {
		return nil, err
	}
	roles, err := parseUUIDs(op, "role UUID", roleUUIDs)
	if err != nil {
		return nil, err
	}
	req, err := czertainlyapi.NewUpdateRolesRequest(c.server, id, roles)
	var out UserDetail
	if err := c.t.JSON(ctx, transport.Call{Op: op, Request: req, BuildErr: err, Settings: callSettings(opts)}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// AddUserRole gives a user one more role.
func (c *Client) AddUserRole(ctx context.Context, userUUID, roleUUID string, opts ...CallOption) (*UserDetail, error) {
	return c.userRole(ctx, "czertainly.AddUserRole", userUUID, roleUUID, true, opts)
}

// RemoveUserRole takes one role from a user.
func (c *Client) RemoveUserRole(ctx context.Context, userUUID, roleUUID string, opts ...CallOption) (*UserDetail, error) {
	return c.userRole(ctx, "czertainly.RemoveUserRole", userUUID, roleUUID, false, opts)
}

func (c *Client) userRole(ctx context.Context, op, userUUID, roleUUID string, add bool, opts []CallOption) (*UserDetail, error) {
	u, err := parseUUID(op, "user UUID", userUUID)
	if err != nil {
		return nil, err
	}
	r, err := parseUUID(op, "role UUID", roleUUID)
	if err != nil {
		return nil, err
	}
	build := czertainlyapi.NewRemoveRoleRequest
	if add {
		build = czertainlyapi.NewAddRoleRequest
	}
	req, err := build(c.server, u, r)
	var out UserDetail
	if err := c.t.JSON(ctx, transport.Call{Op: op, Request: req, BuildErr: err, Settings: callSettings(opts)}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// IdentifyUser finds the user a certificate (DER or PEM) authenticates.
func (c *Client) IdentifyUser(ctx context.Context, cert []byte, opts ...CallOption) (*UserDetail, error) {
	const op = "czertainly.IdentifyUser"
	der, err := certDER(op, cert)
	if err != nil {
		return nil, err
	}
	if _, err := x509.ParseCertificate(der); err != nil {
		return nil, apierror.Invalid(op, "%v", err)
	}
	content := base64.StdEncoding.EncodeToString(der)
	req, err := czertainlyapi.NewIdentifyUserRequest(c.server, czertainlyapi.UserIdentificationRequestDto{CertificateContent: &content})
	var out UserDetail
	if err := c.t.JSON(ctx, transport.Call{Op: op, Request: req, BuildErr: err, Settings: callSettings(opts)}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// GetUserPermissions returns a user's permissions from all their roles.
func (c *Client) GetUserPermissions(ctx context.Context, uuid string, opts ...CallOption) (*Permissions, error) {
	const op = "czertainly.GetUserPermissions"
	id, err := parseUUID(op, "user UUID", uuid)
	if err != nil {
		return nil, err
	}
	req, err := czertainlyapi.NewGetPermissionsRequest(c.server, id)
	var out Permissions
	if err := c.t.JSON(ctx, transport.Call{Op: op, Request: req, BuildErr: err, Settings: callSettings(opts)}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// GetAuthProfile returns the calling user with their permissions.
func (c *Client) GetAuthProfile(ctx context.Context, opts ...CallOption) (*UserProfile, error) {
	const op = "czertainly.GetAuthProfile"
	req, err := czertainlyapi.NewProfileRequest(c.server)
	var out UserProfile
	if err := c.t.JSON(ctx, transport.Call{Op: op, Request: req, BuildErr: err, Settings: callSettings(opts)}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// ListAuthResources returns the resources and actions permissions name.
func (c *Client) ListAuthResources(ctx context.Context, opts ...CallOption) ([]AuthResource, error) {
	const op = "czertainly.ListAuthResources"
	req, err := czertainlyapi.NewGetAuthResourcesRequest(c.server)
	var out []AuthResource
	if err := c.t.JSON(ctx, transport.Call{Op: op, Request: req, BuildErr: err, Settings: callSettings(opts)}, &out); err != nil {
		return nil, err
	}
	return out, nil
}

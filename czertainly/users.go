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
	return c.userCall(ctx, "czertainly.GetUser", uuid, func(id userID) (*httpReq, error) { return czertainlyapi.NewGetUserRequest(c.server, id) }, transport.ByMethod, opts)
}

// UserInput is what CreateUser and UpdateUser send.
type UserInput struct {
	// Username is required for CreateUser and ignored by UpdateUser.
	Username    string
	FirstName   string
	LastName    string
	Email       string
	Description string
	GroupUUIDs  []string
	// Enabled is for CreateUser only (default false, as in Core).
	Enabled bool
	// The user's certificate: CertificateUUID of one in the inventory, or
	// Certificate (DER or PEM) to add; at most one of them.
	CertificateUUID string
	Certificate     []byte
	// CustomAttributes are the platform's custom attributes of users.
	CustomAttributes []RequestAttribute
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
	if len(in.CustomAttributes) > 0 {
		attrs, err := wireAttributes(op, in.CustomAttributes)
		if err != nil {
			return f, err
		}
		f.custom = &attrs
	}
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
	f, err := in.check(op)
	if err != nil {
		return nil, err
	}
	body := czertainlyapi.AddUserRequestDto{Username: in.Username, FirstName: strPtr(in.FirstName), LastName: strPtr(in.LastName),
		Email: strPtr(in.Email), Description: strPtr(in.Description), GroupUuids: f.groups, Enabled: &in.Enabled,
		CertificateUuid: f.certUUID, CertificateData: f.certData, CustomAttributes: f.custom}
	req, err := czertainlyapi.NewCreateUserRequest(c.server, body)
	var out UserDetail
	if err := c.t.JSON(ctx, transport.Call{Op: op, Request: req, BuildErr: err, Repeat: transport.Never, Settings: callSettings(opts)}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// UpdateUser replaces a user's details. Core's update is a replacement:
// a field left empty is cleared, and email is required. Get the user
// first to change one field.
func (c *Client) UpdateUser(ctx context.Context, uuid string, in UserInput, opts ...CallOption) (*UserDetail, error) {
	const op = "czertainly.UpdateUser"
	id, err := parseUUID(op, "user UUID", uuid)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(in.Email) == "" {
		return nil, apierror.Invalid(op, "email is required by Core's update")
	}
	f, err := in.check(op)
	if err != nil {
		return nil, err
	}
	body := czertainlyapi.UpdateUserRequestDto{Email: in.Email, FirstName: strPtr(in.FirstName), LastName: strPtr(in.LastName),
		Description: strPtr(in.Description), GroupUuids: f.groups, CertificateUuid: f.certUUID, CertificateData: f.certData, CustomAttributes: f.custom}
	req, err := czertainlyapi.NewUpdateUserRequest(c.server, id, body)
	var out UserDetail
	if err := c.t.JSON(ctx, transport.Call{Op: op, Request: req, BuildErr: err, Settings: callSettings(opts)}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// DeleteUser removes a user.
func (c *Client) DeleteUser(ctx context.Context, uuid string, opts ...CallOption) error {
	const op = "czertainly.DeleteUser"
	id, err := parseUUID(op, "user UUID", uuid)
	if err != nil {
		return err
	}
	req, err := czertainlyapi.NewDeleteUserRequest(c.server, id)
	return c.t.NoContent(ctx, transport.Call{Op: op, Request: req, BuildErr: err, Repeat: transport.Never, Settings: callSettings(opts)})
}

// EnableUser lets a user sign in again.
func (c *Client) EnableUser(ctx context.Context, uuid string, opts ...CallOption) (*UserDetail, error) {
	return c.userCall(ctx, "czertainly.EnableUser", uuid, func(id userID) (*httpReq, error) { return czertainlyapi.NewEnableUserRequest(c.server, id) }, transport.ByMethod, opts)
}

// DisableUser stops a user from signing in.
func (c *Client) DisableUser(ctx context.Context, uuid string, opts ...CallOption) (*UserDetail, error) {
	return c.userCall(ctx, "czertainly.DisableUser", uuid, func(id userID) (*httpReq, error) { return czertainlyapi.NewDisableUserRequest(c.server, id) }, transport.ByMethod, opts)
}

func (c *Client) userCall(ctx context.Context, op, uuid string, build func(userID) (*httpReq, error), repeat transport.Repeat, opts []CallOption) (*UserDetail, error) {
	id, err := parseUUID(op, "user UUID", uuid)
	if err != nil {
		return nil, err
	}
	req, err := build(id)
	var out UserDetail
	if err := c.t.JSON(ctx, transport.Call{Op: op, Request: req, BuildErr: err, Repeat: repeat, Settings: callSettings(opts)}, &out); err != nil {
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
	if err := c.t.JSON(ctx, transport.Call{Op: op, Request: req, BuildErr: err, Repeat: transport.ReadOnly, Settings: callSettings(opts)}, &out); err != nil {
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

package czertainly

import (
	"context"
	"strings"

	"github.com/certadmin/certadmin-go/czertainly/czertainlyapi"
	"github.com/certadmin/certadmin-go/internal/apierror"
	"github.com/certadmin/certadmin-go/internal/transport"
)

// RoleInput is what CreateRole sends, and the changes UpdateRole makes:
// for UpdateRole an empty field is left as it is.
type RoleInput struct {
	Name        string
	Description string
	Email       string
	// CustomAttributes are the platform's custom attributes of roles. For
	// UpdateRole each replaces the role's attribute of the same name (or
	// UUID) and the others are kept.
	CustomAttributes []RequestAttribute
	// RemoveCustomAttributes, for UpdateRole, names (or gives the UUIDs
	// of) custom attributes to remove.
	RemoveCustomAttributes []string
}

func (in RoleInput) wire(op string) (czertainlyapi.RoleRequestDto, error) {
	if strings.TrimSpace(in.Name) == "" {
		return czertainlyapi.RoleRequestDto{}, apierror.Invalid(op, "role name is required")
	}
	body := czertainlyapi.RoleRequestDto{Name: &in.Name, Description: strPtr(in.Description), Email: strPtr(in.Email)}
	if len(in.CustomAttributes) > 0 {
		custom, err := wireAttributes(op, in.CustomAttributes)
		if err != nil {
			return body, err
		}
		body.CustomAttributes = &custom
	}
	return body, nil
}

// ListRoles returns every role.
func (c *Client) ListRoles(ctx context.Context, opts ...CallOption) ([]Role, error) {
	const op = "czertainly.ListRoles"
	req, err := czertainlyapi.NewListRolesRequest(c.server)
	var out []Role
	if err := c.t.JSON(ctx, transport.Call{Op: op, Request: req, BuildErr: err, Settings: callSettings(opts)}, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// GetRole returns a role with its users.
func (c *Client) GetRole(ctx context.Context, uuid string, opts ...CallOption) (*RoleDetail, error) {
	const op = "czertainly.GetRole"
	id, err := parseUUID(op, "role UUID", uuid)
	if err != nil {
		return nil, err
	}
	req, err := czertainlyapi.NewGetRoleRequest(c.server, id)
	var out RoleDetail
	if err := c.t.JSON(ctx, transport.Call{Op: op, Request: req, BuildErr: err, Settings: callSettings(opts)}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// CreateRole adds a role. It is never repeated once it may have reached
// the server.
func (c *Client) CreateRole(ctx context.Context, in RoleInput, opts ...CallOption) (*RoleDetail, error) {
	const op = "czertainly.CreateRole"
	if len(in.RemoveCustomAttributes) > 0 {
		return nil, apierror.Invalid(op, "RemoveCustomAttributes is for UpdateRole")
	}
	body, err := in.wire(op)
	if err != nil {
		return nil, err
	}
	req, err := czertainlyapi.NewCreateRoleRequest(c.server, body)
	var out RoleDetail
	if err := c.t.JSON(ctx, transport.Call{Op: op, Request: req, BuildErr: err, Settings: callSettings(opts)}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// UpdateRole changes what in sets and keeps the rest of the role. Core
// replaces the role's name, description and email with the request's
// and its custom attributes with the request's list, none when it has
// none (RoleManagementServiceImpl.java:70-80 at cad4432a,
// AttributeEngine.java:897-905). So UpdateRole first reads the role
// (GET), merges in and sends all of it. A change made by someone else
// between the read and the update is overwritten: Core has no version
// check.
func (c *Client) UpdateRole(ctx context.Context, uuid string, in RoleInput, opts ...CallOption) (*RoleDetail, error) {
	const op = "czertainly.UpdateRole"
	id, err := parseUUID(op, "role UUID", uuid)
	if err != nil {
		return nil, err
	}
	if err := checkAttributeRefs(op, in.CustomAttributes); err != nil {
		return nil, err
	}
	cur, err := c.GetRole(ctx, uuid, opts...)
	if err != nil {
		return nil, err
	}
	merged := RoleInput{Name: cur.Name, Description: cur.Description, Email: cur.Email}
	if in.Name != "" {
		merged.Name = in.Name
	}
	if in.Description != "" {
		merged.Description = in.Description
	}
	if in.Email != "" {
		merged.Email = in.Email
	}
	body, err := merged.wire(op)
	if err != nil {
		return nil, err
	}
	custom, err := mergeCustomAttributes(op, cur.CustomAttributes, in.CustomAttributes, in.RemoveCustomAttributes)
	if err != nil {
		return nil, err
	}
	body.CustomAttributes = &custom
	req, err := czertainlyapi.NewUpdateRoleRequest(c.server, id, body)
	var out RoleDetail
	if err := c.t.JSON(ctx, transport.Call{Op: op, Request: req, BuildErr: err, Settings: callSettings(opts)}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// DeleteRole removes a role.
func (c *Client) DeleteRole(ctx context.Context, uuid string, opts ...CallOption) error {
	const op = "czertainly.DeleteRole"
	id, err := parseUUID(op, "role UUID", uuid)
	if err != nil {
		return err
	}
	req, err := czertainlyapi.NewDeleteRoleRequest(c.server, id)
	return c.t.NoContent(ctx, transport.Call{Op: op, Request: req, BuildErr: err, Settings: callSettings(opts)})
}

// GetRoleUsers returns the users that have a role.
func (c *Client) GetRoleUsers(ctx context.Context, uuid string, opts ...CallOption) ([]User, error) {
	const op = "czertainly.GetRoleUsers"
	id, err := parseUUID(op, "role UUID", uuid)
	if err != nil {
		return nil, err
	}
	req, err := czertainlyapi.NewGetRoleUsersRequest(c.server, id)
	var out []User
	if err := c.t.JSON(ctx, transport.Call{Op: op, Request: req, BuildErr: err, Settings: callSettings(opts)}, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// SetRoleUsers makes userUUIDs the users of a role.
func (c *Client) SetRoleUsers(ctx context.Context, uuid string, userUUIDs []string, opts ...CallOption) (*RoleDetail, error) {
	const op = "czertainly.SetRoleUsers"
	id, err := parseUUID(op, "role UUID", uuid)
	if err != nil {
		return nil, err
	}
	users, err := parseUUIDs(op, "user UUID", userUUIDs)
	if err != nil {
		return nil, err
	}
	req, err := czertainlyapi.NewUpdateUsersRequest(c.server, id, users)
	var out RoleDetail
	if err := c.t.JSON(ctx, transport.Call{Op: op, Request: req, BuildErr: err, Settings: callSettings(opts)}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// GetRolePermissions returns a role's permissions.
func (c *Client) GetRolePermissions(ctx context.Context, uuid string, opts ...CallOption) (*Permissions, error) {
	const op = "czertainly.GetRolePermissions"
	id, err := parseUUID(op, "role UUID", uuid)
	if err != nil {
		return nil, err
	}
	req, err := czertainlyapi.NewGetRolePermissionsRequest(c.server, id)
	var out Permissions
	if err := c.t.JSON(ctx, transport.Call{Op: op, Request: req, BuildErr: err, Settings: callSettings(opts)}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// SaveRolePermissions replaces a role's permissions with p.
func (c *Client) SaveRolePermissions(ctx context.Context, uuid string, p Permissions, opts ...CallOption) (*Permissions, error) {
	const op = "czertainly.SaveRolePermissions"
	id, err := parseUUID(op, "role UUID", uuid)
	if err != nil {
		return nil, err
	}
	body := czertainlyapi.RolePermissionsRequestDto{AllowAllResources: p.AllowAllResources}
	if len(p.Resources) > 0 {
		res := make([]czertainlyapi.ResourcePermissionsRequestDto, len(p.Resources))
		for i, r := range p.Resources {
			if r.Name == "" {
				return nil, apierror.Invalid(op, "resource %d has no name", i)
			}
			res[i] = czertainlyapi.ResourcePermissionsRequestDto{Name: r.Name, AllowAllActions: r.AllowAllActions}
			if r.Actions != nil {
				a := append([]string{}, r.Actions...)
				res[i].Actions = &a
			}
			if len(r.Objects) > 0 {
				objs := wireObjects(r.Objects)
				res[i].Objects = &objs
			}
		}
		body.Resources = &res
	}
	req, err := czertainlyapi.NewSavePermissionsRequest(c.server, id, body)
	var out Permissions
	if err := c.t.JSON(ctx, transport.Call{Op: op, Request: req, BuildErr: err, Settings: callSettings(opts)}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

func wireObjects(in []ObjectPermissions) []czertainlyapi.ObjectPermissionsRequestDto {
	out := make([]czertainlyapi.ObjectPermissionsRequestDto, len(in))
	for i, o := range in {
		allow, deny := append([]string{}, o.Allow...), append([]string{}, o.Deny...)
		out[i] = czertainlyapi.ObjectPermissionsRequestDto{Uuid: o.UUID, Name: o.Name, Allow: &allow, Deny: &deny}
	}
	return out
}

// GetRoleResourcePermissions returns a role's permissions on one resource
// (see ListAuthResources for the resources' UUIDs).
func (c *Client) GetRoleResourcePermissions(ctx context.Context, roleUUID, resourceUUID string, opts ...CallOption) (*ResourcePermissions, error) {
	const op = "czertainly.GetRoleResourcePermissions"
	role, res, err := twoUUIDs(op, "role UUID", roleUUID, "resource UUID", resourceUUID)
	if err != nil {
		return nil, err
	}
	req, err := czertainlyapi.NewGetRoleResourcePermissionsRequest(c.server, role, res)
	var out ResourcePermissions
	if err := c.t.JSON(ctx, transport.Call{Op: op, Request: req, BuildErr: err, Settings: callSettings(opts)}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// GetRoleObjectPermissions returns a role's per-object permissions on a
// resource.
func (c *Client) GetRoleObjectPermissions(ctx context.Context, roleUUID, resourceUUID string, opts ...CallOption) ([]ObjectPermissions, error) {
	const op = "czertainly.GetRoleObjectPermissions"
	role, res, err := twoUUIDs(op, "role UUID", roleUUID, "resource UUID", resourceUUID)
	if err != nil {
		return nil, err
	}
	req, err := czertainlyapi.NewGetResourcePermissionObjectsRequest(c.server, role, res)
	var out []ObjectPermissions
	if err := c.t.JSON(ctx, transport.Call{Op: op, Request: req, BuildErr: err, Settings: callSettings(opts)}, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// AddRoleObjectPermissions adds (or replaces) per-object permissions of a
// role on a resource.
func (c *Client) AddRoleObjectPermissions(ctx context.Context, roleUUID, resourceUUID string, objs []ObjectPermissions, opts ...CallOption) error {
	const op = "czertainly.AddRoleObjectPermissions"
	role, res, err := twoUUIDs(op, "role UUID", roleUUID, "resource UUID", resourceUUID)
	if err != nil {
		return err
	}
	for i, o := range objs {
		if _, err := parseUUID(op, "object UUID", o.UUID); err != nil || o.Name == "" {
			return apierror.Invalid(op, "object %d needs a UUID and a name", i)
		}
	}
	req, err := czertainlyapi.NewAddResourcePermissionObjectsRequest(c.server, role, res, wireObjects(objs))
	return c.t.NoContent(ctx, transport.Call{Op: op, Request: req, BuildErr: err, Settings: callSettings(opts)})
}

// UpdateRoleObjectPermissions replaces the permissions of a role on one
// object.
func (c *Client) UpdateRoleObjectPermissions(ctx context.Context, roleUUID, resourceUUID string, obj ObjectPermissions, opts ...CallOption) error {
	const op = "czertainly.UpdateRoleObjectPermissions"
	role, res, err := twoUUIDs(op, "role UUID", roleUUID, "resource UUID", resourceUUID)
	if err != nil {
		return err
	}
	oid, err := parseUUID(op, "object UUID", obj.UUID)
	if err != nil {
		return err
	}
	req, err := czertainlyapi.NewUpdateResourcePermissionObjectsRequest(c.server, role, res, oid, wireObjects([]ObjectPermissions{obj})[0])
	return c.t.NoContent(ctx, transport.Call{Op: op, Request: req, BuildErr: err, Settings: callSettings(opts)})
}

// RemoveRoleObjectPermissions removes a role's permissions on one object.
func (c *Client) RemoveRoleObjectPermissions(ctx context.Context, roleUUID, resourceUUID, objectUUID string, opts ...CallOption) error {
	const op = "czertainly.RemoveRoleObjectPermissions"
	role, res, err := twoUUIDs(op, "role UUID", roleUUID, "resource UUID", resourceUUID)
	if err != nil {
		return err
	}
	oid, err := parseUUID(op, "object UUID", objectUUID)
	if err != nil {
		return err
	}
	req, err := czertainlyapi.NewRemoveResourcePermissionObjectsRequest(c.server, role, res, oid)
	return c.t.NoContent(ctx, transport.Call{Op: op, Request: req, BuildErr: err, Settings: callSettings(opts)})
}

func twoUUIDs(op, an, a, bn, b string) (czertainlyapi.RoleUuid, czertainlyapi.ResourceUuid, error) {
	x, err := parseUUID(op, an, a)
	if err != nil {
		return x, x, err
	}
	y, err := parseUUID(op, bn, b)
	return x, y, err
}

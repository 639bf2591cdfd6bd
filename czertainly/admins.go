package czertainly

import (
	"context"
	"encoding/base64"
	"net/http"
	"strings"

	"github.com/google/uuid"

	"github.com/certadmin/certadmin-go/czertainly/czertainlyapi"
	"github.com/certadmin/certadmin-go/internal/apierror"
	"github.com/certadmin/certadmin-go/internal/certutil"
	"github.com/certadmin/certadmin-go/internal/transport"
)

// Operation names, as they appear in errors.
const (
	opListAdmins    = "czertainly.ListAdmins"
	opGetAdmin      = "czertainly.GetAdmin"
	opCreateAdmin   = "czertainly.CreateAdmin"
	opUpdateAdmin   = "czertainly.UpdateAdmin"
	opDeleteAdmin   = "czertainly.DeleteAdmin"
	opDeleteAdmins  = "czertainly.DeleteAdmins"
	opEnableAdmin   = "czertainly.EnableAdmin"
	opDisableAdmin  = "czertainly.DisableAdmin"
	opEnableAdmins  = "czertainly.EnableAdmins"
	opDisableAdmins = "czertainly.DisableAdmins"
)

// CreateAdminInput describes a new administrator. Username, Name, Surname,
// Email and Role are required, and exactly one of Certificate and
// CertificateUUID.
type CreateAdminInput struct {
	Username string
	Name     string
	Surname  string
	Email    string
	Role     Role
	// Certificate identifies the administrator: DER or PEM (for an
	// *x509.Certificate pass its Raw field). It is checked locally and
	// sent Base64-encoded.
	Certificate []byte
	// CertificateUUID names a certificate already in the inventory instead.
	CertificateUUID string
	// Enabled lets the administrator sign in at once (the server's default is false).
	Enabled     bool
	Description string
}

// UpdateAdminInput changes an administrator. Empty fields are not sent and
// keep their value; exactly one of Certificate and CertificateUUID is
// required, as the server requires.
type UpdateAdminInput struct {
	Name        string
	Surname     string
	Email       string
	Role        Role // "" keeps the role
	Description string
	// Certificate replaces the administrator's certificate: DER or PEM.
	Certificate []byte
	// CertificateUUID names a certificate already in the inventory instead.
	CertificateUUID string
}

// ListAdmins returns every administrator. It is repeated on failures that
// are safe to retry.
func (c *Client) ListAdmins(ctx context.Context, opts ...CallOption) ([]Admin, error) {
	req, err := czertainlyapi.NewListAdminsRequest(c.server)
	var out []Admin
	if err := c.t.JSON(ctx, transport.Call{Op: opListAdmins, Request: req, BuildErr: err, Settings: callSettings(opts)}, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// GetAdmin returns the administrator with the given UUID.
func (c *Client) GetAdmin(ctx context.Context, id string, opts ...CallOption) (*Admin, error) {
	id, err := checkUUID(opGetAdmin, "administrator UUID", id)
	if err != nil {
		return nil, err
	}
	req, err := czertainlyapi.NewGetAdminRequest(c.server, id)
	var out Admin
	if err := c.t.JSON(ctx, transport.Call{Op: opGetAdmin, Request: req, BuildErr: err, Settings: callSettings(opts)}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// CreateAdmin adds an administrator and returns its UUID as the server
// wrote it. It is sent once: a create that may have reached the server is
// not repeated.
func (c *Client) CreateAdmin(ctx context.Context, in CreateAdminInput, opts ...CallOption) (string, error) {
	const op = opCreateAdmin
	for _, f := range []struct{ name, value string }{
		{"username", in.Username}, {"name", in.Name}, {"surname", in.Surname}, {"email", in.Email},
	} {
		if strings.TrimSpace(f.value) == "" {
			return "", apierror.Invalid(op, "%s is required", f.name)
		}
	}
	if !in.Role.Valid() {
		return "", apierror.Invalid(op, "role %q is not one of %q, %q", in.Role, RoleAdministrator, RoleSuperAdministrator)
	}
	cert, certUUID, err := certificateRef(op, in.Certificate, in.CertificateUUID)
	if err != nil {
		return "", err
	}
	body := czertainlyapi.AddAdminRequestDto{
		Username:         in.Username,
		Name:             in.Name,
		Surname:          in.Surname,
		Email:            in.Email,
		Role:             czertainlyapi.AddAdminRequestDtoRole(in.Role),
		AdminCertificate: cert,
		CertificateUuid:  certUUID,
		Enabled:          &in.Enabled,
		Description:      optional(in.Description),
	}
	req, err := czertainlyapi.NewAddAdminRequest(c.server, body)
	var out czertainlyapi.UuidDto
	call := transport.Call{Op: op, Request: req, BuildErr: err, Repeat: transport.Never,
		OK: []int{http.StatusCreated, http.StatusOK}, Settings: callSettings(opts)}
	if err := c.t.JSON(ctx, call, &out); err != nil {
		return "", err
	}
	return out.Uuid, nil
}

// UpdateAdmin changes the administrator with the given UUID and returns it
// as the server now has it. It is sent once.
func (c *Client) UpdateAdmin(ctx context.Context, id string, in UpdateAdminInput, opts ...CallOption) (*Admin, error) {
	const op = opUpdateAdmin
	id, err := checkUUID(op, "administrator UUID", id)
	if err != nil {
		return nil, err
	}
	if in.Role != "" && !in.Role.Valid() {
		return nil, apierror.Invalid(op, "role %q is not one of %q, %q", in.Role, RoleAdministrator, RoleSuperAdministrator)
	}
	cert, certUUID, err := certificateRef(op, in.Certificate, in.CertificateUUID)
	if err != nil {
		return nil, err
	}
	body := czertainlyapi.EditAdminRequestDto{
		Name:             optional(in.Name),
		Surname:          optional(in.Surname),
		Email:            optional(in.Email),
		Description:      optional(in.Description),
		AdminCertificate: cert,
		CertificateUuid:  certUUID,
	}
	if in.Role != "" {
		role := czertainlyapi.EditAdminRequestDtoRole(in.Role)
		body.Role = &role
	}
	req, err := czertainlyapi.NewEditAdminRequest(c.server, id, body)
	var out Admin
	call := transport.Call{Op: op, Request: req, BuildErr: err, Repeat: transport.Never, Settings: callSettings(opts)}
	if err := c.t.JSON(ctx, call, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// DeleteAdmin deletes the administrator with the given UUID. It is sent once.
func (c *Client) DeleteAdmin(ctx context.Context, id string, opts ...CallOption) error {
	return c.single(ctx, opDeleteAdmin, id, czertainlyapi.NewRemoveAdminRequest, false, opts)
}

// EnableAdmin lets the administrator with the given UUID sign in. It is sent once.
func (c *Client) EnableAdmin(ctx context.Context, id string, opts ...CallOption) error {
	return c.single(ctx, opEnableAdmin, id, czertainlyapi.NewEnableAdminRequest, true, opts)
}

// DisableAdmin stops the administrator with the given UUID from signing in.
// It is sent once.
func (c *Client) DisableAdmin(ctx context.Context, id string, opts ...CallOption) error {
	return c.single(ctx, opDisableAdmin, id, czertainlyapi.NewDisableAdminRequest, true, opts)
}

// DeleteAdmins deletes the administrators with the given UUIDs. It is sent
// once; an error carries the server's message, e.g. which UUID it did not
// find.
func (c *Client) DeleteAdmins(ctx context.Context, ids []string, opts ...CallOption) error {
	return c.bulk(ctx, opDeleteAdmins, ids, czertainlyapi.NewBulkRemoveAdminRequest, opts)
}

// EnableAdmins enables the administrators with the given UUIDs. It is sent once.
func (c *Client) EnableAdmins(ctx context.Context, ids []string, opts ...CallOption) error {
	return c.bulk(ctx, opEnableAdmins, ids, czertainlyapi.NewBulkEnableAdminRequest, opts)
}

// DisableAdmins disables the administrators with the given UUIDs. It is sent once.
func (c *Client) DisableAdmins(ctx context.Context, ids []string, opts ...CallOption) error {
	return c.bulk(ctx, opDisableAdmins, ids, czertainlyapi.NewBulkDisableAdminRequest, opts)
}

// single runs a state-changing call on one administrator: validated UUID,
// never repeated once sent, any 2xx (the vendor document says 200 where
// the server sends 204). jsonType sets Content-Type on the bodiless PUTs:
// the server declares consumes=application/json on them and refuses a
// request without it.
func (c *Client) single(ctx context.Context, op, id string, build func(string, string) (*http.Request, error), jsonType bool, opts []CallOption) error {
	id, err := checkUUID(op, "administrator UUID", id)
	if err != nil {
		return err
	}
	req, err := build(c.server, id)
	if err == nil && jsonType {
		req.Header.Set("Content-Type", "application/json")
	}
	return c.t.NoContent(ctx, transport.Call{Op: op, Request: req, BuildErr: err, Repeat: transport.Never, Settings: callSettings(opts)})
}

// bulk runs a state-changing call on many administrators. It is not
// repeated: a retry after a partly applied removal would fail on the
// administrators already gone.
func (c *Client) bulk(ctx context.Context, op string, ids []string, build func(string, []string) (*http.Request, error), opts []CallOption) error {
	if len(ids) == 0 {
		return apierror.Invalid(op, "no administrator UUIDs given")
	}
	canonical := make([]string, len(ids))
	for i, id := range ids {
		v, err := checkUUID(op, "administrator UUID", id)
		if err != nil {
			return err
		}
		canonical[i] = v
	}
	req, err := build(c.server, canonical)
	return c.t.NoContent(ctx, transport.Call{Op: op, Request: req, BuildErr: err, Repeat: transport.Never, Settings: callSettings(opts)})
}

// checkUUID validates a UUID sent to the server and returns its canonical form.
func checkUUID(op, what, id string) (string, error) {
	u, err := uuid.Parse(strings.TrimSpace(id))
	if err != nil {
		return "", apierror.Invalid(op, "%s %q is not a valid UUID", what, id)
	}
	return u.String(), nil
}

// certificateRef checks that exactly one of a certificate and an inventory
// UUID is given and returns them as the request fields.
func certificateRef(op string, cert []byte, certUUID string) (*string, *string, error) {
	hasCert, hasUUID := len(cert) > 0, strings.TrimSpace(certUUID) != ""
	switch {
	case !hasCert && !hasUUID:
		return nil, nil, apierror.Invalid(op, "a certificate or the UUID of a certificate in the inventory is required")
	case hasCert && hasUUID:
		return nil, nil, apierror.Invalid(op, "give either a certificate or a certificate UUID, not both")
	case hasUUID:
		id, err := checkUUID(op, "certificate UUID", certUUID)
		if err != nil {
			return nil, nil, err
		}
		return nil, &id, nil
	}
	parsed, err := certutil.ParseCertificate(cert)
	if err != nil {
		return nil, nil, apierror.Invalid(op, "certificate: %v", err)
	}
	b64 := base64.StdEncoding.EncodeToString(parsed.Raw)
	return &b64, nil, nil
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

package adminv1

import (
	"context"
	"crypto/x509"
	"encoding/base64"
	"net/http"
	"regexp"
	"strings"

	"github.com/google/uuid"

	"github.com/certadmin/certadmin-go/czertainly/adminv1/adminv1api"
	"github.com/certadmin/certadmin-go/internal/apierror"
	"github.com/certadmin/certadmin-go/internal/certutil"
	"github.com/certadmin/certadmin-go/internal/transport"
)

// Operation names, as they appear in errors.
const (
	opListAdmins    = "adminv1.ListAdmins"
	opGetAdmin      = "adminv1.GetAdmin"
	opCreateAdmin   = "adminv1.CreateAdmin"
	opUpdateAdmin   = "adminv1.UpdateAdmin"
	opDeleteAdmin   = "adminv1.DeleteAdmin"
	opDeleteAdmins  = "adminv1.DeleteAdmins"
	opEnableAdmin   = "adminv1.EnableAdmin"
	opDisableAdmin  = "adminv1.DisableAdmin"
	opEnableAdmins  = "adminv1.EnableAdmins"
	opDisableAdmins = "adminv1.DisableAdmins"
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

// UpdateAdminInput is what UpdateAdmin changes; everything left at its
// zero value keeps the administrator's current value.
type UpdateAdminInput struct {
	// Name, Surname and Email replace the current values when not empty
	// (the server refuses blank ones).
	Name    string
	Surname string
	Email   string
	// Role replaces the role when not empty.
	Role Role
	// Description replaces the description when not nil; a pointer to ""
	// clears it, e.g. Description: new("").
	Description *string
	// Certificate replaces the administrator's certificate with an
	// uploaded one: DER or PEM, checked locally. The server refuses (400,
	// "already exists") a certificate whose serial number its inventory
	// holds already; name such a certificate by CertificateUUID instead.
	// The administrator's own current certificate changes nothing.
	Certificate []byte
	// CertificateUUID replaces the certificate with one from the inventory.
	// At most one of Certificate and CertificateUUID may be given.
	CertificateUUID string
}

// ListAdmins returns every administrator. It is repeated on failures that
// are safe to retry.
func (c *Client) ListAdmins(ctx context.Context, opts ...CallOption) ([]Admin, error) {
	req, err := adminv1api.NewListAdminsRequest(c.server)
	var out []Admin
	if err := c.t.JSON(ctx, transport.Call{Op: opListAdmins, Request: req, BuildErr: err, Settings: callSettings(opts)}, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// GetAdmin returns the administrator with the given UUID.
func (c *Client) GetAdmin(ctx context.Context, id string, opts ...CallOption) (*Admin, error) {
	id, err := checkID(opGetAdmin, "administrator UUID", id)
	if err != nil {
		return nil, err
	}
	req, err := adminv1api.NewGetAdminRequest(c.server, id)
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
	body := adminv1api.AddAdminRequestDto{
		Username:         in.Username,
		Name:             in.Name,
		Surname:          in.Surname,
		Email:            in.Email,
		Role:             adminv1api.AddAdminRequestDtoRole(in.Role),
		AdminCertificate: cert,
		CertificateUuid:  certUUID,
		Enabled:          &in.Enabled,
		Description:      optional(in.Description),
	}
	req, err := adminv1api.NewAddAdminRequest(c.server, body)
	var out adminv1api.UuidDto
	call := transport.Call{Op: op, Request: req, BuildErr: err,
		OK: []int{http.StatusCreated, http.StatusOK}, Settings: callSettings(opts)}
	if err := c.t.JSON(ctx, call, &out); err != nil {
		return "", err
	}
	return out.Uuid, nil
}

// UpdateAdmin changes the administrator with the given UUID as in says
// and returns it as the server now has it.
//
// The server's edit is not a patch: it sets name, surname, email and
// description to what the request holds (an absent description clears
// it) and refuses a blank name, surname or email. So UpdateAdmin reads the
// administrator first and sends its current values with in's changes: two
// requests, and a change another client makes between them is overwritten.
// The certificate fields are sent only to change the certificate, in the
// combination the server accepts. The edit is sent once.
func (c *Client) UpdateAdmin(ctx context.Context, id string, in UpdateAdminInput, opts ...CallOption) (*Admin, error) {
	const op = opUpdateAdmin
	id, err := checkID(op, "administrator UUID", id)
	if err != nil {
		return nil, err
	}
	if in.Role != "" && !in.Role.Valid() {
		return nil, apierror.Invalid(op, "role %q is not one of %q, %q", in.Role, RoleAdministrator, RoleSuperAdministrator)
	}
	for _, f := range []struct{ name, value string }{{"name", in.Name}, {"surname", in.Surname}, {"email", in.Email}} {
		if f.value != "" && strings.TrimSpace(f.value) == "" {
			return nil, apierror.Invalid(op, "%s must not be blank (leave it empty to keep the current one)", f.name)
		}
	}
	if len(in.Certificate) > 0 && strings.TrimSpace(in.CertificateUUID) != "" {
		return nil, apierror.Invalid(op, "give either a certificate or a certificate UUID, not both")
	}
	var upload *x509.Certificate
	if len(in.Certificate) > 0 {
		if upload, err = certutil.ParseCertificate(in.Certificate); err != nil {
			return nil, apierror.Invalid(op, "certificate: %v", err)
		}
	}
	var certUUID string
	if strings.TrimSpace(in.CertificateUUID) != "" {
		if certUUID, err = checkID(op, "certificate UUID", in.CertificateUUID); err != nil {
			return nil, err
		}
	}

	cs := callSettings(opts)
	req, err := adminv1api.NewGetAdminRequest(c.server, id)
	var cur Admin
	if err := c.t.JSON(ctx, transport.Call{Op: op, Request: req, BuildErr: err, Settings: cs}, &cur); err != nil {
		return nil, err
	}
	body := adminv1api.EditAdminRequestDto{
		Name:        new(or(in.Name, cur.Name)),
		Surname:     new(or(in.Surname, cur.Surname)),
		Email:       new(or(in.Email, cur.Email)),
		Description: optional(cur.Description),
	}
	for _, f := range []struct{ name, value string }{{"name", *body.Name}, {"surname", *body.Surname}, {"email", *body.Email}} {
		if strings.TrimSpace(f.value) == "" {
			return nil, apierror.Invalid(op, "administrator %s has no %s and the server refuses an edit without one: give UpdateAdminInput.%s",
				id, f.name, strings.ToUpper(f.name[:1])+f.name[1:])
		}
	}
	if in.Description != nil {
		body.Description = optional(*in.Description)
	}
	if role := or(string(in.Role), string(cur.Role)); role != "" {
		body.Role = new(adminv1api.EditAdminRequestDtoRole(role))
	}
	switch {
	case upload != nil && !strings.EqualFold(upload.SerialNumber.Text(16), cur.SerialNumber):
		// certificateUuid "" beside the content: the server reads
		// certificateUuid without a null check and takes "" to mean the
		// uploaded certificate.
		body.AdminCertificate = new(base64.StdEncoding.EncodeToString(upload.Raw))
		body.CertificateUuid = new("")
	case certUUID != "":
		body.CertificateUuid = &certUUID
	}
	req, err = adminv1api.NewEditAdminRequest(c.server, id, body)
	var out Admin
	if err := c.t.JSON(ctx, transport.Call{Op: op, Request: req, BuildErr: err, Settings: cs}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// DeleteAdmin deletes the administrator with the given UUID. It is sent once.
func (c *Client) DeleteAdmin(ctx context.Context, id string, opts ...CallOption) error {
	return c.single(ctx, opDeleteAdmin, id, adminv1api.NewRemoveAdminRequest, false, opts)
}

// EnableAdmin lets the administrator with the given UUID sign in. It is sent once.
func (c *Client) EnableAdmin(ctx context.Context, id string, opts ...CallOption) error {
	return c.single(ctx, opEnableAdmin, id, adminv1api.NewEnableAdminRequest, true, opts)
}

// DisableAdmin stops the administrator with the given UUID from signing in.
// It is sent once.
func (c *Client) DisableAdmin(ctx context.Context, id string, opts ...CallOption) error {
	return c.single(ctx, opDisableAdmin, id, adminv1api.NewDisableAdminRequest, true, opts)
}

// DeleteAdmins deletes the administrators with the given UUIDs. It is sent
// once.
//
// The server skips a UUID it does not know (it only logs a warning) and
// answers 204 all the same, so a nil error does not mean that every UUID
// named an administrator; the same holds for EnableAdmins and
// DisableAdmins. Use DeleteAdmin for an error on an unknown UUID.
func (c *Client) DeleteAdmins(ctx context.Context, ids []string, opts ...CallOption) error {
	return c.bulk(ctx, opDeleteAdmins, ids, adminv1api.NewBulkRemoveAdminRequest, opts)
}

// EnableAdmins enables the administrators with the given UUIDs; UUIDs the
// server does not know are skipped without an error (see DeleteAdmins).
// It is sent once.
func (c *Client) EnableAdmins(ctx context.Context, ids []string, opts ...CallOption) error {
	return c.bulk(ctx, opEnableAdmins, ids, adminv1api.NewBulkEnableAdminRequest, opts)
}

// DisableAdmins disables the administrators with the given UUIDs; UUIDs
// the server does not know are skipped without an error (see
// DeleteAdmins). It is sent once.
func (c *Client) DisableAdmins(ctx context.Context, ids []string, opts ...CallOption) error {
	return c.bulk(ctx, opDisableAdmins, ids, adminv1api.NewBulkDisableAdminRequest, opts)
}

// single runs a state-changing call on one administrator: validated UUID,
// never repeated once sent, any 2xx (the vendor document says 200 where
// the server sends 204). jsonType sets Content-Type on the bodiless PUTs:
// the server declares consumes=application/json on them and refuses a
// request without it.
func (c *Client) single(ctx context.Context, op, id string, build func(string, string) (*http.Request, error), jsonType bool, opts []CallOption) error {
	id, err := checkID(op, "administrator UUID", id)
	if err != nil {
		return err
	}
	req, err := build(c.server, id)
	if err == nil && jsonType {
		req.Header.Set("Content-Type", "application/json")
	}
	return c.t.NoContent(ctx, transport.Call{Op: op, Request: req, BuildErr: err, Settings: callSettings(opts)})
}

// bulk runs a state-changing call on many administrators. It is not
// repeated once it may have reached the server.
func (c *Client) bulk(ctx context.Context, op string, ids []string, build func(string, []string) (*http.Request, error), opts []CallOption) error {
	if len(ids) == 0 {
		return apierror.Invalid(op, "no administrator UUIDs given")
	}
	canonical := make([]string, len(ids))
	for i, id := range ids {
		v, err := checkID(op, "administrator UUID", id)
		if err != nil {
			return err
		}
		canonical[i] = v
	}
	req, err := build(c.server, canonical)
	return c.t.NoContent(ctx, transport.Call{Op: op, Request: req, BuildErr: err, Settings: callSettings(opts)})
}

// idShape is what an identifier sent to the server must look like when
// it is not an RFC 4122 UUID: five groups of letters and digits joined by
// '-', as the vendor's own sample identifiers are.
var idShape = regexp.MustCompile(`^[0-9A-Za-z]{1,16}(-[0-9A-Za-z]{1,16}){4}$`)

// checkID validates an identifier sent to the server. The server keeps
// identifiers as text and compares them verbatim, and the UUIDs it makes
// are lower case: a UUID is sent in that canonical form, any other
// identifier of the vendor's shape (such as the documentation's
// 7b55ge1c-844f-11dc-a8a3-0242ac120002) as it is.
func checkID(op, what, id string) (string, error) {
	id = strings.TrimSpace(id)
	if u, err := uuid.Parse(id); err == nil {
		return u.String(), nil
	}
	if !idShape.MatchString(id) {
		return "", apierror.Invalid(op, "%s %q is neither a UUID nor shaped like one", what, id)
	}
	return id, nil
}

func or(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
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
		id, err := checkID(op, "certificate UUID", certUUID)
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

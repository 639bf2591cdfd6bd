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
	opEditAdmin     = "czertainly.EditAdmin"
	opRemoveAdmin   = "czertainly.RemoveAdmin"
	opRemoveAdmins  = "czertainly.RemoveAdmins"
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

// EditAdminInput changes an administrator. Empty fields are not sent and
// keep their value; exactly one of Certificate and CertificateUUID is
// required, as the server requires.
type EditAdminInput struct {
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
func (c *Client) ListAdmins(ctx context.Context) ([]Admin, error) {
	resp, err := c.raw.ListAdmins(ctx) //nolint:bodyclose // t.JSON closes it
	var out []Admin
	if err := c.t.JSON(opListAdmins, resp, err, &out); err != nil {
		return nil, explain(opListAdmins, err)
	}
	return out, nil
}

// GetAdmin returns the administrator with the given UUID.
func (c *Client) GetAdmin(ctx context.Context, id string) (*Admin, error) {
	id, err := checkUUID(opGetAdmin, "administrator UUID", id)
	if err != nil {
		return nil, err
	}
	resp, err := c.raw.GetAdmin(ctx, id) //nolint:bodyclose // t.JSON closes it
	var out Admin
	if err := c.t.JSON(opGetAdmin, resp, err, &out); err != nil {
		return nil, explain(opGetAdmin, err)
	}
	return &out, nil
}

// CreateAdmin adds an administrator and returns its UUID as the server
// wrote it. It is sent once: a create that may have reached the server is
// not repeated.
func (c *Client) CreateAdmin(ctx context.Context, in CreateAdminInput) (string, error) {
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
	resp, err := c.raw.AddAdmin(ctx, body) //nolint:bodyclose // t.JSON closes it
	var out czertainlyapi.UuidDto
	if err := c.t.JSON(op, resp, err, &out, http.StatusCreated, http.StatusOK); err != nil {
		return "", explain(op, err)
	}
	return out.Uuid, nil
}

// EditAdmin changes the administrator with the given UUID and returns it as
// the server now has it. It is sent once.
func (c *Client) EditAdmin(ctx context.Context, id string, in EditAdminInput) (*Admin, error) {
	const op = opEditAdmin
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
	resp, err := c.raw.EditAdmin(ctx, id, body) //nolint:bodyclose // t.JSON closes it
	var out Admin
	if err := c.t.JSON(op, resp, err, &out); err != nil {
		return nil, explain(op, err)
	}
	return &out, nil
}

// RemoveAdmin deletes the administrator with the given UUID. It is sent once.
func (c *Client) RemoveAdmin(ctx context.Context, id string) error {
	return c.single(ctx, opRemoveAdmin, id, c.raw.RemoveAdmin)
}

// EnableAdmin lets the administrator with the given UUID sign in. It is sent once.
func (c *Client) EnableAdmin(ctx context.Context, id string) error {
	return c.single(ctx, opEnableAdmin, id, c.raw.EnableAdmin, jsonContentType)
}

// DisableAdmin stops the administrator with the given UUID from signing in.
// It is sent once.
func (c *Client) DisableAdmin(ctx context.Context, id string) error {
	return c.single(ctx, opDisableAdmin, id, c.raw.DisableAdmin, jsonContentType)
}

// RemoveAdmins deletes the administrators with the given UUIDs (see
// UUIDStrings for parsed ones). It is sent once; an error carries the
// server's message, e.g. which UUID it did not find.
func (c *Client) RemoveAdmins(ctx context.Context, ids []string) error {
	return c.bulk(ctx, opRemoveAdmins, ids, c.raw.BulkRemoveAdmin)
}

// EnableAdmins enables the administrators with the given UUIDs. It is sent once.
func (c *Client) EnableAdmins(ctx context.Context, ids []string) error {
	return c.bulk(ctx, opEnableAdmins, ids, c.raw.BulkEnableAdmin)
}

// DisableAdmins disables the administrators with the given UUIDs. It is sent once.
func (c *Client) DisableAdmins(ctx context.Context, ids []string) error {
	return c.bulk(ctx, opDisableAdmins, ids, c.raw.BulkDisableAdmin)
}

type singleCall func(ctx context.Context, id string, editors ...czertainlyapi.RequestEditorFn) (*http.Response, error)

// single runs a state-changing call on one administrator: validated UUID,
// never repeated once sent, 200 or 204 (the vendor document says 200 where
// the server sends 204).
func (c *Client) single(ctx context.Context, op, id string, call singleCall, editors ...czertainlyapi.RequestEditorFn) error {
	id, err := checkUUID(op, "administrator UUID", id)
	if err != nil {
		return err
	}
	resp, err := call(transport.NotIdempotent(ctx), id, editors...) //nolint:bodyclose // t.Check closes it on error, below on success
	if resp, err = c.t.Check(op, resp, err, http.StatusOK, http.StatusNoContent); err != nil {
		return explain(op, err)
	}
	return resp.Body.Close()
}

type bulkCall func(ctx context.Context, ids []string, editors ...czertainlyapi.RequestEditorFn) (*http.Response, error)

// bulk runs a state-changing call on many administrators. It is not
// repeated: a retry after a partly applied removal would fail on the
// administrators already gone.
func (c *Client) bulk(ctx context.Context, op string, ids []string, call bulkCall) error {
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
	resp, err := call(transport.NotIdempotent(ctx), canonical) //nolint:bodyclose // t.Check closes it on error, below on success
	if resp, err = c.t.Check(op, resp, err, http.StatusOK, http.StatusNoContent); err != nil {
		return explain(op, err)
	}
	return resp.Body.Close()
}

// jsonContentType is sent on the bodiless enable/disable PUTs: the server
// declares consumes=application/json on them and refuses a request without it.
func jsonContentType(_ context.Context, req *http.Request) error {
	req.Header.Set("Content-Type", "application/json")
	return nil
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

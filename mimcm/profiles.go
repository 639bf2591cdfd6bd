package mimcm

import (
	"context"
	"encoding/json"

	"github.com/google/uuid"

	"github.com/certadmin/certadmin-go/internal/apierror"
	"github.com/certadmin/certadmin-go/internal/transport"
	"github.com/certadmin/certadmin-go/mimcm/mimcmapi"
)

// Profile is a software certificate profile: the certificates and keys
// one profile template gave a user.
type Profile struct {
	UUID   uuid.UUID     `json:"Uuid"`
	Status ProfileStatus `json:"Status"`
	// Flags are the server's option bits (not published).
	Flags int32 `json:"Flags"`
	// ParentProfileUUID is the profile this one replaced; nil for none.
	ParentProfileUUID   *uuid.UUID `json:"ParentProfileUuid"`
	PrimaryProfileUUID  *uuid.UUID `json:"PrimaryProfileUuid"`
	AssignedUserUUID    *uuid.UUID `json:"AssignedUserUuid"`
	ProfileTemplateUUID *uuid.UUID `json:"ProfileTemplateUuid"`
	// ProfileTemplateVersion is the template's version when the profile
	// was made.
	ProfileTemplateVersion int32  `json:"ProfileTemplateVersion"`
	Comment                string `json:"Comment"`
	// Operations are the requests the signed-in user may start on the
	// profile ("renew", "recover", …).
	Operations []Operation `json:"ProfileOperations"`
}

func profileFromWire(w mimcmapi.Profile) Profile {
	p := Profile{
		UUID: w.Uuid, Status: ProfileStatus(w.Status), Flags: val(w.Flags),
		ParentProfileUUID: optionalPtr(w.ParentProfileUuid), PrimaryProfileUUID: optionalPtr(w.PrimaryProfileUuid),
		AssignedUserUUID: optionalPtr(w.AssignedUserUuid), ProfileTemplateUUID: optionalPtr(w.ProfileTemplateUuid),
		ProfileTemplateVersion: val(w.ProfileTemplateVersion), Comment: val(w.Comment), Operations: []Operation{},
	}
	for _, o := range val(w.ProfileOperations) {
		p.Operations = append(p.Operations, Operation(o))
	}
	return p
}

// ProfileFilter selects the profiles ListProfiles returns; the zero value
// selects all of them.
type ProfileFilter struct {
	// Status keeps only the profiles in this status; "" keeps every status.
	Status ProfileStatusName
}

// ListProfiles returns the signed-in user's software profiles that match
// f. None (204) is an empty list.
func (c *Client) ListProfiles(ctx context.Context, f ProfileFilter, opts ...CallOption) ([]Profile, error) {
	const op = "mimcm.ListProfiles"
	var params mimcmapi.ListProfilesParams
	if f.Status != "" {
		if !f.Status.Valid() {
			return nil, apierror.Invalid(op, "unknown profile status %q", f.Status)
		}
		s := mimcmapi.ProfileStatusName(f.Status)
		params.Status = &s
	}
	req, err := mimcmapi.NewListProfilesRequest(c.server, &params)
	return c.profiles(ctx, read(op, req, err, opts))
}

func (c *Client) profiles(ctx context.Context, call transport.Call) ([]Profile, error) {
	var out oneOrMany[mimcmapi.Profile]
	err := c.t.JSON(ctx, call, &out)
	if _, ok := noContent(err); ok {
		return []Profile{}, nil
	}
	if err != nil {
		return nil, err
	}
	list := make([]Profile, len(out))
	for i, w := range out {
		list[i] = profileFromWire(w)
	}
	return list, nil
}

// GetProfile returns one software profile; 204 is an ErrNotFound error.
// The answer may be the profile or a list holding only it.
func (c *Client) GetProfile(ctx context.Context, id uuid.UUID, opts ...CallOption) (*Profile, error) {
	const op = "mimcm.GetProfile"
	if err := checkID(op, "profile", id); err != nil {
		return nil, err
	}
	req, err := mimcmapi.NewGetProfileRequest(c.server, id)
	var out single[mimcmapi.Profile]
	if err := notFound(c.t.JSON(ctx, read(op, req, err, opts), &out), "no profile %s", id); err != nil {
		return nil, err
	}
	p := profileFromWire(out.v)
	return &p, nil
}

// ListProfileOperations returns the operations the signed-in user may
// start on a profile. None (204) is an empty list.
func (c *Client) ListProfileOperations(ctx context.Context, id uuid.UUID, opts ...CallOption) ([]Operation, error) {
	const op = "mimcm.ListProfileOperations"
	if err := checkID(op, "profile", id); err != nil {
		return nil, err
	}
	req, err := mimcmapi.NewListProfileOperationsRequest(c.server, id)
	return c.operations(ctx, read(op, req, err, opts))
}

func (c *Client) operations(ctx context.Context, call transport.Call) ([]Operation, error) {
	var out oneOrMany[string]
	err := c.t.JSON(ctx, call, &out)
	if _, ok := noContent(err); ok {
		return []Operation{}, nil
	}
	if err != nil {
		return nil, err
	}
	list := make([]Operation, len(out))
	for i, o := range out {
		list[i] = Operation(o)
	}
	return list, nil
}

// ListProfileCertificates returns the certificates of a software profile.
// None (204) is an empty list.
func (c *Client) ListProfileCertificates(ctx context.Context, id uuid.UUID, opts ...CallOption) ([]Certificate, error) {
	const op = "mimcm.ListProfileCertificates"
	if err := checkID(op, "profile", id); err != nil {
		return nil, err
	}
	req, err := mimcmapi.NewListProfileCertificatesRequest(c.server, id)
	return c.certificates(ctx, read(op, req, err, opts))
}

// UnmarshalJSON reads a profile in the server's JSON form, as the client
// does (all-zero GUIDs become nil).
func (p *Profile) UnmarshalJSON(b []byte) error {
	var w mimcmapi.Profile
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*p = profileFromWire(w)
	return nil
}

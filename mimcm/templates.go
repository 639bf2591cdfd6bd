package mimcm

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/google/uuid"

	"github.com/certadmin/certadmin-go/internal/apierror"
	"github.com/certadmin/certadmin-go/mimcm/mimcmapi"
)

// ProfileTemplate is the limited view of a profile template the server
// gives a user who may enroll for it.
type ProfileTemplate struct {
	UUID        uuid.UUID `json:"Uuid"`
	Name        string    `json:"Name"`
	Description string    `json:"Description"`
	// IsSmartcard is true for a smart card template, false for a software
	// (certificate) one.
	IsSmartcard bool `json:"IsSmartcardProfileTemplate"`
	// IsVirtualSmartcard is true when the template needs a virtual smart
	// card.
	IsVirtualSmartcard bool `json:"IsVirtualSmartcardProfileTemplate"`
}

func templateFromWire(w mimcmapi.ProfileTemplate) ProfileTemplate {
	return ProfileTemplate{UUID: w.Uuid, Name: w.Name, Description: w.Description,
		IsSmartcard: w.IsSmartcardProfileTemplate, IsVirtualSmartcard: w.IsVirtualSmartcardProfileTemplate}
}

// ListProfileTemplates returns the profile templates the signed-in user
// may enroll for. None (204) is an empty list.
func (c *Client) ListProfileTemplates(ctx context.Context, opts ...CallOption) ([]ProfileTemplate, error) {
	const op = "mimcm.ListProfileTemplates"
	req, err := mimcmapi.NewListProfileTemplatesRequest(c.server, nil)
	var out oneOrMany[mimcmapi.ProfileTemplate]
	err = c.t.JSON(ctx, read(op, req, err, opts), &out)
	if _, ok := noContent(err); ok {
		return []ProfileTemplate{}, nil
	}
	if err != nil {
		return nil, err
	}
	list := make([]ProfileTemplate, len(out))
	for i, w := range out {
		list[i] = templateFromWire(w)
	}
	return list, nil
}

// GetProfileTemplate returns one profile template. The server answers 204
// for one it does not know or the user may not see: an ErrNotFound error.
func (c *Client) GetProfileTemplate(ctx context.Context, id uuid.UUID, opts ...CallOption) (*ProfileTemplate, error) {
	const op = "mimcm.GetProfileTemplate"
	if err := checkID(op, "profile template", id); err != nil {
		return nil, err
	}
	req, err := mimcmapi.NewGetProfileTemplateRequest(c.server, id)
	var out mimcmapi.ProfileTemplate
	if err := notFound(c.t.JSON(ctx, read(op, req, err, opts), &out), "no profile template %s", id); err != nil {
		return nil, err
	}
	t := templateFromWire(out)
	return &t, nil
}

// WorkflowPolicy is the policy of one workflow (Enroll, Renew, …) of a
// profile template: what a new request of that type must carry (data
// items, a comment, a priority) and who may start and approve it.
//
// The vendor's documentation lists the properties without a sample, so
// only the counts and flags are typed; the security descriptors,
// documents, one-time password policy and personalization settings are
// kept as the server's JSON, and so is the whole object (Raw), which
// holds the extra properties of a policy's subclass (an EnrollPolicy has
// more than a RetirePolicy).
type WorkflowPolicy struct {
	// ApprovalsNeeded is how many approvals a request needs; 0 means it
	// is approved as soon as it is created.
	ApprovalsNeeded           int32           `json:"ApprovalsNeeded"`
	AuthorizedApprover        json.RawMessage `json:"AuthorizedApprover,omitempty"`
	AuthorizedEnrollmentAgent json.RawMessage `json:"AuthorizedEnrollmentAgent,omitempty"`
	AuthorizedInitiator       json.RawMessage `json:"AuthorizedInitiator,omitempty"`
	// CollectComments says whether a request should carry a comment.
	CollectComments bool `json:"CollectComments"`
	// CollectRequestPriority says whether a request may set a priority.
	CollectRequestPriority bool            `json:"CollectRequestPriority"`
	DefaultRequestPriority int32           `json:"DefaultRequestPriority"`
	Documents              json.RawMessage `json:"Documents,omitempty"`
	Enabled                bool            `json:"Enabled"`
	EnrollAgentRequired    bool            `json:"EnrollAgentRequired"`
	OneTimePasswordPolicy  json.RawMessage `json:"OneTimePasswordPolicy,omitempty"`
	Personalization        json.RawMessage `json:"Personalization,omitempty"`
	// DataCollection names the data items a request must carry
	// (CreateRequestInput.DataCollection).
	DataCollection     []PolicyDataItem `json:"PolicyDataCollection"`
	SelfServiceEnabled bool             `json:"SelfServiceEnabled"`
	// Raw is the policy as the server sent it.
	Raw json.RawMessage `json:"-"`
}

// PolicyDataItem is a data item a policy asks for. Only its name is
// documented; Raw is the item as the server sent it.
type PolicyDataItem struct {
	Name string          `json:"Name"`
	Raw  json.RawMessage `json:"-"`
}

// UnmarshalJSON keeps the item's JSON beside its name.
func (p *PolicyDataItem) UnmarshalJSON(b []byte) error {
	var w struct {
		Name string `json:"Name"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	p.Name, p.Raw = w.Name, append(json.RawMessage(nil), b...)
	return nil
}

// UnmarshalJSON reads the server's JSON and keeps it in Raw.
func (p *WorkflowPolicy) UnmarshalJSON(b []byte) error {
	type plain WorkflowPolicy
	var w plain
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*p = WorkflowPolicy(w)
	p.Raw = append(json.RawMessage(nil), b...)
	return nil
}

// GetWorkflowPolicy returns the policy of workflow t of a profile
// template (GET …/profiletemplates/{id}/policies/{type}, the path of the
// vendor's examples; the type goes in lower case, as there). The server
// answers 204 for a template or workflow it does not know: an
// ErrNotFound error.
func (c *Client) GetWorkflowPolicy(ctx context.Context, template uuid.UUID, t RequestTypeName, opts ...CallOption) (*WorkflowPolicy, error) {
	const op = "mimcm.GetWorkflowPolicy"
	if err := checkID(op, "profile template", template); err != nil {
		return nil, err
	}
	if !t.Valid() {
		return nil, apierror.Invalid(op, "unknown request type %q (want one of %s)", t, requestTypeList())
	}
	req, err := mimcmapi.NewGetWorkflowPolicyRequest(c.server, template, strings.ToLower(string(t)))
	var out WorkflowPolicy
	if err := notFound(c.t.JSON(ctx, read(op, req, err, opts), &out), "no %s policy for profile template %s", t, template); err != nil {
		return nil, err
	}
	return &out, nil
}

// SmartcardConfiguration is the smart card configuration of a profile
// template. The vendor's walkthrough names three of its settings; the
// rest is kept as the server's JSON (Raw).
type SmartcardConfiguration struct {
	// DefaultAdminKeyHex is the admin key a new card starts with.
	DefaultAdminKeyHex string `json:"DefaultAdminKeyHex"`
	// DiversifyAdminKey says the client must replace the admin key with
	// the diversified one (GetSmartcardDiversifiedKey).
	DiversifyAdminKey bool `json:"DiversifyAdminKey"`
	// UserPinOption says who sets the user PIN (undocumented form).
	UserPinOption json.RawMessage `json:"UserPinOption,omitempty"`
	// Raw is the configuration as the server sent it.
	Raw json.RawMessage `json:"-"`
}

// UnmarshalJSON reads the server's JSON and keeps it in Raw.
func (s *SmartcardConfiguration) UnmarshalJSON(b []byte) error {
	type plain SmartcardConfiguration
	var w plain
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*s = SmartcardConfiguration(w)
	s.Raw = append(json.RawMessage(nil), b...)
	return nil
}

// GetSmartcardConfiguration returns the smart card configuration of a
// profile template. 204 (no such template, or not a smart card one) is an
// ErrNotFound error.
func (c *Client) GetSmartcardConfiguration(ctx context.Context, template uuid.UUID, opts ...CallOption) (*SmartcardConfiguration, error) {
	const op = "mimcm.GetSmartcardConfiguration"
	if err := checkID(op, "profile template", template); err != nil {
		return nil, err
	}
	req, err := mimcmapi.NewGetSmartcardConfigurationRequest(c.server, template)
	var out SmartcardConfiguration
	if err := notFound(c.t.JSON(ctx, read(op, req, err, opts), &out), "no smart card configuration for profile template %s", template); err != nil {
		return nil, err
	}
	return &out, nil
}

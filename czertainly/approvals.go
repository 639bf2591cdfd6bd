package czertainly

import (
	"context"
	"iter"
	"time"

	"github.com/certadmin/certadmin-go/czertainly/czertainlyapi"
	"github.com/certadmin/certadmin-go/internal/apierror"
	"github.com/certadmin/certadmin-go/internal/pager"
	"github.com/certadmin/certadmin-go/internal/transport"
)

// ApprovalStatus is an approval's (or an approver's) status.
type ApprovalStatus string

// The approval statuses.
const (
	ApprovalStatusPending  ApprovalStatus = "PENDING"
	ApprovalStatusApproved ApprovalStatus = "APPROVED"
	ApprovalStatusRejected ApprovalStatus = "REJECTED"
	ApprovalStatusExpired  ApprovalStatus = "EXPIRED"
)

// Approval is a request for approval of an operation (an issue, a
// revocation) on an object.
type Approval struct {
	UUID                string         `json:"approvalUuid"`
	CreatorUUID         string         `json:"creatorUuid"`
	CreatorUsername     string         `json:"creatorUsername,omitempty"`
	Version             int            `json:"version"`
	CreatedAt           time.Time      `json:"createdAt"`
	ExpiryAt            time.Time      `json:"expiryAt"`
	ClosedAt            time.Time      `json:"closedAt,omitzero"`
	Status              ApprovalStatus `json:"status"`
	Resource            string         `json:"resource"`
	ResourceAction      string         `json:"resourceAction"`
	ObjectUUID          string         `json:"objectUuid"`
	ApprovalProfileName string         `json:"approvalProfileName"`
	ApprovalProfileUUID string         `json:"approvalProfileUuid"`
}

// ApprovalDetail is an approval with its steps and their recipients.
type ApprovalDetail struct {
	Approval
	Expiry      int            `json:"expiry"`
	Description string         `json:"description,omitempty"`
	Steps       []ApprovalStep `json:"approvalSteps"`
}

// ApprovalStep is one step of an approval.
type ApprovalStep struct {
	UUID              string              `json:"uuid"`
	Order             int                 `json:"order"`
	Description       string              `json:"description,omitempty"`
	RequiredApprovals int                 `json:"requiredApprovals,omitempty"`
	UserUUID          string              `json:"userUuid,omitempty"`
	RoleUUID          string              `json:"roleUuid,omitempty"`
	GroupUUID         string              `json:"groupUuid,omitempty"`
	Username          string              `json:"username,omitempty"`
	RoleName          string              `json:"roleName,omitempty"`
	GroupName         string              `json:"groupName,omitempty"`
	Recipients        []ApprovalRecipient `json:"approvalStepRecipients"`
}

// ApprovalRecipient is one approver's answer to a step.
type ApprovalRecipient struct {
	UUID      string         `json:"approvalRecipientUuid"`
	UserUUID  string         `json:"userUuid,omitempty"`
	Username  string         `json:"username,omitempty"`
	Status    ApprovalStatus `json:"status"`
	Comment   string         `json:"comment,omitempty"`
	CreatedAt time.Time      `json:"createdAt"`
	ClosedAt  time.Time      `json:"closedAt,omitzero"`
}

type approvalPage struct {
	Approvals  []Approval `json:"approvals"`
	TotalItems int64      `json:"totalItems"`
}

// ApprovalQuery selects the approvals ListApprovals and
// ListUserApprovals return.
type ApprovalQuery struct {
	// PageSize is the itemsPerPage of each call (default DefaultPageSize).
	PageSize int
	// History, for ListUserApprovals, lists the approvals the user has
	// already answered instead of those waiting for them.
	History bool
}

func (q ApprovalQuery) size(op string) (int, error) {
	size := q.PageSize
	if size == 0 {
		size = DefaultPageSize
	}
	if size < 1 || size > MaxPageSize {
		return 0, apierror.Invalid(op, "page size %d: must be between 1 and %d", size, MaxPageSize)
	}
	return size, nil
}

// ListApprovals iterates over every approval, fetching pages lazily. Like
// every paged list of the package it does not yield again an approval the
// previous page held, and ends with an error matching ErrPagingMismatch at
// a page that holds only approvals of the previous page or the same
// approvals as an earlier page.
func (c *Client) ListApprovals(ctx context.Context, q ApprovalQuery, opts ...CallOption) iter.Seq2[Approval, error] {
	return c.approvals(ctx, "czertainly.ListApprovals", q, false, opts)
}

// ListUserApprovals iterates over the approvals waiting for the calling
// user (or, with q.History, those they answered).
func (c *Client) ListUserApprovals(ctx context.Context, q ApprovalQuery, opts ...CallOption) iter.Seq2[Approval, error] {
	return c.approvals(ctx, "czertainly.ListUserApprovals", q, true, opts)
}

func (c *Client) approvals(ctx context.Context, op string, q ApprovalQuery, user bool, opts []CallOption) iter.Seq2[Approval, error] {
	size, err := q.size(op)
	return func(yield func(Approval, error) bool) {
		if err != nil {
			yield(Approval{}, err)
			return
		}
		fetch := func(ctx context.Context, start, rows int) (pager.Page[Approval], error) {
			items, page := int32(rows), int32(start/rows+1)
			var req, buildErr = czertainlyapi.NewListApprovalsRequest(c.server, &czertainlyapi.ListApprovalsParams{ItemsPerPage: &items, PageNumber: &page})
			if user {
				var history *bool
				if q.History {
					history = &q.History
				}
				req, buildErr = czertainlyapi.NewListUserApprovalsRequest(c.server, &czertainlyapi.ListUserApprovalsParams{ItemsPerPage: &items, PageNumber: &page, History: history})
			}
			var out approvalPage
			if err := c.t.JSON(ctx, transport.Call{Op: op, Request: req, BuildErr: buildErr, Settings: callSettings(opts)}, &out); err != nil {
				return pager.Page[Approval]{}, err
			}
			return pager.Page[Approval]{Items: out.Approvals, Total: int(out.TotalItems)}, nil
		}
		popts := pager.Options{Op: op, PageSize: size, MaxPageSize: MaxPageSize}
		for a, err := range pager.Keyed(ctx, popts, approvalKey, fetch) {
			if !yield(a, err) || err != nil {
				return
			}
		}
	}
}

func approvalKey(a Approval) string { return a.UUID }

// GetApproval returns one approval with its steps.
func (c *Client) GetApproval(ctx context.Context, uuid string, opts ...CallOption) (*ApprovalDetail, error) {
	const op = "czertainly.GetApproval"
	id, err := parseUUID(op, "approval UUID", uuid)
	if err != nil {
		return nil, err
	}
	req, err := czertainlyapi.NewGetApprovalRequest(c.server, id)
	var out ApprovalDetail
	if err := c.t.JSON(ctx, transport.Call{Op: op, Request: req, BuildErr: err, Settings: callSettings(opts)}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// ApproveApproval approves as an administrator who may decide the whole
// approval. It is not repeated once it may have reached the server.
func (c *Client) ApproveApproval(ctx context.Context, uuid string, opts ...CallOption) error {
	return c.decide(ctx, "czertainly.ApproveApproval", uuid, true, opts)
}

// RejectApproval rejects as an administrator.
func (c *Client) RejectApproval(ctx context.Context, uuid string, opts ...CallOption) error {
	return c.decide(ctx, "czertainly.RejectApproval", uuid, false, opts)
}

func (c *Client) decide(ctx context.Context, op, uuid string, approve bool, opts []CallOption) error {
	id, err := parseUUID(op, "approval UUID", uuid)
	if err != nil {
		return err
	}
	build := czertainlyapi.NewRejectApprovalRequest
	if approve {
		build = czertainlyapi.NewApproveApprovalRequest
	}
	req, err := build(c.server, id)
	return c.t.NoContent(ctx, transport.Call{Op: op, Request: req, BuildErr: err, Settings: callSettings(opts)})
}

// ApproveApprovalAsRecipient approves as the calling user, one recipient
// of the current step, with an optional comment.
func (c *Client) ApproveApprovalAsRecipient(ctx context.Context, uuid, comment string, opts ...CallOption) error {
	return c.decideRecipient(ctx, "czertainly.ApproveApprovalAsRecipient", uuid, comment, true, opts)
}

// RejectApprovalAsRecipient rejects as the calling user, one recipient of
// the current step.
func (c *Client) RejectApprovalAsRecipient(ctx context.Context, uuid, comment string, opts ...CallOption) error {
	return c.decideRecipient(ctx, "czertainly.RejectApprovalAsRecipient", uuid, comment, false, opts)
}

func (c *Client) decideRecipient(ctx context.Context, op, uuid, comment string, approve bool, opts []CallOption) error {
	id, err := parseUUID(op, "approval UUID", uuid)
	if err != nil {
		return err
	}
	body := czertainlyapi.UserApprovalDto{}
	if comment != "" {
		body.Comment = &comment
	}
	build := czertainlyapi.NewRejectApprovalRecipientRequest
	if approve {
		build = czertainlyapi.NewApproveApprovalRecipientRequest
	}
	req, err := build(c.server, id, body)
	return c.t.NoContent(ctx, transport.Call{Op: op, Request: req, BuildErr: err, Settings: callSettings(opts)})
}

// ApprovalProfile says who must approve the operations of the objects it
// is associated with.
type ApprovalProfile struct {
	UUID          string `json:"uuid"`
	Name          string `json:"name"`
	Version       int    `json:"version"`
	Description   string `json:"description,omitempty"`
	Expiry        int    `json:"expiry,omitempty"`
	NumberOfSteps int    `json:"numberOfSteps"`
	Associations  int    `json:"associations"`
}

// ApprovalProfileDetail is an approval profile with its steps.
type ApprovalProfileDetail struct {
	ApprovalProfile
	Steps []map[string]any `json:"approvalSteps"`
}

type approvalProfilePage struct {
	ApprovalProfiles []ApprovalProfile `json:"approvalProfiles"`
	TotalItems       int64             `json:"totalItems"`
}

// ListApprovalProfiles iterates over the approval profiles.
func (c *Client) ListApprovalProfiles(ctx context.Context, opts ...CallOption) iter.Seq2[ApprovalProfile, error] {
	const op = "czertainly.ListApprovalProfiles"
	return func(yield func(ApprovalProfile, error) bool) {
		fetch := func(ctx context.Context, start, rows int) (pager.Page[ApprovalProfile], error) {
			items, page := int32(rows), int32(start/rows+1)
			req, err := czertainlyapi.NewListApprovalProfilesRequest(c.server, &czertainlyapi.ListApprovalProfilesParams{ItemsPerPage: &items, PageNumber: &page})
			var out approvalProfilePage
			if err := c.t.JSON(ctx, transport.Call{Op: op, Request: req, BuildErr: err, Settings: callSettings(opts)}, &out); err != nil {
				return pager.Page[ApprovalProfile]{}, err
			}
			return pager.Page[ApprovalProfile]{Items: out.ApprovalProfiles, Total: int(out.TotalItems)}, nil
		}
		popts := pager.Options{Op: op, PageSize: DefaultPageSize, MaxPageSize: MaxPageSize}
		key := func(p ApprovalProfile) string { return p.UUID }
		for a, err := range pager.Keyed(ctx, popts, key, fetch) {
			if !yield(a, err) || err != nil {
				return
			}
		}
	}
}

// GetApprovalProfile returns an approval profile; version 0 is the latest.
func (c *Client) GetApprovalProfile(ctx context.Context, uuid string, version int, opts ...CallOption) (*ApprovalProfileDetail, error) {
	const op = "czertainly.GetApprovalProfile"
	id, err := parseUUID(op, "approval profile UUID", uuid)
	if err != nil {
		return nil, err
	}
	if version < 0 {
		return nil, apierror.Invalid(op, "version %d must not be negative", version)
	}
	params := &czertainlyapi.GetApprovalProfileParams{}
	if version > 0 {
		v := int32(version)
		params.Version = &v
	}
	req, err := czertainlyapi.NewGetApprovalProfileRequest(c.server, id, params)
	var out ApprovalProfileDetail
	if err := c.t.JSON(ctx, transport.Call{Op: op, Request: req, BuildErr: err, Settings: callSettings(opts)}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

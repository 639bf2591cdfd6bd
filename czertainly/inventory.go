package czertainly

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"time"

	"github.com/certadmin/certadmin-go/czertainly/czertainlyapi"
	"github.com/certadmin/certadmin-go/internal/apierror"
	"github.com/certadmin/certadmin-go/internal/pager"
	"github.com/certadmin/certadmin-go/internal/poll"
	"github.com/certadmin/certadmin-go/internal/transport"
	"github.com/certadmin/certadmin-go/internal/workflow"
)

// CertificateRelationType says how a successor certificate follows its
// predecessor.
type CertificateRelationType string

// The relation types of Core (CZERTAINLY-Interfaces
// CertificateRelationType.java at 804df038).
const (
	CertificateRelationRenewal     CertificateRelationType = "renewal"
	CertificateRelationRekey       CertificateRelationType = "rekey"
	CertificateRelationReplacement CertificateRelationType = "replacement"
	// CertificateRelationPending: the successor is not issued yet; Core
	// decides renewal or rekey when it is.
	CertificateRelationPending CertificateRelationType = "pending"
)

// RelatedCertificate is a certificate on the other side of a relation.
type RelatedCertificate struct {
	UUID               string                  `json:"uuid"`
	CertificateType    string                  `json:"certificateType"`
	State              CertificateState        `json:"state,omitempty"`
	RelationType       CertificateRelationType `json:"relationType"`
	CommonName         string                  `json:"commonName"`
	SubjectDN          string                  `json:"subjectDn,omitempty"`
	IssuerCommonName   string                  `json:"issuerCommonName,omitempty"`
	IssuerDN           string                  `json:"issuerDn,omitempty"`
	SerialNumber       string                  `json:"serialNumber,omitempty"`
	Fingerprint        string                  `json:"fingerprint,omitempty"`
	PublicKeyAlgorithm string                  `json:"publicKeyAlgorithm"`
	SignatureAlgorithm string                  `json:"signatureAlgorithm,omitempty"`
	NotBefore          time.Time               `json:"notBefore,omitzero"`
	NotAfter           time.Time               `json:"notAfter,omitzero"`
}

// CertificateRelations are the certificates that renew, rekey or replace
// a certificate (Successors) and those it renews, rekeys or replaces
// (Predecessors).
type CertificateRelations struct {
	CertificateUUID string               `json:"certificateUuid"`
	Successors      []RelatedCertificate `json:"successorCertificates"`
	Predecessors    []RelatedCertificate `json:"predecessorCertificates"`
}

// GetCertificateRelations returns the certificate's predecessors and
// successors (GET /v1/certificates/{uuid}/relations). A renewal or rekey
// submitted through Core is a successor from the moment Core accepts it
// (relation pending until it is issued); Core removes the relation when
// that certificate fails or is rejected (ClientOperationServiceImpl.java
// :344-356 at cad4432a).
func (c *Client) GetCertificateRelations(ctx context.Context, uuid string, opts ...CallOption) (*CertificateRelations, error) {
	const op = "czertainly.GetCertificateRelations"
	id, err := parseUUID(op, "certificate UUID", uuid)
	if err != nil {
		return nil, err
	}
	req, err := czertainlyapi.NewGetCertificateRelationsRequest(c.server, id)
	var out CertificateRelations
	if err := c.t.JSON(ctx, transport.Call{Op: op, Request: req, BuildErr: err, Settings: callSettings(opts)}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// ListCertificateApprovals iterates over the approvals of one certificate
// (GET /v1/certificates/{uuid}/approvals), e.g. to find the approval a
// certificate in state pending_approval waits for. Paging is as in
// ListApprovals; q.History is ignored.
func (c *Client) ListCertificateApprovals(ctx context.Context, uuid string, q ApprovalQuery, opts ...CallOption) iter.Seq2[Approval, error] {
	const op = "czertainly.ListCertificateApprovals"
	id, err := parseUUID(op, "certificate UUID", uuid)
	size, sizeErr := q.size(op)
	return func(yield func(Approval, error) bool) {
		if err = errors.Join(err, sizeErr); err != nil {
			yield(Approval{}, err)
			return
		}
		fetch := func(ctx context.Context, start, rows int) (pager.Page[Approval], error) {
			items, page := int32(rows), int32(start/rows+1)
			req, err := czertainlyapi.NewListCertificateApprovalsRequest(c.server, id, &czertainlyapi.ListCertificateApprovalsParams{ItemsPerPage: &items, PageNumber: &page})
			var out approvalPage
			if err := c.t.JSON(ctx, transport.Call{Op: op, Request: req, BuildErr: err, Settings: callSettings(opts)}, &out); err != nil {
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

// pendingApprovals lists the UUIDs of the certificate's approvals still
// pending, for a *PendingError. It is best effort: the error it met is
// returned beside what it found.
func (c *Client) pendingApprovals(ctx context.Context, uuid string, opts []CallOption) ([]string, error) {
	var out []string
	for a, err := range c.ListCertificateApprovals(ctx, uuid, ApprovalQuery{}, opts...) {
		if err != nil {
			return out, err
		}
		if a.Status == ApprovalStatusPending {
			out = append(out, a.UUID)
		}
	}
	return out, nil
}

// Authority is an authority instance: a CA reached through a connector.
type Authority struct {
	UUID             string              `json:"uuid"`
	Name             string              `json:"name"`
	Status           string              `json:"status"`
	Kind             string              `json:"kind"`
	ConnectorUUID    string              `json:"connectorUuid,omitempty"`
	ConnectorName    string              `json:"connectorName,omitempty"`
	Attributes       []ResponseAttribute `json:"attributes"`
	CustomAttributes []ResponseAttribute `json:"customAttributes,omitempty"`
}

// ListAuthorities returns the authority instances (GET /v1/authorities);
// an RA profile's AuthorityInstanceUUID names one of them.
func (c *Client) ListAuthorities(ctx context.Context, opts ...CallOption) ([]Authority, error) {
	const op = "czertainly.ListAuthorities"
	req, err := czertainlyapi.NewListAuthorityInstancesRequest(c.server)
	var out []Authority
	if err := c.t.JSON(ctx, transport.Call{Op: op, Request: req, BuildErr: err, Settings: callSettings(opts)}, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// ListGroups returns the groups (GET /v1/groups), whose UUIDs UserInput,
// CertificateUpdate and BulkUpdateCertificates take.
func (c *Client) ListGroups(ctx context.Context, opts ...CallOption) ([]Group, error) {
	const op = "czertainly.ListGroups"
	req, err := czertainlyapi.NewListGroupsRequest(c.server)
	var out []Group
	if err := c.t.JSON(ctx, transport.Call{Op: op, Request: req, BuildErr: err, Settings: callSettings(opts)}, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// BulkUpdateCertificates changes the owner, groups or RA profile of
// several certificates (PATCH /v1/certificates). Core only accepts the
// change: it applies it in the background, one certificate at a time,
// and reports a certificate it could not change as a notification to the
// caller, not in the answer (CertificateServiceImpl.java:540-575 is
// @Async). Read the certificates back to confirm. u.TrustedCA cannot be
// set in bulk; "" for OwnerUUID or RAProfileUUID removes the owner or the
// RA profile, as in UpdateCertificate. Not repeated once it may have
// reached the server.
func (c *Client) BulkUpdateCertificates(ctx context.Context, uuids []string, u CertificateUpdate, opts ...CallOption) error {
	const op = "czertainly.BulkUpdateCertificates"
	if len(uuids) == 0 {
		return apierror.Invalid(op, "no certificate UUIDs")
	}
	if _, err := parseUUIDs(op, "certificate UUID", uuids); err != nil {
		return err
	}
	if u.TrustedCA != nil {
		return apierror.Invalid(op, "trustedCa cannot be set in bulk; use UpdateCertificate")
	}
	one, err := u.wire(op)
	if err != nil {
		return err
	}
	ids := append([]string(nil), uuids...)
	body := czertainlyapi.MultipleCertificateObjectUpdateDto{CertificateUuids: &ids, OwnerUuid: one.OwnerUuid,
		RaProfileUuid: one.RaProfileUuid, GroupUuids: one.GroupUuids}
	req, err := czertainlyapi.NewBulkUpdateCertificateObjectsRequest(c.server, body)
	return c.t.NoContent(ctx, transport.Call{Op: op, Request: req, BuildErr: err, Settings: callSettings(opts)})
}

// RemainingCertificates returns those of uuids that are still in the
// inventory: one GET each, a 404 meaning deleted. Use it to confirm a
// DeleteCertificates, which Core carries out in the background.
func (c *Client) RemainingCertificates(ctx context.Context, uuids []string, opts ...CallOption) ([]string, error) {
	const op = "czertainly.RemainingCertificates"
	if _, err := parseUUIDs(op, "certificate UUID", uuids); err != nil {
		return nil, err
	}
	var left []string
	for _, id := range uuids {
		_, err := c.GetCertificate(ctx, id, opts...)
		switch {
		case err == nil:
			left = append(left, id)
		case isNotFound(err):
		default:
			return nil, err
		}
	}
	return left, nil
}

func isNotFound(err error) bool {
	var ae *apierror.Error
	return errors.As(err, &ae) && ae.StatusCode == http.StatusNotFound
}

// DeletionPendingError is a WaitForDeletion that ended while Remaining
// were still in the inventory. Core may still delete them, or may have
// skipped them (a certificate a user signs in with is never deleted;
// CertificateServiceImpl.java:485-488): look at the caller's
// notifications on the platform.
type DeletionPendingError struct {
	Remaining []string
	Err       error
}

func (e *DeletionPendingError) Error() string {
	return fmt.Sprintf("czertainly: %d certificates not deleted yet: %v", len(e.Remaining), e.Err)
}

// Unwrap returns why the wait ended.
func (e *DeletionPendingError) Unwrap() error { return e.Err }

// WaitForDeletion waits (with the poll interval and timeout of
// WithPollInterval and WithWaitTimeout) until none of uuids is in the
// inventory any more, reading only those still there on each round. A
// wait that ends first is a *DeletionPendingError naming what is left.
func (c *Client) WaitForDeletion(ctx context.Context, uuids []string, opts ...CallOption) error {
	const op = "czertainly.WaitForDeletion"
	if _, err := parseUUIDs(op, "certificate UUID", uuids); err != nil {
		return err
	}
	p, err := c.waitFor(op, opts)
	if err != nil {
		return err
	}
	left := append([]string(nil), uuids...)
	check := func(ctx context.Context) ([]string, bool, error) {
		still, err := c.RemainingCertificates(ctx, left, opts...)
		if err != nil {
			return left, false, err
		}
		left = still
		return left, len(left) == 0, nil
	}
	if _, err := poll.Until(ctx, p.Poll(p.WaitTimeout), check, nil); err != nil {
		if len(left) > 0 && (errors.Is(err, poll.ErrTimeout) || ctx.Err() != nil) {
			return &DeletionPendingError{Remaining: left, Err: err}
		}
		return err
	}
	return nil
}

// WaitForRevocation waits until Core shows the certificate revoked, after
// a RevokeCertificate: Core answers that call at once and revokes in the
// background, so the certificate stays issued meanwhile, or becomes
// pending_approval where the RA profile has an approval profile
// (ClientOperationServiceImpl.java:737-753). It returns the revoked
// certificate; one still issued or pending when the wait ends (or, with
// WithApprovalWait(0), one pending approval) is a *PendingError whose
// Approvals lists the pending approvals. A revocation the authority
// refused puts the certificate back to issued (ClientOperationServiceImpl
// .java:789-796), which a wait cannot tell from one not done yet: the
// certificate's history (GetCertificateHistory) has a failed revoke event
// then.
func (c *Client) WaitForRevocation(ctx context.Context, uuid string, opts ...CallOption) (*CertificateDetail, error) {
	const op = "czertainly.WaitForRevocation"
	if _, err := parseUUID(op, "certificate UUID", uuid); err != nil {
		return nil, err
	}
	p, err := c.waitFor(op, opts)
	if err != nil {
		return nil, err
	}
	var last CertificateState
	approval := approvalClock{limit: p.ApprovalWait}
	check := func(ctx context.Context) (*CertificateDetail, bool, error) {
		d, err := c.GetCertificate(ctx, uuid, opts...)
		if err != nil {
			return nil, false, err
		}
		last = d.State
		switch d.State {
		case CertificateStateRevoked:
			return d, true, nil
		case CertificateStatePendingApproval:
			if approval.over(d.State) {
				return d, false, errStopAtApproval
			}
		case CertificateStateIssued, CertificateStatePendingRevoke:
		default:
			return d, false, &StateError{CertificateUUID: uuid, State: d.State}
		}
		return d, false, nil
	}
	progress := func(d *CertificateDetail) { workflow.Report(p, Progress{State: d.State}) }
	d, err := poll.Until(ctx, p.Poll(p.WaitTimeout), check, progress)
	if err == nil {
		return d, nil
	}
	if last != "" && (errors.Is(err, poll.ErrTimeout) || errors.Is(err, errStopAtApproval) || ctx.Err() != nil) {
		pe := &PendingError{CertificateUUID: uuid, Stage: stageOf(last), State: last, Err: err}
		if last == CertificateStatePendingApproval && ctx.Err() == nil {
			pe.Approvals, _ = c.pendingApprovals(ctx, uuid, opts)
		}
		return nil, pe
	}
	return nil, err
}

package mimcm

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/certadmin/certadmin-go/internal/apierror"
	"github.com/certadmin/certadmin-go/internal/poll"
)

// RenewSoftwareCertificate renews a software profile: a Renew request
// for it, then the same steps as EnrollSoftwareCertificate (the
// profile's template is used unless in names one). The new certificate
// and key are returned; the server retires the old profile.
//
// Before creating the request it asks the server whether the profile was
// renewed already: a profile that is not active (the server retires the
// old profile when a renewal completes) is refused with
// ErrProfileNotActive; and when a request for the profile still waits for
// approval or is approved (an earlier run that stopped, perhaps after its
// certificates were issued), no new request is made and the error
// (ErrRenewalInProgress) names that request: resume it with
// ResumeEnrollment, which refuses if its certificates may have been
// issued, or cancel it. A second run of a renewal job therefore renews
// nothing the first one already started, on the server's word.
func (c *Client) RenewSoftwareCertificate(ctx context.Context, profileID uuid.UUID, in EnrollInput, opts ...CallOption) (*Enrollment, error) {
	const op = "mimcm.RenewSoftwareCertificate"
	if err := checkID(op, "profile", profileID); err != nil {
		return nil, err
	}
	// A profile that is no longer active was renewed (the server retires
	// the old profile when a renewal completes) or revoked or retired:
	// renewing it again would issue a second certificate for it. Active is
	// 2 (get-profile-data.md, the ?status=Active sample).
	p, err := c.GetProfile(ctx, profileID, opts...)
	if err != nil {
		return nil, &EnrollError{Op: op, Stage: EnrollStageCreating, Err: err, Next: "nothing was created: check the profile's GUID"}
	}
	if p.Status != ProfileStatusActive {
		return nil, &EnrollError{Op: op, Stage: EnrollStageCreating,
			Err:  fmt.Errorf("%w: profile %s is in status %v", ErrProfileNotActive, profileID, p.Status),
			Next: "no request was made: a renewed profile is replaced by its successor (the profile whose parent it is); renew that one if needed"}
	}
	for _, status := range []Status{StatusPending, StatusApproved} {
		list, err := c.ListRequests(ctx, RequestFilter{Status: status}, opts...)
		if err != nil {
			return nil, &EnrollError{Op: op, Stage: EnrollStageCreating, Err: err,
				Next: "nothing was created: the requests could not be read to rule out a renewal in progress; try again"}
		}
		for _, r := range list {
			if r.OldProfileUUID != nil && *r.OldProfileUUID == profileID && !r.IsCompleted() {
				return nil, &EnrollError{Op: op, Stage: EnrollStageCreating, RequestID: r.UUID, Status: r.Status, StatusName: status,
					Err:  fmt.Errorf("%w: request %s for profile %s is %s", ErrRenewalInProgress, r.UUID, profileID, status),
					Next: "no new request was made: continue request " + r.UUID.String() + " with ResumeEnrollment, or cancel it (CancelRequest) first"}
			}
		}
	}
	in.Type, in.ProfileUUID = RequestTypeNameRenew, &profileID
	return c.EnrollSoftwareCertificate(ctx, in, opts...)
}

// ErrProfileNotActive: the profile is not active (already renewed,
// revoked or retired); RenewSoftwareCertificate made no request.
var ErrProfileNotActive = errors.New("the profile is not active")

// ErrRenewalInProgress: a request on the profile is already open (pending
// or approved); RenewSoftwareCertificate made no new one.
var ErrRenewalInProgress = errors.New("a request for the profile is already open")

// ProfileRequestInput is the optional part of a request on an existing
// profile (RevokeProfile, RetireProfile).
type ProfileRequestInput struct {
	DataCollection []DataValue
	Comment        string
	Priority       *int
}

// RevokeProfile revokes the certificates of a software profile: it
// creates a Revoke request for the profile, waits for its approval
// (WithApprovalWait; a *PendingError matching ErrApprovalPending after
// it, as for an enrollment)
// and marks it completed, which makes the server revoke. It returns the
// completed request.
func (c *Client) RevokeProfile(ctx context.Context, profileID uuid.UUID, in ProfileRequestInput, opts ...CallOption) (*Request, error) {
	return c.profileRequest(ctx, "mimcm.RevokeProfile", RequestTypeNameRevoke, profileID, in, opts)
}

// RetireProfile retires a software profile (its certificates leave the
// user's list), like RevokeProfile with a Retire request.
func (c *Client) RetireProfile(ctx context.Context, profileID uuid.UUID, in ProfileRequestInput, opts ...CallOption) (*Request, error) {
	return c.profileRequest(ctx, "mimcm.RetireProfile", RequestTypeNameRetire, profileID, in, opts)
}

func (c *Client) profileRequest(ctx context.Context, op string, typ RequestTypeName, profileID uuid.UUID, in ProfileRequestInput, opts []CallOption) (*Request, error) {
	if err := checkID(op, "profile", profileID); err != nil {
		return nil, err
	}
	p, err := c.GetProfile(ctx, profileID, opts...)
	if err != nil {
		return nil, err
	}
	if p.ProfileTemplateUUID == nil {
		return nil, apierror.Invalid(op, "profile %s names no profile template", profileID)
	}
	s, err := c.waitFor(op, opts)
	if err != nil {
		return nil, err
	}
	id, err := c.CreateRequest(ctx, CreateRequestInput{Type: typ, ProfileTemplateUUID: *p.ProfileTemplateUUID, ProfileUUID: &profileID,
		DataCollection: in.DataCollection, Comment: in.Comment, Priority: in.Priority}, opts...)
	if err != nil {
		return nil, &EnrollError{Op: op, Stage: EnrollStageCreating, Err: err, Next: "look for the request with ListRequests before trying again"}
	}
	names := c.statusNames(opts)
	r, err := c.awaitApproval(ctx, id, s, names, opts)
	if err != nil {
		e := &EnrollError{Op: op, Stage: EnrollStageAwaitingApproval, RequestID: id, Err: err,
			Next: "once the request is approved, mark it completed with CompleteRequest"}
		if r != nil {
			e.Status, e.StatusName = r.Status, names.known[r.Status]
			if n, ok := r.Status.Name(); ok {
				e.StatusName = n
			}
		}
		switch {
		case errors.Is(err, errNotApproved) || errors.Is(err, poll.ErrTimeout):
			e.Err = &PendingError{RequestID: id, Stage: EnrollStageAwaitingApproval, Status: e.Status, StatusName: e.StatusName, Err: err, approval: true}
		case errors.Is(err, ErrTerminalStatus):
			e.Next = "the request will not be approved: make a new one if it is still needed"
		case errors.Is(err, errAlreadyCompleted):
			e.Stage, e.Next = EnrollStageCompleted, "the request was completed before"
		}
		return nil, e
	}
	done, err := c.CompleteRequest(ctx, id, opts...)
	if err != nil {
		return nil, &EnrollError{Op: op, Stage: EnrollStageApproved, RequestID: id, Status: r.Status, Err: err,
			Next: "mark the request completed with CompleteRequest"}
	}
	if done == nil {
		return c.GetRequest(ctx, id, opts...)
	}
	return done, nil
}

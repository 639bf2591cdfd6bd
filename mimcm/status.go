package mimcm

import (
	"context"
	"errors"
)

// ErrTerminalStatus: the request was denied, canceled or failed; it will
// never be approved. The *EnrollError's StatusName says which.
var ErrTerminalStatus = errors.New("the request was denied, canceled or failed")

// errExecutionStarted: the request shows that its execution began (its
// status is Executing, or it names a new profile), so certificates may
// have been issued for it.
var errExecutionStarted = errors.New("the request's execution has begun: its certificates may have been issued")

// statusNames resolves the status numbers of one workflow to their
// published names. The vendor's reference pins only two numbers (3 reads
// as Approved in get-request.md's samples and the enrollment walkthrough,
// 8 is Completed in cancel-abandon-complete-request.md's sample); every
// other number is read by the server's own status filter (get-request.md:
// ?status= takes the published names): the list for a name whose members
// carry the number says what the number means. Each number is looked up
// once per workflow.
type statusNames struct {
	c     *Client
	opts  []CallOption
	known map[StatusNumber]Status
}

// lookupOrder is the order names are tried in: Pending first, as a
// request waiting for approval is the common case, then the end states.
var lookupOrder = []Status{StatusPending, StatusDenied, StatusCanceled, StatusFailed, StatusExecuting, StatusNone}

func (c *Client) statusNames(opts []CallOption) *statusNames {
	return &statusNames{c: c, opts: opts, known: map[StatusNumber]Status{}}
}

// of returns the published name of n, or "" when no list of the server
// holds a request with that number (the number then means nothing this
// package can act on). A failed list ends the lookup with its error and
// names nothing, so the next call tries again.
func (s *statusNames) of(ctx context.Context, n StatusNumber) (Status, error) {
	if name, ok := n.Name(); ok {
		return name, nil
	}
	if name, ok := s.known[n]; ok {
		return name, nil
	}
	for _, name := range lookupOrder {
		list, err := s.c.ListRequests(ctx, RequestFilter{Status: name}, s.opts...)
		if err != nil {
			return "", err
		}
		for _, r := range list {
			if _, pinned := r.Status.Name(); !pinned {
				s.known[r.Status] = name
			}
		}
		if got, ok := s.known[n]; ok {
			return got, nil
		}
	}
	return "", nil
}

// terminal reports the names of the statuses a request never leaves for
// Approved.
func terminal(name Status) bool {
	return name == StatusDenied || name == StatusCanceled || name == StatusFailed
}

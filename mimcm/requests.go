package mimcm

import (
	"context"
	"errors"
	"net/http"

	"github.com/google/uuid"

	"github.com/certadmin/certadmin-go/internal/apierror"
	"github.com/certadmin/certadmin-go/internal/transport"
	"github.com/certadmin/certadmin-go/mimcm/mimcmapi"
)

// RequestFilter selects the requests ListRequests returns. The zero value
// selects every request the caller may see.
type RequestFilter struct {
	// CurrentUser keeps only the requests whose target is the
	// authenticated user (targetuser=current, the only target the API
	// supports).
	CurrentUser bool
	// Status keeps only the requests in this status; "" keeps every status.
	Status Status
}

// GetRequest returns the request with the given GUID. The server answers
// 204 No Content for a GUID it does not know; that is an ErrNotFound
// error.
func (c *Client) GetRequest(ctx context.Context, id uuid.UUID, opts ...CallOption) (*Request, error) {
	const op = "mimcm.GetRequest"
	if id == uuid.Nil {
		return nil, apierror.Invalid(op, "the all-zero GUID names no request")
	}
	req, err := mimcmapi.NewGetRequestRequest(c.server, id)
	var out oneRequest
	err = c.t.JSON(ctx, transport.Call{Op: op, Request: req, BuildErr: err, OK: okStatus, Settings: callSettings(opts)}, &out)
	if e, ok := noContent(err); ok {
		e.Kind, e.Message = apierror.ErrNotFound, "no request "+id.String()
		return nil, err
	}
	if err != nil {
		return nil, err
	}
	return newRequest(&out.Request), nil
}

// ListRequests returns the requests that match f, in the server's order.
// No match (the server answers 204 No Content) is an empty list, not an
// error.
func (c *Client) ListRequests(ctx context.Context, f RequestFilter, opts ...CallOption) ([]Request, error) {
	const op = "mimcm.ListRequests"
	var params mimcmapi.ListRequestsParams
	if f.Status != "" {
		if !f.Status.Valid() {
			return nil, apierror.Invalid(op, "unknown request status %q (want one of %s)", f.Status, statusList())
		}
		s := mimcmapi.StatusName(f.Status)
		params.Status = &s
	}
	if f.CurrentUser {
		cur := mimcmapi.Current
		params.Targetuser = &cur
	}
	req, err := mimcmapi.NewListRequestsRequest(c.server, &params)
	// The documentation describes the answer ("one or more Request
	// objects") without a sample: a lone request is a list of one.
	var out oneOrMany[mimcmapi.Request]
	err = c.t.JSON(ctx, transport.Call{Op: op, Request: req, BuildErr: err, OK: okStatus, Settings: callSettings(opts)}, &out)
	if _, ok := noContent(err); ok {
		return []Request{}, nil
	}
	if err != nil {
		return nil, err
	}
	list := make([]Request, len(out))
	for i := range out {
		list[i] = fromWire(&out[i])
	}
	return list, nil
}

// okStatus is the one answer that carries data. The API answers 204 No
// Content when nothing matches; the calls turn that into their own result
// (see noContent).
var okStatus = []int{http.StatusOK}

// noContent returns the error for a 204 answer, which the calls of this
// API give for "nothing matched".
func noContent(err error) (*apierror.Error, bool) {
	if err == nil {
		return nil, false // without the allocation errors.As costs
	}
	var e *apierror.Error
	if errors.As(err, &e) && e.StatusCode == http.StatusNoContent {
		return e, true
	}
	return nil, false
}

// errNoRequest is the decoding error for a 200 answer to GetRequest that
// holds no request (null, {} or an object without its GUID).
var errNoRequest = errors.New("the answer holds no request (no Uuid)")

// oneRequest is the answer to GetRequest; the transport refuses one
// without a request in it (CheckAnswer).
// (Embedded, so the answer is decoded straight into the request.)
type oneRequest struct{ mimcmapi.Request }

// CheckAnswer implements transport.AnswerChecker.
func (o *oneRequest) CheckAnswer() error {
	if o.Uuid == uuid.Nil {
		return errNoRequest
	}
	return nil
}

package mimcm

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/google/uuid"

	"github.com/certadmin/certadmin-go/internal/apierror"
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
	Status StatusName
}

// GetRequest returns the request with the given GUID. ErrNotFound is
// returned when the server answers 204 (no such request).
func (c *Client) GetRequest(ctx context.Context, id uuid.UUID) (*Request, error) {
	const op = "mimcm.GetRequest"
	if id == uuid.Nil {
		return nil, apierror.Invalid(op, "the all-zero GUID names no request")
	}
	resp, err := c.raw.GetRequest(ctx, id)
	var out mimcmapi.Request
	found, err := c.decode(op, resp, err, &out)
	if err != nil {
		return nil, err
	}
	if !found {
		e := c.t.ResponseError(op, resp, nil)
		e.Kind, e.Message = apierror.ErrNotFound, "no request "+id.String()
		return nil, e
	}
	if out.Uuid == uuid.Nil {
		// null, {} or a request without its GUID: not the request asked for.
		e := c.t.ResponseError(op, resp, nil)
		e.Kind, e.Message = apierror.ErrUnexpectedResponse, "answer holds no request"
		return nil, e
	}
	r := fromWire(out)
	return &r, nil
}

// ListRequests returns the requests that match f, in the server's order.
// No match (a 204 answer) is an empty list, not an error.
func (c *Client) ListRequests(ctx context.Context, f RequestFilter) ([]Request, error) {
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
	resp, err := c.raw.ListRequests(ctx, &params)
	var out requestList
	if _, err := c.decode(op, resp, err, &out); err != nil {
		return nil, err
	}
	list := make([]Request, len(out))
	for i, w := range out {
		list[i] = fromWire(w)
	}
	return list, nil
}

// decode checks resp and decodes a 200 body into dst. found is false for
// a 204 answer. Errors carry the hints for this API's known failures.
func (c *Client) decode(op string, resp *http.Response, err error, dst any) (found bool, _ error) {
	resp, err = c.t.Check(op, resp, err)
	if err != nil {
		return false, annotate(err)
	}
	if resp.StatusCode == http.StatusNoContent {
		_ = resp.Body.Close()
		return false, nil
	}
	if err := c.t.JSON(op, resp, nil, dst); err != nil {
		return false, annotate(err)
	}
	return true, nil
}

// requestList decodes the list answer. The documentation describes it
// ("one or more Request objects") without a sample, so a single object is
// accepted as a list of one.
type requestList []mimcmapi.Request

func (l *requestList) UnmarshalJSON(b []byte) error {
	if t := strings.TrimLeft(string(b[:min(len(b), 64)]), " \t\r\n"); strings.HasPrefix(t, "{") {
		var one mimcmapi.Request
		if err := json.Unmarshal(b, &one); err != nil {
			return err
		}
		*l = requestList{one}
		return nil
	}
	return json.Unmarshal(b, (*[]mimcmapi.Request)(l))
}

// fromWire converts the generated model to the public type.
func fromWire(w mimcmapi.Request) Request {
	items := make([]DataItem, len(w.DataCollection))
	for i, d := range w.DataCollection {
		items[i] = DataItem{Name: d.Name, Value: d.Value}
	}
	return Request{
		UUID:                     w.Uuid,
		Type:                     RequestType(w.RequestType),
		Status:                   Status(w.Status),
		Flags:                    w.Flags,
		DataCollection:           items,
		DataCollectionFlags:      w.DataCollectionFlags,
		OriginatorUserUUID:       optionalID(w.OriginatorUserUuid),
		TargetUserUUID:           optionalID(w.TargetUserUuid),
		Submitted:                w.Submitted.Time,
		Completed:                w.Completed.Time,
		NewProfileUUID:           optionalID(w.NewProfileUuid),
		OldProfileUUID:           optionalID(w.OldProfileUuid),
		NewSmartcardUUID:         optionalID(w.NewSmartcardUuid),
		OldSmartcardUUID:         optionalID(w.OldSmartcardUuid),
		ProfileTemplateUUID:      optionalID(w.ProfileTemplateUuid),
		Priority:                 w.Priority,
		Comment:                  w.Comment,
		SecurityDescriptor:       strings.TrimRight(w.SecurityDescriptor, "\x00"),
		IsSmartcard:              w.IsSmartcard,
		IsEnrollmentAgent:        w.IsEnrollmentAgent,
		IsDataCollectionComplete: w.IsDataCollectionComplete,
	}
}

// optionalID maps the all-zero GUID the server sends for "none" to nil.
func optionalID(id uuid.UUID) *uuid.UUID {
	if id == uuid.Nil {
		return nil
	}
	return &id
}

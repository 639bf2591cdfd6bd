package mimcm

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/certadmin/certadmin-go/internal/apierror"
	"github.com/certadmin/certadmin-go/mimcm/mimcmapi"
)

// Request is a MIM CM request.
//
// Its JSON form is the server's: the field names of the tags, unset GUIDs
// written as the all-zero GUID and an unset Completed as
// "0001-01-01T00:00:00". json.Unmarshal reads the server's JSON into a
// Request exactly as the client does.
type Request struct {
	UUID   uuid.UUID    `json:"Uuid"`
	Type   RequestType  `json:"RequestType"`
	Status StatusNumber `json:"Status"`
	// Flags and DataCollectionFlags are the server's option bits; Microsoft
	// does not publish their meaning.
	Flags               int32      `json:"Flags"`
	DataCollection      []DataItem `json:"DataCollection"`
	DataCollectionFlags int32      `json:"DataCollectionFlags"`
	// OriginatorUserUUID is the user who originated the request.
	OriginatorUserUUID *uuid.UUID `json:"OriginatorUserUuid"`
	// TargetUserUUID is the user the request is for.
	TargetUserUUID *uuid.UUID `json:"TargetUserUuid"`
	// Submitted is when the request was submitted.
	Submitted time.Time `json:"Submitted"`
	// Completed is when the request was completed; the zero time while it
	// is not (the server sends .NET's "0001-01-01T00:00:00").
	Completed time.Time `json:"Completed"`
	// The profiles and smart cards the request was created for (Old…) and
	// produced or assigned (New…); nil where the server sends the all-zero
	// GUID.
	NewProfileUUID      *uuid.UUID `json:"NewProfileUuid"`
	OldProfileUUID      *uuid.UUID `json:"OldProfileUuid"`
	NewSmartcardUUID    *uuid.UUID `json:"NewSmartcardUuid"`
	OldSmartcardUUID    *uuid.UUID `json:"OldSmartcardUuid"`
	ProfileTemplateUUID *uuid.UUID `json:"ProfileTemplateUuid"`
	Priority            int32      `json:"Priority"`
	Comment             string     `json:"Comment"`
	// SecurityDescriptor is the request's SDDL, without the NUL padding the
	// server adds.
	SecurityDescriptor       string `json:"SecurityDescriptor"`
	IsSmartcard              bool   `json:"IsSmartcard"`
	IsEnrollmentAgent        bool   `json:"IsEnrollmentAgent"`
	IsDataCollectionComplete bool   `json:"IsDataCollectionComplete"`
}

// IsCompleted reports whether the server recorded a completion time.
func (r Request) IsCompleted() bool { return !r.Completed.IsZero() }

// MarshalJSON writes r as the server does.
func (r Request) MarshalJSON() ([]byte, error) { return json.Marshal(toWire(r)) }

// UnmarshalJSON reads a request in the server's JSON form (which is also
// what MarshalJSON writes).
func (r *Request) UnmarshalJSON(b []byte) error {
	var w mimcmapi.Request
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*r = fromWire(&w)
	return nil
}

// DataItem is one data collection item of a request. Value is nil where
// the server sends null (nothing collected yet).
type DataItem struct {
	Name  string  `json:"Name"`
	Value *string `json:"Value"`
}

// RequestType is the type of a request as the server numbers it.
// Microsoft does not publish the numbers; only the samples of the vendor's
// documentation pin two of them (a request created with type "Enroll"
// reads back as 1, one created with "Unblock" as 5), so only those have
// names here. Every other number is kept and prints as the number.
type RequestType int32

// The request types the documentation's samples pin.
const (
	RequestTypeEnroll  RequestType = 1
	RequestTypeUnblock RequestType = 5
)

// String returns the type's name where it is known, else its number.
func (t RequestType) String() string {
	switch t {
	case RequestTypeEnroll:
		return "Enroll"
	case RequestTypeUnblock:
		return "Unblock"
	}
	return strconv.Itoa(int(t))
}

// Status is a request status by its published name, as the status filter
// of ListRequests takes it. Requests carry their status as a number
// (StatusNumber), whose mapping to these names Microsoft does not publish.
type Status string

// The published status names.
const (
	StatusNone      Status = "None"
	StatusPending   Status = "Pending"
	StatusApproved  Status = "Approved"
	StatusDenied    Status = "Denied"
	StatusExecuting Status = "Executing"
	StatusCompleted Status = "Completed"
	StatusFailed    Status = "Failed"
	StatusCanceled  Status = "Canceled"
)

var statuses = []Status{StatusNone, StatusPending, StatusApproved, StatusDenied, StatusExecuting, StatusCompleted, StatusFailed, StatusCanceled}

// Statuses lists every published status name.
func Statuses() []Status { return slices.Clone(statuses) }

// Valid reports whether s is a published status name (exact spelling).
func (s Status) Valid() bool { return slices.Contains(statuses, s) }

// ParseStatus reads a status name in any letter case ("pending").
func ParseStatus(s string) (Status, error) {
	for _, v := range statuses {
		if strings.EqualFold(s, string(v)) {
			return v, nil
		}
	}
	return "", apierror.Invalid("mimcm.ParseStatus", "unknown request status %q (want one of %s)", s, statusList())
}

func statusList() string {
	parts := make([]string, len(statuses))
	for i, n := range statuses {
		parts[i] = string(n)
	}
	return strings.Join(parts, ", ")
}

// StatusNumber is the status of a request as the server numbers it.
// Microsoft publishes the names (Status) but not the numbers. The samples
// of the vendor's documentation pin one: a request reads back as 8 after
// it was set to "Completed". One more is inferred: the sample enroll
// request reads as 3 right after it was created and is then executed
// (its certificate request generation options and certificate data are
// fetched, then it is completed), which the enrollment walkthrough allows
// only for an approved request; so 3 is taken as "Approved". Every other
// number is kept and prints as the number; the workflows learn what it
// means from the server, through the status filter (ListRequests with a
// Status), and report it as EnrollError.StatusName.
type StatusNumber int32

// The request status numbers this package names.
const (
	// StatusNumberApproved is inferred (see StatusNumber).
	StatusNumberApproved StatusNumber = 3
	// StatusNumberCompleted is pinned by the samples.
	StatusNumberCompleted StatusNumber = 8
)

// knownStatus maps the numbers pinned or inferred to their names.
var knownStatus = map[StatusNumber]Status{StatusNumberApproved: StatusApproved, StatusNumberCompleted: StatusCompleted}

// Name returns the published name for n when its number is pinned or
// inferred (see StatusNumber).
func (n StatusNumber) Name() (Status, bool) {
	s, ok := knownStatus[n]
	return s, ok
}

// String returns the status's name where its number is known, else the number.
func (n StatusNumber) String() string {
	if s, ok := n.Name(); ok {
		return string(s)
	}
	return strconv.Itoa(int(n))
}

// ParseRequestID reads a request GUID in any form .NET prints it
// ("a9b4b42c-…", "{a9b4b42c-…}", 32 hex digits). The all-zero GUID, which
// the server uses for "none", is rejected.
func ParseRequestID(s string) (uuid.UUID, error) {
	const op = "mimcm.ParseRequestID"
	id, err := uuid.Parse(strings.TrimSpace(s))
	if err != nil {
		return uuid.Nil, apierror.Invalid(op, "%q is not a GUID", s)
	}
	if id == uuid.Nil {
		return uuid.Nil, apierror.Invalid(op, "the all-zero GUID names no request")
	}
	return id, nil
}

// fromWire converts the generated model to the public type.
func fromWire(w *mimcmapi.Request) Request {
	var r Request
	setFromWire(&r, w, nil)
	return r
}

// newRequest converts the generated model to a new Request, allocated
// together with its GUIDs (one allocation where the request and each set
// GUID took one each).
func newRequest(w *mimcmapi.Request) *Request {
	b := new(struct {
		r   Request
		ids requestIDs
	})
	setFromWire(&b.r, w, &b.ids)
	return &b.r
}

// requestIDs holds the optional GUIDs of one Request, which point into it:
// one allocation per request rather than one per GUID. Each field has its
// own element, so changing one GUID through its pointer changes no other.
type requestIDs [7]uuid.UUID

// setFromWire fills r from w. The optional GUIDs point into ids; with ids
// nil, an array is allocated on the first GUID that is set.
func setFromWire(r *Request, w *mimcmapi.Request, ids *requestIDs) {
	items := make([]DataItem, len(w.DataCollection))
	for i, d := range w.DataCollection {
		items[i] = DataItem{Name: d.Name, Value: d.Value}
	}
	*r = Request{
		UUID:                     w.Uuid,
		Type:                     RequestType(w.RequestType),
		Status:                   StatusNumber(w.Status),
		Flags:                    w.Flags,
		DataCollection:           items,
		DataCollectionFlags:      w.DataCollectionFlags,
		Submitted:                w.Submitted.Time,
		Completed:                w.Completed.Time,
		Priority:                 w.Priority,
		Comment:                  w.Comment,
		SecurityDescriptor:       strings.TrimRight(w.SecurityDescriptor, "\x00"),
		IsSmartcard:              w.IsSmartcard,
		IsEnrollmentAgent:        w.IsEnrollmentAgent,
		IsDataCollectionComplete: w.IsDataCollectionComplete,
	}
	wire := requestIDs{w.OriginatorUserUuid, w.TargetUserUuid, w.NewProfileUuid, w.OldProfileUuid,
		w.NewSmartcardUuid, w.OldSmartcardUuid, w.ProfileTemplateUuid}
	fields := [len(wire)]**uuid.UUID{&r.OriginatorUserUUID, &r.TargetUserUUID, &r.NewProfileUUID, &r.OldProfileUUID,
		&r.NewSmartcardUUID, &r.OldSmartcardUUID, &r.ProfileTemplateUUID}
	for i, id := range wire {
		// The server's all-zero GUID means "none": nil.
		if id == uuid.Nil {
			continue
		}
		if ids == nil {
			ids = new(requestIDs)
		}
		ids[i] = id
		*fields[i] = &ids[i]
	}
}

// toWire converts the public type to the generated model, writing unset
// values the way the server does.
func toWire(r Request) mimcmapi.Request {
	items := make([]mimcmapi.DataCollectionItem, len(r.DataCollection))
	for i, d := range r.DataCollection {
		items[i] = mimcmapi.DataCollectionItem{Name: d.Name, Value: d.Value}
	}
	return mimcmapi.Request{
		Uuid:                     r.UUID,
		RequestType:              int32(r.Type),
		Status:                   int32(r.Status),
		Flags:                    r.Flags,
		DataCollection:           items,
		DataCollectionFlags:      r.DataCollectionFlags,
		OriginatorUserUuid:       wireID(r.OriginatorUserUUID),
		TargetUserUuid:           wireID(r.TargetUserUUID),
		Submitted:                mimcmapi.DateTime{Time: r.Submitted},
		Completed:                mimcmapi.DateTime{Time: r.Completed},
		NewProfileUuid:           wireID(r.NewProfileUUID),
		OldProfileUuid:           wireID(r.OldProfileUUID),
		NewSmartcardUuid:         wireID(r.NewSmartcardUUID),
		OldSmartcardUuid:         wireID(r.OldSmartcardUUID),
		ProfileTemplateUuid:      wireID(r.ProfileTemplateUUID),
		Priority:                 r.Priority,
		Comment:                  r.Comment,
		SecurityDescriptor:       r.SecurityDescriptor,
		IsSmartcard:              r.IsSmartcard,
		IsEnrollmentAgent:        r.IsEnrollmentAgent,
		IsDataCollectionComplete: r.IsDataCollectionComplete,
	}
}

// wireID maps nil back to the all-zero GUID.
func wireID(id *uuid.UUID) uuid.UUID {
	if id == nil {
		return uuid.Nil
	}
	return *id
}

package mimcm

import (
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/certadmin/certadmin-go/internal/apierror"
	"github.com/certadmin/certadmin-go/mimcm/mimcmapi"
)

// Request is a MIM CM request.
type Request struct {
	UUID   uuid.UUID
	Type   RequestType
	Status Status
	// Flags and DataCollectionFlags are the server's option bits; Microsoft
	// does not publish their meaning.
	Flags               int32
	DataCollection      []DataItem
	DataCollectionFlags int32
	// OriginatorUserUUID is the user who originated the request.
	OriginatorUserUUID *uuid.UUID
	// TargetUserUUID is the user the request is for.
	TargetUserUUID *uuid.UUID
	// Submitted is when the request was submitted.
	Submitted time.Time
	// Completed is when the request was completed; the zero time while it
	// is not (the server sends .NET's "0001-01-01T00:00:00").
	Completed time.Time
	// The profiles and smart cards the request was created for (Old…) and
	// produced or assigned (New…); nil where the server sends the all-zero
	// GUID.
	NewProfileUUID      *uuid.UUID
	OldProfileUUID      *uuid.UUID
	NewSmartcardUUID    *uuid.UUID
	OldSmartcardUUID    *uuid.UUID
	ProfileTemplateUUID *uuid.UUID
	Priority            int32
	Comment             string
	// SecurityDescriptor is the request's SDDL, without the NUL padding the
	// server adds.
	SecurityDescriptor       string
	IsSmartcard              bool
	IsEnrollmentAgent        bool
	IsDataCollectionComplete bool
}

// IsCompleted reports whether the server recorded a completion time.
func (r Request) IsCompleted() bool { return !r.Completed.IsZero() }

// DataItem is one data collection item of a request. Value is nil where
// the server sends null (nothing collected yet).
type DataItem struct {
	Name  string
	Value *string
}

// RequestType is the type of a request as the server numbers it.
// Microsoft does not publish the numbers; only the documentation's samples
// pin two of them (a request created with type "Enroll" reads back as 1,
// one created with "Unblock" as 5), so only those have names here. Every
// other number is kept and prints as the number.
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

// Status is the status of a request as the server numbers it. Microsoft
// publishes the names (see StatusName) but not the numbers; the
// documentation's samples pin only one: a request reads back as 8 after it
// was set to "Completed". (They also show 3 right after creation without
// saying what it means, so 3 has no name here.) Every other number is kept
// and prints as the number.
type Status int32

// pinnedStatus maps the numbers the documentation pins to their names.
var pinnedStatus = map[Status]StatusName{8: StatusCompleted}

// Name returns the published name for s when its number is pinned.
func (s Status) Name() (StatusName, bool) {
	n, ok := pinnedStatus[s]
	return n, ok
}

// String returns the status's name where its number is pinned, else the number.
func (s Status) String() string {
	if n, ok := s.Name(); ok {
		return string(n)
	}
	return strconv.Itoa(int(s))
}

// StatusName is a request status as the status filter names it (the
// published list).
type StatusName string

// The published status names (the spec's StatusName enum).
const (
	StatusNone      = StatusName(mimcmapi.None)
	StatusPending   = StatusName(mimcmapi.Pending)
	StatusApproved  = StatusName(mimcmapi.Approved)
	StatusDenied    = StatusName(mimcmapi.Denied)
	StatusExecuting = StatusName(mimcmapi.Executing)
	StatusCompleted = StatusName(mimcmapi.Completed)
	StatusFailed    = StatusName(mimcmapi.Failed)
	StatusCanceled  = StatusName(mimcmapi.Canceled)
)

// StatusNames lists every published status name.
func StatusNames() []StatusName {
	return []StatusName{StatusNone, StatusPending, StatusApproved, StatusDenied, StatusExecuting, StatusCompleted, StatusFailed, StatusCanceled}
}

// Valid reports whether n is a published status name (exact spelling).
func (n StatusName) Valid() bool { return mimcmapi.StatusName(n).Valid() }

// ParseStatusName reads a status name in any letter case ("pending").
func ParseStatusName(s string) (StatusName, error) {
	for _, v := range StatusNames() {
		if strings.EqualFold(s, string(v)) {
			return v, nil
		}
	}
	return "", apierror.Invalid("mimcm.ParseStatusName", "unknown request status %q (want one of %s)", s, statusList())
}

func statusList() string {
	names := StatusNames()
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = string(n)
	}
	return strings.Join(parts, ", ")
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

package mimcm

import (
	"slices"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/certadmin/certadmin-go/internal/apierror"
)

// RequestTypeName is a request type by its published name, as a new
// request (CreateRequest) and a workflow policy (GetWorkflowPolicy) take
// it. Requests read back carry the type as a number (RequestType).
type RequestTypeName string

// The request types the vendor's documentation lists for a new request.
// Not every profile template takes every type (a software template takes
// no Unblock, for example).
const (
	RequestTypeNameEnroll          RequestTypeName = "Enroll"
	RequestTypeNameDuplicate       RequestTypeName = "Duplicate"
	RequestTypeNameOfflineUnblock  RequestTypeName = "OfflineUnblock"
	RequestTypeNameOnlineUpdate    RequestTypeName = "OnlineUpdate"
	RequestTypeNameRenew           RequestTypeName = "Renew"
	RequestTypeNameRecover         RequestTypeName = "Recover"
	RequestTypeNameRecoverOnBehalf RequestTypeName = "RecoverOnBehalf"
	RequestTypeNameReinstate       RequestTypeName = "Reinstate"
	RequestTypeNameRetire          RequestTypeName = "Retire"
	RequestTypeNameRevoke          RequestTypeName = "Revoke"
	RequestTypeNameTemporaryCards  RequestTypeName = "TemporaryCards"
	RequestTypeNameUnblock         RequestTypeName = "Unblock"
)

var requestTypeNames = []RequestTypeName{
	RequestTypeNameEnroll, RequestTypeNameDuplicate, RequestTypeNameOfflineUnblock, RequestTypeNameOnlineUpdate,
	RequestTypeNameRenew, RequestTypeNameRecover, RequestTypeNameRecoverOnBehalf, RequestTypeNameReinstate,
	RequestTypeNameRetire, RequestTypeNameRevoke, RequestTypeNameTemporaryCards, RequestTypeNameUnblock,
}

// RequestTypeNames lists every published request type name.
func RequestTypeNames() []RequestTypeName { return slices.Clone(requestTypeNames) }

// Valid reports whether t is a published request type name (exact spelling).
func (t RequestTypeName) Valid() bool { return slices.Contains(requestTypeNames, t) }

// ParseRequestTypeName reads a request type name in any letter case
// ("renew").
func ParseRequestTypeName(s string) (RequestTypeName, error) {
	for _, v := range requestTypeNames {
		if strings.EqualFold(s, string(v)) {
			return v, nil
		}
	}
	return "", apierror.Invalid("mimcm.ParseRequestTypeName", "unknown request type %q (want one of %s)", s, requestTypeList())
}

func requestTypeList() string {
	parts := make([]string, len(requestTypeNames))
	for i, n := range requestTypeNames {
		parts[i] = string(n)
	}
	return strings.Join(parts, ", ")
}

// Name returns the published name of a request type number where the
// samples pin it (Enroll and Unblock).
func (t RequestType) Name() (RequestTypeName, bool) {
	switch t {
	case RequestTypeEnroll:
		return RequestTypeNameEnroll, true
	case RequestTypeUnblock:
		return RequestTypeNameUnblock, true
	}
	return "", false
}

// Operation is an operation the server offers on a profile or smart card
// (ListProfileOperations, Profile.Operations): a request type name, which
// the server writes in lower case ("renew", "retire"). Some are not
// request types ("disable" in the vendor's profile sample).
type Operation string

// Is reports whether o names the request type t, in any letter case.
func (o Operation) Is(t RequestTypeName) bool { return strings.EqualFold(string(o), string(t)) }

// RequestType returns the request type o names, if it names one.
func (o Operation) RequestType() (RequestTypeName, bool) {
	for _, v := range requestTypeNames {
		if o.Is(v) {
			return v, true
		}
	}
	return "", false
}

// ProfileStatus is the status of a software profile as the server
// numbers it. The vendor's documentation pins one number: the profiles a
// ?status=Active query returns carry 2. Every other number prints as the
// number.
type ProfileStatus int32

// ProfileStatusActive is pinned by the samples.
const ProfileStatusActive ProfileStatus = 2

// String returns "Active" for 2, else the number.
func (s ProfileStatus) String() string {
	if s == ProfileStatusActive {
		return "Active"
	}
	return strconv.Itoa(int(s))
}

// ProfileStatusName is a profile status by its published name, as the
// profile filter takes it.
type ProfileStatusName string

// The published profile status names.
const (
	ProfileStatusNameActive    ProfileStatusName = "Active"
	ProfileStatusNameApproved  ProfileStatusName = "Approved"
	ProfileStatusNameCanceled  ProfileStatusName = "Canceled"
	ProfileStatusNameCompleted ProfileStatusName = "Completed"
	ProfileStatusNameDenied    ProfileStatusName = "Denied"
	ProfileStatusNameExecuting ProfileStatusName = "Executing"
	ProfileStatusNameFailed    ProfileStatusName = "Failed"
	ProfileStatusNameNone      ProfileStatusName = "None"
	ProfileStatusNamePending   ProfileStatusName = "Pending"
)

var profileStatusNames = []ProfileStatusName{
	ProfileStatusNameActive, ProfileStatusNameApproved, ProfileStatusNameCanceled, ProfileStatusNameCompleted,
	ProfileStatusNameDenied, ProfileStatusNameExecuting, ProfileStatusNameFailed, ProfileStatusNameNone, ProfileStatusNamePending,
}

// Valid reports whether s is a published profile status name.
func (s ProfileStatusName) Valid() bool { return slices.Contains(profileStatusNames, s) }

// SmartcardStatus is the status of a smart card as the server numbers it.
// The vendor's documentation pins one number: a card set to "Retired"
// reads back as 6. (Its samples also show 2 and 3 without saying what
// they mean.) Every other number prints as the number.
type SmartcardStatus int32

// SmartcardStatusRetired is pinned by the samples.
const SmartcardStatusRetired SmartcardStatus = 6

// String returns "Retired" for 6, else the number.
func (s SmartcardStatus) String() string {
	if s == SmartcardStatusRetired {
		return "Retired"
	}
	return strconv.Itoa(int(s))
}

// ParseID reads a GUID in any form .NET prints it ("a9b4b42c-…",
// "{a9b4b42c-…}", 32 hex digits). what names the thing in the error
// ("profile template"). The all-zero GUID, which the server uses for
// "none", is rejected.
func ParseID(what, s string) (uuid.UUID, error) {
	const op = "mimcm.ParseID"
	id, err := uuid.Parse(strings.TrimSpace(s))
	if err != nil {
		return uuid.Nil, apierror.Invalid(op, "%s %q is not a GUID", what, s)
	}
	if id == uuid.Nil {
		return uuid.Nil, apierror.Invalid(op, "the all-zero GUID names no %s", what)
	}
	return id, nil
}

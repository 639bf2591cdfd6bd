package cloud

import (
	"errors"
	"strings"

	"github.com/certadmin/certadmin-go/internal/apierror"
	"github.com/certadmin/certadmin-go/internal/pager"
)

// ErrMaskedField is matched (errors.Is) by the error of a call that met a
// value the server masked, which a GDPR profile on the API user makes it
// do ("*****" in place of an address or a name): the call cannot confirm
// a match against it, or would write the mask back. The *Error's Err is a
// *MaskedFieldError naming the members.
var ErrMaskedField = errors.New("the server masked a value")

// ErrWouldClear is matched (errors.Is) by the error of an update that
// would clear fields the caller did not touch and the SDK cannot
// preserve (the read did not show them, and the update call replaces the
// whole object). Nothing was sent. UpdateAccount's error carries an
// *UnshownFieldsError naming the fields.
var ErrWouldClear = errors.New("the update would clear fields the caller did not touch")

// ErrPagingMismatch is matched by the error that stops ListAccounts,
// ListAccountsPage or a UID lookup when the server's pages do not follow
// the paging asked for: a page whose offset is not the start it was asked
// for, one that repeats the accounts of another page (a server that ignores
// start), or one holding more accounts than the rows asked for (a server
// that ignores rows). The listing stops there instead of yielding the same
// accounts again. Every vendor package has it under this name.
var ErrPagingMismatch = errPagingMismatch()

// errPagingMismatch is the shared pager's sentinel, behind a function so
// that go doc shows no internal package.
func errPagingMismatch() error { return pager.ErrPagingMismatch }

// MaskedFieldError names the members whose values the server masked.
type MaskedFieldError struct {
	// Fields are the members' wire names, e.g. "emailAddress".
	Fields []string
}

func (e *MaskedFieldError) Error() string {
	if len(e.Fields) == 1 {
		return e.Fields[0] + " is masked"
	}
	return strings.Join(e.Fields, ", ") + " are masked"
}

// maskedError is the error for masked members met by op.
func maskedError(op string, fields []string, why string) error {
	return &apierror.Error{Op: op, Kind: ErrMaskedField, Message: why, Err: &MaskedFieldError{Fields: fields}}
}

// isMasked reports whether an answer's text is a mask: asterisks only.
func isMasked(s string) bool {
	return len(s) > 0 && strings.Trim(s, "*") == ""
}

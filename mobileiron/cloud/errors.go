package cloud

import (
	"errors"
	"fmt"
	"strings"

	"github.com/certadmin/certadmin-go/internal/apierror"
)

// ErrMaskedField is matched (errors.Is) by the error of a call that met a
// value the server masked, which a GDPR profile on the API user makes it
// do ("*****" in place of an address or a name): the call cannot confirm
// a match against it, or would write the mask back. The *Error's Err is a
// *MaskedFieldError naming the member.
var ErrMaskedField = errors.New("the server masked a value")

// MaskedFieldError names the member whose value the server masked.
type MaskedFieldError struct {
	// Field is the member's wire name, e.g. "emailAddress".
	Field string
}

func (e *MaskedFieldError) Error() string { return fmt.Sprintf("%s is masked", e.Field) }

// maskedError is the error for a masked member met by op.
func maskedError(op, field, why string) error {
	return &apierror.Error{Op: op, Kind: ErrMaskedField, Message: why, Err: &MaskedFieldError{Field: field}}
}

// isMasked reports whether an answer's text is a mask: asterisks only.
func isMasked(s string) bool {
	return len(s) > 0 && strings.Trim(s, "*") == ""
}

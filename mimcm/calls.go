package mimcm

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"path"
	"strings"

	"github.com/google/uuid"

	"github.com/certadmin/certadmin-go/internal/apierror"
	"github.com/certadmin/certadmin-go/internal/transport"
	"github.com/certadmin/certadmin-go/mimcm/mimcmapi"
)

// read is the call of a GET built by a generated request builder: 200 is
// its one answer with data (a 204 comes back as an error, see noContent).
func read(op string, req *http.Request, buildErr error, opts []CallOption) transport.Call {
	return transport.Call{Op: op, Request: req, BuildErr: buildErr, OK: okStatus, Settings: callSettings(opts)}
}

// notFound turns the 204 answer of a Get call into an ErrNotFound error
// that says what was not found; any other error is returned as it is.
func notFound(err error, format string, args ...any) error {
	if e, ok := noContent(err); ok {
		e.Kind, e.Message = apierror.ErrNotFound, fmt.Sprintf(format, args...)
	}
	return err
}

// oneOrMany decodes a list answer that may also come as a single object
// (the vendor's documentation describes several answers as "one or more"
// objects, and its smart card page shows a bare object for a card ID). A
// lone object is taken for a list of one only when it is an item (isItem):
// anything else in its place (an empty object, another object) is not a
// list, and reading it as one would yield an item with nothing in it. The
// server's error object is refused before this, by errorInBody.
type oneOrMany[T any] []T

func (l *oneOrMany[T]) UnmarshalJSON(b []byte) error {
	if bytes.HasPrefix(bytes.TrimLeft(b, " \t\r\n"), []byte("{")) {
		var one T
		if err := json.Unmarshal(b, &one); err != nil {
			return err
		}
		if !isItem(&one) {
			return fmt.Errorf("the answer is one object without the members of %s", itemName(&one))
		}
		*l = oneOrMany[T]{one}
		return nil
	}
	var list []T
	if err := json.Unmarshal(b, &list); err != nil {
		return err
	}
	*l = list
	return nil
}

// isItem reports whether a lone object, decoded as v, is an item of its
// list: the member that names an item of that kind is set (a GUID, a
// certificate's thumbprint, a key algorithm for generation options). A
// kind not named here is never taken from a lone object.
func isItem(v any) bool {
	switch x := v.(type) {
	case *mimcmapi.Request:
		return x.Uuid != uuid.Nil
	case *mimcmapi.Profile:
		return x.Uuid != uuid.Nil
	case *mimcmapi.Smartcard:
		return x.Uuid != uuid.Nil
	case *mimcmapi.ProfileTemplate:
		return x.Uuid != uuid.Nil
	case *mimcmapi.ClmCertificate:
		return x.Thumbprint != ""
	case *mimcmapi.UserCertificate:
		return x.Thumbprint != ""
	case *mimcmapi.CertificateRequestGenerationOptions:
		return x.KeyAlgorithmName != ""
	case *json.RawMessage:
		// The certificate data answer: its caller reads each item member
		// by member and keeps whatever it carries (issued material).
		return true
	}
	return false
}

// itemName names the kind of item v is, for the error.
func itemName(v any) string {
	switch v.(type) {
	case *mimcmapi.Request:
		return "a request (Uuid)"
	case *mimcmapi.Profile:
		return "a profile (Uuid)"
	case *mimcmapi.Smartcard:
		return "a smart card (Uuid)"
	case *mimcmapi.ProfileTemplate:
		return "a profile template (Uuid)"
	case *mimcmapi.ClmCertificate, *mimcmapi.UserCertificate:
		return "a certificate (Thumbprint)"
	case *mimcmapi.CertificateRequestGenerationOptions:
		return "generation options (KeyAlgorithmName)"
	}
	return fmt.Sprintf("an item of this list (%T)", v)
}

// single decodes an answer that is one object, or a list holding exactly
// one (the profile page describes its answer as a list for every path).
type single[T any] struct{ v T }

func (s *single[T]) UnmarshalJSON(b []byte) error {
	var l oneOrMany[T]
	if err := json.Unmarshal(b, &l); err != nil {
		return err
	}
	if len(l) != 1 {
		return fmt.Errorf("want one object, got a list of %d", len(l))
	}
	s.v = l[0]
	return nil
}

// idFromURI reads the GUID at the end of the URI the server answers a
// create with ("api/v1.0/requests/<guid>", relative to
// /CertificateManagement/; a leading slash or the full path is accepted).
func idFromURI(uri, collection string) (uuid.UUID, error) {
	u := strings.TrimSpace(uri)
	dir, last := path.Split(strings.TrimRight(u, "/"))
	if !strings.EqualFold(path.Base(strings.TrimRight(dir, "/")), collection) {
		return uuid.Nil, fmt.Errorf("the answer %q is not the URI of one of the server's %s", uri, collection)
	}
	id, err := uuid.Parse(strings.Trim(last, "{}"))
	if err != nil || id == uuid.Nil {
		return uuid.Nil, fmt.Errorf("the answer %q does not end in a GUID", uri)
	}
	return id, nil
}

// errUnexpected wraps a decoding problem found after the transport
// accepted the answer.
func errUnexpected(op string, err error) error {
	var ae *apierror.Error
	if errors.As(err, &ae) {
		return err
	}
	return &apierror.Error{Op: op, Kind: apierror.ErrUnexpectedResponse, Message: err.Error(), Err: err}
}

// optionalPtr maps a missing GUID or the all-zero GUID to nil.
func optionalPtr(id *uuid.UUID) *uuid.UUID {
	if id == nil || *id == uuid.Nil {
		return nil
	}
	v := *id
	return &v
}

// val is *p, or the zero value for nil.
func val[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}

// checkID rejects the all-zero GUID, which names nothing.
func checkID(op, what string, id uuid.UUID) error {
	if id == uuid.Nil {
		return apierror.Invalid(op, "the all-zero GUID names no %s", what)
	}
	return nil
}

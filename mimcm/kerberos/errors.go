package kerberos

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/jcmturner/gokrb5/v8/iana/errorcode"
	"github.com/jcmturner/gokrb5/v8/krberror"

	"github.com/certadmin/certadmin-go/mimcm"
)

// The kinds of Kerberos failure, for errors.Is. The ones that mean "these
// credentials are not accepted" (ErrWrongPassword, ErrUnknownUser,
// ErrCredentialsExpired) also match mimcm.ErrUnauthorized, as does a
// server's 401 with a Kerberos error in it (Error.Op "AP exchange").
var (
	// ErrWrongPassword: the KDC refused the pre-authentication (the
	// password or the keytab's key is not the user's), or its answer did
	// not decrypt with the user's key.
	ErrWrongPassword = errors.New("kerberos: the KDC refused the password or key")
	// ErrUnknownUser: the KDC does not know the user's principal.
	ErrUnknownUser = errors.New("kerberos: the KDC does not know the user")
	// ErrUnknownSPN: the KDC knows no service principal of that name (no
	// account has the SPN registered, e.g. with setspn).
	ErrUnknownSPN = errors.New("kerberos: the KDC knows no service principal of that name")
	// ErrClockSkew: the clocks of this machine and the KDC (or the server)
	// differ by more than the realm allows (5 minutes by default).
	ErrClockSkew = errors.New("kerberos: the clocks differ too much")
	// ErrKDCUnreachable: no KDC of the realm answered.
	ErrKDCUnreachable = errors.New("kerberos: no KDC answered")
	// ErrCredentialsExpired: the credential cache holds no valid ticket
	// granting ticket (run kinit again).
	ErrCredentialsExpired = errors.New("kerberos: the credential cache has no valid ticket")
	// ErrSPNRequired: the URL's host is an IP address, for which no SPN
	// can be derived; give one (Config.SPN).
	ErrSPNRequired = errors.New("kerberos: an SPN is needed for a server addressed by IP address")
	// ErrMutualAuth: the server's answer token failed the mutual
	// authentication check (or was missing while Config.RequireMutualAuth
	// is set): the answer may not come from the service the ticket is for.
	ErrMutualAuth = errors.New("kerberos: the server failed mutual authentication")
	// ErrServerRefused: the server refused the ticket with a Kerberos error
	// (the code is in Error.Code), e.g. KRB_AP_ERR_MODIFIED when its key
	// does not match the KDC's.
	ErrServerRefused = errors.New("kerberos: the server refused the ticket")
	// ErrKDCRefused: the KDC answered a request with a Kerberos error
	// this package does not name (the code is in Error.Code).
	ErrKDCRefused = errors.New("kerberos: the KDC refused the request")
	// ErrConfig: the settings are incomplete or krb5.conf, the keytab or
	// the credential cache cannot be read.
	ErrConfig = errors.New("kerberos: configuration")
)

// Error is a Kerberos failure: what was being done, for whom, and the
// KDC's or server's error code when there was one. Its text never holds
// a password or a key.
type Error struct {
	// Op is the step that failed: "AS exchange" (getting a ticket granting
	// ticket), "TGS exchange" (a service ticket), "credential cache",
	// "config", "token", "mutual authentication".
	Op string
	// Principal is the user's principal (user@REALM) or the SPN the step
	// was for.
	Principal string
	// Code is the Kerberos error code (RFC 4120 section 7.5.9) the KDC or
	// server answered, 0 when none.
	Code int32
	// Kind is one of the Err… values of this package.
	Kind error
	// Detail is the underlying library's message.
	Detail string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Kind.Error())
	if e.Op != "" {
		fmt.Fprintf(&b, " (%s", e.Op)
		if e.Principal != "" {
			fmt.Fprintf(&b, " for %s", e.Principal)
		}
		b.WriteString(")")
	}
	if e.Code != 0 {
		fmt.Fprintf(&b, ": %s", errorcode.Lookup(e.Code))
	}
	if e.Detail != "" {
		fmt.Fprintf(&b, ": %s", e.Detail)
	}
	return b.String()
}

// Unwrap returns Kind.
func (e *Error) Unwrap() error { return e.Kind }

// Is matches mimcm.ErrUnauthorized for the credential failures and for
// a server's 401 that carried a Kerberos error.
func (e *Error) Is(target error) bool {
	if target == mimcm.ErrUnauthorized {
		return e.Kind == ErrWrongPassword || e.Kind == ErrUnknownUser || e.Kind == ErrCredentialsExpired || e.Op == "AP exchange"
	}
	return false
}

// krbCode finds the KRB-ERROR code in a gokrb5 error: gokrb5 wraps a
// KDC's KRB-ERROR into its own error type by text only ("KRB Error: (24)
// KDC_ERR_PREAUTH_FAILED …").
var krbCode = regexp.MustCompile(`KRB Error: \((\d+)\)`)

// classify turns a gokrb5 error of step op into an *Error.
func classify(op, principal string, err error) *Error {
	e := &Error{Op: op, Principal: principal, Detail: err.Error()}
	if m := krbCode.FindStringSubmatch(err.Error()); m != nil {
		n, _ := strconv.Atoi(m[1])
		e.Code = int32(n)
		e.Kind = kindOf(e.Code, op)
		return e
	}
	var ke krberror.Krberror
	switch {
	case errors.As(err, &ke) && ke.RootCause == krberror.NetworkingError:
		e.Kind = ErrKDCUnreachable
	case op == "AS exchange" && strings.Contains(err.Error(), "password/keytab incorrect"),
		op == "AS exchange" && errors.As(err, &ke) && ke.RootCause == krberror.DecryptingError:
		// No pre-authentication required: the KDC answered, but its
		// answer does not decrypt with the key made from the password.
		e.Kind = ErrWrongPassword
	case errors.As(err, &ke) && ke.RootCause == krberror.ConfigError:
		e.Kind = ErrConfig
	case op == "AS exchange" || op == "TGS exchange":
		e.Kind = ErrKDCRefused
	default:
		e.Kind = ErrServerRefused
	}
	return e
}

// kindOf maps a KRB-ERROR code to the package's kinds.
func kindOf(code int32, op string) error {
	switch code {
	case errorcode.KDC_ERR_PREAUTH_FAILED, errorcode.KRB_AP_ERR_BAD_INTEGRITY:
		if op == "AS exchange" {
			return ErrWrongPassword
		}
	case errorcode.KDC_ERR_C_PRINCIPAL_UNKNOWN:
		return ErrUnknownUser
	case errorcode.KDC_ERR_S_PRINCIPAL_UNKNOWN:
		if op == "TGS exchange" {
			return ErrUnknownSPN
		}
	case errorcode.KRB_AP_ERR_SKEW:
		return ErrClockSkew
	case errorcode.KDC_ERR_KEY_EXPIRED, errorcode.KDC_ERR_CLIENT_REVOKED:
		return ErrCredentialsExpired
	}
	if op == "AS exchange" || op == "TGS exchange" {
		return ErrKDCRefused
	}
	return ErrServerRefused
}

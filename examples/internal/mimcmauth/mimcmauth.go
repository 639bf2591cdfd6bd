// Package mimcmauth holds the sign-in flags the MIM CM tools
// (mimcm-requests, mimcm-enroll) share, so that both take the same
// -auth, -user, -keytab and -spn and read the same environment:
//
//	-auth basic     -user (any form the server takes), password from $MIMCM_PASSWORD
//	-auth ntlm      -user DOMAIN\user or user@domain, password from $MIMCM_PASSWORD
//	-auth kerberos  -user user@REALM or DOMAIN\user with $MIMCM_PASSWORD or -keytab FILE;
//	                without either, the credential cache of $KRB5CCNAME (kinit);
//	                krb5.conf from $KRB5_CONFIG; -spn overrides HTTP/<host of -url>
//	-auth token     an ADFS bearer token from $MIMCM_TOKEN
//
// Without -auth the tools use a token when $MIMCM_TOKEN is set, else
// basic authentication. Secrets come only from the environment or files,
// never from flags.
package mimcmauth

import (
	"errors"
	"flag"
	"fmt"
	"strings"

	"github.com/certadmin/certadmin-go/mimcm"
	"github.com/certadmin/certadmin-go/mimcm/kerberos"
)

// The environment variables the tools read.
const (
	PasswordEnv = "MIMCM_PASSWORD"
	TokenEnv    = "MIMCM_TOKEN"
	CCacheEnv   = "KRB5CCNAME"
	Krb5ConfEnv = "KRB5_CONFIG"
)

// Modes are the values of -auth.
var Modes = []string{"basic", "ntlm", "kerberos", "token"}

// Flags are the sign-in flags.
type Flags struct {
	Auth, User, Keytab, SPN string
}

// Register adds -auth, -user, -keytab and -spn to fs.
func (f *Flags) Register(fs *flag.FlagSet) {
	fs.StringVar(&f.Auth, "auth", "", "how to sign in: "+strings.Join(Modes, ", ")+" (default: token when $"+TokenEnv+" is set, else basic)")
	fs.StringVar(&f.User, "user", "", `user name: DOMAIN\user or user@REALM (password from $`+PasswordEnv+")")
	fs.StringVar(&f.Keytab, "keytab", "", "with -auth kerberos: a keytab file holding -user's keys (default: $"+PasswordEnv+", else the credential cache of $"+CCacheEnv+")")
	fs.StringVar(&f.SPN, "spn", "", "with -auth kerberos: the server's service principal (default HTTP/<host of -url>; needed when -url has an IP address)")
}

// UsageError is a mistake in the flags or the environment: nothing was
// sent.
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

func usagef(format string, a ...any) error { return &UsageError{Msg: fmt.Sprintf(format, a...)} }

// Check refuses flags that do not go together, before anything else runs.
func (f *Flags) Check() error {
	switch f.Auth {
	case "", "basic", "ntlm", "kerberos", "token":
	default:
		return usagef("-auth %q: want one of %s", f.Auth, strings.Join(Modes, ", "))
	}
	if f.Auth != "kerberos" && (f.Keytab != "" || f.SPN != "") {
		return usagef("-keytab and -spn go with -auth kerberos")
	}
	return nil
}

// Given reports whether any sign-in flag was set (they need -url).
func (f *Flags) Given() bool { return f.Auth != "" || f.User != "" || f.Keytab != "" || f.SPN != "" }

// Option returns the client option that signs in as the flags and the
// environment say. Errors are *UsageError, except a Kerberos setting that
// cannot be read (a keytab, krb5.conf), which is a *kerberos.Error.
func (f *Flags) Option(getenv func(string) string) (mimcm.Option, error) {
	if err := f.Check(); err != nil {
		return nil, err
	}
	mode := f.Auth
	tok := getenv(TokenEnv)
	if mode == "" {
		mode = "basic"
		if tok != "" {
			mode = "token"
		}
	}
	switch mode {
	case "token":
		if tok == "" {
			return nil, usagef("-auth token: set $%s to the bearer token", TokenEnv)
		}
		if f.User != "" {
			return nil, usagef("$%s is set: a bearer token does not go with -user", TokenEnv)
		}
		return mimcm.WithToken(mimcm.StaticToken(tok)), nil
	case "kerberos":
		cfg := kerberos.Config{User: f.User, Keytab: f.Keytab, SPN: f.SPN, CCache: getenv(CCacheEnv), Krb5Conf: getenv(Krb5ConfEnv)}
		switch {
		case f.Keytab != "":
			if f.User == "" {
				return nil, usagef("-keytab needs -user (the principal whose keys it holds)")
			}
		case f.User != "" && getenv(PasswordEnv) != "":
			cfg.Password = getenv(PasswordEnv)
		case f.User != "" && cfg.CCache == "":
			return nil, usagef("-auth kerberos -user %s: set $%s, give -keytab, or set $%s to a credential cache (kinit)", f.User, PasswordEnv, CCacheEnv)
		}
		src, err := kerberos.New(cfg)
		if err != nil {
			if errors.Is(err, kerberos.ErrConfig) {
				return nil, usagef("-auth kerberos: %v", err)
			}
			return nil, err
		}
		return src.Option(), nil
	}
	if f.User == "" {
		return nil, usagef("-url needs -user (password in $%s) or a token in $%s", PasswordEnv, TokenEnv)
	}
	pw := getenv(PasswordEnv)
	if pw == "" {
		return nil, usagef("set $%s to the password of -user", PasswordEnv)
	}
	if mode == "ntlm" {
		return mimcm.WithNTLM(f.User, pw), nil
	}
	return mimcm.WithBasicAuth(f.User, pw), nil
}

package mimcmauth

import (
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func parse(t *testing.T, args ...string) *Flags {
	t.Helper()
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var f Flags
	f.Register(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	return &f
}

// Every mode and every refusal, before anything is sent: a refusal is a
// *UsageError naming what is missing.
func TestOption(t *testing.T) {
	conf := filepath.Join(t.TempDir(), "krb5.conf")
	if err := os.WriteFile(conf, []byte("[libdefaults]\n default_realm = CONTOSO.COM\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		args []string
		env  map[string]string
		want string // "" for success, else a part of the usage error
	}{
		{"basic", []string{"-user", `CONTOSO\jdoe`}, map[string]string{PasswordEnv: "pw"}, ""},
		{"basic is the default", []string{"-auth", "basic", "-user", "jdoe@contoso.com"}, map[string]string{PasswordEnv: "pw"}, ""},
		{"ntlm", []string{"-auth", "ntlm", "-user", `CONTOSO\jdoe`}, map[string]string{PasswordEnv: "pw"}, ""},
		{"token from the environment", nil, map[string]string{TokenEnv: "t"}, ""},
		{"token with -auth", []string{"-auth", "token"}, map[string]string{TokenEnv: "t"}, ""},
		{"kerberos password", []string{"-auth", "kerberos", "-user", "jdoe@CONTOSO.COM"}, map[string]string{PasswordEnv: "pw", Krb5ConfEnv: conf}, ""},
		{"kerberos DOMAIN\\user", []string{"-auth", "kerberos", "-user", `CONTOSO\jdoe`}, map[string]string{PasswordEnv: "pw", Krb5ConfEnv: conf}, ""},
		{"no user", nil, nil, "-url needs -user"},
		{"no password", []string{"-user", "x"}, nil, "set $MIMCM_PASSWORD"},
		{"token and user", []string{"-user", "x"}, map[string]string{TokenEnv: "t", PasswordEnv: "pw"}, "does not go with -user"},
		{"-auth token without one", []string{"-auth", "token"}, nil, "set $MIMCM_TOKEN"},
		{"unknown mode", []string{"-auth", "digest"}, nil, "want one of basic, ntlm, kerberos, token"},
		{"keytab without kerberos", []string{"-auth", "ntlm", "-keytab", "k"}, nil, "go with -auth kerberos"},
		{"spn without kerberos", []string{"-spn", "HTTP/x"}, nil, "go with -auth kerberos"},
		{"keytab without user", []string{"-auth", "kerberos", "-keytab", "k"}, map[string]string{Krb5ConfEnv: conf}, "-keytab needs -user"},
		{"kerberos user without a secret", []string{"-auth", "kerberos", "-user", "jdoe"}, map[string]string{Krb5ConfEnv: conf}, "give -keytab"},
		{"kerberos unreadable keytab", []string{"-auth", "kerberos", "-user", "jdoe", "-keytab", "/nonexistent"}, map[string]string{Krb5ConfEnv: conf}, "keytab /nonexistent"},
		{"kerberos without a cache", []string{"-auth", "kerberos"}, map[string]string{Krb5ConfEnv: conf, CCacheEnv: "/nonexistent"}, "run kinit"},
		{"kerberos without krb5.conf", []string{"-auth", "kerberos", "-user", "j"}, map[string]string{PasswordEnv: "pw", Krb5ConfEnv: "/nonexistent"}, "krb5.conf"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := parse(t, tc.args...)
			opt, err := f.Option(func(k string) string { return tc.env[k] })
			if tc.want == "" {
				if err != nil || opt == nil {
					t.Fatalf("got %v", err)
				}
				return
			}
			var ue *UsageError
			if !errors.As(err, &ue) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want a usage error with %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "pw") {
				t.Error("the password is in the error")
			}
		})
	}
}

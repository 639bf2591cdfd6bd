package proof

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/certadmin/certadmin-go/internal/apierror"
	"github.com/certadmin/certadmin-go/internal/fakeserver"
)

// LeakSecrets are the distinctive secrets of the secrets proof.
var LeakSecrets = SecretSet{Password: "Lk9#basic-4d2f-Passw0rd", Token: "Lk9-token-77aa19", PKCS12: "Lk9-pkcs12-3c1e"}

// Secrets gives every client built distinctive secrets (LeakSecrets), runs
// every operation (succeeding, failing under faults whose bodies echo the
// secrets back, and rejected for bad input) with debug logging on, and
// checks that no secret appears in an error, a log record or a panic, nor
// in any file under a testdata folder below root (the vendor's own
// folder; the cross-vendor tests scan the whole module with
// CheckTestdata).
func Secrets(t *testing.T, root string, builders ...Builder) {
	secrets := LeakSecrets
	echo := fmt.Sprintf(`{"message":"rejected: password %s token %s pkcs12 %s","password":"%s","token":"%s"}`,
		secrets.Password, secrets.Token, secrets.PKCS12, secrets.Password, secrets.Token)
	echoes := []fakeserver.Fault{
		{Status: 400, ContentType: "application/json", Body: echo},
		{Status: 401, ContentType: "text/plain", Body: "bad credentials " + secrets.Password},
		{Status: 200, ContentType: "application/json", Body: echo},
	}
	all := []string{secrets.Password, secrets.Token, secrets.PKCS12, secrets.Password + "-new"}
	issued, issuing := 0, 0
	for _, build := range builders {
		v := build(t, secrets)
		ctx := context.Background()
		// check reports any of the client's own secrets in text: its
		// credentials, the session tokens its server issued, and those the
		// call carried. A client cannot leak what it never held.
		check := func(text string, carried []string) {
			own := append(append([]string(nil), v.Auth...), carried...)
			if v.IssuedSecrets != nil {
				own = append(own, v.IssuedSecrets()...)
			}
			for _, s := range own {
				if s != "" && strings.Contains(text, s) {
					t.Errorf("%s: secret %q leaked into: %s", v.Name, s[:3]+"…", text)
				}
			}
		}
		var carriedAll []string
		for _, op := range v.Ops {
			carriedAll = append(carriedAll, op.Carries...)
			_, call := op.Prepare(t)
			check(errorText(call(ctx, filepath.Join(t.TempDir(), "f"))), op.Carries)
			for _, f := range echoes {
				suffix, call := op.Prepare(t)
				f.Method, f.PathSuffix = op.Method, suffix
				v.Inject(f)
				check(errorText(call(ctx, filepath.Join(t.TempDir(), "f"))), op.Carries)
				v.Srv.ClearFaults()
			}
		}
		for _, bad := range v.BadInputs {
			err := bad(ctx)
			if err == nil {
				t.Errorf("%s: a bad input was accepted", v.Name)
			}
			check(errorText(err), []string{secrets.Password, secrets.PKCS12})
		}
		logs := v.Logs.String()
		if !strings.Contains(logs, "certadmin http attempt") {
			t.Errorf("%s: no debug log was written, so the log check proves nothing", v.Name)
		}
		check(logs, carriedAll)
		if v.IssuedSecrets != nil {
			issuing++
			tokens := v.IssuedSecrets()
			issued += len(tokens)
			all = append(all, tokens...)
		}
	}
	if issuing > 0 && issued == 0 {
		t.Error("no session token was issued, so the token check proves nothing")
	}
	CheckTestdata(t, root, all)
}

func errorText(err error) (text string) {
	defer func() {
		if p := recover(); p != nil {
			text = fmt.Sprint("panic: ", p)
		}
	}()
	if err == nil {
		return ""
	}
	text = err.Error()
	var ae *apierror.Error
	if errors.As(err, &ae) { // the excerpt and details users may log too
		text += " | " + ae.Body + " | " + strings.Join(ae.Details, " | ") + " | " + ae.URL
	}
	return text
}

// CheckTestdata scans every testdata folder below root for the secrets
// and for credentials in header form.
func CheckTestdata(t *testing.T, root string, secrets []string) {
	root, err := filepath.Abs(root)
	if err != nil {
		t.Fatal(err)
	}
	scanned := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.Contains(filepath.ToSlash(path), "/testdata/") {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		scanned++
		text := string(b)
		for _, s := range secrets {
			if s != "" && strings.Contains(text, s) {
				t.Errorf("%s holds a secret", path)
			}
		}
		lower := strings.ToLower(text)
		for _, h := range []string{"authorization: basic ", "authorization: bearer ", "x-esri-authorization: bearer "} {
			if strings.Contains(lower, h) {
				t.Errorf("%s holds credentials in an %q header", path, h)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if scanned == 0 {
		t.Error("no testdata file was scanned")
	}
}

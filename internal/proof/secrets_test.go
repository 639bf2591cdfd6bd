package proof_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/certadmin/certadmin-go/internal/apierror"
	"github.com/certadmin/certadmin-go/internal/fakeserver"
)

// TestSecretsNeverLeak gives every client distinctive secrets, runs every
// operation (succeeding, failing under faults whose bodies echo the
// secrets back, and rejected for bad input) with debug logging on, and
// checks that no secret appears in an error, a log record or a panic, nor
// in any file under a testdata folder.
func TestSecretsNeverLeak(t *testing.T) {
	secrets := secretSet{password: "Lk9#basic-4d2f-Passw0rd", token: "Lk9-token-77aa19", pkcs12: "Lk9-pkcs12-3c1e"}
	echo := fmt.Sprintf(`{"message":"rejected: password %s token %s pkcs12 %s","password":"%s","token":"%s"}`,
		secrets.password, secrets.token, secrets.pkcs12, secrets.password, secrets.token)
	echoes := []fakeserver.Fault{
		{Status: 400, ContentType: "application/json", Body: echo},
		{Status: 401, ContentType: "text/plain", Body: "bad credentials " + secrets.password},
		{Status: 200, ContentType: "application/json", Body: echo},
	}
	all := []string{secrets.password, secrets.token, secrets.pkcs12, secrets.password + "-new"}
	issued := 0
	for _, build := range slices.Concat(vendors, secretsOnlyVendors) {
		v := build(t, secrets)
		ctx := context.Background()
		// check reports any of the client's own secrets in text: its
		// credentials, the session tokens its server issued, and those the
		// call carried. A client cannot leak what it never held.
		check := func(text string, carried []string) {
			own := append(append([]string(nil), v.auth...), carried...)
			if v.issuedSecrets != nil {
				own = append(own, v.issuedSecrets()...)
			}
			for _, s := range own {
				if s != "" && strings.Contains(text, s) {
					t.Errorf("%s: secret %q leaked into: %s", v.name, s[:3]+"…", text)
				}
			}
		}
		var carriedAll []string
		for _, op := range v.ops {
			carriedAll = append(carriedAll, op.carries...)
			_, call := op.prepare(t)
			check(errorText(call(ctx, filepath.Join(t.TempDir(), "f"))), op.carries)
			for _, f := range echoes {
				suffix, call := op.prepare(t)
				f.Method, f.PathSuffix = op.method, suffix
				v.inject(f)
				check(errorText(call(ctx, filepath.Join(t.TempDir(), "f"))), op.carries)
				v.srv.ClearFaults()
			}
		}
		for _, bad := range v.badInputs {
			err := bad(ctx)
			if err == nil {
				t.Errorf("%s: a bad input was accepted", v.name)
			}
			check(errorText(err), []string{secrets.password, secrets.pkcs12})
		}
		logs := v.logs.String()
		if !strings.Contains(logs, "certadmin http attempt") {
			t.Errorf("%s: no debug log was written, so the log check proves nothing", v.name)
		}
		check(logs, carriedAll)
		if v.issuedSecrets != nil {
			tokens := v.issuedSecrets()
			issued += len(tokens)
			all = append(all, tokens...)
		}
	}
	if issued == 0 {
		t.Error("no session token was issued, so the token check proves nothing")
	}
	checkTestdata(t, all)
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

// checkTestdata scans every testdata folder of the module for the secrets
// and for credentials in header form.
func checkTestdata(t *testing.T, secrets []string) {
	root, err := filepath.Abs("../..")
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

package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"errors"
	"math/big"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"software.sslmate.com/src/go-pkcs12"

	"github.com/certadmin/certadmin-go/mimcm/mimcmtest"
)

// helperArgs, when set in the environment, makes the test binary run the
// command itself with these arguments (one a line), so a test can send
// it a real signal.
const helperArgs = "MIMCM_ENROLL_HELPER_ARGS"

func TestMain(m *testing.M) {
	if args, ok := os.LookupEnv(helperArgs); ok {
		os.Args = append([]string{name}, strings.Split(args, "\n")...)
		main()
		return
	}
	os.Exit(m.Run())
}

func noEnv(string) string { return "" }

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

// checkP12 opens the file and checks that its key is its certificate's.
func checkP12(t *testing.T, path, password string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	key, cert, chain, err := pkcs12.DecodeChain(b, password)
	if err != nil {
		t.Fatalf("PKCS#12: %v", err)
	}
	pub, ok := key.(crypto.Signer)
	if !ok || !pub.Public().(interface{ Equal(crypto.PublicKey) bool }).Equal(cert.PublicKey) {
		t.Error("the file's key is not its certificate's")
	}
	if len(chain) != 1 || cert.CheckSignatureFrom(chain[0]) != nil {
		t.Errorf("chain of %d does not sign the certificate", len(chain))
	}
}

func TestEnrollsAgainstTheFake(t *testing.T) {
	out := filepath.Join(t.TempDir(), "me.p12")
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), []string{"-o", out, "-data", "Request Reason=laptop"}, &stdout, &stderr, noEnv); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	checkP12(t, out, demoP12Password)
	for _, want := range []string{"subject:", "serial:", "issuer:   CN=Fake CM Issuing CA", "expires:"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout.String())
		}
	}
	for _, want := range []string{"in-process fake", "completed", "written to " + out} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("progress lacks %q:\n%s", want, stderr.String())
		}
	}
}

func TestRealServerPathWithNTLM(t *testing.T) {
	srv := mimcmtest.NewTestServer(t, mimcmtest.WithNTLM())
	out := filepath.Join(t.TempDir(), "me.p12")
	env := envOf(map[string]string{passwordEnv: srv.Password, p12PasswordEnv: "file-secret"})
	var stdout, stderr bytes.Buffer
	args := []string{"-url", srv.URL, "-auth", "ntlm", "-user", srv.Username, "-template", mimcmtest.TemplateSoftware.String(), "-o", out, "-v"}
	if err := run(context.Background(), args, &stdout, &stderr, env); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	checkP12(t, out, "file-secret")
	if srv.Handshakes() != 1 {
		t.Errorf("%d NTLM handshakes, want 1", srv.Handshakes())
	}
	log := stderr.String()
	if !strings.Contains(log, "level=DEBUG") || strings.Contains(log, srv.Password) || strings.Contains(log, "file-secret") {
		t.Errorf("debug log (secrets must not show):\n%s", log)
	}
}

func TestApprovalPendingExitsThreeAndResumes(t *testing.T) {
	srv := mimcmtest.NewTestServer(t)
	out := filepath.Join(t.TempDir(), "me.p12")
	env := envOf(map[string]string{passwordEnv: srv.Password, p12PasswordEnv: "p"})
	base := []string{"-url", srv.URL, "-user", srv.Username, "-o", out}
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), append(base, "-template", mimcmtest.TemplateApproval.String(), "-wait", "0"), &stdout, &stderr, env)
	if code := exitCode(context.Background(), err, &stderr); code != exitPending {
		t.Fatalf("exit %d, want 3 (%v)", code, err)
	}
	ids := srv.Requests()
	id := ids[len(ids)-1]
	if !strings.Contains(stderr.String(), "-resume "+id.String()) {
		t.Errorf("stderr does not say how to resume:\n%s", stderr.String())
	}
	if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a pending run wrote the file")
	}
	if err := srv.ApproveRequest(id); err != nil {
		t.Fatal(err)
	}
	if err := run(context.Background(), append(base, "-resume", id.String()), &stdout, &stderr, env); err != nil {
		t.Fatalf("resume: %v\n%s", err, stderr.String())
	}
	checkP12(t, out, "p")
}

func TestHelpExitsZero(t *testing.T) {
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"-h"}, &stdout, &stderr, noEnv)
	if code := exitCode(context.Background(), err, &stderr); code != exitOK {
		t.Errorf("-h exits %d", code)
	}
	if !strings.Contains(stderr.String(), "usage: mimcm-enroll") || !strings.Contains(stderr.String(), "-template") {
		t.Errorf("usage: %s", stderr.String())
	}
}

func TestUsageErrorsExitTwo(t *testing.T) {
	srv := mimcmtest.NewTestServer(t)
	pw := envOf(map[string]string{passwordEnv: srv.Password, p12PasswordEnv: "p"})
	tmpl := mimcmtest.TemplateSoftware.String()
	for _, c := range []struct {
		name string
		args []string
		env  func(string) string
		want string
	}{
		{"stray argument", []string{"extra"}, noEnv, `unexpected argument "extra"`},
		{"unknown flag", []string{"-colour"}, noEnv, "-colour"},
		{"bad template", []string{"-template", "12bd5120"}, noEnv, "is not a GUID"},
		{"resume and template", []string{"-resume", tmpl, "-template", tmpl}, noEnv, "does not go with -template"},
		{"bad data item", []string{"-data", "novalue"}, noEnv, "name=value"},
		{"bad auth", []string{"-auth", "digest"}, noEnv, "want one of basic, ntlm, kerberos, token"},
		{"zero timeout", []string{"-timeout", "0s"}, noEnv, "-timeout must be positive"},
		{"blank output", []string{"-o", " "}, noEnv, "-o needs a file name"},
		{"user without url", []string{"-user", "x"}, noEnv, "need -url"},
		{"url without template", []string{"-url", srv.URL}, pw, "needs -template"},
		{"no file password", []string{"-url", srv.URL, "-user", "x", "-template", tmpl}, envOf(map[string]string{passwordEnv: "x"}), p12PasswordEnv},
		{"no password", []string{"-url", srv.URL, "-user", "x", "-template", tmpl}, envOf(map[string]string{p12PasswordEnv: "p"}), passwordEnv},
		{"url without scheme", []string{"-url", "cm.contoso.com", "-user", "x", "-template", tmpl}, pw, "no scheme"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := run(context.Background(), c.args, &stdout, &stderr, c.env)
			if code := exitCode(context.Background(), err, &stderr); code != exitUsage {
				t.Errorf("exit %d, want 2 (err %v)", code, err)
			}
			if !strings.Contains(stderr.String(), c.want) || !strings.Contains(stderr.String(), "-h for help") {
				t.Errorf("stderr %q lacks %q", stderr.String(), c.want)
			}
		})
	}
	if n := srv.TotalHits(); n != 0 {
		t.Errorf("%d requests reached the server", n)
	}
}

func TestFailureKeepsTheOldFile(t *testing.T) {
	srv := mimcmtest.NewTestServer(t)
	out := filepath.Join(t.TempDir(), "me.p12")
	if err := os.WriteFile(out, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	srv.Inject(mimcmtest.Fault{Method: http.MethodPost, PathSuffix: "/certificatedata", Reset: true})
	env := envOf(map[string]string{passwordEnv: srv.Password, p12PasswordEnv: "p"})
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"-url", srv.URL, "-user", srv.Username, "-template", mimcmtest.TemplateSoftware.String(), "-o", out}, &stdout, &stderr, env)
	if code := exitCode(context.Background(), err, &stderr); code != exitFailed {
		t.Errorf("exit %d, want 1", code)
	}
	if !strings.Contains(stderr.String(), "AbandonRequest") {
		t.Errorf("stderr does not say what to do: %s", stderr.String())
	}
	if b, _ := os.ReadFile(out); string(b) != "old" {
		t.Errorf("a failed run changed the file: %q", b)
	}
	// The certificate data may have been issued: the generated key and the
	// PFX password are kept beside the file, and nothing else is left.
	var names []string
	entries, _ := os.ReadDir(filepath.Dir(out))
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if strings.Join(names, " ") != "me.p12 me.p12.received.pem me.p12.received.pfx-password" {
		t.Errorf("files left: %q", names)
	}
}

// A failure after the CA issued saves what was received before the
// command exits 1: with only the completion failed, the PKCS#12 file and
// the received files; with an answer that does not read, the received
// files, the PFX in them opening with the saved password. Every file has
// mode 0600.
func TestFailureAfterIssuanceSavesWhatWasReceived(t *testing.T) {
	pfx := demoPFX(t)
	for _, tc := range []struct {
		name  string
		fault mimcmtest.Fault
		files []string
	}{
		{"completion fails", mimcmtest.Fault{Method: http.MethodPut, Status: http.StatusServiceUnavailable},
			[]string{"me.p12", "me.p12.received.answer.json", "me.p12.received.pem", "me.p12.received.pfx-password"}},
		{"answer with a member of another type", mimcmtest.Fault{Method: http.MethodPost, PathSuffix: "/certificatedata", Status: http.StatusOK,
			ContentType: "application/json", Body: `[{"TemplateCommonName":7,"Pkcs7":null,"Pfx":"` + pfx + `","isPfx":true,"isPkcs7":false}]`},
			[]string{"me.p12.received-1.pfx", "me.p12.received.answer.json", "me.p12.received.pem", "me.p12.received.pfx-password"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := mimcmtest.NewTestServer(t)
			out := filepath.Join(t.TempDir(), "me.p12")
			srv.Inject(tc.fault)
			env := envOf(map[string]string{passwordEnv: srv.Password, p12PasswordEnv: "p"})
			var stdout, stderr bytes.Buffer
			err := run(context.Background(), []string{"-url", srv.URL, "-user", srv.Username, "-template", mimcmtest.TemplateSoftware.String(), "-o", out}, &stdout, &stderr, env)
			if code := exitCode(context.Background(), err, &stderr); code != exitFailed {
				t.Fatalf("exit %d, want 1 (%v)", code, err)
			}
			var names []string
			entries, _ := os.ReadDir(filepath.Dir(out))
			for _, e := range entries {
				names = append(names, e.Name())
				fi, err := e.Info()
				if err != nil || fi.Mode().Perm() != 0o600 {
					t.Errorf("%s: mode %v, %v", e.Name(), fi.Mode(), err)
				}
			}
			if strings.Join(names, " ") != strings.Join(tc.files, " ") {
				t.Fatalf("files %q, want %q\n%s", names, tc.files, stderr.String())
			}
			if !strings.Contains(stderr.String(), "saved (mode 0600)") {
				t.Errorf("stderr does not say where the material went:\n%s", stderr.String())
			}
			pw, _ := os.ReadFile(out + ".received.pfx-password")
			if len(bytes.TrimSpace(pw)) < 20 {
				t.Errorf("PFX password file %q", pw)
			}
			if got, err := os.ReadFile(out + ".received-1.pfx"); err == nil && base64.StdEncoding.EncodeToString(got) != pfx {
				t.Errorf("the saved PFX is not the one the server sent")
			}
			if pem, _ := os.ReadFile(out + ".received.pem"); !bytes.Contains(pem, []byte("PRIVATE KEY")) {
				t.Errorf("no key saved")
			}
			if strings.Contains(stderr.String(), strings.TrimSpace(string(pw))) {
				t.Errorf("the PFX password is on stderr")
			}
		})
	}
}

// demoPFX is a PFX blob, in base64, as a server-generated key comes.
func demoPFX(t *testing.T) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Jane"}, NotBefore: time.Unix(1e9, 0), NotAfter: time.Unix(4e9, 0)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pfx, err := pkcs12.Modern.Encode(key, cert, nil, "p")
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(pfx)
}

func TestCanceledContextSaysInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var stdout, stderr bytes.Buffer
	err := run(ctx, []string{"-o", filepath.Join(t.TempDir(), "x.p12")}, &stdout, &stderr, noEnv)
	if code := exitCode(ctx, err, &stderr); code != exitInterrupted || !strings.Contains(stderr.String(), "mimcm-enroll: interrupted") {
		t.Errorf("exit %d, stderr %q", code, stderr.String())
	}
}

// An interrupt (Ctrl-C) while the server is slow ends the command with
// "interrupted" and status 130, without a file.
func TestInterruptSignal(t *testing.T) {
	srv := mimcmtest.NewTestServer(t)
	srv.Inject(mimcmtest.Fault{Method: http.MethodGet, PathSuffix: "/certificaterequestgenerationoptions", Delay: time.Hour})
	out := filepath.Join(t.TempDir(), "me.p12")
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(),
		helperArgs+"="+strings.Join([]string{"-url", srv.URL, "-user", srv.Username, "-template", mimcmtest.TemplateSoftware.String(), "-o", out}, "\n"),
		passwordEnv+"="+srv.Password, p12PasswordEnv+"=p")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	lines := bufio.NewScanner(stderr)
	for lines.Scan() {
		log.WriteString(lines.Text() + "\n")
		if strings.Contains(lines.Text(), ": approved") {
			break
		}
	}
	for deadline := time.Now().Add(time.Minute); srv.HitsMatching("", "/certificaterequestgenerationoptions") == 0; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			t.Fatalf("the call never reached the server:\n%s", log.String())
		}
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	for lines.Scan() {
		log.WriteString(lines.Text() + "\n")
	}
	err = cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != exitInterrupted || !strings.Contains(log.String(), "mimcm-enroll: interrupted") {
		t.Errorf("exit %v, want 130 and \"interrupted\":\n%s", err, log.String())
	}
	if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
		t.Error("an interrupted run wrote the file")
	}
}

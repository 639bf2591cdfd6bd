package oracle

import (
	"bufio"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/certadmin/certadmin-go/internal/interop"
	"github.com/certadmin/certadmin-go/mimcm/mimcmtest"
)

// ntlmFake is the mimcmtest fake with Windows authentication, run as a
// process of its own (./internal/ntlmfake).
type ntlmFake struct {
	URL   string
	stdin io.WriteCloser
	out   *bufio.Reader
}

type fakeStats struct {
	Requests    int `json:"requests"`
	Handshakes  int `json:"handshakes"`
	Connections int `json:"connections"`
}

// buildNTLMFake builds ./internal/ntlmfake into a temporary directory.
func buildNTLMFake(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "ntlmfake")
	if out, err := exec.Command("go", "build", "-o", bin, "./internal/ntlmfake").CombinedOutput(); err != nil {
		t.Fatalf("build ntlmfake: %v\n%s", err, out)
	}
	return bin
}

func startNTLMFake(t *testing.T, bin string, args ...string) *ntlmFake {
	t.Helper()
	cmd := exec.Command(bin, args...)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = stdin.Close() // it exits when stdin closes
		_ = cmd.Wait()
	})
	f := &ntlmFake{stdin: stdin, out: bufio.NewReader(stdout)}
	line, err := f.out.ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "URL=") {
		t.Fatalf("ntlmfake did not start: %q %v", line, err)
	}
	f.URL = strings.TrimSpace(strings.TrimPrefix(line, "URL="))
	return f
}

func (f *ntlmFake) stats(t *testing.T) fakeStats {
	t.Helper()
	if _, err := io.WriteString(f.stdin, "stats\n"); err != nil {
		t.Fatal(err)
	}
	line, err := f.out.ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	var s fakeStats
	if err := json.Unmarshal([]byte(line), &s); err != nil {
		t.Fatalf("stats %q: %v", line, err)
	}
	return s
}

// curl, a client not written here, signs in to the fake: with its own
// NTLM (--ntlm) and with SPNEGO through MIT GSS-API and gss-ntlmssp
// (--negotiate), as a Linux user's tools do against IIS.
func TestCurlAgainstTheFake(t *testing.T) {
	curl := interop.LookPath(t, "curl", "impacket.sh")
	if _, err := os.Stat("/etc/gss/mech.d/mech.ntlmssp.conf"); err != nil {
		interop.Missing(t, "gss-ntlmssp", "impacket.sh")
	}
	const path = "/CertificateManagement/api/v1.0/profiletemplates"
	dir := t.TempDir()
	// gss-ntlmssp reads its credentials from this file (DOMAIN:user:password).
	domain, user, _ := strings.Cut(mimcmtest.Username, `\`)
	usersFile := func(name, password string) string {
		f := filepath.Join(dir, name)
		if err := os.WriteFile(f, []byte(domain+":"+user+":"+password+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		return f
	}
	users, wrongUsers := usersFile("ntlm-users", mimcmtest.Password), usersFile("ntlm-users-wrong", "wrong-password")
	bin := buildNTLMFake(t)
	for _, tc := range []struct {
		name       string
		fake       []string
		args, bad  []string
		wrongUsers string
	}{
		{"ntlm", nil, []string{"--ntlm", "-u", mimcmtest.Username + ":" + mimcmtest.Password},
			[]string{"--ntlm", "-u", mimcmtest.Username + ":wrong-password"}, users},
		{"negotiate", []string{"-negotiate"}, []string{"--negotiate", "-u", ":"}, []string{"--negotiate", "-u", ":"}, wrongUsers},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := startNTLMFake(t, bin, tc.fake...)
			run := func(users string, args ...string) (string, string) {
				cmd := exec.Command(curl, append([]string{"-sS", "-o", "-", "-w", "\n%{http_code}", "-v"}, args...)...)
				cmd.Env = append(os.Environ(), "NTLM_USER_FILE="+users, "KRB5CCNAME=FILE:"+filepath.Join(dir, "no-ccache"))
				var stderr strings.Builder
				cmd.Stderr = &stderr
				out, _ := cmd.Output()
				// -w puts the status on a line of its own after the body.
				body, code := "", string(out)
				if i := strings.LastIndex(code, "\n"); i >= 0 {
					body, code = code[:i], code[i+1:]
				}
				if t.Failed() {
					t.Logf("curl stderr:\n%s", stderr.String())
				}
				return body, code
			}
			before := f.stats(t)
			body, code := run(users, append(tc.args, f.URL+path)...)
			s := f.stats(t)
			if code != "200" || !strings.Contains(body, "ProfileTemplate") && !strings.HasPrefix(body, "[") {
				t.Fatalf("curl %s: HTTP %s, body %.200q", tc.name, code, body)
			}
			// Two legs (NEGOTIATE, AUTHENTICATE with the request), or three
			// where curl first asks without credentials.
			if h, n := s.Handshakes-before.Handshakes, s.Requests-before.Requests; h != 1 || n < 2 || n > 3 {
				t.Errorf("curl %s: %d handshakes in %d requests", tc.name, h, n)
			}
			t.Logf("curl %s: HTTP %s after %d requests", tc.name, code, s.Requests-before.Requests)

			before = f.stats(t)
			_, code = run(tc.wrongUsers, append(tc.bad, f.URL+path)...)
			s = f.stats(t)
			if code != "401" || s.Handshakes != before.Handshakes {
				t.Errorf("curl %s with a wrong password: HTTP %s, %d handshakes", tc.name, code, s.Handshakes-before.Handshakes)
			}
			t.Logf("curl %s, wrong password: HTTP %s after %d requests", tc.name, code, s.Requests-before.Requests)
		})
	}
}

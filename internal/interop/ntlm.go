package interop

import (
	"bufio"
	"crypto/rand"
	_ "embed" // the acceptor script
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The NTLM/SPNEGO acceptor: impacket's NTLM and SPNEGO code behind a small
// HTTP server (ntlm_acceptor.py), run by Debian's own interpreter, which
// is where Debian's python3-impacket is installed (the python3 first on a
// PATH may be another one).
//
//go:embed ntlm_acceptor.py
var ntlmAcceptorScript []byte

// debianPython is the interpreter python3-impacket installs for.
const debianPython = "/usr/bin/python3"

// NTLMMode is how the acceptor offers and takes NTLM.
type NTLMMode string

// The acceptor's modes.
const (
	// NTLMRaw: "WWW-Authenticate: NTLM", raw NTLM messages.
	NTLMRaw NTLMMode = "ntlm"
	// NTLMNegotiateRaw: "WWW-Authenticate: Negotiate" carrying raw NTLM
	// messages; a SPNEGO token is refused.
	NTLMNegotiateRaw NTLMMode = "negotiate"
	// NTLMSPNEGO: "WWW-Authenticate: Negotiate" carrying NTLM inside
	// SPNEGO (NegTokenInit, then NegTokenResp); a raw NTLM message is
	// refused.
	NTLMSPNEGO NTLMMode = "spnego"
)

// NTLMAcceptor is a running acceptor.
type NTLMAcceptor struct {
	// URL is the acceptor's base URL (http://127.0.0.1:port).
	URL string
	// User (DOMAIN\name) and Password are the one account it accepts.
	User, Password string
}

// NTLMStats are the acceptor's counts. Requests counts every request but
// the stats requests; Refused the 401s without a challenge (a request
// without credentials or refused ones); Challenges the CHALLENGE messages
// sent; Handshakes the AUTHENTICATE messages impacket accepted.
type NTLMStats struct {
	Requests     int `json:"requests"`
	Connections  int `json:"connections"`
	Handshakes   int `json:"handshakes"`
	Refused      int `json:"refused"`
	Challenges   int `json:"challenges"`
	SPNEGOTokens int `json:"spnego_tokens"`
	RawTokens    int `json:"raw_tokens"`
}

// StartNTLMAcceptor starts the impacket acceptor in mode on a free
// loopback port, for the account CONTOSO\jdoe with a random password. It
// is stopped when the test ends. Without python3-impacket it ends the test
// through Missing.
func StartNTLMAcceptor(t testing.TB, mode NTLMMode) *NTLMAcceptor {
	t.Helper()
	if out, err := exec.CommandContext(t.Context(), debianPython, "-c", "import impacket.ntlm, impacket.spnego").CombinedOutput(); err != nil {
		t.Logf("%s cannot import impacket: %v %s", debianPython, err, out)
		Missing(t, "impacket (python3-impacket)", "impacket.sh")
	}
	script := filepath.Join(t.TempDir(), "ntlm_acceptor.py")
	if err := os.WriteFile(script, ntlmAcceptorScript, 0o600); err != nil {
		t.Fatal(err)
	}
	a := &NTLMAcceptor{User: `CONTOSO\jdoe`, Password: "Acceptor-" + randomWord(t)}
	// The test's context ends as the test does, which kills the acceptor.
	cmd := exec.CommandContext(t.Context(), debianPython, script, "--mode", string(mode), "--user", "jdoe", "--domain", "CONTOSO")
	cmd.Env = append(os.Environ(), "ACCEPTOR_PASSWORD="+a.Password)
	// The acceptor exits when its stdin closes: when this process ends,
	// even without the cleanup below.
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = stdin.Close()
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() && stderr.Len() > 0 {
			t.Logf("acceptor stderr:\n%s", stderr.String())
		}
	})
	// Ready once it prints the port it listens on (the socket is bound
	// and listening by then; a connection waits in the backlog).
	line, err := bufio.NewReader(stdout).ReadString('\n')
	var port int
	if _, serr := fmt.Sscanf(line, "LISTEN %d", &port); err != nil || serr != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		t.Fatalf("the acceptor did not start: %q %v\n%s", line, err, stderr.String())
	}
	go func() { _, _ = io.Copy(io.Discard, stdout) }()
	a.URL = fmt.Sprintf("http://127.0.0.1:%d", port)
	// Poll until it answers: one stats request, which the backlog holds
	// until the server loop takes it.
	a.Stats(t)
	return a
}

// Stats reads the acceptor's counts.
func (a *NTLMAcceptor) Stats(t testing.TB) NTLMStats {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, a.URL+"/_stats", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("acceptor stats: %v", err)
	}
	defer func() { _ = resp.Body.Close() }()
	var s NTLMStats
	if err := json.NewDecoder(resp.Body).Decode(&s); err != nil {
		t.Fatalf("acceptor stats: %v", err)
	}
	return s
}

// randomWord is 16 random hex digits.
func randomWord(t testing.TB) string {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b[:])
}

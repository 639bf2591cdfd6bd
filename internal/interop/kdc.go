package interop

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// KDCScript installs MIT Kerberos (krb5kdc, kdb5_util, kadmin.local,
// kinit) and faketime.
const KDCScript = "krb5.sh"

// KDCOptions configure StartKDC.
type KDCOptions struct {
	// Realm is the realm's name (default "CERTADMIN.TEST").
	Realm string
	// MaxLife is the longest ticket lifetime the KDC issues, in kadmin's
	// duration syntax ("10h", "5m"; default "10h").
	MaxLife string
	// ClockOffset runs the KDC on a clock shifted by this much (through
	// faketime), for the clock-skew test. Zero runs it on the real clock.
	ClockOffset time.Duration
}

// KDC is a running MIT krb5kdc on loopback with its own realm, database
// and krb5.conf, in a temporary folder the test removes.
type KDC struct {
	// Realm is the realm the KDC serves.
	Realm string
	// Krb5Conf is the path of a krb5.conf that points at this KDC (for
	// KRB5_CONFIG), with localhost and 127.0.0.1 in the realm.
	Krb5Conf string
	// Addr is the KDC's address (127.0.0.1:port), UDP and TCP.
	Addr string

	dir string
	env []string
	log string
	cmd *exec.Cmd

	mu sync.Mutex
}

// StartKDC creates a realm in a temporary folder and starts krb5kdc for
// it on a free loopback port. The KDC stops when the test ends. A test
// without MIT Kerberos installed ends through Missing.
func StartKDC(t testing.TB, opts KDCOptions) *KDC {
	t.Helper()
	for _, p := range []string{"/usr/sbin/krb5kdc", "/usr/sbin/kdb5_util", "/usr/sbin/kadmin.local"} {
		if _, err := os.Stat(p); err != nil {
			Missing(t, "MIT Kerberos ("+filepath.Base(p)+")", KDCScript)
		}
	}
	if opts.Realm == "" {
		opts.Realm = "CERTADMIN.TEST"
	}
	if opts.MaxLife == "" {
		opts.MaxLife = "10h"
	}
	dir := t.TempDir()
	k := &KDC{Realm: opts.Realm, Krb5Conf: filepath.Join(dir, "krb5.conf"), dir: dir, log: filepath.Join(dir, "kdc.log")}
	k.env = append(os.Environ(), "KRB5_CONFIG="+k.Krb5Conf, "KRB5_KDC_PROFILE="+filepath.Join(dir, "kdc.conf"),
		"KRB5CCNAME=FILE:"+filepath.Join(dir, "ccache-unused"))
	must(t, os.WriteFile(filepath.Join(dir, "kadm5.acl"), nil, 0o600))
	args := []string{"/usr/sbin/krb5kdc", "-n", "-r", opts.Realm}
	if opts.ClockOffset != 0 {
		ft, err := exec.LookPath("faketime")
		if err != nil {
			Missing(t, "faketime", KDCScript)
		}
		args = append([]string{ft, "-f", fmt.Sprintf("%+ds", int(opts.ClockOffset.Seconds()))}, args...)
	}
	// The port is free when chosen but another process may take it
	// before krb5kdc binds it: then it exits at once, and another port
	// is tried.
	for attempt := 1; ; attempt++ {
		port := freePort(t)
		k.Addr = fmt.Sprintf("127.0.0.1:%d", port)
		k.writeConf(t, port, opts)
		if attempt == 1 {
			// The master key protects the throwaway database only.
			k.run(t, "/usr/sbin/kdb5_util", "-r", opts.Realm, "-P", "throwaway-master-key", "create", "-s")
		}
		out, err := k.start(t, args)
		if err == nil {
			return k
		}
		if attempt == 3 || !strings.Contains(out, "in use") {
			t.Fatalf("krb5kdc on %s: %v: %s", k.Addr, err, out)
		}
	}
}

func (k *KDC) writeConf(t testing.TB, port int, opts KDCOptions) {
	t.Helper()
	kdcConf := fmt.Sprintf(`[kdcdefaults]
	kdc_listen = 127.0.0.1:%[1]d
	kdc_tcp_listen = 127.0.0.1:%[1]d

[realms]
	%[2]s = {
		database_name = %[3]s/principal
		key_stash_file = %[3]s/stash
		acl_file = %[3]s/kadm5.acl
		max_life = %[4]s
		max_renewable_life = 7d
		supported_enctypes = aes256-cts-hmac-sha1-96:normal aes128-cts-hmac-sha1-96:normal
		default_principal_flags = +preauth
	}

[logging]
	kdc = FILE:%[5]s
`, port, opts.Realm, k.dir, opts.MaxLife, k.log)
	krb5Conf := fmt.Sprintf(`[libdefaults]
	default_realm = %[1]s
	dns_lookup_kdc = false
	dns_lookup_realm = false
	rdns = false
	udp_preference_limit = 1
	default_tkt_enctypes = aes256-cts-hmac-sha1-96 aes128-cts-hmac-sha1-96
	default_tgs_enctypes = aes256-cts-hmac-sha1-96 aes128-cts-hmac-sha1-96
	permitted_enctypes = aes256-cts-hmac-sha1-96 aes128-cts-hmac-sha1-96

[realms]
	%[1]s = {
		kdc = 127.0.0.1:%[2]d
	}

[domain_realm]
	localhost = %[1]s
	.localhost = %[1]s
	127.0.0.1 = %[1]s
`, opts.Realm, port)
	must(t, os.WriteFile(filepath.Join(k.dir, "kdc.conf"), []byte(kdcConf), 0o600))
	must(t, os.WriteFile(k.Krb5Conf, []byte(krb5Conf), 0o600))
}

// start runs krb5kdc and waits until its TCP port takes connections
// (bounded); a KDC that exits first is an error, with its output.
func (k *KDC) start(t testing.TB, args []string) (string, error) {
	t.Helper()
	cmd := exec.CommandContext(context.Background(), args[0], args[1:]...) // stopped by the clean-up below
	cmd.Env = k.env
	// faketime runs krb5kdc as its child: the whole process group is
	// stopped, and Wait does not wait for a pipe an orphan holds.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.WaitDelay = 5 * time.Second
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	must(t, cmd.Start())
	k.cmd = cmd
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stop := func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		if err := <-exited; err != nil && t.Failed() {
			t.Logf("krb5kdc: %v", err) // killed; its output explains a failed test
		}
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		c, err := (&net.Dialer{Timeout: time.Second}).DialContext(context.Background(), "tcp", k.Addr)
		if err == nil {
			_ = c.Close()
			t.Cleanup(stop)
			return "", nil
		}
		select {
		case err := <-exited:
			exited <- err
			stop()
			return out.String() + k.Log(), fmt.Errorf("exited: %w", err)
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			stop()
			return out.String(), fmt.Errorf("does not listen after 20 s")
		}
	}
}

// syncBuffer is a bytes.Buffer safe for the process's writes and the
// test's reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// AddUser adds the principal name@Realm with password. maxLife ("" for
// the realm's) bounds the lifetime of its tickets.
func (k *KDC) AddUser(t testing.TB, name, password, maxLife string) {
	t.Helper()
	q := fmt.Sprintf("addprinc -pw %s %s", password, name)
	if maxLife != "" {
		q = fmt.Sprintf("addprinc -maxlife %q -pw %s %s", maxLife, password, name)
	}
	k.kadmin(t, q)
}

// AddService adds the service principal spn (HTTP/host) with a random
// key, or returns its keytab when it exists, written to a file in the
// KDC's folder (the keytab of the acceptor). maxLife ("" for the realm's)
// bounds the lifetime of tickets for it.
func (k *KDC) AddService(t testing.TB, spn, maxLife string) (keytab string) {
	t.Helper()
	q := "addprinc -randkey " + spn
	if maxLife != "" {
		q = fmt.Sprintf("addprinc -maxlife %q -randkey %s", maxLife, spn)
	}
	k.kadmin(t, q)
	return k.Keytab(t, spn)
}

// Keytab writes the current keys of principal to a new keytab file and
// returns its path. The keys are not changed (kadmin.local -norandkey).
func (k *KDC) Keytab(t testing.TB, principal string) string {
	t.Helper()
	k.mu.Lock()
	path := filepath.Join(k.dir, fmt.Sprintf("keytab-%d", time.Now().UnixNano()))
	k.mu.Unlock()
	k.kadmin(t, fmt.Sprintf("ktadd -k %s -norandkey %s", path, principal))
	return path
}

// NewKey gives principal a new random key (its key version goes up), as
// when a service account's password changes; tickets issued before no
// longer decrypt with the new keytab.
func (k *KDC) NewKey(t testing.TB, principal string) {
	t.Helper()
	k.kadmin(t, "cpw -randkey "+principal)
}

// Kinit gets a TGT for principal with MIT's own kinit into a new
// credential cache file and returns its path (for KRB5CCNAME).
func (k *KDC) Kinit(t testing.TB, principal, password string) string {
	t.Helper()
	kinit := LookPath(t, "kinit", KDCScript)
	ccache := filepath.Join(k.dir, fmt.Sprintf("ccache-%d", time.Now().UnixNano()))
	cmd := exec.CommandContext(context.Background(), kinit, "-c", "FILE:"+ccache, principal)
	cmd.Env = k.env
	cmd.Stdin = strings.NewReader(password + "\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("kinit %s: %v: %s", principal, err, out)
	}
	return ccache
}

// Requests counts the requests of a kind ("AS_REQ", "TGS_REQ") the KDC
// has logged, issued or refused.
func (k *KDC) Requests(kind string) int {
	b, _ := os.ReadFile(k.log)
	n := 0
	for _, line := range strings.Split(string(b), "\n") {
		if strings.Contains(line, " "+kind+" ") {
			n++
		}
	}
	return n
}

// Log returns the KDC's log, for a failing test's message.
func (k *KDC) Log() string {
	b, _ := os.ReadFile(k.log)
	return string(b)
}

func (k *KDC) kadmin(t testing.TB, query string) {
	t.Helper()
	k.run(t, "/usr/sbin/kadmin.local", "-r", k.Realm, "-q", query)
}

func (k *KDC) run(t testing.TB, name string, args ...string) {
	t.Helper()
	cmd := exec.CommandContext(context.Background(), name, args...)
	cmd.Env = k.env
	out, err := cmd.CombinedOutput()
	if err != nil || bytes.Contains(out, []byte("error")) || bytes.Contains(out, []byte("rror:")) {
		t.Fatalf("%s %s: %v: %s", filepath.Base(name), strings.Join(args, " "), err, out)
	}
}

// freePort returns a port free for both UDP and TCP on 127.0.0.1.
func freePort(t testing.TB) int {
	t.Helper()
	for range 20 {
		var lc net.ListenConfig
		l, err := lc.Listen(context.Background(), "tcp", "127.0.0.1:0")
		must(t, err)
		port := l.Addr().(*net.TCPAddr).Port
		u, err := lc.ListenPacket(context.Background(), "udp", fmt.Sprintf("127.0.0.1:%d", port))
		_ = l.Close()
		if err == nil {
			_ = u.Close()
			return port
		}
	}
	t.Fatal("no free port for the KDC")
	return 0
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/certadmin/certadmin-go/mobileiron/core/coretest"
)

// mainEnv makes the test binary run main itself, so a test can run the
// command as a process: its exit status and its answer to a signal.
const mainEnv = "QUICKSTART_TEST_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(mainEnv) == "1" {
		os.Args = append([]string{"quickstart"}, strings.Fields(os.Getenv(mainEnv+"_ARGS"))...)
		main()
		return
	}
	os.Exit(m.Run())
}

const sampleCSV = "id,serialNumber,type,userId,deviceUuid,ceSettingName,certificateStatus,createdAt,expiredAt\n2,102,Centralized,9002,,LocalCE,ACTIVE,2016-04-18,2017-04-18\n"

// runQuickstart runs the command in-process.
func runQuickstart(ctx context.Context, args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = run(ctx, args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// onlyFile fails t unless dir holds exactly the file name (no temporary
// file left behind); name "" means an empty directory.
func onlyFile(t *testing.T, dir, name string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if (name == "" && len(names) != 0) || (name != "" && (len(names) != 1 || names[0] != name)) {
		t.Errorf("directory holds %q, want only %q", names, name)
	}
}

// realServer starts a fake for the -url mode and sets the password
// variable to its password.
func realServer(t *testing.T) *coretest.Server {
	t.Helper()
	srv := coretest.NewTestServer(t, coretest.WithCredentials("apiadmin", "quickstart-env-password"))
	t.Setenv(passwordEnv, srv.Password)
	return srv
}

func TestQuickstartAgainstFake(t *testing.T) {
	out := filepath.Join(t.TempDir(), "certificates.csv")
	code, stdout, stderr := runQuickstart(context.Background(), "-o", out, "-poll", "1ms")
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if string(data) != sampleCSV {
		t.Errorf("CSV = %q, want %q", data, sampleCSV)
	}
	if !strings.HasPrefix(stdout, fmt.Sprintf("wrote %s: 1 row(s), %d bytes in ", out, len(sampleCSV))) {
		t.Errorf("summary = %q", stdout)
	}
	for _, want := range []string{"in-memory Core", "exporting ACTIVE certificates of LocalCE", "export success"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("progress %q lacks %q", stderr, want)
		}
	}
	if strings.Contains(stderr, "certadmin http attempt") {
		t.Errorf("debug log without -v: %s", stderr)
	}
}

func TestQuickstartLargeExport(t *testing.T) {
	const size = 2 << 20
	out := filepath.Join(t.TempDir(), "big.csv")
	code, stdout, stderr := runQuickstart(context.Background(), "-o", out, "-poll", "1ms", "-fake-size", fmt.Sprint(size))
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	fi, err := os.Stat(out)
	if err != nil || fi.Size() != size {
		t.Fatalf("file: %v, %v", fi, err)
	}
	want := fmt.Sprintf("wrote %s: %d row(s), %d bytes in ", out, coretest.GeneratedCSVRows(size), size)
	if !strings.HasPrefix(stdout, want) {
		t.Errorf("summary = %q, want prefix %q", stdout, want)
	}
}

func TestQuickstartHelp(t *testing.T) {
	dir := t.TempDir()
	for _, arg := range []string{"-h", "-help", "--help"} {
		code, stdout, stderr := runQuickstart(context.Background(), arg, "-o", filepath.Join(dir, "x.csv"))
		if code != exitOK || stdout != "" {
			t.Errorf("%s: exit %d, stdout %q; want 0 and nothing", arg, code, stdout)
		}
		for _, want := range []string{"Usage: quickstart", "-url", "-o", "-v", passwordEnv} {
			if !strings.Contains(stderr, want) {
				t.Errorf("%s: usage lacks %q:\n%s", arg, want, stderr)
			}
		}
	}
	onlyFile(t, dir, "")
}

func TestQuickstartRejectsBadUsage(t *testing.T) {
	t.Setenv(passwordEnv, "")
	dir := t.TempDir()
	out := filepath.Join(dir, "certificates.csv")
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"extra"}, `unexpected argument "extra"`},
		{[]string{"-o", out, "certificates.csv"}, `unexpected argument "certificates.csv"`},
		{[]string{"-poll", "-1s"}, "-poll must not be negative"},
		{[]string{"-timeout", "-5m"}, "-timeout must not be negative"},
		{[]string{"-fake-size", "-1"}, "-fake-size must not be negative"},
		{[]string{"-space", "0"}, "-space must be a positive"},
		{[]string{"-space", "-3"}, "-space must be a positive"},
		{[]string{"-status", "BOGUS"}, `-status "BOGUS" is not a certificate status`},
		{[]string{"-o", ""}, "-o must name a file"},
		{[]string{"-ce", " "}, "-ce must name"},
		{[]string{"-poll", "soon"}, `invalid value "soon" for flag -poll`},
		{[]string{"-no-such-flag"}, "flag provided but not defined: -no-such-flag"},
		{[]string{"-url", "https://core.invalid", "-fake-size", "10"}, "-fake-size applies to the in-memory Core only"},
		{[]string{"-user", "apiadmin"}, "-user and -insecure apply with -url only"},
		{[]string{"-insecure"}, "-user and -insecure apply with -url only"},
		{[]string{"-url", "https://core.invalid"}, "-url needs -user"},
		{[]string{"-url", "https://core.invalid", "-user", "apiadmin"}, "$" + passwordEnv},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			args := tt.args
			if !strings.Contains(strings.Join(args, " "), "-o") {
				args = append([]string{"-o", out}, args...)
			}
			code, stdout, stderr := runQuickstart(context.Background(), args...)
			if code != exitUsage {
				t.Errorf("exit %d, want %d", code, exitUsage)
			}
			if !strings.Contains(stderr, tt.want) {
				t.Errorf("stderr %q lacks %q", stderr, tt.want)
			}
			if stdout != "" {
				t.Errorf("stdout = %q, want nothing", stdout)
			}
		})
	}
	t.Run("bad URL", func(t *testing.T) {
		t.Setenv(passwordEnv, "pw")
		for _, u := range []string{"ftp://core.example.com", "core.example.com", "http://core.example.com"} {
			code, _, stderr := runQuickstart(context.Background(), "-url", u, "-user", "apiadmin", "-o", out)
			if code != exitUsage || !strings.Contains(stderr, "-url: ") {
				t.Errorf("-url %s: exit %d, %q", u, code, stderr)
			}
		}
	})
	onlyFile(t, dir, "")
}

func TestQuickstartAgainstURLWithPasswordFromEnvironment(t *testing.T) {
	srv := realServer(t)
	out := filepath.Join(t.TempDir(), "certificates.csv")
	code, stdout, stderr := runQuickstart(context.Background(), "-url", srv.URL, "-user", srv.Username, "-o", out, "-poll", "1ms")
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	if !strings.Contains(stdout, ": 1 row(s),") || strings.Contains(stdout+stderr, srv.Password) {
		t.Errorf("stdout = %q, stderr = %q", stdout, stderr)
	}
}

// TestQuickstartVerboseLogIsRedacted: -v logs every attempt to stderr and
// never the credentials.
func TestQuickstartVerboseLogIsRedacted(t *testing.T) {
	srv := realServer(t)
	srv.SetExportPolls(1)
	out := filepath.Join(t.TempDir(), "certificates.csv")
	code, stdout, stderr := runQuickstart(context.Background(), "-v", "-url", srv.URL, "-user", srv.Username, "-o", out, "-poll", "1ms")
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	if got := strings.Count(stderr, "certadmin http attempt"); got != srv.TotalHits() || got != 4 {
		t.Errorf("%d attempts logged, %d requests made; want the 4 of initiate, 2 checks, download:\n%s", got, srv.TotalHits(), stderr)
	}
	for _, want := range []string{"method=POST", "search_export?adminDeviceSpaceId=1", "status=200"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("log lacks %q:\n%s", want, stderr)
		}
	}
	if strings.Contains(stderr+stdout, srv.Password) || strings.Contains(stderr, "Basic ") {
		t.Errorf("credentials in the output:\n%s", stderr)
	}
	if strings.Contains(stdout, "certadmin http attempt") {
		t.Error("the log went to stdout")
	}
}

// TestQuickstartLeavesExistingFileOnFailure: a failed export exits 1 and
// leaves the file of an earlier run as it was, with no temporary file.
func TestQuickstartLeavesExistingFileOnFailure(t *testing.T) {
	for _, tt := range []struct {
		name  string
		setup func(*coretest.Server)
		want  string
	}{
		{"export failed on the server", func(s *coretest.Server) { s.FailNextExport() }, "export failed"},
		{"download cut short", func(s *coretest.Server) {
			s.SetExportSize(1 << 20)
			s.Inject(coretest.Fault{Method: "GET", PathSuffix: "/search_download_csv", TruncateAt: 1000})
		}, "of 1048576 bytes"},
		{"login page instead of the file", func(s *coretest.Server) {
			s.Inject(coretest.Fault{Method: "GET", PathSuffix: "/search_download_csv", Status: 200, ContentType: "text/html", Body: coretest.HTMLLoginPage})
		}, "HTML"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := realServer(t)
			tt.setup(srv)
			dir := t.TempDir()
			out := filepath.Join(dir, "certificates.csv")
			const previous = "the previous export\n"
			if err := os.WriteFile(out, []byte(previous), 0o600); err != nil {
				t.Fatal(err)
			}
			code, stdout, stderr := runQuickstart(context.Background(), "-url", srv.URL, "-user", srv.Username, "-o", out, "-poll", "1ms")
			if code != exitFailed || !strings.Contains(stderr, tt.want) || stdout != "" {
				t.Errorf("exit %d, stdout %q, stderr %q; want %d and a message with %q", code, stdout, stderr, exitFailed, tt.want)
			}
			if data, err := os.ReadFile(out); err != nil || string(data) != previous {
				t.Errorf("existing file now %q, %v; want it untouched", data, err)
			}
			onlyFile(t, dir, "certificates.csv")
		})
	}
}

// cancelOn is a stderr that cancels a context once a line containing
// text has been written: an interrupt at a known point of the run.
type cancelOn struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	text   string
	cancel context.CancelFunc
}

func (c *cancelOn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.buf.Write(p)
	if strings.Contains(c.buf.String(), c.text) {
		c.cancel()
	}
	return len(p), nil
}

func TestQuickstartInterrupted(t *testing.T) {
	srv := realServer(t)
	srv.SetExportPolls(1 << 30) // never finishes
	dir := t.TempDir()
	out := filepath.Join(dir, "certificates.csv")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stderr := &cancelOn{text: "export running", cancel: cancel}
	var stdout bytes.Buffer
	code := run(ctx, []string{"-url", srv.URL, "-user", srv.Username, "-o", out, "-poll", "1ms"}, &stdout, stderr)
	if code != exitInterrupted || !strings.HasSuffix(stderr.buf.String(), "quickstart: interrupted\n") || stdout.Len() != 0 {
		t.Errorf("exit %d, stdout %q, stderr %q; want %d and \"interrupted\"", code, stdout.String(), stderr.buf.String(), exitInterrupted)
	}
	if srv.HitsMatching("GET", "/search_download_csv") != 0 {
		t.Error("downloaded after the interrupt")
	}
	onlyFile(t, dir, "")
}

// TestQuickstartCtrlC runs the command as a process and interrupts it
// with SIGINT while the export runs, as Ctrl-C does.
func TestQuickstartCtrlC(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no SIGINT to send on Windows")
	}
	srv := realServer(t)
	srv.SetExportPolls(1 << 30)
	dir := t.TempDir()
	out := filepath.Join(dir, "certificates.csv")
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), mainEnv+"=1",
		mainEnv+"_ARGS="+strings.Join([]string{"-url", srv.URL, "-user", srv.Username, "-o", out, "-poll", "5ms"}, " "))
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewScanner(stderr)
	var seen []string
	for lines.Scan() {
		seen = append(seen, lines.Text())
		if strings.Contains(lines.Text(), "export running") {
			break
		}
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	rest, _ := io.ReadAll(stderr)
	err = cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != exitInterrupted {
		t.Errorf("process ended with %v, want exit status %d", err, exitInterrupted)
	}
	if !strings.Contains(string(rest), "quickstart: interrupted") {
		t.Errorf("stderr after the signal = %q (before: %q), want \"interrupted\"", rest, seen)
	}
	onlyFile(t, dir, "")
}

// TestQuickstartExitStatuses runs the command as a process for the
// statuses a shell sees: 0 for -h, 2 for bad usage.
func TestQuickstartExitStatuses(t *testing.T) {
	for args, want := range map[string]int{"-h": exitOK, "stray": exitUsage, "-poll -1s": exitUsage} {
		cmd := exec.Command(os.Args[0])
		cmd.Env = append(os.Environ(), mainEnv+"=1", mainEnv+"_ARGS="+args+" -o "+filepath.Join(t.TempDir(), "x.csv"))
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		err := cmd.Run()
		code := 0
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			code = exit.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		if code != want {
			t.Errorf("quickstart %s: exit %d, want %d\n%s", args, code, want, stderr.String())
		}
	}
}

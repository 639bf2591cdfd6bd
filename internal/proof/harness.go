package proof

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/x509"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/certadmin/certadmin-go/internal/atomicfile"

	"github.com/certadmin/certadmin-go/internal/fakeserver"
	"github.com/certadmin/certadmin-go/internal/testcert"
	"github.com/certadmin/certadmin-go/internal/transport"
)

// Kind says what a failed attempt of an operation may lead to.
type Kind int

const (
	// Derived, the zero value, is what a row states for every operation
	// but a download: whether the call may be repeated is written once, in
	// the vendor's spec (the method, or x-repeat), and the
	// matrix reads it from the transport's attempt log (its repeatable
	// attribute) on the call's fault-free run.
	Derived Kind = iota
	// Read operations may be repeated: transient faults end in success.
	Read
	// Write operations (create, upload, delete, revoke, invite, PIN,
	// import, token) are never sent twice once they may have reached the
	// server.
	Write
	// Download operations stream a file; a cut-off file is never reported
	// complete.
	Download
)

func (k Kind) String() string { return [...]string{"derived", "read", "write", "download"}[k] }

// Operation is one client call, prepared against a vendor fake.
type Operation struct {
	// Name is the *Client method the call proves (Coverage matches it).
	Name string
	// Kind is Download for a download and left unset otherwise: a read or
	// a write is told from the spec's repeat (see Derived). A row that
	// states Read or Write anyway fails the matrix when the spec
	// disagrees.
	Kind   Kind
	Method string
	// Carries are secrets this call sends beside the credentials (a
	// PKCS#12 password, an account password).
	Carries []string
	// Bodiless: the success answer carries nothing the client reads (204),
	// so a broken body cannot be noticed and success is correct.
	Bodiless bool
	// CutAt is where the mid-body reset cuts the success answer (0: after
	// 8 bytes); an answer shorter than that, such as an empty list "[]",
	// needs a cut inside it.
	CutAt int64
	// Prepare sets up state the call needs (without faults) and returns the
	// path suffix the call's request uses and the call itself. For
	// downloads, call writes to path and must leave nothing there on error.
	Prepare func(t *testing.T) (suffix string, call func(ctx context.Context, path string) error)
}

// Fake is what the suite needs of a vendor's fake server; every …test
// package's Server has these methods (internal/cmd/gensurface writes them).
type Fake interface {
	HitsMatching(method, suffix string) int
	TotalHits() int
	NewConnections() int64
	SpecViolations() []string
	ClearFaults()
	Close()
}

// Vendor is a running fake with a client and the operations to try.
type Vendor struct {
	Name string
	Srv  Fake
	// Inject queues a fault on Srv.
	Inject func(fakeserver.Fault)
	// ErrorIn200 is the vendor's error envelope served with status 200, or
	// "" when the vendor has no such shape.
	ErrorIn200 string
	Ops        []Operation
	// Logs receives the client's debug log (give the client Logger(Logs)).
	Logs *SyncBuffer
	// Timeout is the client's per-attempt timeout when it is not
	// Timeout; the slow-answer fault holds a request longer than it.
	Timeout time.Duration
	// BadInputs are calls rejected for their input, whose errors must not
	// repeat the secrets given to them.
	BadInputs []func(ctx context.Context) error
	// Auth are the credentials the client sends with every request.
	Auth []string
	// IssuedSecrets lists secrets the fake made up (session tokens).
	IssuedSecrets func() []string
}

// Builder starts a vendor's fake and client with the secrets given.
type Builder func(*testing.T, SecretSet) *Vendor

// SecretSet is what the clients are given; none of it may leak.
type SecretSet struct {
	Password, Token, PKCS12 string
}

// DefaultSecrets are the secrets of the fault matrix.
var DefaultSecrets = SecretSet{Password: "Pr00f-Basic-Passw0rd", Token: "Pr00f-T0ken-Value", PKCS12: "Pr00f-P12-Passw0rd"}

// attempt is one request as the transport's debug log describes it.
type attempt struct {
	method, path string
	repeatable   bool
}

// SyncBuffer collects debug logs from concurrent attempts, and the
// attempts they describe.
type SyncBuffer struct {
	mu       sync.Mutex
	buf      bytes.Buffer
	attempts []attempt
}

func (b *SyncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *SyncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func (b *SyncBuffer) record(a attempt) {
	b.mu.Lock()
	b.attempts = append(b.attempts, a)
	b.mu.Unlock()
}

// attemptsSince returns the attempts logged after the first n, and how
// many there are now.
func (b *SyncBuffer) attemptsSince(n int) ([]attempt, int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]attempt(nil), b.attempts[n:]...), len(b.attempts)
}

// attemptHandler writes the text log and records each transport attempt.
type attemptHandler struct {
	slog.Handler
	buf *SyncBuffer
}

func (h attemptHandler) Handle(ctx context.Context, r slog.Record) error {
	if r.Message == "certadmin http attempt" {
		var a attempt
		r.Attrs(func(attr slog.Attr) bool {
			switch attr.Key {
			case "method":
				a.method = attr.Value.String()
			case "url":
				if u, err := url.Parse(attr.Value.String()); err == nil {
					a.path = u.Path
				}
			case "repeatable":
				a.repeatable = attr.Value.Bool()
			}
			return true
		})
		h.buf.record(a)
	}
	return h.Handler.Handle(ctx, r)
}

func (h attemptHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return attemptHandler{h.Handler.WithAttrs(attrs), h.buf}
}

func (h attemptHandler) WithGroup(name string) slog.Handler {
	return attemptHandler{h.Handler.WithGroup(name), h.buf}
}

// Next makes names that do not collide between cells.
func Next(prefix string) string { return fmt.Sprintf("%s%d", prefix, unique.Add(1)) }

var unique atomic.Int64

// Ignore adapts a call with a result to the matrix's call shape.
func Ignore[T any](_ T, err error) error { return err }

// ToFile runs a download into path atomically, as users are told to.
func ToFile(path string, download func(w io.Writer) error) error {
	return atomicfile.Write(path, 0o600, download)
}

// The settings every client under proof gets: fast retries, a generous
// per-attempt timeout and debug logs (Logger).
//
// Timeout is far above any answer of a fake, even under -race on a loaded
// 2-core machine (the slowest, CZERTAINLY 2.x's, cost up to 250 ms of CPU
// there), so that no ordinary request of the matrix ever times out: a
// timed-out, retried request would change the request counts the matrix
// judges by, and a write would fail. Only the slow-answer fault, which
// holds its request until the client gives up, meets it; those cells run
// all at once (FaultMatrix), so the matrix waits about one Timeout for them.
var (
	Retry   = transport.RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond, MaxRetryAfter: 2 * time.Second}
	Timeout = 20 * time.Second
)

// WaitTimeout is the wait timeout of a client under proof whose calls
// poll (a job, an approval): longer than a slow-answer cell's timed-out
// attempt and its retry, so that only the fault under test decides the
// cell; runCell's bound is longer still.
var WaitTimeout = 3 * Timeout

// slowSetup is how many slow-answer cells build their vendor and run its
// fault-free call at a time: the machine's cores' worth, so that the
// fakes' work does not queue up behind itself.
var slowSetup = max(runtime.GOMAXPROCS(0), 1)

// timeout is the client's per-attempt timeout.
func (v *Vendor) timeout() time.Duration { return max(v.Timeout, Timeout) }

// Logger is the debug logger every client under proof gets: a text log
// into logs, which also records each attempt's method, path and whether
// the transport may repeat it.
func Logger(logs *SyncBuffer) *slog.Logger {
	return slog.New(attemptHandler{slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}), logs})
}

// CloseFake closes srv when the test ends; faults left unused are fine
// here (a cell may fail before its fault applies), so Close's report is
// not an error.
func CloseFake(t *testing.T, srv Fake) {
	t.Cleanup(srv.Close)
}

// SelfSigned makes a key and a certificate for cn.
func SelfSigned(t *testing.T, cn string) (*ecdsa.PrivateKey, *x509.Certificate) {
	t.Helper()
	cert, key := testcert.ForName(t, cn)
	return key, cert
}

// NewPFX makes a PKCS#12 file with one key and certificate.
func NewPFX(t *testing.T, cn, password string) []byte {
	t.Helper()
	key, cert := SelfSigned(t, cn)
	return testcert.PFX(t, cert, key, password)
}

// SelfSignedDER makes a certificate as DER.
func SelfSignedDER(t *testing.T, cn string) []byte {
	t.Helper()
	_, cert := SelfSigned(t, cn)
	return cert.Raw
}

package proof_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/x509"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/certadmin/certadmin-go/internal/fakeserver"
	"github.com/certadmin/certadmin-go/internal/testcert"
	"github.com/certadmin/certadmin-go/internal/transport"
)

// kind says what a failed attempt of an operation may lead to.
type kind int

const (
	// read operations may be repeated: transient faults end in success.
	read kind = iota
	// write operations (create, upload, delete, revoke, invite, PIN,
	// import, token) are never sent twice once they may have reached the
	// server.
	write
	// download operations stream a file; a cut-off file is never reported
	// complete.
	download
)

func (k kind) String() string { return [...]string{"read", "write", "download"}[k] }

// operation is one client call, prepared against a vendor fake.
type operation struct {
	name   string
	kind   kind
	method string
	// carries are secrets this call sends beside the credentials (a
	// PKCS#12 password, an account password).
	carries []string
	// bodiless: the success answer carries nothing the client reads (204),
	// so a broken body cannot be noticed and success is correct.
	bodiless bool
	// cutAt is where the mid-body reset cuts the success answer (0: after
	// 8 bytes); an answer shorter than that, such as an empty list "[]",
	// needs a cut inside it.
	cutAt int64
	// prepare sets up state the call needs (without faults) and returns the
	// path suffix the call's request uses and the call itself. For
	// downloads, call writes to path and must leave nothing there on error.
	prepare func(t *testing.T) (suffix string, call func(ctx context.Context, path string) error)
}

// fake is what the suite needs of a vendor's fake server; every …test
// package's Server has these methods (internal/cmd/gensurface writes them).
type fake interface {
	HitsMatching(method, suffix string) int
	TotalHits() int
	NewConnections() int64
	SpecViolations() []string
	ClearFaults()
	Close()
}

// vendor is a running fake with a client and the operations to try.
type vendor struct {
	name string
	srv  fake
	// inject queues a fault on srv.
	inject func(fakeserver.Fault)
	// errorIn200 is the vendor's error envelope served with status 200, or
	// "" when the vendor has no such shape.
	errorIn200 string
	ops        []operation
	logs       *syncBuffer
	// timeout is the client's per-attempt timeout when it is not
	// proofTimeout (a fake too slow to answer within it).
	timeout time.Duration
	// badInputs are calls rejected for their input, whose errors must not
	// repeat the secrets given to them.
	badInputs []func(ctx context.Context) error
	// auth are the credentials the client sends with every request.
	auth []string
	// issuedSecrets lists secrets the fake made up (session tokens).
	issuedSecrets func() []string
}

// syncBuffer collects debug logs from concurrent attempts.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// The settings every client under proof gets: fast retries, a short
// per-attempt timeout and debug logs (see each vendor's options()).
var (
	proofRetry   = transport.RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond, MaxRetryAfter: 2 * time.Second}
	proofTimeout = 300 * time.Millisecond
)

func proofLogger(logs *syncBuffer) *slog.Logger {
	return slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// closeFake closes srv when the test ends; faults left unused are fine
// here (a cell may fail before its fault applies), so Close's report is
// not an error.
func closeFake(t *testing.T, srv fake) {
	t.Cleanup(srv.Close)
}

// selfSigned makes a key and a certificate for cn.
func selfSigned(t *testing.T, cn string) (*ecdsa.PrivateKey, *x509.Certificate) {
	t.Helper()
	cert, key := testcert.ForName(t, cn)
	return key, cert
}

// newPFX makes a PKCS#12 file with one key and certificate.
func newPFX(t *testing.T, cn, password string) []byte {
	t.Helper()
	key, cert := selfSigned(t, cn)
	return testcert.PFX(t, cert, key, password)
}

// selfSignedDER makes a certificate as DER.
func selfSignedDER(t *testing.T, cn string) []byte {
	t.Helper()
	_, cert := selfSigned(t, cn)
	return cert.Raw
}

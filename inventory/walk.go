package inventory

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"sync"
	"sync/atomic"

	"github.com/certadmin/certadmin-go/internal/apierror"
)

// System is one system to walk: a name of the caller's choosing (it ends
// up in Certificate.System, in errors and in progress) and its Lister,
// typically a vendor package's *Client.
type System struct {
	Name   string
	Lister Lister
}

// SystemError is the failure of one system's listing. Walk yields it in
// place of a certificate and goes on with the other systems: the
// certificates that system yielded before it failed have been yielded too.
type SystemError struct {
	System string
	Err    error
}

func (e *SystemError) Error() string { return fmt.Sprintf("inventory: system %q: %v", e.System, e.Err) }

// Unwrap returns the lister's own error (a vendor's *Error, a context
// error), so errors.As and errors.Is see through it.
func (e *SystemError) Unwrap() error { return e.Err }

// ErrInvalidInput is what Walk yields, before it reads anything, for
// systems it cannot tell apart or cannot read: an empty or repeated name,
// a nil Lister.
var ErrInvalidInput = errors.New("inventory: invalid input")

// Progress is how far one system's listing has got.
type Progress struct {
	System string
	// Listed counts the certificates the system has yielded to the
	// consumer so far.
	Listed int
	// Done is set once, when the system has nothing more; Err is then its
	// failure, nil when it was read to the end.
	Done bool
	Err  error
}

// Defaults of Walk's options.
const (
	// DefaultBuffer is how many certificates Walk reads ahead of its
	// consumer, across all systems: enough to keep every system's
	// requests going while the consumer works, small against a page of
	// any vendor (up to 1000 records).
	DefaultBuffer = 256
	// ProgressEvery is how many certificates of one system pass between
	// two calls of the progress function.
	ProgressEvery = 1000
)

// Option changes how Walk reads.
type Option func(*walkConfig)

type walkConfig struct {
	concurrency, buffer int
	progress            func(Progress)
}

// WithConcurrency bounds how many systems are read at once (n >= 1; the
// default is all of them, one goroutine each). 1 reads them one after the
// other, in the order given.
func WithConcurrency(n int) Option {
	return func(c *walkConfig) {
		if n >= 1 {
			c.concurrency = n
		}
	}
}

// WithBuffer sets how many certificates, across all systems, may wait for
// the consumer (n >= 0; default DefaultBuffer). Beyond it, each system's
// goroutine holds at most its vendor's current page and one certificate
// while it waits, whatever the consumer's speed.
func WithBuffer(n int) Option {
	return func(c *walkConfig) {
		if n >= 0 {
			c.buffer = n
		}
	}
}

// WithProgress calls fn every ProgressEvery certificates of a system and
// once when the system is done. fn runs on the goroutine ranging over
// Walk, between two certificates, never concurrently with itself or the
// loop's body, so it needs no locking.
func WithProgress(fn func(Progress)) Option {
	return func(c *walkConfig) { c.progress = fn }
}

// message is what a system's goroutine hands to the consumer: one
// certificate, or the end of the system (with its failure, if any).
type message struct {
	system int
	cert   Certificate
	done   bool
	err    error
}

// Walk lists the certificates of every system, reading the systems
// concurrently, and yields them as they arrive (the systems interleaved),
// each with System set to its system's name.
//
// A system that fails is yielded once as a *SystemError naming it, and
// the walk goes on with the others: one unreachable system never hides the
// rest. A lister's first error ends that system (the vendor iterators stop
// there anyway). When ctx ends Walk yields ctx's error once and stops:
// ctx.Err() itself, or, when the caller gave a cause
// (context.WithCancelCause), an error matching both ctx.Err() and the
// cause with errors.Is.
//
// Memory stays bounded whatever the consumer's speed: at most the buffer
// (WithBuffer) waits between the systems and the consumer, and each system
// blocks, holding its current page, until there is room.
//
// When the loop over Walk ends (a break, a return, the end of every
// system, ctx cancelled), Walk cancels the listers' context and returns
// only once every goroutine it started has returned: nothing keeps
// running, and nothing is read, after the loop. A lister must therefore
// honour ctx, as the vendor packages' listers do.
func Walk(ctx context.Context, systems []System, opts ...Option) iter.Seq2[Certificate, error] {
	cfg := walkConfig{concurrency: len(systems), buffer: DefaultBuffer}
	for _, o := range opts {
		o(&cfg)
	}
	return func(yield func(Certificate, error) bool) {
		if err := checkSystems(systems); err != nil {
			yield(Certificate{}, err)
			return
		}
		if len(systems) == 0 {
			return
		}
		if err := ctx.Err(); err != nil {
			yield(Certificate{}, apierror.WithCause(ctx, err))
			return
		}
		inner, cancel := context.WithCancel(ctx)
		var wg sync.WaitGroup
		// Runs however the loop ends: the listers see a cancelled
		// context, and Walk waits for each goroutine to return.
		defer func() {
			cancel()
			wg.Wait()
		}()
		ch := make(chan message, cfg.buffer)
		var next atomic.Int64
		for range min(cfg.concurrency, len(systems)) {
			wg.Go(func() {
				for {
					i := int(next.Add(1) - 1)
					if i >= len(systems) || inner.Err() != nil {
						return
					}
					if !produce(inner, i, systems[i], ch) {
						return
					}
				}
			})
		}

		listed := make([]int, len(systems))
		for remaining := len(systems); remaining > 0; {
			// Checked first, so a cancellation is reported as itself rather
			// than as the listers' failures it causes.
			if err := ctx.Err(); err != nil {
				yield(Certificate{}, apierror.WithCause(ctx, err))
				return
			}
			var m message
			select {
			case <-ctx.Done():
				continue
			case m = <-ch:
			}
			name := systems[m.system].Name
			if m.done {
				remaining--
				if err := ctx.Err(); err != nil {
					yield(Certificate{}, apierror.WithCause(ctx, err))
					return
				}
				if cfg.progress != nil {
					cfg.progress(Progress{System: name, Listed: listed[m.system], Done: true, Err: m.err})
				}
				if m.err != nil && !yield(Certificate{}, &SystemError{System: name, Err: m.err}) {
					return
				}
				continue
			}
			listed[m.system]++
			if cfg.progress != nil && listed[m.system]%ProgressEvery == 0 {
				cfg.progress(Progress{System: name, Listed: listed[m.system]})
			}
			if !yield(m.cert, nil) {
				return
			}
		}
	}
}

// produce reads one system to its end and hands each certificate, then
// the end, to the consumer. It reports false when the consumer is gone
// (ctx cancelled): then nothing more is to be read.
func produce(ctx context.Context, i int, s System, ch chan<- message) bool {
	send := func(m message) bool {
		select {
		case ch <- m:
			return true
		case <-ctx.Done():
			return false
		}
	}
	var failure error
	for c, err := range s.Lister.CertificateInventory(ctx) {
		if err != nil {
			failure = err
			break
		}
		c.System = s.Name
		if !send(message{system: i, cert: c}) {
			return false
		}
	}
	return send(message{system: i, done: true, err: failure})
}

func checkSystems(systems []System) error {
	seen := make(map[string]bool, len(systems))
	for i, s := range systems {
		switch {
		case s.Name == "":
			return fmt.Errorf("%w: system %d has no name", ErrInvalidInput, i)
		case seen[s.Name]:
			return fmt.Errorf("%w: system name %q given twice", ErrInvalidInput, s.Name)
		case s.Lister == nil:
			return fmt.Errorf("%w: system %q has no Lister", ErrInvalidInput, s.Name)
		}
		seen[s.Name] = true
	}
	return nil
}

// Package workflow is the vocabulary every vendor's long-running workflows
// share (an export, an import, an enrollment waiting for approval): the
// rhythm of the status checks (WithPollInterval, WithWaitTimeout,
// WithApprovalWait), the progress callback (WithProgress), and the stages
// an enrollment goes through. Each vendor package exposes these under the
// same names and types with its own defaults; CONTRIBUTING.md has the
// table.
package workflow

import (
	"fmt"
	"time"

	"github.com/certadmin/certadmin-go/internal/apierror"
	"github.com/certadmin/certadmin-go/internal/poll"
	"github.com/certadmin/certadmin-go/internal/transport"
)

// Settings is the rhythm of one workflow call.
type Settings struct {
	// PollInterval is the first interval between two status checks
	// (WithPollInterval); Multiplier (>1) grows it after each check up to
	// MaxInterval.
	PollInterval time.Duration
	Multiplier   float64
	MaxInterval  time.Duration
	// DelayFirst makes the first check wait PollInterval too: a job the
	// call has just started (an export, an import) is not done at once.
	// Without it the first check is immediate.
	DelayFirst bool
	// WaitTimeout bounds the whole wait (WithWaitTimeout); 0 leaves it to
	// the context.
	WaitTimeout time.Duration
	// ApprovalWait bounds the wait while a person's approval is pending
	// (WithApprovalWait); 0 checks once and stops.
	ApprovalWait time.Duration
	// Progress is the vendor's func(P) set by WithProgress, nil when none.
	Progress any

	// refused is what an option was given that it cannot use (a nil
	// progress function, a backoff that shrinks the interval); Check
	// reports it, so NewClient or the call refuses the option instead of
	// ignoring it.
	refused string
}

// Check refuses settings no wait can follow, naming op.
func (s Settings) Check(op string) error {
	switch {
	case s.refused != "":
		return apierror.Invalid(op, "%s", s.refused)
	case s.PollInterval <= 0:
		return apierror.Invalid(op, "poll interval %v must be positive", s.PollInterval)
	case s.WaitTimeout < 0:
		return apierror.Invalid(op, "wait timeout %v must not be negative", s.WaitTimeout)
	case s.ApprovalWait < 0:
		return apierror.Invalid(op, "approval wait %v must not be negative", s.ApprovalWait)
	case s.MaxInterval < 0 || s.Multiplier < 0:
		return apierror.Invalid(op, "poll backoff (%v, %v) must not be negative", s.Multiplier, s.MaxInterval)
	}
	return nil
}

// Poll is the poller's configuration for a wait bounded by timeout (the
// WaitTimeout or the ApprovalWait, whichever the workflow waits on).
func (s Settings) Poll(timeout time.Duration) poll.Config {
	c := poll.Config{Interval: s.PollInterval, Multiplier: s.Multiplier, MaxInterval: s.MaxInterval, Timeout: timeout}
	if s.DelayFirst {
		c.InitialDelay = s.PollInterval
	}
	return c
}

// Report hands p to the progress callback when it is a func(P).
func Report[P any](s Settings, p P) {
	if f, ok := s.Progress.(func(P)); ok && f != nil {
		f(p)
	}
}

// changes are the edits options made, applied in order over the defaults
// (the client's, then the call's).
type changes struct{ fns []func(*Settings) }

// Client records an option's edit on a client's configuration.
func Client(c *transport.Config, f func(*Settings)) {
	ch := transport.Extension[changes](c)
	ch.fns = append(ch.fns, f)
}

// Call records an option's edit on one call.
func Call(cs *transport.CallSettings, f func(*Settings)) {
	ch := transport.CallExtension[changes](cs)
	ch.fns = append(ch.fns, f)
}

// ForClient is defaults changed by the client's options. The result is
// checked: NewClient refuses a bad option.
func ForClient(op string, c *transport.Config, defaults Settings) (Settings, error) {
	s := defaults
	for _, f := range transport.Extension[changes](c).fns {
		f(&s)
	}
	return s, s.Check(op)
}

// ForCall is the client's settings changed by one call's options, checked.
func ForCall(op string, client Settings, cs *transport.CallSettings) (Settings, error) {
	s := client
	if ch := transport.LookupCallExtension[changes](cs); ch != nil {
		for _, f := range ch.fns {
			f(&s)
		}
	}
	return s, s.Check(op)
}

// The edits of the shared options.

// PollInterval sets Settings.PollInterval.
func PollInterval(d time.Duration) func(*Settings) {
	return func(s *Settings) { s.PollInterval = d }
}

// WaitTimeout sets Settings.WaitTimeout.
func WaitTimeout(d time.Duration) func(*Settings) {
	return func(s *Settings) { s.WaitTimeout = d }
}

// ApprovalWait sets Settings.ApprovalWait.
func ApprovalWait(d time.Duration) func(*Settings) {
	return func(s *Settings) { s.ApprovalWait = d }
}

// Progress sets Settings.Progress to fn. A nil fn is refused: leaving the
// option out is how a caller asks for no progress.
func Progress[P any](fn func(P)) func(*Settings) {
	return func(s *Settings) {
		if fn == nil {
			s.refused = "WithProgress: nil function"
			return
		}
		s.Progress = fn
	}
}

// Backoff sets how the interval grows: by multiplier (at least 1; 1 keeps
// it constant) after each check, up to maxInterval (positive).
func Backoff(multiplier float64, maxInterval time.Duration) func(*Settings) {
	return func(s *Settings) {
		if !(multiplier >= 1) || maxInterval <= 0 { // !(>=) also refuses NaN
			s.refused = fmt.Sprintf("WithPollBackoff(%v, %v): the multiplier must be at least 1 and the longest interval positive", multiplier, maxInterval)
			return
		}
		s.Multiplier, s.MaxInterval = multiplier, maxInterval
	}
}

// Stage is how far an enrollment got. Every vendor's EnrollStage uses
// these numbers and names; a vendor's workflow passes through the stages
// it has, in its own order (its package doc says which).
type Stage int

// The stages of an enrollment.
const (
	StageCreating Stage = iota + 1
	StageAwaitingApproval
	StageApproved
	StageSubmitting
	StageAwaitingIssue
	StageCertificatesReceived
	StageCompleted
)

var stageNames = map[Stage]string{
	StageCreating: "creating the request", StageAwaitingApproval: "awaiting approval",
	StageApproved: "approved", StageSubmitting: "submitting the certificate request",
	StageAwaitingIssue: "awaiting issue", StageCertificatesReceived: "certificates received",
	StageCompleted: "completed",
}

func (s Stage) String() string {
	if n, ok := stageNames[s]; ok {
		return n
	}
	return fmt.Sprintf("stage %d", int(s))
}

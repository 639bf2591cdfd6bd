package mimcm

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/google/uuid"
	"software.sslmate.com/src/go-pkcs12"

	"github.com/certadmin/certadmin-go/internal/apierror"
	"github.com/certadmin/certadmin-go/internal/atomicfile"
	"github.com/certadmin/certadmin-go/internal/poll"
	"github.com/certadmin/certadmin-go/internal/transport"
	"github.com/certadmin/certadmin-go/internal/workflow"
	"github.com/certadmin/certadmin-go/mimcm/internal/pkcs7"
)

// EnrollStage is how far an enrollment got (the field Stage of
// EnrollError and PendingError, and of Progress). Every vendor package of
// this module numbers and names its stages alike; a MIM CM enrollment
// passes through these in this order.
type EnrollStage int

const (
	// EnrollStageCreating: the request is being created. An error here
	// may leave a request on the server when the answer was lost.
	EnrollStageCreating EnrollStage = iota + 1
	// EnrollStageAwaitingApproval: the request exists and waits for
	// approval by a person (or the wait was cut short). Nothing was
	// generated yet: ResumeEnrollment picks it up once approved.
	EnrollStageAwaitingApproval
	// EnrollStageApproved: the request is approved; the key pairs and
	// certificate requests are made next. An error here (generation
	// options, key generation) sent no certificate request: resume.
	EnrollStageApproved
	// EnrollStageSubmitting: the certificate requests were sent. An error
	// without the server's answer leaves it unknown whether the CA
	// issued: the call is never repeated (ResumeEnrollment refuses), the
	// generated keys are in EnrollError.Received, and the request must be
	// checked by an administrator, or abandoned (AbandonRequest) and a new
	// one made.
	EnrollStageSubmitting
	_ // the stage number of a wait for the CA after the submission: MIM CM answers the submission with the certificates
	// EnrollStageCertificatesReceived: a 200 answer came, so the CA
	// issued; the answer is checked and the request marked completed next.
	// An error here comes with what was received (EnrollError.Received),
	// and, when only the completion failed, with the checked result
	// (EnrollError.Result): keep them, and call CompleteRequest.
	EnrollStageCertificatesReceived
	// EnrollStageCompleted: done.
	EnrollStageCompleted
)

func (s EnrollStage) String() string { return workflow.Stage(s).String() }

// Sentinels of the enrollment workflows, matched with errors.Is.
var (
	// ErrPending: the workflow stopped before the end and can go on
	// later: the error holds a *PendingError to hand to ResumeEnrollment.
	ErrPending = errors.New("the workflow can go on later")
	// ErrApprovalPending: as ErrPending, and the request still waits for
	// a person's approval (the wait of WithApprovalWait ended).
	ErrApprovalPending = errors.New("the request waits for approval")
	// ErrIssuanceUnknown: the certificate requests may have reached the
	// CA but no answer came back; the request must not be submitted again.
	ErrIssuanceUnknown = errors.New("the certificate requests may have been processed; no answer came back")
	// ErrPFXPassword: a PFX of the answer does not open with the PFX
	// password given.
	ErrPFXPassword = errors.New("a PFX of the answer does not open with the PFX password")
	// ErrKeyMismatch: no certificate of the answer carries the generated
	// key, or a certificate's chain does not verify.
	ErrKeyMismatch = errors.New("the certificates do not match the generated key")
)

// EnrollError is the error of an enrollment workflow that stopped before
// the end: how far it got, the request, and what to do next.
type EnrollError struct {
	// Op is the workflow ("mimcm.EnrollSoftwareCertificate").
	Op    string
	Stage EnrollStage
	// RequestID is the request, uuid.Nil when none is known to exist.
	RequestID uuid.UUID
	// Status is the request's last status seen (0 when not read), and
	// StatusName its published name where it is known (the reference pins
	// only some numbers; the others are read through the status filter).
	Status     StatusNumber
	StatusName Status
	// Next says what to do next.
	Next string
	// Result holds the certificates and key when they were received and
	// checked (the completion failed); nil otherwise.
	Result *Enrollment
	// Received is the material the workflow holds once something may
	// have been issued, nil before: keep it, it may be the only copy of an
	// issued certificate's key; WriteFiles saves it (0600 files). Here:
	// the answer as it came, the certificates and keys it holds, the
	// generated keys and the PFX password, set on every failure after the
	// certificate data was sent (stages EnrollStageSubmitting when no
	// answer came, and EnrollStageCertificatesReceived).
	Received *Received
	// Err is the cause (a sentinel of this package, a call's *Error); a
	// *PendingError when the workflow can go on (ResumeEnrollment).
	Err error
}

func (e *EnrollError) Error() string {
	msg := e.Op + ": "
	if e.RequestID != uuid.Nil {
		msg += "request " + e.RequestID.String() + ": "
	}
	msg += e.Stage.String()
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	if e.Next != "" {
		msg += " (" + e.Next + ")"
	}
	return msg
}

// Unwrap returns the cause.
func (e *EnrollError) Unwrap() error { return e.Err }

// EnrollInput is a software certificate enrollment.
type EnrollInput struct {
	// ProfileTemplateUUID is the (software) profile template (required
	// unless ProfileUUID is given, whose template is then used).
	ProfileTemplateUUID uuid.UUID
	// DataCollection, Comment, Priority and Target are those of the new
	// request (CreateRequestInput).
	DataCollection []DataValue
	Comment        string
	Priority       *int
	Target         *uuid.UUID
	// Type is the request type: Enroll (the default) or Renew (with
	// ProfileUUID).
	Type RequestTypeName
	// ProfileUUID is the profile a Renew is for.
	ProfileUUID *uuid.UUID
	// PFXPassword protects the PFX blobs the server may return (keys it
	// generates or archives). Empty: a random one is used for the call.
	PFXPassword string
	// Roots, when set, must verify the chain of every certificate
	// received (the CA's root). Without it only the key match is checked.
	Roots *x509.CertPool
}

// Enrollment is the result of an enrollment: the certificate for the
// generated (or server-generated) key, its chain, and the key.
type Enrollment struct {
	RequestID uuid.UUID
	// Request is the request as the server answered its completion (nil
	// when it answered 204).
	Request *Request
	// Certificate carries the public key of PrivateKey.
	Certificate *x509.Certificate
	// Chain holds the other certificates of the answer (the issuing CAs),
	// nearest issuer first where they chain.
	Chain      []*x509.Certificate
	PrivateKey crypto.Signer
	// Others are further certificates with keys the answer held
	// (archived keys, several templates), beside the first one.
	Others []KeyPair
	// Issued is the server's answer as it came.
	Issued []IssuedCertificate
}

// KeyPair is a certificate with its private key.
type KeyPair struct {
	Certificate *x509.Certificate
	Chain       []*x509.Certificate
	PrivateKey  crypto.Signer
}

// PKCS12 encodes the certificate, its chain and key as a PKCS#12 file
// protected by password (AES-256, as current Windows and OpenSSL write).
func (e *Enrollment) PKCS12(password string) ([]byte, error) {
	if e.Certificate == nil || e.PrivateKey == nil {
		return nil, errors.New("mimcm: the enrollment holds no certificate with its key")
	}
	return pkcs12.Modern.Encode(e.PrivateKey, e.Certificate, e.Chain, password)
}

// WritePKCS12 writes PKCS12(password) to path with mode 0600. The file
// appears only once complete; on failure an existing file is left as it
// was.
func (e *Enrollment) WritePKCS12(path, password string) error {
	b, err := e.PKCS12(password)
	if err != nil {
		return err
	}
	return atomicfile.Write(path, 0o600, func(w io.Writer) error {
		_, err := w.Write(b)
		return err
	})
}

// Default rhythm of the wait for approval (WithApprovalWait,
// WithPollInterval).
const (
	DefaultApprovalWait     = 2 * time.Minute
	DefaultPollInterval     = 2 * time.Second
	maxApprovalPollInterval = 30 * time.Second
)

var defaultWait = workflow.Settings{PollInterval: DefaultPollInterval, Multiplier: 1.5,
	MaxInterval: maxApprovalPollInterval, ApprovalWait: DefaultApprovalWait}

// WithApprovalWait bounds how long a workflow waits for its request to be
// approved (default DefaultApprovalWait). Zero checks once. When the wait
// ends the workflow returns a *PendingError matching ErrApprovalPending,
// and ResumeEnrollment continues it later.
func WithApprovalWait(d time.Duration) ClientOrCallOption {
	return workflowOption(workflow.ApprovalWait(d))
}

// WithPollInterval sets the first interval between a workflow's status
// checks (default DefaultPollInterval; it grows by half after each check,
// up to 30 s). The first check is made at once.
func WithPollInterval(d time.Duration) ClientOrCallOption {
	return workflowOption(workflow.PollInterval(d))
}

// Progress is what WithProgress reports: the stage a workflow reached and
// its request as last read (nil before it was read).
type Progress struct {
	Stage   EnrollStage
	Request *Request
}

// WithProgress calls fn at every stage a workflow reaches and after every
// check of its request's status.
func WithProgress(fn func(Progress)) ClientOrCallOption {
	return workflowOption(workflow.Progress(fn))
}

// waitFor is the rhythm of one call: the client's, changed by the call's
// options; a bad one is an ErrInvalidInput error.
func (c *Client) waitFor(op string, opts []CallOption) (workflow.Settings, error) {
	return workflow.ForCall(op, c.wait, callSettings(opts))
}

// PendingError is a workflow that stopped before anything was submitted
// and can go on later: a request still waiting for approval when the wait
// ended, or one whose next step failed before any certificate data was
// sent. It holds what ResumeEnrollment needs; an enrollment's error
// (*EnrollError) wraps it. To resume from a stored request ID, fill
// RequestID (and PFXPassword and Roots as in the EnrollInput).
type PendingError struct {
	// RequestID is the request.
	RequestID uuid.UUID
	// Stage is where the workflow stopped: EnrollStageAwaitingApproval or
	// EnrollStageApproved.
	Stage EnrollStage
	// Status and StatusName are the request's last status seen (0 and ""
	// when it was not read).
	Status     StatusNumber
	StatusName Status
	// PFXPassword and Roots are the enrollment's (EnrollInput): the
	// resume opens and checks what the server returns with them. The
	// password is never printed.
	PFXPassword string
	Roots       *x509.CertPool
	// Comment goes with the certificate data (EnrollInput.Comment).
	Comment string
	// Err is why the workflow stopped (the wait ended, a failed call).
	Err error

	approval bool // the wait for approval ended with the request still pending
}

func (e *PendingError) Error() string {
	msg := "mimcm: request " + e.RequestID.String() + ": " + e.Stage.String()
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Is matches ErrPending, and ErrApprovalPending for a request whose wait
// for approval ended with the request still pending.
func (e *PendingError) Is(target error) bool {
	return target == ErrPending || (target == ErrApprovalPending && e.approval)
}

// Unwrap returns why the workflow stopped.
func (e *PendingError) Unwrap() error { return e.Err }

// GoString is Error, so that %#v prints no secret (the PFX password).
func (e *PendingError) GoString() string { return e.Error() }

// EnrollSoftwareCertificate enrolls a software certificate end to end:
// it creates an Enroll request (or a Renew, see EnrollInput) for the
// profile template, waits until the request is approved, reads the
// certificate request generation options, generates each key pair and
// PKCS#10 request with the standard library as they say (key algorithm
// and size, hash, subject), submits them, decodes the certificates
// (PKCS#7, or PFX opened with the PFX password), checks that a
// certificate carries the generated key (and its chain against
// EnrollInput.Roots), marks the request completed and returns the
// certificate, chain and key.
//
// A request that waits for a person's approval longer than
// WithApprovalWait ends the call with an *EnrollError of stage
// EnrollStageAwaitingApproval matching ErrApprovalPending; hand its
// *PendingError (errors.As) to ResumeEnrollment later. Every *EnrollError says in
// Next what to do. Creates, submits and the completion are never sent
// twice.
//
// Approval is read from the request's status number: 3 is taken as
// Approved and 8 is Completed (the reference's samples; see
// StatusNumber). Any other number is looked up by name through the
// server's status filter, once per number: a Denied, Canceled or Failed
// request ends the wait at once with ErrTerminalStatus
// (EnrollError.StatusName says which); a pending one is waited on.
//
// Nothing issued is lost: once the certificate data was sent, every
// failure returns the *EnrollError with Received set (the answer, the
// certificates and keys, the PFX password); keep it (Received.WriteFiles).
func (c *Client) EnrollSoftwareCertificate(ctx context.Context, in EnrollInput, opts ...CallOption) (*Enrollment, error) {
	const op = "mimcm.EnrollSoftwareCertificate"
	opts = withPFXSecret(opts, in.PFXPassword)
	s, err := c.waitFor(op, opts)
	if err != nil {
		return nil, err
	}
	typ := in.Type
	if typ == "" {
		typ = RequestTypeNameEnroll
	}
	if typ != RequestTypeNameEnroll && typ != RequestTypeNameRenew {
		return nil, apierror.Invalid(op, "request type %q does not enroll certificates (want Enroll or Renew)", typ)
	}
	if typ == RequestTypeNameRenew && in.ProfileUUID == nil {
		return nil, apierror.Invalid(op, "a Renew needs the profile to renew (ProfileUUID)")
	}
	tmpl := in.ProfileTemplateUUID
	if tmpl == uuid.Nil && in.ProfileUUID != nil {
		p, err := c.GetProfile(ctx, *in.ProfileUUID, opts...)
		if err != nil {
			return nil, &EnrollError{Op: op, Stage: EnrollStageCreating, Err: err, Next: "check the profile's GUID"}
		}
		if p.ProfileTemplateUUID == nil {
			return nil, apierror.Invalid(op, "profile %s names no profile template", p.UUID)
		}
		tmpl = *p.ProfileTemplateUUID
	}
	create := CreateRequestInput{Type: typ, ProfileTemplateUUID: tmpl, DataCollection: in.DataCollection,
		Comment: in.Comment, Priority: in.Priority, Target: in.Target, ProfileUUID: in.ProfileUUID}
	if err := create.check(op); err != nil {
		return nil, err
	}
	report(s, EnrollStageCreating, nil)
	id, err := c.CreateRequest(ctx, create, opts...)
	if err != nil {
		next := "the server refused the request: fix the input and try again"
		if !answered(err) {
			next = "the request may have been created: look for it with ListRequests before trying again"
		}
		return nil, &EnrollError{Op: op, Stage: EnrollStageCreating, Err: err, Next: next}
	}
	return c.execute(ctx, op, id, in.PFXPassword, in.Roots, in.Comment, s, false, opts)
}

// ResumeEnrollment continues an enrollment whose request already exists:
// the *PendingError of an *EnrollError (errors.As), or one filled from a
// stored request ID. It reads the request from the server first, waits
// for approval again, then generates, submits, receives and completes as
// EnrollSoftwareCertificate does, opening and checking the answer with
// the PendingError's PFXPassword and Roots.
//
// It never submits certificate data for a request that may have had its
// certificates issued: the server keeps a request Approved after its
// certificate data was taken, so before submitting, the request is checked
// for what an execution leaves (a new profile on the request, a profile
// of its own, the Executing status). When it shows one, or the check
// cannot be made, the resume stops with an *EnrollError matching
// ErrIssuanceUnknown whose Next names the request, its status and new
// profile to check, and nothing is sent.
func (c *Client) ResumeEnrollment(ctx context.Context, pending *PendingError, opts ...CallOption) (*Enrollment, error) {
	const op = "mimcm.ResumeEnrollment"
	if pending == nil {
		return nil, apierror.Invalid(op, "no pending enrollment")
	}
	if err := checkID(op, "request", pending.RequestID); err != nil {
		return nil, err
	}
	opts = withPFXSecret(opts, pending.PFXPassword)
	s, err := c.waitFor(op, opts)
	if err != nil {
		return nil, err
	}
	return c.execute(ctx, op, pending.RequestID, pending.PFXPassword, pending.Roots, pending.Comment, s, true, opts)
}

func report(s workflow.Settings, stage EnrollStage, r *Request) {
	workflow.Report(s, Progress{Stage: stage, Request: r})
}

// answered reports whether err carries the server's answer (a status),
// so the call was refused rather than lost.
func answered(err error) bool {
	var e *apierror.Error
	return errors.As(err, &e) && e.StatusCode != 0 && !errors.Is(err, apierror.ErrTruncated)
}

// execute runs the workflow from an existing request on. resume is set
// for ResumeEnrollment: the request may have been executed before, so it
// is checked for traces of that before anything is submitted.
func (c *Client) execute(ctx context.Context, op string, id uuid.UUID, pfxPassword string, roots *x509.CertPool, comment string, s workflow.Settings, resume bool, opts []CallOption) (*Enrollment, error) {
	names := c.statusNames(opts)
	var last *Request
	fail := func(stage EnrollStage, err error, next string) *EnrollError {
		e := &EnrollError{Op: op, Stage: stage, RequestID: id, Err: err, Next: next}
		if last != nil {
			e.Status = last.Status
			e.StatusName, _ = names.known[last.Status]
			if n, ok := last.Status.Name(); ok {
				e.StatusName = n
			}
		}
		return e
	}
	// pending is a failure before anything was submitted: the workflow
	// goes on with ResumeEnrollment.
	pending := func(stage EnrollStage, err error, next string, approval bool) *EnrollError {
		e := fail(stage, nil, next)
		e.Err = &PendingError{RequestID: id, Stage: stage, Status: e.Status, StatusName: e.StatusName,
			PFXPassword: pfxPassword, Roots: roots, Comment: comment, Err: err, approval: approval}
		return e
	}
	r, err := c.awaitApproval(ctx, id, s, names, opts)
	last = r
	if err != nil {
		switch {
		case errors.Is(err, errNotApproved) || errors.Is(err, poll.ErrTimeout):
			return nil, pending(EnrollStageAwaitingApproval, err,
				"once the request is approved, call ResumeEnrollment with the PendingError; CancelRequest withdraws it", true)
		case errors.Is(err, errAlreadyCompleted):
			return nil, fail(EnrollStageCompleted, err, "the request was executed before; its certificates are in its profile")
		case errors.Is(err, ErrTerminalStatus):
			return nil, fail(EnrollStageAwaitingApproval, err, "the request will not be approved: enroll anew if it is still needed")
		case errors.Is(err, errExecutionStarted):
			return nil, fail(EnrollStageSubmitting, errors.Join(ErrIssuanceUnknown, err), executedNext(id, r))
		}
		return nil, pending(EnrollStageAwaitingApproval, err, "call ResumeEnrollment with the PendingError to go on", false)
	}
	if resume {
		// The server keeps a request Approved after its certificate data
		// was taken (the reference shows no status between the two calls),
		// so Approved alone does not say it is safe to submit: look for
		// what an execution leaves on the request.
		if err := c.checkNotExecuted(ctx, r, opts); err != nil {
			return nil, fail(EnrollStageSubmitting, errors.Join(ErrIssuanceUnknown, err), executedNext(id, r))
		}
	}
	report(s, EnrollStageApproved, r)

	options, err := c.GetCertificateRequestGenerationOptions(ctx, id, opts...)
	if err != nil {
		return nil, pending(EnrollStageApproved, err, "nothing was submitted: call ResumeEnrollment with the PendingError", false)
	}
	keys := make([]crypto.Signer, len(options))
	csrs := make([][]byte, len(options))
	for i, o := range options {
		if keys[i], csrs[i], err = newCSR(o); err != nil {
			return nil, fail(EnrollStageApproved, &apierror.Error{Op: op, Kind: apierror.ErrInvalidInput,
				Message: fmt.Sprintf("certificate request %d: %v", i+1, err), Err: err},
				"nothing was submitted: the template asks for a key this package cannot make; CancelRequest withdraws the request")
		}
	}
	password := pfxPassword
	if password == "" {
		if password, err = randomPassword(); err != nil {
			return nil, pending(EnrollStageApproved, err, "nothing was submitted: call ResumeEnrollment with the PendingError", false)
		}
	}
	report(s, EnrollStageSubmitting, r)
	issued, answer, err := c.submitCertificateRequests(ctx, id, SubmitInput{CertificateRequests: csrs, PFXPassword: password, Comments: comment}, opts)
	if err != nil {
		switch {
		case answer != nil || okAnswer(err):
			// A 200 answer: the CA issued, whatever else was wrong with it.
			e := fail(EnrollStageCertificatesReceived, err,
				"the CA issued but the answer could not be read whole: what came is in Received; save it, then abandon the request (AbandonRequest) or ask a CM administrator")
			e.Received = received(id, answer, issued, keys, password)
			return nil, e
		case !answered(err) || serverFault(err):
			// No answer, or the server's own failure (an unhandled
			// exception, get-certificate-responses.md lists 500): the CA may
			// have issued before it.
			e := fail(EnrollStageSubmitting, errors.Join(ErrIssuanceUnknown, err),
				"do not submit this request again: abandon it (AbandonRequest) and enroll anew, or ask a CM administrator whether its certificates were issued; the generated keys are in Received")
			e.Received = received(id, nil, nil, keys, password)
			return nil, e
		}
		return nil, fail(EnrollStageSubmitting, err,
			"the server refused the certificate requests: abandon the request (AbandonRequest) and enroll anew")
	}
	result, err := decodeIssued(id, issued, keys, password, roots)
	if err != nil {
		e := fail(EnrollStageCertificatesReceived, err,
			"the certificates were issued but did not pass the checks: they and the keys are in Received; save them, then abandon the request (AbandonRequest) or have them revoked")
		e.Received = received(id, answer, issued, keys, password)
		return nil, e
	}
	report(s, EnrollStageCertificatesReceived, r)
	done, err := c.CompleteRequest(ctx, id, opts...)
	if err != nil {
		e := fail(EnrollStageCertificatesReceived, err,
			"the certificates and key are in Result: keep them, and mark the request completed with CompleteRequest")
		e.Result = result
		e.Received = received(id, answer, issued, keys, password)
		return nil, e
	}
	result.Request = done
	report(s, EnrollStageCompleted, done)
	return result, nil
}

// serverFault reports a 5xx answer: the server failed while handling the
// call, so what it did before failing is unknown.
func serverFault(err error) bool {
	var e *apierror.Error
	return errors.As(err, &e) && e.StatusCode >= 500
}

// okAnswer reports an error about a success answer (a 200 whose body
// could not be used): the server did what was asked.
func okAnswer(err error) bool {
	var e *apierror.Error
	return errors.As(err, &e) && e.StatusCode >= 200 && e.StatusCode < 300 && !errors.Is(err, apierror.ErrTruncated)
}

// executedNext is the advice for a request whose execution may have
// issued certificates.
func executedNext(id uuid.UUID, r *Request) string {
	what := "request " + id.String()
	if r != nil {
		what += fmt.Sprintf(" (status %d", int32(r.Status))
		if n, ok := r.Status.Name(); ok {
			what += " = " + string(n)
		}
		if r.NewProfileUUID != nil {
			what += ", new profile " + r.NewProfileUUID.String()
		}
		what += ")"
	}
	return "do not submit it again: ask a CM administrator whether certificates were issued for " + what +
		" (ListRequestProfiles and ListProfileCertificates show them), then complete it (CompleteRequest) or abandon it (AbandonRequest)"
}

// checkNotExecuted refuses an approved request that shows an execution
// began: a new profile on the request (get-request.md: the profile the
// request produced), or a profile of the request other than the one it was
// made for (requests/{id}/profiles, get-profile-data.md).
func (c *Client) checkNotExecuted(ctx context.Context, r *Request, opts []CallOption) error {
	if r.NewProfileUUID != nil {
		return fmt.Errorf("%w: it names new profile %s", errExecutionStarted, r.NewProfileUUID)
	}
	profiles, err := c.ListRequestProfiles(ctx, r.UUID, opts...)
	if err != nil {
		return fmt.Errorf("%w: its profiles could not be read to rule that out: %w", errExecutionStarted, err)
	}
	for _, p := range profiles {
		if r.OldProfileUUID == nil || p.UUID != *r.OldProfileUUID {
			return fmt.Errorf("%w: it has profile %s", errExecutionStarted, p.UUID)
		}
	}
	return nil
}

var (
	errAlreadyCompleted = errors.New("the request is already completed")
	errNotApproved      = errors.New("the request is not approved yet (WithApprovalWait(0) checks once)")
)

// awaitApproval reads the request until it is approved, on the poller's
// rhythm, for at most s.ApprovalWait. A request denied, canceled or failed ends
// the wait at once (ErrTerminalStatus), as does one whose execution began.
func (c *Client) awaitApproval(ctx context.Context, id uuid.UUID, s workflow.Settings, names *statusNames, opts []CallOption) (*Request, error) {
	var last *Request
	check := func(ctx context.Context) (*Request, bool, error) {
		r, err := c.GetRequest(ctx, id, opts...)
		if err != nil {
			return nil, false, err
		}
		last = r
		switch r.Status {
		case StatusNumberApproved:
			return r, true, nil
		case StatusNumberCompleted:
			return r, true, errAlreadyCompleted
		}
		// A failed lookup (the lists may be refused to a user who may read
		// only the request) leaves the number unnamed: the request is
		// waited on, as one whose status means nothing to act on.
		name, _ := names.of(ctx, r.Status)
		switch {
		case terminal(name):
			return r, true, fmt.Errorf("%w: it is %s", ErrTerminalStatus, name)
		case name == StatusExecuting:
			return r, true, fmt.Errorf("%w (status Executing)", errExecutionStarted)
		}
		report(s, EnrollStageAwaitingApproval, r)
		return r, false, nil
	}
	if s.ApprovalWait <= 0 {
		r, done, err := check(ctx)
		if err == nil && !done {
			err = errNotApproved
		}
		if r == nil {
			r = last
		}
		return r, err
	}
	r, err := poll.Until(ctx, s.Poll(s.ApprovalWait), check, nil)
	if r == nil {
		r = last
	}
	return r, err
}

func randomPassword() (string, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// decodeIssued reads the answer's certificates and finds the one for
// each generated key.
func decodeIssued(id uuid.UUID, issued []IssuedCertificate, keys []crypto.Signer, password string, roots *x509.CertPool) (*Enrollment, error) {
	var pairs []KeyPair
	for i, ic := range issued {
		if ic.Error != "" {
			return nil, fmt.Errorf("certificate %d (%s): the server says: %s", i+1, ic.TemplateCommonName, ic.Error)
		}
		switch {
		case ic.IsPFX || len(ic.PFX) > 0:
			key, leaf, cas, err := pkcs12.DecodeChain(ic.PFX, password)
			if errors.Is(err, pkcs12.ErrIncorrectPassword) {
				return nil, fmt.Errorf("certificate %d (%s): %w", i+1, ic.TemplateCommonName, ErrPFXPassword)
			}
			if err != nil {
				return nil, fmt.Errorf("certificate %d (%s): PFX: %w", i+1, ic.TemplateCommonName, err)
			}
			signer, ok := key.(crypto.Signer)
			if !ok || !publicKeyMatches(signer, leaf) {
				return nil, fmt.Errorf("certificate %d: %w (the PFX's key is not its certificate's)", i+1, ErrKeyMismatch)
			}
			pairs = append(pairs, KeyPair{Certificate: leaf, Chain: cas, PrivateKey: signer})
		case ic.IsPKCS7 || len(ic.PKCS7) > 0:
			certs, err := pkcs7.Certificates(ic.PKCS7)
			if err != nil {
				return nil, fmt.Errorf("certificate %d (%s): %w", i+1, ic.TemplateCommonName, err)
			}
			found := false
			for _, k := range keys {
				for j, c := range certs {
					if publicKeyMatches(k, c) {
						chain := append(append([]*x509.Certificate{}, certs[:j]...), certs[j+1:]...)
						pairs = append(pairs, KeyPair{Certificate: c, Chain: orderChain(c, chain), PrivateKey: k})
						found = true
					}
				}
			}
			if !found && !ic.IsExternal && !ic.IsKeyHistory {
				return nil, fmt.Errorf("certificate %d (%s): %w", i+1, ic.TemplateCommonName, ErrKeyMismatch)
			}
		}
	}
	if len(pairs) == 0 {
		return nil, fmt.Errorf("%w: the answer holds no certificate for a key (%d item(s))", ErrKeyMismatch, len(issued))
	}
	if roots != nil {
		for _, p := range pairs {
			inter := x509.NewCertPool()
			for _, c := range p.Chain {
				inter.AddCert(c)
			}
			if _, err := p.Certificate.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err != nil {
				return nil, fmt.Errorf("%w: certificate %s does not verify: %w", ErrKeyMismatch, p.Certificate.Subject, err)
			}
		}
	}
	return &Enrollment{RequestID: id, Certificate: pairs[0].Certificate, Chain: pairs[0].Chain, PrivateKey: pairs[0].PrivateKey,
		Others: pairs[1:], Issued: issued}, nil
}

func publicKeyMatches(k crypto.Signer, c *x509.Certificate) bool {
	pub, ok := k.Public().(interface{ Equal(crypto.PublicKey) bool })
	return ok && pub.Equal(c.PublicKey)
}

// orderChain puts the issuers of leaf first, nearest first, then the
// certificates that do not chain.
func orderChain(leaf *x509.Certificate, certs []*x509.Certificate) []*x509.Certificate {
	var out []*x509.Certificate
	left := append([]*x509.Certificate{}, certs...)
	cur := leaf
	for len(left) > 0 {
		next := -1
		for i, c := range left {
			if cur.CheckSignatureFrom(c) == nil {
				next = i
				break
			}
		}
		if next < 0 {
			break
		}
		cur = left[next]
		out = append(out, cur)
		left = append(left[:next], left[next+1:]...)
	}
	return append(out, left...)
}

// withPFXSecret makes every call of a workflow mask the PFX password: the
// server has it once the certificate data is submitted, and may echo it
// in any later answer.
func withPFXSecret(opts []CallOption, password string) []CallOption {
	if password == "" {
		return opts
	}
	return append(opts[:len(opts):len(opts)], callOption(func(s *transport.CallSettings) {
		s.Secrets = append(s.Secrets, password)
	}))
}

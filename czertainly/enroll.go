package czertainly

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"time"

	"software.sslmate.com/src/go-pkcs12"

	"github.com/certadmin/certadmin-go/internal/apierror"
	"github.com/certadmin/certadmin-go/internal/atomicfile"
	"github.com/certadmin/certadmin-go/internal/poll"
	"github.com/certadmin/certadmin-go/internal/transport"
	"github.com/certadmin/certadmin-go/internal/workflow"
)

// Sentinels of the asynchronous operations.
var (
	// ErrPending: the certificate was not issued before the wait ended
	// (the error is a *PendingError, from which ResumeEnrollment goes on).
	ErrPending = errors.New("certificate not issued yet")
	// ErrApprovalPending: as ErrPending, and the certificate waits for a
	// person's approval (state pending_approval).
	ErrApprovalPending = errors.New("certificate waits for approval")
	// ErrIssueFailed: the authority failed to issue the certificate
	// (state failed).
	ErrIssueFailed = errors.New("certificate issue failed")
	// ErrRejected: the request was rejected, by an approver or by
	// compliance (state rejected).
	ErrRejected = errors.New("certificate request rejected")
	// ErrOutcomeUnknown: a call that must not be repeated (issue, renew,
	// rekey, revoke) got no answer after it may have reached the server;
	// whether Core acted on it is unknown, and it was not sent again.
	ErrOutcomeUnknown = errors.New("outcome unknown: the call may have reached the server")
)

// EnrollStage is how far an enrollment got (the field Stage of
// EnrollError and PendingError, and of Progress). Every vendor package of
// this module numbers and names its stages alike; a CZERTAINLY enrollment
// is submitted (one call creates and submits the request), may await an
// approval, awaits the issue, then fetches the chain.
type EnrollStage int

// The stages of a CZERTAINLY enrollment (the numbers are those of every
// vendor package; the stages CZERTAINLY has not are left out).
const (
	// EnrollStageAwaitingApproval: the certificate waits for a person's
	// approval (pending_approval). ResumeEnrollment goes on.
	EnrollStageAwaitingApproval EnrollStage = 2
	// EnrollStageSubmitting: the issue call is being sent. An error
	// without Core's answer leaves it unknown whether the certificate was
	// created (ErrOutcomeUnknown); the call is never repeated.
	EnrollStageSubmitting EnrollStage = 4
	// EnrollStageAwaitingIssue: the certificate was created and waits for
	// the authority (requested, pending_issue). ResumeEnrollment goes on.
	EnrollStageAwaitingIssue EnrollStage = 5
	// EnrollStageCertificatesReceived: the certificate is issued; its
	// chain is fetched next. An error here carries the certificate in
	// EnrollError.Received; ResumeEnrollment fetches the chain.
	EnrollStageCertificatesReceived EnrollStage = 6
	// EnrollStageCompleted: done.
	EnrollStageCompleted EnrollStage = 7
)

func (s EnrollStage) String() string { return workflow.Stage(s).String() }

// stageOf is the stage a certificate's state puts an enrollment in.
func stageOf(st CertificateState) EnrollStage {
	switch st {
	case "":
		return EnrollStageSubmitting
	case CertificateStatePendingApproval:
		return EnrollStageAwaitingApproval
	case CertificateStateIssued:
		return EnrollStageCertificatesReceived
	}
	return EnrollStageAwaitingIssue
}

// Default rhythm of the waits (WithPollInterval, WithWaitTimeout,
// WithApprovalWait).
const (
	DefaultPollInterval = 2 * time.Second
	DefaultWaitTimeout  = 10 * time.Minute
	DefaultApprovalWait = DefaultWaitTimeout
)

var defaultWait = workflow.Settings{PollInterval: DefaultPollInterval, WaitTimeout: DefaultWaitTimeout, ApprovalWait: DefaultApprovalWait}

// WithPollInterval sets the interval between a wait's checks of a
// certificate (Enroll, ResumeEnrollment, WaitForCertificate,
// WaitForRevocation, WaitForDeletion, RenewExpiring; default
// DefaultPollInterval). The first check is made at once.
func WithPollInterval(d time.Duration) ClientOrCallOption {
	return workflowOption(workflow.PollInterval(d))
}

// WithWaitTimeout bounds how long a wait lasts for one certificate
// (default DefaultWaitTimeout; 0 waits until the context ends).
func WithWaitTimeout(d time.Duration) ClientOrCallOption {
	return workflowOption(workflow.WaitTimeout(d))
}

// WithApprovalWait bounds how long a wait goes on once the certificate is
// pending a person's approval (default DefaultApprovalWait; the wait
// timeout still bounds it). Zero ends the wait at the first check that
// sees pending_approval. When it ends the workflow returns a
// *PendingError matching ErrApprovalPending, and ResumeEnrollment
// continues it later.
func WithApprovalWait(d time.Duration) ClientOrCallOption {
	return workflowOption(workflow.ApprovalWait(d))
}

// Progress is what WithProgress reports: the stage a wait is at (0 in a
// wait that is no enrollment's: WaitForRevocation) and the certificate's
// state as last read.
type Progress struct {
	Stage EnrollStage
	State CertificateState
}

// WithProgress calls fn with the certificate's state after every check of
// a wait.
func WithProgress(fn func(Progress)) ClientOrCallOption {
	return workflowOption(workflow.Progress(fn))
}

func report(s workflow.Settings, st CertificateState) {
	workflow.Report(s, Progress{Stage: stageOf(st), State: st})
}

// waitFor is the rhythm of one call: the client's, changed by the call's
// options; a bad one is an ErrInvalidInput error.
func (c *Client) waitFor(op string, opts []CallOption) (workflow.Settings, error) {
	return workflow.ForCall(op, c.wf, callSettings(opts))
}

// approvalClock ends a wait once the certificate has been pending approval
// for the ApprovalWait: over reports it at each check.
type approvalClock struct {
	limit time.Duration
	since time.Time
}

func (a *approvalClock) over(st CertificateState) bool {
	if st != CertificateStatePendingApproval {
		a.since = time.Time{}
		return false
	}
	if a.limit <= 0 {
		return true
	}
	if a.since.IsZero() {
		a.since = time.Now()
	}
	return time.Since(a.since) >= a.limit
}

// PendingError is an enrollment that did not finish: a certificate that
// was submitted but not issued when the wait ended, one issued whose chain
// could not be fetched, or an issue call whose answer was lost. It holds
// everything ResumeEnrollment needs, including the private key Enroll
// generated: keep it as safely as the key.
type PendingError struct {
	Profile
	// CertificateUUID is the submitted certificate; "" when the issue
	// call's answer was lost, so that Core's UUID for it is not known
	// (Err then matches ErrOutcomeUnknown).
	CertificateUUID string
	// Stage is where the enrollment stopped: EnrollStageSubmitting (the
	// issue's answer was lost), EnrollStageAwaitingApproval,
	// EnrollStageAwaitingIssue, or EnrollStageCertificatesReceived (only
	// the chain is missing).
	Stage EnrollStage
	// State is the certificate's last state seen (requested,
	// pending_issue, pending_approval; issued when only the chain is
	// missing; "" when it was never read).
	State CertificateState
	// Key is the private key Enroll generated for the request (nil when
	// the caller brought the CSR).
	Key crypto.Signer
	// Approvals, for a certificate pending approval, are the UUIDs of its
	// approvals still pending (from ListCertificateApprovals), to hand to
	// an approver or to GetApproval. Empty when they could not be read.
	Approvals []string
	// Err is why the wait ended (a wait timeout, the context).
	Err error
}

func (e *PendingError) Error() string {
	switch {
	case e.CertificateUUID == "":
		return fmt.Sprintf("czertainly: certificate not known: %v", e.Err)
	case e.State == "":
		return fmt.Sprintf("czertainly: certificate %s: state not read: %v", e.CertificateUUID, e.Err)
	}
	return fmt.Sprintf("czertainly: certificate %s is %s: %v", e.CertificateUUID, e.State, e.Err)
}

// Is matches ErrPending for a certificate seen not yet issued, and
// ErrApprovalPending for one pending approval. An issued certificate whose
// chain is missing, and an issue whose outcome is unknown, match neither:
// nothing is waiting on Core's side.
func (e *PendingError) Is(target error) bool {
	waiting := e.State != "" && e.State != CertificateStateIssued
	return (target == ErrPending && waiting) || (target == ErrApprovalPending && e.State == CertificateStatePendingApproval)
}

// Unwrap returns why the wait ended.
func (e *PendingError) Unwrap() error { return e.Err }

// GoString is Error, so that %#v prints no secret (the private key).
func (e *PendingError) GoString() string { return e.Error() }

// StateError is a certificate that reached a state it will not leave
// (failed, rejected) instead of issued.
type StateError struct {
	CertificateUUID string
	State           CertificateState
}

func (e *StateError) Error() string {
	return fmt.Sprintf("czertainly: certificate %s ended %s", e.CertificateUUID, e.State)
}

// Is matches ErrIssueFailed or ErrRejected.
func (e *StateError) Is(target error) bool {
	return (target == ErrIssueFailed && e.State == CertificateStateFailed) || (target == ErrRejected && e.State == CertificateStateRejected)
}

// UnknownOutcomeError is a call of Op that may have reached the server
// without an answer; it was not sent again. CertificateUUID names the
// certificate the call was about (for a renewal, the old one).
type UnknownOutcomeError struct {
	Op              string
	CertificateUUID string
	Err             error
}

func (e *UnknownOutcomeError) Error() string {
	return fmt.Sprintf("%s: %v: %v", e.Op, ErrOutcomeUnknown, e.Err)
}

// Is matches ErrOutcomeUnknown.
func (e *UnknownOutcomeError) Is(target error) bool { return target == ErrOutcomeUnknown }

// Unwrap returns the transport's error.
func (e *UnknownOutcomeError) Unwrap() error { return e.Err }

// maybeUnknown wraps the error of a call that must not be repeated (issue,
// renew, rekey, revoke) when its outcome is unknown: no answer arrived
// after the request may have reached Core, or Core answered with a server
// error, or accepted it with an answer that cannot be read (a success
// status: Core acted, but what it names is lost). Core turns every failure
// before it commits the new certificate into a 400
// (ClientOperationServiceImpl.java:231-238, 430-436, 576-582 at cad4432a)
// and queues the work only after the commit (:245-257), so a 5xx may come
// from a certificate already created; a 5xx that Core marks as a
// connector's failure (ErrConnector) is an answer and stays as it is. An
// error that already is an *UnknownOutcomeError is returned unchanged.
func maybeUnknown(op, certificateUUID string, err error) error {
	var ue *UnknownOutcomeError
	if err == nil || errors.As(err, &ue) {
		return err
	}
	var ae *apierror.Error
	if !errors.As(err, &ae) || errors.Is(err, apierror.ErrInvalidInput) || errors.Is(err, transport.ErrPlainHTTP) {
		return err
	}
	accepted := ae.StatusCode >= 200 && ae.StatusCode < 300
	if ae.StatusCode == 0 || accepted || (ae.StatusCode >= 500 && !errors.Is(err, ErrConnector)) {
		return &UnknownOutcomeError{Op: op, CertificateUUID: certificateUUID, Err: err}
	}
	return err
}

// WaitForCertificate waits until the certificate is issued and returns it:
// a failed or rejected certificate is a *StateError, one still pending
// when the poll timeout or the context ends a *PendingError.
func (c *Client) WaitForCertificate(ctx context.Context, uuid string, opts ...CallOption) (*CertificateDetail, error) {
	const op = "czertainly.WaitForCertificate"
	if _, err := parseUUID(op, "certificate UUID", uuid); err != nil {
		return nil, err
	}
	p, err := c.waitFor(op, opts)
	if err != nil {
		return nil, err
	}
	return c.wait(ctx, uuid, p, opts)
}

var errStopAtApproval = errors.New("pending approval; the approval wait ended (WithApprovalWait)")

func (c *Client) wait(ctx context.Context, uuid string, p workflow.Settings, opts []CallOption) (*CertificateDetail, error) {
	var last CertificateState
	approval := approvalClock{limit: p.ApprovalWait}
	check := func(ctx context.Context) (*CertificateDetail, bool, error) {
		d, err := c.GetCertificate(ctx, uuid, opts...)
		if err != nil {
			return nil, false, err
		}
		last = d.State
		switch d.State {
		case CertificateStateIssued:
			return d, true, nil
		case CertificateStateFailed, CertificateStateRejected, CertificateStateRevoked:
			return d, false, &StateError{CertificateUUID: uuid, State: d.State}
		case CertificateStatePendingApproval:
			if approval.over(d.State) {
				return d, false, errStopAtApproval
			}
		}
		return d, false, nil
	}
	progress := func(d *CertificateDetail) { report(p, d.State) }
	d, err := poll.Until(ctx, p.Poll(p.WaitTimeout), check, progress)
	if err == nil {
		return d, nil
	}
	if errors.Is(err, errStopAtApproval) {
		report(p, CertificateStatePendingApproval)
	}
	var se *StateError
	if errors.As(err, &se) {
		return nil, err
	}
	if last != "" && (errors.Is(err, poll.ErrTimeout) || errors.Is(err, errStopAtApproval) || ctx.Err() != nil) {
		pe := &PendingError{CertificateUUID: uuid, Stage: stageOf(last), State: last, Err: err}
		if last == CertificateStatePendingApproval && ctx.Err() == nil {
			pe.Approvals, _ = c.pendingApprovals(ctx, uuid, opts)
		}
		return nil, pe
	}
	return nil, err
}

// KeyType is the key Enroll generates.
type KeyType string

// The key types Enroll can generate.
const (
	KeyTypeECDSAP256 KeyType = "ecdsa-p256"
	KeyTypeECDSAP384 KeyType = "ecdsa-p384"
	KeyTypeRSA2048   KeyType = "rsa-2048"
	KeyTypeRSA3072   KeyType = "rsa-3072"
)

func (k KeyType) generate() (crypto.Signer, error) {
	switch k {
	case "", KeyTypeECDSAP256:
		return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case KeyTypeECDSAP384:
		return ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	case KeyTypeRSA2048:
		return rsa.GenerateKey(rand.Reader, 2048)
	case KeyTypeRSA3072:
		return rsa.GenerateKey(rand.Reader, 3072)
	}
	return nil, fmt.Errorf("key type %q is not one of ecdsa-p256, ecdsa-p384, rsa-2048, rsa-3072", k)
}

// EnrollInput is what Enroll requests.
type EnrollInput struct {
	Profile
	// CSR, when set, is the caller's PKCS#10 request (DER or PEM) and the
	// fields below are ignored; otherwise Enroll generates a key of
	// KeyType (default ECDSA P-256) and a CSR for Subject and the names.
	CSR            []byte
	KeyType        KeyType
	Subject        pkix.Name
	DNSNames       []string
	IPAddresses    []net.IP
	EmailAddresses []string
	// Attributes and CustomAttributes go with the issue request.
	Attributes       []RequestAttribute
	CustomAttributes []RequestAttribute
}

// Enrollment is an issued certificate with its chain and, when Enroll
// generated it, its private key.
type Enrollment struct {
	Certificate *CertificateDetail
	Leaf        *x509.Certificate
	// Chain is the issuers, leaf first excluded, as Core returned them.
	Chain []*x509.Certificate
	// Key is nil when the caller brought the CSR.
	Key crypto.Signer
}

// EnrollError is an enrollment (Enroll, ResumeEnrollment) that stopped
// after Core may have created the certificate. Received holds the material
// known at that point, so that nothing issued is lost: save it before
// anything else (Received.WriteFiles writes what there is). Err is the
// cause: a *PendingError when the enrollment can go on with
// ResumeEnrollment (still pending, chain not fetched, issue outcome
// unknown), a *StateError when Core failed or rejected the certificate.
type EnrollError struct {
	// Op is the workflow ("czertainly.Enroll").
	Op string
	// Stage is how far the enrollment got.
	Stage EnrollStage
	// CertificateUUID is the certificate Core created; "" when the issue
	// call's answer was lost.
	CertificateUUID string
	// Received is the material the workflow holds once something may
	// have been issued, nil before: keep it, it may be the only copy of an
	// issued certificate's key; WriteFiles saves it (0600 files). Here:
	// the private key Enroll generated, and once issued the certificate
	// (Certificate, Leaf) and, when fetched, its chain; nil when there is
	// nothing (the caller's CSR, nothing issued yet).
	Received *Enrollment
	// Next says what to do next.
	Next string
	// Err is the cause.
	Err error
}

func (e *EnrollError) Error() string {
	msg := e.Op + ": "
	if e.CertificateUUID != "" {
		msg += "certificate " + e.CertificateUUID + ": "
	}
	msg += fmt.Sprint(e.Err)
	if e.Next != "" {
		msg += " (" + e.Next + ")"
	}
	return msg
}

// Unwrap returns the cause.
func (e *EnrollError) Unwrap() error { return e.Err }

// material is what an enrollment holds so far, nil when nothing.
func material(d *CertificateDetail, leaf *x509.Certificate, chain []*x509.Certificate, key crypto.Signer) *Enrollment {
	if d == nil && leaf == nil && key == nil {
		return nil
	}
	return &Enrollment{Certificate: d, Leaf: leaf, Chain: chain, Key: key}
}

// Enroll issues a certificate in one call: it generates the key and CSR
// (unless in.CSR is given), submits it, waits until Core has the
// certificate issued (through an approval where the RA profile needs one)
// and downloads the chain. The issue call is never sent twice. Once it may
// have reached Core, every failure is an *EnrollError whose Result holds
// the generated key and whatever was received; its cause is a
// *PendingError to hand to ResumeEnrollment (a certificate not issued in
// time, a chain not fetched, an issue whose answer was lost: ErrOutcomeUnknown)
// or a *StateError (failed, rejected).
func (c *Client) Enroll(ctx context.Context, in EnrollInput, opts ...CallOption) (*Enrollment, error) {
	const op = "czertainly.Enroll"
	if _, _, err := profileIDs(op, in.AuthorityUUID, in.RAProfileUUID); err != nil {
		return nil, err
	}
	p, err := c.waitFor(op, opts)
	if err != nil {
		return nil, err
	}
	csr, key := in.CSR, crypto.Signer(nil)
	if csr == nil {
		if in.Subject.CommonName == "" && len(in.DNSNames) == 0 {
			return nil, apierror.Invalid(op, "give a CSR, or a subject common name or DNS names to make one")
		}
		key, err = in.KeyType.generate()
		if err != nil {
			return nil, apierror.Invalid(op, "%v", err)
		}
		csr, err = x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{
			Subject: in.Subject, DNSNames: in.DNSNames, IPAddresses: in.IPAddresses, EmailAddresses: in.EmailAddresses,
		}, key)
		if err != nil {
			return nil, fmt.Errorf("%s: make CSR: %w", op, err)
		}
	}
	sub, err := c.IssueCertificate(ctx, IssueInput{Profile: in.Profile, CSR: csr, Attributes: in.Attributes, CustomAttributes: in.CustomAttributes}, opts...)
	if err != nil {
		if !errors.Is(err, ErrOutcomeUnknown) {
			// An answer refusing the request: Core created nothing
			// (ClientOperationServiceImpl.java:207-238 at cad4432a).
			return nil, err
		}
		// Core may have created (and queued) the certificate: keep the key,
		// and do not submit again.
		return nil, &EnrollError{Op: op, Stage: EnrollStageSubmitting, Received: material(nil, nil, nil, key),
			Next: "look for a certificate of RA profile " + in.RAProfileUUID + " requested just now for " + subjectOf(in) +
				" (ListCertificates); if there is one, set the PendingError's CertificateUUID to it and call ResumeEnrollment, and enroll again only if there is none",
			Err: &PendingError{Profile: in.Profile, Stage: EnrollStageSubmitting, Key: key, Err: err}}
	}
	return c.finish(ctx, op, in.Profile, sub.UUID, key, p, opts)
}

// subjectOf names what an enrollment asked for, to look it up.
func subjectOf(in EnrollInput) string {
	switch {
	case in.CSR != nil:
		return "the caller's CSR"
	case in.Subject.CommonName != "":
		return "common name " + in.Subject.CommonName
	}
	return "DNS name " + in.DNSNames[0]
}

// ResumeEnrollment finishes the enrollment of a *PendingError (from
// Enroll or WaitForCertificate). It first reads the certificate's state
// from Core and then waits for it, or fetches only what is missing; it
// never submits anything. A PendingError without a certificate UUID (an
// issue whose answer was lost) is refused before anything is sent: look
// the certificate up first, as the error says.
func (c *Client) ResumeEnrollment(ctx context.Context, pending *PendingError, opts ...CallOption) (*Enrollment, error) {
	const op = "czertainly.ResumeEnrollment"
	if pending == nil {
		return nil, apierror.Invalid(op, "no pending enrollment")
	}
	if pending.CertificateUUID == "" {
		return nil, &EnrollError{Op: op, Stage: EnrollStageSubmitting, Received: material(nil, nil, nil, pending.Key),
			Next: "the issue call's outcome is unknown: look for the certificate in Core's inventory (ListCertificates, RA profile " + pending.RAProfileUUID +
				") and set CertificateUUID to it before resuming; submitting again could issue a second certificate",
			Err: &UnknownOutcomeError{Op: op, Err: apierror.Invalid(op, "the pending enrollment names no certificate")}}
	}
	if _, err := parseUUID(op, "certificate UUID", pending.CertificateUUID); err != nil {
		return nil, err
	}
	p, err := c.waitFor(op, opts)
	if err != nil {
		return nil, err
	}
	return c.finish(ctx, op, pending.Profile, pending.CertificateUUID, pending.Key, p, opts)
}

// finish waits for the certificate and fetches its chain. Every failure
// carries what is known in an *EnrollError.
func (c *Client) finish(ctx context.Context, op string, prof Profile, uuid string, key crypto.Signer, p workflow.Settings, opts []CallOption) (*Enrollment, error) {
	fail := func(d *CertificateDetail, leaf *x509.Certificate, next string, err error) error {
		stage := EnrollStageAwaitingIssue
		var pe *PendingError
		switch {
		case errors.As(err, &pe):
			stage = pe.Stage
		case d != nil:
			stage = EnrollStageCertificatesReceived
		}
		return &EnrollError{Op: op, Stage: stage, CertificateUUID: uuid, Received: material(d, leaf, nil, key), Next: next, Err: err}
	}
	d, err := c.wait(ctx, uuid, p, opts)
	if err != nil {
		var pe *PendingError
		var se *StateError
		switch {
		case errors.As(err, &pe):
			pe.Profile, pe.Key = prof, key
			return nil, fail(nil, nil, "call ResumeEnrollment to go on waiting", err)
		case errors.As(err, &se):
			return nil, &EnrollError{Op: op, Stage: stageOf(se.State), CertificateUUID: uuid, Received: material(nil, nil, nil, key), Err: err}
		}
		// The state could not be read (Core or the network failed):
		// nothing is lost, the enrollment goes on from the same point.
		return nil, fail(nil, nil, "call ResumeEnrollment once Core answers",
			&PendingError{Profile: prof, CertificateUUID: uuid, Stage: EnrollStageAwaitingIssue, Key: key, Err: err})
	}
	leaf, err := d.X509()
	if err != nil {
		return nil, fail(d, nil, "", &apierror.Error{Op: op, Kind: apierror.ErrUnexpectedResponse,
			Message: fmt.Sprintf("the issued certificate's content does not parse: %v", err)})
	}
	chainFailed := func(err error) error {
		return fail(d, leaf, "the certificate is issued; call ResumeEnrollment to fetch its chain",
			&PendingError{Profile: prof, CertificateUUID: uuid, Stage: EnrollStageCertificatesReceived, State: d.State, Key: key, Err: err})
	}
	// With the end certificate, Core puts the leaf first and content is
	// never empty (CertificateServiceImpl.java:894-906, 827-828 at
	// cad4432a); without it, an issuer missing from the inventory gives an
	// empty content that could not be told from a missing one.
	dl, err := c.DownloadCertificateChain(ctx, uuid, CertificateFormatRaw, CertificateEncodingPEM, true, opts...)
	if err != nil {
		return nil, chainFailed(err)
	}
	if dl.Content == "" {
		// content is required (CertificateChainDownloadResponseDto,
		// doc-openapi-core-certificate.yaml:4255-4259 in 2.17.0).
		return nil, chainFailed(&apierror.Error{Op: op, Kind: apierror.ErrUnexpectedResponse, Message: "Core's chain answer has no content"})
	}
	pemText, err := dl.Bytes()
	if err != nil {
		return nil, chainFailed(&apierror.Error{Op: op, Kind: apierror.ErrUnexpectedResponse, Message: fmt.Sprintf("chain content is not base64: %v", err)})
	}
	chain, err := parsePEMCertificates(pemText)
	if err == nil && (len(chain) == 0 || !chain[0].Equal(leaf)) {
		err = errors.New("it does not begin with the issued certificate")
	}
	if err != nil {
		return nil, chainFailed(&apierror.Error{Op: op, Kind: apierror.ErrUnexpectedResponse, Message: fmt.Sprintf("chain content: %v", err)})
	}
	chain = chain[1:]
	return &Enrollment{Certificate: d, Leaf: leaf, Chain: chain, Key: key}, nil
}

func parsePEMCertificates(b []byte) ([]*x509.Certificate, error) {
	var out []*x509.Certificate
	for {
		var block *pem.Block
		block, b = pem.Decode(b)
		if block == nil {
			return out, nil
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		crt, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, err
		}
		out = append(out, crt)
	}
}

// CertificatePEM is the leaf and then the chain, PEM-encoded (nil before
// the certificate was received, as in an *EnrollError's Received).
func (e *Enrollment) CertificatePEM() []byte {
	if e.Leaf == nil {
		return nil
	}
	var out []byte
	for _, crt := range append([]*x509.Certificate{e.Leaf}, e.Chain...) {
		out = append(out, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: crt.Raw})...)
	}
	return out
}

// KeyPEM is the private key as PKCS#8 PEM (nil without a key).
func (e *Enrollment) KeyPEM() ([]byte, error) {
	if e.Key == nil {
		return nil, nil
	}
	der, err := x509.MarshalPKCS8PrivateKey(e.Key)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// WritePEM writes the key (when there is one) to keyPath, mode 0600, and
// the certificate with its chain (once received) to certPath; each file
// appears only when complete. The key goes first: of an *EnrollError's
// Received it may be all there is.
func (e *Enrollment) WritePEM(certPath, keyPath string) error {
	if e.Key != nil && keyPath != "" {
		keyPEM, err := e.KeyPEM()
		if err != nil {
			return err
		}
		if err := atomicfile.Write(keyPath, 0o600, func(w io.Writer) error {
			_, err := w.Write(keyPEM)
			return err
		}); err != nil {
			return err
		}
	}
	if e.Leaf == nil || certPath == "" {
		return nil
	}
	return atomicfile.Write(certPath, 0o644, func(w io.Writer) error {
		_, err := w.Write(e.CertificatePEM())
		return err
	})
}

// PKCS12 packs key, certificate and chain into a PKCS#12 file protected
// by password (modern encryption).
func (e *Enrollment) PKCS12(password string) ([]byte, error) {
	if e.Key == nil {
		return nil, errors.New("no private key: the CSR came from the caller")
	}
	if e.Leaf == nil {
		return nil, errors.New("no certificate received yet: write the key alone with WritePEM")
	}
	return pkcs12.Modern.Encode(e.Key, e.Leaf, e.Chain, password)
}

// WritePKCS12 writes PKCS12(password) to path, mode 0600, atomically.
func (e *Enrollment) WritePKCS12(path, password string) error {
	data, err := e.PKCS12(password)
	if err != nil {
		return err
	}
	return atomicfile.Write(path, 0o600, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// WriteFiles saves e beside prefix, each file written atomically with
// mode 0600 (it appears only once complete): the certificate with its
// chain, then the private key, in prefix.pem. Nothing is written when e
// holds neither. It returns the names written. It is the same method, with
// the same files, as every vendor's material of an enrollment error.
func (e *Enrollment) WriteFiles(prefix string) ([]string, error) {
	if e == nil || (e.Leaf == nil && e.Key == nil) {
		return nil, nil
	}
	out := e.CertificatePEM()
	key, err := e.KeyPEM()
	if err != nil {
		return nil, err
	}
	out = append(out, key...)
	name := prefix + ".pem"
	if err := atomicfile.Write(name, 0o600, func(w io.Writer) error {
		_, err := w.Write(out)
		return err
	}); err != nil {
		return nil, err
	}
	return []string{name}, nil
}

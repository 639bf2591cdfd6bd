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
)

// Sentinels of the asynchronous operations.
var (
	// ErrPending: the certificate was not issued before the wait ended
	// (the error is a *PendingError, from which ResumeEnrollment goes on).
	ErrPending = errors.New("certificate not issued yet")
	// ErrPendingApproval: as ErrPending, and the certificate waits for an
	// approval (state pending_approval).
	ErrPendingApproval = errors.New("certificate waits for approval")
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

type pollSettings struct {
	interval, timeout time.Duration
	approvalWait      bool
	progress          func(CertificateState)
}

func defaultPoll() pollSettings {
	return pollSettings{interval: 2 * time.Second, timeout: 10 * time.Minute, approvalWait: true}
}

func (p pollSettings) check() error {
	if p.interval <= 0 {
		return fmt.Errorf("poll interval %v must be positive", p.interval)
	}
	if p.timeout < 0 {
		return fmt.Errorf("poll timeout %v must not be negative", p.timeout)
	}
	return nil
}

type pollCall struct{ changes []func(*pollSettings) }

func pollOption(client func(*pollSettings), call func(*pollSettings)) ClientOrCallOption {
	return clientOrCallOption{
		client: func(c *transport.Config) {
			s := transport.Extension[settings](c)
			if !s.pollSet {
				s.poll, s.pollSet = defaultPoll(), true
			}
			client(&s.poll)
		},
		call: func(s *transport.CallSettings) {
			pc := transport.CallExtension[pollCall](s)
			pc.changes = append(pc.changes, call)
		},
	}
}

// WithPollInterval sets how often Enroll, WaitForCertificate and
// RenewExpiring look at a pending certificate (default 2 s).
func WithPollInterval(d time.Duration) ClientOrCallOption {
	f := func(p *pollSettings) { p.interval = d }
	return pollOption(f, f)
}

// WithPollTimeout bounds how long they wait for one certificate (default
// 10 minutes; 0 waits until the context ends).
func WithPollTimeout(d time.Duration) ClientOrCallOption {
	f := func(p *pollSettings) { p.timeout = d }
	return pollOption(f, f)
}

// WithApprovalWait false makes a wait end as soon as the certificate is
// pending approval (a *PendingError matching ErrPendingApproval), instead
// of waiting for the approvers until the poll timeout.
func WithApprovalWait(wait bool) ClientOrCallOption {
	f := func(p *pollSettings) { p.approvalWait = wait }
	return pollOption(f, f)
}

// WithProgress calls f with the certificate's state after every check of
// a wait.
func WithProgress(f func(CertificateState)) ClientOrCallOption {
	g := func(p *pollSettings) { p.progress = f }
	return pollOption(g, g)
}

// pollFor is the rhythm of one call: the client's, changed by the call's
// options.
func (c *Client) pollFor(s *transport.CallSettings) (pollSettings, error) {
	p := c.poll
	if pc := transport.LookupCallExtension[pollCall](s); pc != nil {
		for _, change := range pc.changes {
			change(&p)
		}
	}
	return p, p.check()
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
	// Err is why the wait ended (a poll timeout, the context).
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
// ErrPendingApproval for one pending approval. An issued certificate whose
// chain is missing, and an issue whose outcome is unknown, match neither:
// nothing is waiting on Core's side.
func (e *PendingError) Is(target error) bool {
	waiting := e.State != "" && e.State != CertificateStateIssued
	return (target == ErrPending && waiting) || (target == ErrPendingApproval && e.State == CertificateStatePendingApproval)
}

// Unwrap returns why the wait ended.
func (e *PendingError) Unwrap() error { return e.Err }

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
	cs := callSettings(opts)
	p, err := c.pollFor(cs)
	if err != nil {
		return nil, apierror.Invalid(op, "%v", err)
	}
	return c.wait(ctx, uuid, p, opts)
}

var errStopAtApproval = errors.New("pending approval; not waiting for the approvers (WithApprovalWait(false))")

func (c *Client) wait(ctx context.Context, uuid string, p pollSettings, opts []CallOption) (*CertificateDetail, error) {
	var last CertificateState
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
			if !p.approvalWait {
				return d, false, errStopAtApproval
			}
		}
		return d, false, nil
	}
	var progress func(*CertificateDetail)
	if p.progress != nil {
		progress = func(d *CertificateDetail) { p.progress(d.State) }
	}
	d, err := poll.Until(ctx, poll.Config{Interval: p.interval, Timeout: p.timeout}, check, progress)
	if err == nil {
		return d, nil
	}
	if errors.Is(err, errStopAtApproval) && p.progress != nil {
		p.progress(CertificateStatePendingApproval)
	}
	var se *StateError
	if errors.As(err, &se) {
		return nil, err
	}
	if last != "" && (errors.Is(err, poll.ErrTimeout) || errors.Is(err, errStopAtApproval) || ctx.Err() != nil) {
		pe := &PendingError{CertificateUUID: uuid, State: last, Err: err}
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
// after Core may have created the certificate. Result holds the material
// known at that point, so that nothing issued is lost: save it before
// anything else (Enrollment.WritePEM writes what there is). Err is the
// cause: a *PendingError when the enrollment can go on with
// ResumeEnrollment (still pending, chain not fetched, issue outcome
// unknown), a *StateError when Core failed or rejected the certificate.
type EnrollError struct {
	// Op is the workflow ("czertainly.Enroll").
	Op string
	// CertificateUUID is the certificate Core created; "" when the issue
	// call's answer was lost.
	CertificateUUID string
	// Result is what was received: the private key Enroll generated, and
	// once issued the certificate (Certificate, Leaf) and, when fetched,
	// its chain. nil when there is nothing (the caller's CSR, nothing
	// issued yet). Keep it as safely as the key.
	Result *Enrollment
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
	p, err := c.pollFor(callSettings(opts))
	if err != nil {
		return nil, apierror.Invalid(op, "%v", err)
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
		return nil, &EnrollError{Op: op, Result: material(nil, nil, nil, key),
			Next: "look for a certificate of RA profile " + in.RAProfileUUID + " requested just now for " + subjectOf(in) +
				" (ListCertificates); if there is one, set the PendingError's CertificateUUID to it and call ResumeEnrollment, and enroll again only if there is none",
			Err: &PendingError{Profile: in.Profile, Key: key, Err: err}}
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
		return nil, &EnrollError{Op: op, Result: material(nil, nil, nil, pending.Key),
			Next: "the issue call's outcome is unknown: look for the certificate in Core's inventory (ListCertificates, RA profile " + pending.RAProfileUUID +
				") and set CertificateUUID to it before resuming; submitting again could issue a second certificate",
			Err: &UnknownOutcomeError{Op: op, Err: apierror.Invalid(op, "the pending enrollment names no certificate")}}
	}
	if _, err := parseUUID(op, "certificate UUID", pending.CertificateUUID); err != nil {
		return nil, err
	}
	p, err := c.pollFor(callSettings(opts))
	if err != nil {
		return nil, apierror.Invalid(op, "%v", err)
	}
	return c.finish(ctx, op, pending.Profile, pending.CertificateUUID, pending.Key, p, opts)
}

// finish waits for the certificate and fetches its chain. Every failure
// carries what is known in an *EnrollError.
func (c *Client) finish(ctx context.Context, op string, prof Profile, uuid string, key crypto.Signer, p pollSettings, opts []CallOption) (*Enrollment, error) {
	fail := func(d *CertificateDetail, leaf *x509.Certificate, next string, err error) error {
		return &EnrollError{Op: op, CertificateUUID: uuid, Result: material(d, leaf, nil, key), Next: next, Err: err}
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
			return nil, fail(nil, nil, "", err)
		}
		// The state could not be read (Core or the network failed):
		// nothing is lost, the enrollment goes on from the same point.
		return nil, fail(nil, nil, "call ResumeEnrollment once Core answers",
			&PendingError{Profile: prof, CertificateUUID: uuid, Key: key, Err: err})
	}
	leaf, err := d.X509()
	if err != nil {
		return nil, fail(d, nil, "", &apierror.Error{Op: op, Kind: apierror.ErrUnexpectedResponse,
			Message: fmt.Sprintf("the issued certificate's content does not parse: %v", err)})
	}
	chainFailed := func(err error) error {
		return fail(d, leaf, "the certificate is issued; call ResumeEnrollment to fetch its chain",
			&PendingError{Profile: prof, CertificateUUID: uuid, State: d.State, Key: key, Err: err})
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
// the certificate was received, as in an *EnrollError's Result).
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
// Result it may be all there is.
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

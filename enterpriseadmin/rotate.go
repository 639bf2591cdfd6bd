package enterpriseadmin

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/certadmin/certadmin-go/internal/apierror"
	"github.com/certadmin/certadmin-go/internal/certutil"
	"github.com/certadmin/certadmin-go/internal/poll"
	"github.com/certadmin/certadmin-go/internal/workflow"
)

// Default rhythm of the rotation's wait for the ingress to show the new
// certificate (WithPollInterval, WithWaitTimeout). The vendor documents no
// delay between the update and the configuration it reports; the wait is
// there in case a deployment applies it late.
const (
	DefaultPollInterval = 5 * time.Second
	DefaultWaitTimeout  = 5 * time.Minute
)

var defaultWait = workflow.Settings{PollInterval: DefaultPollInterval, WaitTimeout: DefaultWaitTimeout}

// WithPollInterval sets the interval between the rotation's reads of the
// ingress configuration while it waits for the new certificate to show
// (default DefaultPollInterval). The first read is made at once.
func WithPollInterval(d time.Duration) ClientOrCallOption {
	return workflowOption(workflow.PollInterval(d))
}

// WithWaitTimeout bounds the rotation's wait for the ingress to show the
// new certificate (default DefaultWaitTimeout; 0 waits until the context
// ends).
func WithWaitTimeout(d time.Duration) ClientOrCallOption {
	return workflowOption(workflow.WaitTimeout(d))
}

// WithProgress calls fn as RotateIdentityCertificate enters each stage and
// after each read of the ingress while it waits.
func WithProgress(fn func(Progress)) ClientOrCallOption {
	return workflowOption(workflow.Progress(fn))
}

// RotationStage is how far RotateIdentityCertificate got. The stages come
// in this order; a rerun passes quickly through those already done.
type RotationStage int

const (
	// RotationStageChecking: the ingress configuration and the identity
	// store are read. Nothing has changed on the server. A configuration
	// serving a user-defined TLS secret stops here
	// (ErrTLSSecretUserManaged).
	RotationStageChecking RotationStage = iota + 1
	// RotationStageImporting: the new certificate is being imported. A
	// failure without the server's answer leaves it unknown whether it
	// was; the import is never resent, and a rerun finds it by name and
	// fingerprint. The ingress still serves the old certificate.
	RotationStageImporting
	// RotationStageImported: the new certificate is in the identity
	// store; the ingress still serves the old one.
	RotationStageImported
	// RotationStagePointing: the ingress configuration is read again and
	// the update naming the new certificate is being sent. A failure without the server's answer
	// leaves it unknown whether it was applied; a rerun reads the ingress
	// first. The old certificate is still in the store.
	RotationStagePointing
	// RotationStageVerifying: the ingress configuration is read back until
	// it names the new certificate (bounded by WithWaitTimeout). A failure
	// here (ErrIngressNotUpdated) means the ingress still names another
	// certificate, normally the old one, which is kept.
	RotationStageVerifying
	// RotationStageServing: the ingress names the new certificate. The old
	// one is still in the store.
	RotationStageServing
	// RotationStageDeletingOld: the SAML configuration is read and the old
	// certificate, unless SAML names it (ErrCertificateUsedBySAML), is
	// being deleted (DeleteOld). The ingress serves the new one. A rerun with OldName
	// set deletes it, or finds it gone.
	RotationStageDeletingOld
	// RotationStageCompleted: done.
	RotationStageCompleted
)

var rotationStageNames = map[RotationStage]string{
	RotationStageChecking: "checking the ingress and the identity store", RotationStageImporting: "importing the new certificate",
	RotationStageImported: "new certificate imported", RotationStagePointing: "pointing the ingress at the new certificate",
	RotationStageVerifying: "verifying the ingress serves the new certificate", RotationStageServing: "ingress serves the new certificate",
	RotationStageDeletingOld: "deleting the old certificate", RotationStageCompleted: "completed",
}

func (s RotationStage) String() string {
	if n, ok := rotationStageNames[s]; ok {
		return n
	}
	return fmt.Sprintf("rotation stage %d", int(s))
}

// Progress is what WithProgress reports: the stage reached, the new
// certificate once it is in the store, and the certificate the ingress
// named when last read.
type Progress struct {
	Stage       RotationStage
	Certificate *Certificate
	Serving     string
}

// RotateIdentityCertificateInput is what RotateIdentityCertificate does.
type RotateIdentityCertificateInput struct {
	// Name is the new certificate's name in the identity store (required).
	Name string
	// PFX and Password are the new certificate and its key, as for
	// ImportIdentityCertificate (required).
	PFX      []byte
	Password string
	// DeleteOld deletes the certificate the ingress served before, once
	// the ingress is seen serving the new one.
	DeleteOld bool
	// OldName names the certificate DeleteOld deletes; empty means the one
	// the ingress names when the call begins. Set it when rerunning a
	// rotation whose deletion failed: by then the ingress names the new
	// certificate.
	OldName string
}

// RotationResult is what a rotation did.
type RotationResult struct {
	// Certificate is the new certificate as the identity store lists it.
	Certificate *Certificate
	// Imported is false when the certificate was already in the store (a
	// rerun): it was not imported again.
	Imported bool
	// Pointed is false when the ingress already named the certificate.
	Pointed bool
	// Ingress is the configuration as last read, naming Certificate.
	Ingress *IngressSecurity
	// OldName is the certificate the ingress served before ("" when it
	// already served the new one and no OldName was given).
	OldName string
	// OldDeleted is true when this call deleted the old certificate.
	OldDeleted bool
}

// ErrIngressNotUpdated is matched by a rotation's error when the ingress
// configuration, read back after the update, did not name the new
// certificate within the wait: the old certificate still serves and is
// kept. Rerun the rotation to send the update again.
var ErrIngressNotUpdated = errors.New("the ingress does not name the new certificate")

// ErrCertificateNameTaken is matched by a rotation's error when the
// identity store holds another certificate (a different fingerprint)
// under the new certificate's name. Nothing was changed.
var ErrCertificateNameTaken = errors.New("the name belongs to another certificate")

// ErrTLSSecretUserManaged is matched by a rotation's error when the
// ingress configuration reads isTlsSecretSystemManaged false: the
// controller serves the certificate in the user-defined TLS secret
// (TLSSecretName), so naming another identity certificate would not change
// what TLS clients are shown. Nothing was changed. Replace the certificate
// in that secret instead, or switch the ingress to the system-managed
// secret (UpdateIngressSecurity with IsTLSSecretSystemManaged true) and
// rerun.
var ErrTLSSecretUserManaged = errors.New("the ingress serves a user-defined TLS secret")

// ErrCertificateUsedBySAML is matched by a rotation's error when the old
// certificate DeleteOld would delete is the one the SAML configuration
// (security/saml) names: SAML sign-in uses it, so it is kept. The ingress
// serves the new certificate.
var ErrCertificateUsedBySAML = errors.New("the SAML configuration names the certificate")

// RotationError is a rotation that stopped. Stage is the stage that
// failed; the other fields say what the server holds, so that a rerun of
// RotateIdentityCertificate with the same input (and OldName, see Next)
// resumes: it reads the server's state first and never imports twice.
type RotationError struct {
	Stage RotationStage
	// Name is the new certificate's name.
	Name string
	// Certificate is the new certificate when it is known to be in the
	// identity store (nil otherwise).
	Certificate *Certificate
	// Serving is the certificate the ingress named when last read ("" when
	// it was never read).
	Serving string
	// OldName is the certificate the ingress served before the rotation.
	OldName string
	// Next says what to do.
	Next string
	Err  error
}

func (e *RotationError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "enterpriseadmin.RotateIdentityCertificate %q: failed %s", e.Name, e.Stage)
	if e.Serving != "" {
		fmt.Fprintf(&b, " (the ingress names %q)", e.Serving)
	}
	if e.Err != nil {
		fmt.Fprintf(&b, ": %v", e.Err)
	}
	if e.Next != "" {
		fmt.Fprintf(&b, "; %s", e.Next)
	}
	return b.String()
}

func (e *RotationError) Unwrap() error { return e.Err }

// RotateIdentityCertificate replaces the identity certificate the Ingress
// controller serves, in one call that can be rerun after any failure:
//
//  1. It reads the ingress configuration and the identity store. If a
//     certificate named in.Name is there with the fingerprint of in.PFX,
//     it was imported by an earlier run and is not imported again; under
//     that name with another fingerprint it is ErrCertificateNameTaken.
//  2. Otherwise it imports in.PFX under in.Name (ImportIdentityCertificate,
//     never resent).
//  3. Unless the ingress names in.Name already, it updates the ingress
//     configuration to name it, every other member sent back as read
//     (UpdateIngressSecurity).
//  4. It reads the configuration back until it names in.Name, bounded by
//     WithWaitTimeout (ErrIngressNotUpdated), reporting each read to
//     WithProgress.
//  5. Only then, with in.DeleteOld, it deletes the certificate the ingress
//     named before (or in.OldName), never the one it names now, nor one
//     the SAML configuration names (ErrCertificateUsedBySAML; it reads
//     security/saml first). A certificate already gone counts as deleted.
//
// A failure is a *RotationError naming the stage that failed (see
// RotationStage for the state the server is left in at each): until stage
// 5 the ingress serves the old certificate and the old certificate is
// kept. Renaming the certificate between runs starts a new rotation.
//
// Before anything is sent, a certificate outside its validity is refused
// (ErrInvalidInput), and so is a configuration that serves a user-defined
// TLS secret (IsTLSSecretSystemManaged false): the controller then serves
// the certificate in that secret, and naming an identity certificate would
// change nothing a TLS client sees (ErrTLSSecretUserManaged, at the
// checking stage, before the import).
//
// Only identityCertificateName is changed, merged into a read of the
// configuration made right before the update. The read-back checks the
// configuration, not the certificate a TLS client is shown.
func (c *Client) RotateIdentityCertificate(ctx context.Context, in RotateIdentityCertificateInput, opts ...CallOption) (*RotationResult, error) {
	const op = "enterpriseadmin.RotateIdentityCertificate"
	if strings.TrimSpace(in.Name) == "" {
		return nil, apierror.Invalid(op, "certificate name (RotateIdentityCertificateInput.Name) is empty")
	}
	info, err := certutil.CheckPKCS12(in.PFX, in.Password)
	if err != nil {
		return nil, &apierror.Error{Op: op, Kind: apierror.ErrInvalidInput, Message: "certificate file", Err: err}
	}
	if err := checkValidity(op, info.Leaf, time.Now()); err != nil {
		return nil, err
	}
	wf, err := workflow.ForCall(op, c.wf, callSettings(opts))
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(info.Leaf.Raw)
	fingerprint := hex.EncodeToString(sum[:])

	r := &rotation{c: c, in: in, wf: wf, opts: opts, res: &RotationResult{}}
	return r.run(ctx, fingerprint)
}

// userManagedSecret is ErrTLSSecretUserManaged when the configuration says
// a user-defined TLS secret serves (isTlsSecretSystemManaged false): the
// vendor's ingress page says the controller then uses the certificate in
// that secret, so identityCertificateName is not what TLS clients see.
// A configuration that does not say (nil) is taken as system-managed, the
// default the page describes.
func userManagedSecret(ing *IngressSecurity) error {
	if ing.IsTLSSecretSystemManaged == nil || *ing.IsTLSSecretSystemManaged {
		return nil
	}
	return fmt.Errorf("%w %q (isTlsSecretSystemManaged false): naming identity certificate %q would not change the certificate served",
		ErrTLSSecretUserManaged, ing.TLSSecretName, ing.IdentityCertificateName)
}

func userManagedNext(ing *IngressSecurity) string {
	return fmt.Sprintf("nothing was imported; replace the certificate in the TLS secret %q, or switch the ingress to the system-managed secret "+
		"(UpdateIngressSecurity with IsTLSSecretSystemManaged true) and rerun", ing.TLSSecretName)
}

// checkValidity refuses a certificate outside its validity at now: the
// rotation would make the ingress serve a certificate every TLS client
// refuses and, with DeleteOld, delete the one that served. The vendor does
// not document that the server refuses it, and the file is opened here
// anyway, so the check costs nothing and nothing is sent.
func checkValidity(op string, leaf *x509.Certificate, now time.Time) error {
	const layout = "2006-01-02 15:04:05 MST"
	switch {
	case now.After(leaf.NotAfter):
		return apierror.Invalid(op, "the certificate in the file (%s) expired on %s: nothing was sent", leaf.Subject, leaf.NotAfter.UTC().Format(layout))
	case now.Before(leaf.NotBefore):
		return apierror.Invalid(op, "the certificate in the file (%s) is not yet valid: its validity starts on %s; nothing was sent", leaf.Subject, leaf.NotBefore.UTC().Format(layout))
	}
	return nil
}

// rotation is one run of RotateIdentityCertificate.
type rotation struct {
	c       *Client
	in      RotateIdentityCertificateInput
	wf      workflow.Settings
	opts    []CallOption
	res     *RotationResult
	serving string
}

func (r *rotation) report(stage RotationStage) {
	workflow.Report(r.wf, Progress{Stage: stage, Certificate: r.res.Certificate, Serving: r.serving})
}

func (r *rotation) fail(stage RotationStage, next string, err error) (*RotationResult, error) {
	return nil, &RotationError{Stage: stage, Name: r.in.Name, Certificate: r.res.Certificate, Serving: r.serving,
		OldName: r.res.OldName, Next: next, Err: err}
}

const rerun = "rerun the rotation: it reads the server's state first and does not import twice"

func (r *rotation) run(ctx context.Context, fingerprint string) (*RotationResult, error) {
	name := r.in.Name
	// 1. What the server holds.
	r.report(RotationStageChecking)
	ing, err := r.c.GetIngressSecurity(ctx, r.opts...)
	if err != nil {
		return r.fail(RotationStageChecking, "nothing was changed; "+rerun, err)
	}
	r.serving = ing.IdentityCertificateName
	if err := userManagedSecret(ing); err != nil {
		return r.fail(RotationStageChecking, userManagedNext(ing), err)
	}
	r.res.OldName = r.in.OldName
	if r.res.OldName == "" && ing.IdentityCertificateName != name {
		r.res.OldName = ing.IdentityCertificateName
	}
	certs, err := r.c.ListIdentityCertificates(ctx, r.opts...)
	if err != nil {
		return r.fail(RotationStageChecking, "nothing was changed; "+rerun, err)
	}
	existing, err := findByName(certs, name, fingerprint)
	if err != nil {
		return r.fail(RotationStageChecking, "nothing was changed; choose another name for the new certificate", err)
	}

	// 2. The new certificate in the store, once.
	if existing != nil {
		r.res.Certificate = existing
	} else {
		r.report(RotationStageImporting)
		crt, err := r.c.ImportIdentityCertificate(ctx, ImportIdentityCertificateInput{Name: name, PFX: r.in.PFX, Password: r.in.Password}, r.opts...)
		if err != nil {
			next := "the ingress still serves the old certificate; " + rerun
			if errors.Is(err, ErrImportedNotRead) {
				next = "the certificate was imported but not read back; the ingress still serves the old certificate; " + rerun
			}
			return r.fail(RotationStageImporting, next, err)
		}
		r.res.Certificate, r.res.Imported = crt, true
	}
	r.report(RotationStageImported)

	// 3. The ingress names it. The update carries the whole configuration,
	// so it is read again right before: the read at the checking stage may
	// be stale by now (the import takes time, another administrator may
	// have changed a member meanwhile), and sending it would revert that
	// change. Only identityCertificateName is merged into the fresh read.
	if ing.IdentityCertificateName != name {
		r.report(RotationStagePointing)
		fresh, err := r.c.GetIngressSecurity(ctx, r.opts...)
		if err != nil {
			return r.fail(RotationStagePointing, "the new certificate is in the store, the ingress was not changed and the old certificate is kept; "+rerun, err)
		}
		r.serving = fresh.IdentityCertificateName
		if err := userManagedSecret(fresh); err != nil {
			return r.fail(RotationStagePointing, "the new certificate is in the store, the ingress was not changed and the old certificate is kept; "+userManagedNext(fresh), err)
		}
		_, sent, err := r.c.updateIngress(ctx, "enterpriseadmin.UpdateIngressSecurity", fresh, UpdateIngressSecurityInput{IdentityCertificateName: &name}, r.opts)
		if err != nil {
			return r.fail(RotationStagePointing, "the new certificate is in the store and the old one is kept; the update may or may not have been applied: "+rerun, err)
		}
		r.res.Pointed = sent
	}

	// 4. The server says so.
	r.report(RotationStageVerifying)
	check := func(ctx context.Context) (*IngressSecurity, bool, error) {
		got, err := r.c.GetIngressSecurity(ctx, r.opts...)
		if err != nil {
			return nil, false, err
		}
		r.serving = got.IdentityCertificateName
		return got, got.IdentityCertificateName == name, nil
	}
	progress := func(*IngressSecurity) { r.report(RotationStageVerifying) }
	ing, err = poll.Until(ctx, r.wf.Poll(r.wf.WaitTimeout), check, progress)
	if err != nil {
		if errors.Is(err, poll.ErrTimeout) {
			err = fmt.Errorf("%w: %w", ErrIngressNotUpdated, err)
		}
		return r.fail(RotationStageVerifying, "the old certificate is kept; "+rerun, err)
	}
	r.res.Ingress = ing
	r.report(RotationStageServing)

	// 5. The old certificate, only now and never the one served.
	old := r.res.OldName
	if r.in.DeleteOld && old != "" && old != name {
		r.report(RotationStageDeletingOld)
		if err := r.deleteOld(ctx, old); err != nil {
			next := fmt.Sprintf("the ingress serves the new certificate; to delete the old one rerun with OldName %q", old)
			if errors.Is(err, ErrCertificateUsedBySAML) {
				next = fmt.Sprintf("the ingress serves the new certificate and the old one, %q, is kept because SAML sign-in uses it; "+
					"leave it, or point SAML at another certificate first and rerun with OldName %q", old, old)
			}
			return r.fail(RotationStageDeletingOld, next, err)
		}
	}
	r.report(RotationStageCompleted)
	return r.res, nil
}

// deleteOld deletes the certificate named old unless the ingress, as last
// read, or the SAML configuration names it. A certificate no longer listed is already deleted.
func (r *rotation) deleteOld(ctx context.Context, old string) error {
	serving := ""
	if r.res.Ingress != nil {
		serving = r.res.Ingress.IdentityCertificateName
	}
	if err := checkDeletable(serving, r.in.Name, old); err != nil {
		return err
	}
	// An identity certificate also signs SAML (the vendor's saml page); the
	// one SAML names is not deleted. Read failing, nothing is deleted.
	saml, err := r.c.GetSAMLSecurity(ctx, r.opts...)
	if err != nil {
		return fmt.Errorf("read the SAML configuration before deleting %q: %w", old, err)
	}
	if strings.EqualFold(saml.IdentityCertificateName, old) {
		return fmt.Errorf("%w %q (enabled %v): not deleted", ErrCertificateUsedBySAML, old, saml.Enabled)
	}
	certs, err := r.c.ListIdentityCertificates(ctx, r.opts...)
	if err != nil {
		return err
	}
	for _, crt := range certs {
		if crt.Name == old {
			if err := r.c.DeleteIdentityCertificate(ctx, crt.ID, r.opts...); err != nil {
				return err
			}
			r.res.OldDeleted = true
			return nil
		}
	}
	return nil
}

// checkDeletable refuses to delete old unless the ingress was last read
// naming the new certificate, which old is not (in any letter case).
func checkDeletable(serving, newName, old string) error {
	if serving == "" || serving != newName || strings.EqualFold(serving, old) {
		return apierror.Invalid("enterpriseadmin.RotateIdentityCertificate",
			"refusing to delete %q: the ingress was last read naming %q, not only the new certificate %q", old, serving, newName)
	}
	return nil
}

// findByName returns the certificate named name if it is the one with
// fingerprint (nil when none has the name), and ErrCertificateNameTaken
// when another certificate has it (in any letter case, as the server's
// names may be unique without regard to case).
func findByName(certs []Certificate, name, fingerprint string) (*Certificate, error) {
	for i := range certs {
		if !strings.EqualFold(certs[i].Name, name) {
			continue
		}
		if certs[i].Name == name && normalFingerprint(certs[i].SHA256Fingerprint) == fingerprint {
			return &certs[i], nil
		}
		return nil, fmt.Errorf("%w: %q (SHA-256 %s) is not the certificate in the file (SHA-256 %s)", ErrCertificateNameTaken, certs[i].Name, certs[i].SHA256Fingerprint, fingerprint)
	}
	return nil, nil
}

// normalFingerprint is a hexadecimal fingerprint in lower case without
// separators.
func normalFingerprint(s string) string {
	return strings.ToLower(strings.NewReplacer(":", "", " ", "", "-", "").Replace(s))
}

package mimcm

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log/slog"

	"github.com/google/uuid"
	"software.sslmate.com/src/go-pkcs12"

	"github.com/certadmin/certadmin-go/internal/atomicfile"
	"github.com/certadmin/certadmin-go/mimcm/internal/pkcs7"
)

// Received is what an enrollment holds once the CA may have issued: the
// material an *EnrollError carries (EnrollError.Received) so that nothing
// issued is lost when a later step fails (a chain or key check, an answer
// with a member of an unexpected type, a failed completion, no answer at
// all).
//
// It holds secrets (private keys, the PFX password): its String, GoString
// and LogValue print only counts. Save it with WriteFiles.
type Received struct {
	RequestID uuid.UUID
	// Answer is the body of the certificate data answer as it came (JSON
	// with the PKCS#7 and PFX blobs in base64); nil when no answer came.
	Answer []byte
	// Issued are the answer's items as far as they could be read.
	Issued []IssuedCertificate
	// Certificates are the certificates the answer's blobs hold, as far as
	// they could be decoded (PKCS#7 blobs, and PFX blobs that open with
	// PFXPassword).
	Certificates []*x509.Certificate
	// Keys are the private keys generated for the certificate requests, in
	// the order the requests were sent, then the keys of the PFX blobs
	// that opened.
	Keys []crypto.Signer
	// PFXPassword opens the PFX blobs of the answer (the caller's, or the
	// random one the workflow chose).
	PFXPassword string
}

// String describes r without its secrets.
func (r *Received) String() string {
	if r == nil {
		return "<nil>"
	}
	return fmt.Sprintf("mimcm.Received{request %s: %d answer bytes, %d item(s), %d certificate(s), %d key(s), PFX password [redacted]}",
		r.RequestID, len(r.Answer), len(r.Issued), len(r.Certificates), len(r.Keys))
}

// GoString is String, so that %#v does not print the keys.
func (r *Received) GoString() string { return r.String() }

// LogValue is what slog logs for r: counts, no secrets.
func (r *Received) LogValue() slog.Value { return slog.StringValue(r.String()) }

// PEM returns the certificates, then the private keys (PKCS#8), as PEM.
func (r *Received) PEM() ([]byte, error) {
	var b bytes.Buffer
	for _, c := range r.Certificates {
		if err := pem.Encode(&b, &pem.Block{Type: "CERTIFICATE", Bytes: c.Raw}); err != nil {
			return nil, err
		}
	}
	for _, k := range r.Keys {
		der, err := x509.MarshalPKCS8PrivateKey(k)
		if err != nil {
			return nil, fmt.Errorf("mimcm: encode a received key: %w", err)
		}
		if err := pem.Encode(&b, &pem.Block{Type: "PRIVATE KEY", Bytes: der}); err != nil {
			return nil, err
		}
	}
	return b.Bytes(), nil
}

// WriteFiles saves r beside prefix, each file written atomically with
// mode 0600 (it appears only once complete): prefix.pem (PEM), every PFX
// blob of the answer as prefix-<n>.pfx, the PFX password in
// prefix.pfx-password, and the answer as it came in prefix.answer.json.
// Files with nothing to hold are not written. It returns the names
// written; on an error, those written before it.
func (r *Received) WriteFiles(prefix string) ([]string, error) {
	var written []string
	write := func(name string, b []byte) error {
		if err := atomicfile.Write(name, 0o600, func(w io.Writer) error {
			_, err := w.Write(b)
			return err
		}); err != nil {
			return err
		}
		written = append(written, name)
		return nil
	}
	var errs []error
	if len(r.Certificates) > 0 || len(r.Keys) > 0 {
		b, err := r.PEM()
		if err == nil {
			err = write(prefix+".pem", b)
		}
		errs = append(errs, err)
	}
	pfx := 0
	for _, ic := range r.Issued {
		if len(ic.PFX) > 0 {
			pfx++
			errs = append(errs, write(fmt.Sprintf("%s-%d.pfx", prefix, pfx), ic.PFX))
		}
	}
	// The password goes with anything saved: it opens the PFX blobs of the
	// answer, and any the server keeps for the request.
	if r.PFXPassword != "" && (len(written) > 0 || pfx > 0 || len(r.Answer) > 0) {
		errs = append(errs, write(prefix+".pfx-password", []byte(r.PFXPassword+"\n")))
	}
	if len(r.Answer) > 0 {
		errs = append(errs, write(prefix+".answer.json", r.Answer))
	}
	return written, errors.Join(errs...)
}

// received builds the material of a failure after the certificate data was
// sent: everything the answer's blobs hold that decodes, beside the keys
// the workflow generated.
func received(id uuid.UUID, answer []byte, issued []IssuedCertificate, keys []crypto.Signer, password string) *Received {
	r := &Received{RequestID: id, Answer: answer, Issued: issued, Keys: append([]crypto.Signer{}, keys...), PFXPassword: password}
	for _, ic := range issued {
		if len(ic.PKCS7) > 0 {
			if certs, err := pkcs7.Certificates(ic.PKCS7); err == nil {
				r.Certificates = append(r.Certificates, certs...)
			}
		}
		if len(ic.PFX) > 0 {
			if key, leaf, cas, err := pkcs12.DecodeChain(ic.PFX, password); err == nil {
				r.Certificates = append(append(r.Certificates, leaf), cas...)
				if k, ok := key.(crypto.Signer); ok {
					r.Keys = append(r.Keys, k)
				}
			}
		}
	}
	return r
}

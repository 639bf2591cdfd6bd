package enterpriseadmin

import (
	"crypto"
	"crypto/x509"

	"software.sslmate.com/src/go-pkcs12"

	"github.com/certadmin/certadmin-go/internal/apierror"
)

// NewPKCS12 encodes a certificate, its private key and the CA certificates
// of its chain (leaf's issuer first; may be empty) as a PKCS#12 file under
// password, the file ImportIdentityCertificate takes. The encoding is
// go-pkcs12's Modern2023 (AES-256 and PBKDF2), which ArcGIS Enterprise's
// Java runtime opens. The key must belong to the certificate, and the
// password must not be empty: the import sends it as a required field.
func NewPKCS12(cert *x509.Certificate, key crypto.PrivateKey, chain []*x509.Certificate, password string) ([]byte, error) {
	const op = "enterpriseadmin.NewPKCS12"
	switch {
	case cert == nil:
		return nil, apierror.Invalid(op, "no certificate")
	case key == nil:
		return nil, apierror.Invalid(op, "no private key")
	case password == "":
		return nil, apierror.Invalid(op, "the password is empty")
	}
	signer, ok := key.(crypto.Signer)
	if !ok {
		return nil, apierror.Invalid(op, "the private key (%T) cannot sign", key)
	}
	pub, ok := signer.Public().(interface{ Equal(crypto.PublicKey) bool })
	if !ok || !pub.Equal(cert.PublicKey) {
		return nil, apierror.Invalid(op, "the private key does not belong to the certificate")
	}
	for i, ca := range chain {
		if ca == nil {
			return nil, apierror.Invalid(op, "chain certificate %d is nil", i)
		}
	}
	pfx, err := pkcs12.Modern2023.Encode(key, cert, chain, password)
	if err != nil {
		return nil, &apierror.Error{Op: op, Kind: apierror.ErrInvalidInput, Message: "encode PKCS#12", Err: err}
	}
	return pfx, nil
}

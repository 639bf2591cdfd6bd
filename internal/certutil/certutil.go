// Package certutil checks certificate material locally before it is sent:
// a PKCS#12 file that does not open with its password, holds no key or
// several keys, or a "certificate" that is not one, is rejected before any
// request reaches the server.
package certutil

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"

	"software.sslmate.com/src/go-pkcs12"
)

// PKCS12Info describes a checked PKCS#12 file.
type PKCS12Info struct {
	Leaf       *x509.Certificate
	CACerts    []*x509.Certificate
	PrivateKey any
}

// ErrNotPKCS12 means the data is not a PKCS#12 file at all (e.g. PEM text).
var ErrNotPKCS12 = errors.New("not a PKCS#12 file")

// ErrPKCS12Password means the file is PKCS#12 but the password does not open it.
var ErrPKCS12Password = errors.New("PKCS#12 password is wrong")

// CheckPKCS12 opens data with password and requires exactly one private
// key with its certificate. The error never contains the password.
func CheckPKCS12(data []byte, password string) (*PKCS12Info, error) {
	if len(data) == 0 {
		return nil, fmt.Errorf("%w: empty file", ErrNotPKCS12)
	}
	if data[0] != 0x30 { // DER SEQUENCE; PEM and text start otherwise
		if bytes.HasPrefix(bytes.TrimSpace(data), []byte("-----BEGIN")) {
			return nil, fmt.Errorf("%w: the file is PEM text; convert it with openssl pkcs12 -export", ErrNotPKCS12)
		}
		return nil, ErrNotPKCS12
	}
	key, leaf, cas, err := pkcs12.DecodeChain(data, password)
	if err != nil {
		msg := err.Error()
		switch {
		case errors.Is(err, pkcs12.ErrIncorrectPassword):
			return nil, ErrPKCS12Password
		case strings.Contains(msg, "expected exactly one key bag"):
			return nil, errors.New("PKCS#12 file holds more than one private key; exactly one is supported")
		case strings.Contains(msg, "private key missing"):
			return nil, errors.New("PKCS#12 file holds no private key")
		case strings.Contains(msg, "certificate missing"):
			return nil, errors.New("PKCS#12 file holds no certificate")
		}
		return nil, fmt.Errorf("%w: %s", ErrNotPKCS12, msg)
	}
	return &PKCS12Info{Leaf: leaf, CACerts: cas, PrivateKey: key}, nil
}

// ParseCertificate accepts one X.509 certificate as DER or PEM.
func ParseCertificate(data []byte) (*x509.Certificate, error) {
	der := data
	if block, _ := pem.Decode(bytes.TrimSpace(data)); block != nil {
		if block.Type != "CERTIFICATE" {
			return nil, fmt.Errorf("PEM block is %q, not CERTIFICATE", block.Type)
		}
		der = block.Bytes
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("not an X.509 certificate (DER or PEM): %w", err)
	}
	return cert, nil
}

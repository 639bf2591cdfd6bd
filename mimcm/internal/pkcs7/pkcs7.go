// Package pkcs7 reads the certificates out of a PKCS#7 / CMS SignedData
// blob (RFC 5652), as a Windows CA and MIM CM return them: a bare
// "certs-only" SignedData, or a CMC response (RFC 5272) whose SignedData
// also carries content and a signature. Only the certificates are read;
// the signature is not checked (the caller verifies the chain it gets).
// It also writes the certs-only form, for fakes.
package pkcs7

import (
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
)

var (
	oidSignedData = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}
	oidData       = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
)

type contentInfo struct {
	ContentType asn1.ObjectIdentifier
	Content     asn1.RawValue `asn1:"explicit,tag:0"`
}

type encapContent struct {
	ContentType asn1.ObjectIdentifier
	Content     asn1.RawValue `asn1:"optional,explicit,tag:0"`
}

type signedData struct {
	Version          int
	DigestAlgorithms asn1.RawValue
	EncapContent     encapContent
	Certificates     asn1.RawValue `asn1:"optional,tag:0"`
	CRLs             asn1.RawValue `asn1:"optional,tag:1"`
	SignerInfos      asn1.RawValue
}

// ErrNotPKCS7 means the data is not a PKCS#7 SignedData blob.
var ErrNotPKCS7 = errors.New("not a PKCS#7 SignedData blob")

// Certificates returns the certificates a SignedData blob (DER) carries,
// in its order.
func Certificates(der []byte) ([]*x509.Certificate, error) {
	var ci contentInfo
	rest, err := asn1.Unmarshal(der, &ci)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotPKCS7, err)
	}
	if len(rest) > 0 {
		return nil, fmt.Errorf("%w: %d bytes after the end", ErrNotPKCS7, len(rest))
	}
	if !ci.ContentType.Equal(oidSignedData) {
		return nil, fmt.Errorf("%w: content type %v", ErrNotPKCS7, ci.ContentType)
	}
	var sd signedData
	if _, err := asn1.Unmarshal(ci.Content.Bytes, &sd); err != nil {
		return nil, fmt.Errorf("%w: SignedData: %w", ErrNotPKCS7, err)
	}
	if len(sd.Certificates.Bytes) == 0 {
		return nil, errors.New("the PKCS#7 blob holds no certificate")
	}
	var certs []*x509.Certificate
	for b := sd.Certificates.Bytes; len(b) > 0; {
		var raw asn1.RawValue
		next, err := asn1.Unmarshal(b, &raw)
		if err != nil {
			return nil, fmt.Errorf("%w: certificate set: %w", ErrNotPKCS7, err)
		}
		b = next
		if raw.Class != asn1.ClassUniversal || raw.Tag != asn1.TagSequence {
			continue // an attribute or other certificate format (RFC 5652 CertificateChoices)
		}
		c, err := x509.ParseCertificate(raw.FullBytes)
		if err != nil {
			return nil, fmt.Errorf("PKCS#7 certificate %d: %w", len(certs)+1, err)
		}
		certs = append(certs, c)
	}
	if len(certs) == 0 {
		return nil, errors.New("the PKCS#7 blob holds no X.509 certificate")
	}
	return certs, nil
}

// CertsOnly writes a certs-only SignedData blob (DER) holding certs.
func CertsOnly(certs ...*x509.Certificate) ([]byte, error) {
	var set []byte
	for _, c := range certs {
		set = append(set, c.Raw...)
	}
	empty := asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSet, IsCompound: true, Bytes: []byte{}}
	sd := signedData{
		Version:          1,
		DigestAlgorithms: empty,
		EncapContent:     encapContent{ContentType: oidData},
		Certificates:     asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: set},
		SignerInfos:      empty,
	}
	inner, err := asn1.Marshal(sd)
	if err != nil {
		return nil, err
	}
	return asn1.Marshal(contentInfo{ContentType: oidSignedData, Content: asn1.RawValue{FullBytes: wrapExplicit0(inner)}})
}

// wrapExplicit0 is [0] EXPLICIT around der.
func wrapExplicit0(der []byte) []byte {
	b, _ := asn1.Marshal(asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: der})
	return b
}

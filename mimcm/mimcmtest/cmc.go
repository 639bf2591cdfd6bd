package mimcmtest

import (
	"crypto/x509"
	"encoding/asn1"
	"fmt"

	cms "github.com/smallstep/pkcs7"

	"github.com/certadmin/certadmin-go/mimcm/internal/pkcs7"
)

// OIDs of a CMC full response (RFC 5272).
var (
	// oidPKIResponse is id-cct-PKIResponse, the content type of the
	// SignedData.
	oidPKIResponse = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 12, 3}
	// oidCMCStatusInfo is id-cmc-statusInfo, the control saying how the
	// request went.
	oidCMCStatusInfo = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 7, 1}
)

type cmcStatusInfo struct {
	Status       int
	BodyList     []int
	StatusString string `asn1:"utf8,optional"`
}

type taggedAttribute struct {
	BodyPartID int
	AttrType   asn1.ObjectIdentifier
	AttrValues []asn1.RawValue `asn1:"set"`
}

type pkiResponse struct {
	ControlSequence  []taggedAttribute
	CMSSequence      []asn1.RawValue
	OtherMsgSequence []asn1.RawValue
}

// SetCertsOnlyPKCS7 makes the fake answer certificate data with a bare
// certs-only PKCS#7 (SignedData without content or signer), as some
// clients of a Windows CA see it, instead of the CMC full response the
// vendor's sample shows (the default).
func (s *Server) SetCertsOnlyPKCS7(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.certsOnly = on
}

// issuedPKCS7 is the Pkcs7 blob of an issued certificate: by default a
// CMC full response as in the vendor's sample of the certificate data
// answer (get-certificate-responses, "Response body"; decoded, it is a
// SignedData version 3 whose content type is id-cct-PKIResponse, whose
// PKIResponse carries a CMCStatusInfo "success, Issued" for body part 1,
// signed by the issuing CA with contentType and messageDigest signed
// attributes, with the CA's and the issued certificates). The fake signs
// with its CA's ECDSA key and SHA-256 where the sample has RSA and
// SHA-1, and leaves out the sample's Microsoft-specific control
// (1.3.6.1.4.1.311.10.10.1, added attributes). Called with s.mu held.
func (s *Server) issuedPKCS7(cert *x509.Certificate) ([]byte, error) {
	if s.certsOnly {
		return pkcs7.CertsOnly(cert, s.ca.cert)
	}
	status, err := asn1.Marshal(cmcStatusInfo{Status: 0, BodyList: []int{1}, StatusString: "Issued"})
	if err != nil {
		return nil, err
	}
	content, err := asn1.Marshal(pkiResponse{
		ControlSequence:  []taggedAttribute{{BodyPartID: 1, AttrType: oidCMCStatusInfo, AttrValues: []asn1.RawValue{{FullBytes: status}}}},
		CMSSequence:      []asn1.RawValue{},
		OtherMsgSequence: []asn1.RawValue{},
	})
	if err != nil {
		return nil, err
	}
	sd, err := cms.NewSignedData(content)
	if err != nil {
		return nil, err
	}
	// Set before signing: the signed contentType attribute repeats it.
	sd.GetSignedData().ContentInfo.ContentType = oidPKIResponse
	sd.SetDigestAlgorithm(cms.OIDDigestAlgorithmSHA256)
	if err := sd.AddSigner(s.ca.cert, s.ca.key, cms.SignerInfoConfig{}); err != nil {
		return nil, fmt.Errorf("CMC response: %w", err)
	}
	sd.AddCertificate(cert)
	// RFC 5652 section 5.1: version 3 when the content is not id-data.
	sd.GetSignedData().Version = 3
	return sd.Finish()
}

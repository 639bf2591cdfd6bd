package mimcm

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"strconv"
	"strings"
)

// newKey generates the key pair the generation options ask for.
func newKey(o GenerationOptions) (crypto.Signer, error) {
	alg := strings.ToUpper(strings.TrimSpace(o.KeyAlgorithmName))
	switch {
	case alg == "RSA":
		size := int(o.KeySize)
		if size == 0 {
			size = 2048
		}
		if size < 2048 || size > 16384 {
			return nil, fmt.Errorf("an RSA key of %d bits is not generated (2048 to 16384)", size)
		}
		return rsa.GenerateKey(rand.Reader, size)
	case strings.HasPrefix(alg, "ECDSA") || strings.HasPrefix(alg, "ECDH") || alg == "EC":
		// CNG names carry the curve ("ECDSA_P256"); bare "ECDSA" takes it from KeySize.
		bits := strings.TrimLeft(strings.TrimPrefix(strings.TrimPrefix(strings.TrimPrefix(alg, "ECDSA"), "ECDH"), "EC"), "_P")
		if bits == "" {
			bits = strconv.Itoa(int(o.KeySize))
		}
		var curve elliptic.Curve
		switch bits {
		case "256":
			curve = elliptic.P256()
		case "384":
			curve = elliptic.P384()
		case "521":
			curve = elliptic.P521()
		default:
			return nil, fmt.Errorf("elliptic curve key %q of %d bits is not supported (P-256, P-384, P-521)", o.KeyAlgorithmName, o.KeySize)
		}
		return ecdsa.GenerateKey(curve, rand.Reader)
	}
	return nil, fmt.Errorf("key algorithm %q is not supported (RSA, ECDSA_P256, ECDSA_P384, ECDSA_P521)", o.KeyAlgorithmName)
}

// signatureAlgorithm maps the options' hash to the signature algorithm
// for key.
func signatureAlgorithm(hash string, key crypto.Signer) (x509.SignatureAlgorithm, error) {
	h := strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(hash), "-", ""))
	_, isRSA := key.(*rsa.PrivateKey)
	table := map[string][2]x509.SignatureAlgorithm{
		"SHA1":   {x509.SHA1WithRSA, x509.ECDSAWithSHA1},
		"SHA256": {x509.SHA256WithRSA, x509.ECDSAWithSHA256},
		"SHA384": {x509.SHA384WithRSA, x509.ECDSAWithSHA384},
		"SHA512": {x509.SHA512WithRSA, x509.ECDSAWithSHA512},
		"":       {x509.SHA256WithRSA, x509.ECDSAWithSHA256},
	}
	pair, ok := table[h]
	if !ok {
		return 0, fmt.Errorf("hash algorithm %q is not supported (SHA1, SHA256, SHA384, SHA512)", hash)
	}
	if isRSA {
		return pair[0], nil
	}
	return pair[1], nil
}

// newCSR generates a key pair and a PKCS#10 request (DER) as o says.
func newCSR(o GenerationOptions) (crypto.Signer, []byte, error) {
	key, err := newKey(o)
	if err != nil {
		return nil, nil, err
	}
	alg, err := signatureAlgorithm(o.HashAlgorithmName, key)
	if err != nil {
		return nil, nil, err
	}
	rdns, err := ParseSubject(o.Subject)
	if err != nil {
		return nil, nil, err
	}
	raw, err := asn1.Marshal(rdns)
	if err != nil {
		return nil, nil, err
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{RawSubject: raw, SignatureAlgorithm: alg}, key)
	if err != nil {
		return nil, nil, fmt.Errorf("create the certificate request: %w", err)
	}
	return key, der, nil
}

// attributeTypes are the X.500 attribute names Windows writes in subject
// strings.
var attributeTypes = map[string]asn1.ObjectIdentifier{
	"CN": {2, 5, 4, 3}, "SN": {2, 5, 4, 4}, "SERIALNUMBER": {2, 5, 4, 5}, "C": {2, 5, 4, 6}, "L": {2, 5, 4, 7},
	"S": {2, 5, 4, 8}, "ST": {2, 5, 4, 8}, "STREET": {2, 5, 4, 9}, "O": {2, 5, 4, 10}, "OU": {2, 5, 4, 11},
	"T": {2, 5, 4, 12}, "TITLE": {2, 5, 4, 12}, "G": {2, 5, 4, 42}, "GN": {2, 5, 4, 42}, "GIVENNAME": {2, 5, 4, 42},
	"I": {2, 5, 4, 43}, "E": {1, 2, 840, 113549, 1, 9, 1}, "EMAIL": {1, 2, 840, 113549, 1, 9, 1},
	"DC": {0, 9, 2342, 19200300, 100, 1, 25}, "UID": {0, 9, 2342, 19200300, 100, 1, 1},
}

// ia5Types are the attributes whose values are IA5String (domain
// components and e-mail addresses), as Windows encodes them.
var ia5Types = map[string]bool{"0.9.2342.19200300.100.1.25": true, "1.2.840.113549.1.9.1": true}

// ParseSubject reads a subject name in the X.500 string form Windows and
// the generation options use ("CN=Jane Doe, OU=Users, DC=contoso,
// DC=com"; most specific first, "," or ";" between names, "+" between
// the parts of one, values quoted or with backslash escapes, "OID.1.2.3"
// or a dotted OID for other types) into the RDN sequence of a
// certificate request, most general first. "" is the empty name.
func ParseSubject(s string) (pkix.RDNSequence, error) {
	parts, err := splitDN(s)
	if err != nil {
		return nil, err
	}
	seq := pkix.RDNSequence{}
	for i := len(parts) - 1; i >= 0; i-- {
		var rdn pkix.RelativeDistinguishedNameSET
		for _, av := range parts[i] {
			name, value, ok := strings.Cut(av, "=")
			if !ok {
				return nil, fmt.Errorf("subject %q: %q is not TYPE=value", s, av)
			}
			oid, err := attributeOID(strings.TrimSpace(name))
			if err != nil {
				return nil, fmt.Errorf("subject %q: %w", s, err)
			}
			v, err := unquote(strings.TrimSpace(value))
			if err != nil {
				return nil, fmt.Errorf("subject %q: %w", s, err)
			}
			var enc any = v
			if ia5Types[oid.String()] {
				enc = asn1.RawValue{Tag: asn1.TagIA5String, Bytes: []byte(v)}
			}
			rdn = append(rdn, pkix.AttributeTypeAndValue{Type: oid, Value: enc})
		}
		seq = append(seq, rdn)
	}
	return seq, nil
}

func attributeOID(name string) (asn1.ObjectIdentifier, error) {
	if oid, ok := attributeTypes[strings.ToUpper(name)]; ok {
		return oid, nil
	}
	dotted := strings.TrimPrefix(strings.TrimPrefix(name, "OID."), "oid.")
	var oid asn1.ObjectIdentifier
	for _, p := range strings.Split(dotted, ".") {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return nil, fmt.Errorf("unknown attribute type %q", name)
		}
		oid = append(oid, n)
	}
	if len(oid) < 2 {
		return nil, fmt.Errorf("unknown attribute type %q", name)
	}
	return oid, nil
}

// splitDN splits s into names and their "+"-joined parts, outside quotes
// and escapes.
func splitDN(s string) ([][]string, error) {
	var out [][]string
	var rdn []string
	var cur strings.Builder
	quoted, escaped := false, false
	flush := func(endRDN bool) {
		if t := strings.TrimSpace(cur.String()); t != "" {
			rdn = append(rdn, t)
		}
		cur.Reset()
		if endRDN && len(rdn) > 0 {
			out = append(out, rdn)
			rdn = nil
		}
	}
	for _, r := range s {
		switch {
		case escaped:
			cur.WriteRune(r)
			escaped = false
			continue
		case r == '\\':
			escaped = true
		case r == '"':
			quoted = !quoted
		case !quoted && (r == ',' || r == ';'):
			flush(true)
			continue
		case !quoted && r == '+':
			flush(false)
			continue
		}
		cur.WriteRune(r)
	}
	if quoted || escaped {
		return nil, fmt.Errorf("subject %q ends inside a quote or an escape", s)
	}
	flush(true)
	return out, nil
}

// unquote removes the quotes around a value and its backslash escapes.
func unquote(v string) (string, error) {
	if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
		v = v[1 : len(v)-1]
	}
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		if v[i] == '\\' && i+1 < len(v) {
			i++
		}
		b.WriteByte(v[i])
	}
	if b.Len() == 0 {
		return "", fmt.Errorf("an attribute has an empty value")
	}
	return b.String(), nil
}

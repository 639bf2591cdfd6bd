package enterpriseadmintest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/certadmin/certadmin-go/enterpriseadmin"
)

// generatedRun is a run of certificates AddGeneratedCertificates put into
// a store: a count, each certificate's description written when the list
// is.
type generatedRun struct {
	first    int
	n        int
	notAfter time.Time
	key      *ecdsa.PublicKey
}

// AddGeneratedCertificates adds n certificates, all expiring in expiresIn,
// to the identity or trust store. They hold no DER: the store's list
// describes each as an imported certificate is described (name and
// subject generated-<i>.example.com, id gen followed by 18 digits, issued
// by CN=enterpriseadmintest generated CA, valid for a year up to its end,
// fingerprints of a stand-in, not of DER), after the store's other
// certificates. Only the list knows them: a request naming one answers as
// for an unknown certificate. It is for listing large stores cheaply.
func (s *Server) AddGeneratedCertificates(typ enterpriseadmin.CertificateType, n int, expiresIn time.Duration) error {
	var st *store
	switch typ {
	case enterpriseadmin.CertificateTypeIdentity:
		st = s.identity
	case enterpriseadmin.CertificateTypeTrust:
		st = s.trust
	default:
		return fmt.Errorf("enterpriseadmintest: no store %q", typ)
	}
	if n <= 0 {
		return nil
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	s.mu.Lock()
	first := s.generated
	s.generated += n
	s.mu.Unlock()
	st.mu.Lock()
	defer st.mu.Unlock()
	st.generated = append(st.generated, generatedRun{first: first, n: n, notAfter: time.Now().Add(expiresIn).Truncate(time.Millisecond), key: &key.PublicKey})
	return nil
}

// writeGenerated appends the descriptions of the store's generated
// certificates, each after a comma when comma is set or it is not the
// first. The caller holds st.mu.
func (st *store) writeGenerated(b *strings.Builder, typ string, comma bool) {
	for _, g := range st.generated {
		for i := range g.n {
			if comma {
				b.WriteByte(',')
			}
			comma = true
			seq := g.first + i
			name := fmt.Sprintf("generated-%d.example.com", seq)
			x := &x509.Certificate{
				Raw:                []byte("enterpriseadmintest generated " + name),
				SerialNumber:       big.NewInt(int64(0x6e000000 + seq)),
				Subject:            pkix.Name{CommonName: name},
				Issuer:             pkix.Name{CommonName: "enterpriseadmintest generated CA"},
				NotBefore:          g.notAfter.AddDate(-1, 0, 0),
				NotAfter:           g.notAfter,
				PublicKeyAlgorithm: x509.ECDSA,
				PublicKey:          g.key,
				SignatureAlgorithm: x509.ECDSAWithSHA256,
				Version:            3,
				DNSNames:           []string{name},
			}
			b.Write(describe(x, fmt.Sprintf("gen%018d", seq), name, typ))
		}
	}
}

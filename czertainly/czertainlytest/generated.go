package czertainlytest

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"time"

	czertainly "github.com/certadmin/certadmin-go/czertainly"
)

// generatedRun is a run of certificates AddGeneratedCertificates put into
// the inventory: a count, not n certificates, so a test can list tens of
// thousands; each is rendered when a search reaches it.
type generatedRun struct {
	first    int // sequence number of the first certificate
	n        int
	notAfter time.Time
	lifetime time.Duration
	created  time.Time
}

// AddGeneratedCertificates adds n issued certificates, all expiring in
// expiresIn, that hold no DER: the certificate search lists them as
// certificates of the RA profile RAProfileUUID issued by the fake's CA
// (subject CN=generated-<i>.example.com, a serial of their own), older than
// every other certificate (created ten years back), so they come last in
// Core's newest-first order. Only the search knows them: any request
// naming one by UUID answers 404, as for a certificate deleted meanwhile.
// It is for listing large inventories cheaply. A negative n is an error,
// as in the other fakes.
func (s *Server) AddGeneratedCertificates(n int, expiresIn time.Duration) error {
	if n < 0 {
		return fmt.Errorf("czertainlytest: AddGeneratedCertificates(%d): a count of at least 0", n)
	}
	if n == 0 {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock()
	first := 0
	if k := len(s.generated); k > 0 {
		first = s.generated[k-1].first + s.generated[k-1].n
	}
	s.generated = append(s.generated, generatedRun{first: first, n: n, notAfter: now.Add(expiresIn).Truncate(time.Second),
		lifetime: s.cfg.lifetime, created: now.AddDate(-10, 0, 0).Add(time.Duration(len(s.generated)) * time.Second)})
	return nil
}

// generatedCount is how many certificates the runs hold.
func (s *Server) generatedCount() int {
	total := 0
	for _, g := range s.generated {
		total += g.n
	}
	return total
}

// generatedAt renders the i-th generated certificate in newest-first order
// (the last run's last certificate first).
func (s *Server) generatedAt(i int) *certificate {
	for k := len(s.generated) - 1; k >= 0; k-- {
		g := s.generated[k]
		if i < g.n {
			return s.renderGenerated(g, g.first+g.n-1-i)
		}
		i -= g.n
	}
	return nil
}

func (s *Server) renderGenerated(g generatedRun, seq int) *certificate {
	cn := fmt.Sprintf("generated-%d.example.com", seq)
	x := &x509.Certificate{
		// Raw is no DER, only a unique stand-in for the fingerprint.
		Raw:                []byte("czertainlytest generated " + cn),
		SerialNumber:       new(big.Int).SetInt64(int64(0x6e000000 + seq)),
		Subject:            pkix.Name{CommonName: cn},
		Issuer:             s.ca.cert.Subject,
		NotBefore:          g.notAfter.Add(-g.lifetime),
		NotAfter:           g.notAfter,
		SignatureAlgorithm: x509.ECDSAWithSHA256,
		PublicKey:          s.ca.cert.PublicKey,
		DNSNames:           []string{cn},
	}
	return &certificate{uuid: fmt.Sprintf("6e000000-0000-4000-8000-%012x", seq), created: g.created,
		state: czertainly.CertificateStateIssued, x509: x, profile: &raProfiles[0]}
}

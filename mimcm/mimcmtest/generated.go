package mimcmtest

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/certadmin/certadmin-go/mimcm/mimcmapi"
)

// generatedRun is a run of software profiles AddGeneratedProfiles made: a
// count, each profile and certificate written when a call asks for it.
type generatedRun struct {
	first    int // index of the first profile among the generated ones
	n, per   int
	certBase int // sequence number of the run's first certificate
	notAfter time.Time
}

// AddGeneratedProfiles adds n active software profiles of the signed-in
// user, each holding perProfile certificates that all expire in expiresIn,
// without keys or DER: the profile list, a profile's data and
// certificates, and the user's certificate list (with the dates and the
// fake CA as issuer) write them when asked, so a test can list large
// inventories. They come after the other profiles and certificates, offer
// no operations (ProfileOperations is empty, so requests for them are
// refused as for any profile without that operation), and are unknown to
// the request calls.
func (s *Server) AddGeneratedProfiles(n, perProfile int, expiresIn time.Duration) {
	if n <= 0 || perProfile < 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	first, certBase := 0, 0
	if k := len(s.generated); k > 0 {
		last := s.generated[k-1]
		first, certBase = last.first+last.n, last.certBase+last.n*last.per
	}
	s.generated = append(s.generated, generatedRun{first: first, n: n, per: perProfile, certBase: certBase,
		notAfter: time.Now().UTC().Add(expiresIn).Truncate(time.Second)})
}

const generatedPrefix = "6e000000-0000-4000-8000-"

func generatedProfileID(i int) uuid.UUID {
	return uuid.MustParse(fmt.Sprintf("%s%012d", generatedPrefix, i))
}

// generatedProfile renders the profile of id, or nil when id is none of
// the generated ones. The caller holds s.mu.
func (s *Server) generatedProfile(id uuid.UUID) *profile {
	rest, ok := strings.CutPrefix(id.String(), generatedPrefix)
	i, err := strconv.Atoi(rest)
	if !ok || err != nil {
		return nil
	}
	for _, g := range s.generated {
		if i >= g.first && i < g.first+g.n {
			return s.renderProfile(g, i-g.first)
		}
	}
	return nil
}

// renderProfile is profile k of run g, with its certificates as a
// profile's certificate list writes them: no dates or issuer
// (get-smartcard-profile-certificates.md, response body and sample).
func (s *Server) renderProfile(g generatedRun, k int) *profile {
	p := &profile{w: mimcmapi.Profile{Uuid: generatedProfileID(g.first + k), Status: int32(profileActive), Flags: ptr(int32(1)),
		ParentProfileUuid: ptr(uuid.Nil), PrimaryProfileUuid: ptr(uuid.Nil), AssignedUserUuid: ptr(UserUUID),
		ProfileTemplateUuid: ptr(TemplateSoftware), ProfileTemplateVersion: ptr(int32(1)), Comment: ptr(""), ProfileOperations: &[]string{}}}
	for j := range g.per {
		seq := g.certBase + k*g.per + j
		p.certs = append(p.certs, userCert{raw: marshal(map[string]any{"IsKeyHistory": false, "ArchivedOnCa": false, "CertificateType": 1,
			"TemplateCommonName": "KSPusercertificate", "SerialNumber": generatedSerial(seq), "Thumbprint": generatedThumbprint(seq)})})
	}
	return p
}

func generatedSerial(seq int) string     { return fmt.Sprintf("6E%036X", seq) }
func generatedThumbprint(seq int) string { return fmt.Sprintf("6E%038X", seq) }

// generatedProfiles appends every generated profile. The caller holds s.mu.
func (s *Server) generatedProfiles(items [][]byte) [][]byte {
	for _, g := range s.generated {
		for k := range g.n {
			items = append(items, marshal(s.renderProfile(g, k).w))
		}
	}
	return items
}

// generatedUserCertificates appends the generated certificates as the
// user's certificate list writes them. The caller holds s.mu.
func (s *Server) generatedUserCertificates(items [][]byte) [][]byte {
	const zoneless = "2006-01-02T15:04:05"
	for _, g := range s.generated {
		notAfter, notBefore := g.notAfter.Format(zoneless), g.notAfter.AddDate(-1, 0, 0).Format(zoneless)
		for seq := g.certBase; seq < g.certBase+g.n*g.per; seq++ {
			items = append(items, marshal(map[string]any{"IsKeyHistory": false, "ArchivedOnCa": false, "CertificateType": 1,
				"TemplateCommonName": "KSPusercertificate", "SerialNumber": generatedSerial(seq), "Thumbprint": generatedThumbprint(seq),
				"NotAfter": notAfter, "NotBefore": notBefore, "Issuer": s.ca.issuerName(), "RequesterName": Username, "Status": 0}))
		}
	}
	return items
}

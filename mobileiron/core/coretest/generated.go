package coretest

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/certadmin/certadmin-go/mobileiron/core"
)

// LocalCEID is the enrollment ID of the search sample's certificates
// (ceId 8, ceSettingName LocalCE); the CE configurations of sub-type LOCAL
// list it.
const LocalCEID = 8

// generatedEnrollment is an enrollment AddGeneratedCertificates made: a
// count of certificates, each written when a search asks for them.
type generatedEnrollment struct {
	name      string
	ceID      int64
	first, n  int
	expiredAt time.Time
	createdAt time.Time
}

// AddGeneratedCertificates adds a certificate enrollment called name,
// listed by the CE configurations of sub-type LOCAL after LocalCE, with n
// certificates that all expire in expiresIn (whole days: Core's search
// writes dates). They hold nothing but their search entry, written when a
// search of name asks for them, so a test can list large inventories:
// Core answers one enrollment per search, so spread a large inventory
// over several enrollments. Each has the sample's shape: an id and serial
// number of its own, type Centralized, a user (userId 20000+i) and a
// device (deviceId, deviceUuid), status ACTIVE (EXPIRED once expired).
// Exports and the user-provided calls do not see them.
func (s *Server) AddGeneratedCertificates(name string, n int, expiresIn time.Duration) error {
	if strings.TrimSpace(name) == "" || n < 0 {
		return fmt.Errorf("coretest: AddGeneratedCertificates(%q, %d): a name and a count of at least 0", name, n)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if name == CESettingName {
		return fmt.Errorf("coretest: enrollment %q is the sample's", name)
	}
	first := 0
	for _, g := range s.generated {
		if g.name == name {
			return fmt.Errorf("coretest: enrollment %q exists", name)
		}
		first = g.first + g.n
	}
	now := time.Now().UTC()
	s.generated = append(s.generated, generatedEnrollment{name: name, ceID: int64(1000 + len(s.generated)), first: first, n: n,
		expiredAt: now.Add(expiresIn).Truncate(24 * time.Hour), createdAt: now.AddDate(-1, 0, 0).Truncate(24 * time.Hour)})
	return nil
}

// localConfigurations is the CE configurations answer of sub-type LOCAL:
// the search sample's enrollment and the generated ones. The caller holds
// s.mu.
func (s *Server) localConfigurations() map[string]any {
	results := []map[string]string{{"name": CESettingName, "value": strconv.Itoa(LocalCEID), "appType": "SCEP", "appSubType": "LOCAL", "rowType": "ADMIN"}}
	for _, g := range s.generated {
		results = append(results, map[string]string{"name": g.name, "value": strconv.FormatInt(g.ceID, 10), "appType": "SCEP", "appSubType": "LOCAL", "rowType": "ADMIN"})
	}
	return map[string]any{"results": results, "resultCount": len(results)}
}

// generatedEntry is one generated certificate as the search writes it.
type generatedEntry struct {
	ID                  int64   `json:"id"`
	SerialNumber        int64   `json:"serialNumber"`
	Type                string  `json:"type"`
	Trash               bool    `json:"trash"`
	ExpiredAt           string  `json:"expiredAt"`
	CreatedAt           string  `json:"createdAt"`
	UserID              int64   `json:"userId"`
	DeviceID            int64   `json:"deviceId"`
	DeviceUUID          string  `json:"deviceUuid"`
	LocalCAID           int64   `json:"localCAId"`
	CESettingName       string  `json:"ceSettingName"`
	Status              string  `json:"certificateStatus"`
	CEID                int64   `json:"ceId"`
	ConsumerAppSettings []int64 `json:"consumerAppSettings"`
}

// generatedSearch appends the generated certificates of the enrollment q
// names that match q. The caller holds s.mu.
func (s *Server) generatedSearch(results []json.RawMessage, q searchRequest) []json.RawMessage {
	for _, g := range s.generated {
		if g.name != q.CeSettingName {
			continue
		}
		status := string(core.CertificateStatusActive)
		if !g.expiredAt.After(time.Now()) {
			status = string(core.CertificateStatusExpired)
		}
		exp := g.expiredAt.UnixMilli()
		if q.CertificateStatus != "" && q.CertificateStatus != status ||
			q.ExpiresAfter != nil && exp <= *q.ExpiresAfter || q.ExpiresBefore != nil && exp >= *q.ExpiresBefore {
			return results
		}
		for i := range g.n {
			seq := int64(g.first + i)
			e := generatedEntry{ID: 1_000_000 + seq, SerialNumber: 5_000_000 + seq, Type: "Centralized",
				ExpiredAt: g.expiredAt.Format(time.DateOnly), CreatedAt: g.createdAt.Format(time.DateOnly),
				UserID: 20000 + seq, DeviceID: 30000 + seq, DeviceUUID: fmt.Sprintf("6e000000-0000-4000-8000-%012d", seq),
				LocalCAID: 3, CESettingName: g.name, Status: status, CEID: g.ceID, ConsumerAppSettings: []int64{g.ceID}}
			if q.UserID != "" && q.UserID != strconv.FormatInt(e.UserID, 10) || q.DeviceUUID != "" && !strings.EqualFold(q.DeviceUUID, e.DeviceUUID) {
				continue
			}
			raw, _ := json.Marshal(e)
			results = append(results, raw)
		}
	}
	return results
}

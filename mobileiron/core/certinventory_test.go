package core_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/certadmin/certadmin-go/internal/bench"

	"github.com/google/go-cmp/cmp"

	"github.com/certadmin/certadmin-go/inventory"
	"github.com/certadmin/certadmin-go/mobileiron/core"
	"github.com/certadmin/certadmin-go/mobileiron/core/coretest"
)

const (
	searchPath = "/api/v2/certificates/search"
	ceConfigs  = "/configurations"
)

func walk(t *testing.T, seq func(func(inventory.Certificate, error) bool)) []inventory.Certificate {
	t.Helper()
	var out []inventory.Certificate
	for crt, err := range seq {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, crt)
	}
	return out
}

// The search sample's certificate (seed 000:393-693: id 2, serialNumber
// 102, expiredAt 2017-04-18, userId 9002, ACTIVE, trash true: retired),
// reached through the CE
// configurations of sub-type LOCAL, maps as FIELDS.md says; its values are
// written out here, not taken from the mapping.
func TestCertificateInventoryFields(t *testing.T) {
	_, c := newFake(t)
	ctx := context.Background()
	res, err := c.SearchCertificates(ctx, core.CertificateFilter{CESettingName: coretest.CESettingName})
	if err != nil || len(res.Results) != 1 {
		t.Fatalf("search %v, %v: want the sample's one certificate", res, err)
	}
	want := []inventory.Certificate{{Vendor: "mobileiron/core", ID: "2", Serial: "102", NotAfter: time.Date(2017, 4, 18, 0, 0, 0, 0, time.UTC),
		Status: "ACTIVE", Retired: true, Owner: inventory.Owner{Kind: inventory.OwnerUser, ID: "9002"}, Record: res.Results[0]}}
	if diff := cmp.Diff(want, walk(t, c.CertificateInventory(ctx))); diff != "" {
		t.Errorf("inventory (-want +got):\n%s", diff)
	}
}

// coreStandIn lists configs[subType] as the CE configurations and answers
// a search of an enrollment with results[name]; it counts both.
type coreStandIn struct {
	mu       sync.Mutex
	configs  map[string][]string
	results  map[string]string
	searched []string
	configsN int
	// counts is the number of results of an enrollment's answer (its
	// resultCount), when not 1.
	counts map[string]int
}

func (s *coreStandIn) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	switch {
	case r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, ceConfigs):
		s.configsN++
		st := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/api/v2/configurations/CE/"), ceConfigs)
		var list []map[string]string
		for i, name := range s.configs[st] {
			list = append(list, map[string]string{"name": name, "value": fmt.Sprint(100 + i), "appType": "SCEP", "appSubType": st, "rowType": "ADMIN"})
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"results": list, "resultCount": len(list)})
	case r.Method == http.MethodPost && r.URL.Path == searchPath:
		var q struct {
			CeSettingName string `json:"ceSettingName"`
		}
		_ = json.NewDecoder(r.Body).Decode(&q)
		s.searched = append(s.searched, q.CeSettingName)
		n, ok := s.counts[q.CeSettingName]
		switch {
		case !ok && s.results[q.CeSettingName] == "":
			n = 0
		case !ok:
			n = 1
		}
		fmt.Fprintf(w, `{"results":[%s],"resultCount":%d}`, s.results[q.CeSettingName], n)
	default:
		http.NotFound(w, r)
	}
}

func standInClient(t *testing.T, h http.Handler, opts ...core.Option) *core.Client {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	c, err := core.NewClient(srv.URL, append([]core.Option{core.WithBasicAuth("u", "p"), fastRetry}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Without a user the owner is the device: its UUID, else its number; an
// enrollment listed under two sub-types is searched once.
func TestCertificateInventoryOwnersAndRepeatedEnrollments(t *testing.T) {
	h := &coreStandIn{configs: map[string][]string{"LOCAL": {"A", "B"}, "SCEP": {"A"}}, results: map[string]string{
		"A": `{"id":7,"serialNumber":"0a1b","expiredAt":1893456000000,"deviceId":5,"deviceUuid":"b6f2c1de-5a4b-4c3d-8e9f-0a1b2c3d4e5f","ceSettingName":"A","certificateStatus":"REVOKED"}`,
		"B": `{"id":8,"serialNumber":9,"deviceId":6,"ceSettingName":"B","certificateStatus":"ACTIVE"}`,
	}}
	c := standInClient(t, h)
	got := walk(t, c.CertificateInventory(context.Background()))
	owners := []inventory.Owner{}
	for _, crt := range got {
		owners = append(owners, crt.Owner)
	}
	want := []inventory.Owner{{Kind: inventory.OwnerDevice, ID: "b6f2c1de-5a4b-4c3d-8e9f-0a1b2c3d4e5f"}, {Kind: inventory.OwnerDevice, ID: "6"}}
	if diff := cmp.Diff(want, owners); diff != "" {
		t.Errorf("owners (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"A", "B"}, h.searched); diff != "" {
		t.Errorf("searches (-want +got):\n%s", diff)
	}
	if len(got) == 2 && (got[0].Status != "REVOKED" || got[0].Serial != "0a1b" || !got[0].NotAfter.Equal(time.UnixMilli(1893456000000))) {
		t.Errorf("first certificate %+v", got[0])
	}
}

// A configuration without a name cannot be searched: ErrInvalidInput,
// once, and the walk ends.
func TestCertificateInventoryNamelessConfiguration(t *testing.T) {
	h := &coreStandIn{configs: map[string][]string{"CLIENT_PROVIDED": {""}, "LOCAL": {"A"}}, results: map[string]string{"A": `{"id":1}`}}
	c := standInClient(t, h)
	errs := 0
	var last error
	for _, err := range c.CertificateInventory(context.Background()) {
		if err != nil {
			errs++
			last = err
		}
	}
	if errs != 1 || !errors.Is(last, core.ErrInvalidInput) || len(h.searched) != 0 {
		t.Errorf("%d errors, last %v, searches %v: want one ErrInvalidInput and no search", errs, last, h.searched)
	}
}

// WithInventoryCESettings searches only the names given, once each, and
// reads no configuration; no name or an empty one is refused by NewClient.
func TestWithInventoryCESettings(t *testing.T) {
	h := &coreStandIn{results: map[string]string{"A": `{"id":1,"userId":3}`, "B": `{"id":2,"userId":4}`}}
	c := standInClient(t, h, core.WithInventoryCESettings("B", "A", "B"))
	got := walk(t, c.CertificateInventory(context.Background()))
	if len(got) != 2 || got[0].ID != "2" || got[1].ID != "1" {
		t.Errorf("inventory %+v: want 2 then 1", got)
	}
	if diff := cmp.Diff([]string{"B", "A"}, h.searched); diff != "" || h.configsN != 0 {
		t.Errorf("searches (-want +got):\n%s; %d configuration reads, want 0", diff, h.configsN)
	}
	for _, bad := range [][]string{nil, {"A", " "}} {
		if _, err := core.NewClient("https://core.example.com", core.WithInventoryCESettings(bad...)); !errors.Is(err, core.ErrInvalidInput) {
			t.Errorf("WithInventoryCESettings(%q): %v, want ErrInvalidInput", bad, err)
		}
	}
}

// Nothing is sent before the loop; the walk reads each sub-type's
// configurations and searches each enrollment only when it gets there.
func TestCertificateInventoryIsLazy(t *testing.T) {
	srv, c := newFake(t)
	if err := srv.AddGeneratedCertificates("gen-a", 3, 24*time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := srv.AddGeneratedCertificates("gen-b", 2, 24*time.Hour); err != nil {
		t.Fatal(err)
	}
	seq := c.CertificateInventory(context.Background())
	if got := srv.TotalHits(); got != 0 {
		t.Fatalf("%d requests before iterating, want 0", got)
	}
	for _, err := range seq {
		if err != nil {
			t.Fatal(err)
		}
		break
	}
	// BLUE_COAT, CLIENT_PROVIDED, USER_PROVIDED (search user-provided:
	// none), ENTRUST, GLOBAL_SIGN, LOCAL (search LocalCE: the first).
	if cfg, search := srv.HitsMatching(http.MethodGet, ceConfigs), srv.Hits(http.MethodPost, searchPath); cfg != 6 || search != 2 || srv.TotalHits() != 8 {
		t.Errorf("breaking at the first certificate: %d configuration reads, %d searches, %d requests; want 6, 2, 8", cfg, search, srv.TotalHits())
	}
	got := walk(t, seq)
	if len(got) != 6 {
		t.Errorf("%d certificates, want 6 (the sample's, 3 + 2 generated)", len(got))
	}
}

// A 503 on the second enrollment's search (after the retries) is yielded
// once, as *Error, and nothing more is read.
func TestCertificateInventoryErrorMidWalk(t *testing.T) {
	srv, c := newFake(t)
	if err := srv.AddGeneratedCertificates("gen-a", 3, 24*time.Hour); err != nil {
		t.Fatal(err)
	}
	n, errs := 0, 0
	var last error
	for _, err := range c.CertificateInventory(context.Background()) {
		if err != nil {
			errs++
			last = err
			continue
		}
		if n++; n == 1 {
			srv.Inject(coretest.Fault{Method: http.MethodPost, PathSuffix: searchPath, Status: http.StatusServiceUnavailable, Times: 3})
		}
	}
	var e *core.Error
	if errs != 1 || !errors.As(last, &e) || e.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("%d errors, last %v: want one *core.Error with 503", errs, last)
	}
	if cfg := srv.HitsMatching(http.MethodGet, ceConfigs); n != 1 || cfg != 6 {
		t.Errorf("%d certificates, %d configuration reads: want 1, 6 (nothing read after the error)", n, cfg)
	}
}

// A 503 on the first sub-type's configurations (after the retries) is
// yielded once and nothing more is read.
func TestCertificateInventoryErrorOnConfigurations(t *testing.T) {
	srv, c := newFake(t)
	srv.Inject(coretest.Fault{Method: http.MethodGet, PathSuffix: "/CE/BLUE_COAT/configurations", Status: http.StatusServiceUnavailable, Times: 3})
	errs, n := 0, 0
	for _, err := range c.CertificateInventory(context.Background()) {
		if err != nil {
			errs++
			continue
		}
		n++
	}
	if errs != 1 || n != 0 || srv.TotalHits() != 3 {
		t.Errorf("%d errors, %d certificates, %d requests: want 1, 0, 3 (the failed read and its retries)", errs, n, srv.TotalHits())
	}
}

// BenchmarkCertificateInventory lists 25 000 generated certificates in
// five enrollments of 5000 and in 25 of 1000 and reports what the walk
// holds (see measureWalk): one enrollment's answer, as Core answers one
// per search. A figure to report, not a threshold.
func BenchmarkCertificateInventory(b *testing.B) {
	for _, shape := range []struct{ enrollments, each int }{{5, 5000}, {25, 1000}} {
		b.Run(fmt.Sprintf("%dx%d", shape.enrollments, shape.each), func(b *testing.B) {
			rec := bench.NewReplay()
			srv, c := newFake(b, core.WithTransport(rec))
			for i := range shape.enrollments {
				if err := srv.AddGeneratedCertificates(fmt.Sprintf("gen-%d", i), shape.each, 10*24*time.Hour); err != nil {
					b.Fatal(err)
				}
			}
			bench.MeasureWalk(b, rec, c, shape.enrollments*shape.each+1)
		})
	}
}

// Retired: REVOKED, or in the trash whatever the status (the vendor's
// search sample has a trashed certificate reading ACTIVE, seed
// 000:639-655); EXPIRED and the pending states are not retired (an expired
// certificate may still be deployed). Status stays the vendor's word.
func TestCertificateInventoryRetired(t *testing.T) {
	h := &coreStandIn{configs: map[string][]string{"LOCAL": {"A"}}, results: map[string]string{
		"A": `{"id":1,"certificateStatus":"ACTIVE","trash":false},` +
			`{"id":2,"certificateStatus":"ACTIVE","trash":true},` +
			`{"id":3,"certificateStatus":"REVOKED","trash":false},` +
			`{"id":4,"certificateStatus":"EXPIRED","trash":false},` +
			`{"id":5,"certificateStatus":"PENDING_REVOCATION","trash":false},` +
			`{"id":6,"certificateStatus":"EXPIRED","trash":true}`,
	}}
	h.counts = map[string]int{"A": 6}
	got := map[string]string{}
	for _, crt := range walk(t, standInClient(t, h).CertificateInventory(context.Background())) {
		got[crt.ID] = fmt.Sprintf("%s %v", crt.Status, crt.Retired)
	}
	want := map[string]string{"1": "ACTIVE false", "2": "ACTIVE true", "3": "REVOKED true", "4": "EXPIRED false",
		"5": "PENDING_REVOCATION false", "6": "EXPIRED true"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("status and retired (-want +got):\n%s", diff)
	}
}

// A search whose resultCount is not the number of results it holds (seed
// 000:619-621: "the number of entries that are being returned") is cut or
// capped: ErrUnexpectedResponse as a *core.Error, once, and the walk ends
// (the next enrollment is not searched) instead of reporting the
// enrollment as read to the end.
func TestCertificateInventoryResultCountMismatch(t *testing.T) {
	h := &coreStandIn{configs: map[string][]string{"LOCAL": {"A", "B"}}, results: map[string]string{
		"A": `{"id":1,"certificateStatus":"ACTIVE"}`,
		"B": `{"id":2,"certificateStatus":"ACTIVE"}`,
	}, counts: map[string]int{"A": 6}}
	n, errs := 0, 0
	var last error
	for _, err := range standInClient(t, h).CertificateInventory(context.Background()) {
		if err != nil {
			errs++
			last = err
			continue
		}
		n++
	}
	var ce *core.Error
	if errs != 1 || !errors.Is(last, core.ErrUnexpectedResponse) || !errors.As(last, &ce) {
		t.Errorf("%d errors, last %v: want one ErrUnexpectedResponse *core.Error", errs, last)
	}
	if n != 0 || len(h.searched) != 1 {
		t.Errorf("%d certificates, searches %v: want none yielded and only A searched", n, h.searched)
	}
}

package coretest_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/certadmin/certadmin-go/mobileiron/core/coretest"
)

func TestGeneratedCSVIsExactAndParses(t *testing.T) {
	for _, size := range []int64{0, 10, 200, 131*3 + 97, 1 << 20} {
		var buf bytes.Buffer
		if err := coretest.WriteGeneratedCSV(&buf, size); err != nil {
			t.Fatal(err)
		}
		if int64(buf.Len()) != size {
			t.Errorf("size %d: wrote %d bytes", size, buf.Len())
			continue
		}
		if size < 200 {
			continue
		}
		records, err := csv.NewReader(&buf).ReadAll()
		if err != nil {
			t.Fatalf("size %d: %v", size, err)
		}
		if got, want := int64(len(records)-1), coretest.GeneratedCSVRows(size); got != want || records[0][0] != "id" {
			t.Errorf("size %d: %d rows, want %d", size, got, want)
		}
		if n := len(records) - 1; n > 0 && records[n][0] != fmt.Sprintf("%012d", n) {
			t.Errorf("size %d: last row id %q, want %d", size, records[n][0], n)
		}
	}
}

func TestFakeRequiresCredentialsAndDeviceSpace(t *testing.T) {
	srv, err := coretest.NewServer()
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()

	resp, err := http.Get(srv.URL + "/api/v2/certificates/search_export_status?adminDeviceSpaceId=1")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("without credentials: %d, want 401", resp.StatusCode)
	}

	req, _ := http.NewRequest("GET", srv.URL+"/api/v2/certificates/search_export_status", nil)
	req.SetBasicAuth(coretest.Username, coretest.Password)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "adminDeviceSpaceId") {
		t.Errorf("without adminDeviceSpaceId: %d %s, want 400 naming the parameter", resp.StatusCode, body)
	}
	if v := srv.SpecViolations(); len(v) != 1 {
		t.Errorf("violations = %v, want the one bad request", v)
	}
}

// TestFakeTakesDeviceSpaceFromQueryOrBody: the vendor's pages put
// adminDeviceSpaceId in the query or in the body depending on the version;
// the fake's POST calls take either or both (agreeing), and answer a
// missing, malformed or contradictory id with 400 and another device space
// with 403.
func TestFakeTakesDeviceSpaceFromQueryOrBody(t *testing.T) {
	srv, err := coretest.NewServer()
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	const filter = `"ceSettingName":"LocalCE","certificateStatus":"ACTIVE"`
	tests := []struct {
		name, query, body string
		status            int
		text              string // part of the answer
	}{
		{"query only", "?adminDeviceSpaceId=1", `{` + filter + `}`, 200, `"messages"`},
		{"body only", "", `{"adminDeviceSpaceId":1,` + filter + `}`, 200, `"messages"`},
		{"both, agreeing", "?adminDeviceSpaceId=1", `{"adminDeviceSpaceId":1,` + filter + `}`, 200, `"messages"`},
		{"both, disagreeing", "?adminDeviceSpaceId=1", `{"adminDeviceSpaceId":2,` + filter + `}`, 400, "1 in the query but 2 in the body"},
		{"neither", "", `{` + filter + `}`, 400, "adminDeviceSpaceId is missing"},
		{"another space", "?adminDeviceSpaceId=7", `{` + filter + `}`, 403, "device space 7"},
		{"not positive", "", `{"adminDeviceSpaceId":0,` + filter + `}`, 400, "positive"},
	}
	for _, path := range []string{"/api/v2/certificates/search", "/api/v2/certificates/search_export"} {
		for _, tt := range tests {
			t.Run(path+"/"+tt.name, func(t *testing.T) {
				req, _ := http.NewRequest("POST", srv.URL+path+tt.query, strings.NewReader(tt.body))
				req.SetBasicAuth(srv.Username, srv.Password)
				req.Header.Set("Content-Type", "application/json")
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != tt.status || !strings.Contains(string(body), tt.text) {
					t.Errorf("%d %s, want %d with %q", resp.StatusCode, body, tt.status, tt.text)
				}
			})
		}
	}
	if v := srv.SpecViolations(); len(v) != 0 {
		t.Errorf("spec violations: %v (every placement tried is one the spec allows)", v)
	}
}

package transport_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/certadmin/certadmin-go/internal/transport"
)

// smallJSON is a typical small API answer (one certificate record).
const smallJSON = `{"results":[{"id":2,"serialNumber":102,"type":"Centralized","trash":true,"expiredAt":"2017-04-18","createdAt":"2016-04-18","userId":9002,"deviceId":1,"localCAId":3,"ceSettingName":"LocalCE","certificateStatus":"ACTIVE","ceId":8,"consumerAppSettings":[8]}],"resultCount":1}`

type smallResult struct {
	Results []struct {
		ID                int    `json:"id"`
		CeSettingName     string `json:"ceSettingName"`
		CertificateStatus string `json:"certificateStatus"`
	} `json:"results"`
	ResultCount int `json:"resultCount"`
}

func smallServer() *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, smallJSON)
	}))
}

// SmallGETBare is the baseline: net/http plus encoding/json.
func smallGETBare(b *testing.B, url string) {
	hc := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, url, nil)
		resp, err := hc.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		var out smallResult
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || out.ResultCount != 1 {
			b.Fatal(err)
		}
		_ = resp.Body.Close()
	}
}

// SmallGETSDK sends the same GET through the SDK transport with basic auth.
func smallGETSDK(b *testing.B, url string) {
	c, err := transport.New(transport.NewConfig(transport.WithBasicAuth("bench", "bench-password")), transport.Rules{})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		req, err := http.NewRequest(http.MethodGet, url, nil)
		var out smallResult
		if err := c.JSON(context.Background(), transport.Call{Op: "bench.SmallGET", Request: req, BuildErr: err}, &out); err != nil || out.ResultCount != 1 {
			b.Fatal(err)
		}
	}
}

func BenchmarkZZSmallGET(b *testing.B) {
	srv := smallServer()
	defer srv.Close()
	b.Run("sdk", func(b *testing.B) { smallGETSDK(b, srv.URL) })
	b.Run("net-http", func(b *testing.B) { smallGETBare(b, srv.URL) })
}

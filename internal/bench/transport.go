package bench

import (
	"context"
	"encoding/json"
	"fmt"
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
func SmallGETBare(b *testing.B, url string) {
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
func SmallGETSDK(b *testing.B, url string) {
	c, err := transport.New(transport.NewConfig(transport.WithBasicAuth("bench", "bench-password")), transport.Rules{})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, url, nil)
		var out smallResult
		if err := c.JSON(context.Background(), transport.Call{Op: "bench.SmallGET", Request: req, BuildErr: err}, &out); err != nil || out.ResultCount != 1 {
			b.Fatal(err)
		}
	}
}

// TransportSmallGET is figure P1 for the shared transport: Compare of the
// same GET through the transport and through bare net/http.
func TransportSmallGET() ([]Figure, error) {
	srv := smallServer()
	defer srv.Close()
	c, err := transport.New(transport.NewConfig(transport.WithBasicAuth("bench", "bench-password")), transport.Rules{})
	if err != nil {
		return nil, err
	}
	hc := BareClient(nil)
	check := func(out smallResult, err error) error {
		if err == nil && out.ResultCount != 1 {
			err = fmt.Errorf("decoded %d results", out.ResultCount)
		}
		return err
	}
	bare := BasicHeader("bench", "bench-password")
	cmp, err := Compare(compareBlocks, 0,
		func(ctx context.Context) error {
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
			var out smallResult
			err = c.JSON(ctx, transport.Call{Op: "bench.SmallGET", Request: req, BuildErr: err}, &out)
			return check(out, err)
		},
		func(ctx context.Context) error {
			var out smallResult
			return check(out, BareGET(ctx, hc, srv.URL, bare, &out))
		})
	if err != nil {
		return nil, err
	}
	figs := []Figure{
		{Name: "P1 transport small GET wall ratio (SDK / net/http)", Value: cmp.Wall, Unit: "x", Target: "<= 1.05", Met: cmp.Wall <= 1.05},
		{Name: "P1 transport small GET allocs/op (SDK)", Value: cmp.AllocsA, Unit: "allocs/op", Target: "info", Met: true},
		{Name: "P1 transport small GET allocs/op (net/http)", Value: cmp.AllocsB, Unit: "allocs/op", Target: "info", Met: true},
	}
	if cmp.CPUOK {
		figs = append(figs, Figure{Name: "P1 transport small GET CPU-time ratio (SDK / net/http)", Value: cmp.CPU, Unit: "x", Target: "info", Met: true})
	}
	return figs, nil
}

// NewSmallServer starts the loopback server the P1 benchmarks use.
func NewSmallServer() *httptest.Server { return smallServer() }

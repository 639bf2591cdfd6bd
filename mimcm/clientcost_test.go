package mimcm_test

import (
	"context"
	"io"
	"net/http"
	"testing"

	"github.com/hashicorp/go-retryablehttp"

	"github.com/certadmin/certadmin-go/internal/bench"
	"github.com/certadmin/certadmin-go/internal/fuzzcheck"
	"github.com/certadmin/certadmin-go/mimcm"
	"github.com/certadmin/certadmin-go/mimcm/mimcmapi"
	"github.com/certadmin/certadmin-go/mimcm/mimcmtest"
)

// BenchmarkGetRequestClientSide is the client's own part of figure P1
// (benchreport's ClientSmallGET/mimcm), which also counts the fake server,
// its contract validator and the loopback connection: the same answer
// (the fake's, read once) comes from a canned round tripper, to the SDK
// and to the generated client on go-retryablehttp, P1's peer. Run with
// -benchmem and -cpuprofile to compare the two sides.
func BenchmarkGetRequestClientSide(b *testing.B) {
	srv, err := mimcmtest.NewServer()
	if err != nil {
		b.Fatal(err)
	}
	fake, err := srv.NewClient()
	if err != nil {
		b.Fatal(err)
	}
	id := mimcmtest.SampleEnrollID
	resp, err := fake.Raw().GetRequest(context.Background(), id)
	if err != nil {
		b.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	srv.Close()
	if err != nil || resp.StatusCode != http.StatusOK {
		b.Fatalf("the fake's answer: %d, %v", resp.StatusCode, err)
	}
	canned := fuzzcheck.CannedTransport{Status: http.StatusOK, ContentType: "application/json; charset=utf-8", Body: body}
	const base = "https://cm.example.com"

	c, err := mimcm.NewClient(base, mimcm.WithTransport(canned), mimcm.WithBasicAuth("user", "password"))
	if err != nil {
		b.Fatal(err)
	}
	rc := retryablehttp.NewClient()
	rc.Logger = nil
	rc.HTTPClient.Transport = canned
	peer, err := mimcmapi.NewClientWithResponses(base, mimcmapi.WithHTTPClient(rc.StandardClient()),
		mimcmapi.WithRequestEditorFn(bench.SetHeaders(bench.BasicHeader("user", "password"))))
	if err != nil {
		b.Fatal(err)
	}
	b.Run("sdk", bench.Loop(func(ctx context.Context) error {
		r, err := c.GetRequest(ctx, id)
		if err == nil && (r.UUID != id || r.Type != mimcm.RequestTypeEnroll) {
			b.Fatalf("request %+v", r)
		}
		return err
	}))
	b.Run("oapi-codegen", bench.Loop(func(ctx context.Context) error {
		r, err := peer.GetRequestWithResponse(ctx, id)
		if err == nil && (r.JSON200 == nil || r.JSON200.Uuid != id || r.JSON200.RequestType != int32(mimcm.RequestTypeEnroll)) {
			b.Fatalf("answer %d %+v", r.StatusCode(), r.JSON200)
		}
		return err
	}))
}

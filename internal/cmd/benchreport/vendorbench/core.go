package vendorbench

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"runtime"
	"runtime/metrics"
	"strconv"
	"sync"
	"time"

	"github.com/certadmin/certadmin-go/internal/bench"

	"github.com/certadmin/certadmin-go/mobileiron/core"
	"github.com/certadmin/certadmin-go/mobileiron/core/coreapi"
	"github.com/certadmin/certadmin-go/mobileiron/core/coretest"
)

// CoreExport streams a size-byte certificate CSV export from coretest on
// loopback twice per round: once with bare net/http (GET the download,
// io.Copy to io.Discard) and once through the SDK's whole export workflow
// (initiate, poll, stream). It reports the throughput ratio and the peak
// heap in use while the SDK downloads. The fake runs in the same process,
// so the heap figure includes the fake's own buffers.
func CoreExport(size int64) ([]bench.Figure, error) {
	srv, err := coretest.NewServer()
	if err != nil {
		return nil, err
	}
	defer srv.Close()
	srv.SetExportSize(size)
	srv.SetExportPolls(0)

	c, err := core.NewClient(srv.URL, core.WithBasicAuth(srv.Username, srv.Password), core.WithMaxAttempts(1))
	if err != nil {
		return nil, err
	}
	ctx := context.Background()
	filter := core.CertificateFilter{CESettingName: coretest.CESettingName, Status: core.CertificateStatusActive}
	sdk := func() (int64, error) {
		sum, err := c.ExportCertificates(ctx, filter, io.Discard, core.WithPollInterval(time.Millisecond))
		if err != nil {
			return 0, err
		}
		return sum.Bytes, nil
	}
	// The SDK run leaves a finished export behind, so the bare GET below has a file to fetch.
	if _, err := sdk(); err != nil {
		return nil, fmt.Errorf("warm-up export: %w", err)
	}
	hc := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	url := srv.URL + "/api/v2/certificates/search_download_csv?adminDeviceSpaceId=1"
	bare := func() (int64, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return 0, err
		}
		req.SetBasicAuth(srv.Username, srv.Password)
		resp, err := hc.Do(req)
		if err != nil {
			return 0, err
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return 0, fmt.Errorf("bare download: %s", resp.Status)
		}
		return io.Copy(io.Discard, resp.Body)
	}

	const rounds = 2
	var bestBare, bestSDK float64 // bytes per second
	var peakSDK, peakBare uint64
	for range rounds {
		rate, peak, err := timed(size, bare)
		if err != nil {
			return nil, err
		}
		bestBare = max(bestBare, rate)
		peakBare = max(peakBare, peak)
		rate, peak, err = timed(size, sdk)
		if err != nil {
			return nil, err
		}
		bestSDK = max(bestSDK, rate)
		peakSDK = max(peakSDK, peak)
	}
	if v := srv.SpecViolations(); len(v) > 0 {
		return nil, fmt.Errorf("spec violations during the benchmark: %v", v)
	}
	ratio := bestSDK / bestBare
	peakMiB := float64(peakSDK) / (1 << 20)
	label := sizeLabel(size)
	return []bench.Figure{
		{Name: "core export " + label + " throughput ratio (SDK / net/http)", Value: ratio, Unit: "x", Target: ">= 0.9", Met: ratio >= 0.9},
		{Name: "core export " + label + " peak heap during SDK download", Value: peakMiB, Unit: "MiB", Target: "<= 16", Met: peakMiB <= 16},
		{Name: "core export " + label + " peak heap during net/http download", Value: float64(peakBare) / (1 << 20), Unit: "MiB", Target: "info", Met: true},
		{Name: "core export " + label + " SDK throughput", Value: bestSDK / (1 << 20), Unit: "MiB/s", Target: "info", Met: true},
		{Name: "core export " + label + " net/http throughput", Value: bestBare / (1 << 20), Unit: "MiB/s", Target: "info", Met: true},
	}, nil
}

// timed runs fn after a GC, checks it moved size bytes, and returns the
// rate and the peak heap in use (sampled every 2 ms while it ran) above the
// heap in use when it started.
func timed(size int64, fn func() (int64, error)) (float64, uint64, error) {
	samples := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/memory/classes/heap/unused:bytes"}}
	heapInUse := func() uint64 {
		metrics.Read(samples)
		return samples[0].Value.Uint64() + samples[1].Value.Uint64()
	}
	runtime.GC()
	base := heapInUse()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var peak uint64
	wg.Go(func() {
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			if h := heapInUse(); h > base {
				peak = max(peak, h-base)
			}
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	})
	start := time.Now()
	n, err := fn()
	elapsed := time.Since(start)
	close(stop)
	wg.Wait()
	if err != nil {
		return 0, 0, err
	}
	if n != size {
		return 0, 0, fmt.Errorf("moved %d bytes, want %d", n, size)
	}
	return float64(n) / elapsed.Seconds(), peak, nil
}

func sizeLabel(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d B", n)
}

// CoreGET reads the user-provided certificate enrollment configurations
// (GET …/configurations/CE/USER_PROVIDED/configurations). Every side keeps
// the session cookie the fake hands out, as the client does.
func CoreGET() (*bench.ClientGET, error) {
	srv, err := coretest.NewServer()
	if err != nil {
		return nil, err
	}
	c, err := srv.NewClient()
	if err != nil {
		srv.Close()
		return nil, err
	}
	hc := bench.BareClient(nil)
	hc.Jar, _ = cookiejar.New(nil)
	u := srv.URL + "/api/v2/configurations/CE/USER_PROVIDED/configurations"
	header := bench.BasicHeader(srv.Username, srv.Password)
	peerHC := bench.PeerClient(nil)
	peerHC.Jar, _ = cookiejar.New(nil)
	peer, err := coreapi.NewClientWithResponses(srv.URL, coreapi.WithHTTPClient(peerHC), coreapi.WithRequestEditorFn(bench.SetHeaders(header)))
	if err != nil {
		srv.Close()
		return nil, err
	}
	check := func(out *coreapi.ConfigurationListResponse) error {
		if out == nil || out.Results == nil || len(*out.Results) != 1 || *(*out.Results)[0].Value != strconv.Itoa(coretest.UserProvidedCEID) {
			return fmt.Errorf("configurations %+v", out)
		}
		return nil
	}
	return &bench.ClientGET{
		Vendor: "core", Call: "CEConfigurations", Stop: srv.Close,
		SDK: func(ctx context.Context) error {
			got, err := c.CEConfigurations(ctx, core.EnrollmentSubTypeUserProvided)
			if err != nil {
				return err
			}
			if len(got.Results) != 1 || got.Results[0].Value != strconv.Itoa(coretest.UserProvidedCEID) {
				return fmt.Errorf("configurations %+v", got)
			}
			return nil
		},
		Bare: func(ctx context.Context) error {
			var out coreapi.ConfigurationListResponse
			if err := bench.BareGET(ctx, hc, u, header, &out); err != nil {
				return err
			}
			return check(&out)
		},
		Peer: func(ctx context.Context) error {
			resp, err := peer.GetCEConfigurationsWithResponse(ctx, coreapi.EnrollmentSubType(core.EnrollmentSubTypeUserProvided))
			if err != nil {
				return err
			}
			if resp.StatusCode() != http.StatusOK {
				return fmt.Errorf("status %d", resp.StatusCode())
			}
			return check(resp.JSON200)
		},
	}, nil
}

package vendorbench

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"runtime"
	"time"

	"github.com/certadmin/certadmin-go/internal/bench"

	"github.com/certadmin/certadmin-go/mobileiron/cloud"
	"github.com/certadmin/certadmin-go/mobileiron/cloud/cloudapi"
	"github.com/certadmin/certadmin-go/mobileiron/cloud/cloudtest"
)

// cloudPage is the page size of the Cloud paging figures (the API's maximum).
const cloudPage = cloud.MaxPageSize

// CloudPaging measures listing accounts from a cloudtest fake holding
// accounts accounts, each page answered after pageLatency:
//
//   - a consumer spending consumerPerPage on each page (a tool writing rows
//     out): a naive ListAccounts loop against the iterator with prefetch;
//   - an instant consumer: the naive loop against the bounded parallel
//     fetch with 4 pages in flight;
//   - the peak live heap of each iterator mode, in MiB and in pages, where
//     a page is the measured live size of one decoded 500-account page (and,
//     for prefetch, also the page's JSON size on the wire). The heap is
//     sampled with a forced GC in the middle of every page, so it counts
//     the page being consumed plus whatever is fetched ahead (and the
//     in-process fake's answer buffers).
func CloudPaging(accounts int, pageLatency, consumerPerPage time.Duration) ([]bench.Figure, error) {
	srv, err := cloudtest.NewServer(cloudtest.WithGeneratedAccounts(max(accounts-2, 0)), cloudtest.WithPageLatency(pageLatency), cloudtest.WithoutValidation())
	if err != nil {
		return nil, err
	}
	defer srv.Close()
	c, err := cloud.NewClient(srv.URL, cloud.WithBasicAuth(cloudtest.Username, cloudtest.Password))
	if err != nil {
		return nil, err
	}
	ctx := context.Background()
	want := srv.AccountCount()
	pages := (want + cloudPage - 1) / cloudPage

	pause := func(i int) {
		if consumerPerPage > 0 && i%cloudPage == cloudPage-1 {
			time.Sleep(consumerPerPage)
		}
	}
	naive := func(consume func(int)) (time.Duration, error) {
		began := time.Now()
		n := 0
		for start := 0; ; start += cloudPage {
			p, err := c.ListAccountsPage(ctx, cloud.ListOptions{Start: start, PageSize: cloudPage})
			if err != nil {
				return 0, err
			}
			for range p.Accounts {
				consume(n)
				n++
			}
			if len(p.Accounts) < cloudPage {
				break
			}
		}
		if n != want {
			return 0, fmt.Errorf("naive loop saw %d of %d accounts", n, want)
		}
		return time.Since(began), nil
	}
	iterate := func(opts cloud.ListOptions, consume func(int)) (time.Duration, error) {
		began := time.Now()
		n := 0
		for _, err := range c.ListAccounts(ctx, opts) {
			if err != nil {
				return 0, err
			}
			consume(n)
			n++
		}
		if n != want {
			return 0, fmt.Errorf("iterator saw %d of %d accounts", n, want)
		}
		return time.Since(began), nil
	}

	// One full pass first: it fills the fake's JSON cache and the
	// connection pool, so no measured run pays for them.
	if _, err := iterate(cloud.ListOptions{Parallel: 4}, func(int) {}); err != nil {
		return nil, err
	}
	seqSlow, err := naive(pause)
	if err != nil {
		return nil, err
	}
	preSlow, err := iterate(cloud.ListOptions{Prefetch: true}, pause)
	if err != nil {
		return nil, err
	}
	seqFast, err := naive(func(int) {})
	if err != nil {
		return nil, err
	}
	parFast, err := iterate(cloud.ListOptions{Parallel: 4}, func(int) {})
	if err != nil {
		return nil, err
	}

	pageBytes, err := pageHeap(ctx, c)
	if err != nil {
		return nil, err
	}
	wireBytes, err := pageWire(ctx, c)
	if err != nil {
		return nil, err
	}
	peak := func(opts cloud.ListOptions) (float64, error) {
		base := liveHeap()
		var top uint64
		_, err := iterate(opts, func(i int) {
			if i%cloudPage == cloudPage/2 {
				if h := liveHeap(); h > base && h-base > top {
					top = h - base
				}
			}
		})
		return float64(top), err
	}
	seqPeak, err := peak(cloud.ListOptions{})
	if err != nil {
		return nil, err
	}
	prePeak, err := peak(cloud.ListOptions{Prefetch: true})
	if err != nil {
		return nil, err
	}
	parPeak, err := peak(cloud.ListOptions{Parallel: 4})
	if err != nil {
		return nil, err
	}

	mib := func(b float64) float64 { return b / (1 << 20) }
	label := fmt.Sprintf("%d accounts, %d pages, %s/page", want, pages, pageLatency)
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	a := float64(seqSlow) / float64(preSlow)
	b := float64(seqFast) / float64(parFast)
	return []bench.Figure{
		{Name: "cloud paging naive loop, " + consumerPerPage.String() + "/page consumer (" + label + ")", Value: ms(seqSlow), Unit: "ms", Target: "-", Met: true},
		{Name: "cloud paging prefetch, " + consumerPerPage.String() + "/page consumer", Value: ms(preSlow), Unit: "ms", Target: "-", Met: true},
		{Name: "cloud paging speed-up prefetch vs naive (slow consumer)", Value: a, Unit: "x", Target: ">= 1.6", Met: a >= 1.6},
		{Name: "cloud paging naive loop, instant consumer", Value: ms(seqFast), Unit: "ms", Target: "-", Met: true},
		{Name: "cloud paging parallel (4 in flight), instant consumer", Value: ms(parFast), Unit: "ms", Target: "-", Met: true},
		{Name: "cloud paging speed-up parallel 4 vs naive (instant consumer)", Value: b, Unit: "x", Target: ">= 3", Met: b >= 3},
		{Name: "cloud paging page size (live heap of 500 decoded accounts)", Value: mib(float64(pageBytes)), Unit: "MiB", Target: "-", Met: true},
		{Name: "cloud paging page size (JSON of 500 accounts on the wire)", Value: mib(float64(wireBytes)), Unit: "MiB", Target: "-", Met: true},
		{Name: "cloud paging peak heap, sequential", Value: mib(seqPeak), Unit: "MiB", Target: "-", Met: true},
		{Name: "cloud paging peak heap, sequential, in decoded pages", Value: seqPeak / float64(pageBytes), Unit: "pages", Target: "<= 2", Met: seqPeak <= 2*float64(pageBytes)},
		{Name: "cloud paging peak heap, prefetch", Value: mib(prePeak), Unit: "MiB", Target: "-", Met: true},
		{Name: "cloud paging peak heap, prefetch, in decoded pages", Value: prePeak / float64(pageBytes), Unit: "pages", Target: "<= 2", Met: prePeak <= 2*float64(pageBytes)},
		// The target (issue 21's P3) is in decoded pages, above. In wire pages
		// it is information: 500 decoded accounts take about 1.4 times
		// their JSON, so a page being read plus the one fetched ahead are
		// more than 2 wire pages whatever the iterator does.
		{Name: "cloud paging peak heap, prefetch, in wire pages", Value: prePeak / float64(wireBytes), Unit: "pages", Target: "info", Met: true},
		{Name: "cloud paging peak heap, parallel 4", Value: mib(parPeak), Unit: "MiB", Target: "-", Met: true},
		{Name: "cloud paging peak heap, parallel 4, in decoded pages", Value: parPeak / float64(pageBytes), Unit: "pages", Target: "<= 5", Met: parPeak <= 5*float64(pageBytes)},
	}, nil
}

// liveHeap is the heap still reachable after a full collection. It
// collects twice: objects that concurrent fetches allocate while a cycle
// runs are kept by that cycle even when already garbage ("allocated
// black"), and would otherwise count as a page's worth of live heap.
func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// pageHeap measures the live size of one decoded full page.
func pageHeap(ctx context.Context, c *cloud.Client) (uint64, error) {
	before := liveHeap()
	p, err := c.ListAccountsPage(ctx, cloud.ListOptions{PageSize: cloudPage})
	if err != nil {
		return 0, err
	}
	after := liveHeap()
	runtime.KeepAlive(p)
	if after <= before {
		return 1, nil
	}
	return after - before, nil
}

// pageWire measures the JSON size of one full page as the server sends it.
func pageWire(ctx context.Context, c *cloud.Client) (int64, error) {
	rows, start := int32(cloudPage), int32(0)
	resp, err := c.Raw().GetAccounts(ctx, &cloudapi.GetAccountsParams{Rows: &rows, Start: &start})
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	return io.Copy(io.Discard, resp.Body)
}

// CloudGET reads one account by UID (GET /api/v1/account?fq=UID=…).
func CloudGET() (*bench.ClientGET, error) {
	srv, err := cloudtest.NewServer()
	if err != nil {
		return nil, err
	}
	c, err := srv.NewClient()
	if err != nil {
		srv.Close()
		return nil, err
	}
	first, err := c.ListAccountsPage(context.Background(), cloud.ListOptions{PageSize: 1})
	if err == nil && len(first.Accounts) != 1 {
		err = fmt.Errorf("%d accounts on a page of one", len(first.Accounts))
	}
	if err != nil {
		srv.Close()
		return nil, fmt.Errorf("cloud: first account: %w", err)
	}
	want := first.Accounts[0]
	hc := bench.BareClient(nil)
	q := url.Values{"fq": {"UID=" + want.UID}, "rows": {"2"}, "start": {"0"}}
	u := srv.URL + "/api/v1/account?" + q.Encode()
	header := bench.BasicHeader(srv.Username, srv.Password)
	peer, err := cloudapi.NewClientWithResponses(srv.URL, cloudapi.WithHTTPClient(bench.PeerClient(nil)), cloudapi.WithRequestEditorFn(bench.SetHeaders(header)))
	if err != nil {
		srv.Close()
		return nil, err
	}
	fq, rows, start := "UID="+want.UID, int32(2), int32(0)
	check := func(out *cloudapi.SearchResponse) error {
		if out == nil || out.Errors != nil || out.Result == nil || out.Result.SearchResults == nil || len(*out.Result.SearchResults) == 0 ||
			*(*out.Result.SearchResults)[0].Id != want.ID {
			return fmt.Errorf("answer %+v", out)
		}
		return nil
	}
	// The generated client types GET /api/v1/account's answer as a union
	// (a search result or, with ?metadata, the metadata).
	checkUnion := func(out *cloudapi.AccountGetResponse) error {
		if out == nil || out.Errors != nil || out.Result == nil {
			return fmt.Errorf("answer %+v", out)
		}
		res, err := out.Result.AsSearchResult()
		if err != nil {
			return err
		}
		return check(&cloudapi.SearchResponse{Result: &res})
	}
	return &bench.ClientGET{
		Vendor: "cloud", Call: "GetAccountByUID", Stop: srv.Close,
		SDK: func(ctx context.Context) error {
			got, err := c.GetAccountByUID(ctx, want.UID)
			if err != nil {
				return err
			}
			if got.ID != want.ID {
				return fmt.Errorf("account %d, want %d", got.ID, want.ID)
			}
			return nil
		},
		Bare: func(ctx context.Context) error {
			var out cloudapi.SearchResponse
			if err := bench.BareGET(ctx, hc, u, header, &out); err != nil {
				return err
			}
			return check(&out)
		},
		Peer: func(ctx context.Context) error {
			resp, err := peer.GetAccountsWithResponse(ctx, &cloudapi.GetAccountsParams{Fq: &fq, Rows: &rows, Start: &start})
			if err != nil {
				return err
			}
			if resp.StatusCode() != http.StatusOK {
				return fmt.Errorf("status %d", resp.StatusCode())
			}
			return checkUnion(resp.JSON200)
		},
	}, nil
}

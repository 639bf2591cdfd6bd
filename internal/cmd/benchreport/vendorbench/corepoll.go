package vendorbench

import (
	"context"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/certadmin/certadmin-go/internal/bench"

	"github.com/certadmin/certadmin-go/mobileiron/core"
	"github.com/certadmin/certadmin-go/mobileiron/core/coretest"
)

// CorePoll is figure P4: rounds certificate exports through the client's
// whole workflow (initiate, poll the status every interval, download)
// against coretest, whose export stays running for one status check. For
// each it takes, from the fake's ExportTimes, the delay between the status
// answer that reported the export done and the arrival of the download
// request. The target is at most one poll interval: a client that sleeps
// again, or checks once more, after being told the export is done misses
// it.
func CorePoll(interval time.Duration, rounds int) ([]bench.Figure, error) {
	srv, err := coretest.NewServer()
	if err != nil {
		return nil, err
	}
	defer srv.Close()
	srv.SetExportPolls(1)
	c, err := core.NewClient(srv.URL, core.WithBasicAuth(srv.Username, srv.Password))
	if err != nil {
		return nil, err
	}
	ctx := context.Background()
	filter := core.CertificateFilter{CESettingName: coretest.CESettingName, Status: core.CertificateStatusActive}
	delays := make([]time.Duration, 0, rounds)
	for range rounds {
		sum, err := c.ExportCertificates(ctx, filter, io.Discard, core.WithPollInterval(interval))
		if err != nil {
			return nil, err
		}
		done, download := srv.ExportTimes()
		if sum.Checks != 2 || done.IsZero() || download.IsZero() {
			return nil, fmt.Errorf("export took %d status checks (want 2); done reported at %v, download requested at %v", sum.Checks, done, download)
		}
		delays = append(delays, download.Sub(done))
	}
	slices.Sort(delays)
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	worst, median := delays[len(delays)-1], delays[len(delays)/2]
	target := fmt.Sprintf("<= %g", ms(interval))
	label := fmt.Sprintf("P4 core export poll (%s interval, %d exports)", interval, rounds)
	return []bench.Figure{
		{Name: label + " done-to-download delay, worst", Value: ms(worst), Unit: "ms", Target: target, Met: worst <= interval},
		{Name: label + " done-to-download delay, median", Value: ms(median), Unit: "ms", Target: target, Met: median <= interval},
	}, nil
}

package czertainly

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/certadmin/certadmin-go/internal/apierror"
	"github.com/certadmin/certadmin-go/internal/workflow"
)

// RenewalOutcome is what RenewExpiring did with one certificate.
type RenewalOutcome string

// The outcomes of a renewal.
const (
	// RenewalOutcomeRenewed: Core accepted the renewal (and, when the run
	// waits, issued the new certificate).
	RenewalOutcomeRenewed RenewalOutcome = "renewed"
	// RenewalOutcomePending: accepted, but the new certificate was not
	// issued before the wait ended (e.g. it waits for an approval).
	RenewalOutcomePending RenewalOutcome = "pending"
	// RenewalOutcomeSkipped: not renewed, for the reason in Reason (no RA
	// profile, a dry run).
	RenewalOutcomeSkipped RenewalOutcome = "skipped"
	// RenewalOutcomeAlreadyRenewed: not renewed again, because Core
	// already has a successor for it (an earlier run's renewal or
	// rekey, issued or still on its way), named in NewCertificateUUID.
	RenewalOutcomeAlreadyRenewed RenewalOutcome = "already_renewed"
	// RenewalOutcomeFailed: Core refused or failed the renewal; Err says
	// why.
	RenewalOutcomeFailed RenewalOutcome = "failed"
	// RenewalOutcomeUnknown: the renewal call got no answer after it may
	// have reached Core; it was not sent again. Look the certificate up
	// before renewing it once more.
	RenewalOutcomeUnknown RenewalOutcome = "unknown"
)

// RenewalResult is one certificate's line of a renewal report.
type RenewalResult struct {
	Certificate Certificate
	Outcome     RenewalOutcome
	// NewCertificateUUID is the renewal's certificate (renewed, pending)
	// or the successor Core already had (already renewed).
	NewCertificateUUID string
	// Reason explains a skip.
	Reason string
	// Err is the typed error of a failed or unknown renewal.
	Err error
}

// RenewalReport is the outcome of RenewExpiring, one line per candidate in
// the order the inventory listed them.
type RenewalReport struct {
	Results []RenewalResult
}

// Count returns how many results have outcome o.
func (r *RenewalReport) Count(o RenewalOutcome) int {
	n := 0
	for _, res := range r.Results {
		if res.Outcome == o {
			n++
		}
	}
	return n
}

// Unknown lists the certificates whose renewal has an unknown outcome.
func (r *RenewalReport) Unknown() []Certificate {
	var out []Certificate
	for _, res := range r.Results {
		if res.Outcome == RenewalOutcomeUnknown {
			out = append(out, res.Certificate)
		}
	}
	return out
}

// RenewExpiringInput says what RenewExpiring renews.
type RenewExpiringInput struct {
	// Days: certificates whose notAfter lies within the next Days days
	// (required, at least 1).
	Days int
	// Filters narrow the search further (an RA profile, a name).
	Filters []SearchFilter
	// Concurrency bounds the renewals in flight (default 4).
	Concurrency int
	// DryRun lists the candidates without renewing (every one skipped).
	DryRun bool
	// Wait waits for each new certificate to be issued.
	Wait bool
	// ReplaceInLocations pushes renewed certificates to the old ones'
	// locations.
	ReplaceInLocations bool
	// OnResult, when set, sees each result as it is known (from several
	// goroutines, one at a time).
	OnResult func(RenewalResult)
}

// RenewExpiring renews every issued certificate that expires within
// in.Days days through its RA profile. It first lists all candidates (so
// the renewals, which Core lists first, cannot shift the search's pages),
// then renews each once, at most in.Concurrency at a time.
//
// Renewal leaves the old certificate issued and expiring on Core
// (ClientOperationServiceImpl.java:407-550 at cad4432a never changes it),
// so the search alone would find it again on the next run. Before
// renewing a candidate RenewExpiring therefore reads its relations
// (GetCertificateRelations, one GET per candidate): a certificate that
// already has a successor, which Core records from the moment it accepts
// a renewal or rekey and drops when that fails or is rejected, is
// reported as already renewed and not renewed again. The state a second
// run relies on is the server's, so a job run twice (or by two machines)
// renews each certificate once. A renewal is never sent twice: one whose
// answer was lost is reported as unknown. The error is for the search
// only (or invalid input); per-certificate failures are in the report.
func (c *Client) RenewExpiring(ctx context.Context, in RenewExpiringInput, opts ...CallOption) (*RenewalReport, error) {
	const op = "czertainly.RenewExpiring"
	if in.Days < 1 {
		return nil, apierror.Invalid(op, "days %d: must be at least 1", in.Days)
	}
	if in.Concurrency < 0 {
		return nil, apierror.Invalid(op, "concurrency %d must not be negative", in.Concurrency)
	}
	workers := in.Concurrency
	if workers == 0 {
		workers = 4
	}
	p, err := c.waitFor(op, opts)
	if err != nil {
		return nil, err
	}
	filters := append([]SearchFilter{FilterExpiresWithin(in.Days), FilterState(CertificateStateIssued)}, in.Filters...)
	var candidates []Certificate
	for crt, err := range c.ListCertificates(ctx, CertificateQuery{Filters: filters, PageSize: MaxPageSize}, opts...) {
		if err != nil {
			return nil, err
		}
		candidates = append(candidates, crt)
	}
	report := &RenewalReport{Results: make([]RenewalResult, len(candidates))}
	var mu sync.Mutex
	done := func(i int, r RenewalResult) {
		report.Results[i] = r
		if in.OnResult != nil {
			mu.Lock()
			in.OnResult(r)
			mu.Unlock()
		}
	}
	sem := make(chan struct{}, workers)
	var wg sync.WaitGroup
	for i, crt := range candidates {
		prof, ok := ProfileOf(crt)
		switch {
		case !ok:
			done(i, RenewalResult{Certificate: crt, Outcome: RenewalOutcomeSkipped, Reason: "no RA profile (uploaded or discovered certificate)"})
			continue
		}
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			done(i, RenewalResult{Certificate: crt, Outcome: RenewalOutcomeSkipped, Reason: "not started: " + apierror.WithCause(ctx, ctx.Err()).Error()})
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			done(i, c.renewOne(ctx, crt, prof, in, p, opts))
		}()
	}
	wg.Wait()
	return report, nil
}

func (c *Client) renewOne(ctx context.Context, crt Certificate, prof Profile, in RenewExpiringInput, p workflow.Settings, opts []CallOption) RenewalResult {
	res := RenewalResult{Certificate: crt}
	rel, err := c.GetCertificateRelations(ctx, crt.UUID, opts...)
	if err != nil {
		// Without the relations a renewal might be the second one.
		res.Outcome, res.Err = RenewalOutcomeFailed, err
		return res
	}
	if len(rel.Successors) > 0 {
		succ := rel.Successors[0]
		res.Outcome, res.NewCertificateUUID = RenewalOutcomeAlreadyRenewed, succ.UUID
		res.Reason = fmt.Sprintf("Core has successor %s (%s, %s)", succ.UUID, succ.RelationType, succ.State)
		return res
	}
	if in.DryRun {
		res.Outcome, res.Reason = RenewalOutcomeSkipped, "dry run"
		return res
	}
	sub, err := c.RenewCertificate(ctx, RenewInput{Profile: prof, CertificateUUID: crt.UUID, ReplaceInLocations: in.ReplaceInLocations}, opts...)
	if err != nil {
		err = maybeUnknown("czertainly.RenewCertificate", crt.UUID, err)
		res.Outcome, res.Err = RenewalOutcomeFailed, err
		if errors.Is(err, ErrOutcomeUnknown) {
			res.Outcome = RenewalOutcomeUnknown
		}
		return res
	}
	res.NewCertificateUUID, res.Outcome = sub.UUID, RenewalOutcomeRenewed
	if !in.Wait {
		return res
	}
	if _, err := c.wait(ctx, sub.UUID, p, opts); err != nil {
		res.Err = err
		res.Outcome = RenewalOutcomeFailed
		if errors.Is(err, ErrPending) {
			res.Outcome = RenewalOutcomePending
		}
	}
	return res
}

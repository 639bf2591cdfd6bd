package proof_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/certadmin/certadmin-go/internal/apierror"
	"github.com/certadmin/certadmin-go/internal/fakeserver"
)

// secretSet is what the clients are given; none of it may leak.
type secretSet struct {
	password, token, pkcs12 string
}

var defaultSecrets = secretSet{password: "Pr00f-Basic-Passw0rd", token: "Pr00f-T0ken-Value", pkcs12: "Pr00f-P12-Passw0rd"}

// vendors lists every client under proof.
var vendors = slices.Concat([]func(*testing.T, secretSet) *vendor{coreVendor, cloudVendor, mimcmVendor, czertainlyAdminV1Vendor},
	czertainlyParts, []func(*testing.T, secretSet) *vendor{enterpriseVendor})

// secretsOnlyVendors are proven by the secrets test only.
var secretsOnlyVendors []func(*testing.T, secretSet) *vendor

// faultCase injects one fault and judges the outcome.
type faultCase struct {
	name string
	// inject returns the fault for op, or false when it does not apply.
	inject func(v *vendor, op operation, suffix string) (fakeserver.Fault, bool)
	// judge says what is wrong with the outcome ("" when it is as documented).
	judge func(op operation, err error, hits, baseline int) string
}

func status(code int, retryAfter string) func(*vendor, operation, string) (fakeserver.Fault, bool) {
	return func(_ *vendor, op operation, suffix string) (fakeserver.Fault, bool) {
		return fakeserver.Fault{Method: op.method, PathSuffix: suffix, Status: code, RetryAfter: retryAfter,
			ContentType: "application/json", Body: `{"message":"transient"}`}, true
	}
}

// transient faults: repeatable calls succeed after a retry; others fail
// after exactly one request, with the sentinel given.
func transient(sentinel error) func(operation, error, int, int) string {
	return func(op operation, err error, hits, baseline int) string {
		if op.kind == write {
			switch {
			case hits != 1:
				return fmt.Sprintf("write sent %d times", hits)
			case err == nil:
				return "write reported success although it failed"
			case sentinel != nil && !errors.Is(err, sentinel):
				return fmt.Sprintf("want %v, got %v", sentinel, err)
			}
			return ""
		}
		if err != nil || hits != baseline+1 {
			return fmt.Sprintf("want success after one retry (%d requests), got %v after %d requests", baseline+1, err, hits)
		}
		return ""
	}
}

// broken judges faults that ruin the answer itself: a typed error after one
// request, or success where the client legitimately reads no body.
func broken(sentinel error, bodilessOK bool) func(operation, error, int, int) string {
	return func(op operation, err error, hits, _ int) string {
		if hits != 1 {
			return fmt.Sprintf("sent %d times, want 1", hits)
		}
		if err == nil && op.bodiless && bodilessOK {
			return ""
		}
		if !errors.Is(err, sentinel) {
			return fmt.Sprintf("want %v, got %v", sentinel, err)
		}
		return ""
	}
}

var faultCases = []faultCase{
	{name: "429 Retry-After seconds", inject: status(429, "0"), judge: transient(apierror.ErrRateLimited)},
	{name: "503 Retry-After HTTP-date", inject: status(503, time.Now().Add(-time.Minute).UTC().Format(http.TimeFormat)), judge: transient(apierror.ErrServer)},
	{name: "500", inject: status(500, ""), judge: transient(apierror.ErrServer)},
	{name: "connection reset before the response", inject: func(_ *vendor, op operation, suffix string) (fakeserver.Fault, bool) {
		return fakeserver.Fault{Method: op.method, PathSuffix: suffix, Reset: true}, true
	}, judge: transient(nil)},
	{name: "slower than the per-request timeout", inject: func(v *vendor, op operation, suffix string) (fakeserver.Fault, bool) {
		return fakeserver.Fault{Method: op.method, PathSuffix: suffix, Delay: max(2*time.Second, 3*v.timeout)}, true
	}, judge: transient(nil)},
	{name: "connection reset mid-body", inject: func(_ *vendor, op operation, suffix string) (fakeserver.Fault, bool) {
		cut := op.cutAt
		if cut == 0 {
			cut = 8
		}
		return fakeserver.Fault{Method: op.method, PathSuffix: suffix, TruncateAt: cut}, true
	}, judge: broken(apierror.ErrTruncated, true)},
	{name: "body shorter than Content-Length", inject: func(_ *vendor, op operation, suffix string) (fakeserver.Fault, bool) {
		return fakeserver.Fault{Method: op.method, PathSuffix: suffix, Status: 200, ContentType: contentTypeOf(op), Body: `{"result`, DeclaredLength: 4096}, true
	}, judge: broken(apierror.ErrTruncated, true)},
	{name: "HTML login page with 200", inject: func(_ *vendor, op operation, suffix string) (fakeserver.Fault, bool) {
		return fakeserver.Fault{Method: op.method, PathSuffix: suffix, Status: 200, ContentType: "text/html; charset=utf-8", Body: fakeserver.HTMLLoginPage}, true
	}, judge: broken(apierror.ErrHTMLResponse, false)},
	{name: "vendor error inside a 200 body", inject: func(v *vendor, op operation, suffix string) (fakeserver.Fault, bool) {
		if v.errorIn200 == "" || op.bodiless {
			return fakeserver.Fault{}, false
		}
		return fakeserver.Fault{Method: op.method, PathSuffix: suffix, Status: 200, ContentType: "application/json", Body: v.errorIn200}, true
	}, judge: broken(apierror.ErrVendor, false)},
	{name: "2 MiB error body", inject: func(_ *vendor, op operation, suffix string) (fakeserver.Fault, bool) {
		return fakeserver.Fault{Method: op.method, PathSuffix: suffix, Status: 400, ContentType: "application/json",
			Body: `{"message":"` + strings.Repeat("x", 2<<20) + `"}`}, true
	}, judge: func(op operation, err error, hits, _ int) string {
		var ae *apierror.Error
		switch {
		case hits != 1:
			return fmt.Sprintf("sent %d times", hits)
		case !errors.As(err, &ae) || !hasStatus(err, 400):
			// A call that needed a token reports ErrUnauthorized, with the
			// token request's 400 as its cause.
			return fmt.Sprintf("want a 400 *Error, got %v", err)
		case len(ae.Body) > apierror.MaxBodyExcerpt+32 || len(err.Error()) > 8<<10:
			return fmt.Sprintf("error not capped: body %d bytes, text %d bytes", len(ae.Body), len(err.Error()))
		}
		return ""
	}},
	{name: "malformed JSON", inject: func(_ *vendor, op operation, suffix string) (fakeserver.Fault, bool) {
		return fakeserver.Fault{Method: op.method, PathSuffix: suffix, Status: 200, ContentType: "application/json", Body: `{"results":[{"id":`}, true
	}, judge: broken(apierror.ErrUnexpectedResponse, true)},
	{name: "empty body where JSON is expected", inject: func(_ *vendor, op operation, suffix string) (fakeserver.Fault, bool) {
		return fakeserver.Fault{Method: op.method, PathSuffix: suffix, Status: 200, ContentType: "application/json", Body: ""}, true
	}, judge: broken(apierror.ErrUnexpectedResponse, true)},
}

func contentTypeOf(op operation) string {
	if op.kind == download {
		return "text/csv"
	}
	return "application/json"
}

// TestFaultMatrix runs every operation of every client under every fault
// and checks the documented outcome, counting requests so that no write is
// ever sent twice and no cut-off download is reported complete.
func TestFaultMatrix(t *testing.T) {
	var n tally
	run := func(t *testing.T, v *vendor) {
		for _, op := range v.ops {
			runOperation(t, v, op, &n)
		}
	}
	// A vendor whose fake is too slow for proofTimeout (it has a timeout
	// of its own) would hold the other fakes' answers up past theirs: such
	// vendors run after the others, all at once (not limited by -parallel),
	// so that the waits of their timeout cells overlap.
	var fast, slow []*vendor
	for _, build := range vendors {
		v := build(t, defaultSecrets)
		if v.timeout > proofTimeout {
			slow = append(slow, v)
		} else {
			fast = append(fast, v)
		}
	}
	t.Run("vendors", func(t *testing.T) {
		for _, v := range fast {
			t.Run(v.name, func(t *testing.T) {
				t.Parallel()
				run(t, v)
			})
		}
	})
	t.Run("slow vendors", func(t *testing.T) {
		var wg sync.WaitGroup
		for _, v := range slow {
			wg.Go(func() { t.Run(v.name, func(t *testing.T) { run(t, v) }) })
		}
		wg.Wait()
	})
	// The summary prints the very counts the test judges by.
	summary := fmt.Sprintf("fault matrix: %d faults tried, %d outcomes as expected, %d not, %d panics, %d duplicated writes, "+
		"%d partial files reported complete, %d operations failing without a fault",
		n.tried, n.asExpected, n.tried-n.asExpected, n.panics, n.duplicatedWrites, n.partialFiles, n.brokenBaseline)
	t.Logf("%s (%d cells not applicable)", summary, n.skipped)
	fmt.Println(summary)
	if n.panics != 0 || n.duplicatedWrites != 0 || n.partialFiles != 0 || n.brokenBaseline != 0 || n.asExpected != n.tried || n.tried == 0 {
		t.Error(summary)
	}
}

// tally counts the matrix's outcomes across the vendors running in parallel.
type tally struct {
	mu                                                                 sync.Mutex
	tried, asExpected, panics, duplicatedWrites, partialFiles, skipped int
	// brokenBaseline counts operations that failed without a fault; each
	// of their cells counts as tried and not as expected.
	brokenBaseline int
}

func (n *tally) inc(field *int) {
	n.mu.Lock()
	*field++
	n.mu.Unlock()
}

// runOperation tries op without a fault, then under every fault.
func runOperation(t *testing.T, v *vendor, op operation, n *tally) {
	// Without a fault the call succeeds; its request count is the baseline
	// a retry adds to.
	suffix, call := op.prepare(t)
	before := v.srv.HitsMatching(op.method, suffix)
	complete := filepath.Join(t.TempDir(), "out.csv")
	if err := call(context.Background(), complete); err != nil {
		t.Errorf("%s.%s without a fault: %v", v.name, op.name, err)
		n.inc(&n.brokenBaseline)
		for range faultCases {
			n.inc(&n.tried)
		}
		return
	}
	baseline := v.srv.HitsMatching(op.method, suffix) - before
	// A download's complete file, to tell a cut-off file reported as
	// success from a whole one.
	var whole []byte
	if op.kind == download {
		whole, _ = os.ReadFile(complete)
	}
	if op.kind == write && baseline != 1 {
		t.Errorf("%s.%s: a write sends %d requests to %s without a fault", v.name, op.name, baseline, suffix)
	}
	for _, fc := range faultCases {
		name := v.name + "." + op.name + "/" + fc.name
		suffix, call := op.prepare(t)
		fault, ok := fc.inject(v, op, suffix)
		if !ok {
			n.inc(&n.skipped)
			continue
		}
		n.inc(&n.tried)
		path := filepath.Join(t.TempDir(), "out.csv")
		before := v.srv.HitsMatching(op.method, suffix)
		v.inject(fault)
		panicked, err := runCell(call, path)
		v.srv.ClearFaults()
		hits := v.srv.HitsMatching(op.method, suffix) - before
		if panicked != nil {
			n.inc(&n.panics)
			t.Errorf("%s: panic: %v", name, panicked)
			continue
		}
		if op.kind == write && hits > 1 {
			n.inc(&n.duplicatedWrites)
		}
		if op.kind == download {
			got, statErr := os.ReadFile(path)
			switch {
			case err != nil && statErr == nil:
				n.inc(&n.partialFiles)
				t.Errorf("%s: failed with %v but left a file at the final path", name, err)
			case err == nil && !bytes.Equal(got, whole):
				n.inc(&n.partialFiles)
				t.Errorf("%s: reported success with %d bytes where the complete file has %d", name, len(got), len(whole))
			}
		}
		if why := fc.judge(op, err, hits, baseline); why != "" {
			t.Errorf("%s (%s): %s", name, op.kind, why)
			continue
		}
		n.inc(&n.asExpected)
	}
}

func runCell(call func(context.Context, string) error, path string) (panicked any, err error) {
	defer func() { panicked = recover() }()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	return nil, call(ctx, path)
}

// hasStatus reports whether an *apierror.Error with status code is err or
// one of its causes.
func hasStatus(err error, code int) bool {
	for err != nil {
		var ae *apierror.Error
		if !errors.As(err, &ae) {
			return false
		}
		if ae.StatusCode == code {
			return true
		}
		err = ae.Err
	}
	return false
}

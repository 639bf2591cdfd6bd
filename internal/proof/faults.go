package proof

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/certadmin/certadmin-go/internal/apierror"
	"github.com/certadmin/certadmin-go/internal/fakeserver"
)

// faultCase injects one fault and judges the outcome.
type faultCase struct {
	name string
	// inject returns the fault for op, or false when it does not apply.
	inject func(v *Vendor, op Operation, suffix string) (fakeserver.Fault, bool)
	// judge says what is wrong with the outcome ("" when it is as documented).
	judge func(op Operation, err error, hits, baseline int) string
}

func status(code int, retryAfter string) func(*Vendor, Operation, string) (fakeserver.Fault, bool) {
	return func(_ *Vendor, op Operation, suffix string) (fakeserver.Fault, bool) {
		return fakeserver.Fault{Method: op.Method, PathSuffix: suffix, Status: code, RetryAfter: retryAfter,
			ContentType: "application/json", Body: `{"message":"transient"}`}, true
	}
}

// transient faults: repeatable calls succeed after a retry; others fail
// after exactly one request, with the sentinel given.
func transient(sentinel error) func(Operation, error, int, int) string {
	return func(op Operation, err error, hits, baseline int) string {
		if op.Kind == Write {
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
func broken(sentinel error, bodilessOK bool) func(Operation, error, int, int) string {
	return func(op Operation, err error, hits, _ int) string {
		if hits != 1 {
			return fmt.Sprintf("sent %d times, want 1", hits)
		}
		if err == nil && op.Bodiless && bodilessOK {
			return ""
		}
		if !errors.Is(err, sentinel) {
			return fmt.Sprintf("want %v, got %v", sentinel, err)
		}
		return ""
	}
}

// slowCase is the fault that waits out the client's per-attempt timeout.
// The fake holds the request until the client gives up (the fault's Delay
// ends early when the request's context does: for a request whose body
// the handler has not read, net/http notices the client leaving only when
// the Delay ends, so the fake's Close waits that long), and longer than
// the timeout, so a client whose timeout never fires gets the answer late
// and fails the judge (one request where a read wants a retry). The cell
// takes the client's whole timeout, which is generous (see Timeout) so
// that no ordinary answer comes near it under load: FaultMatrix runs the
// slow cells apart, each on a fake of its own, all waiting at once.
var slowCase = faultCase{name: "slower than the per-request timeout", inject: func(v *Vendor, op Operation, suffix string) (fakeserver.Fault, bool) {
	return fakeserver.Fault{Method: op.Method, PathSuffix: suffix, Delay: v.timeout() * 3 / 2}, true
}, judge: transient(nil)}

var faultCases = []faultCase{
	{name: "429 Retry-After seconds", inject: status(429, "0"), judge: transient(apierror.ErrRateLimited)},
	{name: "503 Retry-After HTTP-date", inject: status(503, time.Now().Add(-time.Minute).UTC().Format(http.TimeFormat)), judge: transient(apierror.ErrServer)},
	{name: "500", inject: status(500, ""), judge: transient(apierror.ErrServer)},
	{name: "connection reset before the response", inject: func(_ *Vendor, op Operation, suffix string) (fakeserver.Fault, bool) {
		return fakeserver.Fault{Method: op.Method, PathSuffix: suffix, Reset: true}, true
	}, judge: transient(nil)},
	{name: "connection reset mid-body", inject: func(_ *Vendor, op Operation, suffix string) (fakeserver.Fault, bool) {
		cut := op.CutAt
		if cut == 0 {
			cut = 8
		}
		return fakeserver.Fault{Method: op.Method, PathSuffix: suffix, TruncateAt: cut}, true
	}, judge: broken(apierror.ErrTruncated, true)},
	{name: "body shorter than Content-Length", inject: func(_ *Vendor, op Operation, suffix string) (fakeserver.Fault, bool) {
		return fakeserver.Fault{Method: op.Method, PathSuffix: suffix, Status: 200, ContentType: contentTypeOf(op), Body: `{"result`, DeclaredLength: 4096}, true
	}, judge: broken(apierror.ErrTruncated, true)},
	{name: "HTML login page with 200", inject: func(_ *Vendor, op Operation, suffix string) (fakeserver.Fault, bool) {
		return fakeserver.Fault{Method: op.Method, PathSuffix: suffix, Status: 200, ContentType: "text/html; charset=utf-8", Body: fakeserver.HTMLLoginPage}, true
	}, judge: broken(apierror.ErrHTMLResponse, false)},
	{name: "vendor error inside a 200 body", inject: func(v *Vendor, op Operation, suffix string) (fakeserver.Fault, bool) {
		if v.ErrorIn200 == "" || op.Bodiless {
			return fakeserver.Fault{}, false
		}
		return fakeserver.Fault{Method: op.Method, PathSuffix: suffix, Status: 200, ContentType: "application/json", Body: v.ErrorIn200}, true
	}, judge: broken(apierror.ErrVendor, false)},
	{name: "2 MiB error body", inject: func(_ *Vendor, op Operation, suffix string) (fakeserver.Fault, bool) {
		return fakeserver.Fault{Method: op.Method, PathSuffix: suffix, Status: 400, ContentType: "application/json",
			Body: `{"message":"` + strings.Repeat("x", 2<<20) + `"}`}, true
	}, judge: func(op Operation, err error, hits, _ int) string {
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
	{name: "malformed JSON", inject: func(_ *Vendor, op Operation, suffix string) (fakeserver.Fault, bool) {
		return fakeserver.Fault{Method: op.Method, PathSuffix: suffix, Status: 200, ContentType: "application/json", Body: `{"results":[{"id":`}, true
	}, judge: broken(apierror.ErrUnexpectedResponse, true)},
	{name: "empty body where JSON is expected", inject: func(_ *Vendor, op Operation, suffix string) (fakeserver.Fault, bool) {
		return fakeserver.Fault{Method: op.Method, PathSuffix: suffix, Status: 200, ContentType: "application/json", Body: ""}, true
	}, judge: broken(apierror.ErrUnexpectedResponse, true)},
}

func contentTypeOf(op Operation) string {
	if op.Kind == Download {
		return "text/csv"
	}
	return "application/json"
}

// FaultMatrix runs every operation of the vendors built under every fault
// and checks the documented outcome, counting requests so that no write is
// ever sent twice and no cut-off download is reported complete. A vendor
// package calls it from a test with its builders (several when its
// operations are spread over fakes of their own).
func FaultMatrix(t *testing.T, builders ...Builder) {
	var n tally
	vendors := make([]*Vendor, len(builders))
	for i, build := range builders {
		vendors[i] = build(t, DefaultSecrets)
	}
	t.Run("vendors", func(t *testing.T) {
		for _, v := range vendors {
			t.Run(v.Name, func(t *testing.T) {
				t.Parallel()
				for _, op := range v.Ops {
					runOperation(t, v, op, &n, faultCases, nil)
				}
			})
		}
	})
	// The slow cells wait out the client's (generous) per-attempt timeout.
	// One after the other they would take that long per operation, and
	// next to other cells a fault could meet another operation's request:
	// so each runs on a vendor built for it alone (fake, client and the
	// operation's fault-free run first, as above), and all wait at once.
	// Building and the fault-free runs take turns (slowSetup), so that the
	// fakes' work does not pile up into the answers the cells judge; the
	// subtests are not parallel ones, so -parallel does not limit the waits.
	t.Run("slow answers", func(t *testing.T) {
		setup := make(chan struct{}, slowSetup)
		var wg sync.WaitGroup
		for b, build := range builders {
			for i, op := range vendors[b].Ops {
				wg.Go(func() {
					t.Run(vendors[b].Name+"."+op.Name, func(t *testing.T) {
						setup <- struct{}{}
						released := false
						release := func() {
							if !released {
								released = true
								<-setup
							}
						}
						defer release()
						v := build(t, DefaultSecrets)
						if len(v.Ops) != len(vendors[b].Ops) || v.Ops[i].Name != op.Name {
							t.Fatalf("%s: a second build has other operations", v.Name)
						}
						runOperation(t, v, v.Ops[i], &n, []faultCase{slowCase}, release)
					})
				})
			}
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

// runOperation tries op without a fault, then under each of cases.
// beforeCell, when not nil, runs before each cell's call.
func runOperation(t *testing.T, v *Vendor, op Operation, n *tally, cases []faultCase, beforeCell func()) {
	// Without a fault the call succeeds; its request count is the baseline
	// a retry adds to.
	suffix, call := op.Prepare(t)
	before := v.Srv.HitsMatching(op.Method, suffix)
	complete := filepath.Join(t.TempDir(), "out.csv")
	_, logged := v.Logs.attemptsSince(0)
	err := call(context.Background(), complete)
	attempts, _ := v.Logs.attemptsSince(logged)
	if err == nil {
		var why string
		op.Kind, why = kindOf(op, suffix, attempts)
		if why != "" {
			t.Errorf("%s.%s: %s", v.Name, op.Name, why)
			n.inc(&n.brokenBaseline)
			for range cases {
				n.inc(&n.tried)
			}
			return
		}
	}
	if err != nil {
		t.Errorf("%s.%s without a fault: %v", v.Name, op.Name, err)
		n.inc(&n.brokenBaseline)
		for range cases {
			n.inc(&n.tried)
		}
		return
	}
	baseline := v.Srv.HitsMatching(op.Method, suffix) - before
	// A download's complete file, to tell a cut-off file reported as
	// success from a whole one.
	var whole []byte
	if op.Kind == Download {
		whole, _ = os.ReadFile(complete)
	}
	if op.Kind == Write && baseline != 1 {
		t.Errorf("%s.%s: a write sends %d requests to %s without a fault", v.Name, op.Name, baseline, suffix)
	}
	for _, fc := range cases {
		name := v.Name + "." + op.Name + "/" + fc.name
		suffix, call := op.Prepare(t)
		fault, ok := fc.inject(v, op, suffix)
		if !ok {
			n.inc(&n.skipped)
			continue
		}
		n.inc(&n.tried)
		path := filepath.Join(t.TempDir(), "out.csv")
		before := v.Srv.HitsMatching(op.Method, suffix)
		v.Inject(fault)
		if beforeCell != nil {
			beforeCell()
		}
		panicked, err := runCell(call, path, v.timeout())
		v.Srv.ClearFaults()
		hits := v.Srv.HitsMatching(op.Method, suffix) - before
		if panicked != nil {
			n.inc(&n.panics)
			t.Errorf("%s: panic: %v", name, panicked)
			continue
		}
		if op.Kind == Write && hits > 1 {
			n.inc(&n.duplicatedWrites)
		}
		if op.Kind == Download {
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
			t.Errorf("%s (%s): %s", name, op.Kind, why)
			continue
		}
		n.inc(&n.asExpected)
	}
}

// runCell runs one cell's call, bounded so that a call that never ends
// fails its cell instead of hanging the test: timeout is the client's
// per-attempt timeout, and the slow fault holds a request for 1.5 times that.
func runCell(call func(context.Context, string) error, path string, timeout time.Duration) (panicked any, err error) {
	defer func() { panicked = recover() }()
	ctx, cancel := context.WithTimeout(context.Background(), 4*timeout)
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

// kindOf is op's kind as its fault-free run showed it: a download stays
// one; any other operation is a read when the transport may repeat its
// request (method and suffix) and a write otherwise, as the spec decides
// (the operation's method or x-repeat, through the transport's table). A row that states a read or
// a write must agree with that; why says how it does not.
func kindOf(op Operation, suffix string, attempts []attempt) (k Kind, why string) {
	seen := 0
	repeatable := false
	for _, a := range attempts {
		if a.method != op.Method || !strings.HasSuffix(a.path, suffix) {
			continue
		}
		if seen > 0 && a.repeatable != repeatable {
			return op.Kind, fmt.Sprintf("the requests %s …%s disagree on whether they may be repeated", op.Method, suffix)
		}
		seen++
		repeatable = a.repeatable
	}
	if seen == 0 {
		return op.Kind, fmt.Sprintf("no %s …%s in the transport's attempt log to tell a read from a write (is the client given proof.Logger?)", op.Method, suffix)
	}
	if op.Kind == Download {
		if !repeatable {
			return op.Kind, "a download the transport may not repeat"
		}
		return Download, ""
	}
	k = Write
	if repeatable {
		k = Read
	}
	if op.Kind != Derived && op.Kind != k {
		return op.Kind, fmt.Sprintf("the row says %s, the spec's repeat says %s", op.Kind, k)
	}
	return k, ""
}

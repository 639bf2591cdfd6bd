package proof

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"testing"

	"github.com/certadmin/certadmin-go/internal/apierror"
	"github.com/certadmin/certadmin-go/internal/fakeserver"
	"github.com/certadmin/certadmin-go/internal/pager"
)

// Invariant 4 over a vendor's lists. Each vendor registers its lists in
// its own folder (listinvariants_test.go, a TestListInvariants calling
// ListInvariants); the checks are here, the same for every vendor.
//
// Answers: a list answered with an HTML page, with the vendor's error
// inside a 200, or with a body cut short is an error, never a list (least
// of all an empty one). Every error shape the vendor's server sends gets a
// row of its own served with status 200: a server (or a proxy) that
// answers a list call with one must not pass for a list with nothing in
// it.
//
// Paging: every paged list, run against a stand-in that ignores the
// offset (or the page number) and answers every page with the first,
// stops with an error matching ErrPagingMismatch (pager.ErrPagingMismatch,
// re-exported under that name by the vendor packages), yields no item
// twice and sends a bounded number of requests. The stand-in is the
// vendor's fake with the first page injected for every request, so the
// answers keep the vendor's shapes and the requests are counted by the
// server.
//
// Unpaged: a list the vendor's API answers in one call costs exactly one
// request.

// Lists are a vendor's list calls under the invariants.
type Lists struct {
	// Answers are the list calls that get every bad answer.
	Answers []ListPath
	// Paged are the paged listings that get the repeated page.
	Paged []PagedList
	// Unpaged are the lists answered in one call.
	Unpaged []UnpagedList
}

// ListPath is one list call of a vendor, against a fresh fake.
type ListPath struct {
	Name         string
	Method, Path string
	// ErrorShapes are error bodies as the vendor's server writes them,
	// from the shapes its package's decodeError reads.
	ErrorShapes []string
	SetUp       func(t *testing.T) (inject func(fakeserver.Fault), clear func(), call func(ctx context.Context) error)
}

// PagedList is one paged listing under proof.
type PagedList struct {
	Name string
	// Run lists once against a fresh stand-in and returns the keys of the
	// items yielded, the requests the stand-in served for it and the error
	// that ended the listing.
	Run func(t *testing.T) (keys []string, requests int, err error)
	// MaxRequests bounds the requests: the two pages that show the repeat
	// plus any fetched ahead.
	MaxRequests int
}

// UnpagedList is a list the vendor's API answers in one call: nothing to
// page, so nothing to repeat; the proof is that it costs exactly one
// request.
type UnpagedList struct {
	Name string
	Run  func(t *testing.T) (requests int, err error)
}

// ListInvariants runs the three list invariants over a vendor's lists, as
// subtests "answers", "paging" and "unpaged". A vendor without lists of a
// kind leaves that field empty; one without any list fails.
func ListInvariants(t *testing.T, l Lists) {
	if len(l.Answers)+len(l.Paged)+len(l.Unpaged) == 0 {
		t.Fatal("no list registered")
	}
	t.Run("answers", func(t *testing.T) {
		for _, lp := range l.Answers {
			t.Run(lp.Name, func(t *testing.T) { badAnswers(t, lp) })
		}
	})
	t.Run("paging", func(t *testing.T) {
		for _, pl := range l.Paged {
			t.Run(pl.Name, func(t *testing.T) { repeatedPage(t, pl) })
		}
	})
	t.Run("unpaged", func(t *testing.T) {
		for _, ul := range l.Unpaged {
			t.Run(ul.Name, func(t *testing.T) {
				n, err := ul.Run(t)
				if err != nil {
					t.Fatal(err)
				}
				if n != 1 {
					t.Errorf("%d requests, want 1", n)
				}
			})
		}
	})
}

// answerRow is one bad answer and the errors it may give.
type answerRow struct {
	name  string
	fault func(lp ListPath) fakeserver.Fault
	// want lists the sentinels the error may match; an error inside a
	// 200 may be read as the vendor's error or as an answer that is not a
	// list.
	want []error
}

func answerRows(lp ListPath) []answerRow {
	// Every attempt gets the fault, so a retry cannot turn it into success.
	const every = 10
	rows := []answerRow{
		{"HTML page with 200", func(lp ListPath) fakeserver.Fault {
			return fakeserver.Fault{Method: lp.Method, PathSuffix: lp.Path, Times: every, Status: 200, ContentType: "text/html; charset=utf-8", Body: fakeserver.HTMLLoginPage}
		}, []error{apierror.ErrHTMLResponse}},
		{"HTML page labelled JSON with 200", func(lp ListPath) fakeserver.Fault {
			return fakeserver.Fault{Method: lp.Method, PathSuffix: lp.Path, Times: every, Status: 200, ContentType: "application/json", Body: fakeserver.HTMLLoginPage}
		}, []error{apierror.ErrHTMLResponse}},
		{"body shorter than its Content-Length", func(lp ListPath) fakeserver.Fault {
			return fakeserver.Fault{Method: lp.Method, PathSuffix: lp.Path, Times: every, Status: 200, ContentType: "application/json", Body: `{"result`, DeclaredLength: 4096}
		}, []error{apierror.ErrTruncated}},
		{"connection dropped mid-body", func(lp ListPath) fakeserver.Fault {
			return fakeserver.Fault{Method: lp.Method, PathSuffix: lp.Path, Times: every, TruncateAt: 1}
		}, []error{apierror.ErrTruncated}},
	}
	for i, body := range lp.ErrorShapes {
		rows = append(rows, answerRow{fmt.Sprintf("vendor error shape %d inside a 200", i+1), func(lp ListPath) fakeserver.Fault {
			return fakeserver.Fault{Method: lp.Method, PathSuffix: lp.Path, Times: every, Status: 200, ContentType: "application/json", Body: body}
		}, []error{apierror.ErrVendor, apierror.ErrUnexpectedResponse}})
	}
	return rows
}

func badAnswers(t *testing.T, lp ListPath) {
	if len(lp.ErrorShapes) == 0 {
		t.Fatal("no error shape: give the vendor's error bodies")
	}
	inject, clear, call := lp.SetUp(t)
	if err := call(context.Background()); err != nil {
		t.Fatalf("without a fault: %v", err)
	}
	for _, row := range answerRows(lp) {
		inject(row.fault(lp))
		err := call(context.Background())
		clear()
		ok := false
		for _, w := range row.want {
			ok = ok || errors.Is(err, w)
		}
		if !ok {
			t.Errorf("%s: got %v, want an error matching one of %v", row.name, err, row.want)
		}
	}
}

func repeatedPage(t *testing.T, pl PagedList) {
	keys, requests, err := pl.Run(t)
	if !errors.Is(err, pager.ErrPagingMismatch) {
		t.Errorf("ended with %v, want ErrPagingMismatch", err)
	}
	seen := map[string]bool{}
	for _, k := range keys {
		if seen[k] {
			t.Errorf("item %s yielded twice", k)
			break
		}
		seen[k] = true
	}
	if requests > pl.MaxRequests {
		t.Errorf("%d requests, want at most %d", requests, pl.MaxRequests)
	}
	t.Logf("%d items, %d requests, %v", len(keys), requests, err)
}

// Drain collects an iterator's keys until its first error.
func Drain[T any](seq iter.Seq2[T, error], key func(T) string) ([]string, error) {
	var keys []string
	for v, err := range seq {
		if err != nil {
			return keys, err
		}
		keys = append(keys, key(v))
		if len(keys) > 100_000 { // a listing that never ends: fail, do not hang
			return keys, errors.New("the listing did not end")
		}
	}
	return keys, nil
}

// SeqErr runs a lazy listing to its end and returns its error.
func SeqErr[T any](seq iter.Seq2[T, error]) error {
	for _, err := range seq {
		if err != nil {
			return err
		}
	}
	return nil
}

package apierror_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/certadmin/certadmin-go/internal/apierror"
)

func TestIsMatchesStatusAndKind(t *testing.T) {
	for _, tc := range []struct {
		err  *apierror.Error
		want []error
		not  []error
	}{
		{&apierror.Error{StatusCode: 401}, []error{apierror.ErrUnauthorized}, []error{apierror.ErrForbidden, apierror.ErrServer}},
		{&apierror.Error{StatusCode: 403}, []error{apierror.ErrForbidden}, []error{apierror.ErrUnauthorized}},
		{&apierror.Error{StatusCode: 404}, []error{apierror.ErrNotFound}, []error{apierror.ErrServer}},
		{&apierror.Error{StatusCode: 429}, []error{apierror.ErrRateLimited}, []error{apierror.ErrServer}},
		{&apierror.Error{StatusCode: 503}, []error{apierror.ErrServer}, []error{apierror.ErrRateLimited}},
		{&apierror.Error{StatusCode: 200, Kind: apierror.ErrHTMLResponse}, []error{apierror.ErrHTMLResponse}, []error{apierror.ErrServer, apierror.ErrVendor}},
	} {
		wrapped := fmt.Errorf("outer: %w", tc.err)
		for _, w := range tc.want {
			if !errors.Is(wrapped, w) {
				t.Errorf("%v does not match %v", tc.err, w)
			}
		}
		for _, n := range tc.not {
			if errors.Is(wrapped, n) {
				t.Errorf("%v matches %v", tc.err, n)
			}
		}
	}
}

func TestErrorTextNamesEverything(t *testing.T) {
	cause := errors.New("boom")
	e := &apierror.Error{Op: "core.Search", Method: "POST", URL: "https://h/x", StatusCode: 400, Code: "E1", MessageKey: "k.v",
		Message: "bad", Details: []string{"a", "b"}, RetryAfter: 2 * time.Second, Hint: "do this", Err: cause}
	got := e.Error()
	want := "core.Search: POST https://h/x: 400 Bad Request [code E1] [k.v]: bad (a; b) (retry after 2s); do this: boom"
	if got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
	if !errors.Is(e, cause) {
		t.Fatal("Unwrap lost the cause")
	}
	inv := apierror.Invalid("cloud.Accounts", "rows %d exceeds %d", 501, 500)
	if !errors.Is(inv, apierror.ErrInvalidInput) || !strings.Contains(inv.Error(), "cloud.Accounts: invalid input: rows 501 exceeds 500") {
		t.Fatalf("invalid: %v", inv)
	}
}

func TestExcerptMarksTheCut(t *testing.T) {
	if got := apierror.Excerpt([]byte("short")); got != "short" {
		t.Fatalf("got %q", got)
	}
	long := apierror.Excerpt([]byte(strings.Repeat("z", 5000)))
	if len(long) != apierror.MaxBodyExcerpt+len(apierror.TruncationMark) || !strings.HasSuffix(long, apierror.TruncationMark) {
		t.Fatalf("excerpt of %d bytes", len(long))
	}
}

func TestWithCauseAddsTheCallersCause(t *testing.T) {
	stop := errors.New("operator pressed stop")
	failed := fmt.Errorf("request failed: %w", context.Canceled)

	live := context.Background()
	if got := apierror.WithCause(live, failed); got != failed { //nolint:errorlint // the very error, unchanged
		t.Errorf("a live context: got %v, want the error unchanged", got)
	}
	plain, cancel := context.WithCancel(context.Background())
	cancel()
	if got := apierror.WithCause(plain, failed); got != failed { //nolint:errorlint // the very error, unchanged
		t.Errorf("cancelled without a cause: got %v, want the error unchanged", got)
	}

	withCause, cancelCause := context.WithCancelCause(context.Background())
	cancelCause(stop)
	got := apierror.WithCause(withCause, failed)
	if !errors.Is(got, stop) || !errors.Is(got, context.Canceled) {
		t.Errorf("cancelled with a cause: got %v, want it to match both the cause and context.Canceled", got)
	}
	if again := apierror.WithCause(withCause, got); again != got { //nolint:errorlint // the very error, unchanged
		t.Errorf("an error that carries the cause already: got %v, want it unchanged", again)
	}

	// Another call's failure as the cause (errgroup.WithContext): matched
	// itself, but neither errors.As nor the SDK's sentinels reach it.
	other := &apierror.Error{Op: "other.Call", StatusCode: 500}
	grouped, cancelGroup := context.WithCancelCause(context.Background())
	cancelGroup(other)
	got = apierror.WithCause(grouped, failed)
	var ae *apierror.Error
	if !errors.Is(got, other) || errors.Is(got, apierror.ErrServer) || errors.As(got, &ae) {
		t.Errorf("another call's error as the cause: got %v (is the cause %v, a server error %v, an *Error %v), want only the cause itself to match",
			got, errors.Is(got, other), errors.Is(got, apierror.ErrServer), errors.As(got, &ae))
	}
	// A cause of a type that cannot be compared is never matched (and
	// comparing it must not panic).
	odd, cancelOdd := context.WithCancelCause(context.Background())
	cancelOdd(uncomparable{"stop"})
	if errors.Is(apierror.WithCause(odd, failed), uncomparable{"stop"}) {
		t.Error("an uncomparable target matched")
	}

	expired, cancelExpired := context.WithDeadlineCause(context.Background(), time.Unix(0, 0), stop)
	defer cancelExpired()
	got = apierror.WithCause(expired, expired.Err())
	if !errors.Is(got, stop) || !errors.Is(got, context.DeadlineExceeded) {
		t.Errorf("past a deadline with a cause: got %v, want it to match both the cause and DeadlineExceeded", got)
	}
}

type uncomparable []string

func (uncomparable) Error() string { return "uncomparable" }

package transport_test

import (
	"strings"
	"testing"

	"github.com/certadmin/certadmin-go/internal/transport"
)

func TestOnlyMembers(t *testing.T) {
	names := []string{"Message", "ExceptionType", "status"}
	for _, tc := range []struct {
		body string
		ok   bool
		n    int
	}{
		{`{"Message":"failed"}`, true, 1},
		{` {"message":"failed","EXCEPTIONTYPE":"X","status":500} `, true, 3},
		{`{}`, true, 0},
		{`{"Message":"failed","Uuid":"x"}`, false, 0},
		{`{"Uuid":"x","Message":"failed"}`, false, 0},
		{`[{"Message":"failed"}]`, false, 0},
		{`"failed"`, false, 0},
		{`{"Message":"failed"} {"Message":"again"}`, false, 0},
		{`{"Message":"failed"`, false, 0},
		{``, false, 0},
	} {
		m, ok := transport.OnlyMembers([]byte(tc.body), names...)
		if ok != tc.ok || len(m) != tc.n {
			t.Errorf("%s: %d members, %v; want %d, %v", tc.body, len(m), ok, tc.n, tc.ok)
		}
	}
	m, _ := transport.OnlyMembers([]byte(`{"Message":"failed","status":503}`), names...)
	if s, ok := transport.MemberString(m, "message"); !ok || s != "failed" {
		t.Errorf("message %q, %v", s, ok)
	}
	if _, ok := transport.MemberString(m, "status"); ok {
		t.Error("a number read as a string")
	}
	if !transport.MemberNumber(m, "status") || transport.MemberNumber(m, "message") || transport.MemberNumber(m, "absent") {
		t.Error("MemberNumber")
	}
}

// OnlyMembers stops at the first member outside the names: the rest of
// the body is not read, so the error check of every answer does not decode
// a large page a second time. Counted in allocations: a page of 10,000
// items costs what a page of one costs.
func TestOnlyMembersStopsAtTheFirstForeignMember(t *testing.T) {
	page := func(n int) []byte {
		return []byte(`{"certificates":[` + strings.TrimSuffix(strings.Repeat(`{"uuid":"x","message":"m"},`, n), ",") + `],"totalItems":1}`)
	}
	small, large := page(1), page(10000)
	for _, b := range [][]byte{small, large} {
		if _, ok := transport.OnlyMembers(b, "message", "totalItems"); ok {
			t.Fatal("a page read as an error shape")
		}
	}
	one := testing.AllocsPerRun(20, func() { transport.OnlyMembers(small, "message") })
	many := testing.AllocsPerRun(20, func() { transport.OnlyMembers(large, "message") })
	if many > one {
		t.Errorf("%v allocations for a large page, %v for a small one: the page was read past its first member", many, one)
	}
}

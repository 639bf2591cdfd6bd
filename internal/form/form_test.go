package form_test

import (
	"net/url"
	"testing"
	"time"

	"github.com/certadmin/certadmin-go/internal/form"
)

type account struct {
	Email  string `form:"emailAddress"`
	Source string `form:"accountSource"`
	UID    string `form:"uid,omitempty"`
}

type request struct {
	Accounts []account  `form:"accounts"`
	IDs      []int      `form:"ids"`
	Invite   bool       `form:"sendInvite"`
	Since    time.Time  `form:"since,epochms"`
	When     *time.Time `form:"when"`
	Note     string     `form:"note,omitempty"`
	Skipped  string
}

func TestEncodeIndexedKeysRepeatedKeysAndTimes(t *testing.T) {
	when := time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC)
	got, err := form.Encode(request{
		Accounts: []account{{Email: "a@example.com", Source: "LOCAL", UID: "a b"}, {Email: "b+x@example.com", Source: "LOCAL"}},
		IDs:      []int{1, 2},
		Invite:   true,
		Since:    time.UnixMilli(1785823788000),
		When:     &when,
		Skipped:  "never",
	})
	if err != nil {
		t.Fatal(err)
	}
	want := "accounts[0].emailAddress=a%40example.com&accounts[0].accountSource=LOCAL&accounts[0].uid=a+b&" +
		"accounts[1].emailAddress=b%2Bx%40example.com&accounts[1].accountSource=LOCAL&" +
		"ids=1&ids=2&sendInvite=true&since=1785823788000&when=2026-11-24T08%3A00%3A00Z"
	if got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
	// The server's parser must read back what we meant.
	q, err := url.ParseQuery(got)
	if err != nil || q.Get("accounts[1].emailAddress") != "b+x@example.com" || len(q["ids"]) != 2 {
		t.Fatalf("round trip: %v %v", q, err)
	}
}

func TestValuesKeepOrder(t *testing.T) {
	var v form.Values
	v.Add("sortFields[0].name", "displayName")
	v.Add("sortFields[0].order", "ASC")
	v.Add("q", "a&b=c")
	if got, want := v.Encode(), "sortFields[0].name=displayName&sortFields[0].order=ASC&q=a%26b%3Dc"; got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
	if s, ok := v.Get("q"); !ok || s != "a&b=c" || v.Len() != 3 {
		t.Fatalf("Get = %q, %v", s, ok)
	}
}

func TestMarshalRejectsNonStruct(t *testing.T) {
	if _, err := form.Marshal(42); err == nil {
		t.Fatal("want an error for a non-struct")
	}
	if _, err := form.Marshal(struct {
		M map[string]string `form:"m"`
	}{M: map[string]string{"a": "b"}}); err == nil {
		t.Fatal("want an error for a map field")
	}
}

func FuzzEncodeRoundTrip(f *testing.F) {
	f.Add("user@example.com", "LOCAL", "p@ss w=rd&x")
	f.Add("", "", "")
	f.Add("[0].x", "%zz", "\x00\xff")
	f.Fuzz(func(t *testing.T, email, source, uid string) {
		got, err := form.Encode(request{Accounts: []account{{Email: email, Source: source, UID: uid}}})
		if err != nil {
			t.Fatal(err)
		}
		q, err := url.ParseQuery(got)
		if err != nil {
			t.Fatalf("encoded body %q does not parse: %v", got, err)
		}
		if q.Get("accounts[0].emailAddress") != email || q.Get("accounts[0].accountSource") != source {
			t.Fatalf("round trip lost data: %q", got)
		}
	})
}

package cloud

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"unsafe"
)

// A chunked page (ListAccounts) holds its accounts in chunks of at most
// chunkAccounts, the last one sized to what is left, so the iterator's
// pager frees a chunk once it has handed over its accounts; the accounts
// are the ones a page read into Accounts holds.
func TestChunkedPageHoldsAccountsInChunks(t *testing.T) {
	const n = 500
	var b strings.Builder
	b.WriteString(`{"errors":null,"result":{"totalCount":500,"offset":0,"searchResults":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id":%d,"uid":"u%d@example.com"}`, i+1, i+1)
	}
	b.WriteString("]}}")
	body := b.String()
	whole, err := readPage(strings.NewReader(body), pageRead{rows: n, expect: n})
	if err != nil {
		t.Fatal(err)
	}
	chunked, err := readPage(strings.NewReader(body), pageRead{rows: n, expect: n, chunked: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(chunked.Accounts) != 0 || len(chunked.items) != n {
		t.Fatalf("chunked page: %d in Accounts, %d items", len(chunked.Accounts), len(chunked.items))
	}
	chunks, run := 1, 1
	for i, a := range chunked.items {
		if a.ID != whole.Accounts[i].ID || a.UID != whole.Accounts[i].UID {
			t.Fatalf("item %d is %d %s, want %d %s", i, a.ID, a.UID, whole.Accounts[i].ID, whole.Accounts[i].UID)
		}
		if i == 0 {
			continue
		}
		if uintptr(unsafe.Pointer(a))-uintptr(unsafe.Pointer(chunked.items[i-1])) == unsafe.Sizeof(Account{}) {
			run++
		} else {
			chunks, run = chunks+1, 1
		}
		if run > chunkAccounts {
			t.Fatalf("a chunk holds more than %d accounts", chunkAccounts)
		}
	}
	if want := (n + chunkAccounts - 1) / chunkAccounts; chunks != want {
		t.Fatalf("%d accounts in %d chunks, want %d", n, chunks, want)
	}
}

// pageBody is a listing answer of n accounts shaped as the fake's.
func pageBody(n int) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, `{"errors":null,"result":{"totalCount":%d,"searchResults":[`, n)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id":%d,"createdAt":1372188600000,"firstName":"FirstName%04d","lastName":"LastName%04d","uid":"user%04d@example.test",`+
			`"emailAddress":"user%04d@example.test","accountSource":"LOCAL","inviteState":"Completed","inviteResendCount":0,"accountType":"USER",`+
			`"enabled":true,"locked":false,"superUser":false,"termsAccepted":true,"accountSettings":"null","mutable":true,"loginFailureCount":0,`+
			`"passwordHistory":"{}","androidWorkUserStatus":"NONE","androidWorkRetryCount":0,`+
			`"registrationPin":{"createdAt":null,"expiresAt":null,"pin":null,"used":false},"groups":["All Users"],"deviceCount":0}`, 10001+i, i, i, i, i)
	}
	b.WriteString(`],"offset":0,"queryTime":0,"facetedResults":{"ACCOUNTGROUP":{"All Users":1},"ACCOUNTSOURCE":{"LOCAL":1},` +
		`"INVITESTATE":{"Completed":1},"TERMSACCEPTED":{"false":0,"true":1}},"totalUnfilteredResultCount":13}}`)
	return []byte(b.String())
}

// BenchmarkReadPage reads a page of 500 accounts as each caller does: a
// UID lookup's one account, ListAccountsPage, ListAccounts (chunked).
func BenchmarkReadPage(b *testing.B) {
	for _, tc := range []struct {
		name string
		n    int
		read pageRead
	}{
		{"lookup", 1, pageRead{rows: uidPage, expect: 1}},
		{"page", 500, pageRead{rows: 500, expect: 500, facets: true}},
		{"iterator", 500, pageRead{rows: 500, expect: 500, chunked: true}},
	} {
		body := pageBody(tc.n)
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				if _, err := readPage(bytes.NewReader(body), tc.read); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

package cloud

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"unsafe"

	"github.com/certadmin/certadmin-go/internal/apierror"
	"github.com/certadmin/certadmin-go/internal/pager"
	"github.com/certadmin/certadmin-go/internal/transport"
	"github.com/certadmin/certadmin-go/mobileiron/cloud/cloudapi"
)

// pageRead says how to read a listing answer.
type pageRead struct {
	// rows is the most accounts the page may hold (0: no bound).
	rows int
	// expect is how many accounts to make room for before the first: the
	// rows of a listing page, which comes full but for the last; a UID
	// lookup expects one.
	expect int
	// keepRaw also keeps each account's JSON object (for a lookup that
	// will write the account back).
	keepRaw bool
	// facets decodes facetedResults. Only ListAccountsPage returns them;
	// the other readers check them as decoding would and drop them.
	facets bool
	// chunked puts the accounts in AccountPage.items (ListAccounts), each
	// in a chunk of chunkAccounts, instead of Accounts.
	chunked bool
}

// chunkAccounts is how many accounts a chunk of a chunked page holds:
// as many as 32 KiB hold, the largest allocation the runtime serves from
// its size classes. The iterator's pager drops its pointer to each
// account as it hands the account over, so a chunk is freed once its
// accounts are handed over; with the page in one array, the whole array
// stayed until the page's last account, and prefetch held two full pages.
const chunkAccounts = 32 << 10 / int(unsafe.Sizeof(Account{}))

// decodePage reads a listing answer as a stream, converting accounts one
// at a time. A page being fetched therefore never holds its raw JSON, the
// decoded wire structs and the converted accounts at once; with prefetch
// or parallel paging that transient copy, not the pages themselves, was
// most of the iterator's memory.
func (c *Client) decodePage(ctx context.Context, call transport.Call, opt pageRead) (*AccountPage, error) {
	var page *AccountPage
	err := c.t.Decode(ctx, call, func(_ *http.Response, body io.Reader) error {
		var err error
		page, err = readPage(body, opt)
		return err
	})
	if err != nil {
		return nil, err
	}
	return page, nil
}

// readPage decodes one listing answer. A vendor error in the errors member
// is an *apierror.Error of kind ErrVendor; any other failure is returned
// as is and becomes ErrUnexpectedResponse. The answer must be one JSON
// object and nothing after it but white space.
// The transport caps body (an ErrResponseTooLarge error past the cap), the
// reader holds one account (or envelope member) of at most
// transport.DefaultMaxJSONValue at a time, and rows bounds the accounts.
func readPage(body io.Reader, opt pageRead) (*AccountPage, error) {
	r := getJSONReader(body, transport.DefaultMaxJSONValue)
	defer r.release()
	p := &pageReader{r: r, opt: opt, page: &AccountPage{TotalCount: -1}}
	if n := min(opt.expect, MaxPageSize); opt.chunked {
		p.page.Accounts, p.page.items = []Account{}, make([]*Account, 0, n)
	} else {
		p.page.Accounts = make([]Account, 0, n)
	}
	var sawResult bool
	err := r.object(func(key []byte) error {
		switch string(key) {
		case "errors":
			return r.decode(&p.errs)
		case "result":
			err := r.object(func(key []byte) error {
				sawResult = true
				return p.member(key)
			})
			if errors.Is(err, errNull) {
				return nil
			}
			return err
		}
		return r.skip()
	})
	if err == nil {
		err = r.end()
	}
	if err != nil {
		var ae *apierror.Error
		if errors.As(err, &ae) {
			return nil, ae // a body cut short in transit (ErrTruncated), a value too large
		}
		return nil, fmt.Errorf("malformed JSON: %w", err)
	}
	if p.errs != nil {
		code, msg, details := describe(p.errs)
		return nil, &apierror.Error{Kind: apierror.ErrVendor, Code: code, Message: msg, Details: details}
	}
	if !sawResult {
		return nil, &apierror.Error{Kind: apierror.ErrUnexpectedResponse, Message: "result is null or empty"}
	}
	return p.page, nil
}

// pageReader reads the members of a listing's result into page.
type pageReader struct {
	r     *jsonReader
	opt   pageRead
	page  *AccountPage
	errs  *cloudapi.Errors // the envelope's errors member
	w     wireAccount
	n     int       // accounts read
	chunk []Account // with opt.chunked, the chunk being filled
}

func (p *pageReader) member(key []byte) error {
	var n int64
	var err error
	page := p.page
	switch string(key) {
	case "searchResults":
		return p.r.array(p.account)
	case "facetedResults":
		if p.opt.facets {
			return p.r.decode(&page.Facets)
		}
		return p.skipFacets()
	case "totalCount":
		n, err = p.r.int64()
		page.TotalCount = int(n)
	case "offset":
		n, err = p.r.int64()
		page.Offset, page.sawOffset = int(n), true
	case "queryTime":
		n, err = p.r.int64()
		page.QueryTime = msDuration(n)
	case "totalUnfilteredResultCount":
		n, err = p.r.int64()
		page.TotalUnfiltered = int(n)
	default:
		return p.r.skip()
	}
	return err
}

// account reads one element of searchResults.
func (p *pageReader) account() error {
	page := p.page
	// The rows asked for bound what one page may hold: a server that
	// ignores rows could otherwise fill the capped body with millions of
	// tiny accounts, each a full Account in memory.
	if p.opt.rows > 0 && p.n >= p.opt.rows {
		return pager.Mismatch("", "asked for %d accounts, the page holds more", p.opt.rows)
	}
	v, err := p.r.value()
	if err != nil {
		return err
	}
	var raw json.RawMessage
	if p.opt.keepRaw {
		raw = append(raw, v...)
		v = raw
	}
	p.w = wireAccount{}
	// A member of the wrong type does not fail the page: the decoder has
	// read the whole account and readAccount keeps it.
	a, err := readAccount(&p.w, p.r.unmarshal(v, &p.w))
	if err != nil {
		return err
	}
	p.n++
	if p.opt.chunked {
		page.items = append(page.items, p.place(a))
	} else {
		page.Accounts = append(page.Accounts, a)
	}
	if p.opt.keepRaw {
		page.raw = append(page.raw, raw)
	}
	return nil
}

// place stores a in the chunk being filled, starting a new one when it is
// full (the last one of a page sized to the accounts still expected), and
// returns its address.
func (p *pageReader) place(a Account) *Account {
	if len(p.chunk) == cap(p.chunk) {
		p.chunk = make([]Account, 0, min(chunkAccounts, max(p.opt.expect-p.n+1, 1)))
	}
	p.chunk = append(p.chunk, a)
	return &p.chunk[len(p.chunk)-1]
}

// skipFacets reads facetedResults without keeping them, failing where
// decoding them into AccountPage.Facets (map[string]map[string]int64)
// would: a page a caller cannot read with ListAccountsPage is not read
// by the iterator or a lookup either. It allocates nothing.
func (p *pageReader) skipFacets() error {
	r := p.r
	counts := func([]byte) error {
		_, err := r.int64()
		return err
	}
	err := r.object(func([]byte) error {
		err := r.object(counts)
		if errors.Is(err, errNull) {
			return nil
		}
		return err
	})
	if errors.Is(err, errNull) {
		return nil
	}
	return err
}

package cloud

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/certadmin/certadmin-go/internal/apierror"
	"github.com/certadmin/certadmin-go/internal/pager"
	"github.com/certadmin/certadmin-go/internal/transport"
	"github.com/certadmin/certadmin-go/mobileiron/cloud/cloudapi"
)

// decodePage reads a listing answer as a stream, converting accounts one
// at a time. A page being fetched therefore never holds its raw JSON, the
// decoded wire structs and the converted accounts at once; with prefetch
// or parallel paging that transient copy, not the pages themselves, was
// most of the iterator's memory. rows sizes the account slice; keepRaw
// also keeps each account's JSON object (for a lookup that will write the
// account back).
func (c *Client) decodePage(ctx context.Context, call transport.Call, rows int, keepRaw bool) (*AccountPage, error) {
	var page *AccountPage
	err := c.t.Decode(ctx, call, func(_ *http.Response, body io.Reader) error {
		var err error
		page, err = readPage(body, rows, keepRaw)
		return err
	})
	if err != nil {
		return nil, err
	}
	return page, nil
}

// readPage decodes one listing answer. A vendor error in the errors member
// is an *apierror.Error of kind ErrVendor; any other failure is returned
// as is and becomes ErrUnexpectedResponse.
// The transport caps body (an ErrResponseTooLarge error past the cap), the
// decoder holds one account (or envelope member) of at most
// transport.DefaultMaxJSONValue at a time, and rows bounds the accounts.
func readPage(body io.Reader, rows int, keepRaw bool) (*AccountPage, error) {
	dec := transport.NewJSONDecoder(body, transport.DefaultMaxJSONValue)
	page := &AccountPage{TotalCount: -1, Accounts: make([]Account, 0, min(rows, MaxPageSize)), keepRaw: keepRaw, rows: rows}
	var errs *cloudapi.Errors
	var sawResult bool
	err := members(dec, func(key string) error {
		switch key {
		case "errors":
			return dec.Decode(&errs)
		case "result":
			err := members(dec, func(key string) error {
				sawResult = true
				return page.decodeMember(dec, key)
			})
			if errors.Is(err, errNull) {
				return nil
			}
			return err
		}
		return skip(dec)
	})
	if err != nil {
		var ae *apierror.Error
		if errors.As(err, &ae) {
			return nil, ae // a body cut short in transit (ErrTruncated)
		}
		return nil, fmt.Errorf("malformed JSON: %w", err)
	}
	if errs != nil {
		code, msg, details := describe(errs)
		return nil, &apierror.Error{Kind: apierror.ErrVendor, Code: code, Message: msg, Details: details}
	}
	if !sawResult {
		return nil, &apierror.Error{Kind: apierror.ErrUnexpectedResponse, Message: "result is null or empty"}
	}
	return page, nil
}

func (p *AccountPage) decodeMember(dec *json.Decoder, key string) error {
	var n int64
	var err error
	switch key {
	case "searchResults":
		w := new(wireAccount)
		return elements(dec, func() error {
			// The rows asked for bound what one page may hold: a server
			// that ignores rows could otherwise fill the capped body with
			// millions of tiny accounts, each a full Account in memory.
			if p.rows > 0 && len(p.Accounts) >= p.rows {
				return pager.Mismatch("", "asked for %d accounts, the page holds more", p.rows)
			}
			*w = wireAccount{}
			if p.keepRaw {
				var raw json.RawMessage
				if err := dec.Decode(&raw); err != nil {
					return err
				}
				a, err := readAccount(w, json.Unmarshal(raw, w))
				if err != nil {
					return err
				}
				p.Accounts = append(p.Accounts, a)
				p.raw = append(p.raw, raw)
				return nil
			}
			// A member of the wrong type does not fail the page: the
			// decoder has read the whole account and readAccount keeps it.
			a, err := readAccount(w, dec.Decode(w))
			if err != nil {
				return err
			}
			p.Accounts = append(p.Accounts, a)
			return nil
		})
	case "facetedResults":
		return dec.Decode(&p.Facets)
	case "totalCount":
		err = dec.Decode(&n)
		p.TotalCount = int(n)
	case "offset":
		err = dec.Decode(&n)
		p.Offset, p.sawOffset = int(n), true
	case "queryTime":
		err = dec.Decode(&n)
		p.QueryTime = msDuration(n)
	case "totalUnfilteredResultCount":
		err = dec.Decode(&n)
		p.TotalUnfiltered = int(n)
	default:
		return skip(dec)
	}
	return err
}

var errNull = errors.New("null")

// members calls fn for each member of the object at dec's position, which
// must leave the member's value consumed. A JSON null is errNull.
func members(dec *json.Decoder, fn func(key string) error) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if tok == nil {
		return errNull
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return fmt.Errorf("want an object, got %v", tok)
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		if err := fn(tok.(string)); err != nil {
			return err
		}
	}
	_, err = dec.Token()
	return err
}

// elements calls fn for each element of the array (or null) at dec's position.
func elements(dec *json.Decoder, fn func() error) error {
	tok, err := dec.Token()
	if err != nil || tok == nil {
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return fmt.Errorf("want an array, got %v", tok)
	}
	for dec.More() {
		if err := fn(); err != nil {
			return err
		}
	}
	_, err = dec.Token()
	return err
}

func skip(dec *json.Decoder) error {
	var v json.RawMessage
	return dec.Decode(&v)
}

package cloud

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/certadmin/certadmin-go/internal/apierror"
	"github.com/certadmin/certadmin-go/internal/transport"
	"github.com/go-json-experiment/json/jsontext"
)

// jsonReader reads one JSON text as a stream: jsontext.Decoder walks the
// objects and arrays the caller walks (object, array) without allocating
// and hands every other value out whole (value), bounded and checked, to
// be decoded with encoding/json v1's semantics, which the package's models
// rely on: by transport.UnmarshalJSON, the call path's decoder, which
// uses the v2 decoder of the same module with its v1 options (unmarshal).
//
// Why not encoding/json itself: its Decoder scans each value twice more
// (to find its end, then to decode it) and allocates more; the v2 decoder
// took a 500-account page from 4.2 ms to 2.9 ms, and from 8 230
// allocations to 3 220. Why not decode straight from the stream
// (json.UnmarshalDecode, 2.5 ms): a value's bound, its truncation and its
// syntax errors would then be the decoder's to report, and a review found
// each reported differently from value's. FuzzReadPage and FuzzDecodePage
// hold the reader to encoding/json's results on the same bodies, and the
// pagereader tests to its names of a member of the wrong type.
//
// Memory: the decoder reads through a boundedReader, so it holds at most
// max+slack bytes past the last token or value it returned; a value
// longer than max fails with an ErrResponseTooLarge error. jsontext
// doubles its buffer as it grows, so a reader holds a few max bytes at
// most whatever the text's size, as transport.NewJSONDecoder does.
type jsonReader struct {
	dec    jsontext.Decoder
	in     boundedReader
	key    []byte   // the member name object hands to its callback
	keyBuf [32]byte // holds key while it is short: every name of the listing is
}

// textOptions make jsontext accept exactly what json.Valid accepts:
// duplicate names and invalid UTF-8 in strings are JSON to encoding/json.
var textOptions = []jsontext.Options{jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true)}

// slack is what the decoder may read past a value of max bytes: the
// delimiter and white space before it, the byte after a number.
const slack = 64

// boundedReader feeds the decoder at most max+slack bytes past the end of
// the last token or value it returned. It keeps the first read error,
// which jsontext drops when it comes with data, and returns it again.
// White space before a value counts with it: a run of more than slack
// bytes of it before a value of max bytes fails as too large.
type boundedReader struct {
	r       io.Reader
	dec     *jsontext.Decoder
	max     int
	n, peak int64 // bytes delivered; most held at once
	err     error
}

func (b *boundedReader) Read(p []byte) (int, error) {
	room := int64(b.max) + slack - (b.n - b.dec.InputOffset())
	switch {
	case b.err != nil:
		return 0, b.err
	case room <= 0:
		return 0, b.tooLarge()
	}
	for range 100 { // jsontext would ask for ever
		n, err := b.r.Read(p[:min(int64(len(p)), room)])
		b.n += int64(n)
		b.peak = max(b.peak, b.n-b.dec.InputOffset())
		if b.err = err; n > 0 || err != nil {
			return n, err
		}
	}
	b.err = io.ErrNoProgress
	return 0, b.err
}

func (b *boundedReader) tooLarge() error {
	b.err = &apierror.Error{Kind: apierror.ErrResponseTooLarge,
		Message: fmt.Sprintf("one JSON value of the answer is larger than the %d-byte limit", b.max)}
	return b.err
}

// readerPool keeps readers between listing calls, so a lookup does not
// allocate buffers every time; one that held more than pooledBufSize/2 is
// not kept: its buffers grew with the value.
var readerPool = sync.Pool{New: func() any { return new(jsonReader) }}

const pooledBufSize = 64 << 10

// getJSONReader is a reader of in from the pool; release gives it back.
func getJSONReader(in io.Reader, max int) *jsonReader {
	r := readerPool.Get().(*jsonReader)
	r.reset(in, max)
	return r
}

// reset makes r read afresh from in, keeping its buffers.
func (r *jsonReader) reset(in io.Reader, max int) {
	r.in = boundedReader{r: in, dec: &r.dec, max: max}
	r.dec.Reset(&r.in, textOptions...)
	r.key = r.keyBuf[:0]
}

// release gives r back to the pool. Nothing r handed out may be used
// after: the page reader decodes or copies every value it is given.
func (r *jsonReader) release() {
	if r.in.peak <= pooledBufSize/2 {
		r.in.r = nil
		readerPool.Put(r)
	}
}

// errNull is what object returns for a JSON null in place of the object.
var errNull = errors.New("null")

// fail returns jsontext's error err, but a read error as the input gave it
// (the transport's ErrTruncated, the bound's error) and the input's end
// before the text's as io.ErrUnexpectedEOF.
func (r *jsonReader) fail(err error) error {
	switch {
	case r.in.err != nil && !errors.Is(r.in.err, io.EOF) && errors.Is(err, r.in.err):
		return r.in.err
	case err == io.EOF: //nolint:errorlint // jsontext returns io.EOF itself
		return io.ErrUnexpectedEOF
	}
	return err
}

// peek returns the kind of the next token, or the error reading it.
func (r *jsonReader) peek() (jsontext.Kind, error) {
	if k := r.dec.PeekKind(); k != 0 {
		return k, nil
	}
	_, err := r.dec.ReadValue() // the error PeekKind kept
	return 0, r.fail(err)
}

// value returns the next value as it stands in the text, valid until the
// next call.
func (r *jsonReader) value() ([]byte, error) {
	v, err := r.dec.ReadValue()
	if err == nil && len(v) > r.in.max {
		err = r.in.tooLarge()
	}
	return v, r.fail(err)
}

// skip reads the next value: an object or array a token at a time.
func (r *jsonReader) skip() error {
	k, err := r.peek()
	if err == nil && (k == '{' || k == '[') {
		return r.fail(r.dec.SkipValue())
	}
	if err == nil {
		_, err = r.value()
	}
	return err
}

// decode reads the next value into dst as json.Unmarshal does.
func (r *jsonReader) decode(dst any) error {
	v, err := r.value()
	if err != nil {
		return err
	}
	return r.unmarshal(v, dst)
}

// unmarshal decodes v, one value as value returned it, into dst (a
// pointer) as json.Unmarshal does, error included: a member of the wrong
// type is encoding/json's *json.UnmarshalTypeError, naming the member as
// encoding/json does (Account.Unreadable), after which the rest of v has
// been read into dst. The transport's decoder gives exactly that: it
// leaves any error to encoding/json.
func (r *jsonReader) unmarshal(v []byte, dst any) error {
	return transport.UnmarshalJSON(v, dst)
}

// int64 reads the next value as json.Unmarshal into a zero int64 does
// (null is 0), without its allocations for a plain integer: one of
// -?(0|[1-9][0-9]*) of at most 18 digits, which cannot overflow.
func (r *jsonReader) int64() (int64, error) {
	v, err := r.value()
	if err != nil {
		return 0, err
	}
	digits := bytes.TrimPrefix(v, []byte("-"))
	var x int64
	for i, c := range digits {
		if c < '0' || c > '9' || len(digits) > 18 || i == 1 && digits[0] == '0' {
			return unmarshalInt(v)
		}
		x = x*10 + int64(c-'0')
	}
	if len(digits) < len(v) {
		x = -x
	}
	return x, nil
}

// unmarshalInt is int64's rare case, apart: its &n is on the heap.
func unmarshalInt(v []byte) (int64, error) {
	var n int64
	err := json.Unmarshal(v, &n)
	return n, err
}

// object calls fn with the name of each member of the object at the
// reader's position; fn must read the member's value. A null is errNull.
// The name is valid until fn returns.
func (r *jsonReader) object(fn func(key []byte) error) error {
	return r.each('{', func() error {
		name, err := r.dec.ReadValue() // jsontext checks it is a name
		if err != nil {
			return r.fail(err)
		}
		// Copied: the decoder reuses its buffer for the member's value.
		if bytes.IndexByte(name, '\\') < 0 {
			r.key = append(r.key[:0], name[1:len(name)-1]...)
		} else {
			r.key, _ = jsontext.AppendUnquote(r.key[:0], name) // invalid UTF-8 becomes U+FFFD
		}
		return fn(r.key)
	})
}

// array calls fn for each element of the array (or null) at the reader's
// position; fn must read the element.
func (r *jsonReader) array(fn func() error) error {
	if err := r.each('[', fn); err != errNull { //nolint:errorlint // each's own value
		return err
	}
	return nil
}

// each calls fn for each member or element of the object or array (open
// is '{' or '[') at the reader's position; a null is errNull.
func (r *jsonReader) each(open jsontext.Kind, fn func() error) error {
	k, err := r.peek()
	switch {
	case err != nil:
		return err
	case k == 'n':
		_, err = r.dec.ReadToken()
		return cmp.Or(r.fail(err), errNull)
	case k != open:
		v, err := r.value()
		return cmp.Or(err, fmt.Errorf("want %c…%c, got %.40s", open, open+2, v))
	}
	for _, err = r.dec.ReadToken(); err == nil; {
		if k, err = r.peek(); err == nil && k == open+2 { // '}' or ']'
			_, err = r.dec.ReadToken()
			return r.fail(err)
		} else if err == nil {
			err = fn()
		}
	}
	return r.fail(err)
}

// end checks that nothing but white space follows the text.
func (r *jsonReader) end() error {
	if r.dec.PeekKind() != 0 {
		return errors.New("invalid data after top-level value")
	}
	if _, err := r.dec.ReadValue(); err != io.EOF { //nolint:errorlint // jsontext's end of input is io.EOF itself
		return r.fail(err)
	}
	return nil
}

package cloud

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/certadmin/certadmin-go/internal/apierror"
	"github.com/go-json-experiment/json/jsontext"
)

// jsonReader reads one JSON text as a stream: jsontext.Decoder walks the
// objects and arrays its caller walks (object, array) without allocating,
// and hands every other value out whole (value) for encoding/json (v1,
// whose semantics the package's models rely on) to decode.
//
// Memory: the decoder reads through a boundedReader, so it holds at most
// max+slack bytes past the last token or value it returned: a value
// growing past that, or returned longer than max, fails with an
// ErrResponseTooLarge error. jsontext doubles its buffer as it grows, so
// a reader holds at most a few max bytes whatever the text's size, as
// transport.NewJSONDecoder does.
type jsonReader struct {
	dec jsontext.Decoder
	in  boundedReader
	max int
	key []byte // the member name object hands to its callback
	// keyBuf holds key while it is short: every name of the listing is.
	keyBuf [32]byte

	// vdec decodes the values unmarshal is given, fed one at a time from
	// feed: json.Unmarshal would allocate its decoding state for each.
	vdec *json.Decoder
	feed valueFeed
}

// textOptions make jsontext accept exactly what json.Valid accepts:
// duplicate names and invalid UTF-8 in strings are JSON to encoding/json.
var textOptions = []jsontext.Options{jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true)}

// slack is what the decoder may read past a value of max bytes: the
// delimiter and white space before it, the byte after a number.
const slack = 64

// boundedReader feeds the decoder at most hold bytes past the end of the
// last token or value it returned, and keeps the first read error, which
// jsontext drops when it comes with data.
type boundedReader struct {
	r    io.Reader
	dec  *jsontext.Decoder
	hold int64 // max+slack
	n    int64 // bytes delivered
	peak int64 // most bytes held at once
	err  error
	max  int
}

func (b *boundedReader) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	held := b.n - b.dec.InputOffset()
	if held >= b.hold {
		return 0, b.tooLarge()
	}
	p = p[:min(int64(len(p)), b.hold-held)]
	for range 100 {
		n, err := b.r.Read(p)
		b.n += int64(n)
		b.peak = max(b.peak, b.n-b.dec.InputOffset())
		if err != nil {
			b.err = err
		}
		if n > 0 || err != nil {
			return n, err
		}
	}
	b.err = io.ErrNoProgress // jsontext would call again for ever
	return 0, b.err
}

// tooLarge ends the input with the bound's error.
func (b *boundedReader) tooLarge() error {
	b.err = &apierror.Error{Kind: apierror.ErrResponseTooLarge,
		Message: fmt.Sprintf("one JSON value of the answer is larger than the %d-byte limit", b.max)}
	return b.err
}

// valueFeed hands the reader's decoder the one value it is to decode.
type valueFeed struct{ b []byte }

func (f *valueFeed) Read(p []byte) (int, error) {
	if len(f.b) == 0 {
		return 0, io.EOF
	}
	n := copy(p, f.b)
	f.b = f.b[n:]
	return n, nil
}

// readerPool keeps the readers of listing answers between calls, so a
// lookup does not allocate a buffer every time. A reader that held more
// than pooledBufSize/2 is not kept: its buffers grew with the value.
var readerPool = sync.Pool{New: func() any { return new(jsonReader) }}

const pooledBufSize = 64 << 10

func newJSONReader(r io.Reader, max int) *jsonReader {
	jr := new(jsonReader)
	jr.reset(r, max)
	return jr
}

func getJSONReader(r io.Reader, max int) *jsonReader {
	jr := readerPool.Get().(*jsonReader)
	jr.reset(r, max)
	return jr
}

// reset makes r read afresh from in, keeping its buffers.
func (r *jsonReader) reset(in io.Reader, max int) {
	r.in = boundedReader{r: in, dec: &r.dec, hold: int64(max) + slack, max: max}
	r.dec.Reset(&r.in, textOptions...)
	r.max, r.key = max, r.keyBuf[:0]
}

// release gives r back to the pool. Nothing r handed out may be used
// after: the page reader decodes or copies every value it is given.
func (r *jsonReader) release() {
	if r.in.peak > pooledBufSize/2 {
		return
	}
	r.in.r, r.feed.b = nil, nil
	readerPool.Put(r)
}

// errNull is what object returns for a JSON null in place of the object.
var errNull = errors.New("null")

// fail returns a read error as it came from the input (the transport's
// ErrTruncated, the bound's ErrResponseTooLarge), and an input ending
// before the text as io.ErrUnexpectedEOF.
func (r *jsonReader) fail(err error) error {
	switch {
	case err == nil:
		return nil
	case r.in.err != nil && r.in.err != io.EOF && errors.Is(err, r.in.err):
		return r.in.err
	case err == io.EOF:
		return io.ErrUnexpectedEOF
	}
	return err
}

// peek returns the kind of the next token, or the error reading it.
func (r *jsonReader) peek() (jsontext.Kind, error) {
	if k := r.dec.PeekKind(); k != 0 {
		return k, nil
	}
	_, err := r.dec.ReadValue() // returns the error PeekKind kept
	return 0, r.fail(err)
}

// value returns the next value whole, as it stands in the text, valid
// until the next call.
func (r *jsonReader) value() ([]byte, error) {
	v, err := r.dec.ReadValue()
	if err != nil {
		return nil, r.fail(err)
	}
	if len(v) > r.max {
		return nil, r.in.tooLarge()
	}
	return v, nil
}

// skip reads the next value: an object or array token by token (held
// one token at a time), anything else whole.
func (r *jsonReader) skip() error {
	switch k, err := r.peek(); {
	case err != nil:
		return err
	case k == '{' || k == '[':
		return r.fail(r.dec.SkipValue())
	}
	_, err := r.value()
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

// unmarshal decodes v, one value as value returned it, into dst with the
// reader's json.Decoder, which decodes exactly as json.Unmarshal does.
func (r *jsonReader) unmarshal(v []byte, dst any) error {
	if r.vdec == nil {
		r.vdec = json.NewDecoder(&r.feed)
	}
	r.feed.b = v
	err := r.vdec.Decode(dst)
	if _, typeErr := errors.AsType[*json.UnmarshalTypeError](err); err != nil && !typeErr {
		r.vdec = nil // a decoder keeps a syntax or read error for good
	}
	return err
}

// int64 reads the next value as json.Unmarshal into a zero int64 does
// (null is 0), without its allocations for a plain integer.
func (r *jsonReader) int64() (int64, error) {
	v, err := r.value()
	if err != nil {
		return 0, err
	}
	if x, ok := plainInt(v); ok {
		return x, nil
	}
	var n int64
	err = json.Unmarshal(v, &n) // rare: not worth the reader's decoder
	return n, err
}

// plainInt parses -?(0|[1-9][0-9]*) of at most 18 digits, which cannot
// overflow; anything else is left to encoding/json.
func plainInt(v []byte) (int64, bool) {
	neg := len(v) > 0 && v[0] == '-'
	if neg {
		v = v[1:]
	}
	if len(v) == 0 || len(v) > 18 || v[0] == '0' && len(v) > 1 {
		return 0, false
	}
	var x int64
	for _, c := range v {
		if c < '0' || c > '9' {
			return 0, false
		}
		x = x*10 + int64(c-'0')
	}
	if neg {
		x = -x
	}
	return x, true
}

// object calls fn with the name of each member of the object at the
// reader's position; fn must read the member's value. A null is errNull.
// The name is valid until fn returns.
func (r *jsonReader) object(fn func(key []byte) error) error {
	switch k, err := r.peek(); {
	case err != nil:
		return err
	case k == 'n':
		if _, err := r.dec.ReadToken(); err != nil {
			return r.fail(err)
		}
		return errNull
	case k != '{':
		return r.want("an object")
	}
	if _, err := r.dec.ReadToken(); err != nil {
		return r.fail(err)
	}
	for {
		switch k, err := r.peek(); {
		case err != nil:
			return err
		case k == '}':
			_, err := r.dec.ReadToken()
			return r.fail(err)
		}
		name, err := r.dec.ReadValue() // a string: the decoder checks it is one
		if err != nil {
			return r.fail(err)
		}
		// Copied: the decoder reuses its buffer for the member's value.
		if bytes.IndexByte(name, '\\') < 0 {
			r.key = append(r.key[:0], name[1:len(name)-1]...)
		} else {
			r.key, _ = jsontext.AppendUnquote(r.key[:0], name) // checked above; invalid UTF-8 becomes U+FFFD
		}
		if err := fn(r.key); err != nil {
			return err
		}
	}
}

// array calls fn for each element of the array (or null) at the reader's
// position; fn must read the element.
func (r *jsonReader) array(fn func() error) error {
	switch k, err := r.peek(); {
	case err != nil:
		return err
	case k == 'n':
		_, err := r.dec.ReadToken()
		return r.fail(err)
	case k != '[':
		return r.want("an array")
	}
	if _, err := r.dec.ReadToken(); err != nil {
		return r.fail(err)
	}
	for {
		switch k, err := r.peek(); {
		case err != nil:
			return err
		case k == ']':
			_, err := r.dec.ReadToken()
			return r.fail(err)
		}
		if err := fn(); err != nil {
			return err
		}
	}
}

// want is the error for a value of the wrong kind where the walk needs
// an object or array: the value's own syntax error if it has one.
func (r *jsonReader) want(what string) error {
	v, err := r.value()
	if err != nil {
		return err
	}
	return fmt.Errorf("want %s, got %.40s", what, v)
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

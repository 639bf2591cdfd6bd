package cloud

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/certadmin/certadmin-go/internal/apierror"
)

// jsonReader reads one JSON text as a stream. It parses the structure of
// the objects and arrays its caller walks (object, array) itself, and
// hands every other value out whole (value), for encoding/json to decode
// or check: so the text is checked exactly as encoding/json checks it,
// while the walk costs no allocation. json.Decoder.Token, which it
// replaces, allocated a syntax error for every key and number it read (the
// decoder finds a value's end by reading one byte past it, which it takes
// for a second top-level value) and boxed every token.
//
// Memory: the reader holds the value it hands out, and at most max bytes
// of it: a value growing past max fails with an ErrResponseTooLarge error,
// as transport.NewJSONDecoder's bound does. Its buffer therefore never
// grows past max+1 bytes, whatever the text's size.
type jsonReader struct {
	r   io.Reader
	buf []byte // buf[i:] is read and not yet consumed
	i   int
	max int
	err error  // what ended the input (io.EOF at its end); sticky
	key []byte // the member name object hands to its callback
	// keyBuf holds key while it is short: every name of the listing is.
	keyBuf [32]byte

	// dec decodes the values unmarshal is given, fed one at a time from
	// in: json.Unmarshal would allocate its decoding state for each.
	dec    *json.Decoder
	in     valueFeed
	decBig bool // dec was given a value of more than pooledBufSize/2
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

// readBufSize is the reader's first buffer: a few accounts of a listing.
// It grows only for a single value larger than it.
const readBufSize = 4 << 10

func newJSONReader(r io.Reader, max int) *jsonReader {
	jr := &jsonReader{r: r, buf: make([]byte, 0, min(readBufSize, max+1)), max: max}
	jr.key = jr.keyBuf[:0]
	return jr
}

// readerPool keeps the readers of listing answers between calls, so a
// lookup does not allocate (and zero) a buffer every time. A reader whose
// buffer grew for a large value is not kept: the pool holds a few
// buffers of at most pooledBufSize each.
var readerPool = sync.Pool{New: func() any { return new(jsonReader) }}

const pooledBufSize = 64 << 10

// getJSONReader is newJSONReader from the pool; release gives it back.
func getJSONReader(r io.Reader, max int) *jsonReader {
	jr := readerPool.Get().(*jsonReader)
	buf := jr.buf[:0]
	if cap(buf) == 0 || cap(buf) > max+1 {
		buf = make([]byte, 0, min(readBufSize, max+1))
	}
	*jr = jsonReader{r: r, buf: buf, max: max, dec: jr.dec} // dec reads from &jr.in, the same field
	jr.key = jr.keyBuf[:0]
	return jr
}

// release gives r back to the pool. Nothing r handed out may be used
// after: the page reader decodes or copies every value it is given.
func (r *jsonReader) release() {
	if cap(r.buf) > pooledBufSize {
		return
	}
	if r.decBig {
		r.dec = nil // its buffer grew with the value
	}
	r.r, r.err, r.key, r.in.b = nil, nil, nil, nil
	readerPool.Put(r)
}

// errNull is what object returns for a JSON null in place of the object.
var errNull = errors.New("null")

// fill moves buf[keep:] (the part of a value read so far; len(buf) to keep
// nothing) to the front and reads more input after it. It reports whether
// any byte was added; when not, r.err says why.
func (r *jsonReader) fill(keep int) bool {
	if keep > 0 {
		n := copy(r.buf, r.buf[keep:])
		r.buf = r.buf[:n]
		r.i -= keep
	}
	if r.err != nil {
		return false
	}
	if len(r.buf) > r.max {
		r.err = r.tooLarge()
		return false
	}
	if len(r.buf) == cap(r.buf) {
		b := make([]byte, len(r.buf), min(2*cap(r.buf), r.max+1))
		copy(b, r.buf)
		r.buf = b
	}
	for range 100 {
		n, err := r.r.Read(r.buf[len(r.buf):cap(r.buf)])
		r.buf = r.buf[:len(r.buf)+n]
		if err != nil {
			r.err = err
		}
		if n > 0 {
			return true
		}
		if err != nil {
			return false
		}
	}
	r.err = io.ErrNoProgress
	return false
}

func (r *jsonReader) tooLarge() error {
	return &apierror.Error{Kind: apierror.ErrResponseTooLarge,
		Message: fmt.Sprintf("one JSON value of the answer is larger than the %d-byte limit", r.max)}
}

// failed is the error for input that ended before the text did.
func (r *jsonReader) failed() error {
	if r.err == nil || errors.Is(r.err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return r.err
}

// peek skips white space and returns the next byte without consuming it.
func (r *jsonReader) peek() (byte, error) {
	for {
		for ; r.i < len(r.buf); r.i++ {
			switch c := r.buf[r.i]; c {
			case ' ', '\t', '\n', '\r':
			default:
				return c, nil
			}
		}
		if !r.fill(len(r.buf)) {
			return 0, r.failed()
		}
	}
}

// value returns the next value whole, as it stands in the text. It finds
// where the value ends, and no more: the caller decodes it or checks it
// with encoding/json. The bytes are valid until the next call.
func (r *jsonReader) value() ([]byte, error) {
	c, err := r.peek()
	if err != nil {
		return nil, err
	}
	switch c {
	case ',', ':', ']', '}':
		return nil, syntaxError(c, "looking for beginning of value")
	}
	start, j := r.i, r.i
	var s valueScan
	for {
		end, done := s.scan(r.buf, j)
		if done {
			if end-start > r.max {
				return nil, r.tooLarge()
			}
			r.i = end
			return r.buf[start:end], nil
		}
		r.i = len(r.buf)
		more := r.fill(start) // moves the value read so far to the front
		start, j = 0, end-start
		if !more {
			if s.scalar && errors.Is(r.err, io.EOF) && len(r.buf) <= r.max {
				r.i = len(r.buf)
				return r.buf, nil // a number or literal ending the text: encoding/json judges it
			}
			return nil, r.failed()
		}
	}
}

// valueScan finds the end of one value: the bracket closing its first
// one, the quote closing a string, a delimiter after a number or literal.
type valueScan struct {
	started, scalar, str, esc bool
	depth                     int
}

// scan goes on from b[j:]. It returns the end of the value and true, or
// len(b) and false when the value goes on past b.
func (s *valueScan) scan(b []byte, j int) (int, bool) {
	if !s.started && j < len(b) {
		s.started = true
		switch b[j] {
		case '"':
			s.str = true
			j++
		case '{', '[':
			s.depth = 1
			j++
		default:
			s.scalar = true
		}
	}
	for ; j < len(b); j++ {
		c := b[j]
		switch {
		case s.str:
			switch {
			case s.esc:
				s.esc = false
			case c == '\\':
				s.esc = true
			case c == '"':
				s.str = false
				if s.depth == 0 {
					return j + 1, true
				}
			}
		case s.scalar:
			switch c {
			case ' ', '\t', '\n', '\r', ',', ':', ']', '}', '[', '{', '"':
				return j, true
			}
		case c == '"':
			s.str = true
		case c == '{' || c == '[':
			s.depth++
		case c == '}' || c == ']':
			s.depth--
			if s.depth == 0 {
				return j + 1, true
			}
		}
	}
	return len(b), false
}

// skip reads the next value and checks that it is well-formed JSON.
func (r *jsonReader) skip() error {
	v, err := r.value()
	if err != nil {
		return err
	}
	return checkJSON(v)
}

// checkJSON returns nil for well-formed JSON, else encoding/json's error.
func checkJSON(v []byte) error {
	if json.Valid(v) {
		return nil
	}
	var x json.RawMessage
	if err := json.Unmarshal(v, &x); err != nil {
		return err
	}
	return fmt.Errorf("invalid JSON value %.40q", v) // not reached: Unmarshal fails where Valid does
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
// reader's json.Decoder: the decoder checks and decodes exactly as
// json.Unmarshal does, and keeps its state from one value to the next.
func (r *jsonReader) unmarshal(v []byte, dst any) error {
	if r.dec == nil {
		r.dec = json.NewDecoder(&r.in)
	}
	if len(v) > pooledBufSize/2 {
		r.decBig = true
	}
	before := r.dec.InputOffset()
	r.in.b = v
	err := r.dec.Decode(dst)
	switch {
	case err != nil && !isTypeError(err):
		r.dec = nil // a decoder keeps a syntax or read error for good
	case len(r.in.b) > 0 || r.dec.InputOffset()-before != int64(len(v)):
		r.dec = nil
		return fmt.Errorf("invalid JSON value %.40q", v) // more than one value: not one value() returns
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
	return unmarshalInt(v)
}

// isTypeError reports a *json.UnmarshalTypeError, after which a decoder
// has read the whole value and goes on.
func isTypeError(err error) bool {
	var te *json.UnmarshalTypeError
	return errors.As(err, &te)
}

func unmarshalInt(v []byte) (int64, error) {
	var n int64
	err := json.Unmarshal(v, &n) // rare: not worth the reader's decoder
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

// isNull reads a value that starts with 'n', which must be null.
func (r *jsonReader) null() error {
	v, err := r.value()
	if err != nil {
		return err
	}
	if string(v) != "null" {
		return checkOrSyntax(v)
	}
	return nil
}

// checkOrSyntax is encoding/json's error for v, which is not a value the
// walk accepts there.
func checkOrSyntax(v []byte) error {
	if err := checkJSON(v); err != nil {
		return err
	}
	return fmt.Errorf("unexpected value %.40q", v)
}

// object calls fn with the name of each member of the object at the
// reader's position; fn must read the member's value. A null is errNull.
// The name is valid until fn returns.
func (r *jsonReader) object(fn func(key []byte) error) error {
	c, err := r.peek()
	if err != nil {
		return err
	}
	switch c {
	case 'n':
		if err := r.null(); err != nil {
			return err
		}
		return errNull
	case '{':
		r.i++
	default:
		return r.want("an object")
	}
	c, err = r.peek()
	if err != nil {
		return err
	}
	if c == '}' {
		r.i++
		return nil
	}
	for {
		if c != '"' {
			return syntaxError(c, "looking for beginning of object key string")
		}
		if err := r.readKey(); err != nil {
			return err
		}
		if c, err = r.peek(); err != nil {
			return err
		}
		if c != ':' {
			return syntaxError(c, "after object key")
		}
		r.i++
		if err := fn(r.key); err != nil {
			return err
		}
		if c, err = r.peek(); err != nil {
			return err
		}
		switch c {
		case ',':
			r.i++
		case '}':
			r.i++
			return nil
		default:
			return syntaxError(c, "after object key:value pair")
		}
		if c, err = r.peek(); err != nil {
			return err
		}
	}
}

// readKey reads a member name into r.key, unquoted: what the caller
// compares must not change when the buffer is refilled.
func (r *jsonReader) readKey() error {
	v, err := r.value()
	if err != nil {
		return err
	}
	if len(v) < 2 || v[len(v)-1] != '"' {
		return checkOrSyntax(v)
	}
	plain := true
	for _, c := range v[1 : len(v)-1] {
		if c < ' ' || c == '\\' {
			plain = false
			break
		}
	}
	if plain {
		r.key = append(r.key[:0], v[1:len(v)-1]...)
		return nil
	}
	var s string
	if err := json.Unmarshal(v, &s); err != nil {
		return err
	}
	r.key = append(r.key[:0], s...)
	return nil
}

// array calls fn for each element of the array (or null) at the reader's
// position; fn must read the element.
func (r *jsonReader) array(fn func() error) error {
	c, err := r.peek()
	if err != nil {
		return err
	}
	switch c {
	case 'n':
		return r.null()
	case '[':
		r.i++
	default:
		return r.want("an array")
	}
	if c, err = r.peek(); err != nil {
		return err
	}
	if c == ']' {
		r.i++
		return nil
	}
	for {
		if err := fn(); err != nil {
			return err
		}
		if c, err = r.peek(); err != nil {
			return err
		}
		switch c {
		case ',':
			r.i++
		case ']':
			r.i++
			return nil
		default:
			return syntaxError(c, "after array element")
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
	if err := checkJSON(v); err != nil {
		return err
	}
	return fmt.Errorf("want %s, got %.40s", what, v)
}

// end checks that nothing but white space follows the text.
func (r *jsonReader) end() error {
	c, err := r.peek()
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF) && errors.Is(r.err, io.EOF):
		return nil
	case err != nil:
		return err
	}
	return syntaxError(c, "after top-level value")
}

func syntaxError(c byte, context string) error {
	return fmt.Errorf("invalid character %q %s", c, context)
}

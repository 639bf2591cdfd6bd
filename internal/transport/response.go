package transport

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/certadmin/certadmin-go/internal/apierror"
	"github.com/certadmin/certadmin-go/internal/redact"
)

// MaxErrorBody is how much of an error body is read to find the vendor's
// message; the rest is never read.
const MaxErrorBody = 64 << 10

// MaxDetails caps the vendor messages kept on one error.
const MaxDetails = 20

// DefaultMaxJSONBody caps a JSON answer read into memory, measured after
// decompression, unless Config.MaxJSONBody says otherwise.
const DefaultMaxJSONBody = 64 << 20

// Rules are what a vendor package tells the shared call path about its
// API, once, when it builds its client. Every hook is optional.
type Rules struct {
	// DecodeError fills the vendor fields (Code, MessageKey, Message,
	// Details, Hint) of e from an error body of at most MaxErrorBody
	// bytes. It is called for every non-success answer that is not HTML;
	// body may be empty or not JSON.
	DecodeError func(e *apierror.Error, body []byte)
	// ErrorInBody reports an error the vendor puts inside a success
	// answer (an "error" member in a 200, or the vendor's error object
	// sent with 200); nil when there is none. JSON, JSONBody and the
	// JSON answers to Stream and Do call it; Decode does not (its reader
	// sees the body as a stream and checks the vendor's error shape
	// itself, as the paged readers in stream.go do). It must cost little
	// on a large answer: OnlyMembers reads an error object and stops at the
	// first member of anything else. A client whose TokenAuth.Rejected asks
	// for the answer's fault also calls it on every 2xx answer of at most
	// MaxRejectionBody bytes, whatever the call reads (Decode, a download,
	// an HTML page, a blank body), so it must take any bytes.
	ErrorInBody func(body []byte) *BodyError
	// Annotate adds advice to a failed call's error (a hint for a status
	// the vendor gives for a known cause).
	Annotate func(e *apierror.Error)
	// Repeat is the vendor's own veto on sending requests again (e.g.
	// "only GET and HEAD": its PUTs change state). It is asked about every
	// request the client sends, the wrappers', Do's and the generated
	// client's (RawDoer), also those the spec does not describe; Never
	// from it wins over the spec, and any other answer leaves the spec's
	// (Operations) decision as it is: it can only make a call stricter.
	Repeat func(req *http.Request) Repeat
	// Operations is the vendor's operation table, generated from its
	// OpenAPI document (internal/cmd/genops): the operation a request
	// matches says whether it may be repeated, for every request the
	// client sends (see Client.repeatOf). Rules.Repeat may then veto it.
	Operations *Operations
}

// BodyError is an error a vendor reported inside a success answer.
type BodyError struct {
	Code, MessageKey, Message string
	Details                   []string
}

// clone is a copy of e that shares nothing with it (nil for nil).
func (e *BodyError) clone() *BodyError {
	if e == nil {
		return nil
	}
	c := *e
	c.Details = slices.Clone(e.Details)
	return &c
}

// check returns resp when its status means success; otherwise it reads a
// capped part of the body, closes it and returns the typed error.
func (c *Client) check(call *Call, resp *http.Response) (*http.Response, error) {
	if isOK(resp.StatusCode, call.OK) && !htmlContentType(headerValue(resp.Header, "Content-Type")) {
		return resp, nil
	}
	defer resp.Body.Close()
	body, readErr := io.ReadAll(io.LimitReader(resp.Body, MaxErrorBody))
	e := c.responseError(call, resp, body)
	if isOK(resp.StatusCode, call.OK) {
		// No operation answers with an HTML page: on a success status it
		// is a login page or a proxy's, and must not pass for success.
		e.Kind = apierror.ErrHTMLResponse
	}
	if readErr != nil && e.Err == nil {
		e.Err = readErr
	}
	return nil, e
}

func htmlContentType(contentType string) bool {
	mt := mediaType(contentType)
	return mt == "text/html" || mt == "application/xhtml+xml"
}

func jsonContentType(contentType string) bool {
	mt := mediaType(contentType)
	return mt == "application/json" || strings.HasSuffix(mt, "+json")
}

// mediaType is the lower-case type/subtype of a Content-Type value. It runs
// on every response, so it avoids mime.ParseMediaType's parameter map.
func mediaType(contentType string) string {
	mt, _, _ := strings.Cut(contentType, ";")
	return strings.ToLower(strings.TrimSpace(mt))
}

func isOK(status int, ok []int) bool {
	if len(ok) == 0 {
		return status >= 200 && status <= 299
	}
	return slices.Contains(ok, status)
}

// responseError builds the typed error for resp from (a capped part of)
// its body: status, redacted URL and excerpt, HTML detection, Retry-After
// and the vendor fields from the rules' DecodeError.
func (c *Client) responseError(call *Call, resp *http.Response, body []byte) *apierror.Error {
	e := &apierror.Error{Op: call.Op, StatusCode: resp.StatusCode}
	if resp.Request != nil {
		e.Method = resp.Request.Method
		e.URL = redact.URL(resp.Request.URL)
	}
	if d, ok := parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
		e.RetryAfter = d
	}
	if c.rules.readVendorError(e, resp.Header.Get("Content-Type"), body) {
		e.Kind = apierror.ErrHTMLResponse
	}
	c.redactError(e, resp.Request, body)
	return e
}

// readVendorError fills e from the body of a failed answer in the
// vendor's error shape (DecodeError), and reports an HTML page instead,
// which carries none; an empty body carries none either. The call's error
// (responseError) and the token check (answerFault) read a body alike.
func (r *Rules) readVendorError(e *apierror.Error, contentType string, body []byte) (html bool) {
	if isHTML(contentType, body) {
		return true
	}
	if r.DecodeError != nil && len(body) > 0 {
		r.DecodeError(e, body)
	}
	return false
}

// redactError masks secrets in every text field of e and sets the excerpt.
func (c *Client) redactError(e *apierror.Error, req *http.Request, body []byte) {
	secrets := secretsOf(c.cfg.Auth, req)
	e.Body = maskedExcerpt(string(body), secrets)
	e.Message = maskedExcerpt(e.Message, secrets)
	// Codes and message keys come from the body too: a server may put
	// anything there, of any length.
	e.Code = maskedExcerpt(e.Code, secrets)
	e.MessageKey = maskedExcerpt(e.MessageKey, secrets)
	if len(e.Details) > MaxDetails {
		e.Details = append(e.Details[:MaxDetails:MaxDetails], fmt.Sprintf("…and %d more", len(e.Details)-MaxDetails))
	}
	for i, d := range e.Details {
		e.Details[i] = maskedExcerpt(d, secrets)
	}
}

// maskSlack is how far past the excerpt's end text is masked before the
// cut, so a secret standing across the cut is masked whole, not left with
// its first part showing.
const maskSlack = 4 << 10

// maskedExcerpt masks secrets in text, then cuts it to the excerpt size.
func maskedExcerpt(text string, secrets []string) string {
	window := text
	if len(window) > apierror.MaxBodyExcerpt+maskSlack {
		window = window[:apierror.MaxBodyExcerpt+maskSlack]
	}
	masked := apierror.Excerpt([]byte(redact.String(window, secrets...)))
	if len(window) < len(text) && !strings.HasSuffix(masked, apierror.TruncationMark) {
		masked += apierror.TruncationMark
	}
	return masked
}

// vendorError is the typed error for an error reported inside a success
// body (Kind ErrVendor).
func (c *Client) vendorError(call *Call, resp *http.Response, body []byte, be *BodyError) *apierror.Error {
	e := &apierror.Error{Op: call.Op, StatusCode: resp.StatusCode, Kind: apierror.ErrVendor}
	if resp.Request != nil {
		e.Method = resp.Request.Method
		e.URL = redact.URL(resp.Request.URL)
	}
	e.Code, e.MessageKey, e.Message = be.Code, be.MessageKey, be.Message
	e.Details = append([]string(nil), be.Details...)
	c.redactError(e, resp.Request, body)
	return e
}

// htmlPrefix reports whether b starts (after white space and a byte-order
// mark) like an HTML document, whatever the Content-Type said.
func htmlPrefix(b []byte) bool {
	trimmed := bytes.TrimLeft(b, " \t\r\n\ufeff")
	if len(trimmed) == 0 || trimmed[0] != '<' {
		// Every start below opens with '<': a JSON answer stops here.
		return false
	}
	// Compared without regard to case, in place: this runs on every
	// answer, and a lower-cased copy cost an allocation each time.
	for _, start := range htmlStarts {
		if len(trimmed) >= len(start) && bytes.EqualFold(trimmed[:len(start)], start) {
			return true
		}
	}
	return false
}

var htmlStarts = [][]byte{[]byte("<!doctype html"), []byte("<html"), []byte("<head"), []byte("<body"), []byte("<!--")}

func isHTML(contentType string, body []byte) bool {
	return htmlContentType(contentType) || htmlPrefix(body)
}

// errHTMLBody marks a body that sniffed as HTML.
var errHTMLBody = errors.New("body is an HTML page")

// sniffLen is how much of a streamed body is looked at before the first
// byte reaches the caller.
const sniffLen = 512

// maxSniff bounds how much leading white space the sniffer reads past
// to find the first character.
const maxSniff = 64 << 10

// sniffHTML reads the start of resp's body and refuses it when it is an
// HTML page; otherwise it returns a reader of the whole body, the bytes
// read ahead included.
func sniffHTML(resp *http.Response) (io.Reader, error) {
	sb := &sniffedBody{rest: resp.Body}
	head := sb.buf[:0]
	ended := false
	for {
		n, err := io.ReadFull(resp.Body, head[len(head):cap(head)])
		head = head[:len(head)+n]
		// Only io.ReadFull's own short-read signals mean the body simply
		// ended; a truncation reported by the body itself (it may wrap
		// io.ErrUnexpectedEOF) must reach the caller.
		if err == io.EOF || err == io.ErrUnexpectedEOF { //nolint:errorlint // ReadFull returns these unwrapped
			ended = true
			break
		}
		if err != nil {
			return nil, err
		}
		// Leading white space would hide the first tag: read on past it.
		if len(bytes.TrimLeft(head, " \t\r\n\ufeff")) > 0 || len(head) >= maxSniff {
			break
		}
		head = slices.Grow(head, sniffLen)
	}
	if htmlPrefix(head) {
		return nil, errHTMLBody
	}
	sb.head = head
	if ended {
		sb.rest = nil
	}
	return sb, nil
}

// sniffedBody gives the bytes sniffHTML read ahead, then the rest of the
// body: what io.MultiReader(bytes.NewReader(head), body) does, in one
// allocation with the read-ahead buffer instead of four.
type sniffedBody struct {
	head []byte
	rest io.Reader // nil when the body ended within head
	buf  [sniffLen]byte
}

func (s *sniffedBody) Read(p []byte) (int, error) {
	if len(s.head) > 0 {
		n := copy(p, s.head)
		s.head = s.head[n:]
		return n, nil
	}
	if s.rest == nil {
		return 0, io.EOF
	}
	return s.rest.Read(p)
}

// WriteTo lets io.Copy (Stream) hand the rest of the body to w as
// io.MultiReader's did.
func (s *sniffedBody) WriteTo(w io.Writer) (int64, error) {
	n, err := w.Write(s.head)
	s.head = s.head[n:]
	if err != nil || s.rest == nil {
		return int64(n), err
	}
	m, err := io.Copy(w, s.rest)
	return int64(n) + m, err
}

// htmlError turns a sniffing failure into the typed error.
func (c *Client) htmlError(call *Call, resp *http.Response, err error) error {
	if errors.Is(err, errHTMLBody) {
		e := c.responseError(call, resp, []byte("<html>"))
		e.Kind = apierror.ErrHTMLResponse
		e.Body = ""
		return e
	}
	return err
}

// readJSON checks resp, reads its JSON body (capped) and decodes it into
// dst (when not nil), looking for the vendor's error inside it.
func (c *Client) readJSON(call *Call, resp *http.Response, dst any) ([]byte, error) {
	resp, err := c.check(call, resp)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	limit := c.cfg.maxJSONBody()
	if resp.ContentLength > limit {
		return nil, c.tooLarge(call, resp, nil, fmt.Errorf("JSON body of %d bytes is larger than the %d-byte limit", resp.ContentLength, limit))
	}
	rb, _ := resp.Body.(*replayBody)
	var body []byte
	if rb != nil && rb.judged && int64(len(rb.head)) <= limit && rb.pooled == nil {
		// The token check read the whole body ahead into a buffer of its
		// own: it is the answer.
		body, rb.head = rb.head, nil
	} else {
		body, err = readCapped(resp.Body, resp.ContentLength, limit)
		if errors.Is(err, errTooLarge) {
			return nil, c.tooLarge(call, resp, body[:min(len(body), MaxErrorBody)], fmt.Errorf("JSON body larger than the %d-byte limit", limit))
		}
		if err != nil {
			return nil, err
		}
	}
	if htmlPrefix(body) {
		e := c.responseError(call, resp, body)
		e.Kind = apierror.ErrHTMLResponse
		return nil, e
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, c.unexpected(call, resp, body, errors.New("empty body where JSON was expected"))
	}
	if be := c.errorInBody(rb, body); be != nil {
		return nil, c.vendorError(call, resp, body, be)
	}
	if dst != nil {
		// Strict: a real server sends valid JSON.
		if err := UnmarshalJSON(body, dst); err != nil {
			return nil, c.unexpected(call, resp, body, fmt.Errorf("malformed JSON: %w", err))
		}
		// A check of the decoded answer (a member without which it is no
		// answer at all) costs nothing more here, where an UnmarshalJSON
		// wrapping the type would make encoding/json scan the body twice
		// more: a third of a small call's decoding time.
		if v, ok := dst.(AnswerChecker); ok {
			if err := v.CheckAnswer(); err != nil {
				return nil, c.unexpected(call, resp, body, err)
			}
		}
	}
	return body, nil
}

// errorInBody is Rules.ErrorInBody of body, the body of a 2xx answer, for
// every reader of one (readJSON, checkBodyless, stream). When the token
// check has already judged it (answerFault: rb is the answer's body, read
// whole, and holds the verdict), that verdict is the answer.
func (c *Client) errorInBody(rb *replayBody, body []byte) *BodyError {
	if rb != nil && rb.judged {
		return rb.fault
	}
	if c.rules.ErrorInBody == nil {
		return nil
	}
	return c.rules.ErrorInBody(body)
}

// AnswerChecker is a JSON destination that can tell, once decoded, that
// the answer it holds is not one (the call then fails with
// ErrUnexpectedResponse and the redacted excerpt of the body).
type AnswerChecker interface{ CheckAnswer() error }

var errTooLarge = errors.New("body too large")

// cappedReader reads at most left bytes of r; a body that goes on past
// them is an ErrResponseTooLarge error, not a silent end that a decoder
// would report as malformed.
type cappedReader struct {
	r    io.Reader
	left int64
	read int64
}

func (c *cappedReader) Read(p []byte) (int, error) {
	if c.left <= 0 {
		// One byte more tells a body that ends exactly at the cap from
		// one that goes on.
		var one [1]byte
		n, err := c.r.Read(one[:])
		if n == 0 && err != nil {
			return 0, err
		}
		return 0, &apierror.Error{Kind: apierror.ErrResponseTooLarge,
			Message: fmt.Sprintf("body larger than the %d-byte limit", c.read)}
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	c.read += int64(n)
	return n, err
}

// readCapped reads r whole, stopping at limit bytes, so a huge answer
// costs at most the cap in memory. A declared length sizes one buffer
// (the +1 sees the end without growing). A body of unknown length (chunked,
// or inflated from gzip) is read into blocks that are never copied while
// reading: a body past the cap has then cost the cap plus one block, where
// a doubling buffer would have cost twice the cap. Only a body that ends
// within the cap and spans several blocks is joined into one buffer.
func readCapped(r io.Reader, declared, limit int64) ([]byte, error) {
	if declared > 0 {
		return readInto(r, make([]byte, 0, min(declared+1, limit+1)), limit)
	}
	var blocks [][]byte
	total := int64(0)
	size := int64(firstBlock)
	for {
		block := make([]byte, 0, min(size, limit+1-total))
		block, err := fill(r, block)
		total += int64(len(block))
		blocks = append(blocks, block)
		if total > limit {
			// What the caller quotes in the error: the first bytes.
			return blocks[0], errTooLarge
		}
		if errors.Is(err, io.EOF) {
			if len(blocks) == 1 {
				return block, nil
			}
			out := make([]byte, 0, total)
			for i, b := range blocks {
				out = append(out, b...)
				blocks[i] = nil
			}
			return out, nil
		}
		if err != nil {
			return block, err
		}
		size = min(2*size, maxBlock)
	}
}

// The blocks of a body of unknown length start small, so a short answer
// costs little, and stop growing at maxBlock, which bounds what the last,
// partly filled block adds to the cap.
const (
	firstBlock = 512
	maxBlock   = 256 << 10
)

// fill reads r into block until block is full (nil error) or r ends or
// fails (its error).
func fill(r io.Reader, block []byte) ([]byte, error) {
	for len(block) < cap(block) {
		n, err := r.Read(block[len(block):cap(block)])
		block = block[:len(block)+n]
		if err != nil {
			return block, err
		}
	}
	return block, nil
}

// readInto reads r into buf, which has room for limit+1 bytes at most, and
// grows it (doubling) only when a declared length was too short.
func readInto(r io.Reader, buf []byte, limit int64) ([]byte, error) {
	for {
		if int64(len(buf)) > limit {
			return buf, errTooLarge
		}
		if len(buf) == cap(buf) {
			grow := min(max(int64(cap(buf)), 4096), limit+1-int64(len(buf)))
			buf = slices.Grow(buf, int(grow))
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if errors.Is(err, io.EOF) {
			if int64(len(buf)) > limit {
				return buf, errTooLarge
			}
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

// checkBodyless checks an answer whose body is not wanted: an HTML page or
// the vendor's error in it is still an error.
func (c *Client) checkBodyless(call *Call, resp *http.Response) error {
	resp, err := c.check(call, resp)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNoContent || resp.ContentLength == 0 {
		return nil
	}
	rb, _ := resp.Body.(*replayBody)
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxErrorBody))
	if err != nil {
		return err
	}
	if htmlPrefix(body) {
		e := c.responseError(call, resp, body)
		e.Kind = apierror.ErrHTMLResponse
		return e
	}
	if len(bytes.TrimSpace(body)) > 0 {
		if be := c.errorInBody(rb, body); be != nil {
			return c.vendorError(call, resp, body, be)
		}
	}
	return nil
}

// stream checks resp and copies its body to w.
func (c *Client) stream(call *Call, resp *http.Response, w io.Writer) (int64, error) {
	resp, err := c.check(call, resp)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	// A file download that answers JSON carries an error envelope (or a
	// server that ignored the request), not the file.
	if !call.AnyContentType && jsonContentType(resp.Header.Get("Content-Type")) {
		rb, _ := resp.Body.(*replayBody)
		body, _ := io.ReadAll(io.LimitReader(resp.Body, MaxErrorBody))
		e := c.responseError(call, resp, body)
		e.Kind = apierror.ErrUnexpectedResponse
		if be := c.errorInBody(rb, body); be != nil {
			return 0, c.vendorError(call, resp, body, be)
		}
		if e.Message != "" || e.Code != "" || e.MessageKey != "" {
			e.Kind = apierror.ErrVendor
		}
		return 0, e
	}
	body, err := sniffHTML(resp)
	if err != nil {
		return 0, c.htmlError(call, resp, err)
	}
	n, err := io.Copy(w, body)
	if err != nil {
		var ae *apierror.Error
		if errors.As(err, &ae) && ae.Op == "" {
			ae.Op = call.Op
			if resp.Request != nil {
				ae.Method, ae.URL = resp.Request.Method, redact.URL(resp.Request.URL)
			}
		}
		return n, err
	}
	if resp.ContentLength >= 0 && n != resp.ContentLength {
		return n, &apierror.Error{Op: call.Op, Kind: apierror.ErrTruncated, Message: fmt.Sprintf("got %d of %d bytes", n, resp.ContentLength)}
	}
	return n, nil
}

func (c *Client) tooLarge(call *Call, resp *http.Response, body []byte, cause error) *apierror.Error {
	e := c.responseError(call, resp, body)
	e.Kind = apierror.ErrResponseTooLarge
	e.Err = cause
	return e
}

func (c *Client) unexpected(call *Call, resp *http.Response, body []byte, cause error) *apierror.Error {
	e := c.responseError(call, resp, body)
	e.Kind = apierror.ErrUnexpectedResponse
	e.Err = cause
	return e
}

// withOp names the operation on an error that does not carry it yet.
func withOp(op string, err error) error {
	var ae *apierror.Error
	if errors.As(err, &ae) {
		if ae.Op == "" {
			ae.Op = op
		}
		return err
	}
	return fmt.Errorf("%s: %w", op, err)
}

package transport

import (
	"bytes"
	"encoding/json"
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

// MaxJSONBody caps a JSON response read into memory.
const MaxJSONBody = 256 << 20

// ErrorDecoder fills the vendor fields (Code, MessageKey, Message, Details,
// Hint) of e from an error response body (at most MaxErrorBody bytes). It is
// called for every non-2xx response; body may be empty or not JSON.
type ErrorDecoder func(e *apierror.Error, body []byte)

// Check returns resp when its status is 2xx (or one of ok, when given) and
// it is not an HTML page; otherwise it reads a capped part of the body,
// closes it and returns the typed error. err from the doer is wrapped with op.
func (c *Client) Check(op string, resp *http.Response, err error, ok ...int) (*http.Response, error) {
	if err != nil {
		return nil, withOp(op, err)
	}
	// No operation answers with an HTML page: on a 2xx status it is a
	// login page or a proxy's, and must not pass for success.
	success := isOK(resp.StatusCode, ok)
	if success && !htmlContentType(resp.Header.Get("Content-Type")) {
		return resp, nil
	}
	defer resp.Body.Close()
	body, readErr := io.ReadAll(io.LimitReader(resp.Body, MaxErrorBody))
	e := c.ResponseError(op, resp, body)
	if success {
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

// ResponseError builds the typed error for resp from (a capped part of) its
// body: status, redacted URL and excerpt, HTML detection, Retry-After and
// the vendor fields from the client's ErrorDecoder.
func (c *Client) ResponseError(op string, resp *http.Response, body []byte) *apierror.Error {
	e := &apierror.Error{Op: op, StatusCode: resp.StatusCode}
	if resp.Request != nil {
		e.Method = resp.Request.Method
		e.URL = redact.URL(resp.Request.URL)
	}
	if d, ok := parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
		e.RetryAfter = d
	}
	if isHTML(resp.Header.Get("Content-Type"), body) {
		e.Kind = apierror.ErrHTMLResponse
	} else if c.cfg.DecodeError != nil && len(body) > 0 {
		c.cfg.DecodeError(e, body)
	}
	c.redactError(e, resp.Request, body)
	return e
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

// VendorError is the typed error for an error reported inside a 2xx body
// (Kind ErrVendor); callers fill Code and Message.
func (c *Client) VendorError(op string, resp *http.Response, body []byte, code, message string, details ...string) *apierror.Error {
	e := c.ResponseError(op, resp, nil)
	e.Kind = apierror.ErrVendor
	e.Code, e.Message, e.Details = code, message, details
	c.redactError(e, resp.Request, body)
	return e
}

func isHTML(contentType string, body []byte) bool {
	if htmlContentType(contentType) {
		return true
	}
	trimmed := bytes.TrimLeft(body, " \t\r\n\ufeff")
	if len(trimmed) > 15 {
		trimmed = trimmed[:15]
	}
	lower := bytes.ToLower(trimmed)
	return bytes.HasPrefix(lower, []byte("<!doctype html")) || bytes.HasPrefix(lower, []byte("<html"))
}

// JSON checks resp like Check, then decodes its JSON body into dst and
// closes it. A body that is HTML, empty or malformed is a typed error.
func (c *Client) JSON(op string, resp *http.Response, err error, dst any, ok ...int) error {
	_, err = c.JSONBody(op, resp, err, dst, ok...)
	return err
}

// JSONBody is JSON that also returns the raw body, for vendors that must
// look for an error inside a 2xx answer.
func (c *Client) JSONBody(op string, resp *http.Response, err error, dst any, ok ...int) ([]byte, error) {
	resp, err = c.Check(op, resp, err, ok...)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxJSONBody+1))
	if err != nil {
		return nil, withOp(op, err)
	}
	if len(body) > MaxJSONBody {
		return nil, c.unexpected(op, resp, body, fmt.Errorf("JSON body larger than %d bytes", MaxJSONBody))
	}
	if isHTML(resp.Header.Get("Content-Type"), body) {
		e := c.ResponseError(op, resp, body)
		e.Kind = apierror.ErrHTMLResponse
		return nil, e
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, c.unexpected(op, resp, body, errors.New("empty body where JSON was expected"))
	}
	if dst != nil {
		if err := json.Unmarshal(body, dst); err != nil {
			return nil, c.unexpected(op, resp, body, fmt.Errorf("malformed JSON: %w", err))
		}
	}
	return body, nil
}

func (c *Client) unexpected(op string, resp *http.Response, body []byte, cause error) *apierror.Error {
	e := c.ResponseError(op, resp, body)
	e.Kind = apierror.ErrUnexpectedResponse
	e.Err = cause
	return e
}

// Stream checks resp like Check (which refuses an HTML page), then copies the body
// to w without holding it in memory. A body shorter than its Content-Length
// or a dropped connection is apierror.ErrTruncated: the bytes already
// written must not be taken as the whole file.
func (c *Client) Stream(op string, resp *http.Response, err error, w io.Writer, ok ...int) (int64, error) {
	resp, err = c.Check(op, resp, err, ok...)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	// A file download that answers JSON carries an error envelope (or a
	// server that ignored the request), not the file.
	if mt := mediaType(resp.Header.Get("Content-Type")); mt == "application/json" || strings.HasSuffix(mt, "+json") {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, MaxErrorBody))
		e := c.ResponseError(op, resp, body)
		e.Kind = apierror.ErrUnexpectedResponse
		if e.Message != "" || e.Code != "" || e.MessageKey != "" {
			e.Kind = apierror.ErrVendor
		}
		return 0, e
	}
	n, err := io.Copy(w, resp.Body)
	if err != nil {
		var ae *apierror.Error
		if errors.As(err, &ae) && ae.Op == "" {
			ae.Op = op
			if resp.Request != nil {
				ae.Method, ae.URL = resp.Request.Method, redact.URL(resp.Request.URL)
			}
		}
		return n, withOp(op, err)
	}
	if resp.ContentLength >= 0 && n != resp.ContentLength {
		return n, &apierror.Error{Op: op, Kind: apierror.ErrTruncated, Message: fmt.Sprintf("got %d of %d bytes", n, resp.ContentLength)}
	}
	return n, nil
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

package transport

import (
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/certadmin/certadmin-go/internal/apierror"
)

// The transport asks for gzip itself and inflates answers itself, instead
// of leaving it to net/http, so it can bound what a small compressed body
// may grow into: a few KiB of gzip can inflate to gigabytes (a "zip bomb")
// written into a caller's file or held in memory.

// DefaultMaxExpansion is how many times larger than its compressed size an
// answer may grow once inflated (past the first MiB), unless
// Config.MaxExpansion says otherwise. Real CSV and JSON compress 5–30×.
const DefaultMaxExpansion = 200

// expansionSlack is inflated data allowed before the ratio applies, so a
// tiny compressed answer of repetitive JSON is not refused.
const expansionSlack = 1 << 20

func (c *Config) maxExpansion() int64 {
	if c.MaxExpansion > 0 {
		return c.MaxExpansion
	}
	return DefaultMaxExpansion
}

// inflate replaces a gzip body with its bounded inflated form.
func inflate(resp *http.Response, ratio int64) {
	if !strings.EqualFold(strings.TrimSpace(headerValue(resp.Header, "Content-Encoding")), "gzip") || resp.Body == http.NoBody {
		return
	}
	resp.Body = &gunzipBody{raw: resp.Body, counted: &countingReader{r: resp.Body}, ratio: ratio}
	resp.Header.Del("Content-Encoding")
	resp.Header.Del("Content-Length")
	resp.ContentLength = -1
	resp.Uncompressed = true
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

type gunzipBody struct {
	raw     io.ReadCloser
	counted *countingReader
	zr      *gzip.Reader
	ratio   int64
	out     int64
	err     error
}

func (g *gunzipBody) Read(p []byte) (int, error) {
	if g.err != nil {
		return 0, g.err
	}
	if g.zr == nil {
		zr, err := gzip.NewReader(g.counted)
		if err != nil {
			g.err = gzipError(err)
			return 0, g.err
		}
		g.zr = zr
	}
	n, err := g.zr.Read(p)
	g.out += int64(n)
	if g.out > g.limit() {
		g.err = &apierror.Error{Kind: apierror.ErrResponseTooLarge,
			Message: fmt.Sprintf("gzip answer inflated past %d times its compressed size (%d bytes from %d)", g.ratio, g.out, g.counted.n)}
		return 0, g.err
	}
	if err != nil && !errors.Is(err, io.EOF) {
		g.err = gzipError(err)
		return n, g.err
	}
	return n, err
}

// gzipError keeps a truncation from the layer below as it is and makes a
// gzip stream that ends early a truncation too.
func gzipError(err error) error {
	var ae *apierror.Error
	if errors.As(err, &ae) {
		return err
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return &apierror.Error{Kind: apierror.ErrTruncated, Message: "gzip stream ended early", Err: err}
	}
	return &apierror.Error{Kind: apierror.ErrUnexpectedResponse, Message: "gzip answer does not inflate", Err: err}
}

// limit is how far the answer may inflate so far: ratio times the
// compressed bytes read, plus the slack, saturating instead of overflowing
// when the ratio is set very high to lift the bound.
func (g *gunzipBody) limit() int64 {
	const maxInt64 = 1<<63 - 1
	if g.counted.n > 0 && g.ratio > (maxInt64-expansionSlack)/g.counted.n {
		return maxInt64
	}
	return g.counted.n*g.ratio + expansionSlack
}

func (g *gunzipBody) Close() error { return g.raw.Close() }

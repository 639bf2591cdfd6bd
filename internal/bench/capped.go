package bench

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"runtime"
	"sync"

	"github.com/certadmin/certadmin-go/internal/apierror"
	"github.com/certadmin/certadmin-go/internal/transport"
)

// Encoding is how a capped answer comes over the wire.
type Encoding string

// The encodings a capped answer is measured in.
const (
	// EncodingLength declares the body's length (Content-Length).
	EncodingLength Encoding = "length"
	// EncodingChunked sends the body chunked, its length unknown until the end.
	EncodingChunked Encoding = "chunked"
	// EncodingGzip sends it gzip-compressed (Content-Encoding: gzip), so
	// its inflated length is unknown until the end.
	EncodingGzip Encoding = "gzip"
)

// Encodings are every encoding, in report order.
var Encodings = []Encoding{EncodingLength, EncodingChunked, EncodingGzip}

// Path is the call path a capped answer goes through.
type Path string

// The call paths that hold an answer (or a part of it) in memory.
const (
	// PathJSON is transport.Client.JSON: the body read into one buffer
	// and decoded.
	PathJSON Path = "JSON"
	// PathDecode is transport.Client.Decode with the value-bounded
	// streaming decoder (transport.NewJSONDecoder), as the streamed page
	// decoder uses it.
	PathDecode Path = "Decode"
)

// Paths are every path, in report order.
var Paths = []Path{PathJSON, PathDecode}

// HeapUse is what one call cost.
type HeapUse struct {
	// TotalAlloc is every byte the process allocated during the call
	// (runtime.MemStats.TotalAlloc after less before): a bound on how far
	// the heap can have grown, whatever the collector did meanwhile.
	TotalAlloc uint64
	// HeapGrowth is HeapAlloc after less before, with no collection
	// forced in between (0 when it shrank).
	HeapGrowth uint64
	// Err is the call's error: ErrResponseTooLarge for an answer past
	// the cap.
	Err error
}

// CappedAnswer is a loopback server that answers every request with one
// prepared response: a JSON object of size bytes in enc. The response is
// built once and written as bytes, so the server allocates next to nothing
// while the client is measured.
type CappedAnswer struct {
	URL string
	ln  net.Listener
	wg  sync.WaitGroup
}

// NewCappedAnswer starts the server. size is the JSON body's length before
// any compression; it holds pseudo-random letters, which compress about
// 1.5 times, so a gzip answer is refused for its size, not its ratio.
func NewCappedAnswer(enc Encoding, size int) (*CappedAnswer, error) {
	if size < 16 {
		return nil, errors.New("size must be at least 16")
	}
	return NewRawAnswer(enc, letters(size))
}

// NewRawAnswer starts a server answering every request with body (a JSON
// document) in enc.
func NewRawAnswer(enc Encoding, body []byte) (*CappedAnswer, error) {
	resp, err := rawResponse(enc, body)
	if err != nil {
		return nil, err
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &CappedAnswer{URL: "http://" + ln.Addr().String() + "/capped", ln: ln}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				defer conn.Close()
				// Read the request head (a GET has no body), then answer.
				var buf [4096]byte
				var head []byte
				for !bytes.Contains(head, []byte("\r\n\r\n")) {
					n, err := conn.Read(buf[:])
					if err != nil {
						return
					}
					head = append(head, buf[:n]...)
				}
				_, _ = conn.Write(resp)
			}()
		}
	}()
	return s, nil
}

// Close stops the server.
func (s *CappedAnswer) Close() {
	_ = s.ln.Close()
	s.wg.Wait()
}

// letters is a JSON object of size bytes: one member of pseudo-random
// letters.
func letters(size int) []byte {
	r := rand.New(rand.NewPCG(1, 2)) //nolint:gosec // filler text, not a secret
	body := make([]byte, 0, size)
	body = append(body, `{"a":"`...)
	for len(body) < size-2 {
		body = append(body, byte('a'+r.IntN(26)))
	}
	return append(body, `"}`...)
}

func rawResponse(enc Encoding, body []byte) ([]byte, error) {
	var out bytes.Buffer
	out.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n")
	switch enc {
	case EncodingLength:
		fmt.Fprintf(&out, "Content-Length: %d\r\n\r\n", len(body))
		out.Write(body)
	case EncodingChunked:
		out.WriteString("Transfer-Encoding: chunked\r\n\r\n")
		for rest := body; len(rest) > 0; {
			n := min(len(rest), 32<<10)
			fmt.Fprintf(&out, "%x\r\n", n)
			out.Write(rest[:n])
			out.WriteString("\r\n")
			rest = rest[n:]
		}
		out.WriteString("0\r\n\r\n")
	case EncodingGzip:
		var z bytes.Buffer
		zw := gzip.NewWriter(&z)
		if _, err := zw.Write(body); err != nil {
			return nil, err
		}
		if err := zw.Close(); err != nil {
			return nil, err
		}
		fmt.Fprintf(&out, "Content-Encoding: gzip\r\nContent-Length: %d\r\n\r\n", z.Len())
		out.Write(z.Bytes())
	default:
		return nil, fmt.Errorf("unknown encoding %q", enc)
	}
	return out.Bytes(), nil
}

// MeasureCapped sends one GET to url through path on a client whose JSON
// cap is limit, and measures what it cost. The client is built (and its
// first connection's machinery warmed by a call that is not measured)
// before the measurement starts.
func MeasureCapped(path Path, url string, limit int64) (HeapUse, error) {
	cfg := transport.NewConfig(transport.WithMaxAttempts(1))
	cfg.MaxJSONBody = limit
	c, err := transport.New(cfg, transport.Rules{})
	if err != nil {
		return HeapUse{}, err
	}
	defer c.CloseIdleConnections()
	call := func() error {
		req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		tc := transport.Call{Op: "bench.Capped", Request: req}
		switch path {
		case PathJSON:
			var v struct{ A string }
			return c.JSON(context.Background(), tc, &v)
		case PathDecode:
			return c.Decode(context.Background(), tc, func(_ *http.Response, body io.Reader) error {
				dec := transport.NewJSONDecoder(body, transport.DefaultMaxJSONValue)
				var v struct{ A string }
				return dec.Decode(&v)
			})
		}
		return fmt.Errorf("unknown path %q", path)
	}
	return MeasureCall(call), nil
}

// MeasureCall runs call once to warm up what a client builds lazily (its
// first dial, pools), then again under measurement.
func MeasureCall(call func() error) HeapUse {
	_ = call()
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	err := call()
	runtime.ReadMemStats(&after)
	use := HeapUse{TotalAlloc: after.TotalAlloc - before.TotalAlloc, Err: err}
	if after.HeapAlloc > before.HeapAlloc {
		use.HeapGrowth = after.HeapAlloc - before.HeapAlloc
	}
	return use
}

// CappedHeapSlack is the heap a capped answer may cost beyond the cap
// itself: the connection's buffers, the gzip reader's window, the error.
const CappedHeapSlack = 1 << 20

// CappedAnswers is figure M1: the heap one call costs when the answer is
// larger than the JSON cap, per encoding and call path. The target is the
// cap plus CappedHeapSlack; a refusal that is not ErrResponseTooLarge is
// an error.
func CappedAnswers(limit int64, size int) ([]Figure, error) {
	var figs []Figure
	for _, enc := range Encodings {
		srv, err := NewCappedAnswer(enc, size)
		if err != nil {
			return nil, err
		}
		for _, path := range Paths {
			use, err := MeasureCapped(path, srv.URL, limit)
			if err == nil && !errors.Is(use.Err, apierror.ErrResponseTooLarge) {
				err = fmt.Errorf("%s %s: %w, want ErrResponseTooLarge", path, enc, use.Err)
			}
			if err != nil {
				srv.Close()
				return nil, err
			}
			name := fmt.Sprintf("M1 %s answer of %d MiB, cap %d MiB, %s: heap allocated", path, size>>20, limit>>20, enc)
			if path == PathDecode {
				// The answer is one value: the streamed decoder refuses it
				// at its value bound, before the cap.
				name = fmt.Sprintf("M1 %s answer of %d MiB (one value), %s: heap allocated", path, size>>20, enc)
			}
			figs = append(figs, Figure{
				Name:   name,
				Value:  float64(use.TotalAlloc) / (1 << 20),
				Unit:   "MiB",
				Target: fmt.Sprintf("<= %.0f", float64(limit+CappedHeapSlack)/(1<<20)),
				Met:    use.TotalAlloc <= uint64(limit+CappedHeapSlack),
			})
		}
		srv.Close()
	}
	return figs, nil
}

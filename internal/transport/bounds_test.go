package transport_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/certadmin/certadmin-go/internal/apierror"
	"github.com/certadmin/certadmin-go/internal/transport"
)

// Decode hands its reader a body capped like a JSON answer: a body of
// exactly the cap decodes, one byte more is ErrResponseTooLarge (not the
// decoder's "unexpected EOF" that a silent cut would give), declared
// length or not.
func TestDecodeBodyIsCappedWithATypedError(t *testing.T) {
	const limit = 4096
	for _, tc := range []struct {
		size     int
		declared bool
		tooLarge bool
	}{{limit, true, false}, {limit, false, false}, {limit + 1, true, true}, {limit + 1, false, true}, {1 << 20, false, true}} {
		body := jsonOfLength(tc.size)
		network := roundTripFunc(func(r *http.Request) (*http.Response, error) {
			cl := int64(-1)
			if tc.declared {
				cl = int64(len(body))
			}
			return answer(r, http.StatusOK, "application/json", body, cl), nil
		})
		cfg := transport.NewConfig(transport.WithRetry(fastRetry), transport.WithTransport(network))
		cfg.MaxJSONBody = limit
		c, err := transport.New(cfg, transport.Rules{})
		if err != nil {
			t.Fatal(err)
		}
		req := do(t, c, context.Background(), http.MethodGet, "https://core.example.com/api", "")
		var v struct{ A string }
		err = c.Decode(req.ctx, req.op("test.List", nil), func(_ *http.Response, body io.Reader) error {
			return json.NewDecoder(body).Decode(&v)
		})
		var ae *apierror.Error
		switch {
		case tc.tooLarge && (!errors.Is(err, apierror.ErrResponseTooLarge) || !errors.As(err, &ae) || ae.Op != "test.List" || ae.StatusCode != 200):
			t.Errorf("%d bytes (declared %v): err = %v, want ErrResponseTooLarge naming the call", tc.size, tc.declared, err)
		case !tc.tooLarge && (err != nil || len(v.A) != tc.size-8):
			t.Errorf("%d bytes (declared %v): err = %v, decoded %d", tc.size, tc.declared, err, len(v.A))
		}
	}
}

// A body of unknown length that ends within the cap comes out whole and
// byte for byte, whether it fits the first block or spans many.
func TestJSONOfUnknownLengthIsReadWhole(t *testing.T) {
	for _, size := range []int{8, 511, 512, 513, 300 << 10, 3 << 20} {
		body := jsonOfLength(size)
		network := roundTripFunc(func(r *http.Request) (*http.Response, error) {
			return answer(r, http.StatusOK, "application/json", body, -1), nil
		})
		cfg := transport.NewConfig(transport.WithRetry(fastRetry), transport.WithTransport(network))
		cfg.MaxJSONBody = 3 << 20
		c, err := transport.New(cfg, transport.Rules{})
		if err != nil {
			t.Fatal(err)
		}
		req := do(t, c, context.Background(), http.MethodGet, "https://core.example.com/api", "")
		got, err := c.JSONBody(req.ctx, req.op("test.Get", nil), nil)
		if err != nil || !bytes.Equal(got, body) {
			t.Errorf("%d bytes: err %v, got %d bytes, equal %v", size, err, len(got), bytes.Equal(got, body))
		}
	}
}

// NewJSONDecoder refuses a value larger than its bound with
// ErrResponseTooLarge, and decodes a stream of values each within it
// however long the stream.
func TestJSONDecoderBoundsOneValue(t *testing.T) {
	big := `[` + string(jsonOfLength(5000)) + `]`
	dec := transport.NewJSONDecoder(strings.NewReader(big), 1024)
	var v []struct{ A string }
	if err := dec.Decode(&v); !errors.Is(err, apierror.ErrResponseTooLarge) {
		t.Errorf("a 5000-byte value under a 1024-byte bound: %v", err)
	}
	var stream strings.Builder
	stream.WriteString("[")
	for i := range 2000 {
		if i > 0 {
			stream.WriteString(",")
		}
		stream.Write(jsonOfLength(100))
	}
	stream.WriteString("]")
	dec = transport.NewJSONDecoder(strings.NewReader(stream.String()), 1024)
	if _, err := dec.Token(); err != nil {
		t.Fatal(err)
	}
	n := 0
	for dec.More() {
		var e struct{ A string }
		if err := dec.Decode(&e); err != nil || len(e.A) != 92 {
			t.Fatalf("element %d: %v", n, err)
		}
		n++
	}
	if n != 2000 {
		t.Errorf("decoded %d of 2000", n)
	}
}

package transport_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
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

package transport

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/certadmin/certadmin-go/internal/apierror"
)

// DefaultMaxJSONValue bounds one value a streamed decoder holds at a time
// (one account of a listing page, one member of its envelope): far above
// any record the vendors send, far below the JSON cap.
const DefaultMaxJSONValue = 1 << 20

// NewJSONDecoder is a json.Decoder over body that holds at most about
// maxValue bytes of undecoded input at a time: once the value being
// decoded (or the token being read) grows past maxValue, the next read
// fails with an ErrResponseTooLarge error. A json.Decoder buffers the
// whole value it decodes and doubles its buffer as it goes, so without
// this bound one huge value costs several times its size; with it, a
// streamed page costs what its decoded items hold plus a few maxValue,
// whatever the body's size or encoding. Decode's cap on the whole body
// still applies.
func NewJSONDecoder(body io.Reader, maxValue int64) *json.Decoder {
	v := &valueCap{r: body, max: maxValue}
	v.dec = json.NewDecoder(v)
	return v.dec
}

type valueCap struct {
	r    io.Reader
	dec  *json.Decoder
	read int64
	max  int64
}

// Read is called by the decoder when it needs more input; what it has read
// and not yet consumed is the value it is working on.
func (v *valueCap) Read(p []byte) (int, error) {
	held := v.read - v.dec.InputOffset()
	if held > v.max {
		return 0, &apierror.Error{Kind: apierror.ErrResponseTooLarge,
			Message: fmt.Sprintf("one JSON value of the answer is larger than the %d-byte limit", v.max)}
	}
	// Never hand over more than the bound leaves room for, so the
	// decoder's buffer stops growing at the bound however much one read
	// could deliver.
	if room := v.max + 1 - held; int64(len(p)) > room {
		p = p[:room]
	}
	n, err := v.r.Read(p)
	v.read += int64(n)
	return n, err
}

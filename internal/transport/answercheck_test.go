package transport_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/certadmin/certadmin-go/internal/apierror"
)

// withID is a destination that is no answer without its id.
type withID struct{ ID string }

var errNoID = errors.New("the answer holds no id")

func (w *withID) CheckAnswer() error {
	if w.ID == "" {
		return errNoID
	}
	return nil
}

// A destination's CheckAnswer runs on every decoded 200: an answer it
// refuses is ErrUnexpectedResponse with the body's excerpt, not a result.
func TestAnswerCheckerRefusesADecodedNonAnswer(t *testing.T) {
	answers := []string{`{"ID":"a1"}`, `{}`, `null`}
	var n int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, answers[n])
		n++
	}))
	defer srv.Close()
	c := newClient(t)
	for i, body := range answers {
		var out withID
		err := do(t, c, context.Background(), http.MethodGet, srv.URL+"/x", "").JSON("test.Get", &out)
		if i == 0 {
			if err != nil || out.ID != "a1" {
				t.Fatalf("answer %s: %v, id %q", body, err, out.ID)
			}
			continue
		}
		var e *apierror.Error
		if !errors.Is(err, apierror.ErrUnexpectedResponse) || !errors.Is(err, errNoID) || !errors.As(err, &e) || !strings.Contains(e.Body, body) {
			t.Errorf("answer %s: %v, want ErrUnexpectedResponse wrapping the check's error, with the body", body, err)
		}
	}
}

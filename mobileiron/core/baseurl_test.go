package core_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/certadmin/certadmin-go/mobileiron/core"
)

// A base URL that already ends in /api/v2 used to call /api/v2/api/v2/…
// and meet a bare 404; it is refused with a hint instead.
func TestNewClientRefusesABaseURLHoldingTheAPIPath(t *testing.T) {
	for _, base := range []string{"https://core.example.com/api/v2", "https://core.example.com/api/v2/", "https://core.example.com/api"} {
		_, err := core.NewClient(base, core.WithBasicAuth("admin", "pw"))
		if !errors.Is(err, core.ErrInvalidInput) || !strings.Contains(err.Error(), "already holds the API path") {
			t.Errorf("%s: err = %v, want ErrInvalidInput naming the API path", base, err)
		}
	}
	c, err := core.NewClient("https://core.example.com/mdm", core.WithBasicAuth("admin", "pw"))
	if err != nil {
		t.Fatalf("a base URL behind a path prefix: %v", err)
	}
	c.Close()
}

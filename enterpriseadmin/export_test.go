package enterpriseadmin

import (
	"time"

	"github.com/certadmin/certadmin-go/internal/transport"
)

// WithClock replaces the clock that decides when a token is refreshed.
func WithClock(now func() time.Time) Option {
	return clientOption(func(c *transport.Config) { ext(c).now = now })
}

// CheckDeletable is the rotation's last guard before it deletes the old
// certificate.
var CheckDeletable = checkDeletable

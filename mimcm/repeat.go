package mimcm

import (
	"net/http"

	"github.com/certadmin/certadmin-go/internal/transport"
)

// repeatRule is the API's one fact about repeating requests, given to the
// transport (transport.Rules.Repeat) so that it holds for every request the
// client sends: the methods' calls, Do and the generated client of Raw. The
// spec says the same of each operation it describes (openapi/mimcm.yaml:
// its PUTs carry x-repeat: never); this rule is the fallback for a request
// sent through Do or Raw to a path the spec does not describe.
//
// Only GET (and HEAD) only reads. Every other request of the vendor's
// reference changes state and must not be sent again once it may have
// reached the server: POST requests creates a request (create-request.md),
// POST requests/{id}/certificatedata has the CA issue
// (get-certificate-responses.md), POST smartcards assigns a card
// (assign-smartcard-to-request.md), PUT requests/{id} moves a request to
// Completed, Canceled or Abandoned (cancel-abandon-complete-request.md) and
// PUT requests/{reqid}/smartcards/{scid} retires a card
// (update-smartcard-status.md). A PUT here is not a replace that can be
// repeated: a repeated completion fails against the request it completed,
// or completes what the first attempt left in another state.
func repeatRule(req *http.Request) transport.Repeat {
	switch req.Method {
	case http.MethodGet, http.MethodHead:
		return transport.ByMethod
	}
	return transport.Never
}

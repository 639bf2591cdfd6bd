package czertainly_test

import (
	"context"
	"errors"
	"net/http"
	"sync/atomic"
	"testing"

	czertainly "github.com/certadmin/certadmin-go/czertainly"
	"github.com/certadmin/certadmin-go/czertainly/czertainlytest"
)

// coreErrorBodies are the error bodies Core writes, each with the message
// the error must carry:
//   - ErrorMessageDto, {"message"}: most handlers of
//     ExceptionHandlingAdvice.java (cad4432a), e.g. :46-53, :572-577;
//   - AuthenticationServiceExceptionDto, {"statusCode","code","message"}
//     as application/problem+json: :364-385 (403) and :445-453;
//   - an RFC 9457 problem detail (type, title, status, detail and an
//     extension member), as Spring writes for its own ErrorResponse
//     exceptions;
//   - Spring Boot's default error body ({"timestamp","status","error",
//     "path"}, "message" when enabled), written for what no handler of
//     the advice catches (a filter's failure).
var coreErrorBodies = []struct{ body, message string }{
	{`{"message":"Internal server error."}`, "Internal server error."},
	{`{"statusCode":403,"code":"ACCESS_DENIED","message":"Access Denied. Required 'List' permission for 'Certificates'"}`, "Access Denied. Required 'List' permission for 'Certificates'"},
	{`{"type":"about:blank","title":"Bad Request","status":400,"detail":"name already exists","code":"ENTITY_NOT_UNIQUE"}`, "name already exists"},
	{`{"type":"about:blank","title":"Forbidden","status":403,"instance":"/api/v1/certificates"}`, "Forbidden"},
	{`{"timestamp":"2026-01-01T00:00:00.000+00:00","status":500,"error":"Internal Server Error","path":"/api/v1/certificates"}`, "Internal Server Error"},
	{`{"timestamp":"2026-01-01T00:00:00.000+00:00","status":401,"error":"Unauthorized","message":"Full authentication is required","path":"/api/v1/approvals"}`, "Full authentication is required"},
}

// Each of Core's error bodies served with status 200 (a proxy, or a
// gateway that rewrote the status) ends a list with an ErrVendor error
// carrying Core's message: it is not a page with nothing in it. Failed
// before the client gave the transport an ErrorInBody rule: every list
// below ended with no error and no item (the body read as an empty page).
func TestListsRefuseCoresErrorBodyInA200(t *testing.T) {
	ctx := context.Background()
	lists := []struct {
		name, method, path string
		run                func(c *czertainly.Client) error
	}{
		{"ListCertificates", http.MethodPost, "/v1/certificates", func(c *czertainly.Client) error {
			for _, err := range c.ListCertificates(ctx, czertainly.CertificateQuery{}) {
				if err != nil {
					return err
				}
			}
			return nil
		}},
		{"ListCertificatesPage", http.MethodPost, "/v1/certificates", func(c *czertainly.Client) error {
			_, err := c.ListCertificatesPage(ctx, czertainly.CertificateQuery{}, 1)
			return err
		}},
		{"ListApprovals", http.MethodGet, "/v1/approvals", func(c *czertainly.Client) error {
			for _, err := range c.ListApprovals(ctx, czertainly.ApprovalQuery{}) {
				if err != nil {
					return err
				}
			}
			return nil
		}},
		{"ListUserApprovals", http.MethodGet, "/v1/approvals/user", func(c *czertainly.Client) error {
			for _, err := range c.ListUserApprovals(ctx, czertainly.ApprovalQuery{}) {
				if err != nil {
					return err
				}
			}
			return nil
		}},
		{"ListApprovalProfiles", http.MethodGet, "/v1/approvalProfiles", func(c *czertainly.Client) error {
			for _, err := range c.ListApprovalProfiles(ctx) {
				if err != nil {
					return err
				}
			}
			return nil
		}},
	}
	for _, l := range lists {
		t.Run(l.name, func(t *testing.T) {
			srv, c := newFake(t, nil)
			for _, eb := range coreErrorBodies {
				srv.Inject(czertainlytest.Fault{Method: l.method, PathSuffix: l.path, Status: http.StatusOK, ContentType: "application/json", Body: eb.body})
				err := l.run(c)
				var e *czertainly.Error
				if !errors.Is(err, czertainly.ErrVendor) || !errors.As(err, &e) || e.Message != eb.message {
					t.Errorf("%s: got %v, want ErrVendor with message %q", eb.body, err, eb.message)
				}
			}
		})
	}
}

// The answers of Core that are made of error-like members and one of
// their own stay answers: a bulk operation's {"status","failedItem",
// "message"} (BulkOperationResponse) is not an error because it carries a
// message.
func TestAnswersWithAMessageAreNotErrors(t *testing.T) {
	srv, c := newFake(t, nil)
	ctx := context.Background()
	srv.Inject(czertainlytest.Fault{Method: http.MethodPost, PathSuffix: "/v1/certificates/delete", Status: http.StatusOK, ContentType: "application/json",
		Body: `{"status":"SUCCESS","failedItem":0,"message":"Initiated bulk delete Certificates. Please refresh after some time"}`})
	if _, err := c.DeleteCertificates(ctx, []string{"0b6f4b8e-0c4a-4b8e-9f7e-7c0e3c1d2a55"}); err != nil {
		t.Errorf("bulk delete: %v", err)
	}
}

// reorderingIgnorer ignores pageNumber for the certificate list and
// answers its first page in a different order on every request (a store
// without a stable order), so no page equals an earlier one.
type reorderingIgnorer struct{ hits atomic.Int32 }

func (s *reorderingIgnorer) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	hits := int(s.hits.Add(1))
	const size = 10
	var certs []map[string]any
	for i := range size {
		j := (i + hits) % size
		certs = append(certs, map[string]any{"uuid": uuidN("c", j), "commonName": "c", "subjectDn": "CN=c", "publicKeyAlgorithm": "RSA",
			"hybridCertificate": false, "keySize": 2048, "state": "issued", "validationStatus": "valid", "certificateType": "X.509",
			"complianceStatus": "na", "privateKeyAvailability": false})
	}
	writeJSON(w, 200, map[string]any{"certificates": certs, "itemsPerPage": size, "pageNumber": 1, "totalPages": 10, "totalItems": 10 * size})
}

// A server that ignores pageNumber without repeating a page exactly: only
// the certificates' UUIDs tell that the second page brings nothing new.
// ListCertificates stops there with ErrPagingMismatch after two requests,
// having yielded each certificate once; a check of whole pages alone
// (pager.Offset's Guard) would yield the ten certificates nine times more.
func TestListCertificatesStopsWhenTheServerIgnoresThePageInAnotherOrder(t *testing.T) {
	srv := &reorderingIgnorer{}
	c := standIn(t, srv)
	seen := map[string]int{}
	var last error
	for crt, err := range c.ListCertificates(context.Background(), czertainly.CertificateQuery{PageSize: 10}) {
		if err != nil {
			last = err
			break
		}
		seen[crt.UUID]++
	}
	if !errors.Is(last, czertainly.ErrPagingMismatch) {
		t.Errorf("ended with %v, want ErrPagingMismatch", last)
	}
	for id, n := range seen {
		if n > 1 {
			t.Errorf("%s yielded %d times", id, n)
		}
	}
	if len(seen) != 10 || srv.hits.Load() != 2 {
		t.Errorf("%d certificates in %d requests, want 10 in 2", len(seen), srv.hits.Load())
	}
}
